// Writes the image fuzzer's JPEG seeds (fuzz/corpus/image/seed-*.jpg) with
// stb_image_write, each behind the fuzzer's first byte (the channels it asks for).
// Not part of the build; run once by hand:
//   c++ -std=c++20 fuzz/jpeg_seeds.cpp -o /tmp/jpeg_seeds && /tmp/jpeg_seeds fuzz/corpus/image
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb/stb_image_write.h>

#include <cstdio>
#include <string>
#include <vector>

namespace {
void append(void* context, void* data, int size) {
    auto* out = static_cast<std::vector<unsigned char>*>(context);
    out->insert(out->end(), static_cast<unsigned char*>(data), static_cast<unsigned char*>(data) + size);
}

void seed(const std::string& path, unsigned char channels_asked, int w, int h, int comp, int quality) {
    std::vector<unsigned char> pixels(std::size_t(w * h * comp));
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            for (int c = 0; c < comp; ++c) pixels[std::size_t((y * w + x) * comp + c)] = (unsigned char)(x * 29 + y * 13 + c * 80);
    std::vector<unsigned char> out{channels_asked};
    stbi_write_jpg_to_func(append, &out, w, h, comp, pixels.data(), quality);
    FILE* f = std::fopen(path.c_str(), "wb");
    std::fwrite(out.data(), 1, out.size(), f);
    std::fclose(f);
}
}  // namespace

int main(int argc, char** argv) {
    const std::string dir = argc > 1 ? argv[1] : ".";
    seed(dir + "/seed-grey.jpg", 0, 8, 8, 1, 90);
    seed(dir + "/seed-rgb.jpg", 3, 16, 16, 3, 50);
    seed(dir + "/seed-odd-size.jpg", 4, 17, 9, 3, 95);
}

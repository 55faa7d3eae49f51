// Lesson 13: convolution
// ======================
//
// A convolutional layer slides a small grid of weights, the kernel, over an image and
// writes, at every position, the weighted sum of the pixels under it:
//
//     y[i, j] = sum over u, v < 3 of  w[u, v] * x[i + u - 1, j + v - 1]      (3x3, Pad<1>)
//
// The result is again an image, a feature map: bright where the patch looks like the
// kernel, dark where it looks like its negative. The same nine weights are used at
// every position (weight sharing), so a 3x3 layer has 9 weights per filter whether the
// image has 784 pixels or 60,000, and a pattern is found wherever it is.
//
// Before networks learned their kernels, image processing designed them by hand, and
// the hand-made ones are what trained networks' first layers rediscover (lesson 15's
// filters look like them). This lesson sets the weights of typenet's Conv2D itself,
// with no training at all, and looks at what each kernel computes on a photograph:
//
//   identity    0  0  0      box blur  1 1 1 / 9     sharpen   0 -1  0
//               0  1  0                1 1 1                  -1  5 -1
//               0  0  0                1 1 1                   0 -1  0
//
//   Sobel x    -1  0  1      Sobel y  -1 -2 -1       Laplacian 0  1  0
//              -2  0  2                0  0  0                 1 -4  1
//              -1  0  1                1  2  1                 0  1  0
//
// Sobel x is a difference of the right column and the left (smoothed along the
// column): it answers to a change of brightness from left to right, i.e. a vertical
// edge, and is blind to a horizontal one. Turning its ring of eight outer weights by
// one place turns it by 45 degrees, which gives a bank of eight edge detectors, one
// per direction: the simple cells Hubel and Wiesel found in a cat's visual cortex.
//
// Then the geometry, all of it in the type and checked by the compiler:
//
//     OH = (H + 2 pad - dilation (k - 1) - 1) / stride + 1        (and OW alike)
//
//   valid (no padding)   the kernel must fit inside the image: 3x3 takes 2 rows off
//   same (Pad<1>)        a ring of zeros keeps the size, but mixes black into the border
//   stride 2             every second position: half the rows and columns
//   dilation d           gaps between the taps: a 3x3 kernel covering (2d + 1)^2 pixels
//
// and colour: on an RGB image a kernel has one 3x3 slice per channel and the output is
// the sum of the three, so one filter can compute brightness, or "red minus green".
//
// Run:  build/release/lessons/13-convolution [--smoke] [--out DIR]
//       (after scripts/fetch-data.sh photos). Under a second: no training, a few
//       convolutions of one 300x200 photo; --smoke does the same and skips the verdict.
// Writes into out/13-convolution/: the photo (photo.png, photo-grey.png), the kernel
// bank's maps (bank-maps.png, bank-kernels.png, edges.png), the orientation bank
// (orientation-maps.png, orientation-colour.png), padding, stride and dilation
// (padding.png, stride.png, dilation.png), the colour kernels (rgb-maps.png,
// rgb-kernels.png), and Sobel x on step edges (step-edges.png, tuning.svg).

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <numbers>
#include <span>
#include <string>
#include <vector>

#include <typenet/data/find.hpp>
#include <typenet/image/color.hpp>
#include <typenet/image/grid.hpp>
#include <typenet/image/io.hpp>
#include <typenet/image/resize.hpp>
#include <typenet/plot/line_chart.hpp>
#include <typenet/typenet.hpp>

#include "lesson.hpp"

using namespace tn;
namespace fs = std::filesystem;

// ---------------------------------------------------------------------------------
// The networks: one convolution each, the geometry in the type
// ---------------------------------------------------------------------------------
//
// The photo is resized to H x W, and H and W are part of every network's type: any
// photograph works, at this size. A model here is a single Conv2D layer, with NoBias
// because a hand-made kernel needs no offset.
constexpr std::size_t H = 200, W = 300;

// Six hand-set kernels on the grey photo, "same" size thanks to one ring of zeros.
using Bank = Sequential<Input<1, H, W>, Conv2D<6, Kernel<3>, Pad<1>, NoBias>>;
static_assert(std::is_same_v<Bank::output_shape, Shape<6, H, W>>);
static_assert(Bank::param_count == 6 * 1 * 3 * 3);  // [filters, channels, kh, kw], no bias

// Eight edge detectors, one per direction, each followed by ReLU: a filter answers to
// its own edge (dark to bright along its direction) and is silent for the opposite one.
using Orientations = Sequential<Input<1, H, W>, Conv2D<8, Kernel<3>, Pad<1>, NoBias>, ReLU>;
static_assert(std::is_same_v<Orientations::output_shape, Shape<8, H, W>>);

// Padding. Without it (Valid, the default) a 3x3 kernel fits at H - 2 rows, a 5x5 at
// H - 4; Pad<1> (or Same, which works it out) keeps H.
using Valid3 = Sequential<Input<1, H, W>, Conv2D<1, Kernel<3>, NoBias>>;
using Valid5 = Sequential<Input<1, H, W>, Conv2D<1, Kernel<5>, NoBias>>;
using Same3 = Sequential<Input<1, H, W>, Conv2D<1, Kernel<3>, Pad<1>, NoBias>>;
static_assert(std::is_same_v<Valid3::output_shape, Shape<1, H - 2, W - 2>>);
static_assert(std::is_same_v<Valid5::output_shape, Shape<1, H - 4, W - 4>>);
static_assert(std::is_same_v<Same3::output_shape, Shape<1, H, W>>);
static_assert(std::is_same_v<Sequential<Input<1, H, W>, Conv2D<1, Kernel<3>, Same>>::output_shape, Shape<1, H, W>>);

// Stride 2: (200 + 2 - 3) / 2 + 1 = 100 rows, (300 + 2 - 3) / 2 + 1 = 150 columns.
using Strided = Sequential<Input<1, H, W>, Conv2D<1, Kernel<3>, Stride<2>, Pad<1>, NoBias>>;
static_assert(std::is_same_v<Strided::output_shape, Shape<1, H / 2, W / 2>>);

// Dilation d: the taps are d pixels apart, the kernel spans 2d + 1, and Pad<d> keeps
// the size: (200 + 2d - 2d - 1) / 1 + 1 = 200.
template <std::size_t D>
using Dilated = Sequential<Input<1, H, W>, Conv2D<1, Kernel<3>, Dilation<D>, Pad<D>, NoBias>>;
static_assert(std::is_same_v<Dilated<4>::output_shape, Shape<1, H, W>>);

// Colour: each of 4 filters has a 3x3 slice for each of the 3 input channels.
using ColourBank = Sequential<Input<3, H, W>, Conv2D<4, Kernel<3>, Pad<1>, NoBias>>;
static_assert(std::is_same_v<ColourBank::output_shape, Shape<4, H, W>>);
static_assert(ColourBank::param_count == 4 * 3 * 3 * 3);

namespace {

using Kernel3 = std::array<float, 9>;  // row by row
using image::Normalize;

constexpr Kernel3 identity{0, 0, 0, 0, 1, 0, 0, 0, 0};
constexpr Kernel3 box_blur{1 / 9.f, 1 / 9.f, 1 / 9.f, 1 / 9.f, 1 / 9.f, 1 / 9.f, 1 / 9.f, 1 / 9.f, 1 / 9.f};
constexpr Kernel3 sharpen{0, -1, 0, -1, 5, -1, 0, -1, 0};
constexpr Kernel3 sobel_x{-1, 0, 1, -2, 0, 2, -1, 0, 1};
constexpr Kernel3 sobel_y{-1, -2, -1, 0, 0, 0, 1, 2, 1};
constexpr Kernel3 laplacian{0, 1, 0, 1, -4, 1, 0, 1, 0};
constexpr std::size_t sobel_x_channel = 3;  // its place in the bank

// The eight weights around the centre, clockwise from the top left (indices into a
// Kernel3). Moving each one place along this ring turns the kernel by 45 degrees.
constexpr std::array<std::size_t, 8> ring{0, 1, 2, 5, 8, 7, 6, 3};
Kernel3 turn_45_degrees(const Kernel3& k, std::size_t times) {
    Kernel3 out{};
    out[4] = k[4];
    for (std::size_t i = 0; i < 8; ++i) out[ring[(i + times) % 8]] = k[ring[i]];
    return out;
}

// Sets a one-layer network's kernels by hand: its parameters have PyTorch's names,
// and "0.weight" is the [filters, channels, kh, kw] tensor. A wrong count is
// an error that names the tensor, not a silent partial copy.
template <class Net>
void set_weights(Model<Net>& model, const std::vector<float>& weights) {
    NamedTensor w = model.parameter("0.weight");
    if (w.values.size() != weights.size())
        throw std::invalid_argument(w.name + " holds " + std::to_string(w.values.size()) + " weights, got " +
                                    std::to_string(weights.size()));
    std::copy(weights.begin(), weights.end(), w.values.begin());
}
std::vector<float> concat(std::initializer_list<Kernel3> kernels) {
    std::vector<float> out;
    for (const auto& k : kernels) out.insert(out.end(), k.begin(), k.end());
    return out;
}

// Every picture goes through here, so the end of the run can check they all exist.
struct Pictures {
    fs::path folder;
    std::vector<fs::path> written;
    void png(const std::string& name, const image::FloatImage& img) {
        image::write_png(folder / name, img);
        written.push_back(lesson::wrote(folder / name));
    }
    void svg(const std::string& name, const plot::LineChart& chart) {
        chart.save(folder / name);
        written.push_back(lesson::wrote(folder / name));
    }
    bool all_there() const {
        return std::all_of(written.begin(), written.end(),
                           [](const fs::path& p) { return fs::exists(p) && fs::file_size(p) > 0; });
    }
};

// HSV (hue in degrees) to RGB, for the orientation picture.
std::array<float, 3> hsv(float hue, float saturation, float value) {
    const float c = value * saturation, h = hue / 60.f;
    const float x = c * (1 - std::fabs(std::fmod(h, 2.f) - 1));
    std::array<float, 3> rgb{};
    // Per 60-degree sector: which of R, G, B is the largest, and which the middle one.
    static constexpr std::size_t order[6][2] = {{0, 1}, {1, 0}, {1, 2}, {2, 1}, {2, 0}, {0, 2}};
    const std::size_t sector = std::size_t(h) % 6;
    rgb[order[sector][0]] = c;
    rgb[order[sector][1]] = x;
    const float m = value - c;
    for (float& v : rgb) v += m;
    return rgb;
}

// A synthetic edge through the centre of an H x W image: dark (0) on one side,
// bright (1) on the other, with a linear ramp `ramp_width` pixels wide between them (a
// slightly soft edge, as in a photo). `degrees` 0 is a vertical edge (brightness
// changes along x), 90 a horizontal one.
constexpr double ramp_width = 4;
std::vector<float> step_edge(double degrees) {
    const double a = degrees * std::numbers::pi / 180;
    std::vector<float> img(H * W);
    for (std::size_t y = 0; y < H; ++y)
        for (std::size_t x = 0; x < W; ++x) {
            const double d = (double(x) - W / 2.0 + 0.5) * std::cos(a) + (double(y) - H / 2.0 + 0.5) * std::sin(a);
            img[y * W + x] = float(std::clamp(0.5 + d / ramp_width, 0.0, 1.0));
        }
    return img;
}

// The position of the largest |value| of one H x W map, leaving out the one-pixel
// border, where the zero padding makes edges of its own (a bright image ends
// abruptly in black there).
std::size_t strongest_inside(std::span<const float> map) {
    std::size_t best = W + 1;
    for (std::size_t y = 1; y + 1 < H; ++y)
        for (std::size_t x = 1; x + 1 < W; ++x)
            if (std::fabs(map[y * W + x]) > std::fabs(map[best])) best = y * W + x;
    return best;
}

}  // namespace

int main(int argc, char** argv) {
    return lesson::run([&] {
        const auto opt = lesson::parse(argc, argv, "13-convolution");
        Pictures pictures{opt.out, {}};

        // -------------------------------------------------------------------------
        // 1. The photo
        // -------------------------------------------------------------------------
        //
        // Chelsea the cat (scikit-image's sample, CC0), 451 x 300, resized to the
        // networks' 300 x 200. Files are HWC bytes; models read CHW floats in [0, 1].
        const fs::path file = data::find("photos/chelsea.png");
        const image::Image rgb = image::resize(image::to_rgb(image::read_image(file)), W, H);
        const image::Image grey = image::to_grey(rgb);
        const std::vector<float> x_rgb = image::to_chw(rgb), x_grey = image::to_chw(grey);
        std::printf("photo: %s, resized to %zu x %zu (grey: 1 x %zu x %zu, colour: 3 x %zu x %zu)\n\n",
                    file.string().c_str(), W, H, H, W, H, W);
        pictures.png("photo.png", image::to_float(rgb));
        pictures.png("photo-grey.png", image::to_float(grey));

        // -------------------------------------------------------------------------
        // 2. A bank of six hand-set kernels
        // -------------------------------------------------------------------------
        //
        // The layer's parameters are named as in PyTorch; we overwrite the random
        // initial weights with ours.
        Model<Bank> bank;
        bank.summary();
        for (const NamedTensor& t : bank.named_parameters()) {
            std::printf("parameter %s, shape [", t.name.c_str());
            for (std::size_t i = 0; i < t.shape.size(); ++i) std::printf("%s%zu", i ? ", " : "", t.shape[i]);
            std::printf("]\n");
        }
        const char* bank_names[] = {"identity", "box blur", "sharpen", "Sobel x", "Sobel y", "Laplacian"};
        set_weights(bank, concat({identity, box_blur, sharpen, sobel_x, sobel_y, laplacian}));
        const std::vector<float> maps = bank.predict(x_grey);  // [6, H, W]
        const std::size_t plane = H * W;

        // Each map is stretched from its own min..max to black..white, so for the
        // signed ones (Sobel, Laplacian) mid-grey is 0, white positive, black negative.
        // The first three are images: sharpening overshoots below 0 and above 1 at
        // edges (that is what makes them look crisp), and a screen clips it there.
        std::printf("\nthe bank's six maps (%s), left to right, top to bottom:\n  ",
                    shape_string<Bank::output_shape>().c_str());
        for (const char* name : bank_names) std::printf("%s   ", name);
        std::printf("\n");
        {
            std::vector<float> shown = maps;
            for (std::size_t i = 0; i < 3 * plane; ++i) shown[i] = std::clamp(shown[i], 0.f, 1.f);
            pictures.png("bank-maps.png", image::feature_map_grid(shown.data(), 6, H, W,
                                                                  {.columns = 3, .gap = 4,
                                                                   .normalize = Normalize::per_tile}));
        }
        pictures.png("bank-kernels.png",
                     image::filter_grid(bank.parameter("0.weight").values.data(), 6, 1, 3, 3,
                                        {.columns = 6, .upscale = 24, .gap = 8, .normalize = Normalize::per_tile}));

        // Sobel x and y together give the gradient of the brightness; its length is
        // the edge strength whatever the edge's direction.
        std::vector<float> edges(plane);
        for (std::size_t i = 0; i < plane; ++i)
            edges[i] = std::hypot(maps[3 * plane + i], maps[4 * plane + i]);
        pictures.png("edges.png", image::feature_map_grid(edges.data(), 1, H, W));

        // -------------------------------------------------------------------------
        // 3. Checking one output pixel by hand
        // -------------------------------------------------------------------------
        //
        // The strongest Sobel-x response inside the photo, recomputed from the formula
        // at the top with plain loops; and the corner (0, 0), where five of the nine
        // taps fall on the padding and read 0.
        const float* sx = maps.data() + sobel_x_channel * plane;
        const std::size_t strongest = strongest_inside({sx, plane});
        const auto by_hand = [&](std::size_t i, std::size_t j, bool show) {
            double sum = 0;
            if (show) std::printf("  patch around (%zu, %zu), times the kernel:\n", i, j);
            for (std::size_t u = 0; u < 3; ++u) {
                if (show) std::printf("   ");
                for (std::size_t v = 0; v < 3; ++v) {
                    const std::ptrdiff_t r = std::ptrdiff_t(i + u) - 1, c = std::ptrdiff_t(j + v) - 1;
                    const bool inside = r >= 0 && r < std::ptrdiff_t(H) && c >= 0 && c < std::ptrdiff_t(W);
                    const float pixel = inside ? x_grey[std::size_t(r) * W + std::size_t(c)] : 0.f;  // padding
                    sum += double(sobel_x[u * 3 + v]) * double(pixel);
                    if (show) std::printf("  %5.3f x %2.0f", double(pixel), double(sobel_x[u * 3 + v]));
                }
                if (show) std::printf("\n");
            }
            return sum;
        };
        std::printf("\nSobel x at its strongest pixel inside the photo:\n");
        const std::size_t si = strongest / W, sj = strongest % W;
        const double hand = by_hand(si, sj, true), corner = by_hand(0, 0, false);
        const double hand_error = std::max(std::fabs(hand - double(sx[strongest])), std::fabs(corner - double(sx[0])));
        std::printf("  by hand %.6f, Conv2D %.6f; at the corner (0, 0): by hand %.6f, Conv2D %.6f\n", hand,
                    double(sx[strongest]), corner, double(sx[0]));
        const std::size_t anywhere = std::size_t(
            std::max_element(sx, sx + plane, [](float a, float b) { return std::fabs(a) < std::fabs(b); }) - sx);
        if (std::fabs(sx[anywhere]) > std::fabs(sx[strongest]))
            std::printf("  (stronger still, %.3f at (%zu, %zu), on the border: the padding's zeros next to bright "
                        "pixels are an edge the photo does not have)\n",
                        double(sx[anywhere]), anywhere / W, anywhere % W);

        // -------------------------------------------------------------------------
        // 4. An edge detector for each direction
        // -------------------------------------------------------------------------
        //
        // Sobel x turned 0, 45, ..., 315 degrees clockwise: each finds edges whose
        // bright side lies in its direction. ReLU keeps only the positive answers, so
        // the eight maps split the edges among them.
        Model<Orientations> orient;
        std::vector<float> compass;
        const char* directions[] = {"E", "SE", "S", "SW", "W", "NW", "N", "NE"};
        for (std::size_t k = 0; k < 8; ++k) {
            const Kernel3 turned = turn_45_degrees(sobel_x, k);
            compass.insert(compass.end(), turned.begin(), turned.end());
        }
        set_weights(orient, compass);
        const std::vector<float> oriented = orient.predict(x_grey);  // [8, H, W]
        pictures.png("orientation-maps.png",
                     image::feature_map_grid(oriented.data(), 8, H, W, {.columns = 4, .gap = 4,
                                                                        .normalize = Normalize::per_tile}));
        // One picture of all eight: each pixel coloured by the direction that answers
        // most, as bright as that answer (scaled so the 99th percentile is full
        // brightness). Hue turns with the direction: E red, SE orange, S yellow-green,
        // SW green, W cyan, NW blue, N violet, NE pink.
        std::vector<float> strongest_answer(plane);
        std::vector<std::size_t> winner(plane);
        for (std::size_t i = 0; i < plane; ++i) {
            for (std::size_t k = 0; k < 8; ++k)
                if (const float v = oriented[k * plane + i]; v > strongest_answer[i])
                    strongest_answer[i] = v, winner[i] = k;
        }
        std::vector<float> sorted = strongest_answer;
        std::nth_element(sorted.begin(), sorted.begin() + std::ptrdiff_t(plane * 99 / 100), sorted.end());
        const float bright = std::max(sorted[plane * 99 / 100], 1e-6f);
        image::FloatImage colour(W, H, 3);
        for (std::size_t i = 0; i < plane; ++i) {
            const auto c = hsv(45.f * float(winner[i]), 1.f, std::min(1.f, strongest_answer[i] / bright));
            std::copy(c.begin(), c.end(), colour.pixels.begin() + std::ptrdiff_t(3 * i));
        }
        pictures.png("orientation-colour.png", colour);
        std::printf("\norientation bank (%s), after ReLU: share of edge pixels won by each direction\n  ",
                    shape_string<Orientations::output_shape>().c_str());
        std::array<std::size_t, 8> wins{};
        std::size_t edge_pixels = 0;
        for (std::size_t i = 0; i < plane; ++i)
            if (strongest_answer[i] > 0.25f * bright) ++wins[winner[i]], ++edge_pixels;
        for (std::size_t k = 0; k < 8; ++k)
            std::printf("%s %.0f%%  ", directions[k],
                        100.0 * double(wins[k]) / double(std::max<std::size_t>(edge_pixels, 1)));
        std::printf("\n");

        // -------------------------------------------------------------------------
        // 5. Padding: valid or same
        // -------------------------------------------------------------------------
        Model<Valid3> valid3;
        Model<Valid5> valid5;
        Model<Same3> same3;
        set_weights(valid3, concat({box_blur}));
        set_weights(same3, concat({box_blur}));
        std::vector<float> blur5(25, 1 / 25.f);
        set_weights(valid5, blur5);
        const std::vector<float> v3 = valid3.predict(x_grey), v5 = valid5.predict(x_grey), s3 = same3.predict(x_grey);
        std::printf("\npadding, on a %zu x %zu input (the shapes the compiler worked out):\n", H, W);
        std::printf("  Conv2D<1, Kernel<3>>           valid  -> %s\n", shape_string<Valid3::output_shape>().c_str());
        std::printf("  Conv2D<1, Kernel<5>>           valid  -> %s\n", shape_string<Valid5::output_shape>().c_str());
        std::printf("  Conv2D<1, Kernel<3>, Pad<1>>   same   -> %s\n", shape_string<Same3::output_shape>().c_str());
        // The price of "same": the border's windows reach into the zeros. A blurred
        // edge pixel averages 6 real pixels and 3 zeros, a corner 4 and 5.
        double photo_row = 0, blurred_row = 0;
        for (std::size_t j = 0; j < W; ++j) photo_row += x_grey[j], blurred_row += s3[j];
        std::printf("  zero padding darkens the border: the top row's mean is %.3f in the photo and %.3f "
                    "after the same-size blur\n",
                    photo_row / W, blurred_row / W);
        // Drawn side by side at the same scale: the valid outputs are smaller, and
        // the same-size blur shows its dark frame.
        {
            image::FloatImage canvas(3 * W + 8, H, 1, 1.f);
            const auto paste = [&](const std::vector<float>& m, std::size_t h, std::size_t w, std::size_t x0) {
                const std::size_t y0 = (H - h) / 2, dx = (W - w) / 2;
                for (std::size_t y = 0; y < h; ++y)
                    for (std::size_t x = 0; x < w; ++x) canvas.at(y0 + y, x0 + dx + x, 0) = m[y * w + x];
            };
            paste(v3, H - 2, W - 2, 0);
            paste(v5, H - 4, W - 4, W + 4);
            paste(s3, H, W, 2 * W + 8);
            pictures.png("padding.png", canvas);
        }

        // -------------------------------------------------------------------------
        // 6. Stride 2: downsampling
        // -------------------------------------------------------------------------
        //
        // Computing only every second position halves each side. With the identity
        // kernel that is plain subsampling, which can alias (fine stripes turn into
        // coarse false ones); blurring first, in the same layer, averages them away.
        Model<Strided> strided;
        set_weights(strided, concat({identity}));
        const std::vector<float> subsampled = strided.predict(x_grey);
        set_weights(strided, concat({box_blur}));
        const std::vector<float> blurred_half = strided.predict(x_grey);
        std::printf("\nstride 2: Conv2D<1, Kernel<3>, Stride<2>, Pad<1>> -> %s\n",
                    shape_string<Strided::output_shape>().c_str());
        {
            std::vector<float> both(subsampled);
            both.insert(both.end(), blurred_half.begin(), blurred_half.end());
            pictures.png("stride.png", image::feature_map_grid(both.data(), 2, H / 2, W / 2,
                                                                {.columns = 2, .upscale = 2, .gap = 4,
                                                                 .normalize = Normalize::clamp}));
        }

        // -------------------------------------------------------------------------
        // 7. Dilation: a wider view for the same nine weights
        // -------------------------------------------------------------------------
        //
        // Sobel x with its taps 1, 2 and 4 pixels apart compares columns further
        // apart: fine texture (the fur) fades, larger outlines stay.
        Model<Dilated<1>> d1;
        Model<Dilated<2>> d2;
        Model<Dilated<4>> d4;
        const std::vector<float> sobel_weights = concat({sobel_x});
        set_weights(d1, sobel_weights);
        set_weights(d2, sobel_weights);
        set_weights(d4, sobel_weights);
        std::vector<float> dilated = d1.predict(x_grey);
        for (const auto& m : {d2.predict(x_grey), d4.predict(x_grey)})
            dilated.insert(dilated.end(), m.begin(), m.end());
        std::printf("\ndilation (Sobel x): Dilation<1>, <2>, <4> span 3, 5, 9 pixels; with Pad<d> each gives %s\n",
                    shape_string<Dilated<4>::output_shape>().c_str());
        pictures.png("dilation.png", image::feature_map_grid(dilated.data(), 3, H, W,
                                                  {.columns = 3, .gap = 4, .normalize = Normalize::per_tile}));

        // -------------------------------------------------------------------------
        // 8. Colour: one kernel, three channels
        // -------------------------------------------------------------------------
        //
        // The weight tensor is [4, 3, 3, 3]: for each filter a 3x3 slice per channel
        // (R, G, B), summed. Only the centre tap is needed to mix colours at a pixel:
        //   luma             0.299 R + 0.587 G + 0.114 B (what to_grey computes)
        //   red - green      the opponent colours of the eye's ganglion cells
        //   blue - yellow    B - (R + G) / 2
        //   luma Sobel x     Sobel x on each channel, weighted as luma: an edge
        //                    detector on brightness, working on the colour photo
        const std::array<float, 3> luma{0.299f, 0.587f, 0.114f};
        const auto centre = [](std::array<float, 3> per_channel) {
            std::vector<float> w(27, 0.f);
            for (std::size_t c = 0; c < 3; ++c) w[c * 9 + 4] = per_channel[c];
            return w;
        };
        std::vector<float> colour_weights = centre(luma);
        for (const auto& w : {centre({1, -1, 0}), centre({-0.5f, -0.5f, 1})})
            colour_weights.insert(colour_weights.end(), w.begin(), w.end());
        for (std::size_t c = 0; c < 3; ++c)
            for (float v : sobel_x) colour_weights.push_back(luma[c] * v);
        Model<ColourBank> colour_bank;
        set_weights(colour_bank, colour_weights);
        const std::vector<float> rgb_maps = colour_bank.predict(x_rgb);  // [4, H, W]
        pictures.png("rgb-maps.png", image::feature_map_grid(rgb_maps.data(), 4, H, W,
                                                  {.columns = 2, .gap = 4, .normalize = Normalize::per_tile}));
        pictures.png("rgb-kernels.png",
                     image::filter_grid(colour_weights.data(), 4, 3, 3, 3,
                                        {.columns = 4, .upscale = 24, .gap = 8, .normalize = Normalize::per_tile}));
        // Filter 0 must be the grey photo (to_grey rounds to bytes: within half a
        // step of 1/255), and filter 3 the bank's Sobel x on that grey photo.
        double luma_error = 0, sobel_error = 0;
        for (std::size_t i = 0; i < plane; ++i) {
            luma_error = std::max(luma_error, double(std::fabs(rgb_maps[i] - x_grey[i])));
            sobel_error = std::max(sobel_error, double(std::fabs(rgb_maps[3 * plane + i] - sx[i])));
        }
        std::printf("\ncolour bank (%s, %zu weights): the luma filter differs from to_grey by at most %.4f "
                    "(%.2f of a byte step),\n  the colour Sobel x from Sobel x on the grey photo by at most %.4f "
                    "(to_grey's rounding times Sobel's total weight 8)\n",
                    shape_string<ColourBank::output_shape>().c_str(), ColourBank::param_count, luma_error,
                    luma_error * 255, sobel_error);

        // -------------------------------------------------------------------------
        // 9. What Sobel x answers to: step edges at every angle
        // -------------------------------------------------------------------------
        //
        // A synthetic image with one straight edge, turned from vertical (0 degrees)
        // to horizontal (90). On a ramp of slope 1/4 per pixel across the edge,
        // Sobel x computes 8 x (the slope along x) = 2 cos(angle) exactly (Sobel is
        // exact on linear ramps): its strongest answer follows the cosine of the
        // angle, the orientation tuning of a simple cell. Sobel y follows the sine.
        std::printf("\nSobel x and Sobel y on a soft step edge turned from vertical (0) to horizontal (90 degrees):\n");
        std::printf("  %7s  %12s  %12s  %12s\n", "degrees", "max |x|", "2 cos", "max |y|");
        std::vector<double> angles, response_x, response_y;
        std::vector<float> step_pictures;
        for (int deg = 0; deg <= 90; deg += 15) {
            const std::vector<float> step = step_edge(deg);
            const std::vector<float> m = bank.predict(step);
            const std::span<const float> mx(m.data() + 3 * plane, plane), my(m.data() + 4 * plane, plane);
            angles.push_back(deg);
            response_x.push_back(std::fabs(mx[strongest_inside(mx)]));
            response_y.push_back(std::fabs(my[strongest_inside(my)]));
            std::printf("  %7d  %12.5f  %12.5f  %12.5f\n", deg, response_x.back(),
                        2 * std::cos(deg * std::numbers::pi / 180), response_y.back());
            if (deg == 0 || deg == 45 || deg == 90) {
                step_pictures.insert(step_pictures.end(), step.begin(), step.end());
                // Sobel x drawn as 0.5 + value / 4: mid-grey 0, white +2, black -2.
                for (float v : mx) step_pictures.push_back(0.5f + v / 4);
            }
        }
        // The steps at 0, 45 and 90 degrees, each next to its Sobel x map.
        pictures.png("step-edges.png",
                     image::feature_map_grid(step_pictures.data(), 6, H, W,
                                             {.columns = 2, .gap = 4, .normalize = Normalize::clamp}));
        plot::LineChart tuning{.title = "Orientation tuning of Sobel x and Sobel y",
                               .x_label = "edge angle (degrees from vertical)",
                               .y_label = "strongest |response|"};
        tuning.add("Sobel x", angles, response_x);
        tuning.add("Sobel y", angles, response_y);
        pictures.svg("tuning.svg", tuning);

        // -------------------------------------------------------------------------
        // The target: feature maps written as images
        // -------------------------------------------------------------------------
        //
        // And that they are right: Sobel x answers to a vertical edge far more than
        // to a horizontal one (which it cannot see at all: every row is constant
        // along x), the hand computation agrees, and every picture is on disk.
        const double vertical = response_x.front(), horizontal = response_x.back();
        const bool pictures_ok = pictures.all_there();
        const bool reached = vertical > 10 * horizontal && vertical > 0 && hand_error < 1e-4 &&
                             luma_error < 0.5 / 255 + 1e-4 && pictures_ok;
        char what[240];
        std::snprintf(what, sizeof what,
                      "%zu pictures written%s; Sobel x answers %.4f to a vertical edge, %.4f to a horizontal "
                      "one; hand check off by %.1e",
                      pictures.written.size(), pictures_ok ? "" : " (SOME MISSING)", vertical, horizontal, hand_error);
        return lesson::report_target(opt, reached, what);
    });
}

// Resizing an image to a model's input size.
//   Image small = resize(img, 32, 32);                       // bilinear, as Keras and PyTorch do
//   Image small = resize(img, 32, 32, Filter::stb);          // stb_image_resize's filters
// Bilinear samples at pixel centres (align_corners = false): enlarging is smooth, and
// shrinking by up to 2x is fine; beyond that it skips pixels and aliases. Filter::stb
// (Mitchell when shrinking, Catmull-Rom when enlarging, alpha-weighted for RGBA) averages
// every source pixel: better for large reductions, a little slower.
#pragma once
#include <cstddef>

#include "typenet/config.hpp"
#include "typenet/image/image.hpp"

namespace tn::image {

enum class Filter { bilinear, stb };

TYPENET_INLINE Image resize(const Image& in, std::size_t width, std::size_t height, Filter filter = Filter::bilinear);
TYPENET_INLINE FloatImage resize(const FloatImage& in, std::size_t width, std::size_t height,
                                 Filter filter = Filter::bilinear);

// Each pixel repeated factor x factor times: 5x5 filters large enough to see.
template <class T>
BasicImage<T> upscale_nearest(const BasicImage<T>& in, std::size_t factor) {
    BasicImage<T> out(in.width * factor, in.height * factor, in.channels);
    for (std::size_t y = 0; y < out.height; ++y)
        for (std::size_t x = 0; x < out.width; ++x)
            for (std::size_t c = 0; c < in.channels; ++c) out.at(y, x, c) = in.at(y / factor, x / factor, c);
    return out;
}

}  // namespace tn::image

#if TYPENET_DEFINE_BODIES
#include "typenet/image/resize.ipp"
#endif

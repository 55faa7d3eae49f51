// Grey, RGB and RGBA, one into another. Transparent pixels are composited over a
// background (white by default: an emoji's transparent corners become white paper,
// not black), because a model reads no alpha channel.
//   Image rgb = to_rgb(read_image("1f431.png"));             // RGBA over white
//   Image grey = to_grey(rgb);                               // Rec. 601 luma
#pragma once
#include <cstddef>
#include <cstdint>

#include "typenet/config.hpp"
#include "typenet/image/image.hpp"

namespace tn::image {

struct Background {
    std::uint8_t r = 255, g = 255, b = 255;
};

// Any of 1 to 4 channels to any of 1 to 4: grey = 0.299 R + 0.587 G + 0.114 B; alpha
// composited over `background` when it is dropped, 255 (opaque) when it is added.
TYPENET_INLINE Image to_channels(const Image& in, std::size_t channels, Background background = {});

inline Image to_grey(const Image& in, Background background = {}) { return to_channels(in, 1, background); }
inline Image to_rgb(const Image& in, Background background = {}) { return to_channels(in, 3, background); }
inline Image to_rgba(const Image& in) { return to_channels(in, 4); }

}  // namespace tn::image

#if TYPENET_DEFINE_BODIES
#include "typenet/image/color.ipp"
#endif

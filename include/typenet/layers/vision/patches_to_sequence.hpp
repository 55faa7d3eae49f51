// PatchesToSequence: an image of patch features [C, H, W] to a sequence [H W, C], one
// position per patch in row-major order (the Vision Transformer's tokens).
//
// A ViT cuts the image into P x P patches and projects each to D features. That is a
// convolution with D filters of size P and stride P (Dosovitskiy et al. 2020; PyTorch's
// torchvision does the same, its conv_proj): Conv2D<D, Kernel<P>, Stride<P>> gives
// [D, H/P, W/P], and this layer turns it into the [T, D] a Transformer reads, as
// torchvision's reshape(n, D, T).permute(0, 2, 1).
//
//   Sequential<Input<1, 28, 28>, Conv2D<64, Kernel<7>, Stride<7>>, PatchesToSequence, ...>
//                                [64, 4, 4]                        [16, 64]
#pragma once
#include <string>

#include "typenet/core/errors.hpp"
#include "typenet/core/layer.hpp"

namespace tn {

struct PatchesToSequence;

namespace detail {
template <class In, bool Ok>
constexpr auto check_patches_input() {
    static_assert(RankMismatch<PatchesToSequence, Rank<3>, typename got_of<In>::type, Ok>::ok,
                  "PatchesToSequence: its input must be an image of patch features [channels, height, width] (rank "
                  "3), e.g. after Conv2D<D, Kernel<P>, Stride<P>>");
    return Ok;
}

template <class In>
struct PatchesToSequenceLayer {
    static constexpr bool is_image = In::rank == 3;
    using input_rule = decltype(check_patches_input<In, is_image>());
    static constexpr std::size_t C = In::dims[0];
    static constexpr std::size_t HW = is_image ? In::dims[1] * In::dims[2] : 1;
    using input_shape = In;
    using output_shape = checked_shape_t<is_image, Shape<HW, C>>;
    static std::string name() { return "PatchesToSequence"; }

    // y[b, t, c] = x[b, c, t]: a transpose of each sample's [C, HW].
    static void forward(const Pass& p, const float*, const float* x, float* y, float*, float*) {
        for (std::size_t b = 0; b < p.batch; ++b)
            for (std::size_t c = 0; c < C; ++c)
                for (std::size_t t = 0; t < HW; ++t) y[(b * HW + t) * C + c] = x[(b * C + c) * HW + t];
    }
    static void backward(const Pass& p, const float*, const float*, const float*, const float* dy, float* dx, float*,
                         const float*, float*) {
        if (!dx) return;
        for (std::size_t b = 0; b < p.batch; ++b)
            for (std::size_t c = 0; c < C; ++c)
                for (std::size_t t = 0; t < HW; ++t) dx[(b * C + c) * HW + t] = dy[(b * HW + t) * C + c];
    }
};
}  // namespace detail

struct PatchesToSequence {
    template <class In>
    using bind = detail::PatchesToSequenceLayer<In>;
};

}  // namespace tn

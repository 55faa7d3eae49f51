// Bidirectional<Layer, Merge = Concat, Backward = Layer>: Layer reads the sequence
// forwards, a second layer (a copy of Layer unless given) reads it backwards, and
// their outputs are merged, as torch.nn.LSTM(bidirectional=True) and Keras's
// Bidirectional:
//   Concat  [T, H_f + H_b] (each position: forward's state, then backward's), or
//           [H_f + H_b] for LastState: forward's last state and backward's state at
//           position 0, which is PyTorch's h_n
//   Sum     the two added, [T, H] or [H]
// The backward direction reverses each sample within its length (Pass::lengths),
// PyTorch's packed-sequence semantics, and its outputs are realigned to the
// positions they belong to. Parameters: the forward layer's, then the backward's
// with PyTorch's suffix (weight_ih_l0, ..., weight_ih_l0_reverse, ...), and so are
// buffers, should the layer be a block that has them (BatchNorm's running statistics).
//
// Errors: directions whose outputs cannot be merged (DirectionsMismatch), a Stateful
// layer (running backwards, it has no "next call" to carry its state to:
// StatefulBidirectional), and an input that is not a sequence.
#pragma once
#include <algorithm>
#include <string>
#include <type_traits>
#include <vector>

#include "typenet/core/errors.hpp"
#include "typenet/core/layer.hpp"
#include "typenet/kernels/elementwise.hpp"
#include "typenet/layers/recurrent/options.hpp"

namespace tn {

struct Concat {
    static std::string name() { return "Concat"; }
};
struct Sum {
    static std::string name() { return "Sum"; }
};

// "Layer keeps state across calls (Stateful), which a Bidirectional cannot run."
template <class Layer, class Inner, bool Ok = false>
struct StatefulBidirectional {
    static constexpr bool ok = Ok;
};

template <class Layer, class Merge = Concat, class Backward = Layer>
struct Bidirectional;

namespace detail {

template <class Spec, bool Ok>
constexpr auto check_bidirectional_merge_kind() {
    static_assert(UnknownOption<Spec, typename Spec::merge, Ok>::ok,
                  "Bidirectional<Layer, Merge>: Merge is Concat or Sum");
    return Ok;
}
template <class Spec, class Inner, bool Ok>
constexpr auto check_bidirectional_stateless() {
    static_assert(StatefulBidirectional<Spec, Inner, Ok>::ok,
                  "Bidirectional: its layers cannot be Stateful (the backward direction starts at each sequence's "
                  "end, so there is no state to carry into the next call); drop Stateful");
    return Ok;
}
template <class Spec, class In, bool Ok>
constexpr auto check_bidirectional_input() {
    static_assert(NeedsSequence<Spec, typename got_of<In>::type, Ok>::ok,
                  "Bidirectional reads a sequence [T, D] (rank 2), forwards and backwards");
    return Ok;
}
template <class Spec, class F, class R, bool Ok>
constexpr auto check_bidirectional_merge() {
    static_assert(DirectionsMismatch<Spec, typename got_of<F>::type, typename got_of<R>::type, Ok>::ok,
                  "Bidirectional: the two directions' outputs cannot be merged (Concat needs the same positions, "
                  "Sum the same shape)");
    return Ok;
}

// "Bidirectional<LSTM<4>>", "Bidirectional<LSTM<4>, Sum, GRU<2>>": defaults left out.
template <class Merge, bool OwnBackward>
std::string bidirectional_name(const std::string& forward, const std::string& backward) {
    std::string s = "Bidirectional<" + forward;
    if (!std::is_same_v<Merge, Concat> || OwnBackward) s += ", " + option_name<Merge>();
    if (OwnBackward) s += ", " + backward;
    return s + ">";
}

template <class A, class B, class Merge>
consteval bool mergeable() {
    if constexpr (!A::valid || !B::valid || A::rank != B::rank) return false;
    else if constexpr (std::is_same_v<Merge, Sum>) return std::is_same_v<A, B>;
    else if constexpr (A::rank == 1) return true;
    else return A::rank == 2 && A::dims[0] == B::dims[0];
}

template <class Spec, class In, class F, class R, class Merge>
struct BidirectionalLayer {
    using FOut = typename F::output_shape;
    using ROut = typename R::output_shape;
    static constexpr bool merge_kind_ok = std::is_same_v<Merge, Concat> || std::is_same_v<Merge, Sum>;
    static constexpr bool inner_ok = FOut::valid && ROut::valid;  // else they said why
    static constexpr bool stateless = state_size_of<F>() == 0 && state_size_of<R>() == 0;
    static constexpr bool is_sequence = In::rank == 2;
    static constexpr bool merge_ok = mergeable<FOut, ROut, Merge>();
    using kind_rule = decltype(check_bidirectional_merge_kind<Spec, merge_kind_ok>());
    using state_rule = decltype(check_bidirectional_stateless<Spec, std::conditional_t<state_size_of<F>() == 0,
                                                                                        typename Spec::backward_layer,
                                                                                        typename Spec::layer>,
                                                              stateless || !merge_kind_ok || !inner_ok>());
    using input_rule = decltype(check_bidirectional_input<Spec, In, is_sequence || !merge_kind_ok || !inner_ok ||
                                                                        !stateless>());
    using merge_rule = decltype(check_bidirectional_merge<Spec, FOut, ROut, merge_ok || !merge_kind_ok ||
                                                                               !inner_ok || !stateless || !is_sequence>());
    static constexpr bool valid = merge_kind_ok && inner_ok && stateless && is_sequence && merge_ok;

    static constexpr std::size_t T = In::dims[0];
    static constexpr std::size_t D = is_sequence ? In::dims[1] : 1;
    static constexpr bool sequences = FOut::rank == 2;  // outputs per position, to realign
    static constexpr std::size_t HF = FOut::dims[FOut::rank - 1];
    static constexpr std::size_t HR = ROut::dims[ROut::rank - 1];
    static constexpr std::size_t HO = std::is_same_v<Merge, Sum> ? HF : HF + HR;
    static constexpr std::size_t positions = sequences ? T : 1;
    static constexpr std::size_t OF = FOut::size, OR = ROut::size;

    using input_shape = In;
    using output_shape = checked_shape_t<valid, std::conditional_t<sequences, Shape<T, HO>, Shape<HO>>>;
    static constexpr std::size_t params_f = param_count_of<F>();
    static constexpr std::size_t param_count = params_f + param_count_of<R>();
    // Per sample: the reversed input, both directions' outputs, then their caches.
    static constexpr std::size_t cache_f = T * D + OF + OR;
    static constexpr std::size_t cache_size = cache_f + cache_size_of<F>() + cache_size_of<R>();
    static constexpr std::size_t workspace_size =
        std::max(workspace_size_of<F>(), workspace_size_of<R>()) + OF + OR + T * D;

    // From the bound layers, which a block (Sequential<...>) names and its spec does not.
    static std::string name() {
        return bidirectional_name<Merge, !std::is_same_v<typename Spec::backward_layer, typename Spec::layer>>(
            F::name(), R::name());
    }

    template <class Fn>
    static void for_each_param(Fn&& f) {
        for_each_param_of<F>(f);
        for_each_param_of<R>([&](const std::string& name, std::size_t offset, auto shape) {
            f(name + "_reverse", params_f + offset, shape);
        });
    }
    static void init(float* params, Rng& rng) {
        init_layer<F>(params, rng);
        init_layer<R>(params + params_f, rng);
    }
    // Buffers (a block with BatchNorm as the layer): the forward's, then the backward's.
    static constexpr std::size_t buffers_f = buffer_count_of<F>();
    static constexpr std::size_t buffer_count = buffers_f + buffer_count_of<R>();
    static void init_buffers(float* buffers) {
        init_buffers_of<F>(buffers);
        init_buffers_of<R>(buffers + buffers_f);
    }
    template <class Fn>
    static void for_each_buffer(Fn&& f) {
        for_each_buffer_of<F>(f);
        for_each_buffer_of<R>([&](const std::string& name, std::size_t offset, auto shape) {
            f(name + "_reverse", buffers_f + offset, shape);
        });
    }
    // What the backward direction sees: its own buffers.
    static Pass reverse_pass(const Pass& p) {
        Pass own = p;
        if constexpr (buffer_count_of<R>() > 0) own.buffers = p.buffers + buffers_f;
        return own;
    }
    template <class Fn>
    static void for_each_weight(Fn&& f) {
        for_each_weight_of<F>(f);
        for_each_weight_of<R>([&](std::size_t offset, std::size_t n, const auto& own) { f(params_f + offset, n, own); });
    }

    // Position t of sample b as the backward direction sees it (its own reversal).
    static std::size_t mirror(std::size_t t, std::size_t length) { return t < length ? length - 1 - t : t; }

    static void forward(const Pass& p, const float* params, const float* x, float* y, float* cache,
                        float* workspace) {
        const std::size_t B = p.batch;
        float* xr = cache;
        float* yf = xr + B * T * D;
        float* yr = yf + B * OF;
        float* cf = yr + B * OR;
        float* cr = cf + B * cache_size_of<F>();
        for (std::size_t b = 0; b < B; ++b) {
            const std::size_t length = length_of(p, b, T);
            for (std::size_t t = 0; t < T; ++t)
                std::copy_n(x + (b * T + mirror(t, length)) * D, D, xr + (b * T + t) * D);
        }
        F::forward(p, params, x, yf, cf, workspace);
        R::forward(reverse_pass(p), params + params_f, xr, yr, cr, workspace);
        for (std::size_t b = 0; b < B; ++b) {
            const std::size_t length = length_of(p, b, T);
            for (std::size_t t = 0; t < positions; ++t) {
                const std::size_t from = sequences ? mirror(t, length) : 0;
                const float* f = yf + (b * positions + t) * HF;
                const float* r = yr + (b * positions + from) * HR;
                float* out = y + (b * positions + t) * HO;
                if constexpr (std::is_same_v<Merge, Sum>) {
                    std::copy_n(f, HF, out);
                    kernels::add_into(out, r, HF);
                } else {
                    std::copy_n(f, HF, out);
                    std::copy_n(r, HR, out + HF);
                }
            }
        }
    }

    static void backward(const Pass& p, const float* params, const float* x, const float*, const float* dy,
                         float* dx, float* dparams, const float* cache, float* workspace) {
        const std::size_t B = p.batch;
        const float* xr = cache;
        const float* yf = xr + B * T * D;
        const float* yr = yf + B * OF;
        const float* cf = yr + B * OR;
        const float* cr = cf + B * cache_size_of<F>();
        float* inner = workspace;
        float* dyf = workspace + B * std::max(workspace_size_of<F>(), workspace_size_of<R>());
        float* dyr = dyf + B * OF;
        float* dxr = dyr + B * OR;
        for (std::size_t b = 0; b < B; ++b) {
            const std::size_t length = length_of(p, b, T);
            for (std::size_t t = 0; t < positions; ++t) {
                const std::size_t from = sequences ? mirror(t, length) : 0;
                const float* g = dy + (b * positions + t) * HO;
                std::copy_n(g, HF, dyf + (b * positions + t) * HF);
                std::copy_n(std::is_same_v<Merge, Sum> ? g : g + HF, HR, dyr + (b * positions + from) * HR);
            }
        }
        F::backward(p, params, x, yf, dyf, dx, dparams, cf, inner);
        R::backward(reverse_pass(p), params + params_f, xr, yr, dyr, dx ? dxr : nullptr, dparams + params_f, cr, inner);
        if (!dx) return;
        for (std::size_t b = 0; b < B; ++b) {
            const std::size_t length = length_of(p, b, T);
            for (std::size_t t = 0; t < T; ++t)
                kernels::add_into(dx + (b * T + t) * D, dxr + (b * T + mirror(t, length)) * D, D);
        }
    }
};

}  // namespace detail

template <class Layer, class Merge, class Backward>
struct Bidirectional {
    using layer = Layer;
    using backward_layer = Backward;
    using merge = Merge;
    template <class In>
    using bind = detail::BidirectionalLayer<Bidirectional, In, bind_layer_t<Layer, In>, bind_layer_t<Backward, In>,
                                            Merge>;
    static std::string name() {
        return detail::bidirectional_name<Merge, !std::is_same_v<Backward, Layer>>(detail::option_name<Layer>(),
                                                                                  detail::option_name<Backward>());
    }
};

}  // namespace tn

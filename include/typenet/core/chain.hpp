// Chain: a list of bound layers run one after another. It is the engine behind
// Sequential, Residual and Repeat, and is itself a bound layer, so containers nest.
//
// Per-sample layout of the chain's cache (times batch at run time):
//   [output of layer 0] ... [output of layer n-2] [cache of layer 0] ... [cache of layer n-1]
// The last layer writes straight into the chain's own output y.
// Workspace: two ping-pong gradient buffers, then the largest workspace any layer needs.
// Buffers (not per sample): [buffers of layer 0] ... [buffers of layer n-1].
// State (per sample, rows of Pass::state_stride): [state of layer 0] ... [state of layer n-1].
#pragma once
#include <algorithm>
#include <array>
#include <string>
#include <type_traits>
#include <utility>

#include "typenet/core/layer.hpp"
#include "typenet/core/phase_times.hpp"
#include "typenet/core/type_list.hpp"

namespace tn::detail {

// Binds each spec to the shape the previous one produced. One instantiation per
// layer: linear in the length of the chain.
// With Memory (a decoder's: core/layer.hpp), specs that read memory are given its shape.
template <class Memory, class In, class... Specs>
struct bind_all_with {
    using type = type_list<>;
    using output_shape = In;
};
template <class Memory, class In, class S, class... Rest>
struct bind_all_with<Memory, In, S, Rest...> {
    using head = bind_layer_with_t<S, In, Memory>;
    using tail = bind_all_with<Memory, typename head::output_shape, Rest...>;
    using type = typename prepend<head, typename tail::type>::type;
    using output_shape = typename tail::output_shape;
};
// Without memory (every network but a decoder): the same recursion of its own, so an
// error's instantiation notes are as short as they always were (compile-fail tests
// count the lines).
template <class In, class... Specs>
struct bind_all {
    using type = type_list<>;
    using output_shape = In;
};
template <class In, class S, class... Rest>
struct bind_all<In, S, Rest...> {
    using head = bind_layer_t<S, In>;
    using tail = bind_all<typename head::output_shape, Rest...>;
    using type = typename prepend<head, typename tail::type>::type;
    using output_shape = typename tail::output_shape;
};

// A bound layer may fuse its forward with the next one (Dense + activation: one
// GEMM with a bias+activation epilogue). The pair is computed in one call; the
// next layer's forward is then skipped.
template <class B, class Next>
consteval bool fuses() {
    if constexpr (requires { B::template fuses_with<Next>; }) return B::template fuses_with<Next>;
    else return false;
}

// It may also take the next layer's backward into its own (Conv2D + ReLU: the
// activation's gradient is formed while Conv2D copies dY for its GEMMs): the chain
// then calls backward_fused<Next> and skips Next::backward. Only a pair that fused
// forward can: backward reads what the fused forward stored.
template <class B, class Next>
consteval bool fuses_backward() {
    if constexpr (!fuses<B, Next>()) return false;
    else if constexpr (requires { B::template backward_fuses_with<Next>; }) return B::template backward_fuses_with<Next>;
    else return false;
}

// Whether layer I of a list has its backward done by layer I-1's.
template <std::size_t I, class Layers>
consteval bool backward_done_by_previous() {
    if constexpr (I == 0) return false;
    else return fuses_backward<at_t<I - 1, Layers>, at_t<I, Layers>>();
}

// How a container passes its children's tensor names and offsets up: child
// `index`'s "weight" at `offset` reaches f as "index.weight" at base + offset (or
// "layers.index.weight" when f asks for legacy names). The style travels down with
// the callback, so nested blocks name their children the same way.
template <class F>
consteval bool wants_legacy_names() {
    if constexpr (requires { std::remove_cvref_t<F>::legacy_names; }) return std::remove_cvref_t<F>::legacy_names;
    else return false;
}
template <class F>
inline constexpr bool legacy_names_v = wants_legacy_names<F>();

template <class F>
struct ChildNames {
    static constexpr bool legacy_names = legacy_names_v<F>;
    F* f;
    std::size_t index, base;
    template <class Shape>
    void operator()(const std::string& name, std::size_t offset, Shape&& shape) const {
        std::string full = legacy_names ? "layers." : "";
        full.append(std::to_string(index)).append(".").append(name);
        (*f)(full, base + offset, std::forward<Shape>(shape));
    }
};

// A callback that wants typenet's names before they followed nn.Sequential (the
// loaders read old files with it: train/checkpoint.ipp).
template <class F>
struct LegacyNames {
    static constexpr bool legacy_names = true;
    F f;
    template <class Shape>
    void operator()(const std::string& name, std::size_t offset, Shape&& shape) const {
        f(name, offset, std::forward<Shape>(shape));
    }
};
template <class F> LegacyNames(F) -> LegacyNames<F>;

template <class In, class List>
struct Chain;

template <class In, class... B>
struct Chain<In, type_list<B...>> {
    using input_shape = In;
    using layers = type_list<B...>;
    static constexpr std::size_t count = sizeof...(B);
    // The last layer's output (the comma fold yields its last operand).
    using output_shape =
        typename decltype((std::type_identity<In>{}, ..., std::type_identity<typename B::output_shape>{}))::type;

    static constexpr std::array<std::size_t, count + 1> param_offsets = [] {
        std::array<std::size_t, count + 1> off{};
        std::size_t sizes[] = {param_count_of<B>()..., 0};
        for (std::size_t i = 0; i < count; ++i) off[i + 1] = off[i] + sizes[i];
        return off;
    }();
    static constexpr std::size_t param_count = param_offsets[count];

    static constexpr std::array<std::size_t, count + 1> buffer_offsets = [] {
        std::array<std::size_t, count + 1> off{};
        std::size_t sizes[] = {buffer_count_of<B>()..., 0};
        for (std::size_t i = 0; i < count; ++i) off[i + 1] = off[i] + sizes[i];
        return off;
    }();
    static constexpr std::size_t buffer_count = buffer_offsets[count];

    static constexpr std::array<std::size_t, count + 1> state_offsets = [] {
        std::array<std::size_t, count + 1> off{};
        std::size_t sizes[] = {state_size_of<B>()..., 0};
        for (std::size_t i = 0; i < count; ++i) off[i + 1] = off[i] + sizes[i];
        return off;
    }();
    static constexpr std::size_t state_size = state_offsets[count];

    // The ids a chain that starts with an Embedding reads are below this (0: no limit).
    static constexpr std::size_t token_limit = [] {
        if constexpr (count == 0) return std::size_t{0};
        else if constexpr (requires { at_t<0, layers>::token_limit; }) return std::size_t{at_t<0, layers>::token_limit};
        else return std::size_t{0};
    }();

    // Where each layer's output and own cache start, in floats per sample.
    static constexpr std::array<std::size_t, count + 1> output_offsets = [] {
        std::array<std::size_t, count + 1> off{};
        std::size_t sizes[] = {B::output_shape::size..., 0};
        for (std::size_t i = 0; i < count; ++i) off[i + 1] = off[i] + (i + 1 < count ? sizes[i] : 0);
        return off;
    }();
    static constexpr std::array<std::size_t, count + 1> cache_offsets = [] {
        std::array<std::size_t, count + 1> off{};
        std::size_t sizes[] = {cache_size_of<B>()..., 0};
        off[0] = output_offsets[count];
        for (std::size_t i = 0; i < count; ++i) off[i + 1] = off[i] + sizes[i];
        return off;
    }();
    static constexpr std::size_t cache_size = cache_offsets[count];

    // Backward: each layer that runs writes the gradient of its input into one of the
    // two ping-pong buffers (gradient_slot), alternating from the top, and reads the
    // gradient of its output where the next running layer above wrote it
    // (gradient_source; count: the chain's own dy). A layer whose backward a fused
    // pair took over does not run and takes no buffer.
    static constexpr std::array<bool, count> backward_skipped = []<std::size_t... I>(std::index_sequence<I...>) {
        return std::array<bool, count>{backward_done_by_previous<I, type_list<B...>>()...};
    }(std::make_index_sequence<count>{});
    static constexpr std::array<std::size_t, count> gradient_slot = [] {
        std::array<std::size_t, count> slot{};
        std::size_t next = 0;
        for (std::size_t i = count; i-- > 0;) {
            slot[i] = next;
            if (!backward_skipped[i]) next ^= 1;
        }
        return slot;
    }();
    static constexpr std::array<std::size_t, count> gradient_source = [] {
        std::array<std::size_t, count> source{};
        std::size_t above = count;
        for (std::size_t i = count; i-- > 0;) {
            source[i] = above;
            if (!backward_skipped[i]) above = i;
        }
        return source;
    }();

    // The widest gradient that flows between two layers (the inputs of layers 1..n-1).
    static constexpr std::size_t gradient_width = std::max({std::size_t{1}, B::input_shape::size...});
    static constexpr std::size_t workspace_size =
        2 * gradient_width + std::max({std::size_t{0}, workspace_size_of<B>()...});

    static constexpr bool valid = In::valid && output_shape::valid;

    static void init(float* params, Rng& rng) {
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            (init_layer<B>(params + param_offsets[I], rng), ...);
        }(std::make_index_sequence<count>{});
    }

    // Tensors are named as PyTorch's nn.Sequential names its children's: child I's
    // `weight` is "I.weight", a block's children one level down ("3.0.weight"); a
    // model's names are those of its own nn.Sequential, with no prefix. A
    // LegacyNames callback is given the names typenet used before ("layers.3.weight",
    // "layers.3.layers.0.weight"), so that files written then still load.
    template <class F>
    static void for_each_param(F&& f) {
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            (for_each_param_of<B>(ChildNames<std::remove_reference_t<F>>{&f, I, param_offsets[I]}), ...);
        }(std::make_index_sequence<count>{});
    }

    static void init_buffers(float* buffers) {
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            (init_buffers_of<B>(buffers + buffer_offsets[I]), ...);
        }(std::make_index_sequence<count>{});
    }

    // Named as parameters are: "2.running_mean".
    template <class F>
    static void for_each_buffer(F&& f) {
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            (for_each_buffer_of<B>(ChildNames<std::remove_reference_t<F>>{&f, I, buffer_offsets[I]}), ...);
        }(std::make_index_sequence<count>{});
    }

    template <class F>
    static void for_each_weight(F&& f) {
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            (for_each_weight_of<B>([&](std::size_t offset, std::size_t size, const auto& own) {
                 f(param_offsets[I] + offset, size, own);
             }),
             ...);
        }(std::make_index_sequence<count>{});
    }

    template <class F>
    static void for_each_frozen(F&& f) {
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            (for_each_frozen_of<B>([&](std::size_t offset, std::size_t size) { f(param_offsets[I] + offset, size); }),
             ...);
        }(std::make_index_sequence<count>{});
    }

    static void summarize_children(std::vector<SummaryRow>& rows, int depth) {
        (summarize_layer<B>(rows, depth), ...);
    }

    // The output of layer i for a batch (the chain's own y for the last layer).
    static float* output_of(std::size_t i, std::size_t batch, float* y, float* cache) {
        return i + 1 == count ? y : cache + output_offsets[i] * batch;
    }

    static void forward(const Pass& p, const float* params, const float* x, float* y, float* cache,
                        float* workspace) {
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            (phase_times::timed("forward", I, [] { return at_t<I, layers>::name(); },
                                [&] { forward_layer<I>(p, params, x, y, cache, workspace); }),
             ...);
        }(std::make_index_sequence<count>{});
    }

    static void backward(const Pass& p, const float* params, const float* x, const float* y, const float* dy,
                         float* dx, float* dparams, const float* cache, float* workspace) {
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            (phase_times::timed("backward", count - 1 - I, [] { return at_t<count - 1 - I, layers>::name(); },
                                [&] { backward_layer<count - 1 - I>(p, params, x, y, dy, dx, dparams, cache, workspace); }),
             ...);
        }(std::make_index_sequence<count>{});
    }

    // Calls f(index, name, pointer, floats) for each layer's output after a forward,
    // in order: used to find where a NaN first appeared. A layer fused with the next
    // may not have written its own output (Dense + ReLU stores only the ReLU's), so
    // it is judged by the pair's output: a NaN there is the fused layer's doing first.
    template <class F>
    static void for_each_output(std::size_t batch, const float* y, const float* cache, F&& f) {
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            (f(I, at_t<I, layers>::name(),
               output_of(fused_with_next<I>() ? I + 1 : I, batch, const_cast<float*>(y),
                         const_cast<float*>(cache)),
               at_t<I, layers>::output_shape::size * batch),
             ...);
        }(std::make_index_sequence<count>{});
    }

private:
    template <std::size_t I>
    static consteval bool fused_with_previous() {
        if constexpr (I == 0) return false;
        else return fuses<at_t<I - 1, layers>, at_t<I, layers>>();
    }
    template <std::size_t I>
    static consteval bool fused_with_next() {
        if constexpr (I + 1 >= count) return false;
        else return fuses<at_t<I, layers>, at_t<I + 1, layers>>();
    }

    template <std::size_t I>
    static void forward_layer(const Pass& p, const float* params, const float* x, float* y, float* cache,
                              float* workspace) {
        using L = at_t<I, layers>;
        const std::size_t n = p.batch;
        const float* in = I == 0 ? x : output_of(I - 1, n, y, cache);
        float* out = output_of(I, n, y, cache);
        if constexpr (fused_with_previous<I>()) {
            return;  // computed together with the previous layer
        } else if constexpr (fused_with_next<I>()) {
            using Next = at_t<I + 1, layers>;
            float* next_out = output_of(I + 1, n, y, cache);
            float* own_workspace = workspace + 2 * gradient_width * n;
            // A layer that needs scratch space (Conv2D's im2col columns) takes the
            // workspace as a last argument.
            if constexpr (requires {
                              L::template forward_fused<Next>(p, params, in, out, next_out, own_workspace);
                          })
                L::template forward_fused<Next>(layer_pass<I>(p), params + param_offsets[I], in, out, next_out,
                                                own_workspace);
            else
                L::template forward_fused<Next>(layer_pass<I>(p), params + param_offsets[I], in, out, next_out);
        } else {
            L::forward(layer_pass<I>(p), params + param_offsets[I], in, out, cache + cache_offsets[I] * n,
                       workspace + 2 * gradient_width * n);
        }
    }

    template <std::size_t I>
    static void backward_layer(const Pass& p, const float* params, const float* x, const float* y,
                               const float* dy, float* dx, float* dparams, const float* cache, float* workspace) {
        using L = at_t<I, layers>;
        if constexpr (backward_skipped[I]) {
            return;  // done by the previous layer's backward_fused
        } else {
            const std::size_t n = p.batch;
            float* mutable_cache = const_cast<float*>(cache);
            float* mutable_y = const_cast<float*>(y);
            const float* in = I == 0 ? x : output_of(I - 1, n, mutable_y, mutable_cache);
            const float* out = output_of(I, n, mutable_y, mutable_cache);
            float* gradient[2] = {workspace, workspace + gradient_width * n};
            constexpr std::size_t source = gradient_source[I];
            const float* d_out = source == count ? dy : gradient[gradient_slot[source]];
            float* d_in = I == 0 ? dx : gradient[gradient_slot[I]];
            float* own_workspace = workspace + 2 * gradient_width * n;
            if constexpr (I + 1 < count && backward_skipped[I + 1]) {
                using Next = at_t<I + 1, layers>;
                L::template backward_fused<Next>(layer_pass<I>(p), params + param_offsets[I], in, out,
                                                 output_of(I + 1, n, mutable_y, mutable_cache), d_out, d_in,
                                                 dparams + param_offsets[I], cache + cache_offsets[I] * n,
                                                 own_workspace);
            } else {
                L::backward(layer_pass<I>(p), params + param_offsets[I], in, out, d_out, d_in,
                            dparams + param_offsets[I], cache + cache_offsets[I] * n, own_workspace);
            }
        }
    }

    // What layer I sees: the chain's Pass with the buffers and state pointers moved
    // to its own.
    template <std::size_t I>
    static Pass layer_pass(const Pass& p) {
        Pass own = p;
        if constexpr (buffer_count_of<at_t<I, layers>>() > 0) own.buffers = p.buffers + buffer_offsets[I];
        if constexpr (state_size_of<at_t<I, layers>>() > 0) own.state = p.state + state_offsets[I];
        return own;
    }
};

// A chain bound to its input, from a list of specs.
template <class In, class... Specs>
using chain_of = Chain<In, typename bind_all<In, Specs...>::type>;
template <class In, class Memory, class... Specs>
using chain_with_memory_of = Chain<In, typename bind_all_with<Memory, In, Specs...>::type>;

// A container's chain, with the memory's shape when it is bound inside a decoder
// (Memory = NoMemory otherwise: the plain binding, whose error notes are shorter).
template <class Memory, class In, class... Specs>
struct chain_for {
    using type = chain_with_memory_of<In, Memory, Specs...>;
};
template <class In, class... Specs>
struct chain_for<NoMemory, In, Specs...> {
    using type = chain_of<In, Specs...>;
};
template <class Memory, class In, class... Specs>
using chain_for_t = typename chain_for<Memory, In, Specs...>::type;

}  // namespace tn::detail

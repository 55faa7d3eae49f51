// Residual<Layers...>: y = x + f(x), where f is the chain of Layers. The skip
// connection of ResNets and of every Transformer block.
#pragma once
#include <algorithm>
#include <string>

#include "typenet/core/chain.hpp"
#include "typenet/core/errors.hpp"
#include "typenet/kernels/elementwise.hpp"

namespace tn {

template <class... Layers>
struct Residual;

namespace detail {
// Only judged once the block itself is well formed: one error at a time.
template <class In, class BlockOut>
inline constexpr bool residual_keeps_shape = !BlockOut::valid || same_shape<In, BlockOut>;

// Residual's shape rule (asserted in a function body: see core/errors.hpp for why).
template <class In, class BlockOut, class... Layers>
constexpr auto check_residual_shape() {
    static_assert(ShapeMismatch<Residual<Layers...>, typename expected_of<In>::type, typename got_of<BlockOut>::type,
                                residual_keeps_shape<In, BlockOut>>::ok,
                  "Residual: the block must return the shape it was given, since it computes x + f(x)");
    return residual_keeps_shape<In, BlockOut>;
}

// Memory: the decoder's memory shape when the block is bound inside a decoder (its
// layers that read memory are then given it), NoMemory everywhere else.
template <class In, class Memory, class... Layers>
struct ResidualBound : chain_for_t<Memory, In, Layers...> {
    using inner = chain_for_t<Memory, In, Layers...>;
    using shape_rule = decltype(check_residual_shape<In, typename inner::output_shape, Layers...>());
    static constexpr bool shape_kept = residual_keeps_shape<In, typename inner::output_shape>;
    using output_shape = checked_shape_t<shape_kept, typename inner::output_shape>;

    static std::string name() { return "Residual"; }
    static void summarize(std::vector<SummaryRow>& rows, int depth) {
        rows.push_back({depth, name(), shape_string<output_shape>(), inner::param_count});
        inner::summarize_children(rows, depth + 1);
    }

    // The block's own output f(x) is kept after the block's cache: y holds x + f(x),
    // and the block's last layer may need f(x) in backward (Tanh, Sigmoid read it).
    static constexpr std::size_t cache_size = inner::cache_size + In::size;
    static const float* block_output(std::size_t batch, const float* cache) {
        return cache + inner::cache_size * batch;
    }

    static void forward(const Pass& p, const float* params, const float* x, float* y, float* cache,
                        float* workspace) {
        float* fx = cache + inner::cache_size * p.batch;
        inner::forward(p, params, x, fx, cache, workspace);
        std::copy_n(fx, In::size * p.batch, y);
        kernels::add_into(y, x, In::size * p.batch);
    }
    static void backward(const Pass& p, const float* params, const float* x, const float*, const float* dy,
                         float* dx, float* dparams, const float* cache, float* workspace) {
        inner::backward(p, params, x, block_output(p.batch, cache), dy, dx, dparams, cache, workspace);
        if (dx) kernels::add_into(dx, dy, In::size * p.batch);
    }
};
}  // namespace detail

template <class... Layers>
struct Residual {
    template <class In>
    using bind = detail::ResidualBound<In, NoMemory, Layers...>;
    template <class In, class Memory>
    using bind_with_memory = detail::ResidualBound<In, Memory, Layers...>;
    static constexpr bool reads_memory = (reads_memory_of<Layers>() || ...);
};

}  // namespace tn

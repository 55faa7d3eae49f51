// Residual<Layers...>: y = x + f(x), where f is the chain of Layers. The skip
// connection of ResNets and of every Transformer block.
#pragma once
#include <string>

#include "typenet/core/chain.hpp"
#include "typenet/core/errors.hpp"
#include "typenet/kernels/elementwise.hpp"

namespace tn {

template <class... Layers>
struct Residual;

namespace detail {
template <class In, class... Layers>
struct ResidualBound : chain_of<In, Layers...> {
    using inner = chain_of<In, Layers...>;
    // Only judged once the block itself is well formed: one error at a time.
    static constexpr bool shape_kept = !inner::output_shape::valid || same_shape<In, typename inner::output_shape>;
    static_assert(ShapeMismatch<Residual<Layers...>, typename expected_of<In>::type,
                                typename got_of<typename inner::output_shape>::type, shape_kept>::ok,
                  "Residual: the block must return the shape it was given, since it computes x + f(x)");
    using output_shape = checked_shape_t<shape_kept, typename inner::output_shape>;

    static std::string name() { return "Residual"; }
    static void summarize(std::vector<SummaryRow>& rows, int depth) {
        rows.push_back({depth, name(), shape_string<output_shape>(), inner::param_count});
        inner::summarize_children(rows, depth + 1);
    }

    static void forward(const Pass& p, const float* params, const float* x, float* y, float* cache,
                        float* workspace) {
        inner::forward(p, params, x, y, cache, workspace);
        kernels::add_into(y, x, In::size * p.batch);
    }
    static void backward(const Pass& p, const float* params, const float* x, const float* y, const float* dy,
                         float* dx, float* dparams, const float* cache, float* workspace) {
        inner::backward(p, params, x, y, dy, dx, dparams, cache, workspace);
        if (dx) kernels::add_into(dx, dy, In::size * p.batch);
    }
};
}  // namespace detail

template <class... Layers>
struct Residual {
    template <class In>
    using bind = detail::ResidualBound<In, Layers...>;
};

}  // namespace tn

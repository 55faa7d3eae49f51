// Dense<N>: a fully connected layer, y = x W^T + b, W of shape [N, in] (PyTorch's
// nn.Linear layout, so checkpoints interchange). On a sequence [T, D] it acts on
// every position alike, giving [T, N], as the Transformer's feed-forward needs.
//
// Forward is one GEMM whose epilogue adds the bias and, when an element-wise
// activation follows, applies it while the tile is still in registers.
//
// Options, in any order (anything else is a compile error naming it):
//   Init<S>      weight initialisation (core/init.hpp); default XavierUniform, i.e.
//                Glorot uniform U(-a, a), a = sqrt(6 / (fan_in + fan_out)), as Keras
//   BiasInit<S>  bias initialisation; default Zeros, as Keras
//   NoBias       no bias at all
//   L1<N, D>, L2<N, D>  weight penalties l1 = N/D, l2 = N/D (regularize/penalty.hpp);
//                they apply to the weight matrix, never to the bias
// e.g. Dense<256, Init<HeNormal>, L2<1, 10000>>. Fan-in is the input's last axis.
#pragma once
#include <string>
#include <type_traits>

#include "typenet/core/errors.hpp"
#include "typenet/core/init.hpp"
#include "typenet/core/layer.hpp"
#include "typenet/core/options.hpp"
#include "typenet/kernels/elementwise.hpp"
#include "typenet/kernels/gemm.hpp"
#include "typenet/layers/activation.hpp"
#include "typenet/layers/activations.hpp"  // Identity: the epilogue of an unfused forward
#include "typenet/regularize/penalty.hpp"

namespace tn {

struct NoBias {};

template <std::size_t N, class... Options>
struct Dense;

namespace detail {

template <class Option> struct is_dense_option : std::bool_constant<is_penalty_option<Option>> {};
template <> struct is_dense_option<NoBias> : std::true_type {};
template <class S> struct is_dense_option<Init<S>> : std::true_type {};
template <class S> struct is_dense_option<BiasInit<S>> : std::true_type {};

// Dense's option rule: Unknown is the first option it does not take, or void.
template <class Spec, class Unknown>
constexpr auto check_dense_options() {
    constexpr bool ok = std::is_void_v<Unknown>;
    static_assert(UnknownOption<Spec, Unknown, ok>::ok,
                  "Dense: unknown option; Dense takes Init<...>, BiasInit<...>, NoBias, L1<...> and L2<...> "
                  "(an activation is a layer of its own: Dense<N>, ReLU)");
    return ok;
}

// Bias plus activation F, applied to finished rows of the GEMM's C. With
// `activated` set, C holds the pre-activation z and F(z) goes to `activated`;
// otherwise F(z) overwrites C.
template <class F, bool HasBias>
struct BiasActivation {
    const float* bias;
    float* activated = nullptr;
    std::size_t ld = 0;
    void operator()(std::size_t i, std::size_t j0, float* c, std::size_t n) const {
        simd::for_each_chunk(n, [&](std::size_t j, std::size_t count) {
            simd::vec z = simd::load(c + j, count);
            if constexpr (HasBias) z += simd::load(bias + j0 + j, count);
            if (activated) {
                simd::store(c + j, z, count);
                simd::store(activated + i * ld + j0 + j, F::forward(z), count);
            } else {
                simd::store(c + j, F::forward(z), count);
            }
        });
    }
};

// Dense's rules (asserted in function bodies: see core/errors.hpp for why). The
// input's rule is judged only when the layer has a size: one error at a time.
template <class Spec, bool Ok>
constexpr auto check_dense_units() {
    static_assert(ZeroSizedLayer<Spec, Ok>::ok, "Dense<N>: N, the number of output features, must be at least 1");
    return Ok;
}
template <class Spec, class In, bool FlatEnough>
constexpr auto check_dense_input() {
    static_assert(NeedsFlatInput<Spec, typename got_of<In>::type, FlatEnough>::ok,
                  "Dense: input is an image or volume (rank 3 or more); put Flatten before Dense");
    return FlatEnough;
}

template <class Spec, class In, std::size_t N, bool HasBias>
struct DenseLayer {
    static constexpr bool flat_enough = In::rank == 1 || In::rank == 2;
    using units_rule = decltype(check_dense_units<Spec, (N > 0)>());
    using shape_rule = decltype(check_dense_input<Spec, In, flat_enough || N == 0>());
    using option_rule = decltype(check_dense_options<Spec, typename Spec::unknown_option>());
    using range_rule = decltype(check_penalty_options<Spec, typename Spec::out_of_range_option,
                                                      std::is_void_v<typename Spec::unknown_option>>());
    static constexpr std::size_t features = In::dims[In::rank - 1];      // F
    static constexpr std::size_t positions = In::size / features;         // T (1 for a flat input)
    static constexpr std::size_t weight_count = N * features;

    using input_shape = In;
    using output_shape =
        checked_shape_t<flat_enough && (N > 0), std::conditional_t<In::rank == 1, Shape<N>, Shape<positions, N>>>;
    static constexpr std::size_t param_count = weight_count + (HasBias ? N : 0);

    static std::string name() { return Spec::name(); }

    template <class F>
    static void for_each_param(F&& f) {
        f(std::string("weight"), std::size_t{0}, std::vector<std::size_t>{N, features});
        if constexpr (HasBias) f(std::string("bias"), weight_count, std::vector<std::size_t>{N});
    }

    // Init<...> for the weights (default Glorot uniform), BiasInit<...> for the bias
    // (default zeros): see the options above.
    static void init(float* params, Rng& rng) {
        Spec::weight_init::fill(params, weight_count, features, N, rng);
        if constexpr (HasBias) Spec::bias_init::fill(params + weight_count, N, features, N, rng);
    }

    // Weight penalties reach the weight matrix only.
    template <class F>
    static void for_each_weight(F&& f) {
        f(std::size_t{0}, weight_count, Spec::penalty);
    }

    static void forward(const Pass& p, const float* params, const float* x, float* y, float*, float*) {
        gemm_forward(p, params, x, y, BiasActivation<Identity, HasBias>{params + weight_count});
    }

    template <class Next>
    static constexpr bool fuses_with = is_elementwise<Next>;

    // Dense followed by an element-wise activation: one GEMM. z is stored only when
    // the activation's backward needs it.
    template <class Next>
    static void forward_fused(const Pass& p, const float* params, const float* x, float* z, float* y) {
        using F = typename Next::function;
        if constexpr (F::from_output)
            gemm_forward(p, params, x, y, BiasActivation<F, HasBias>{params + weight_count});
        else
            gemm_forward(p, params, x, z, BiasActivation<F, HasBias>{params + weight_count, y, N});
    }

    static void backward(const Pass& p, const float* params, const float* x, const float*, const float* dy,
                         float* dx, float* dparams, const float*, float*) {
        using kernels::Transpose;
        const std::size_t rows = p.batch * positions;
        // dW [N, F] = dY^T [N, rows] . X [rows, F]
        kernels::gemm(Transpose::Yes, Transpose::No, N, features, rows, dy, N, x, features, 0.f, dparams,
                      features);
        if constexpr (HasBias) kernels::column_sums(dy, rows, N, dparams + weight_count);
        // dX [rows, F] = dY [rows, N] . W [N, F]; skipped for the first layer.
        if (dx) kernels::gemm(Transpose::No, Transpose::No, rows, features, N, dy, N, params, features, 0.f, dx,
                              features);
    }

private:
    template <class Epilogue>
    static void gemm_forward(const Pass& p, const float* params, const float* x, float* c, const Epilogue& e) {
        using kernels::Transpose;
        // Y [rows, N] = X [rows, F] . W^T [F, N]
        kernels::gemm(Transpose::No, Transpose::Yes, p.batch * positions, N, features, x, features, params,
                      features, 0.f, c, N, e);
    }
};

}  // namespace detail

template <std::size_t N, class... Options>
struct Dense {
    static constexpr bool has_bias = !(std::is_same_v<Options, NoBias> || ...);
    using weight_init = typename init_scheme<XavierUniform, Options...>::type;
    using bias_init = typename bias_init_scheme<Zeros, Options...>::type;
    static constexpr Regularization penalty = penalty_of<Options...>;
    using unknown_option = first_unknown_option_t<detail::is_dense_option, Options...>;
    using out_of_range_option = first_out_of_range_option_t<Options...>;
    template <class In>
    using bind = detail::DenseLayer<Dense, In, N, has_bias>;
    static std::string name() { return "Dense<" + std::to_string(N) + (has_bias ? ">" : ", NoBias>"); }
};

}  // namespace tn

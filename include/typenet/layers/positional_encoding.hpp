// Positional encodings: what tells an order-blind layer (attention, a mean over time)
// where in the sequence each vector is. Both add a vector per position to a sequence
// [T, D] and keep its shape, so they sit right after the Embedding:
//
//   Sequential<Tokens<T>, Embedding<V, D>, SinusoidalPositions, ...attention...>
//   Sequential<Tokens<T>, Embedding<V, D>, LearnedPositions<T>, ...>
//
// SinusoidalPositions (Vaswani et al. 2017, section 3.5): no parameters,
//   PE[pos, 2i]     = sin(pos / 10000^(2i / D))
//   PE[pos, 2i + 1] = cos(pos / 10000^(2i / D))
// sin on even features, cos on odd: pair i turns at its own frequency, from one
// radian per position (i = 0) to 1/10000 (the last), so that PE[pos + k] is a fixed
// rotation of PE[pos] for every pos: relative offsets are linear functions of the
// encoding. This is PyTorch's Transformer tutorial's layout (interleaved, not the
// sin half then cos half of tensor2tensor). An odd D ends with a sin feature alone.
//
// LearnedPositions<Tmax>: a parameter `weight` [Tmax, D] (as nn.Embedding(Tmax, D),
// BERT's and GPT-2's position table) whose row pos is added at position pos. It cannot
// go past Tmax: a sequence longer than Tmax is a compile error, and generation that
// reaches position Tmax a run-time one.
//
// Position = Pass::start + t: a call that continues a sequence (generation one
// position at a time, Pass::start = the number of positions before it) gets the
// positions it is at, not 0, 1, ...
//
// Scaling the embedding: Vaswani et al. multiply the embedding by sqrt(D) before adding
// the encoding, because their embedding is shared with the output layer and drawn with
// a variance of 1/D. typenet's Embedding starts at N(0, 1) (PyTorch's default), already
// the size of the encoding's values (|PE| <= 1), so SinusoidalPositions adds to the
// input as it is: scaled by sqrt(D) = 8 to 23 at the usual widths, the tokens would
// drown the positions. An embedding drawn small can be given Init<Normal<...>>.
//
// Padding: every position is encoded (a padded position gets a finite value, and its
// gradient, zero there, passes through as it is); the table's rows past a sample's
// length get no gradient from it.
#pragma once
#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "typenet/core/errors.hpp"
#include "typenet/core/init.hpp"
#include "typenet/core/layer.hpp"
#include "typenet/core/options.hpp"

namespace tn {

// A sequence longer than a layer's fixed table (LearnedPositions<Tmax>): the spec
// shows Tmax, Got the sequence.
template <class Layer, class GotShape, bool Ok = false>
struct SequenceLongerThanTable {
    static constexpr bool ok = Ok;
};

struct SinusoidalPositions;
template <std::size_t Tmax, class... Options>
struct LearnedPositions;

namespace detail {

template <class Spec, class In, bool Ok>
constexpr auto check_positions_input() {
    static_assert(NeedsSequence<Spec, typename got_of<In>::type, Ok>::ok,
                  "positional encoding: its input must be a sequence [T, D] (rank 2), e.g. an Embedding's output");
    return Ok;
}

// Writes the sinusoidal encoding of positions first .. first + count - 1, [count, D].
// The angles in double: at position 10^4 a float angle would be off by up to 5e-4 radian.
template <std::size_t D>
void sinusoidal_rows(float* out, std::size_t first, std::size_t count) {
    for (std::size_t i = 0; 2 * i < D; ++i) {
        // 10000^(-2i / D), as exp(2i * -ln(10000) / D) (the tutorial's div_term).
        const double frequency = std::exp(double(2 * i) * (-std::log(10000.0) / double(D)));
        for (std::size_t t = 0; t < count; ++t) {
            const double angle = double(first + t) * frequency;
            out[t * D + 2 * i] = float(std::sin(angle));
            if (2 * i + 1 < D) out[t * D + 2 * i + 1] = float(std::cos(angle));
        }
    }
}

template <class Spec, class In>
struct SinusoidalLayer {
    static constexpr bool is_sequence = In::rank == 2;
    using input_rule = decltype(check_positions_input<Spec, In, is_sequence>());
    static constexpr std::size_t T = In::dims[0];
    static constexpr std::size_t D = is_sequence ? In::dims[1] : 1;
    using input_shape = In;
    using output_shape = checked_shape_t<is_sequence, In>;
    // One encoded row, for a call that starts past position 0.
    static constexpr std::size_t workspace_size = D;

    static std::string name() { return Spec::name(); }

    // Positions 0 .. T-1, computed once per layer type (a static array, no heap), as
    // every training call and the first call of a generation start at 0.
    static const float* first_positions() {
        alignas(64) static std::array<float, T * D> rows;
        static const bool filled = (sinusoidal_rows<D>(rows.data(), 0, T), true);
        (void)filled;
        return rows.data();
    }

    static void forward(const Pass& p, const float*, const float* x, float* y, float*, float* workspace) {
        const float* table = p.start == 0 ? first_positions() : nullptr;
        for (std::size_t t = 0; t < T; ++t) {
            const float* row = table ? table + t * D : workspace;
            if (!table) sinusoidal_rows<D>(workspace, p.start + t, 1);
            for (std::size_t b = 0; b < p.batch; ++b) {
                const float* xr = x + (b * T + t) * D;
                float* yr = y + (b * T + t) * D;
                for (std::size_t k = 0; k < D; ++k) yr[k] = xr[k] + row[k];
            }
        }
    }
    static void backward(const Pass& p, const float*, const float*, const float*, const float* dy, float* dx,
                         float*, const float*, float*) {
        if (!dx) return;
        std::copy_n(dy, p.batch * T * D, dx);
    }
};

template <class Option> struct is_learned_positions_option : std::false_type {};
template <class S> struct is_learned_positions_option<Init<S>> : std::true_type {};

template <class Spec, bool Ok>
constexpr auto check_learned_positions_size() {
    static_assert(ZeroSizedLayer<Spec, Ok>::ok, "LearnedPositions<Tmax>: the table needs at least one position (Tmax >= 1)");
    return Ok;
}
template <class Spec, class Unknown, bool Judged>
constexpr auto check_learned_positions_options() {
    constexpr bool ok = std::is_void_v<Unknown> || !Judged;
    static_assert(UnknownOption<Spec, Unknown, ok>::ok, "LearnedPositions: unknown option; LearnedPositions takes Init<...>");
    return ok;
}
template <class Spec, class In, bool Ok>
constexpr auto check_learned_positions_length() {
    static_assert(SequenceLongerThanTable<Spec, typename got_of<In>::type, Ok>::ok,
                  "LearnedPositions<Tmax>: the sequence is longer than the table (T > Tmax); "
                  "give Tmax at least the model's sequence length");
    return Ok;
}

template <class Spec, class In, std::size_t Tmax>
struct LearnedPositionsLayer {
    static constexpr bool size_ok = Tmax > 0;
    using size_rule = decltype(check_learned_positions_size<Spec, size_ok>());
    static constexpr bool options_ok = std::is_void_v<typename Spec::unknown_option>;
    using option_rule = decltype(check_learned_positions_options<Spec, typename Spec::unknown_option, size_ok>());
    static constexpr bool is_sequence = In::rank == 2;
    using input_rule = decltype(check_positions_input<Spec, In, is_sequence || !size_ok || !options_ok>());
    static constexpr std::size_t T = In::dims[0];
    static constexpr std::size_t D = is_sequence ? In::dims[1] : 1;
    static constexpr bool length_ok = T <= Tmax;
    using length_rule =
        decltype(check_learned_positions_length<Spec, In, length_ok || !is_sequence || !size_ok || !options_ok>());
    using input_shape = In;
    using output_shape = checked_shape_t<size_ok && options_ok && is_sequence && length_ok, In>;
    static constexpr std::size_t param_count = Tmax * D;

    static std::string name() { return Spec::name(); }

    template <class F>
    static void for_each_param(F&& f) {
        f(std::string("weight"), std::size_t{0}, std::vector<std::size_t>{Tmax, D});
    }
    static void init(float* params, Rng& rng) { Spec::weight_init::fill(params, param_count, Tmax, D, rng); }

    static void check_positions(const Pass& p) {
        if (p.start + T > Tmax)
            throw std::out_of_range(name() + ": this call covers positions " + std::to_string(p.start) + " to " +
                                    std::to_string(p.start + T - 1) + ", but the table holds positions 0 to " +
                                    std::to_string(Tmax - 1) + "; a sequence cannot go past Tmax = " +
                                    std::to_string(Tmax) + " positions");
    }

    static void forward(const Pass& p, const float* params, const float* x, float* y, float*, float*) {
        check_positions(p);
        const float* table = params + p.start * D;
        for (std::size_t b = 0; b < p.batch; ++b)
            for (std::size_t i = 0; i < T * D; ++i) y[b * T * D + i] = x[b * T * D + i] + table[i];
    }
    // d weight[start + t] = sum over the samples that reach t of dy[b, t].
    static void backward(const Pass& p, const float*, const float*, const float*, const float* dy, float* dx,
                         float* dparams, const float*, float*) {
        check_positions(p);
        std::fill_n(dparams, param_count, 0.f);
        float* table = dparams + p.start * D;
        for (std::size_t b = 0; b < p.batch; ++b) {
            const std::size_t length = length_of(p, b, T);
            for (std::size_t i = 0; i < length * D; ++i) table[i] += dy[b * T * D + i];
        }
        if (dx) std::copy_n(dy, p.batch * T * D, dx);
    }
};

}  // namespace detail

struct SinusoidalPositions {
    template <class In>
    using bind = detail::SinusoidalLayer<SinusoidalPositions, In>;
    static std::string name() { return "SinusoidalPositions"; }
};

// The position table starts at N(0, 0.02^2), as BERT's: small beside the token
// embedding's N(0, 1), so training starts from the tokens and grows the positions it
// needs (nn.Embedding's own default would be N(0, 1)); Init<...> chooses another.
template <std::size_t Tmax, class... Options>
struct LearnedPositions {
    using weight_init = typename init_scheme<Normal<1, 50>, Options...>::type;
    using unknown_option = first_unknown_option_t<detail::is_learned_positions_option, Options...>;
    template <class In>
    using bind = detail::LearnedPositionsLayer<LearnedPositions, In, Tmax>;
    static std::string name() { return "LearnedPositions<" + std::to_string(Tmax) + ">"; }
};

}  // namespace tn

// Embedding<Vocab, Dim>: token ids [T] to vectors [T, Dim], row id of a table
// W [Vocab, Dim] per position (PyTorch's nn.Embedding: parameter `weight`, the same
// layout, so its state_dict loads as it is).
//
// Backward adds each position's output gradient into its id's row; a row no id of
// the batch used gets zero. With PaddingId<P>, row P gets no gradient at all and
// starts at zero, as nn.Embedding(padding_idx = P): padding then embeds to 0.
//
// Options, in any order:
//   Init<S>       the table's initialisation; default Normal<1, 1>, i.e. N(0, 1), as
//                 PyTorch (Keras draws U(-0.05, 0.05): Init<Uniform<5, 100>>)
//   PaddingId<P>  the id whose row stays zero and untrained
//
// An id outside [0, Vocab) stops forward with an error naming the sample of the
// batch and the position (fit names the sample of the data set before that).
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "typenet/core/errors.hpp"
#include "typenet/core/init.hpp"
#include "typenet/core/layer.hpp"
#include "typenet/core/options.hpp"
#include "typenet/core/tokens.hpp"
#include "typenet/regularize/penalty.hpp"

namespace tn {

template <std::size_t Id>
struct PaddingId {
    static constexpr std::size_t id = Id;
};

template <std::size_t Vocab, std::size_t Dim, class... Options>
struct Embedding;

namespace detail {

template <class Option> struct is_embedding_option : std::false_type {};
template <class S> struct is_embedding_option<Init<S>> : std::true_type {};
template <std::size_t P> struct is_embedding_option<PaddingId<P>> : std::true_type {};

template <class... Options>
inline constexpr std::size_t padding_id_of = std::size_t(-1);
template <std::size_t P, class... Rest>
inline constexpr std::size_t padding_id_of<PaddingId<P>, Rest...> = P;
template <class First, class... Rest>
inline constexpr std::size_t padding_id_of<First, Rest...> = padding_id_of<Rest...>;

// Embedding's rules (asserted in function bodies: see core/errors.hpp for why), one
// error at a time: sizes, options, then the input.
template <class Spec, bool Ok>
constexpr auto check_embedding_sizes() {
    static_assert(ZeroSizedLayer<Spec, Ok>::ok,
                  "Embedding<Vocab, Dim>: the vocabulary and the vector size must each be at least 1");
    return Ok;
}
template <class Spec, class Unknown, bool Judged>
constexpr auto check_embedding_options() {
    constexpr bool ok = std::is_void_v<Unknown> || !Judged;
    static_assert(UnknownOption<Spec, Unknown, ok>::ok,
                  "Embedding: unknown option; Embedding takes Init<...> and PaddingId<P>");
    return ok;
}
template <class Spec, std::size_t Vocab, bool Ok>
constexpr auto check_padding_id() {
    static_assert(OptionOutOfRange<Spec, PaddingId<Spec::padding_id>, Ok>::ok,
                  "Embedding: PaddingId<P> must name an id of the vocabulary (P < Vocab)");
    return Ok;
}
template <class Spec, class In, bool Ok>
constexpr auto check_embedding_input() {
    static_assert(NeedsTokens<Spec, typename got_of<In>::type, Ok>::ok,
                  "Embedding: its input must be token ids; start the model with Tokens<T>, not Input<...> "
                  "(float features go straight to Dense, or to a recurrent layer as [T, D])");
    return Ok;
}

template <class Spec, class In, std::size_t Vocab, std::size_t Dim>
struct EmbeddingLayer {
    static constexpr bool sizes_ok = Vocab > 0 && Dim > 0;
    static constexpr bool options_ok = std::is_void_v<typename Spec::unknown_option>;
    static constexpr bool padding_ok = !Spec::has_padding || Spec::padding_id < Vocab;
    using size_rule = decltype(check_embedding_sizes<Spec, sizes_ok>());
    using option_rule = decltype(check_embedding_options<Spec, typename Spec::unknown_option, sizes_ok>());
    using padding_rule = decltype(check_padding_id<Spec, Vocab, padding_ok || !sizes_ok || !options_ok>());
    using input_rule =
        decltype(check_embedding_input<Spec, In, is_token_shape<In> || !sizes_ok || !options_ok || !padding_ok>());

    static constexpr std::size_t T = In::size;
    using input_shape = In;
    using output_shape = checked_shape_t<sizes_ok && options_ok && padding_ok && is_token_shape<In>, Shape<T, Dim>>;
    static constexpr std::size_t param_count = Vocab * Dim;
    static constexpr std::size_t token_limit = Vocab;

    static std::string name() { return Spec::name(); }

    template <class F>
    static void for_each_param(F&& f) {
        f(std::string("weight"), std::size_t{0}, std::vector<std::size_t>{Vocab, Dim});
    }
    static void init(float* params, Rng& rng) {
        Spec::weight_init::fill(params, Vocab * Dim, Vocab, Dim, rng);
        if constexpr (Spec::has_padding) std::fill_n(params + Spec::padding_id * Dim, Dim, 0.f);
    }
    // Weight penalties reach the table as they reach Dense's weights.
    template <class F>
    static void for_each_weight(F&& f) {
        f(std::size_t{0}, param_count, Regularization{});
    }

    // The id at sample b, position t, checked: the float arena holds exact integers.
    static std::size_t id_at(const float* x, std::size_t b, std::size_t t) {
        const float v = x[b * T + t];
        if (!(v >= 0.f && v < float(Vocab)) || v != std::floor(v))
            throw std::out_of_range(name() + ": sample " + std::to_string(b) + " of the batch, position " +
                                    std::to_string(t) + ": token id " + std::to_string(v) +
                                    " is outside the vocabulary (0 to " + std::to_string(Vocab - 1) + ")");
        return std::size_t(v);
    }

    // Padded positions embed as any position does (their id is the padding id, a
    // real row): what follows ignores them, and their gradient arrives as zero.
    static void forward(const Pass& p, const float* params, const float* x, float* y, float*, float*) {
        for (std::size_t b = 0; b < p.batch; ++b)
            for (std::size_t t = 0; t < T; ++t)
                std::copy_n(params + id_at(x, b, t) * Dim, Dim, y + (b * T + t) * Dim);
    }

    // The ids need no gradient (dx stays untouched: nothing comes before an
    // Embedding that could use one).
    static void backward(const Pass& p, const float*, const float* x, const float*, const float* dy, float*,
                         float* dparams, const float*, float*) {
        std::fill_n(dparams, param_count, 0.f);
        for (std::size_t b = 0; b < p.batch; ++b) {
            const std::size_t length = length_of(p, b, T);
            for (std::size_t t = 0; t < length; ++t) {
                const std::size_t id = std::size_t(x[b * T + t]);
                if (Spec::has_padding && id == Spec::padding_id) continue;
                float* row = dparams + id * Dim;
                const float* g = dy + (b * T + t) * Dim;
                for (std::size_t k = 0; k < Dim; ++k) row[k] += g[k];
            }
        }
    }
};

}  // namespace detail

template <std::size_t Vocab, std::size_t Dim, class... Options>
struct Embedding {
    static constexpr bool accepts_tokens = true;
    static constexpr std::size_t padding_id = detail::padding_id_of<Options...>;
    static constexpr bool has_padding = padding_id != std::size_t(-1);
    using weight_init = typename init_scheme<Normal<1, 1>, Options...>::type;
    using unknown_option = first_unknown_option_t<detail::is_embedding_option, Options...>;
    template <class In>
    using bind = detail::EmbeddingLayer<Embedding, In, Vocab, Dim>;
    static std::string name() {
        std::string s = "Embedding<" + std::to_string(Vocab) + ", " + std::to_string(Dim);
        if constexpr (has_padding) s += ", PaddingId<" + std::to_string(padding_id) + ">";
        return s + ">";
    }
};

}  // namespace tn

// EncoderDecoder<Encoder, Decoder>: a two-input network as a type (Sutskever et al.
// 2014, Bahdanau et al. 2015, and later the Transformer's encoder and decoder).
//
//   using Encoder = Sequential<Tokens<40>, Embedding<60, 64>, LSTM<128>>;
//   using Decoder = Sequential<Tokens<11>, Embedding<14, 64>, LSTM<128, Stateful>,
//                              BahdanauAttention<64>, Dense<128>, Tanh, Dense<14>>;
//   Model<EncoderDecoder<Encoder, Decoder>> model{Seed{1}};
//
// The encoder's output [S, D] becomes the decoder's memory (core/layer.hpp): the
// decoder's layers are bound with the memory's shape, so an attention layer whose
// widths disagree with it is a compile error naming both; the source lengths are the
// memory's key-padding mask; in backward every layer that attends adds its gradient
// into one memory gradient, which is the encoder's output gradient.
//
// Input: one row per sample, the source's ids (S positions, padded) then the ids fed
// to the decoder (T positions: <bos> y_1 ... y_{n-1}, teacher forcing), so `fit`,
// `evaluate`, checkpoints and the whole Model API work unchanged. Model::lengths are
// the source lengths, Model::second_lengths the target lengths (Dataset::add_pair
// writes both). Output: the decoder's ([T, V] logits for TokenCrossEntropy).
//
// Every call starts from fresh sequences: the state of stateful layers (a decoder's
// LSTM<H, Stateful>, kept for step-by-step decoding) is zeroed first, so a pair never
// sees another's. Inference that runs the encoder once and the decoder one token at a
// time is EncoderDecoderSession (core/encoder_decoder_session.hpp).
//
// Names: `encoder.<name>` and `decoder.<name>`, as a PyTorch module with the two
// nn.Sequential attributes `encoder` and `decoder` names them (docs/design.md).
//
// Per-sample cache: source ids [S], target ids [T], memory [S, D], then the
// encoder's cache and the decoder's. Workspace: the memory gradient [S, D], then the
// larger of the two parts' workspaces (they run one after the other).
#pragma once
#include <algorithm>
#include <cstddef>
#include <string>
#include <type_traits>
#include <vector>

#include "typenet/core/chain.hpp"
#include "typenet/core/errors.hpp"
#include "typenet/core/layer.hpp"
#include "typenet/core/sequential.hpp"
#include "typenet/core/tokens.hpp"
#include "typenet/model.hpp"

namespace tn {

template <class Layer, class Part, bool Ok = false>
struct EncoderDecoderPartNotTokens {
    static constexpr bool ok = Ok;
};
struct EncoderPart {};
struct DecoderPart {};

namespace detail {

// The decoder's layers, rebound where there is memory: for the whole target (training)
// and for one position (step-by-step decoding). Its Input must be Tokens<T>.
template <class Decoder>
struct decoder_parts {
    static constexpr bool sequential = false;
};
template <InputSpec I, class... L>
struct decoder_parts<Sequential<I, L...>> {
    static constexpr bool sequential = true;
    using input_shape = typename I::shape;
    template <class Memory>
    using bind = chain_with_memory_of<input_shape, Memory, L...>;
    template <class Memory>
    using bind_step = chain_with_memory_of<Tokens<1>, Memory, L...>;
};

// The decoder bound once more to one position, for step-by-step decoding; only when
// its binding to the whole target holds (a broken decoder's error is reported once,
// not again by its one-position twin).
template <bool Valid, class Parts, class Memory>
struct step_decoder_of {
    using type = typename Parts::template bind<Memory>;  // never run
};
template <class Parts, class Memory>
struct step_decoder_of<true, Parts, Memory> {
    using type = typename Parts::template bind_step<Memory>;
};

template <class ED, class Part, class Shape>
constexpr auto check_part_tokens() {
    static_assert(EncoderDecoderPartNotTokens<ED, Part, is_token_shape<Shape>>::ok,
                  "EncoderDecoder<Encoder, Decoder>: both parts are networks that start with Tokens<T> (each "
                  "sample's row is the source ids, then the target ids); write Sequential<Tokens<T>, "
                  "Embedding<V, E>, ...>");
    return is_token_shape<Shape>;
}

// A container's callback for its two parts' names: "encoder." + name.
template <class F>
struct PartNames {
    static constexpr bool legacy_names = legacy_names_v<F>;
    F* f;
    const char* prefix;
    std::size_t base;
    template <class Shape>
    void operator()(const std::string& name, std::size_t offset, Shape&& shape) const {
        (*f)(std::string(prefix) + "." + name, base + offset, std::forward<Shape>(shape));
    }
};

template <class Part>
constexpr std::size_t part_token_limit() {
    if constexpr (requires { Part::token_limit; }) return Part::token_limit;
    else return 0;
}

}  // namespace detail

template <class Encoder, class Decoder>
struct EncoderDecoder {
    using encoder = Encoder;  // a rooted Sequential is its own bound chain
    using encoder_rule = decltype(detail::check_part_tokens<EncoderDecoder, EncoderPart, typename Encoder::input_shape>());
    using memory_shape = typename Encoder::output_shape;
    using parts = detail::decoder_parts<Decoder>;
    using decoder_input = typename parts::input_shape;
    using decoder_rule = decltype(detail::check_part_tokens<EncoderDecoder, DecoderPart, decoder_input>());
    using decoder = typename parts::template bind<memory_shape>;
    using step_decoder = typename detail::step_decoder_of<decoder::valid, parts, memory_shape>::type;

    static constexpr std::size_t S = Encoder::input_shape::size;  // source positions
    static constexpr std::size_t T = decoder_input::size;         // target positions
    static constexpr std::size_t M = memory_shape::size;          // memory floats per sample
    using input_shape = Tokens<S + T>;
    using output_shape = typename decoder::output_shape;
    static constexpr bool rooted = true;
    static constexpr bool valid = Encoder::valid && decoder::valid && is_token_shape<decoder_input>;
    static constexpr std::size_t length_limit = S, second_length_limit = T;
    static constexpr std::size_t token_limit =
        std::max(detail::part_token_limit<Encoder>(), detail::part_token_limit<decoder>());

    static constexpr std::size_t encoder_params = Encoder::param_count;
    static constexpr std::size_t param_count = encoder_params + decoder::param_count;
    static constexpr std::size_t encoder_buffers = buffer_count_of<Encoder>();
    static constexpr std::size_t buffer_count = encoder_buffers + buffer_count_of<decoder>();
    static constexpr std::size_t encoder_state = state_size_of<Encoder>();
    static constexpr std::size_t state_size = encoder_state + state_size_of<decoder>();
    static constexpr std::size_t cache_size = S + T + M + Encoder::cache_size + decoder::cache_size;
    static constexpr std::size_t workspace_size = M + std::max(Encoder::workspace_size, decoder::workspace_size);

    static std::string name() { return "EncoderDecoder"; }

    static void init(float* params, Rng& rng) {
        Encoder::init(params, rng);
        decoder::init(params + encoder_params, rng);
    }
    template <class F>
    static void for_each_param(F&& f) {
        using Names = detail::PartNames<std::remove_reference_t<F>>;
        Encoder::for_each_param(Names{&f, "encoder", 0});
        decoder::for_each_param(Names{&f, "decoder", encoder_params});
    }
    static void init_buffers(float* buffers) {
        Encoder::init_buffers(buffers);
        decoder::init_buffers(buffers + encoder_buffers);
    }
    template <class F>
    static void for_each_buffer(F&& f) {
        using Names = detail::PartNames<std::remove_reference_t<F>>;
        Encoder::for_each_buffer(Names{&f, "encoder", 0});
        decoder::for_each_buffer(Names{&f, "decoder", encoder_buffers});
    }
    template <class F>
    static void for_each_weight(F&& f) {
        Encoder::for_each_weight(f);
        decoder::for_each_weight([&](std::size_t offset, std::size_t n, const auto& own) {
            f(encoder_params + offset, n, own);
        });
    }
    template <class F>
    static void for_each_frozen(F&& f) {
        Encoder::for_each_frozen(f);
        decoder::for_each_frozen([&](std::size_t offset, std::size_t n) { f(encoder_params + offset, n); });
    }
    static void summarize_children(std::vector<SummaryRow>& rows, int depth) {
        rows.push_back({depth, "encoder", shape_string<memory_shape>(), Encoder::param_count});
        Encoder::summarize_children(rows, depth + 1);
        rows.push_back({depth, "decoder", shape_string<output_shape>(), decoder::param_count});
        decoder::summarize_children(rows, depth + 1);
    }
    static void summarize(std::vector<SummaryRow>& rows, int depth) {
        rows.push_back({depth, name(), shape_string<output_shape>(), param_count});
        summarize_children(rows, depth + 1);
    }

    // Where each part of the cache starts, for a batch of n.
    struct CacheParts {
        float *source, *target, *memory, *encoder, *decoder;
    };
    static CacheParts cache_parts(float* cache, std::size_t n) {
        CacheParts c;
        c.source = cache;
        c.target = c.source + S * n;
        c.memory = c.target + T * n;
        c.encoder = c.memory + M * n;
        c.decoder = c.encoder + Encoder::cache_size * n;
        return c;
    }
    // The Pass each part sees: its own buffers and state, its own lengths; the decoder
    // also the memory, with the source lengths as its mask.
    static Pass encoder_pass(const Pass& p) {
        Pass e = p;
        e.second_lengths = nullptr;
        return e;
    }
    static Pass decoder_pass(const Pass& p, const float* memory) {
        Pass d = p;
        d.lengths = p.second_lengths;
        d.second_lengths = nullptr;
        if constexpr (encoder_buffers > 0) d.buffers = p.buffers + encoder_buffers;
        if constexpr (encoder_state > 0) d.state = p.state + encoder_state;
        d.memory = memory;
        d.memory_stride = M;
        d.memory_lengths = p.lengths;
        d.memory_grad = nullptr;
        return d;
    }

    static void forward(const Pass& p, const float* params, const float* x, float* y, float* cache,
                        float* workspace) {
        const std::size_t n = p.batch;
        const CacheParts c = cache_parts(cache, n);
        for (std::size_t b = 0; b < n; ++b) {
            std::copy_n(x + b * (S + T), S, c.source + b * S);
            std::copy_n(x + b * (S + T) + S, T, c.target + b * T);
        }
        if constexpr (state_size > 0)  // each pair is a whole sequence: nothing carries over
            for (std::size_t b = 0; b < n; ++b) std::fill_n(p.state + b * p.state_stride, state_size, 0.f);
        float* scratch = workspace + M * n;
        Encoder::forward(encoder_pass(p), params, c.source, c.memory, c.encoder, scratch);
        decoder::forward(decoder_pass(p, c.memory), params + encoder_params, c.target, y, c.decoder, scratch);
    }

    // The inputs are token ids: dx (when asked for) is 0.
    static void backward(const Pass& p, const float* params, const float*, const float* y, const float* dy,
                         float* dx, float* dparams, const float* cache, float* workspace) {
        const std::size_t n = p.batch;
        const CacheParts c = cache_parts(const_cast<float*>(cache), n);
        float* memory_grad = workspace;
        float* scratch = workspace + M * n;
        std::fill_n(memory_grad, M * n, 0.f);
        Pass d = decoder_pass(p, c.memory);
        d.memory_grad = memory_grad;
        decoder::backward(d, params + encoder_params, c.target, y, dy, nullptr, dparams + encoder_params, c.decoder,
                          scratch);
        Encoder::backward(encoder_pass(p), params, c.source, c.memory, memory_grad, nullptr, dparams, c.encoder,
                          scratch);
        if (dx) std::fill_n(dx, (S + T) * n, 0.f);
    }

    // After a forward: "encoder" (the memory) and "decoder" (the output), for the
    // search of the first non-finite value (core/non_finite.hpp).
    template <class F>
    static void for_each_output(std::size_t batch, const float* y, const float* cache, F&& f) {
        const CacheParts c = cache_parts(const_cast<float*>(cache), batch);
        f(0, std::string("encoder"), c.memory, M * batch);
        f(1, std::string("decoder"), const_cast<float*>(y), output_shape::size * batch);
    }
};

namespace detail {
// Model<EncoderDecoder<...>> is rooted: its parts carry their own Inputs.
template <class Encoder, class Decoder>
inline constexpr bool starts_with_input<EncoderDecoder<Encoder, Decoder>> = true;
}  // namespace detail

}  // namespace tn

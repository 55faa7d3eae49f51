// GPT-2's weights in Hugging Face's names and layouts, in and out of a typenet GPT2.
//
//   tn::Model<tn::GPT2Small> gpt2;
//   auto report = tn::load_hugging_face_gpt2("gpt2/model.safetensors", gpt2);
//   std::cout << report.summary() << "\n";      // 148 tensors loaded, 12 skipped (attn.bias), ...
//   tn::save_hugging_face_gpt2("mine/model.safetensors", gpt2);   // GPT2LMHeadModel reads it
//
// The Hub's gpt2/model.safetensors (and GPT2Model's and GPT2LMHeadModel's
// state_dict, saved with safetensors) name GPT-2's tensors after OpenAI's
// TensorFlow variables. Each is one of typenet's tensors, named as the GPT2 alias
// (layers/transformer/gpt.hpp) names it:
//
//   Hugging Face                  typenet                            layout
//   wte.weight                    0.weight                           [V, D] both (the tied table)
//   wpe.weight                    0.0.weight                         [C, D] both
//   h.<i>.ln_1.weight / .bias     0.1.<i>.norm1.weight / .bias       [D]
//   h.<i>.attn.c_attn.weight      0.1.<i>.self_attn.in_proj_weight   [D, 3D] -> [3D, D]: transposed
//   h.<i>.attn.c_attn.bias        0.1.<i>.self_attn.in_proj_bias     [3D]
//   h.<i>.attn.c_proj.weight      0.1.<i>.self_attn.out_proj.weight  [D, D]: transposed
//   h.<i>.attn.c_proj.bias        0.1.<i>.self_attn.out_proj.bias    [D]
//   h.<i>.ln_2.weight / .bias     0.1.<i>.norm2.weight / .bias       [D]
//   h.<i>.mlp.c_fc.weight         0.1.<i>.linear1.weight             [D, 4D] -> [4D, D]: transposed
//   h.<i>.mlp.c_fc.bias           0.1.<i>.linear1.bias               [4D]
//   h.<i>.mlp.c_proj.weight       0.1.<i>.linear2.weight             [4D, D] -> [D, 4D]: transposed
//   h.<i>.mlp.c_proj.bias         0.1.<i>.linear2.bias               [D]
//   ln_f.weight / .bias           0.2.weight / .bias                 [D]
//
// Why transposed: GPT-2's projections are Hugging Face's Conv1D (a 1x1 convolution
// in OpenAI's TensorFlow code), whose weight is [in, out] and which computes
// x W + b; typenet's Dense and attention, like PyTorch's nn.Linear, keep [out, in]
// and compute x W^T + b. The same numbers, the other way round.
//
// What the loader accepts and checks, before it changes anything (a file that fails
// leaves the model as it was):
//   - the names with or without GPT2LMHeadModel's "transformer." prefix;
//   - lm_head.weight, optional: GPT-2's head is tied, so when present it must equal
//     wte.weight; a head that differs is an error (a tied model cannot hold it);
//   - the causal-mask buffers h.<i>.attn.bias ([1, 1, C, C]: 12 of the Hub file's
//     tensors) and h.<i>.attn.masked_bias (older files' -1e4 scalar) are skipped:
//     typenet's attention masks by its type (Causal);
//   - every tensor's shape against the model's (Conv1D's [in, out]): a mismatch or
//     a missing tensor is a CheckpointError naming Hugging Face's tensor, typenet's
//     and both shapes (the usual cause: a GPT2<...> of another size than the file's);
//   - dtypes F32 (the Hub's gpt2 files are F32), F16, BF16 and F64, converted to
//     float (exactly, except F64's rounding); any other dtype is an error naming it;
//   - tensors that are none of the above are reported (GPT2LoadReport::unused), not
//     loaded: a GPT2ForSequenceClassification's score.weight, say.
// The file itself is read by io/safetensors.hpp, which checks the header and every
// offset (a FormatError names the file).
//
// The save writes the tensors above under Hugging Face's names (no prefix, no
// lm_head.weight, no attn.bias: GPT2LMHeadModel ties the head and builds its masks
// itself), F32, Conv1D's layouts, with the metadata {"format": "pt"} that
// transformers' from_pretrained asks of a safetensors file.
//
// Which networks: the GPT2<Layers, Dim, Heads, Context, Vocab, Window> alias, any
// size (anything else is a compile error here): its arithmetic is GPT-2's (gelu_new,
// pre-norm, eps 1e-5), so the weights give the checkpoint's logits. The file work is
// not a template and lives in typenet::precompiled (hugging_face_gpt2.ipp), so a
// program that loads GPT-2 compiles no JSON parser.
#pragma once
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "typenet/config.hpp"
#include "typenet/layers/transformer/gpt.hpp"
#include "typenet/model.hpp"
#include "typenet/train/checkpoint.hpp"

namespace tn {

// What load_hugging_face_gpt2 did.
struct GPT2LoadReport {
    std::size_t loaded = 0;              // tensors copied into the model (all of its parameters)
    std::string prefix;                  // "" or "transformer."
    bool lm_head = false;                // the file held lm_head.weight (checked equal to wte.weight)
    std::vector<std::string> skipped;    // the attention's mask buffers, as the file names them
    std::vector<std::string> unused;     // the file's other tensors, not loaded
    std::vector<std::string> converted;  // tensors converted to float from another dtype ("h.0.ln_1.weight (F16)")

    std::string summary() const;
};

// GPT-2's name of one of a GPT2's tensors ("0.1.3.linear1.weight" -> "h.3.mlp.c_fc.weight"),
// and whether Hugging Face stores it transposed ([in, out], Conv1D's layout).
// An empty name for a tensor GPT-2 does not have.
struct HuggingFaceName {
    std::string name;
    bool transposed = false;
};
TYPENET_INLINE HuggingFaceName hugging_face_gpt2_name(const std::string& typenet_name);

// The loader's rule, named as core/errors.hpp names rules: the model's network type
// is in the message the compiler prints.
template <class Net, bool Ok = false>
struct NeedsGPT2 {
    static constexpr bool ok = Ok;
};

namespace detail {

template <class Net>
struct gpt2_network : std::false_type {};
template <std::size_t W, std::size_t V, std::size_t D, std::size_t C, std::size_t L, std::size_t H, std::size_t FF>
struct gpt2_network<Sequential<
    Tokens<W>,
    TiedEmbedding<V, D, LearnedPositions<C>,
                  Repeat<L, TransformerEncoderLayer<H, FF, PreNorm, GELUTanh, Causal, KVCache<C>, BlockDropout<0>>>,
                  LayerNorm<>>>> : std::bool_constant<FF == 4 * D> {};

template <class Net>
constexpr bool check_gpt2_network() {
    static_assert(NeedsGPT2<Net, gpt2_network<Net>::value>::ok,
                  "load_hugging_face_gpt2 / save_hugging_face_gpt2: the model must be a GPT2<Layers, Dim, Heads, "
                  "Context, Vocab[, Window]> (layers/transformer/gpt.hpp), whose arithmetic is GPT-2's (GELUTanh, "
                  "pre-norm, no dropout); a GPT<...> uses the exact GELU and would not give GPT-2's logits");
    return gpt2_network<Net>::value;
}

TYPENET_INLINE GPT2LoadReport load_gpt2_tensors(const std::filesystem::path& path,
                                                const std::vector<CheckpointTensor>& tensors);
TYPENET_INLINE void save_gpt2_tensors(const std::filesystem::path& path, const std::vector<CheckpointTensor>& tensors);

}  // namespace detail

// Loads a safetensors file of GPT-2's tensors in Hugging Face's names into a GPT2 model.
// Throws io::FormatError for a file that is not valid safetensors and CheckpointError
// for one that does not fit the model; either way the model is unchanged.
template <class Net>
GPT2LoadReport load_hugging_face_gpt2(const std::filesystem::path& path, Model<Net>& model) {
    if constexpr (detail::check_gpt2_network<Net>())
        return detail::load_gpt2_tensors(path, detail::model_tensors(model));
    else
        return {};
}

// Writes a GPT2 model's parameters in Hugging Face's names and layouts (atomically).
template <class Net>
void save_hugging_face_gpt2(const std::filesystem::path& path, Model<Net>& model) {
    if constexpr (detail::check_gpt2_network<Net>()) detail::save_gpt2_tensors(path, detail::model_tensors(model));
}

}  // namespace tn

#if TYPENET_DEFINE_BODIES
#include "typenet/interop/hugging_face_gpt2.ipp"
#endif

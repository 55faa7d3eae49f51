// load_hugging_face_gpt2 loads GPT-2's weights into a GPT2<...>, whose arithmetic is
// GPT-2's. A GPT<...> has the same tensors under the same names but the exact-erf
// GELU, so the weights would load and the logits would be wrong by 1e-3: refused at
// compile time, with the type to use.
#include <typenet/interop/hugging_face_gpt2.hpp>

// expect-gcc: error: static assertion failed: load_hugging_face_gpt2 / save_hugging_face_gpt2: the model must be a GPT2<Layers, Dim, Heads, Context, Vocab[, Window]>
// expect-gcc: note: 'tn::NeedsGPT2<tn::Sequential<tn::Tokens<32>, tn::TiedEmbedding<101, 64, tn::LearnedPositions<32>, tn::Repeat<2, tn::TransformerEncoderLayer<4, 256, tn::PreNorm, tn::GELU, tn::Causal, tn::KVCache<32>, tn::BlockDropout<0, 100> > >, tn::LayerNorm<> > >, false>::ok' evaluates to false
// expect-clang: 'NeedsGPT2<tn::Sequential<tn::Tokens<32>, tn::TiedEmbedding<101, 64, tn::LearnedPositions<32>, tn::Repeat<2, tn::TransformerEncoderLayer<4, 256, tn::PreNorm, tn::GELU, tn::Causal, tn::KVCache<32>, tn::BlockDropout<0, 100>>>, tn::LayerNorm<>>>, false>::ok'

int main() {
    tn::Model<tn::GPT<2, 64, 4, 32, 101, tn::BlockDropout<0>>> model;
    tn::load_hugging_face_gpt2("model.safetensors", model);
}

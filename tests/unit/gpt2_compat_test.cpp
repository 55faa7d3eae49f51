// GPT-2 compatibility: a GPT2<...> loads Hugging Face's names and layouts and gives
// the logits of GPT-2 written from its published equations in PyTorch
// (tests/reference/make_gpt2_reference.py: random weights, 2 layers, d 64, 4 heads,
// context 32, vocabulary 101, stored as the Hub's gpt2/model.safetensors stores
// them). Then every way a file can fail to fit, each with its message.
#include <doctest/doctest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include <typenet/decode/greedy.hpp>
#include <typenet/interop/hugging_face_gpt2.hpp>
#include <typenet/io/safetensors.hpp>
#include <typenet/typenet.hpp>

#include "support/scratch.hpp"

using namespace tn;
namespace st = tn::io::safetensors;
namespace fs = std::filesystem;

namespace {

using Small = GPT2<2, 64, 4, 32, 101>;
constexpr std::size_t V = 101, T = 32;

fs::path reference() {
    return fs::path(__FILE__).parent_path().parent_path() / "reference" / "gpt2_reference.safetensors";
}

// The largest |got - want| / max(1, |want|); a NaN is the largest.
double worst_error(std::span<const float> got, const std::vector<float>& want) {
    REQUIRE(got.size() == want.size());
    double worst = 0;
    for (std::size_t i = 0; i < want.size(); ++i) {
        const double err = std::abs(double(got[i]) - double(want[i])) / std::max(1.0, std::abs(double(want[i])));
        if (!(err <= worst)) worst = err;
    }
    return worst;
}

std::vector<std::int64_t> ids_of(const st::File& f, const std::string& name) { return f.at(name).to_int64s(); }

// The model's logits for the reference's two sequences (the first `Window` positions).
template <class Net>
std::vector<float> logits_of(Model<Net>& model, const st::File& ref) {
    constexpr std::size_t window = Model<Net>::input_size;
    const auto ids = ids_of(ref, "reference.ids");
    float* x = model.input(2);
    for (std::size_t b = 0; b < 2; ++b)
        for (std::size_t t = 0; t < window; ++t) x[b * window + t] = float(ids[b * T + t]);
    const auto y = model.forward(2);
    return {y.begin(), y.end()};
}

// The reference's logits of the first `window` positions of each sequence.
std::vector<float> reference_logits(const st::File& ref, std::size_t window) {
    const auto all = ref.at("reference.logits").to_floats();
    std::vector<float> out;
    for (std::size_t b = 0; b < 2; ++b)
        out.insert(out.end(), all.begin() + std::ptrdiff_t(b * T * V),
                   all.begin() + std::ptrdiff_t((b * T + window) * V));
    return out;
}

// A copy of the reference file with its tensors edited: `edit` gets the tensors
// (name, dtype, shape, bytes) and may rename, drop, add or change them.
template <class Edit>
fs::path variant(const std::string& name, Edit edit) {
    st::File file = st::read(reference());
    edit(file.tensors);
    std::vector<st::TensorView> views;
    for (const auto& t : file.tensors) views.push_back({t.name, t.dtype, t.shape, t.bytes});
    const fs::path path = support::scratch_dir("gpt2-compat", name) / "model.safetensors";
    st::write(path, std::span<const st::TensorView>(views), file.metadata);
    return path;
}

st::Tensor* find(std::vector<st::Tensor>& tensors, const std::string& name) {
    for (auto& t : tensors)
        if (t.name == name) return &t;
    FAIL("no tensor " << name);
    return nullptr;
}

// The exception's message, or "" when `f` does not throw CheckpointError.
template <class F>
std::string checkpoint_error(F&& f) {
    try {
        f();
    } catch (const CheckpointError& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("GPT2Small is GPT-2's 124M: the parameter count of the Hub's gpt2") {
    static_assert(GPT2Small::param_count == 124'439'808);
    static_assert(std::is_same_v<GPT2Small::output_shape, Shape<1024, 50257>>);
    // The 128-token window shares every parameter, at the same offsets.
    static_assert(GPT2<12, 768, 12, 1024, 50257, 128>::param_count == GPT2Small::param_count);
}

TEST_CASE("the name map: typenet's GPT2 tensors and Hugging Face's, Conv1D's weights transposed") {
    CHECK(hugging_face_gpt2_name("0.weight").name == "wte.weight");
    CHECK(hugging_face_gpt2_name("0.0.weight").name == "wpe.weight");
    CHECK(hugging_face_gpt2_name("0.1.11.norm1.bias").name == "h.11.ln_1.bias");
    const auto c_attn = hugging_face_gpt2_name("0.1.3.self_attn.in_proj_weight");
    CHECK(c_attn.name == "h.3.attn.c_attn.weight");
    CHECK(c_attn.transposed);
    CHECK_FALSE(hugging_face_gpt2_name("0.1.3.self_attn.in_proj_bias").transposed);
    CHECK(hugging_face_gpt2_name("0.1.0.self_attn.out_proj.weight").name == "h.0.attn.c_proj.weight");
    CHECK(hugging_face_gpt2_name("0.1.0.linear1.weight").name == "h.0.mlp.c_fc.weight");
    CHECK(hugging_face_gpt2_name("0.1.0.linear2.bias").name == "h.0.mlp.c_proj.bias");
    CHECK(hugging_face_gpt2_name("0.1.0.norm2.weight").name == "h.0.ln_2.weight");
    CHECK(hugging_face_gpt2_name("0.2.bias").name == "ln_f.bias");
    CHECK(hugging_face_gpt2_name("0.1.x.norm1.bias").name.empty());
    CHECK(hugging_face_gpt2_name("3.weight").name.empty());
    // Every one of a GPT2's tensors has a name, each a different one.
    Model<Small> model;
    std::vector<std::string> names;
    for (const auto& p : model.named_parameters()) names.push_back(hugging_face_gpt2_name(p.name).name);
    CHECK(names.size() == 4 + 2 * 12);
    CHECK(std::find(names.begin(), names.end(), "") == names.end());
    std::sort(names.begin(), names.end());
    CHECK(std::adjacent_find(names.begin(), names.end()) == names.end());
}

TEST_CASE("a GPT2 loaded from Hugging Face's names gives PyTorch's GPT-2 logits") {
    const st::File ref = st::read(reference());
    Model<Small> model{Seed{1}};
    const GPT2LoadReport report = load_hugging_face_gpt2(reference(), model);
    INFO(report.summary());
    CHECK(report.loaded == 28);
    CHECK(report.prefix.empty());
    CHECK_FALSE(report.lm_head);
    CHECK(report.skipped == std::vector<std::string>{"h.0.attn.bias", "h.1.attn.bias"});
    CHECK(report.converted.empty());
    CHECK(report.unused.size() == 5);  // the reference.* tensors
    for (const auto& u : report.unused) CHECK(u.starts_with("reference."));

    const auto got = logits_of(model, ref);
    CHECK(worst_error(got, reference_logits(ref, T)) <= 1e-5);
    // Not by accident: a fresh model, and the exact-erf GELU in GPT-2's place, are far off.
    Model<Small> fresh{Seed{1}};
    CHECK(worst_error(logits_of(fresh, ref), reference_logits(ref, T)) > 1e-2);
    using WithErfGelu = Sequential<
        Tokens<T>,
        TiedEmbedding<V, 64, LearnedPositions<T>,
                      Repeat<2, TransformerEncoderLayer<4, 256, PreNorm, GELU, Causal, KVCache<T>, BlockDropout<0>>>,
                      LayerNorm<>>>;
    Model<WithErfGelu> erf{Seed{1}};
    std::copy(model.parameters().begin(), model.parameters().end(), erf.parameters().begin());
    CHECK(worst_error(logits_of(erf, ref), reference_logits(ref, T)) > 1e-4);
}

TEST_CASE("a shorter window reads the same file and gives the first positions' logits") {
    const st::File ref = st::read(reference());
    Model<GPT2<2, 64, 4, 32, 101, 12>> model;
    load_hugging_face_gpt2(reference(), model);
    CHECK(worst_error(logits_of(model, ref), reference_logits(ref, 12)) <= 1e-5);
}

TEST_CASE("GPT-2 with its KV cache: greedy decoding and every step's log-probabilities are PyTorch's") {
    const st::File ref = st::read(reference());
    Model<Small> model;
    load_hugging_face_gpt2(reference(), model);
    const auto prompt64 = ids_of(ref, "reference.prompt");
    const auto generated64 = ids_of(ref, "reference.generated");
    const std::vector<std::int32_t> prompt(prompt64.begin(), prompt64.end());
    const std::vector<std::int32_t> generated(generated64.begin(), generated64.end());
    const auto step_log_probs = ref.at("reference.step_log_probs").to_floats();

    LanguageModelSession session(model);
    static_assert(decltype(session)::has_kv_cache);
    const std::int32_t last = session.prompt(prompt);
    const auto out = greedy(session, 1, {.start = last, .end = -1, .max_length = generated.size()});
    CHECK(out.at(0) == generated);

    session.begin(1);
    std::vector<float> lp(V);
    std::int32_t feed = last;
    for (std::size_t s = 0; s < generated.size(); ++s) {
        session.step(std::span<const std::int32_t>(&feed, 1), lp.data());
        INFO("step " << s << " at position " << prompt.size() - 1 + s);
        const std::vector<float> want(step_log_probs.begin() + std::ptrdiff_t(s * V),
                                      step_log_probs.begin() + std::ptrdiff_t((s + 1) * V));
        CHECK(worst_error(lp, want) <= 1e-5);
        feed = generated[s];
    }
}

TEST_CASE("GPT2LMHeadModel's spelling: transformer. prefix, a tied lm_head.weight, older files' masked_bias") {
    const st::File ref = st::read(reference());
    const fs::path path = variant("lm-head", [](std::vector<st::Tensor>& ts) {
        for (auto& t : ts)
            if (!t.name.starts_with("reference.")) t.name = "transformer." + t.name;
        st::Tensor head = *find(ts, "transformer.wte.weight");
        head.name = "lm_head.weight";
        ts.push_back(head);
        // transformers before 4.x saved GPT2Attention's -1e4 as a scalar buffer.
        const float masked = -1e4f;
        st::Tensor scalar{"transformer.h.1.attn.masked_bias", st::Dtype::F32, {}, std::vector<std::byte>(4)};
        std::memcpy(scalar.bytes.data(), &masked, 4);
        ts.push_back(scalar);
    });
    Model<Small> model;
    const auto report = load_hugging_face_gpt2(path, model);
    CHECK(report.prefix == "transformer.");
    CHECK(report.lm_head);
    CHECK(report.loaded == 28);
    CHECK(report.skipped == std::vector<std::string>{"transformer.h.0.attn.bias", "transformer.h.1.attn.bias",
                                                     "transformer.h.1.attn.masked_bias"});
    CHECK(report.unused.size() == 5);
    CHECK(worst_error(logits_of(model, ref), reference_logits(ref, T)) <= 1e-5);
}

TEST_CASE("a BF16 file is widened to float (F16 and F64 likewise); an integer dtype is refused by name") {
    const st::File ref = st::read(reference());
    // Every weight rounded to bfloat16 (round to nearest even), as a bf16 checkpoint holds it.
    const fs::path bf16 = variant("bf16", [](std::vector<st::Tensor>& ts) {
        for (auto& t : ts) {
            if (t.name.starts_with("reference.")) continue;
            const auto f = t.to_floats();
            std::vector<std::byte> bytes(2 * f.size());
            for (std::size_t i = 0; i < f.size(); ++i) {
                const std::uint32_t u = std::bit_cast<std::uint32_t>(f[i]);
                const std::uint16_t h = std::uint16_t((u + 0x7FFFu + ((u >> 16) & 1u)) >> 16);
                std::memcpy(bytes.data() + 2 * i, &h, 2);
            }
            t.dtype = st::Dtype::BF16;
            t.bytes = std::move(bytes);
        }
    });
    Model<Small> model;
    const auto report = load_hugging_face_gpt2(bf16, model);
    CHECK(report.converted.size() == 28);
    CHECK(report.converted.front().ends_with("(BF16)"));
    const double err = worst_error(logits_of(model, ref), reference_logits(ref, T));
    CHECK(err > 1e-5);  // bfloat16 keeps 8 bits of mantissa: close, not equal
    CHECK(err < 0.2);

    const fs::path ints =
        variant("i32", [](std::vector<st::Tensor>& ts) { find(ts, "h.1.ln_2.bias")->dtype = st::Dtype::I32; });
    const std::string message = checkpoint_error([&] { load_hugging_face_gpt2(ints, model); });
    CHECK(message.find("h.1.ln_2.bias has dtype I32") != std::string::npos);
}

TEST_CASE("a file that does not fit names the tensor and both shapes, and leaves the model as it was") {
    Model<Small> model{Seed{3}};
    const std::vector<float> before(model.parameters().begin(), model.parameters().end());
    const auto unchanged = [&] { return std::equal(before.begin(), before.end(), model.parameters().begin()); };

    SUBCASE("a missing tensor") {
        const fs::path path = variant("missing", [](std::vector<st::Tensor>& ts) {
            ts.erase(
                std::find_if(ts.begin(), ts.end(), [](const st::Tensor& t) { return t.name == "h.1.mlp.c_fc.bias"; }));
        });
        const std::string message = checkpoint_error([&] { load_hugging_face_gpt2(path, model); });
        INFO(message);
        CHECK(message.find("missing 1 of its 28 tensors: h.1.mlp.c_fc.bias (typenet's 0.1.1.linear1.bias, [256])") !=
              std::string::npos);
    }
    SUBCASE("a Conv1D weight in nn.Linear's layout, [out, in]") {
        const fs::path path = variant("untransposed", [](std::vector<st::Tensor>& ts) {
            find(ts, "h.0.attn.c_attn.weight")->shape = {192, 64};
        });
        const std::string message = checkpoint_error([&] { load_hugging_face_gpt2(path, model); });
        INFO(message);
        CHECK(message.find("h.0.attn.c_attn.weight has shape [192, 64], but the model's "
                           "0.1.0.self_attn.in_proj_weight needs [64, 192] (Conv1D's [in, out])") != std::string::npos);
    }
    SUBCASE("an untied head") {
        const fs::path path = variant("untied", [](std::vector<st::Tensor>& ts) {
            st::Tensor head = *find(ts, "wte.weight");
            head.name = "lm_head.weight";
            head.bytes[5] ^= std::byte{1};
            ts.push_back(head);
        });
        const std::string message = checkpoint_error([&] { load_hugging_face_gpt2(path, model); });
        INFO(message);
        CHECK(message.find("lm_head.weight differs from wte.weight in 1 of 6464 values") != std::string::npos);
    }
    CHECK(unchanged());
}

TEST_CASE("a model of another size than the file's: the first tensor that differs, named") {
    Model<GPT2<2, 64, 4, 32, 100>> smaller_vocabulary;
    const std::string message = checkpoint_error([&] { load_hugging_face_gpt2(reference(), smaller_vocabulary); });
    CHECK(message.find("wte.weight has shape [101, 64], but the model's 0.weight needs [100, 64]") !=
          std::string::npos);
    Model<GPT2<3, 64, 4, 32, 101>> deeper;
    const std::string missing = checkpoint_error([&] { load_hugging_face_gpt2(reference(), deeper); });
    CHECK(missing.find("missing 12 of its 40 tensors: h.2.ln_1.weight") != std::string::npos);
}

TEST_CASE("save_hugging_face_gpt2 writes the file it was loaded from, bit for bit, less the mask buffers") {
    const st::File ref = st::read(reference());
    Model<Small> model;
    load_hugging_face_gpt2(reference(), model);
    const fs::path path = support::scratch_dir("gpt2-compat", "save") / "model.safetensors";
    save_hugging_face_gpt2(path, model);
    const st::File saved = st::read(path);
    CHECK(saved.metadata.at("format") == "pt");
    CHECK(saved.tensors.size() == 28);
    for (const auto& t : saved.tensors) {
        INFO(t.name);
        const st::Tensor& want = ref.at(t.name);
        CHECK(t.dtype == st::Dtype::F32);
        CHECK(t.shape == want.shape);
        CHECK(t.bytes == want.bytes);
    }
}

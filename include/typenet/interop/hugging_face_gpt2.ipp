// The bodies of interop/hugging_face_gpt2.hpp: inline in a header-only build,
// compiled once into typenet::precompiled otherwise (include/typenet/config.hpp).
#pragma once
#include <algorithm>
#include <cmath>
#include <map>
#include <string_view>

#include "typenet/interop/hugging_face_gpt2.hpp"
#include "typenet/io/safetensors.hpp"
#include "typenet/train/checkpoint.ipp"

namespace tn {

TYPENET_INLINE std::string GPT2LoadReport::summary() const {
    const auto list = [](const std::vector<std::string>& v) {
        std::string s;
        for (const auto& n : v) s += (s.empty() ? "" : ", ") + n;
        return s.empty() ? std::string("none") : s;
    };
    return std::to_string(loaded) + " tensors loaded" + (prefix.empty() ? "" : " (names prefixed \"" + prefix + "\")") +
           "; lm_head.weight " + (lm_head ? "present, equal to wte.weight" : "absent (the head is wte)") + "; " +
           std::to_string(skipped.size()) + " mask buffers skipped; converted to float: " + list(converted) +
           "; not used: " + list(unused);
}

TYPENET_INLINE HuggingFaceName hugging_face_gpt2_name(const std::string& name) {
    // Within a block, typenet's name (after "0.1.<i>.") -> GPT-2's (after "h.<i>.").
    static const std::map<std::string_view, HuggingFaceName> block = {
        {"norm1.weight", {"ln_1.weight", false}},
        {"norm1.bias", {"ln_1.bias", false}},
        {"self_attn.in_proj_weight", {"attn.c_attn.weight", true}},
        {"self_attn.in_proj_bias", {"attn.c_attn.bias", false}},
        {"self_attn.out_proj.weight", {"attn.c_proj.weight", true}},
        {"self_attn.out_proj.bias", {"attn.c_proj.bias", false}},
        {"norm2.weight", {"ln_2.weight", false}},
        {"norm2.bias", {"ln_2.bias", false}},
        {"linear1.weight", {"mlp.c_fc.weight", true}},
        {"linear1.bias", {"mlp.c_fc.bias", false}},
        {"linear2.weight", {"mlp.c_proj.weight", true}},
        {"linear2.bias", {"mlp.c_proj.bias", false}},
    };
    if (name == "0.weight") return {"wte.weight", false};
    if (name == "0.0.weight") return {"wpe.weight", false};
    if (name == "0.2.weight") return {"ln_f.weight", false};
    if (name == "0.2.bias") return {"ln_f.bias", false};
    if (const std::string_view blocks = "0.1."; name.starts_with(blocks)) {
        const std::size_t dot = name.find('.', blocks.size());
        const std::string index = name.substr(blocks.size(), dot - blocks.size());
        if (dot != std::string::npos && !index.empty() &&
            std::all_of(index.begin(), index.end(), [](char c) { return c >= '0' && c <= '9'; }))
            if (const auto it = block.find(std::string_view(name).substr(dot + 1)); it != block.end())
                return {"h." + index + "." + it->second.name, it->second.transposed};
    }
    return {};
}

namespace detail {
namespace gpt2 {
namespace st = io::safetensors;

inline bool is_mask_buffer(std::string_view name) {
    // h.<i>.attn.bias and h.<i>.attn.masked_bias: GPT2Attention's registered buffers.
    return name.starts_with("h.") && (name.ends_with(".attn.bias") || name.ends_with(".attn.masked_bias"));
}

inline bool is_floating(st::Dtype d) {
    return d == st::Dtype::F32 || d == st::Dtype::F16 || d == st::Dtype::BF16 || d == st::Dtype::F64;
}

inline std::vector<std::size_t> reversed(std::vector<std::size_t> shape) {
    std::reverse(shape.begin(), shape.end());
    return shape;
}

// One of the model's tensors and the file's tensor it comes from.
struct Match {
    const CheckpointTensor* to;
    const st::Tensor* from;
    bool transposed;
};
}  // namespace gpt2

TYPENET_INLINE GPT2LoadReport load_gpt2_tensors(const std::filesystem::path& path,
                                                const std::vector<CheckpointTensor>& tensors) {
    using namespace gpt2;
    const st::File file = st::read(path);
    const std::string& source = file.source;
    GPT2LoadReport report;
    // GPT2LMHeadModel's state_dict prefixes the body's names; GPT2Model's (and the
    // Hub's gpt2 file) does not. One spelling per file.
    if (file.find("transformer.wte.weight")) report.prefix = "transformer.";

    std::vector<Match> matches;
    std::vector<std::string> used, missing;
    for (const CheckpointTensor& t : tensors) {
        const HuggingFaceName hf = hugging_face_gpt2_name(t.name);
        if (hf.name.empty())
            throw CheckpointError("load_hugging_face_gpt2: the model's tensor " + t.name +
                                  " has no counterpart in GPT-2 (is the model a GPT2<...>?)");
        const std::string name = report.prefix + hf.name;
        const auto want = hf.transposed ? reversed(t.shape) : t.shape;  // the file's layout
        const st::Tensor* found = file.find(name);
        if (!found) {
            missing.push_back(name + " (typenet's " + t.name + ", " + st::shape_string(want) + ")");
            continue;
        }
        if (found->shape != want)
            throw CheckpointError(source + ": " + name + " has shape " + st::shape_string(found->shape) +
                                  ", but the model's " + t.name + " needs " + st::shape_string(want) +
                                  (hf.transposed ? " (Conv1D's [in, out])" : "") +
                                  ": the file is another GPT-2 size than the model's GPT2<...>");
        if (!is_floating(found->dtype))
            throw CheckpointError(source + ": " + name + " has dtype " + std::string(st::name_of(found->dtype)) +
                                  ": GPT-2's weights must be floating point (F32, F16, BF16 or F64)");
        if (found->dtype != st::Dtype::F32)
            report.converted.push_back(name + " (" + std::string(st::name_of(found->dtype)) + ")");
        matches.push_back({&t, found, hf.transposed});
        used.push_back(name);
    }
    if (!missing.empty()) {
        std::string list;
        for (const auto& m : missing) list += (list.empty() ? "" : "; ") + m;
        throw CheckpointError(source + ": not a GPT-2 checkpoint of the model's size: missing " +
                              std::to_string(missing.size()) + " of its " + std::to_string(tensors.size()) +
                              " tensors: " + list);
    }

    // The head: tied in GPT-2, so a file's lm_head.weight must be wte.weight again.
    const st::Tensor* head = file.find("lm_head.weight");
    const st::Tensor& wte = *file.find(report.prefix + "wte.weight");  // found above
    if (head) {
        if (head->shape != wte.shape)
            throw CheckpointError(source + ": lm_head.weight has shape " + st::shape_string(head->shape) +
                                  ", wte.weight " + st::shape_string(wte.shape) +
                                  "; GPT-2's head is the embedding, transposed");
        if (!is_floating(head->dtype))
            throw CheckpointError(source + ": lm_head.weight has dtype " + std::string(st::name_of(head->dtype)));
        const auto a = head->to_floats(), b = wte.to_floats();
        std::size_t differ = 0;
        for (std::size_t i = 0; i < a.size(); ++i) differ += !(a[i] == b[i]);
        if (differ)
            throw CheckpointError(source + ": lm_head.weight differs from wte.weight in " + std::to_string(differ) +
                                  " of " + std::to_string(a.size()) +
                                  " values: the head is not tied, and GPT2's TiedEmbedding holds one table for both");
        report.lm_head = true;
        used.push_back("lm_head.weight");
    }
    for (const auto& t : file.tensors) {
        if (std::find(used.begin(), used.end(), t.name) != used.end()) continue;
        const std::string_view bare =
            std::string_view(t.name).substr(t.name.starts_with(report.prefix) ? report.prefix.size() : 0);
        (is_mask_buffer(bare) ? report.skipped : report.unused).push_back(t.name);
    }

    // Everything checked: copy, transposing Conv1D's [in, out] into [out, in].
    for (const Match& m : matches) {
        const std::vector<float> values = m.from->to_floats();
        float* out = m.to->values.data();
        if (!m.transposed) {
            std::copy(values.begin(), values.end(), out);
        } else {
            const std::size_t rows = m.to->shape[0], cols = m.to->shape[1];  // typenet's [out, in]
            for (std::size_t i = 0; i < cols; ++i)
                for (std::size_t o = 0; o < rows; ++o) out[o * cols + i] = values[i * rows + o];
        }
    }
    report.loaded = matches.size();
    return report;
}

TYPENET_INLINE void save_gpt2_tensors(const std::filesystem::path& path, const std::vector<CheckpointTensor>& tensors) {
    using namespace gpt2;
    std::vector<std::vector<float>> transposed;  // the Conv1D layouts' copies, alive until written
    transposed.reserve(tensors.size());
    std::vector<st::TensorView> views;
    for (const CheckpointTensor& t : tensors) {
        const HuggingFaceName hf = hugging_face_gpt2_name(t.name);
        if (hf.name.empty())
            throw CheckpointError("save_hugging_face_gpt2: the model's tensor " + t.name +
                                  " has no counterpart in GPT-2");
        if (!hf.transposed) {
            views.push_back(st::view(hf.name, t.shape, std::span<const float>(t.values)));
            continue;
        }
        const std::size_t rows = t.shape[0], cols = t.shape[1];  // [out, in]
        auto& w = transposed.emplace_back(rows * cols);
        for (std::size_t o = 0; o < rows; ++o)
            for (std::size_t i = 0; i < cols; ++i) w[i * rows + o] = t.values[o * cols + i];
        views.push_back(st::view(hf.name, {cols, rows}, std::span<const float>(w)));
    }
    st::write(path, std::span<const st::TensorView>(views), {{"format", "pt"}});
}

}  // namespace detail
}  // namespace tn

// Conformance of typenet's layers against ONNX's operator test data (Debian's
// libonnx-testdata): every case whose single node is one of the operators below is
// either computed by the typenet model its table line names, or skipped with the
// reason it cannot be. A case that is neither, a table line naming no case, or a
// case whose values differ, fails the test. docs/conformance.md describes it.
//
//   onnx_conformance [data/node directory...] [case name filter]
// Every argument that is a directory is a directory of cases (libonnx-testdata's
// data/node by default; tests/conformance/torch_cases too, in ctest); a last one
// that is not is the filter.
#include <cstdio>
#include <iostream>
#include <set>

#include <typenet/core/sequential.hpp>
#include <typenet/layers/activations.hpp>
#include <typenet/layers/batch_norm.hpp>
#include <typenet/layers/dense.hpp>
#include <typenet/layers/flatten.hpp>
#include <typenet/layers/softmax.hpp>

#include "conformance/onnx_runner.hpp"

namespace conformance {

// --- What each layer is in ONNX ------------------------------------------------------

template <>
struct OnnxOp<tn::ReLU> : NoWeights {
    static void check(Expect& e) { e.op("Relu"); }
};
template <>
struct OnnxOp<tn::Sigmoid> : NoWeights {
    static void check(Expect& e) { e.op("Sigmoid"); }
};
template <>
struct OnnxOp<tn::Tanh> : NoWeights {
    static void check(Expect& e) { e.op("Tanh"); }
};
template <std::intmax_t N, std::intmax_t D>
struct OnnxOp<tn::LeakyReLU<N, D>> : NoWeights {
    static void check(Expect& e) {
        e.op("LeakyRelu");
        e.float_is("alpha", 0.01f, double(N) / double(D));
    }
};
template <std::intmax_t N, std::intmax_t D>
struct OnnxOp<tn::ELU<N, D>> : NoWeights {
    static void check(Expect& e) {
        e.op("Elu");
        e.float_is("alpha", 1.f, double(N) / double(D));
    }
};
template <>
struct OnnxOp<tn::SELU> : NoWeights {
    static void check(Expect& e) {
        e.op("Selu");
        e.float_is("alpha", 1.67326319217681884765625f, tn::SELU::alpha);  // ONNX's defaults
        e.float_is("gamma", 1.05070102214813232421875f, tn::SELU::lambda);
    }
};

// typenet's Softmax is over the last axis. Before opset 13 ONNX's Softmax flattened
// the input to 2-D at `axis` (default 1); over the last axis that is the same.
template <>
struct OnnxOp<tn::Softmax> : NoWeights {
    static void check(Expect& e) {
        e.op("Softmax");
        e.ignore("axis");
        const auto rank = std::int64_t(e.onnx_rank());
        std::int64_t axis = e.node().int_or("axis", e.opset() >= 13 ? -1 : 1);
        if (axis < 0) axis += rank;
        if (axis != rank - 1)
            e.problem("axis " + std::to_string(axis) + " of a rank-" + std::to_string(rank) +
                      " input; typenet's Softmax is over the last axis");
    }
};

// Flatten keeps the batch axis: ONNX's axis 1, or axis 0 on one sample (output [1, n]).
template <>
struct OnnxOp<tn::Flatten> : NoWeights {
    static void check(Expect& e) {
        e.op("Flatten");
        e.ignore("axis");
        const auto rank = std::int64_t(e.onnx_rank());
        std::int64_t axis = e.node().int_or("axis", 1);
        if (axis < 0) axis += rank;
        const std::int64_t expected = e.batched() ? 1 : 0;
        if (axis != expected)
            e.problem("axis " + std::to_string(axis) + ", but Flatten on " + (e.batched() ? "a batch" : "one sample") +
                      " is axis " + std::to_string(expected));
    }
};

// Dense<N> is Gemm with alpha = beta = 1 and A untransposed: Y = A W^T + b, W [N, K].
// B is W itself when transB = 1 and is transposed into W when transB = 0 (the layout
// of the stored weight, not a different computation). C must be one bias per output:
// [N], [1, N], or a scalar / [1] broadcast to all N.
template <std::size_t N, class... Options>
struct OnnxOp<tn::Dense<N, Options...>> {
    static constexpr bool has_bias = !(std::is_same_v<Options, tn::NoBias> || ...);

    static void check(Expect& e) {
        e.op("Gemm");
        e.float_is("alpha", 1.f, 1.0);
        e.float_is("beta", 1.f, 1.0);
        e.int_is("transA", 0, 0);
        e.ignore("transB");  // either layout: see load()
    }
    static void load(const CaseData& c, Loader& l) {
        const onnx::Tensor* b = c.input(1);
        if (!b) return l.problem("the node has no B");
        const auto w = l.shape("weight");  // [N, K]
        if (c.node().int_or("transB", 0)) {
            l.set_exact("weight", *b);
        } else {
            const std::vector<std::int64_t> want{std::int64_t(w[1]), std::int64_t(w[0])};
            if (b->dims != want)
                return l.problem("B is " + dims_string(b->dims) + ", expected [K, N] = " + dims_string(want));
            const auto v = b->to_floats();
            std::vector<float> t(v.size());
            for (std::size_t k = 0; k < w[1]; ++k)
                for (std::size_t n = 0; n < w[0]; ++n) t[n * w[1] + k] = v[k * w[0] + n];
            l.set("weight", b->dims, t);
        }
        const onnx::Tensor* bias = c.input(2);
        if (!has_bias) {
            if (bias) l.problem("the node has a C, the layer has NoBias");
            return;
        }
        if (!bias) return l.problem("the node has no C; a Dense without bias is Dense<N, NoBias>");
        const auto n = std::int64_t(N);
        const auto& d = bias->dims;
        const bool row = d == std::vector<std::int64_t>{n} || d == std::vector<std::int64_t>{1, n};
        const bool scalar = bias->count() == 1 && d.size() <= 2;
        if (!row && !scalar)
            return l.problem("C is " + dims_string(d) + "; Dense's bias is one value per output, [" +
                             std::to_string(N) + "]");
        auto v = bias->to_floats();
        if (!row) v.assign(N, v[0]);
        l.set("bias", d, v);
    }
};

// BatchNorm in evaluation mode: inputs X, scale, B, mean, var.
template <class... Options>
struct OnnxOp<tn::BatchNorm<Options...>> {
    static void check(Expect& e) {
        e.op("BatchNormalization");
        e.float_is("epsilon", 1e-5f, tn::BatchNorm<Options...>::epsilon);
        e.ignore("momentum");  // moves running statistics in training only
        e.int_is("training_mode", 0, 0);
        e.int_is("spatial", 1, 1);  // opsets before 9
    }
    static void load(const CaseData& c, Loader& l) {
        const char* names[] = {"weight", "bias", "running_mean", "running_var"};
        for (std::size_t k = 0; k < 4; ++k) {
            const onnx::Tensor* t = c.input(k + 1);
            if (!t) return l.problem(std::string("the node has no input for ") + names[k]);
            l.set_exact(names[k], *t);
        }
    }
};

// --- The table -----------------------------------------------------------------------

using tn::Input, tn::Sequential;

const CaseEntry cases[] = {
    CASE("test_relu", Sequential<Input<3, 4, 5>, tn::ReLU>),
    CASE("test_sigmoid", Sequential<Input<3, 4, 5>, tn::Sigmoid>),
    CASE("test_sigmoid_example", Sequential<Input<3>, tn::Sigmoid>),
    CASE("test_tanh", Sequential<Input<3, 4, 5>, tn::Tanh>),
    CASE("test_tanh_example", Sequential<Input<3>, tn::Tanh>),
    CASE("test_leakyrelu", Sequential<Input<3, 4, 5>, tn::LeakyReLU<1, 10>>),
    CASE("test_leakyrelu_default", Sequential<Input<3, 4, 5>, tn::LeakyReLU<>>),
    CASE("test_leakyrelu_example", Sequential<Input<3>, tn::LeakyReLU<1, 10>>),
    CASE("test_elu", Sequential<Input<3, 4, 5>, tn::ELU<2>>),
    CASE("test_elu_default", Sequential<Input<3, 4, 5>, tn::ELU<>>),
    CASE("test_elu_example", Sequential<Input<3>, tn::ELU<2>>),
    CASE("test_selu_default", Sequential<Input<3, 4, 5>, tn::SELU>),
    CASE("test_softmax_default_axis", Sequential<Input<3, 4, 5>, tn::Softmax>),
    CASE("test_softmax_negative_axis", Sequential<Input<3, 4, 5>, tn::Softmax>),
    CASE("test_softmax_axis_2", Sequential<Input<3, 4, 5>, tn::Softmax>),
    CASE("test_softmax_example", Sequential<Input<3>, tn::Softmax>),
    CASE("test_softmax_large_number", Sequential<Input<4>, tn::Softmax>),
    CASE("test_flatten_axis1", Sequential<Input<3, 4, 5>, tn::Flatten>),
    CASE("test_flatten_default_axis", Sequential<Input<4, 3, 2>, tn::Flatten>),
    CASE("test_flatten_negative_axis3", Sequential<Input<3, 4, 5>, tn::Flatten>),
    CASE("test_flatten_axis0", Sequential<Input<2, 3, 4, 5>, tn::Flatten>),
    CASE("test_flatten_negative_axis4", Sequential<Input<2, 3, 4, 5>, tn::Flatten>),
    CASE("test_gemm_default_no_bias", Sequential<Input<10>, tn::Dense<3, tn::NoBias>>),
    CASE("test_gemm_default_vector_bias", Sequential<Input<7>, tn::Dense<4>>),
    CASE("test_gemm_default_zero_bias", Sequential<Input<5>, tn::Dense<4>>),
    CASE("test_gemm_default_scalar_bias", Sequential<Input<3>, tn::Dense<4>>),
    CASE("test_gemm_default_single_elem_vector_bias", Sequential<Input<7>, tn::Dense<3>>),
    CASE("test_gemm_transposeB", Sequential<Input<6>, tn::Dense<4>>),
    CASE("test_batchnorm_example", Sequential<Input<3, 4, 5>, tn::BatchNorm<>>),
    CASE("test_batchnorm_epsilon", Sequential<Input<3, 4, 5>, tn::BatchNorm<tn::Epsilon<1, 100>>>),
};

const SkipEntry skips[] = {
    SKIP("test_selu", "alpha=2, gamma=3: typenet's SELU has the fixed constants of Klambauer et al."),
    SKIP("test_selu_example", "alpha=2, gamma=3: typenet's SELU has the fixed constants of Klambauer et al."),
    SKIP("test_softmax_axis_0", "axis=0 of [3, 4, 5]: typenet's Softmax is over the last axis"),
    SKIP("test_softmax_axis_1", "axis=1 of [3, 4, 5]: typenet's Softmax is over the last axis"),
    SKIP("test_flatten_axis2", "axis=2: typenet's Flatten keeps only the batch axis"),
    SKIP("test_flatten_axis3", "axis=3: typenet's Flatten keeps only the batch axis"),
    SKIP("test_flatten_negative_axis1", "axis=-1: typenet's Flatten keeps only the batch axis"),
    SKIP("test_flatten_negative_axis2", "axis=-2: typenet's Flatten keeps only the batch axis"),
    SKIP("test_gemm_alpha", "alpha=0.5: Dense computes alpha = 1"),
    SKIP("test_gemm_beta", "beta=0.5: Dense computes beta = 1"),
    SKIP("test_gemm_all_attributes", "alpha=0.25, beta=0.35, transA=1: Dense computes alpha = beta = 1 on untransposed A"),
    SKIP("test_gemm_transposeA", "transA=1: the batch would be A's columns; Dense takes one sample per row"),
    SKIP("test_gemm_default_matrix_bias", "C is [3, 4], a bias per row and output; Dense's bias is one per output"),
    SKIP("test_batchnorm_example_training_mode",
         "training_mode=1: ONNX's running_var output is the biased batch variance, typenet (as PyTorch) keeps the "
         "unbiased one; the runner compares evaluation mode"),
    SKIP("test_batchnorm_epsilon_training_mode",
         "training_mode=1: ONNX's running_var output is the biased batch variance, typenet (as PyTorch) keeps the "
         "unbiased one; the runner compares evaluation mode"),
};

}  // namespace conformance

// --- The runner ------------------------------------------------------------------------

namespace {

using namespace conformance;

// The operators whose cases must each be in a table.
const std::set<std::string> covered_ops = {"Conv",  "MaxPool", "AveragePool", "GlobalAveragePool", "Gemm",
                                           "Relu",  "Sigmoid", "Tanh",        "Softmax",           "LeakyRelu",
                                           "Elu",   "Selu",    "BatchNormalization", "Flatten",
                                           "RNN",   "LSTM",    "GRU", "LayerNormalization"};
// Their layers are written elsewhere (onnx_cnn_cases.cpp is compiled when they exist).
const std::set<std::string> cnn_ops = {"Conv", "MaxPool", "AveragePool", "GlobalAveragePool"};

#if __has_include(<typenet/layers/conv2d.hpp>)
constexpr bool cnn_layers_built = true;
#else
constexpr bool cnn_layers_built = false;
#endif

// The graph's inputs that are not initializers are input_0.pb, input_1.pb, ... in order.
CaseData load_case(const fs::path& dir, const fs::path& set, onnx::Model model) {
    CaseData c;
    c.name = dir.filename().string();
    c.dir = dir;
    for (const auto& t : model.graph.initializers) c.tensors[t.name] = t;
    std::size_t k = 0;
    for (const auto& name : model.graph.inputs) {
        if (c.tensors.count(name)) continue;
        c.tensors[name] = onnx::read_tensor(set / ("input_" + std::to_string(k++) + ".pb"));
    }
    c.expected = onnx::read_tensor(set / "output_0.pb");
    // The graph's outputs are output_0.pb, output_1.pb, ... in order (a recurrent
    // node's Y and Y_h).
    for (std::size_t o = 0; o < model.graph.outputs.size(); ++o)
        c.outputs[model.graph.outputs[o]] = onnx::read_tensor(set / ("output_" + std::to_string(o) + ".pb"));
    c.model = std::move(model);
    return c;
}

template <class Entry>
const Entry* find_entry(std::span<const Entry> table, std::string_view name) {
    for (const auto& e : table)
        if (e.name == name) return &e;
    return nullptr;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<fs::path> roots;
    std::string filter;
    for (int a = 1; a < argc; ++a) {
        if (fs::is_directory(argv[a])) roots.emplace_back(argv[a]);
        else if (a == argc - 1 && a > 1) filter = argv[a];
        else {
            std::cerr << "onnx_conformance: " << argv[a] << " is not a directory (install libonnx-testdata)\n";
            return 2;
        }
    }
    if (roots.empty()) {
        roots.emplace_back("/usr/share/libonnx-testdata/data/node");
#ifdef TYPENET_TORCH_CASES_DIR
        roots.emplace_back(TYPENET_TORCH_CASES_DIR);  // PyTorch-made recurrent cases, in the source tree
#endif
        for (const auto& root : roots)
            if (!fs::is_directory(root)) {
                std::cerr << "onnx_conformance: " << root.string() << " is not a directory (install libonnx-testdata)\n";
                return 2;
            }
    }

    std::vector<CaseEntry> all_cases(std::begin(cases), std::end(cases));
    std::vector<SkipEntry> all_skips(std::begin(skips), std::end(skips));
#if __has_include(<typenet/layers/conv2d.hpp>)
    for (const auto& e : cnn_cases()) all_cases.push_back(e);
    for (const auto& e : cnn_skips()) all_skips.push_back(e);
#endif
    for (const auto& e : recurrent_cases()) all_cases.push_back(e);
    for (const auto& e : recurrent_skips()) all_skips.push_back(e);
    for (const auto& e : norm_cases()) all_cases.push_back(e);
    for (const auto& e : norm_skips()) all_skips.push_back(e);

    int passed = 0, failed = 0;
    std::vector<std::pair<std::string, std::string>> skipped;  // name, reason
    std::vector<std::string> errors;                          // table problems
    std::set<std::string_view> listed;
    for (const auto& c : all_cases)
        if (!listed.insert(c.name).second) errors.push_back(std::string(c.name) + ": listed twice");
    for (const auto& s : all_skips)
        if (!listed.insert(s.name).second) errors.push_back(std::string(s.name) + ": listed twice");

    std::vector<fs::path> dirs;
    for (const auto& root : roots)
        for (const auto& entry : fs::directory_iterator(root))
            if (entry.is_directory()) dirs.push_back(entry.path());
    std::sort(dirs.begin(), dirs.end(), [](const fs::path& a, const fs::path& b) { return a.filename() < b.filename(); });

    std::set<std::string> seen;

    for (const auto& dir : dirs) {
        const std::string name = dir.filename().string();
        if (!filter.empty() && name.find(filter) == std::string::npos) continue;
        onnx::Model model;
        try {
            model = onnx::read_model(dir / "model.onnx");
        } catch (const std::exception& e) {
            errors.push_back(name + ": cannot read the model: " + e.what());
            continue;
        }
        std::string op;
        for (const auto& n : model.graph.nodes)
            if (covered_ops.count(n.op_type)) op = n.op_type;
        if (op.empty()) continue;
        if (!seen.insert(name).second) {
            errors.push_back(name + ": a case of that name in two directories");
            continue;
        }

        const CaseEntry* c = find_entry<CaseEntry>(all_cases, name);
        const SkipEntry* s = find_entry<SkipEntry>(all_skips, name);
        if (model.graph.nodes.size() != 1) {
            // An expanded function (Celu as Elu + arithmetic, LayerNormalization as
            // Flatten + ...): a composite graph, not the operator itself.
            if (c || s) errors.push_back(name + ": a graph of " + std::to_string(model.graph.nodes.size()) +
                                         " nodes cannot be a table entry");
            else
                skipped.emplace_back(name, "a graph of " + std::to_string(model.graph.nodes.size()) +
                                               " nodes containing " + op + " (an expanded function), not one operator");
            continue;
        }
        if (!cnn_layers_built && cnn_ops.count(op)) {
            skipped.emplace_back(name, op + ": layer not built yet (tests/conformance/onnx_cnn_cases.cpp is compiled "
                                            "once typenet/layers/conv2d.hpp exists)");
            continue;
        }
        if (s) {
            skipped.emplace_back(name, std::string(s->reason));
            continue;
        }
        if (!c) {
            errors.push_back(name + ": a " + op + " case that is neither in the table nor skipped with a reason");
            continue;
        }

        CaseResult total;
        total.pass = true;
        int sets = 0;
        try {
            for (const auto& set : fs::directory_iterator(dir)) {
                if (!set.is_directory() || set.path().filename().string().rfind("test_data_set_", 0) != 0) continue;
                ++sets;
                const CaseResult r = c->run(load_case(dir, set.path(), model));
                total.max_error = std::max(total.max_error, r.max_error);
                if (!r.pass) {
                    total.pass = false;
                    total.problem = r.problem;
                    break;
                }
            }
            if (sets == 0) total = {false, 0, "no test_data_set_N directory"};
        } catch (const std::exception& e) {
            total = {false, 0, e.what()};
        }
        std::printf("%s %-48s max error %.3g%s%s\n", total.pass ? "PASS" : "FAIL", name.c_str(), total.max_error,
                    total.pass ? "" : ": ", total.problem.c_str());
        (total.pass ? passed : failed) += 1;
    }

    // Every table line must name a case of the data (a typo would otherwise pass).
    if (filter.empty()) {
        for (const auto& c : all_cases)
            if (!seen.count(std::string(c.name)))
                errors.push_back(std::string(c.name) + ": in the table, but no such case of a covered operator");
        for (const auto& s : all_skips)
            if (!seen.count(std::string(s.name)))
                errors.push_back(std::string(s.name) + ": in the skip list, but no such case of a covered operator");
    }

    std::printf("\n%zu skipped:\n", skipped.size());
    for (const auto& [name, reason] : skipped) std::printf("  %s: %s\n", name.c_str(), reason.c_str());
    for (const auto& e : errors) std::printf("ERROR %s\n", e.c_str());
    std::printf("\nONNX conformance: %d passed, %d failed, %zu skipped, %zu table errors (of %zu cases of %zu operators)\n",
                passed, failed, skipped.size(), errors.size(), seen.size(), covered_ops.size());
    return failed == 0 && errors.empty() ? 0 : 1;
}

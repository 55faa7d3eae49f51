// The conformance runner's machinery, shared by the table translation units
// (onnx_conformance.cpp: dense and element-wise layers; onnx_cnn_cases.cpp: conv
// and pooling; onnx_recurrent_cases.cpp: RNN, LSTM, GRU; onnx_norm_cases.cpp:
// LayerNorm). A case of ONNX's operator test data names the typenet model that should compute it:
//
//   CASE("test_relu", Sequential<Input<3, 4, 5>, ReLU>)
//
// run_case<Net> then checks, before computing anything, that the ONNX node is what
// the type says: its op_type and every attribute (an attribute the description does
// not know is a failure, so a wrong table entry fails loudly), and that the input
// tensor has the type's input shape, with or without a leading batch axis. It copies
// the node's weight inputs into the model's named parameters and buffers (each one
// must be set, with its exact shape), runs forward in evaluation mode and compares
// with output_0: |typenet - onnx| <= 1e-5 + 1e-4 |onnx| for every element.
//
// What a typenet layer means in ONNX terms is `OnnxOp<Spec>`: a specialisation per
// layer spec with
//   static void check(Expect& e)                         op_type and attributes
//   static void load(const CaseData&, Loader&)           weights and buffers (optional)
//   static Io io(const CaseData&)                        (optional) the data input and the
//                                                        output to compare, in typenet's
//                                                        layout, and per-sample lengths
// Without io(), the input is the node's input 0 as stored, the node must have one
// output, and output_0 is compared. With it the op chooses which of the node's outputs
// it computes (a recurrent layer's Y or Y_h) and its check() looks at the others.
#pragma once
#include <algorithm>
#include <concepts>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <map>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <typenet/io/onnx.hpp>
#include <typenet/model.hpp>

namespace conformance {

namespace onnx = tn::io::onnx;
namespace fs = std::filesystem;

// One case directory, read: the model's single node and its tensors by name (graph
// inputs from test_data_set_0/input_N.pb, in the graph's order, and initializers).
struct CaseData {
    std::string name;
    fs::path dir;
    onnx::Model model;
    std::map<std::string, onnx::Tensor> tensors;
    onnx::Tensor expected;  // output_0
    std::map<std::string, onnx::Tensor> outputs;  // every graph output, by name (output_N.pb)

    const onnx::Node& node() const { return model.graph.nodes.at(0); }
    // The node's input k, or null when absent (fewer inputs, or an empty name).
    const onnx::Tensor* input(std::size_t k) const {
        const auto& names = node().inputs;
        if (k >= names.size() || names[k].empty()) return nullptr;
        const auto it = tensors.find(names[k]);
        return it == tensors.end() ? nullptr : &it->second;
    }
    // The node's output k as the case's data gives it, or null when the node does not
    // produce it (an empty name) or the case holds no values for it.
    const onnx::Tensor* output(std::size_t k) const {
        const auto& names = node().outputs;
        if (k >= names.size() || names[k].empty()) return nullptr;
        const auto it = outputs.find(names[k]);
        return it == outputs.end() ? nullptr : &it->second;
    }
};

// What OnnxOp<Spec>::io() gives when a layer's layout differs from ONNX's (see the top).
struct Io {
    onnx::Tensor input;                  // [batch, typenet input shape...]
    onnx::Tensor expected;               // [batch, typenet output shape...]
    std::vector<std::uint32_t> lengths;  // one per sample, or empty: every sample full
    std::string problem;                 // why the case cannot be laid out so, "" when it can
};

struct CaseResult {
    bool pass = false;
    double max_error = 0;
    std::string problem;  // why it failed
};

inline std::string dims_string(const std::vector<std::int64_t>& dims) {
    std::string s = "[";
    for (std::size_t i = 0; i < dims.size(); ++i) s.append(i ? ", " : "").append(std::to_string(dims[i]));
    return s + "]";
}

// Collects disagreements between a node and what the typenet layer computes.
class Expect {
public:
    Expect(const onnx::Node& node, std::vector<std::int64_t> input_dims, bool batched, std::int64_t opset)
        : node_(node), input_dims_(std::move(input_dims)), batched_(batched), opset_(opset) {}

    const onnx::Node& node() const { return node_; }
    // Rank of the ONNX input tensor (the typenet input's rank, plus one with a batch axis).
    std::size_t onnx_rank() const { return input_dims_.size(); }
    const std::vector<std::int64_t>& input_dims() const { return input_dims_; }
    bool batched() const { return batched_; }
    std::int64_t opset() const { return opset_; }

    void op(std::string_view op_type) {
        if (node_.op_type != op_type)
            problem("op_type is " + node_.op_type + ", the typenet layer computes " + std::string(op_type));
    }
    void int_is(std::string_view name, std::int64_t fallback, std::int64_t expected) {
        known(name);
        const std::int64_t v = node_.int_or(name, fallback);
        if (v != expected) problem(attr(name) + " = " + std::to_string(v) + ", expected " + std::to_string(expected));
    }
    void float_is(std::string_view name, float fallback, double expected) {
        known(name);
        const float v = node_.float_or(name, fallback);
        if (std::abs(double(v) - expected) > 1e-6 * std::max(1.0, std::abs(expected)))
            problem(attr(name) + " = " + number(v) + ", expected " + number(expected));
    }
    void ints_are(std::string_view name, std::vector<std::int64_t> fallback, std::vector<std::int64_t> expected) {
        known(name);
        const auto v = node_.ints_or(name, std::move(fallback));
        if (v != expected) problem(attr(name) + " = " + dims_string(v) + ", expected " + dims_string(expected));
    }
    void string_is(std::string_view name, std::string fallback, std::string_view expected) {
        known(name);
        const auto v = node_.string_or(name, std::move(fallback));
        if (v != expected) problem(attr(name) + " = \"" + v + "\", expected \"" + std::string(expected) + "\"");
    }
    // An attribute that does not change what evaluation computes (BatchNorm's momentum).
    void ignore(std::string_view name) { known(name); }
    void problem(const std::string& p) { problems_.append(problems_.empty() ? "" : "; ").append(p); }

    // What disagrees, "" when nothing: every attribute of the node must have been
    // looked at.
    std::string finish() {
        for (const auto& a : node_.attributes)
            if (std::find(known_.begin(), known_.end(), a.name) == known_.end())
                problem("attribute " + a.name + " = " + a.to_string() + " is not part of the typenet layer's description");
        return problems_;
    }

private:
    void known(std::string_view name) { known_.emplace_back(name); }
    static std::string attr(std::string_view name) { return std::string(name); }
    static std::string number(double v) {
        std::ostringstream os;
        os << v;
        return os.str();
    }

    const onnx::Node& node_;
    std::vector<std::int64_t> input_dims_;
    bool batched_;
    std::int64_t opset_;
    std::vector<std::string> known_;
    std::string problems_;
};

// Copies ONNX tensors into a model's named parameters and buffers (the layer's own
// names: weight, bias, running_mean, ...), checking shapes, and remembers which it set.
class Loader {
public:
    Loader(std::vector<tn::NamedTensor> params, std::vector<tn::NamedTensor> buffers)
        : tensors_(std::move(params)) {
        for (auto& b : buffers) tensors_.push_back(std::move(b));
    }

    // `values` laid out as the typenet tensor `name` is (after any transposition).
    void set(std::string_view name, const std::vector<std::int64_t>& onnx_dims, const std::vector<float>& values) {
        tn::NamedTensor* t = find(name);
        if (!t) return problem("the model has no parameter or buffer named " + std::string(name));
        if (values.size() != t->values.size())
            return problem(std::string(name) + ": ONNX gives " + dims_string(onnx_dims) + " (" +
                           std::to_string(values.size()) + " values), the layer holds " +
                           std::to_string(t->values.size()));
        std::copy(values.begin(), values.end(), t->values.begin());
        set_.emplace_back(name);
    }
    // Exactly the shape of the typenet tensor.
    void set_exact(std::string_view name, const onnx::Tensor& x) {
        tn::NamedTensor* t = find(name);
        if (!t) return problem("the model has no parameter or buffer named " + std::string(name));
        std::vector<std::int64_t> want(t->shape.begin(), t->shape.end());
        if (x.dims != want)
            return problem(std::string(name) + ": ONNX gives " + dims_string(x.dims) + ", the layer's is " +
                           dims_string(want));
        set(name, x.dims, x.to_floats());
    }
    // The shape of a typenet tensor, for transforms.
    std::vector<std::size_t> shape(std::string_view name) {
        tn::NamedTensor* t = find(name);
        return t ? t->shape : std::vector<std::size_t>{};
    }
    void problem(const std::string& p) { problems_.append(problems_.empty() ? "" : "; ").append(p); }

    // Every parameter and buffer must have come from the ONNX case.
    std::string finish() {
        for (const auto& t : tensors_)
            if (std::find(set_.begin(), set_.end(), short_name(t.name)) == set_.end())
                problem(t.name + " was not set from any input of the node");
        return problems_;
    }

private:
    // 0.weight -> weight: a case's model has one layer.
    static std::string short_name(const std::string& full) {
        const auto dot = full.find('.');
        return dot == std::string::npos ? full : full.substr(dot + 1);
    }
    tn::NamedTensor* find(std::string_view name) {
        for (auto& t : tensors_)
            if (short_name(t.name) == name) return &t;
        return nullptr;
    }

    std::vector<tn::NamedTensor> tensors_;
    std::vector<std::string> set_;
    std::string problems_;
};

// What a layer spec means in ONNX; one specialisation per layer (see the top).
template <class Spec>
struct OnnxOp;

// Layers without weights: the node takes exactly its data input.
struct NoWeights {
    static void load(const CaseData& c, Loader& l) {
        if (c.node().inputs.size() != 1)
            l.problem("the node has " + std::to_string(c.node().inputs.size()) + " inputs, the layer takes one");
    }
};

template <class Net>
struct single_layer;
template <template <class...> class Container, class In, class Layer>
struct single_layer<Container<In, Layer>> {
    using type = Layer;
};

template <std::size_t... D>
std::vector<std::int64_t> dims_of(tn::Shape<D...>) {
    return {std::int64_t(D)...};
}

template <class Op>
concept HasIo = requires(const CaseData& c) {
    { Op::io(c) } -> std::same_as<Io>;
};

template <class Net>
CaseResult run_case(const CaseData& c) {
    using Layer = typename single_layer<Net>::type;
    using Op = OnnxOp<Layer>;
    using ModelT = tn::Model<Net>;
    static_assert(ModelT::valid, "a conformance case's network must be valid");
    CaseResult r;
    Io io;
    if constexpr (HasIo<Op>) {
        io = Op::io(c);
        if (!io.problem.empty()) return r.problem = io.problem, r;
    } else {
        if (const onnx::Tensor* x0 = c.input(0)) io.input = *x0;
        else return r.problem = "the node has no data input", r;
        io.expected = c.expected;
    }
    const onnx::Tensor* x = &io.input;
    if (x->data_type != onnx::DataType::FLOAT)
        return r.problem = "the input is " + onnx::data_type_name(x->data_type) + ", typenet computes FLOAT", r;

    // The input: [batch, typenet shape...], or the typenet shape alone (one sample).
    const auto in_dims = dims_of(typename ModelT::input_shape{});
    std::size_t batch = 1;
    bool batched = false;
    if (x->dims.size() == in_dims.size() + 1 && std::equal(in_dims.begin(), in_dims.end(), x->dims.begin() + 1)) {
        batch = std::size_t(x->dims[0]);
        batched = true;
    } else if (x->dims != in_dims) {
        return r.problem = "the input is " + dims_string(x->dims) + ", the model's Input is " + dims_string(in_dims) +
                           " (with or without a leading batch axis)",
               r;
    }
    if (!io.lengths.empty() && io.lengths.size() != batch)
        return r.problem = std::to_string(io.lengths.size()) + " lengths for a batch of " + std::to_string(batch), r;

    const onnx::Tensor* x_onnx = c.input(0);
    Expect expect(c.node(), x_onnx ? x_onnx->dims : x->dims, batched, c.model.opset_version());
    if (!HasIo<Op> && c.node().outputs.size() != 1)
        expect.problem("the node has " + std::to_string(c.node().outputs.size()) + " outputs; a layer computes one");
    Op::check(expect);
    if (auto p = expect.finish(); !p.empty()) return r.problem = p, r;

    ModelT model{tn::Seed{1}};
    Loader loader(model.named_parameters(), model.named_buffers());
    Op::load(c, loader);
    if (auto p = loader.finish(); !p.empty()) return r.problem = p, r;

    // The output: [batch, typenet output...], or without the batch axis for one sample.
    auto out_dims = dims_of(typename ModelT::output_shape{});
    std::vector<std::int64_t> batched_out{std::int64_t(batch)};
    batched_out.insert(batched_out.end(), out_dims.begin(), out_dims.end());
    // Axes of size 1 are layout, not data: GlobalAveragePool's [N, C, 1, 1] is [N, C].
    auto squeeze = [](std::vector<std::int64_t> d) {
        d.erase(std::remove(d.begin() + (d.empty() ? 0 : 1), d.end(), std::int64_t{1}), d.end());
        return d;
    };
    if (io.expected.dims != batched_out && !(!batched && io.expected.dims == out_dims) &&
        squeeze(io.expected.dims) != squeeze(batched_out))
        return r.problem = "ONNX's output is " + dims_string(io.expected.dims) + ", the model's is " +
                           dims_string(batched_out),
               r;

    const std::vector<float> in = x->to_floats();
    std::copy(in.begin(), in.end(), model.input(batch));
    if (!io.lengths.empty()) std::copy(io.lengths.begin(), io.lengths.end(), model.lengths(batch));
    const auto y = model.forward(batch, false);
    const std::vector<float> want = io.expected.to_floats();
    if (y.size() != want.size())
        return r.problem = "typenet gives " + std::to_string(y.size()) + " values, ONNX " + std::to_string(want.size()), r;
    bool ok = true;
    for (std::size_t i = 0; i < y.size(); ++i) {
        const double err = std::abs(double(y[i]) - double(want[i]));
        if (!(err <= 1e-5 + 1e-4 * std::abs(double(want[i])))) ok = false;  // a NaN fails too
        r.max_error = std::isnan(err) ? std::numeric_limits<double>::infinity() : std::max(r.max_error, err);
    }
    r.pass = ok;
    if (!ok) r.problem = "values differ beyond 1e-5 + 1e-4 |expected|";
    return r;
}

// A table entry: a case and the model that computes it, or a case and why not.
struct CaseEntry {
    std::string_view name;
    CaseResult (*run)(const CaseData&);
};
struct SkipEntry {
    std::string_view name, reason;
};

#define CASE(name, ...) ::conformance::CaseEntry{name, &::conformance::run_case<__VA_ARGS__>}
#define SKIP(name, reason) ::conformance::SkipEntry{name, reason}

// The CNN table (onnx_cnn_cases.cpp), present once the conv and pooling layers are.
std::span<const CaseEntry> cnn_cases();
std::span<const SkipEntry> cnn_skips();
// The recurrent table (onnx_recurrent_cases.cpp): RNN, LSTM, GRU.
std::span<const CaseEntry> recurrent_cases();
std::span<const SkipEntry> recurrent_skips();
// The normalisation table (onnx_norm_cases.cpp): LayerNormalization.
std::span<const CaseEntry> norm_cases();
std::span<const SkipEntry> norm_skips();

}  // namespace conformance

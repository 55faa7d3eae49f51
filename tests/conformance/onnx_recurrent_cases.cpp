// The conformance table of the recurrent layers: ONNX's RNN, LSTM and GRU cases
// (see onnx_runner.hpp for how a case runs).
//
// ONNX and typenet lay the same computation out differently, and OnnxOp<Spec> below
// translates:
//   X      ONNX [T, B, D] (layout = 0, the default) or [B, T, D] (layout = 1);
//          typenet [B, T, D]
//   Y      ONNX [T, dirs, B, H] or [B, T, dirs, H]: every position's state, which a
//          layer with ReturnSequences outputs as [B, T, H]
//   Y_h    ONNX [dirs, B, H] or [B, dirs, H]: the last state, a LastState layer's
//          [B, H]
//   W, R   ONNX [dirs, G*H, D] and [dirs, G*H, H], gate blocks in ONNX's order
//          (LSTM i, o, f, c; GRU z, r, h); typenet weight_ih_l0 [G*H, D] and
//          weight_hh_l0 [G*H, H] in PyTorch's (LSTM i, f, g, o; GRU r, z, n)
//   B      ONNX [dirs, 2*G*H]: W's biases then R's, absent meaning 0; typenet
//          bias_ih_l0 and bias_hh_l0
//   sequence_lens   per-sample lengths (Model::lengths)
// A layer computes one of Y and Y_h: ReturnSequences is compared with Y, and the
// case's Y_h, when the node has it, is checked to be Y at each sample's last
// position (so comparing Y covers it); LastState is compared with Y_h, and the node
// must not ask for Y.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include <typenet/core/sequential.hpp>
#include <typenet/layers/recurrent/bidirectional.hpp>
#include <typenet/layers/recurrent/gru.hpp>
#include <typenet/layers/recurrent/lstm.hpp>
#include <typenet/layers/recurrent/rnn.hpp>

#include "conformance/onnx_runner.hpp"

namespace conformance {

namespace recurrent {

// ONNX's operator for a typenet cell, and where typenet's gate block k is in ONNX's
// weights: ONNX block from_onnx[k].
template <class Spec>
struct Gates;
template <std::size_t H, class... O>
struct Gates<tn::RNN<H, O...>> {
    static constexpr const char* op = "RNN";
    static constexpr std::size_t count = 1;
    static constexpr std::array<std::size_t, 1> from_onnx{0};
    static constexpr std::size_t max_inputs = 6;  // X, W, R, B, sequence_lens, initial_h
};
template <std::size_t H, class... O>
struct Gates<tn::LSTM<H, O...>> {
    static constexpr const char* op = "LSTM";
    static constexpr std::size_t count = 4;
    // typenet i, f, g, o from ONNX i (0), o (1), f (2), c (3).
    static constexpr std::array<std::size_t, 4> from_onnx{0, 2, 3, 1};
    static constexpr std::size_t max_inputs = 8;  // ..., initial_c, P
};
template <std::size_t H, class... O>
struct Gates<tn::GRU<H, O...>> {
    static constexpr const char* op = "GRU";
    static constexpr std::size_t count = 3;
    // typenet r, z, n from ONNX z (0), r (1), h (2).
    static constexpr std::array<std::size_t, 3> from_onnx{1, 0, 2};
    static constexpr std::size_t max_inputs = 6;
};

// The node's inputs and outputs by position (ONNX's operator definitions).
enum InputIndex : std::size_t { X = 0, W = 1, R = 2, B = 3, SequenceLens = 4, InitialH = 5, InitialC = 6, P = 7 };
enum OutputIndex : std::size_t { Y = 0, Y_h = 1, Y_c = 2 };

// X's dims read with the node's layout: steps, batch, features.
struct Layout {
    bool batch_first = false;  // layout = 1
    std::int64_t T = 0, B = 0, D = 0;
    std::string problem;
};
inline Layout layout_of(const CaseData& c) {
    Layout l;
    l.batch_first = c.node().int_or("layout", 0) == 1;
    const onnx::Tensor* x = c.input(X);
    if (!x) return l.problem = "the node has no X", l;
    if (x->dims.size() != 3) return l.problem = "X is " + dims_string(x->dims) + ", not rank 3", l;
    l.T = l.batch_first ? x->dims[1] : x->dims[0];
    l.B = l.batch_first ? x->dims[0] : x->dims[1];
    l.D = x->dims[2];
    return l;
}

// A rank-3 [a, b, n] tensor as [b, a, n] (the two leading axes swapped).
inline onnx::Tensor swap_leading(const onnx::Tensor& t) {
    onnx::Tensor out = t;
    const auto a = std::size_t(t.dims[0]), b = std::size_t(t.dims[1]), n = std::size_t(t.dims[2]);
    out.dims = {t.dims[1], t.dims[0], t.dims[2]};
    const auto v = t.to_floats();
    out.floats.assign(v.size(), 0.f);
    out.int64s.clear();
    out.data_type = onnx::DataType::FLOAT;
    for (std::size_t i = 0; i < a; ++i)
        for (std::size_t j = 0; j < b; ++j)
            for (std::size_t k = 0; k < n; ++k) out.floats[(j * a + i) * n + k] = v[(i * b + j) * n + k];
    return out;
}

inline bool all_zero(const onnx::Tensor& t) {
    for (float v : t.to_floats())
        if (v != 0.f) return false;
    return true;
}

// Rows [G*H, K] from ONNX's blocks (starting at `offset` in `v`) into typenet's order.
template <std::size_t G>
std::vector<float> reorder(const std::vector<float>& v, std::size_t offset, const std::array<std::size_t, G>& from,
                           std::size_t H, std::size_t K) {
    std::vector<float> out(G * H * K);
    for (std::size_t k = 0; k < G; ++k)
        std::copy_n(v.begin() + std::ptrdiff_t(offset + from[k] * H * K), H * K, out.begin() + std::ptrdiff_t(k * H * K));
    return out;
}

// RNN, LSTM and GRU in ONNX terms (Dirs = 1), or Bidirectional<L, Concat> of one
// (Dirs = 2, ONNX's direction = "bidirectional"); the cells' own differences are in
// Gates.
template <class Spec, std::size_t H, bool LastState, std::size_t Dirs>
struct RecurrentOp {
    using G = Gates<Spec>;
    static constexpr std::size_t GH = G::count * H;
    static constexpr bool is_gru = std::string_view(G::op) == "GRU";
    static constexpr bool is_lstm = std::string_view(G::op) == "LSTM";
    static constexpr auto dirs = std::int64_t(Dirs);

    static void check(Expect& e) {
        const onnx::Node& n = e.node();
        e.op(G::op);
        e.int_is("hidden_size", -1, std::int64_t(H));
        // A reverse-only layer is not one typenet has; both directions are Bidirectional.
        e.string_is("direction", "forward", Dirs == 2 ? "bidirectional" : "forward");
        e.ignore("layout");  // either: a layout of X, Y and Y_h (io() transposes)
        if (const auto layout = n.int_or("layout", 0); layout != 0 && layout != 1)
            e.problem("layout = " + std::to_string(layout) + ", ONNX defines 0 and 1");
        // typenet computes ONNX's default activations (RNN tanh; LSTM sigmoid, tanh,
        // tanh; GRU sigmoid, tanh) without clipping. The reader does not keep a
        // STRINGS attribute's values, so any `activations` is refused rather than
        // trusted to name the defaults.
        for (const char* a : {"activations", "activation_alpha", "activation_beta", "clip"}) {
            e.ignore(a);
            if (const auto* at = n.find(a))
                e.problem(std::string(a) + " = " + at->to_string() + ": the layer computes ONNX's default " +
                          "activations, unclipped");
        }
        if constexpr (is_lstm) e.int_is("input_forget", 0, 0);  // coupled input and forget gates
        // GRU's linear_before_reset is checked in load(): = 0 is expressible only on
        // data where it computes what = 1 does.
        if constexpr (is_gru) e.ignore("linear_before_reset");

        const auto& outs = n.outputs;
        auto has = [&](std::size_t k) { return k < outs.size() && !outs[k].empty(); };
        if (outs.size() > (is_lstm ? 3u : 2u))
            e.problem("the node has " + std::to_string(outs.size()) + " outputs; " + G::op + " defines " +
                      (is_lstm ? "3" : "2"));
        if (LastState && has(Y)) e.problem("the node outputs Y; a LastState layer computes Y_h only (use ReturnSequences)");
        if (LastState && !has(Y_h)) e.problem("the node does not output Y_h, which a LastState layer computes");
        if (!LastState && !has(Y))
            e.problem("the node does not output Y, which a ReturnSequences layer computes (use LastState)");
        if (has(Y_c)) e.problem("the node outputs Y_c, the cell state, which a layer does not output");
    }

    static Io io(const CaseData& c) {
        Io io;
        const Layout l = layout_of(c);
        if (!l.problem.empty()) return io.problem = l.problem, io;
        io.input = l.batch_first ? *c.input(X) : swap_leading(*c.input(X));
        const auto T = std::size_t(l.T), B = std::size_t(l.B);

        if (const onnx::Tensor* s = c.input(SequenceLens)) {
            if (s->count() != B)
                return io.problem = "sequence_lens has " + std::to_string(s->count()) + " values for a batch of " +
                                    std::to_string(B),
                       io;
            for (const float v : s->to_floats()) {
                if (!(v >= 1 && v <= float(T)))
                    return io.problem = "a sequence_lens value is " + std::to_string(v) +
                                        "; typenet's lengths are 1 to " + std::to_string(T),
                           io;
                io.lengths.push_back(std::uint32_t(v));
            }
        }
        auto length = [&](std::size_t b) { return io.lengths.empty() ? T : std::size_t(io.lengths[b]); };

        // Y [T, dirs, B, H] or [B, T, dirs, H]; Y_h [dirs, B, H] or [B, dirs, H].
        // typenet: [B, T, dirs*H] and [B, dirs*H], each position forward's state then
        // backward's (Concat).
        const auto h = std::int64_t(H);
        const std::vector<std::int64_t> y_dims = l.batch_first ? std::vector<std::int64_t>{l.B, l.T, dirs, h}
                                                               : std::vector<std::int64_t>{l.T, dirs, l.B, h};
        const std::vector<std::int64_t> yh_dims =
            l.batch_first ? std::vector<std::int64_t>{l.B, dirs, h} : std::vector<std::int64_t>{dirs, l.B, h};
        auto y_at = [&](std::size_t t, std::size_t d, std::size_t b, std::size_t j) {
            return l.batch_first ? ((b * T + t) * Dirs + d) * H + j : ((t * Dirs + d) * B + b) * H + j;
        };
        auto yh_at = [&](std::size_t d, std::size_t b, std::size_t j) {
            return l.batch_first ? (b * Dirs + d) * H + j : (d * B + b) * H + j;
        };
        const onnx::Tensor* yh = c.output(Y_h);
        if (yh && yh->dims != yh_dims)
            return io.problem = "Y_h is " + dims_string(yh->dims) + ", expected " + dims_string(yh_dims), io;
        if (LastState) {
            if (!yh) return io.problem = "the case has no Y_h, which a LastState layer computes", io;
            const auto v = yh->to_floats();
            io.expected.data_type = onnx::DataType::FLOAT;
            io.expected.dims = {l.B, dirs * h};
            io.expected.floats.resize(B * Dirs * H);
            for (std::size_t b = 0; b < B; ++b)
                for (std::size_t d = 0; d < Dirs; ++d)
                    for (std::size_t j = 0; j < H; ++j) io.expected.floats[(b * Dirs + d) * H + j] = v[yh_at(d, b, j)];
            return io;
        }
        const onnx::Tensor* y = c.output(Y);
        if (!y) return io.problem = "the case has no Y, which a ReturnSequences layer computes (use LastState)", io;
        if (y->dims != y_dims) return io.problem = "Y is " + dims_string(y->dims) + ", expected " + dims_string(y_dims), io;
        const auto v = y->to_floats();
        io.expected.data_type = onnx::DataType::FLOAT;
        io.expected.dims = {l.B, l.T, dirs * h};
        io.expected.floats.resize(B * T * Dirs * H);
        for (std::size_t b = 0; b < B; ++b)
            for (std::size_t t = 0; t < T; ++t)
                for (std::size_t d = 0; d < Dirs; ++d)
                    for (std::size_t j = 0; j < H; ++j)
                        io.expected.floats[((b * T + t) * Dirs + d) * H + j] = v[y_at(t, d, b, j)];
        if (yh) {
            // Y_h must be Y at the position each direction ends: the sample's last
            // (forward) and 0 (backward). Then comparing Y covers it.
            const auto hs = yh->to_floats();
            for (std::size_t b = 0; b < B; ++b)
                for (std::size_t d = 0; d < Dirs; ++d)
                    for (std::size_t j = 0; j < H; ++j)
                        if (hs[yh_at(d, b, j)] != v[y_at(d == 0 ? length(b) - 1 : 0, d, b, j)])
                            return io.problem = "the case's Y_h is not Y where sample " + std::to_string(b) +
                                                "'s direction " + std::to_string(d) +
                                                " ends, so comparing Y would not cover it",
                                   io;
        }
        return io;
    }

    static void load(const CaseData& c, Loader& ld) {
        const onnx::Node& n = c.node();
        if (n.inputs.size() > G::max_inputs)
            return ld.problem("the node has " + std::to_string(n.inputs.size()) + " inputs; " + G::op + " defines " +
                              std::to_string(G::max_inputs));
        const Layout l = layout_of(c);
        if (!l.problem.empty()) return ld.problem(l.problem);
        const auto D = std::size_t(l.D);

        const onnx::Tensor* w = c.input(W);
        const onnx::Tensor* r = c.input(R);
        if (!w || !r) return ld.problem("the node has no W or no R");
        const std::vector<std::int64_t> w_dims{dirs, std::int64_t(GH), std::int64_t(D)};
        const std::vector<std::int64_t> r_dims{dirs, std::int64_t(GH), std::int64_t(H)};
        if (w->dims != w_dims) return ld.problem("W is " + dims_string(w->dims) + ", expected " + dims_string(w_dims));
        if (r->dims != r_dims) return ld.problem("R is " + dims_string(r->dims) + ", expected " + dims_string(r_dims));
        // B [dirs, 2*G*H]: per direction W's biases (Wb), then R's (Rb); absent, 0.
        std::vector<float> b(Dirs * 2 * GH, 0.f);
        const std::vector<std::int64_t> b_dims{dirs, std::int64_t(2 * GH)};
        if (const onnx::Tensor* bt = c.input(B)) {
            if (bt->dims != b_dims) return ld.problem("B is " + dims_string(bt->dims) + ", expected " + dims_string(b_dims));
            b = bt->to_floats();
        }
        const auto wv = w->to_floats(), rv = r->to_floats();
        for (std::size_t d = 0; d < Dirs; ++d) {
            // Direction 1 is Bidirectional's backward layer, PyTorch's _reverse names.
            const std::string suffix = d == 0 ? "" : "_reverse";
            ld.set("weight_ih_l0" + suffix, w->dims, reorder(wv, d * GH * D, G::from_onnx, H, D));
            ld.set("weight_hh_l0" + suffix, r->dims, reorder(rv, d * GH * H, G::from_onnx, H, H));
            ld.set("bias_ih_l0" + suffix, b_dims, reorder(b, d * 2 * GH, G::from_onnx, H, 1));
            ld.set("bias_hh_l0" + suffix, b_dims, reorder(b, d * 2 * GH + GH, G::from_onnx, H, 1));
        }

        // The layer starts from a zero state (a Stateful layer's carried state is not
        // something the runner loads) and has no peepholes.
        const bool zero_start = !c.input(InitialH) || all_zero(*c.input(InitialH));
        if (!zero_start) ld.problem("initial_h is not zero; the layer starts from a zero state");
        if (is_lstm && c.input(InitialC) && !all_zero(*c.input(InitialC)))
            ld.problem("initial_c is not zero; the layer starts from a zero state");
        if (is_lstm && c.input(P) && !all_zero(*c.input(P)))
            ld.problem("P (peephole weights) is not zero; LSTM has no peepholes");

        if constexpr (is_gru) {
            // typenet (as PyTorch) computes n = tanh(W_in x + b_in + r * (W_hn h + b_hn)),
            // ONNX's linear_before_reset = 1. With = 0, ONNX computes
            // tanh(W_in x + b_in + W_hn (r * h) + b_hn): the two agree when every step
            // starts from h = 0 (one step from a zero state) and b_hn = 0, since r then
            // multiplies 0 in both. On such data the case runs (it checks z, n's input
            // side and h's update, not r); on any other it is not expressible.
            const std::int64_t lbr = n.int_or("linear_before_reset", 0);
            if (lbr != 0 && lbr != 1) return ld.problem("linear_before_reset = " + std::to_string(lbr));
            if (lbr == 0) {
                bool b_hn_zero = true;  // Rb's h block, each direction
                for (std::size_t d = 0; d < Dirs; ++d)
                    for (std::size_t j = 0; j < H; ++j) b_hn_zero = b_hn_zero && b[d * 2 * GH + GH + 2 * H + j] == 0.f;
                if (l.T != 1 || !zero_start || !b_hn_zero)
                    ld.problem("linear_before_reset = 0 (ONNX's default): n = tanh(W_in x + b_in + W_hn (r * h) + "
                               "b_hn), where GRU computes PyTorch's r * (W_hn h + b_hn) (= 1); the two agree only "
                               "over one step from h = 0 with b_hn = 0, and this case has " +
                               std::to_string(l.T) + " steps" + (zero_start ? "" : ", a nonzero initial_h") +
                               (b_hn_zero ? "" : ", a nonzero b_hn"));
            }
        }
    }
};

// The ONNX operator of a layer spec; Bidirectional<L, Concat> of one is the same
// operator with both directions.
template <class Spec>
struct Op;
template <std::size_t H, class... O>
struct Op<tn::RNN<H, O...>> : RecurrentOp<tn::RNN<H, O...>, H, tn::RNN<H, O...>::options::last_state, 1> {};
template <std::size_t H, class... O>
struct Op<tn::LSTM<H, O...>> : RecurrentOp<tn::LSTM<H, O...>, H, tn::LSTM<H, O...>::options::last_state, 1> {};
template <std::size_t H, class... O>
struct Op<tn::GRU<H, O...>> : RecurrentOp<tn::GRU<H, O...>, H, tn::GRU<H, O...>::options::last_state, 1> {};
template <template <std::size_t, class...> class L, std::size_t H, class... O>
struct Op<tn::Bidirectional<L<H, O...>, tn::Concat, L<H, O...>>>
    : RecurrentOp<L<H, O...>, H, L<H, O...>::options::last_state, 2> {};

}  // namespace recurrent

template <std::size_t H, class... O>
struct OnnxOp<tn::RNN<H, O...>> : recurrent::Op<tn::RNN<H, O...>> {};
template <std::size_t H, class... O>
struct OnnxOp<tn::LSTM<H, O...>> : recurrent::Op<tn::LSTM<H, O...>> {};
template <std::size_t H, class... O>
struct OnnxOp<tn::GRU<H, O...>> : recurrent::Op<tn::GRU<H, O...>> {};
// Two directions of the same layer, concatenated: ONNX's direction = "bidirectional".
template <class L>
struct OnnxOp<tn::Bidirectional<L, tn::Concat, L>> : recurrent::Op<tn::Bidirectional<L, tn::Concat, L>> {};

using tn::Input, tn::Sequential, tn::RNN, tn::LSTM, tn::GRU, tn::LastState, tn::Bidirectional;

// Input<T, D>: ONNX's X is [T, B, D] unless layout = 1 ([B, T, D]).
const CaseEntry recurrent_table[] = {
    CASE("test_simple_rnn_defaults", Sequential<Input<1, 2>, RNN<4, LastState>>),
    CASE("test_simple_rnn_batchwise", Sequential<Input<1, 2>, RNN<4>>),
    CASE("test_simple_rnn_with_initial_bias", Sequential<Input<1, 3>, RNN<5, LastState>>),
    // No sequence_lens input despite the name: 2 steps for all 3 samples.
    CASE("test_rnn_seq_length", Sequential<Input<2, 3>, RNN<5, LastState>>),
    CASE("test_lstm_defaults", Sequential<Input<1, 2>, LSTM<3, LastState>>),
    CASE("test_lstm_batchwise", Sequential<Input<1, 2>, LSTM<7>>),
    CASE("test_lstm_with_initial_bias", Sequential<Input<1, 3>, LSTM<4, LastState>>),
    // linear_before_reset = 0, but one step from h = 0 with no b_hn: see load().
    CASE("test_gru_defaults", Sequential<Input<1, 2>, GRU<5, LastState>>),
    CASE("test_gru_batchwise", Sequential<Input<1, 2>, GRU<6>>),
    CASE("test_gru_with_initial_bias", Sequential<Input<1, 3>, GRU<3, LastState>>),

    // tests/conformance/torch_cases (make_torch_recurrent_cases.py): random weights in
    // ONNX's layout as PyTorch's exporter writes them, 4 steps, a batch of 3, outputs
    // from PyTorch; the _sequence_lens cases have lengths 4, 2, 3.
    CASE("test_torch_rnn", Sequential<Input<4, 3>, RNN<5>>),
    CASE("test_torch_rnn_sequence_lens", Sequential<Input<4, 3>, RNN<5, LastState>>),
    CASE("test_torch_lstm", Sequential<Input<4, 3>, LSTM<5>>),
    CASE("test_torch_lstm_sequence_lens", Sequential<Input<4, 3>, LSTM<5, LastState>>),
    CASE("test_torch_gru", Sequential<Input<4, 3>, GRU<5>>),
    CASE("test_torch_gru_sequence_lens", Sequential<Input<4, 3>, GRU<5, LastState>>),
    // bidirectional=True: ONNX's direction = "bidirectional", W [2, G*H, D].
    CASE("test_torch_lstm_bidirectional", Sequential<Input<4, 3>, Bidirectional<LSTM<5>>>),
    CASE("test_torch_gru_bidirectional_sequence_lens", Sequential<Input<4, 3>, Bidirectional<GRU<5, LastState>>>),
};

const SkipEntry recurrent_skip_table[] = {
    SKIP("test_lstm_with_peepholes",
         "peepholes P = 0.1 (o's p_o * c_t is nonzero even from a zero state); LSTM has no peepholes"),
    SKIP("test_gru_seq_length",
         "linear_before_reset = 0 (ONNX's default) over 2 steps with b_hn != 0: n = tanh(W_in x + b_in + W_hn (r * h) "
         "+ b_hn), where GRU computes PyTorch's r * (W_hn h + b_hn), ONNX's linear_before_reset = 1"),
};

std::span<const CaseEntry> recurrent_cases() { return recurrent_table; }
std::span<const SkipEntry> recurrent_skips() { return recurrent_skip_table; }

}  // namespace conformance

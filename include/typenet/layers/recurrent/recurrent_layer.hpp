// The engine that RNN, LSTM and GRU share: the time loop, lengths, state, the
// GEMMs. A cell (rnn.hpp, lstm.hpp, gru.hpp) supplies only the gate arithmetic of
// one step, forward and backward, as PyTorch defines it.
//
// Parameters, PyTorch's nn.RNN/LSTM/GRU layout and names (one layer, l0), G gates:
//   weight_ih_l0 [G*H, D], weight_hh_l0 [G*H, H], bias_ih_l0 [G*H], bias_hh_l0 [G*H]
// all drawn from U(-1/sqrt(H), 1/sqrt(H)), PyTorch's default.
//
// Forward for a batch of B samples of T steps (shapes per sample, batch outermost):
//   1. one GEMM for every step of every sample: gates [B*T, G*H] = X [B*T, D] W_ih^T
//      + the biases (b_ih, and whatever of b_hh the cell lets it fold in);
//   2. per step t, one GEMM for the whole batch: hg [B, G*H] = h_{t-1} [B, H] W_hh^T,
//      then one vectorised pass of the cell per sample over its gates.
// A sample stops at its length: past it, its state is carried unchanged (so the
// batch's GEMM keeps reading finite numbers) and its outputs are 0; the last state is
// then the one at position length-1. Steps beyond the batch's longest sample are not
// computed at all.
//
// The cache keeps per sample what backward needs: each step's activated gates
// [T, stride], the state *entering* each step [T, S] (row t holds h_{t-1}, so the
// rows line up with X's and dW_hh is one GEMM), and the final state [S].
//
// Threads: the GEMMs split their own work; with a few rows (generation at batch 1)
// the threads split W's rows between them instead (times_weights). The cells run
// on the calling thread: splitting them added two more barriers per step, which a
// shared machine turns into lost time slices.
//
// Backward (BPTT): per step, backwards, the cell turns the state's gradient into the
// gates' pre-activation gradients dG (input side) and dGh (hidden side; the same
// except for GRU's n gate), then one GEMM for the batch adds dGh_t W_hh to the
// gradient of h_{t-1}. Padded steps get dG = 0, which makes every later product
// ignore them. Then one GEMM each for dW_ih = dG^T X, dW_hh = dGh^T H_prev and
// dX = dG W_ih, and column sums for the biases.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "typenet/core/errors.hpp"
#include "typenet/core/layer.hpp"
#include "typenet/core/options.hpp"
#include "typenet/kernels/elementwise.hpp"
#include "typenet/kernels/for_each_sample.hpp"
#include "typenet/kernels/gemm.hpp"
#include "typenet/kernels/simd.hpp"
#include "typenet/layers/activations.hpp"
#include "typenet/layers/dense.hpp"  // detail::BiasActivation, the input GEMM's epilogue
#include "typenet/layers/recurrent/options.hpp"

namespace tn {
namespace detail {

// The rules, one error at a time (asserted in function bodies: core/errors.hpp).
template <class Spec, bool Ok>
constexpr auto check_recurrent_units() {
    static_assert(ZeroSizedLayer<Spec, Ok>::ok,
                  "RNN<H>, LSTM<H>, GRU<H>: H, the size of the hidden state, must be at least 1");
    return Ok;
}
template <class Spec, class Unknown, bool Ok>
constexpr auto check_recurrent_options() {
    static_assert(UnknownOption<Spec, Unknown, Ok>::ok,
                  "recurrent layer: unknown option; RNN, LSTM and GRU take ReturnSequences, LastState and Stateful");
    return Ok;
}
template <class Spec, bool Ok>
constexpr auto check_recurrent_conflict() {
    static_assert(ConflictingOptions<Spec, ReturnSequences, LastState, Ok>::ok,
                  "recurrent layer: ReturnSequences (output [T, H]) and LastState (output [H]) contradict each "
                  "other; give one");
    return Ok;
}
template <class Spec, class In, bool Ok>
constexpr auto check_recurrent_input() {
    static_assert(NeedsSequence<Spec, typename got_of<In>::type, Ok>::ok,
                  "a recurrent layer reads a sequence [T, D] (rank 2: T steps of D features); start with "
                  "Input<T, D>, or Tokens<T> and Embedding<V, D>");
    return Ok;
}

// U(-1/sqrt(H), 1/sqrt(H)) for every weight and bias, as torch.nn.RNNBase.reset_parameters.
inline void fill_recurrent_uniform(float* p, std::size_t n, std::size_t hidden, Rng& rng) {
    const float a = 1.f / std::sqrt(float(hidden));
    for (std::size_t i = 0; i < n; ++i) p[i] = rng.uniform(-a, a);
}

// Cell: the gate arithmetic (see rnn.hpp for the interface). Opts: RecurrentOptions.
template <class Spec, class In, class Cell, std::size_t H, class Opts>
struct RecurrentLayer {
    static constexpr bool units_ok = H > 0;
    static constexpr bool options_ok = std::is_void_v<typename Opts::unknown_option>;
    static constexpr bool conflict_ok = !Opts::conflicting;
    static constexpr bool is_sequence = In::rank == 2;
    using units_rule = decltype(check_recurrent_units<Spec, units_ok>());
    using option_rule = decltype(check_recurrent_options<Spec, typename Opts::unknown_option, options_ok || !units_ok>());
    using conflict_rule = decltype(check_recurrent_conflict<Spec, conflict_ok || !units_ok || !options_ok>());
    using input_rule =
        decltype(check_recurrent_input<Spec, In, is_sequence || !units_ok || !options_ok || !conflict_ok>());
    static constexpr bool valid = units_ok && options_ok && conflict_ok && is_sequence;

    static constexpr std::size_t T = In::dims[0];
    static constexpr std::size_t D = is_sequence ? In::dims[1] : 1;
    static constexpr std::size_t G = Cell::gates;
    static constexpr std::size_t GH = G * H;
    static constexpr std::size_t GS = Cell::stride;  // cache floats per step (>= GH)
    static constexpr std::size_t S = Cell::state;    // state floats: h, then c for LSTM
    static constexpr bool last_state = Opts::last_state;
    static constexpr bool stateful = Opts::stateful;
    static constexpr bool is_recurrent = true;

    using input_shape = In;
    using output_shape = checked_shape_t<valid, std::conditional_t<last_state, Shape<H>, Shape<T, H>>>;

    // Parameter offsets, PyTorch's order.
    static constexpr std::size_t w_ih = 0, w_hh = GH * D, b_ih = w_hh + GH * H, b_hh = b_ih + GH;
    static constexpr std::size_t param_count = b_hh + GH;
    // Per sample: gates [T, GS], entering states [T, S], final state [S].
    static constexpr std::size_t cache_size = T * GS + T * S + S;
    // Forward: hg [GH] and the folded bias; backward: dG [T, GH] (and dGh for GRU),
    // the state's gradient [S].
    static constexpr std::size_t gradient_buffers = Cell::split_hidden_gradient ? 2 : 1;
    static constexpr std::size_t workspace_size = std::max(2 * GH, gradient_buffers * T * GH + S);
    static constexpr std::size_t state_size = stateful ? S : 0;

    static std::string name() { return Spec::name(); }

    template <class F>
    static void for_each_param(F&& f) {
        f(std::string("weight_ih_l0"), w_ih, std::vector<std::size_t>{GH, D});
        f(std::string("weight_hh_l0"), w_hh, std::vector<std::size_t>{GH, H});
        f(std::string("bias_ih_l0"), b_ih, std::vector<std::size_t>{GH});
        f(std::string("bias_hh_l0"), b_hh, std::vector<std::size_t>{GH});
    }
    static void init(float* params, Rng& rng) { fill_recurrent_uniform(params, param_count, H, rng); }
    // Weight penalties reach the two weight matrices, not the biases (as Dense's).
    template <class F>
    static void for_each_weight(F&& f) {
        f(std::size_t{0}, b_ih, Regularization{});
    }

    // Steps that any sample of the batch reaches.
    static std::size_t steps_of(const Pass& p) {
        if (!p.lengths) return T;
        std::size_t steps = 1;
        for (std::size_t b = 0; b < p.batch; ++b) steps = std::max(steps, length_of(p, b, T));
        return steps;
    }

    static void forward(const Pass& p, const float* params, const float* x, float* y, float* cache,
                        float* workspace) {
        using kernels::Transpose;
        const std::size_t B = p.batch;
        float* gates = cache;                 // [B, T, GS]
        float* prev = cache + B * T * GS;     // [B, T, S]: the state entering step t
        float* last = prev + B * T * S;       // [B, S]
        float* hg = workspace;                // [B, GH]
        float* bias = workspace + B * GH;     // [GH]
        // b_ih, plus the part of b_hh that is added before any nonlinearity.
        for (std::size_t j = 0; j < GH; ++j)
            bias[j] = params[b_ih + j] + (j < Cell::folded_hidden_bias ? params[b_hh + j] : 0.f);
        // 1. Every step's input side at once: gates[:, :GH] = X W_ih^T + bias.
        times_weights(B * T, D, x, D, params + w_ih, gates, GS, bias);
        for (std::size_t b = 0; b < B; ++b) {
            float* start = prev + b * T * S;
            if constexpr (stateful) std::copy_n(p.state + b * p.state_stride, S, start);
            else std::fill_n(start, S, 0.f);
        }
        // 2. The recurrence. W_hh^T is packed for the GEMM once here, not at every step.
        const std::size_t steps = steps_of(p);
        const bool prepacked = B > few_rows;
        if (prepacked) packed_weights().pack(Transpose::Yes, H, GH, params + w_hh, H);
        for (std::size_t t = 0; t < T; ++t) {
            if (t < steps && prepacked) kernels::gemm(Transpose::No, B, prev + t * S, T * S, packed_weights(), 0.f, hg, GH);
            else if (t < steps) times_weights(B, H, prev + t * S, T * S, params + w_hh, hg, GH, nullptr);
            for (std::size_t b = 0; b < B; ++b) {
                const float* now = prev + (b * T + t) * S;
                float* next = t + 1 < T ? prev + (b * T + t + 1) * S : last + b * S;
                const bool active = t < length_of(p, b, T);
                if (active) Cell::forward(hg + b * GH, params + b_hh, gates + (b * T + t) * GS, now, next);
                else std::copy_n(now, S, next);
                if constexpr (!last_state) {
                    float* out = y + (b * T + t) * H;
                    if (active) std::copy_n(next, H, out);
                    else std::fill_n(out, H, 0.f);
                }
            }
        }
        for (std::size_t b = 0; b < B; ++b) {
            if constexpr (last_state) std::copy_n(last + b * S, H, y + b * H);
            if constexpr (stateful) std::copy_n(last + b * S, S, p.state + b * p.state_stride);
        }
    }

    // A batch of at most this many rows multiplies by W_hh as a matrix-vector product
    // (times_weights), with no packing to save.
    static constexpr std::size_t few_rows = 4;
    // W_hh packed as the per-step GEMM reads it (kernels::PackedB), once per forward
    // (W_hh^T) and once per backward (W_hh): per thread, and per layer type, whose
    // calls run one after another.
    static kernels::PackedB& packed_weights() {
        thread_local kernels::PackedB packed;
        return packed;
    }

    // C [M, GH] = A [M, K] W^T (W [GH, K]), plus bias when given. A few rows (generation,
    // batch-1 inference) make it a matrix-vector product bound by reading W, and
    // LSTM<256>'s weights (1.5 MB over 128 features) overflow one core's L2 but not
    // two: the threads then split W's rows, each always the same ones, so each
    // core's share stays in its L2 from step to step. The split is on vector
    // boundaries and every output is computed by the same instructions whichever
    // thread does it: results do not depend on the thread count.
    static void times_weights(std::size_t M, std::size_t K, const float* A, std::size_t lda, const float* W, float* C,
                              std::size_t ldc, const float* bias) {
        using kernels::Transpose;
        auto part = [&](std::size_t j0, std::size_t n) {
            if (bias)
                kernels::gemm(Transpose::No, Transpose::Yes, M, n, K, A, lda, W + j0 * K, K, 0.f, C + j0, ldc,
                              BiasActivation<Identity, true>{bias + j0});
            else
                kernels::gemm(Transpose::No, Transpose::Yes, M, n, K, A, lda, W + j0 * K, K, 0.f, C + j0, ldc);
        };
        const int threads = M <= few_rows ? tn::detail::kernel_threads(GH / simd::width) : 1;
        if (threads <= 1) return part(0, GH);
        const std::size_t share = (GH / std::size_t(threads) + simd::width - 1) / simd::width * simd::width;
        kernels::parallel_items(std::size_t(threads), threads, [&](std::size_t i, std::size_t) {
            const std::size_t j0 = std::min(GH, i * share);
            if (j0 < GH) part(j0, std::min(share, GH - j0));
        });
    }

    static void backward(const Pass& p, const float* params, const float* x, const float*, const float* dy,
                         float* dx, float* dparams, const float* cache, float* workspace) {
        using kernels::Transpose;
        const std::size_t B = p.batch;
        const float* gates = cache;
        const float* prev = cache + B * T * GS;
        float* dg = workspace;                                                       // [B, T, GH]
        float* dgh = Cell::split_hidden_gradient ? dg + B * T * GH : dg;              // [B, T, GH]
        float* carry = workspace + gradient_buffers * B * T * GH;                     // [B, S]
        for (std::size_t b = 0; b < B; ++b) {
            float* c = carry + b * S;
            std::fill_n(c, S, 0.f);
            if constexpr (last_state) std::copy_n(dy + b * H, H, c);
        }
        const std::size_t steps = steps_of(p);
        kernels::PackedB& w = packed_weights();
        if (steps > 1) w.pack(Transpose::No, GH, H, params + w_hh, H);
        for (std::size_t t = T; t-- > 0;) {
            for (std::size_t b = 0; b < B; ++b) {
                const std::size_t row = b * T + t;
                if (t >= length_of(p, b, T)) {  // padding: no gradient, the carry passes
                    std::fill_n(dg + row * GH, GH, 0.f);
                    if constexpr (Cell::split_hidden_gradient) std::fill_n(dgh + row * GH, GH, 0.f);
                    continue;
                }
                float* c = carry + b * S;
                if constexpr (!last_state) kernels::add_into(c, dy + row * H, H);
                Cell::backward(gates + row * GS, prev + row * S, c, dg + row * GH, dgh + row * GH);
            }
            // d h_{t-1} += dGh_t W_hh; not needed before step 0 (the start is a constant).
            if (t > 0 && t < steps)
                kernels::gemm(Transpose::No, B, dgh + t * GH, T * GH, w, 1.f, carry, S);
        }
        const std::size_t rows = B * T;
        // dW_ih [GH, D] = dG^T X;  dW_hh [GH, H] = dGh^T H_prev;  biases: column sums.
        kernels::gemm(Transpose::Yes, Transpose::No, GH, D, rows, dg, GH, x, D, 0.f, dparams + w_ih, D);
        kernels::gemm(Transpose::Yes, Transpose::No, GH, H, rows, dgh, GH, prev, S, 0.f, dparams + w_hh, H);
        kernels::column_sums(dg, rows, GH, dparams + b_ih);
        kernels::column_sums(dgh, rows, GH, dparams + b_hh);
        // dX [rows, D] = dG W_ih; 0 at padding, since dG is.
        if (dx) kernels::gemm(Transpose::No, Transpose::No, rows, D, GH, dg, GH, params + w_ih, D, 0.f, dx, D);
    }
};

}  // namespace detail
}  // namespace tn

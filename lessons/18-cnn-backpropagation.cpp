// Lesson 18: backpropagation in CNNs
// ==================================
//
// Lesson 04 opened the backward pass of a dense network. A CNN adds two kinds of
// layer, convolution and pooling; this lesson opens their backward passes, checks
// every gradient of a small CNN against finite differences, and then uses the
// gradient for something besides training: a saliency map, which pixels of a digit
// the trained network's answer depends on.
//
// Convolution as a matrix product (im2col). A Conv2D with F filters of C x kh x kw
// copies every kh x kw patch of every input channel into one column of a matrix
// X_col [C kh kw, OH OW]; the filters are the rows of W [F, C kh kw]. Then
//
//     Y      = W . X_col + b                    [F, OH OW]   (forward)
//     dW     = dY . X_col^T                     [F, C kh kw] (summed over the batch)
//     db     = row sums of dY                   [F]
//     dX_col = W^T . dY                         [C kh kw, OH OW]
//     dX     = col2im(dX_col)                   [C, H, W]
//
// which is exactly a dense layer's backward pass (lesson 04: g_W = g_z^T x,
// g_x = g_z W), with X_col in place of x. col2im *adds* each column back onto the
// pixels it was copied from: a pixel belongs to up to kh kw patches, and its
// gradient is the sum of what each patch sends back. Written out, one weight's
// gradient is
//
//     dL/dW[f][c][i][j] = sum over output positions (oh, ow) of dY[f][oh][ow] X[c][oh + i][ow + j]
//
// the input, shifted by (i, j), weighted by the output's gradient: weight sharing
// means every position's gradient adds into the same weight.
//
// Pooling has no parameters; its backward only routes dY back to the input:
//   - MaxPool: the output was one input of the window, the largest; only that input
//     affects the output, so the whole gradient goes there (the forward pass keeps
//     the winner's index) and the other inputs of the window get 0;
//   - AvgPool: each of the k x k inputs counts 1 / k^2 in the mean, so each gets
//     dY / k^2, spread evenly over the window.
//
// The lesson:
//   1. a worked example: a 5x5 patch of a digit, one 3x3 kernel; the gradient of
//      one weight by hand from the formula, by backward(), and by finite
//      differences; the input's gradient by col2im;
//   2. pooling's backward on a 4x4 example: MaxPool to the argmax, AvgPool spread;
//   3. a gradient check of a small CNN (conv, ReLU, MaxPool, conv, ReLU, AvgPool,
//      dense) on MNIST digits: every parameter tensor and the input's gradient
//      against central finite differences, a table of relative errors per tensor;
//   4. a short training of a small CNN, and saliency maps of test digits.
//
// Run:  build/release/lessons/18-cnn-backpropagation [--smoke] [--out DIR]
//       (after scripts/fetch-data.sh mnist). The full run takes 50 s of CPU time,
//       2 min 40 s of wall time on the shared 2-core machine at load 7 (the gradient
//       check a quarter of it, one epoch on 30,000 digits the rest); --smoke 5 s.
// Writes: out/18-cnn-backpropagation/gradient-check.svg (error against step size),
//         saliency-K-digit-D.png for 8 test digits, and saliency.png (all of them).

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include <typenet/data/mnist.hpp>
#include <typenet/image/grid.hpp>
#include <typenet/image/io.hpp>
#include <typenet/image/saliency.hpp>
#include <typenet/plot/line_chart.hpp>
#include <typenet/typenet.hpp>

#include "lesson.hpp"

using namespace tn;

// ---------------------------------------------------------------------------------
// The networks
// ---------------------------------------------------------------------------------
//
// 1. One convolution, one filter: a 5x5 input gives a 3x3 output (5 - 3 + 1).
using OneConv = Sequential<Input<1, 5, 5>, Conv2D<1, Kernel<3>>>;
static_assert(std::is_same_v<OneConv::output_shape, Shape<1, 3, 3>>);
static_assert(OneConv::param_count == 9 + 1);

// 2. The two pools alone (no parameters at all).
using MaxOnly = Sequential<Input<1, 4, 4>, MaxPool<2>>;
using AvgOnly = Sequential<Input<1, 4, 4>, AvgPool<2>>;
static_assert(std::is_same_v<MaxOnly::output_shape, Shape<1, 2, 2>>);

// 3. The network whose gradients we check: every layer kind of a CNN once.
//
//   Input<1, 28, 28>                         1 x 28 x 28
//   Conv2D<4, Kernel<3>>, ReLU               4 x 26 x 26     4 x 9 + 4        =   40
//   MaxPool<2>                               4 x 13 x 13
//   Conv2D<8, Kernel<3>>, ReLU               8 x 11 x 11     8 x 36 + 8       =  296
//   AvgPool<2>                               8 x 5 x 5       (the last row and column are dropped)
//   Flatten, Dense<10>                       10              200 x 10 + 10    = 2010
//
// The biases start at 0.1 instead of 0: MNIST's background is exactly 0, so with
// zero biases every background position of the first convolution would sit exactly
// on ReLU's kink (z = 0), where the derivative is undefined and a finite difference
// measures half of the slope. A gradient check needs a point where the function is
// differentiable.
using Bias01 = BiasInit<Constant<1, 10>>;
using CheckNet = Sequential<Input<1, 28, 28>,                               //
                            Conv2D<4, Kernel<3>, Bias01>, ReLU, MaxPool<2>,  //
                            Conv2D<8, Kernel<3>, Bias01>, ReLU, AvgPool<2>,  //
                            Flatten, Dense<10, Bias01>>;
static_assert(std::is_same_v<CheckNet::output_shape, Shape<10>>);
static_assert(CheckNet::param_count == 40 + 296 + 2010);

// 4. The network we train for the saliency maps: two conv-pool blocks.
using SmallCnn = Sequential<Input<1, 28, 28>,                                     //
                            Conv2D<16, Kernel<3>, Same>, ReLU, MaxPool<2>,         //
                            Conv2D<32, Kernel<3>, Same>, ReLU, MaxPool<2>,         //
                            Flatten, Dense<10>>;
static_assert(SmallCnn::param_count == (16 * 9 + 16) + (32 * 144 + 32) + (32 * 7 * 7 * 10 + 10));

namespace {

void print_grid(const char* title, const double* v, std::size_t rows, std::size_t cols) {
    std::printf("\n  %s\n", title);
    for (std::size_t r = 0; r < rows; ++r) {
        std::printf("   ");
        for (std::size_t c = 0; c < cols; ++c) std::printf(" %+7.3f", v[r * cols + c]);
        std::printf("\n");
    }
}

template <class T>
std::vector<double> to_double(std::span<T> values) {
    return {values.begin(), values.end()};
}

// L = 1/2 sum Y^2 in double, from the model's float output: a loss that asks the
// filter to respond less everywhere; its gradient is dY = Y.
double half_sum_of_squares(std::span<const float> y) {
    double s = 0;
    for (float v : y) s += 0.5 * double(v) * double(v);
    return s;
}

// Softmax cross-entropy, the mean over the batch, summed in double from the float
// logits (the model computes the forward pass in float; the loss adds no rounding of
// its own on top).
double cross_entropy(std::span<const float> logits, const std::vector<float>& labels) {
    double total = 0;
    const std::size_t classes = logits.size() / labels.size();
    for (std::size_t b = 0; b < labels.size(); ++b) {
        const float* z = logits.data() + b * classes;
        const double m = *std::max_element(z, z + classes);
        double sum = 0;
        for (std::size_t k = 0; k < classes; ++k) sum += std::exp(double(z[k]) - m);
        total += m + std::log(sum) - double(z[std::size_t(labels[b])]);
    }
    return total / double(labels.size());
}

// ---------------------------------------------------------------------------------
// 1. A worked example: one 3x3 kernel on a 5x5 patch of a digit
// ---------------------------------------------------------------------------------
struct WorkedExample {
    double weight_by_hand = 0, weight_by_backward = 0, weight_by_differences = 0;
    double worst_dw = 0, worst_dx = 0;
};

WorkedExample worked_conv_example(const Dataset& digits) {
    std::printf("\n== 1. A worked example: Conv2D<1, Kernel<3>> on a 5x5 patch of a digit\n");
    // The 5x5 patch of the first test digit with the most contrast: an edge of a stroke.
    std::vector<float> digit(28 * 28);
    digits.copy_input(0, digit.data());
    std::size_t best_r = 0, best_c = 0;
    double best = -1;
    for (std::size_t r = 0; r + 5 <= 28; ++r)
        for (std::size_t c = 0; c + 5 <= 28; ++c) {
            double s = 0, s2 = 0;
            for (std::size_t i = 0; i < 5; ++i)
                for (std::size_t j = 0; j < 5; ++j) {
                    const double v = digit[(r + i) * 28 + c + j];
                    s += v, s2 += v * v;
                }
            const double var = s2 / 25 - (s / 25) * (s / 25);
            if (var > best) best = var, best_r = r, best_c = c;
        }
    Model<OneConv> net{Seed{18}};
    float* x_in = net.input(1);
    std::vector<double> X(25);
    for (std::size_t i = 0; i < 5; ++i)
        for (std::size_t j = 0; j < 5; ++j)
            X[i * 5 + j] = x_in[i * 5 + j] = digit[(best_r + i) * 28 + best_c + j];
    std::printf("  the patch at row %zu, column %zu of test digit 0 (a %d); pixels in [0, 1]\n", best_r, best_c,
                int(digits.targets[0]));
    print_grid("X [5 x 5]", X.data(), 5, 5);

    // A hand-set kernel, so the numbers can be followed: a vertical-edge (Sobel)
    // filter, scaled by 1/4, and no bias.
    const float sobel[9] = {1, 0, -1, 2, 0, -2, 1, 0, -1};
    auto weight = net.parameter("0.weight");
    for (std::size_t k = 0; k < 9; ++k) weight.values[k] = sobel[k] / 4.f;
    net.parameter("0.bias").values[0] = 0.f;
    const std::vector<double> W = to_double(weight.values);
    print_grid("W [3 x 3]  (0.weight: a vertical-edge filter)", W.data(), 3, 3);

    // im2col: column (oh, ow) holds the patch under the kernel at that position,
    // row (i, j) the pixel under kernel entry (i, j).
    std::vector<double> X_col(9 * 9);
    for (std::size_t i = 0; i < 3; ++i)
        for (std::size_t j = 0; j < 3; ++j)
            for (std::size_t oh = 0; oh < 3; ++oh)
                for (std::size_t ow = 0; ow < 3; ++ow) X_col[(i * 3 + j) * 9 + oh * 3 + ow] = X[(oh + i) * 5 + ow + j];
    print_grid("X_col [9 x 9]  (row: kernel entry (i, j); column: output position (oh, ow))", X_col.data(), 9, 9);

    // Forward: Y = W . X_col (1 x 9 times 9 x 9), then the loss L = 1/2 sum Y^2.
    std::vector<double> Y(9, 0.0);
    for (std::size_t p = 0; p < 9; ++p)
        for (std::size_t k = 0; k < 9; ++k) Y[p] += W[k] * X_col[k * 9 + p];
    print_grid("Y = W . X_col  [3 x 3]", Y.data(), 3, 3);
    const auto model_y = net.forward(1);
    double worst_y = 0;
    for (std::size_t p = 0; p < 9; ++p) worst_y = std::max(worst_y, std::abs(Y[p] - double(model_y[p])));
    std::printf("  the model's forward agrees to %.1e\n", worst_y);

    // Backward. L = 1/2 sum Y^2, so dY = Y.
    const std::vector<double>& dY = Y;
    std::printf("\n  L = 1/2 sum Y^2 = %.6f, so dY = Y\n", half_sum_of_squares(model_y));
    std::vector<double> dW(9, 0.0);
    for (std::size_t k = 0; k < 9; ++k)
        for (std::size_t p = 0; p < 9; ++p) dW[k] += dY[p] * X_col[k * 9 + p];
    print_grid("dW = dY . X_col^T  [3 x 3]", dW.data(), 3, 3);

    // One weight term by term: W[0][2], the kernel's top-right entry. It multiplies
    // X[oh][ow + 2] at every output position (oh, ow).
    WorkedExample ex;
    std::printf("\n  one weight, W[0][2]: dL/dW[0][2] = sum over (oh, ow) of dY[oh][ow] * X[oh][ow + 2]\n");
    for (std::size_t oh = 0; oh < 3; ++oh)
        for (std::size_t ow = 0; ow < 3; ++ow) {
            const double term = dY[oh * 3 + ow] * X[oh * 5 + ow + 2];
            ex.weight_by_hand += term;
            std::printf("    (%zu, %zu): %+8.4f * %6.3f = %+9.5f\n", oh, ow, dY[oh * 3 + ow], X[oh * 5 + ow + 2],
                        term);
        }
    std::printf("    sum, by hand:               %+.6f\n", ex.weight_by_hand);

    // The model's backward, with d_input so that it also computes dL/dX.
    std::vector<float> d_out(model_y.begin(), model_y.end()), d_in(25, 0.f);
    net.backward(d_out.data(), d_in.data());
    ex.weight_by_backward = double(weight.gradients[2]);
    std::printf("    by backward():              %+.6f\n", ex.weight_by_backward);
    for (std::size_t k = 0; k < 9; ++k)
        ex.worst_dw = std::max(ex.worst_dw, std::abs(dW[k] - double(weight.gradients[k])));

    // Finite differences: nudge the weight up and down by h, recompute the loss.
    const double h = 1e-3;
    const float original = weight.values[2];
    weight.values[2] = float(original + h);
    const double up = half_sum_of_squares(net.forward(1));
    weight.values[2] = float(original - h);
    const double down = half_sum_of_squares(net.forward(1));
    weight.values[2] = original;
    ex.weight_by_differences = (up - down) / (2 * h);
    std::printf("    by finite differences:      %+.6f   ((L(w + h) - L(w - h)) / 2h, h = %.0e)\n",
                ex.weight_by_differences, h);

    // dX: dX_col = W^T . dY (each column: the kernel times that position's dY), and
    // col2im adds column (oh, ow) back onto the 3x3 patch it came from.
    std::vector<double> dX(25, 0.0), patches(25, 0.0);
    for (std::size_t i = 0; i < 3; ++i)
        for (std::size_t j = 0; j < 3; ++j)
            for (std::size_t oh = 0; oh < 3; ++oh)
                for (std::size_t ow = 0; ow < 3; ++ow) {
                    dX[(oh + i) * 5 + ow + j] += W[i * 3 + j] * dY[oh * 3 + ow];
                    patches[(oh + i) * 5 + ow + j] += 1;
                }
    print_grid("how many patches each pixel belongs to (col2im adds that many terms)", patches.data(), 5, 5);
    print_grid("dX = col2im(W^T . dY)  [5 x 5]", dX.data(), 5, 5);
    for (std::size_t k = 0; k < 25; ++k) ex.worst_dx = std::max(ex.worst_dx, std::abs(dX[k] - double(d_in[k])));
    std::printf("  backward() against the hand computation: dW to %.1e, dX to %.1e\n", ex.worst_dw, ex.worst_dx);
    return ex;
}

// ---------------------------------------------------------------------------------
// 2. Pooling's backward: max to the winner, average spread evenly
// ---------------------------------------------------------------------------------
template <class Net>
std::vector<double> pool_backward(const std::vector<float>& x, const std::vector<float>& dy,
                                  std::vector<double>& y) {
    Model<Net> net;
    std::copy(x.begin(), x.end(), net.input(1));
    const auto out = net.forward(1);
    y.assign(out.begin(), out.end());
    std::vector<float> dx(16, 0.f);
    net.backward(dy.data(), dx.data());
    return {dx.begin(), dx.end()};
}

bool pooling_example() {
    std::printf("\n== 2. Pooling's backward on a 4x4 input, windows of 2x2\n");
    const std::vector<float> x = {1, 3, 2, 0,  //
                                  4, 2, 1, 5,  //
                                  0, 6, 3, 3,  //
                                  2, 1, 7, 1};
    const std::vector<float> dy = {1, 2, 3, 4};  // a made-up gradient arriving from above
    print_grid("X [4 x 4]", std::vector<double>(x.begin(), x.end()).data(), 4, 4);
    print_grid("dY [2 x 2]  (the gradient arriving from the next layer)",
               std::vector<double>(dy.begin(), dy.end()).data(), 2, 2);
    std::vector<double> y;
    const auto dx_max = pool_backward<MaxOnly>(x, dy, y);
    print_grid("MaxPool: Y [2 x 2], the largest of each window", y.data(), 2, 2);
    print_grid("MaxPool: dX, all of dY to each window's winner, 0 elsewhere", dx_max.data(), 4, 4);
    const auto dx_avg = pool_backward<AvgOnly>(x, dy, y);
    print_grid("AvgPool: Y [2 x 2], the mean of each window", y.data(), 2, 2);
    print_grid("AvgPool: dX, dY / 4 to every input of the window", dx_avg.data(), 4, 4);
    // The same by hand, to hold the layers to it.
    bool ok = true;
    for (std::size_t r = 0; r < 4; ++r)
        for (std::size_t c = 0; c < 4; ++c) {
            const std::size_t w = (r / 2) * 2 + c / 2;
            float largest = -1e30f;
            std::size_t winner = 0;
            for (std::size_t i = 0; i < 2; ++i)
                for (std::size_t j = 0; j < 2; ++j) {
                    const std::size_t at = ((r / 2) * 2 + i) * 4 + (c / 2) * 2 + j;
                    if (x[at] > largest) largest = x[at], winner = at;
                }
            const double expect_max = winner == r * 4 + c ? double(dy[w]) : 0.0;
            ok = ok && dx_max[r * 4 + c] == expect_max && std::abs(dx_avg[r * 4 + c] - double(dy[w]) / 4) < 1e-7;
        }
    std::printf("  both as the rules say: %s\n", ok ? "yes" : "NO");
    return ok;
}

// ---------------------------------------------------------------------------------
// 3. The gradient check
// ---------------------------------------------------------------------------------
//
// For each parameter (and each input pixel) w: dL/dw ~ (L(w + h) - L(w - h)) / 2h.
// The error measure per tensor is lesson 04's: the largest |numeric - backprop| over
// its elements, divided by its largest |backprop|.
//
// Kinks. ReLU and MaxPool are not differentiable everywhere: ReLU at z = 0, MaxPool
// where two values of a window tie. Backprop uses the slope on one side; a finite
// difference whose interval [w - h, w + h] contains a kink averages the slopes of both
// sides and can be off by the whole jump. That is no bug in backward, but it would
// fail the check. So each nudge records the network's *pattern* (which ReLU units
// are on, which input wins each max window) and compares it with the unnudged one:
// if it changed on one side, the step crossed a kink there, and the one-sided
// difference of the other side, (L(w) - L(w - h)) / h or (L(w + h) - L(w)) / h, gives
// the slope backprop used; if it changed on both sides, the step is retried with
// h / 10 (down to 1e-5). A value sitting exactly on a tie can never be checked this
// way; it is counted and left out. The digits get faint noise (uniform in [0, 0.05)) for the same
// reason: MNIST's background is exactly 0, so every window of background would tie.
struct Checked {
    std::string name;
    std::size_t count = 0;
    std::vector<double> error_per_step;      // one per step size
    std::vector<std::size_t> one_sided;      // differences taken on one side of a kink
    std::vector<std::size_t> smaller_steps;  // elements whose step was shrunk to avoid kinks on both sides
    std::vector<std::size_t> at_kink;        // elements left out: a kink at any step
};

// Which ReLU units are on (layers 1 and 4) and which value wins each MaxPool window
// (layer 2, over layer 1's output [4, 26, 26]), as one vector to compare.
std::vector<std::uint32_t> kink_pattern(const Model<CheckNet>& net) {
    std::vector<std::uint32_t> pattern;
    net.for_each_layer_output([&](std::size_t layer, const std::string&, std::span<const float> v) {
        if (layer != 1 && layer != 4) return;
        for (float a : v) pattern.push_back(a > 0.f);
        if (layer != 1) return;
        for (std::size_t plane = 0; plane < v.size() / (26 * 26); ++plane)
            for (std::size_t r = 0; r < 26; r += 2)
                for (std::size_t c = 0; c < 26; c += 2) {
                    const float* at = v.data() + plane * 26 * 26 + r * 26 + c;
                    const float window[4] = {at[0], at[1], at[26], at[27]};
                    pattern.push_back(std::uint32_t(std::max_element(window, window + 4) - window));
                }
    });
    return pattern;
}

std::vector<Checked> gradient_check(const Dataset& digits, std::size_t batch, const std::vector<double>& steps) {
    Model<CheckNet> net{Seed{18}};
    net.summary();
    std::fflush(stdout);
    std::vector<std::size_t> idx(batch);
    for (std::size_t i = 0; i < batch; ++i) idx[i] = i;
    std::vector<float> labels(batch);
    const std::size_t input_values = batch * Model<CheckNet>::input_size;
    float* x = net.input(batch);
    digits.gather(idx, x, labels.data());
    Rng noise{Seed{1818}};
    for (std::size_t i = 0; i < input_values; ++i) x[i] += noise.uniform(0.f, 0.05f);

    // Backprop, once: dL/dlogits from the loss, then backward with d_input.
    const auto logits = net.forward(batch);
    const auto pattern = kink_pattern(net);
    const double base = cross_entropy(logits, labels);
    std::vector<float> d_logits(logits.size()), d_x(input_values);
    SoftmaxCrossEntropy::compute<Shape<10>>(logits.data(), labels.data(), d_logits.data(), batch);
    net.backward(d_logits.data(), d_x.data());

    // L at the current weights, and whether the pattern is still the unnudged one.
    auto loss_at = [&](bool& same_pattern) {
        const double loss = cross_entropy(net.forward(batch), labels);
        same_pattern = same_pattern && kink_pattern(net) == pattern;
        return loss;
    };
    std::vector<Checked> result;
    auto check = [&](const std::string& name, std::span<float> values, std::span<const float> backprop) {
        Checked c{name, values.size(), {}, {}, {}, {}};
        double largest_gradient = 0;
        for (float g : backprop) largest_gradient = std::max(largest_gradient, std::abs(double(g)));
        for (double first_h : steps) {
            double largest_error = 0;
            std::size_t shrunk = 0, kinked = 0, one_sided = 0;
            for (std::size_t i = 0; i < values.size(); ++i) {
                const float original = values[i];
                bool smooth = false;
                for (double h = first_h; h >= 1e-5 && !smooth; h /= 10) {
                    if (h * 10 == first_h) ++shrunk;  // counted once per element
                    bool up_smooth = true, down_smooth = true;
                    values[i] = float(original + h);
                    const double up = loss_at(up_smooth);
                    values[i] = float(original - h);
                    const double down = loss_at(down_smooth);
                    values[i] = original;
                    // The step actually taken: float(original + h) is not original + h.
                    const double step_up = double(float(original + h)) - double(original);
                    const double step_down = double(original) - double(float(original - h));
                    double numeric = 0;
                    if (up_smooth && down_smooth) {
                        numeric = (up - down) / (step_up + step_down);
                    } else if (up_smooth || down_smooth) {
                        // A kink on one side only: the other side's one-sided
                        // difference (error O(h) instead of O(h^2), still well inside
                        // the tolerance) measures the slope backprop used.
                        numeric = up_smooth ? (up - base) / step_up : (base - down) / step_down;
                        ++one_sided;
                    } else {
                        continue;  // kinks on both sides: try a smaller step
                    }
                    smooth = true;
                    largest_error = std::max(largest_error, std::abs(numeric - double(backprop[i])));
                }
                if (!smooth) ++kinked;
            }
            c.error_per_step.push_back(largest_error / std::max(largest_gradient, 1e-12));
            c.smaller_steps.push_back(shrunk);
            c.one_sided.push_back(one_sided);
            c.at_kink.push_back(kinked);
        }
        result.push_back(c);
    };
    for (const auto& p : net.named_parameters()) check(p.name, p.values, p.gradients);  // forward leaves these
    // The input pixels are checked the same way: the model's input buffer is where
    // the batch lives, and forward() only reads it.
    check("input", std::span<float>(net.input(batch), input_values), d_x);
    return result;
}

}  // namespace

int main(int argc, char** argv) {
    return lesson::run([&] {
        const auto opt = lesson::parse(argc, argv, "18-cnn-backpropagation");
        const auto mnist = data::mnist();

        const WorkedExample ex = worked_conv_example(mnist.test);
        const bool pools_ok = pooling_example();

        // ------------------------------------------------------------------------
        // 3. Gradient check of a small CNN on MNIST digits
        // ------------------------------------------------------------------------
        const std::size_t batch = opt.smoke ? 2 : 4;
        std::printf("\n== 3. Gradient check: a small CNN on %zu MNIST digits, every tensor against central"
                    " finite differences\n\n",
                    batch);
        const std::vector<double> steps = opt.smoke ? std::vector<double>{1e-2, 1e-3}
                                                    : std::vector<double>{1e-1, 3e-2, 1e-2, 3e-3, 1e-3, 3e-4, 1e-4};
        const double chosen_h = 1e-3, tolerance = 1e-2;
        const auto checked = gradient_check(mnist.train, batch, steps);
        std::printf("\n  max relative error per tensor, for each step h\n  %-18s %7s", "tensor", "values");
        for (double h : steps) std::printf(" %9.0e", h);
        std::printf("\n");
        std::vector<double> worst_per_step(steps.size(), 0.0);
        for (const auto& c : checked) {
            std::printf("  %-18s %7zu", c.name.c_str(), c.count);
            for (std::size_t s = 0; s < steps.size(); ++s) {
                std::printf(" %9.2e", c.error_per_step[s]);
                worst_per_step[s] = std::max(worst_per_step[s], c.error_per_step[s]);
            }
            std::printf("\n");
        }
        // Reading the table. The dense layer's rows are lesson 04's story: at large h
        // the central difference's truncation error (~h^2) shows, at small h the
        // float32 rounding of the forward pass (~1e-7 |L| / h) takes over. The
        // convolutions' rows hardly move with h: their worst value is one whose step
        // crossed a kink at every h and was checked at a smaller step, or one-sided,
        // so the same few values set the maximum each time. The input's row is the
        // largest: each pixel feeds only a few units, and the kink handling works
        // hardest there (hundreds of its values sit near a ReLU's zero or a max's tie).
        // Why h = 1e-3 and a tolerance of 1e-2: at 1e-3 truncation and rounding are
        // both near 1e-4 of the gradients' scale, and the one-sided differences near
        // kinks add at most a few 1e-3; a real mistake in a backward pass (a kernel
        // not flipped in dX, a gradient sent to the wrong element of a window, a
        // missing 1 / k^2) gives errors of order 1.
        const std::size_t chosen = std::size_t(std::find(steps.begin(), steps.end(), chosen_h) - steps.begin());
        bool gradients_agree = true;
        double worst_at_chosen = 0;
        std::size_t left_out = 0, total = 0;
        std::printf("\n  at h = %.0e (tolerance %.0e):\n    %-18s %9s  %-9s %10s %13s %9s\n", chosen_h, tolerance,
                    "tensor", "error", "", "one-sided", "smaller step", "left out");
        for (const auto& c : checked) {
            const bool ok = c.error_per_step[chosen] < tolerance;
            gradients_agree = gradients_agree && ok;
            worst_at_chosen = std::max(worst_at_chosen, c.error_per_step[chosen]);
            left_out += c.at_kink[chosen];
            total += c.count;
            std::printf("    %-18s %9.2e  %-9s %10zu %13zu %9zu\n", c.name.c_str(), c.error_per_step[chosen],
                        ok ? "ok" : "DISAGREES", c.one_sided[chosen], c.smaller_steps[chosen], c.at_kink[chosen]);
        }
        // "one-sided": values whose step crossed a kink (a ReLU switching, a max
        // window changing its winner) on one side, checked by the other side's
        // difference; "smaller step": kinks on both sides, retried with h / 10, ...;
        // "left out": kinks on both sides down to h = 1e-5, i.e. sitting on a tie.
        std::printf("    %zu of %zu values left out as sitting on a kink\n", left_out, total);
        plot::LineChart chart{.title = "Gradient check of a small CNN: finite-difference error against step",
                              .x_label = "log10(h)", .y_label = "max relative error (all tensors)"};
        chart.log_y = true;
        std::vector<double> log_h;
        for (double h : steps) log_h.push_back(std::log10(h));
        chart.add("central difference, float32 forward", log_h, worst_per_step);
        chart.save(opt.out / "gradient-check.svg");
        lesson::wrote(opt.out / "gradient-check.svg");

        // ------------------------------------------------------------------------
        // 4. Saliency: the gradient with respect to the input, after training
        // ------------------------------------------------------------------------
        //
        // The same backward pass that trains the weights also gives dScore/dInput:
        // how much each pixel would move the score of the predicted class (before the
        // softmax). Its absolute value, drawn over the digit, is a saliency map
        // (Simonyan et al. 2014). One epoch on 30,000 digits is enough for the maps
        // to follow the strokes.
        std::printf("\n== 4. Saliency maps of a trained CNN\n");
        const Dataset train = mnist.train.slice(0, opt.smoke ? 1'000 : 30'000);
        Model<SmallCnn> cnn{Seed{18}};
        Adam adam{{.lr = 1e-3f}};
        std::fflush(stdout);  // the progress line goes to stderr
        fit(cnn, train, SoftmaxCrossEntropy{}, adam, {.epochs = 1, .batch = 64});
        const Evaluation on_test = evaluate(cnn, opt.smoke ? mnist.test.slice(0, 1'000) : mnist.test,
                                            SoftmaxCrossEntropy{});
        std::printf("  test accuracy after training: %.2f%%\n", 100.0 * double(on_test.accuracy));

        constexpr std::size_t shown = 8;
        std::vector<float> tiles;  // the overlays side by side, CHW
        for (std::size_t k = 0; k < shown; ++k) {
            std::vector<float> digit(784);
            mnist.test.copy_input(k, digit.data());
            const auto scores = cnn.predict(digit);
            const std::size_t predicted =
                std::size_t(std::max_element(scores.begin(), scores.end()) - scores.begin());
            const auto map = image::saliency(cnn, digit, predicted);
            const auto overlay = image::saliency_overlay(digit.data(), 1, 28, 28, map.data(), {.upscale = 4});
            char name[64];
            std::snprintf(name, sizeof name, "saliency-%zu-digit-%zu.png", k, predicted);
            image::write_png(opt.out / name, overlay);
            lesson::wrote(opt.out / name);
            const auto chw = image::to_chw(overlay);
            tiles.insert(tiles.end(), chw.begin(), chw.end());
            std::printf("    test digit %zu: label %d, predicted %zu\n", k, int(mnist.test.targets[k]), predicted);
        }
        image::write_png(opt.out / "saliency.png",
                         image::image_grid(tiles.data(), shown, 3, 28 * 4, 28 * 4, {.columns = shown, .gap = 4}));
        lesson::wrote(opt.out / "saliency.png");

        const bool hand_ok = ex.worst_dw < 1e-5 && ex.worst_dx < 1e-5 &&
                             std::abs(ex.weight_by_differences - ex.weight_by_backward) < 1e-3;
        char what[300];
        std::snprintf(what, sizeof what,
                      "%zu tensors (6 of the CNN and its input) agree with central differences to %.1e at h = "
                      "%.0e (tolerance %.0e; %zu of %zu values on a kink left out, at most 1%% allowed); worked "
                      "example and pooling by hand: %s",
                      checked.size(), worst_at_chosen, chosen_h, tolerance, left_out, total,
                      hand_ok && pools_ok ? "agree" : "DISAGREE");
        return lesson::report_target(opt, gradients_agree && hand_ok && pools_ok && left_out * 100 <= total,
                                     what);
    });
}

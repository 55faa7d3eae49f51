// The element-wise kernels of the training step equal their plain forms, bit for
// bit: the loops that split work among threads give the same result on 1 and 2
// threads (SGD's pass over the whole arena among them), and column_sums (the bias
// gradient) the same sums as a plain loop.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <span>
#include <vector>

#include <typenet/kernels/parallel.hpp>
#include <typenet/typenet.hpp>

using namespace tn;

namespace {

struct ThreadCount {
    int previous = threads();
    explicit ThreadCount(int n) { set_threads(n); }
    ~ThreadCount() { set_threads(previous); }
};

bool same_bits(std::span<const float> a, std::span<const float> b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

// Weights after `steps` training steps on random batches.
template <class Net>
std::vector<float> train(int steps, std::size_t batch) {
    Model<Net> model{Seed{5}};
    Rng data{Seed{9}};
    SGD sgd{{.lr = 0.05f}};
    constexpr std::size_t classes = Model<Net>::output_size;
    std::vector<float> targets(batch);
    for (int s = 0; s < steps; ++s) {
        float* x = model.input(batch);
        for (std::size_t i = 0; i < batch * Model<Net>::input_size; ++i) x[i] = data.uniform(-1.f, 1.f);
        for (float& t : targets) t = float(data.below(classes));
        model.train_step(batch, targets.data(), SoftmaxCrossEntropy{}, sgd);
    }
    auto p = model.parameters();
    return {p.begin(), p.end()};
}

// Wide enough that the dW GEMMs and the SGD pass (79,287 floats) run on two threads.
using Mlp = Sequential<Input<400>, Dense<160>, ReLU, Dense<90>, Tanh, Dense<7>>;

}  // namespace

TEST_CASE("training with SGD gives the same weights on 1 and 2 threads") {
    static_assert(Mlp::param_count >= 2 * kernels::elementwise_parallel_floats, "SGD's pass must be split");
    const auto on = [](int n) {
        ThreadCount pinned(n);
        return train<Mlp>(6, 40);
    };
    const auto one = on(1);
    CHECK(same_bits(one, on(2)));
    CHECK_FALSE(same_bits(one, train<Mlp>(0, 40)));  // training did move the weights
}

TEST_CASE("axpy splits among threads without changing a bit, and column_sums equals a plain loop") {
    // Long enough to be split, and not a multiple of the vector width (a tail).
    const std::size_t n = 3 * kernels::elementwise_parallel_floats + 5;
    std::vector<float> x(n), y0(n);
    Rng rng{Seed{1}};
    for (std::size_t i = 0; i < n; ++i) {
        x[i] = rng.uniform(-1.f, 1.f);
        y0[i] = rng.uniform(-1.f, 1.f);
    }
    std::vector<float> expected(n);
    for (std::size_t i = 0; i < n; ++i) expected[i] = std::fma(-0.3f, x[i], y0[i]);
    for (int t : {1, 2}) {
        CAPTURE(t);
        ThreadCount pinned(t);
        std::vector<float> y = y0;
        kernels::axpy(-0.3f, x.data(), y.data(), n);
        CHECK(same_bits(y, expected));
    }

    for (std::size_t cols : {std::size_t{256}, std::size_t{37}, std::size_t{3}}) {
        CAPTURE(cols);
        const std::size_t rows = 19;
        std::vector<float> m(rows * cols), sums(cols), plain(cols, 0.f);
        for (float& v : m) v = rng.uniform(-1.f, 1.f);
        for (std::size_t r = 0; r < rows; ++r)
            for (std::size_t j = 0; j < cols; ++j) plain[j] += m[r * cols + j];
        kernels::column_sums(m.data(), rows, cols, sums.data());
        CHECK(same_bits(sums, plain));
    }
}

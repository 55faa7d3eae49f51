// typenet/interop/xtensor.hpp: predictions on xtensor batches, data sets from xtensor
// arrays and back, and the no-copy views. Built only where xtensor is found.
#include <doctest/doctest.h>

#include <typenet/interop/xtensor.hpp>
#include <typenet/typenet.hpp>
#include <xtensor/xmath.hpp>
#include <xtensor/xview.hpp>

#include <string>
#include <vector>

using namespace tn;

namespace {
// A small batch of images with a value per element that tells them apart.
xt::xtensor<float, 4> images(std::size_t n) {
    xt::xtensor<float, 4> x(std::array<std::size_t, 4>{n, 1, 6, 6});
    for (std::size_t i = 0; i < x.size(); ++i) x.data()[i] = float(int(i * 37 % 101) - 50) / 50.f;
    return x;
}
using Cnn = Sequential<Input<1, 6, 6>, Conv2D<4, Kernel<3>>, ReLU, Flatten, Dense<3>>;
}  // namespace

TEST_CASE("predict on an xtensor batch gives [n, output_shape...], as predict on each sample") {
    Model<Cnn> model{Seed{5}};
    const auto x = images(7);
    // In chunks of 3: 3 + 3 + 1 samples.
    const xt::xtensor<float, 2> y = predict(model, x, 3);
    REQUIRE(y.shape()[0] == 7);
    REQUIRE(y.shape()[1] == 3);
    for (std::size_t i = 0; i < 7; ++i) {
        const std::vector<float> sample(x.data() + i * 36, x.data() + (i + 1) * 36);
        const std::vector<float> one = model.predict(sample);
        // A batch of 1 may round differently from one of 3 (the kernels block by batch).
        for (std::size_t k = 0; k < 3; ++k) CHECK(y(i, k) == doctest::Approx(one[k]).epsilon(1e-5));
    }
    // The same samples flattened, [n, 36], and in column-major order: the same bits.
    const xt::xtensor<float, 2> flat = xt::reshape_view(x, {std::size_t{7}, std::size_t{36}});
    CHECK(predict(model, flat, 3) == y);
    const xt::xtensor<float, 4, xt::layout_type::column_major> column_major = x;
    CHECK(predict(model, column_major, 3) == y);

    // An output with a shape of its own keeps it: [n, 4, 4, 4] after the convolution.
    Model<Sequential<Input<1, 6, 6>, Conv2D<4, Kernel<3>>>> conv{Seed{1}};
    const auto maps = predict(conv, x);
    CHECK(maps.shape() == std::array<std::size_t, 4>{7, 4, 4, 4});

    // A batch of the wrong shape is refused, saying both shapes.
    const xt::xtensor<float, 4> wrong(std::array<std::size_t, 4>{2, 1, 5, 5});
    CHECK_THROWS_WITH_AS(predict(model, wrong),
                         "predict: the model takes samples of shape [1, 6, 6] (or 36 values), got a batch of shape "
                         "[2, 1, 5, 5]",
                         std::invalid_argument);
}

TEST_CASE("a data set from xtensor inputs and targets trains, and goes back to xtensor") {
    const auto x = images(12);
    xt::xtensor<float, 1> labels(std::array<std::size_t, 1>{12});
    for (std::size_t i = 0; i < 12; ++i) labels(i) = float(i % 3);
    const Dataset d = dataset_from_xtensor(x, labels, "images");
    REQUIRE(d.size() == 12);
    CHECK(d.input_width == 36);
    CHECK(d.target_width == 1);
    CHECK(d.name == "images");
    CHECK(d.input(5)[7] == x(5, 0, 1, 1));
    CHECK(d.target(5)[0] == 2.f);

    // Back: the same values, flat or in the model's input shape.
    const xt::xtensor<float, 2> flat = inputs_to_xtensor(d);
    CHECK(flat.shape() == std::array<std::size_t, 2>{12, 36});
    const auto shaped = inputs_to_xtensor<Model<Cnn>::input_shape>(d);
    CHECK(shaped == x);
    CHECK(targets_to_xtensor(d) == xt::reshape_view(labels, {std::size_t{12}, std::size_t{1}}));
    using TwoChannels = Shape<2, 6, 6>;
    CHECK_THROWS_AS(inputs_to_xtensor<TwoChannels>(d), std::invalid_argument);

    // Training on it is training on the same samples added one by one.
    Dataset by_hand("images", 36, 1);
    for (std::size_t i = 0; i < 12; ++i) by_hand.add(d.input(i), d.target(i));
    Model<Cnn> a{Seed{2}}, b{Seed{2}};
    const FitOptions options{.epochs = 2, .batch = 4, .shuffle = false, .verbosity = Verbosity::Quiet};
    fit(a, d, SoftmaxCrossEntropy{}, SGD{{.lr = 0.1f}}, options);
    fit(b, by_hand, SoftmaxCrossEntropy{}, SGD{{.lr = 0.1f}}, options);
    CHECK(predict(a, x) == predict(b, x));

    // Rows of targets: [n, k] gives k targets per sample; sample counts must agree.
    const xt::xtensor<float, 2> pairs = xt::zeros<float>({std::size_t{12}, std::size_t{2}});
    CHECK(dataset_from_xtensor(x, pairs).target_width == 2);
    const xt::xtensor<float, 1> short_labels = xt::zeros<float>({std::size_t{11}});
    CHECK_THROWS_AS(dataset_from_xtensor(x, short_labels), std::invalid_argument);

    // Inputs kept as bytes come back scaled, as a batch would see them.
    Dataset bytes("bytes", 2, 1);
    bytes.bytes = {0, 255, 51, 102};
    bytes.targets = {0.f, 1.f};
    const auto from_bytes = inputs_to_xtensor(bytes);
    CHECK(from_bytes(0, 1) == 1.f);
    CHECK(from_bytes(1, 0) == doctest::Approx(0.2f));
    CHECK_THROWS_AS(inputs_as_xtensor(bytes), std::logic_error);
}

TEST_CASE("xtensor views alias the model's parameters and outputs without copying") {
    using Net = Sequential<Input<3>, Dense<2>>;
    Model<Net> m{Seed{3}};
    auto weight = m.parameter("0.weight");
    auto w = as_xtensor(weight);
    REQUIRE(w.shape()[0] == 2);
    REQUIRE(w.shape()[1] == 3);
    w(1, 2) = 5.f;  // writes through to the arena
    CHECK(weight.values[1 * 3 + 2] == 5.f);

    float* x = m.input(2);
    for (int i = 0; i < 6; ++i) x[i] = float(i);
    m.forward(2);
    auto y = output_as_xtensor(m);
    REQUIRE(y.shape()[0] == 2);
    REQUIRE(y.shape()[1] == 2);
    // y = x W^T + b with a zero bias
    CHECK(y(1, 1) == doctest::Approx(3 * w(1, 0) + 4 * w(1, 1) + 5 * w(1, 2)));
}

TEST_CASE("a data set is seen as [samples, width]") {
    Dataset d("tiny", 2, 1);
    d.add({1.f, 2.f}, {0.f});
    d.add({3.f, 4.f}, {1.f});
    auto in = inputs_as_xtensor(d);
    CHECK(in.shape()[0] == 2);
    CHECK(xt::sum(in)() == doctest::Approx(10.f));
    CHECK(targets_as_xtensor(d)(1, 0) == 1.f);
}

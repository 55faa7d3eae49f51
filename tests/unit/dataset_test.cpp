// Dataset::validate: fields that disagree (too few targets, a ragged input buffer,
// floats and bytes at once, a zero width) are refused with the data set's name and
// the counts, before slice, gather or split read past the end of a vector.
#include <doctest/doctest.h>

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include <typenet/data/split.hpp>
#include <typenet/train/dataset.hpp>

using namespace tn;

namespace {
Dataset floats(std::size_t samples, std::size_t input_width = 3, std::size_t target_width = 1) {
    Dataset d("table", input_width, target_width);
    d.inputs.assign(samples * input_width, 0.5f);
    d.targets.assign(samples * target_width, 1.f);
    return d;
}
Dataset bytes(std::size_t samples, std::size_t input_width = 4) {
    Dataset d("digits", input_width, 1);
    d.bytes.assign(samples * input_width, 7);
    d.targets.assign(samples, 2.f);
    return d;
}
std::string message_of(const Dataset& d) {
    try {
        d.validate();
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "(valid)";
}
}  // namespace

TEST_CASE("Dataset::validate accepts consistent data sets, empty ones included") {
    CHECK(message_of(floats(5)) == "(valid)");
    CHECK(message_of(bytes(5)) == "(valid)");
    CHECK(message_of(Dataset{}) == "(valid)");
    CHECK(message_of(Dataset("empty", 3, 1)) == "(valid)");
    Dataset added("added", 2, 1);
    added.add({1.f, 2.f}, {0.f});
    CHECK(message_of(added) == "(valid)");
}

TEST_CASE("Dataset::validate names the data set and the counts that disagree") {
    Dataset short_targets = floats(5);
    short_targets.targets.resize(3);
    CHECK(message_of(short_targets) ==
          "table: it holds 3 targets, but 5 samples of target_width 1 need 5");

    Dataset long_targets = bytes(2);
    long_targets.targets.push_back(1.f);
    CHECK(message_of(long_targets) == "digits: it holds 3 targets, but 2 samples of target_width 1 need 2");

    Dataset ragged = floats(4);
    ragged.inputs.resize(10);  // 3 whole samples of 3 and one float over
    CHECK(message_of(ragged) ==
          "table: its 10 input floats are not a whole number of samples of input_width 3 (3 samples and 1 left over)");

    Dataset ragged_bytes = bytes(3);
    ragged_bytes.bytes.pop_back();
    CHECK(message_of(ragged_bytes) ==
          "digits: its 11 input bytes are not a whole number of samples of input_width 4 (2 samples and 3 left over)");

    Dataset both = floats(2, 4);
    both.bytes.assign(8, 1);
    CHECK(message_of(both) ==
          "table: inputs are stored in more than one form (8 floats, 8 bytes, 0 token ids); a data set holds one of them");

    Dataset no_input_width = floats(2);
    no_input_width.input_width = 0;
    CHECK(message_of(no_input_width) == "table: input_width is 0 but it holds 6 input floats");

    Dataset no_target_width = floats(2);
    no_target_width.target_width = 0;
    no_target_width.targets.clear();
    CHECK(message_of(no_target_width) == "table: target_width is 0 but it holds 2 samples");

    Dataset wider_targets = floats(3, 3, 2);
    wider_targets.targets.resize(5);
    CHECK(message_of(wider_targets) == "table: it holds 5 targets, but 3 samples of target_width 2 need 6");

    Dataset nan_scale = bytes(2);
    nan_scale.byte_scale = std::nanf("");
    CHECK(message_of(nan_scale).starts_with("digits: byte_scale is "));
}

TEST_CASE("slice and gather validate first, and gather names an index past the end") {
    Dataset short_targets = floats(6);
    short_targets.targets.resize(2);
    CHECK_THROWS_WITH_AS(short_targets.slice(0, 6), "table: it holds 2 targets, but 6 samples of target_width 1 need 6",
                         std::invalid_argument);
    std::vector<float> x(3 * 6), t(6);
    const std::vector<std::size_t> all{0, 1, 2, 3, 4, 5};
    CHECK_THROWS_AS(short_targets.gather(all, x.data(), t.data()), std::invalid_argument);

    const Dataset good = bytes(4);
    std::vector<float> bx(2 * 4), bt(2);
    const std::vector<std::size_t> past{1, 4};
    CHECK_THROWS_WITH_AS(good.gather(past, bx.data(), bt.data()), "digits: gather: index 4 is outside its 4 samples",
                         std::out_of_range);
    const std::vector<std::size_t> inside{3, 0};
    good.gather(inside, bx.data(), bt.data());
    CHECK(bx[0] == doctest::Approx(7.f / 255.f));
    CHECK(bt[0] == 2.f);
}

TEST_CASE("split validates the data set it splits") {
    Dataset ragged = floats(10);
    ragged.inputs.pop_back();
    CHECK_THROWS_WITH_AS(data::split(ragged, 0.2, Seed{1}),
                         "table: its 29 input floats are not a whole number of samples of input_width 3 (9 samples and "
                         "2 left over)",
                         std::invalid_argument);
    const auto [train, validation] = data::split(floats(10), 0.2, Seed{1});
    CHECK(train.size() == 8);
    CHECK(validation.size() == 2);
}

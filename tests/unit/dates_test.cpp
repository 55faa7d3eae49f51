// The generated date task (data/dates.hpp).
#include <doctest/doctest.h>

#include <algorithm>
#include <set>

#include <typenet/data/dates.hpp>

TEST_CASE("format_date: every format of one date, weekdays and words right") {
    using tn::data::format_date;
    CHECK(format_date(2021, 3, 3, 0) == "3 March 2021");
    CHECK(format_date(2021, 3, 3, 1) == "03/03/21");
    CHECK(format_date(2021, 3, 3, 2) == "Wednesday, March 3rd 2021");  // 2021-03-03 was a Wednesday
    CHECK(format_date(2021, 3, 3, 6) == "Wed 3 Mar 21");
    CHECK(format_date(2021, 3, 3, 11) == "Wednesday the third of March, two thousand twenty-one");
    CHECK(format_date(1969 + 31, 1, 1, 12) == "the first of January in the year two thousand");
    CHECK(format_date(1999, 12, 31, 11) == "Friday the thirty-first of December, nineteen ninety-nine");
    CHECK(format_date(1950, 1, 22, 7) == "the 22nd of January, 1950");
    CHECK(format_date(2012, 11, 11, 13) == "on Sunday, the 11th day of November in the year 2012");
    CHECK(format_date(2049, 9, 27, 12) == "the twenty-seventh of September in the year two thousand forty-nine");
    CHECK_THROWS_AS(format_date(2050, 1, 1, 0), std::invalid_argument);
}

TEST_CASE("dates: rows, targets and lengths agree; lengths spread; seeded") {
    const auto task = tn::data::dates({.samples = 2000, .seed = tn::Seed{3}});
    const auto& d = task.data;
    REQUIRE(d.size() == 2000);
    d.validate();
    std::size_t shortest = 1000, longest = 0;
    std::set<std::uint8_t> formats;
    for (std::size_t i = 0; i < d.size(); ++i) {
        const auto row = std::span(d.tokens).subspan(i * d.input_width, d.input_width);
        CHECK(tn::data::date_source_text(row.first(tn::data::date_source_length)) == task.sources[i]);
        CHECK(d.lengths[i] == task.sources[i].size());
        CHECK(d.second_lengths[i] == tn::data::date_target_length);
        const auto fed = row.subspan(tn::data::date_source_length);
        CHECK(fed[0] == tn::data::date_bos);
        CHECK(tn::data::date_target_text(fed) == task.isos[i]);
        // targets: the ISO characters then <eos>, the decoder's input shifted by one
        for (std::size_t t = 0; t + 1 < tn::data::date_target_length; ++t) CHECK(d.targets[i * 11 + t] == float(fed[t + 1]));
        CHECK(d.targets[i * 11 + 10] == float(tn::data::date_eos));
        shortest = std::min<std::size_t>(shortest, d.lengths[i]);
        longest = std::max<std::size_t>(longest, d.lengths[i]);
        formats.insert(task.formats[i]);
    }
    CHECK(shortest == 8);   // "03/03/21"
    CHECK(longest >= 60);   // the formats spelled out in words
    CHECK(longest <= tn::data::date_source_length);
    CHECK(formats.size() == tn::data::date_format_count);
    CHECK(tn::data::dates({.samples = 50, .seed = tn::Seed{3}}).sources ==
          std::vector<std::string>(task.sources.begin(), task.sources.begin() + 50));
}

#include <typenet/data/reversal.hpp>

TEST_CASE("reversal: the answer is the source backwards, lengths and targets agree") {
    const auto task = tn::data::reversal({.samples = 500, .min_length = 4, .seed = tn::Seed{5}});
    const auto& d = task.data;
    REQUIRE(d.size() == 500);
    d.validate();
    constexpr std::size_t S = tn::data::reversal_max_length, T = tn::data::reversal_target_length;
    std::size_t shortest = 100, longest = 0;
    for (std::size_t i = 0; i < d.size(); ++i) {
        const std::size_t L = d.lengths[i];
        shortest = std::min(shortest, L), longest = std::max(longest, L);
        CHECK(d.second_lengths[i] == L + 1);
        CHECK(task.answers[i] == std::string(task.sources[i].rbegin(), task.sources[i].rend()));
        const std::int32_t* row = d.tokens.data() + i * d.input_width;
        CHECK(row[S] == 0);  // <bos>
        for (std::size_t t = 0; t < L; ++t) {
            CHECK(row[S + 1 + t] == row[L - 1 - t] + 1);          // target id = source id + 1
            CHECK(d.targets[i * T + t] == float(row[S + 1 + t]));  // the next token
        }
        CHECK(d.targets[i * T + L] == 1.f);  // <eos>
        for (std::size_t t = L + 1; t < T; ++t) CHECK(d.targets[i * T + t] == -1.f);
    }
    CHECK(shortest == 4);
    CHECK(longest == S);
    CHECK_THROWS_AS(tn::data::reversal({.min_length = 0}), std::invalid_argument);
}

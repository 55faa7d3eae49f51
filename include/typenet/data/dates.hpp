// A generated translation task: dates written in many ways, to ISO 8601 (lessons
// 31-33, after the classic exercise of Andrew Ng's sequence-models course).
//
//   "3 March 2021"                                   -> "2021-03-03"
//   "03/03/21"                                       -> "2021-03-03"
//   "Wednesday, March 3rd 2021"                      -> "2021-03-03"
//   "Wednesday the third of March, two thousand twenty-one" -> "2021-03-03"
//
//   auto task = tn::data::dates({.samples = 20000, .seed = Seed{1}});
//   task.data   // rows for Model<EncoderDecoder<...>>: Dataset::add_pair of the
//               // source characters (Tokens<date_source_length>) and <bos> + the ISO
//               // characters (Tokens<date_target_length>); targets the ISO
//               // characters then <eos>
//
// Dates are uniform over 1950-01-01 .. 2049-12-31; a two-digit year yy is 19yy from
// 50 and 20yy below (the data never holds another reading). Numeric day/month orders
// are European (dd/mm/yy, dd.mm.yyyy) or ISO-like (yyyy/mm/dd), never mm/dd, so each
// source has one answer. The formats run from 8 characters to about 70, the long ones
// spelling the day and the year out in words: enough spread in length to show a fixed
// context vector failing on long inputs (lesson 31) and attention not (32).
//
// Source ids: 0 padding, then the characters of date_source_alphabet (1-based).
// Target ids: 0 <bos>, 1 <eos>, 2..11 the digits, 12 '-'.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "typenet/config.hpp"
#include "typenet/core/rng.hpp"
#include "typenet/train/dataset.hpp"

namespace tn::data {

inline constexpr std::string_view date_source_alphabet =
    " ,.-/0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
inline constexpr std::size_t date_source_length = 72;  // positions (the longest source fits)
inline constexpr std::size_t date_target_length = 11;  // <bos> + 10 characters / 10 + <eos>
inline constexpr std::size_t date_source_vocabulary = date_source_alphabet.size() + 1;
inline constexpr std::size_t date_target_vocabulary = 13;
inline constexpr std::int32_t date_bos = 0, date_eos = 1;

struct DateOptions {
    std::size_t samples = 10000;
    Seed seed{1};
};

struct DateTask {
    Dataset data;                      // rows as the header describes
    std::vector<std::string> sources;  // the text of each source
    std::vector<std::string> isos;     // its answer, "2021-03-03"
    std::vector<std::uint8_t> formats; // which of date_format_count formats wrote it
};

inline constexpr std::size_t date_format_count = 14;
// "d Month yyyy", ... : a short name of format f, for tables.
TYPENET_INLINE std::string date_format_name(std::size_t f);

TYPENET_INLINE DateTask dates(const DateOptions& options);

// One date written in format f (0 to date_format_count - 1), for tests and lessons:
// year 1950-2049, month 1-12, day 1 to the month's length.
TYPENET_INLINE std::string format_date(int year, int month, int day, std::size_t f);

// Source text to ids (an unknown character is an error naming it) and ids back to
// text (0 and unknown ids are skipped); target ids to text ("2021-03-03").
TYPENET_INLINE std::vector<std::int32_t> date_source_ids(std::string_view text);
TYPENET_INLINE std::string date_source_text(std::span<const std::int32_t> ids);
TYPENET_INLINE std::vector<std::int32_t> date_target_ids(std::string_view iso);
TYPENET_INLINE std::string date_target_text(std::span<const std::int32_t> ids);

}  // namespace tn::data

#if TYPENET_DEFINE_BODIES
#include "typenet/data/dates.ipp"
#endif

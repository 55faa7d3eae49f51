// The bodies of data/dates.hpp: inline in a header-only build, compiled once into
// typenet::precompiled otherwise (include/typenet/config.hpp).
#pragma once
#include <array>
#include <stdexcept>

#include "typenet/data/dates.hpp"

namespace tn::data {
namespace detail {

inline constexpr std::array<const char*, 12> month_names = {"January", "February", "March",     "April",
                                                            "May",     "June",     "July",      "August",
                                                            "September", "October", "November", "December"};
inline constexpr std::array<const char*, 7> weekday_names = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                                             "Thursday", "Friday", "Saturday"};
inline constexpr std::array<const char*, 20> cardinal_words = {
    "",        "one",     "two",       "three",    "four",     "five",    "six",
    "seven",   "eight",   "nine",      "ten",      "eleven",   "twelve",  "thirteen",
    "fourteen", "fifteen", "sixteen",  "seventeen", "eighteen", "nineteen"};
inline constexpr std::array<const char*, 10> tens_words = {"",      "",      "twenty",  "thirty", "forty",
                                                           "fifty", "sixty", "seventy", "eighty", "ninety"};
inline constexpr std::array<const char*, 20> ordinal_words = {
    "",           "first",      "second",     "third",       "fourth",     "fifth",    "sixth",
    "seventh",    "eighth",     "ninth",      "tenth",       "eleventh",   "twelfth",  "thirteenth",
    "fourteenth", "fifteenth",  "sixteenth",  "seventeenth", "eighteenth", "nineteenth"};

// Days since 1970-01-01 of a proleptic Gregorian date, and back (H. Hinnant's
// algorithms, public domain).
inline int days_from_civil(int y, int m, int d) {
    y -= m <= 2;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const int yoe = y - era * 400;
    const int doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}
inline void civil_from_days(int z, int& y, int& m, int& d) {
    z += 719468;
    const int era = (z >= 0 ? z : z - 146096) / 146097;
    const int doe = z - era * 146097;
    const int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y = yoe + era * 400 + (m <= 2);
}

inline std::string two_digits(int v) { return std::string(1, char('0' + v / 10)) + char('0' + v % 10); }
inline std::string cardinal(int n) {  // 1..99
    if (n < 20) return cardinal_words[std::size_t(n)];
    return std::string(tens_words[std::size_t(n / 10)]) + (n % 10 ? std::string("-") + cardinal_words[std::size_t(n % 10)] : "");
}
inline std::string ordinal(int n) {  // 1..31
    if (n < 20) return ordinal_words[std::size_t(n)];
    if (n % 10 == 0) return n == 20 ? "twentieth" : "thirtieth";
    return std::string(tens_words[std::size_t(n / 10)]) + "-" + ordinal_words[std::size_t(n % 10)];
}
inline std::string suffixed(int d) {  // 1st, 2nd, 3rd, 4th, 11th, 21st
    const char* s = (d % 100 >= 11 && d % 100 <= 13) ? "th" : d % 10 == 1 ? "st" : d % 10 == 2 ? "nd" : d % 10 == 3 ? "rd" : "th";
    return std::to_string(d) + s;
}
inline std::string year_words(int y) {
    if (y < 2000) return "nineteen " + cardinal(y - 1900);
    return y == 2000 ? "two thousand" : "two thousand " + cardinal(y - 2000);
}
inline std::string upper(std::string s) {
    for (char& c : s)
        if (c >= 'a' && c <= 'z') c = char(c - 'a' + 'A');
    return s;
}

}  // namespace detail

TYPENET_INLINE std::string date_format_name(std::size_t f) {
    static const std::array<const char*, date_format_count> names = {
        "3 March 2021",  "03/03/21",      "Wednesday, March 3rd 2021", "03.03.2021",
        "3 Mar 2021",    "March 3, 2021", "Wed 3 Mar 21",              "the 3rd of March, 2021",
        "MARCH 3 2021",  "2021/03/03",    "3-Mar-2021",                "Wednesday the third of March, two thousand twenty-one",
        "the third of March in the year two thousand twenty-one", "on Wednesday, the 3rd day of March in the year 2021"};
    if (f >= date_format_count) throw std::out_of_range("date_format_name: no format " + std::to_string(f));
    return names[f];
}

TYPENET_INLINE std::string format_date(int y, int m, int d, std::size_t f) {
    using namespace detail;
    if (y < 1950 || y > 2049 || m < 1 || m > 12 || d < 1 || d > 31)
        throw std::invalid_argument("format_date: " + std::to_string(y) + "-" + std::to_string(m) + "-" +
                                    std::to_string(d) + " is outside 1950-01-01 .. 2049-12-31");
    const std::string month = month_names[std::size_t(m - 1)], mon = month.substr(0, 3);
    const std::string weekday = weekday_names[std::size_t(((days_from_civil(y, m, d) + 4) % 7 + 7) % 7)];
    const std::string yyyy = std::to_string(y), yy = two_digits(y % 100), dd = two_digits(d), mm = two_digits(m);
    const std::string day = std::to_string(d);
    switch (f) {
        case 0: return day + " " + month + " " + yyyy;
        case 1: return dd + "/" + mm + "/" + yy;
        case 2: return weekday + ", " + month + " " + suffixed(d) + " " + yyyy;
        case 3: return dd + "." + mm + "." + yyyy;
        case 4: return day + " " + mon + " " + yyyy;
        case 5: return month + " " + day + ", " + yyyy;
        case 6: return weekday.substr(0, 3) + " " + day + " " + mon + " " + yy;
        case 7: return "the " + suffixed(d) + " of " + month + ", " + yyyy;
        case 8: return upper(month) + " " + day + " " + yyyy;
        case 9: return yyyy + "/" + mm + "/" + dd;
        case 10: return day + "-" + mon + "-" + yyyy;
        case 11: return weekday + " the " + ordinal(d) + " of " + month + ", " + year_words(y);
        case 12: return "the " + ordinal(d) + " of " + month + " in the year " + year_words(y);
        case 13: return "on " + weekday + ", the " + suffixed(d) + " day of " + month + " in the year " + yyyy;
        default: throw std::out_of_range("format_date: no format " + std::to_string(f));
    }
}

TYPENET_INLINE std::vector<std::int32_t> date_source_ids(std::string_view text) {
    std::vector<std::int32_t> ids;
    ids.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto at = date_source_alphabet.find(text[i]);
        if (at == std::string_view::npos)
            throw std::invalid_argument("date_source_ids: character '" + std::string(1, text[i]) + "' at " +
                                        std::to_string(i) + " of \"" + std::string(text) + "\" is not in the alphabet");
        ids.push_back(std::int32_t(at + 1));
    }
    return ids;
}
TYPENET_INLINE std::string date_source_text(std::span<const std::int32_t> ids) {
    std::string s;
    for (auto id : ids)
        if (id >= 1 && std::size_t(id) <= date_source_alphabet.size()) s += date_source_alphabet[std::size_t(id - 1)];
    return s;
}
TYPENET_INLINE std::vector<std::int32_t> date_target_ids(std::string_view iso) {
    std::vector<std::int32_t> ids;
    for (char c : iso) {
        if (c >= '0' && c <= '9') ids.push_back(2 + (c - '0'));
        else if (c == '-') ids.push_back(12);
        else throw std::invalid_argument("date_target_ids: '" + std::string(iso) + "' is not an ISO date");
    }
    return ids;
}
TYPENET_INLINE std::string date_target_text(std::span<const std::int32_t> ids) {
    std::string s;
    for (auto id : ids) {
        if (id >= 2 && id <= 11) s += char('0' + id - 2);
        else if (id == 12) s += '-';
    }
    return s;
}

TYPENET_INLINE DateTask dates(const DateOptions& o) {
    using namespace detail;
    DateTask task;
    task.data = Dataset("dates", date_source_length + date_target_length, date_target_length);
    Rng rng{o.seed};
    const int first = days_from_civil(1950, 1, 1), last = days_from_civil(2049, 12, 31);
    std::vector<float> targets(date_target_length);
    for (std::size_t i = 0; i < o.samples; ++i) {
        int y, m, d;
        civil_from_days(first + int(rng.below(std::uint64_t(last - first + 1))), y, m, d);
        const std::size_t f = rng.below(date_format_count);
        const std::string source = format_date(y, m, d, f);
        if (source.size() > date_source_length)
            throw std::logic_error("dates: \"" + source + "\" is longer than date_source_length");
        const std::string iso = std::to_string(y) + "-" + two_digits(m) + "-" + two_digits(d);
        const std::vector<std::int32_t> src = date_source_ids(source), out = date_target_ids(iso);
        // Teacher forcing: position t reads y_t (y_0 = <bos>) and predicts y_{t+1}, the
        // last position <eos>.
        std::vector<std::int32_t> fed{date_bos};
        fed.insert(fed.end(), out.begin(), out.end());
        for (std::size_t t = 0; t < out.size(); ++t) targets[t] = float(out[t]);
        targets[out.size()] = float(date_eos);
        task.data.add_pair(date_source_length, src, fed, targets);
        task.sources.push_back(source);
        task.isos.push_back(iso);
        task.formats.push_back(std::uint8_t(f));
    }
    return task;
}

}  // namespace tn::data

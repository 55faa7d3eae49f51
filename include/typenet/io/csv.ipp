// The bodies of io/csv.hpp: inline in a header-only build, compiled once into
// typenet::precompiled otherwise (include/typenet/config.hpp).
#pragma once
#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

#include "typenet/io/csv.hpp"

namespace tn::io {

TYPENET_INLINE CsvError::CsvError(std::string file_, std::size_t line_, std::size_t column_, const std::string& what)
    : std::runtime_error(where(file_, line_, column_) + what), file(std::move(file_)), line(line_), column(column_) {}

TYPENET_INLINE std::string CsvError::where(const std::string& file, std::size_t line, std::size_t column) {
    // Appended piece by piece: `"literal" + std::string&&` trips g++ 12's bogus
    // -Wrestrict warning (GCC bug 105329) at -O3.
    std::string s = file;
    if (line) s.append(":").append(std::to_string(line));
    s.append(": ");
    if (column) s.append("column ").append(std::to_string(column)).append(": ");
    return s;
}

namespace detail {

TYPENET_INLINE std::string_view trim(std::string_view s) {
    const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
    while (!s.empty() && blank(s.front())) s.remove_prefix(1);
    while (!s.empty() && blank(s.back())) s.remove_suffix(1);
    return s;
}

TYPENET_INLINE std::vector<std::string_view> split_fields(std::string_view line, char delimiter) {
    std::vector<std::string_view> fields;
    if (delimiter == ' ') {
        std::size_t i = 0;
        while (i < line.size()) {
            while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
            const std::size_t start = i;
            while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
            if (i > start) fields.push_back(line.substr(start, i - start));
        }
        return fields;
    }
    std::size_t start = 0;
    for (;;) {
        const std::size_t end = line.find(delimiter, start);
        fields.push_back(trim(line.substr(start, end == std::string_view::npos ? end : end - start)));
        if (end == std::string_view::npos) return fields;
        start = end + 1;
    }
}

// A quoted, shortened view of a bad cell for an error message.
TYPENET_INLINE std::string show(std::string_view cell) {
    constexpr std::size_t max = 24;
    std::string s(cell.substr(0, max));
    if (cell.size() > max) s += "...";
    return "\"" + s + "\"";
}

// Why a cell is not a number, or nothing when it is one (written to `value`).
TYPENET_INLINE std::optional<std::string> parse_float(std::string_view cell, bool allow_non_finite, float& value) {
    if (cell.empty()) return "expected a number, found an empty cell";
    // from_chars does not take a leading '+', which some writers emit.
    std::string_view digits = cell.front() == '+' ? cell.substr(1) : cell;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (ec == std::errc::result_out_of_range) return "expected a number that fits a float, found " + show(cell);
    if (ec != std::errc() || end != digits.data() + digits.size())
        return "expected a number, found " + show(cell);
    if (!allow_non_finite && !std::isfinite(value)) return "expected a finite number, found " + show(cell);
    return std::nullopt;
}

TYPENET_INLINE std::string plural(std::size_t n, const char* word) {
    return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

}  // namespace detail

TYPENET_INLINE CsvTable parse_csv(std::string_view text, const std::string& file, const CsvOptions& options) {
    CsvTable t;
    t.file = file;
    if (options.delimiter == '\n' || options.delimiter == '\r')
        throw std::invalid_argument("read_csv: the delimiter cannot be a line break");
    if (detail::trim(text).find_first_not_of("\n\r \t") == std::string_view::npos)
        throw CsvError(file, 0, 0,
                       "the file is empty; expected " +
                           (options.header_lines ? detail::plural(options.header_lines, "header line") + " and " +
                                                       "rows of numbers"
                                                 : std::string("rows of numbers")));

    std::size_t line_number = 0;
    std::size_t pos = 0;
    std::size_t first_row_line = 0;
    while (pos <= text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        const std::string_view line = detail::trim(text.substr(pos, end - pos));
        ++line_number;
        pos = end + 1;
        if (line.empty()) continue;  // blank lines (and the end of the file) are not rows

        auto fields = detail::split_fields(line, options.delimiter);
        if (t.header.size() < options.header_lines) {
            t.header.emplace_back(fields.begin(), fields.end());
            t.header_line_numbers.push_back(line_number);
            continue;
        }
        if (t.rows == 0) {
            t.columns = options.columns.value_or(fields.size());
            first_row_line = line_number;
        }
        if (fields.size() != t.columns) {
            const std::string reference = options.columns ? "as the table's layout requires"
                                                          : "as on line " + std::to_string(first_row_line);
            throw CsvError(file, line_number, 0,
                           "expected " + detail::plural(t.columns, "column") + " (" + reference + "), found " +
                               std::to_string(fields.size()));
        }
        for (std::size_t c = 0; c < fields.size(); ++c) {
            float v = 0;
            if (auto problem = detail::parse_float(fields[c], options.allow_non_finite, v))
                throw CsvError(file, line_number, c + 1, *problem);
            t.values.push_back(v);
        }
        t.line_numbers.push_back(line_number);
        ++t.rows;
    }
    if (t.rows == 0)
        throw CsvError(file, 0, 0,
                       "no rows of numbers" +
                           (options.header_lines ? " after the " + detail::plural(options.header_lines, "header line")
                                                 : std::string()));
    return t;
}

TYPENET_INLINE CsvTable read_csv(const std::filesystem::path& path, const CsvOptions& options) {
    const std::string file = path.string();
    std::error_code ec;
    if (!std::filesystem::exists(path, ec))
        throw CsvError(file, 0, 0, "no such file (run scripts/fetch-data.sh for the course's data sets)");
    if (std::filesystem::is_directory(path, ec)) throw CsvError(file, 0, 0, "is a folder, expected a CSV file");
    // Checked before opening: a FIFO would block the read until something wrote to it.
    if (!std::filesystem::is_regular_file(path, ec)) throw CsvError(file, 0, 0, "is not a regular file");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw CsvError(file, 0, 0, std::string("cannot open: ") + std::strerror(errno));
    std::ostringstream buffer;
    buffer << in.rdbuf();
    if (in.bad()) throw CsvError(file, 0, 0, "read error");
    return parse_csv(buffer.str(), file, options);
}

}  // namespace tn::io

// read_csv: a small table of numbers from a text file, with errors that say where.
//
//   auto t = tn::io::read_csv("data/sklearn/iris.csv", {.header_lines = 1});
//   t.header      // {"150", "4", "setosa", "versicolor", "virginica"}
//   t.rows, t.columns, t.at(row, column)
//
// Every cell must be a number: the course's tables (sklearn's) are all numeric, with
// whatever is not a number (counts, class names) in a header line kept as text.
// Anything wrong is a CsvError whose message starts `file:line:` and names the
// column (both 1-based, as an editor counts them) and what was expected there.
//
// Plain std::string and std::vector, no xtensor: compile time is a feature.
#pragma once
#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace tn::io {

// A malformed or missing table. `line` and `column` are 1-based; 0 means "not about
// one line" (a missing or empty file) or "not about one column" (a ragged row).
struct CsvError : std::runtime_error {
    std::string file;
    std::size_t line = 0;
    std::size_t column = 0;

    CsvError(std::string file_, std::size_t line_, std::size_t column_, const std::string& what)
        : std::runtime_error(where(file_, line_, column_) + what),
          file(std::move(file_)),
          line(line_),
          column(column_) {}

private:
    static std::string where(const std::string& file, std::size_t line, std::size_t column) {
        // Appended piece by piece: `"literal" + std::string&&` trips g++ 12's bogus
        // -Wrestrict warning (GCC bug 105329) at -O3.
        std::string s = file;
        if (line) s.append(":").append(std::to_string(line));
        s.append(": ");
        if (column) s.append("column ").append(std::to_string(column)).append(": ");
        return s;
    }
};

struct CsvOptions {
    // The field separator. ' ' means "any run of spaces or tabs", which is how
    // whitespace-separated tables (sklearn's diabetes) are laid out.
    char delimiter = ',';
    // Lines at the top kept as text in CsvTable::header (split on the delimiter)
    // rather than parsed as numbers. Blank lines do not count.
    std::size_t header_lines = 0;
    // Every row must have this many columns; by default, as many as the first row.
    std::optional<std::size_t> columns{};
    // NaN and infinity are refused unless asked for: one NaN in a data set stops
    // training much later, far from its cause.
    bool allow_non_finite = false;
};

struct CsvTable {
    std::string file;                              // as given, for messages
    std::vector<std::vector<std::string>> header;  // one entry per header line, its fields
    std::vector<std::size_t> header_line_numbers;  // where each header line was (1-based)
    std::size_t rows = 0, columns = 0;
    std::vector<float> values;             // [rows, columns], row-major
    std::vector<std::size_t> line_numbers;  // the file line of each row (1-based)

    float at(std::size_t row, std::size_t column) const { return values[row * columns + column]; }
    std::vector<float> column(std::size_t c) const {
        std::vector<float> out(rows);
        for (std::size_t r = 0; r < rows; ++r) out[r] = at(r, c);
        return out;
    }

    // An error about one cell that only a later check found (a label out of range),
    // placed in the file as a parse error would be. `column` is 0-based here.
    CsvError error_at(std::size_t row, std::size_t column, const std::string& what) const {
        return CsvError(file, line_numbers.at(row), column + 1, what);
    }
    CsvError error_at_header(std::size_t header_line, const std::string& what) const {
        return CsvError(file, header_line_numbers.at(header_line), 0, what);
    }
};

namespace detail {

inline std::string_view trim(std::string_view s) {
    const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
    while (!s.empty() && blank(s.front())) s.remove_prefix(1);
    while (!s.empty() && blank(s.back())) s.remove_suffix(1);
    return s;
}

inline std::vector<std::string_view> split_fields(std::string_view line, char delimiter) {
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
inline std::string show(std::string_view cell) {
    constexpr std::size_t max = 24;
    std::string s(cell.substr(0, max));
    if (cell.size() > max) s += "...";
    return "\"" + s + "\"";
}

// Why a cell is not a number, or nothing when it is one (written to `value`).
inline std::optional<std::string> parse_float(std::string_view cell, bool allow_non_finite, float& value) {
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

inline std::string plural(std::size_t n, const char* word) {
    return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

}  // namespace detail

// Parses CSV text; `file` is only used in messages (and may be a description).
inline CsvTable parse_csv(std::string_view text, const std::string& file, const CsvOptions& options = {}) {
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

// Reads and parses a file. A missing or unreadable file is a CsvError naming it.
inline CsvTable read_csv(const std::filesystem::path& path, const CsvOptions& options = {}) {
    const std::string file = path.string();
    std::error_code ec;
    if (!std::filesystem::exists(path, ec))
        throw CsvError(file, 0, 0, "no such file (run scripts/fetch-data.sh for the course's data sets)");
    if (std::filesystem::is_directory(path, ec)) throw CsvError(file, 0, 0, "is a folder, expected a CSV file");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw CsvError(file, 0, 0, std::string("cannot open: ") + std::strerror(errno));
    std::ostringstream buffer;
    buffer << in.rdbuf();
    if (in.bad()) throw CsvError(file, 0, 0, "read error");
    return parse_csv(buffer.str(), file, options);
}

}  // namespace tn::io

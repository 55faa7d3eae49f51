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
#include <cstddef>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "typenet/config.hpp"

namespace tn::io {

// A malformed or missing table. `line` and `column` are 1-based; 0 means "not about
// one line" (a missing or empty file) or "not about one column" (a ragged row).
struct CsvError : std::runtime_error {
    std::string file;
    std::size_t line = 0;
    std::size_t column = 0;

    TYPENET_INLINE CsvError(std::string file_, std::size_t line_, std::size_t column_, const std::string& what);

private:
    TYPENET_INLINE static std::string where(const std::string& file, std::size_t line, std::size_t column);
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

// Parses CSV text; `file` is only used in messages (and may be a description).
TYPENET_INLINE CsvTable parse_csv(std::string_view text, const std::string& file, const CsvOptions& options = {});

// Reads and parses a file. A missing or unreadable file is a CsvError naming it.
TYPENET_INLINE CsvTable read_csv(const std::filesystem::path& path, const CsvOptions& options = {});

}  // namespace tn::io

#if TYPENET_DEFINE_BODIES
#include "typenet/io/csv.ipp"
#endif

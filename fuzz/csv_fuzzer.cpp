// libFuzzer target for the CSV reader (io/csv.hpp): any text, under options taken
// from its first byte (delimiter, header lines, whether NaN and infinity are let
// through), must either parse or throw CsvError; never crash, hang or read out of
// bounds (ASan and UBSan watch). What parses must be a whole table: rows x columns
// values, a line number per row, and finite values unless they were allowed.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <typenet/io/csv.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::uint8_t knobs = data[0];
    static constexpr char delimiters[] = {',', ';', '\t', ' '};
    tn::io::CsvOptions options;
    options.delimiter = delimiters[knobs & 3];
    options.header_lines = (knobs >> 2) & 3;
    options.allow_non_finite = (knobs >> 4) & 1;
    if ((knobs >> 5) & 1) options.columns = std::size_t((knobs >> 6) + 1);
    const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    try {
        const auto t = tn::io::parse_csv(text, "fuzz-input", options);
        if (t.rows == 0 || t.columns == 0) std::abort();
        if (t.values.size() != t.rows * t.columns || t.line_numbers.size() != t.rows) std::abort();
        if (t.header.size() != options.header_lines || t.header_line_numbers.size() != options.header_lines)
            std::abort();
        if (options.columns && t.columns != *options.columns) std::abort();
        if (!options.allow_non_finite)
            for (float v : t.values)
                if (!std::isfinite(v)) std::abort();
        for (std::size_t r = 1; r < t.rows; ++r)
            if (t.line_numbers[r] <= t.line_numbers[r - 1]) std::abort();
    } catch (const tn::io::CsvError&) {
    }
    return 0;
}

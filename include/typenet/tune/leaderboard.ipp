// The bodies of tune/leaderboard.hpp: inline in a header-only build, compiled once
// into typenet::precompiled otherwise (include/typenet/config.hpp).
#pragma once
#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <system_error>

#include "typenet/tune/leaderboard.hpp"

namespace tn::tune {

TYPENET_INLINE Leaderboard::Leaderboard(Space space, std::vector<LeaderboardRow> rows, Direction direction,
                                        std::string score_name, bool show_architecture)
    : space_(std::move(space)),
      rows_(std::move(rows)),
      direction_(direction),
      score_name_(std::move(score_name)),
      show_architecture_(show_architecture) {
    for (auto& r : rows_) {
        r.failed = r.failed || !std::isfinite(r.score);  // a score that is not a number ranks last
        if (r.values.size() != space_.size())
            throw std::invalid_argument("Leaderboard: trial " + std::to_string(r.trial) + " has " +
                                        std::to_string(r.values.size()) + " values for " +
                                        std::to_string(space_.size()) + " hyperparameters");
    }
    std::stable_sort(rows_.begin(), rows_.end(), [&](const LeaderboardRow& a, const LeaderboardRow& b) {
        if (a.failed != b.failed) return b.failed;
        if (!a.failed && a.score != b.score) return better(a.score, b.score, direction_);
        return a.trial < b.trial;
    });
    for (std::size_t i = 0; i < rows_.size(); ++i) rows_[i].rank = i + 1;
}

TYPENET_INLINE Leaderboard::Leaderboard(const Study& study)
    : Leaderboard(study.space(), rows_of(study), study.direction(), study.settings().score_name,
                  study.architectures().size() > 1) {}

TYPENET_INLINE Leaderboard::~Leaderboard() = default;

TYPENET_INLINE const LeaderboardRow& Leaderboard::best() const {
    if (rows_.empty() || rows_.front().failed)
        throw std::runtime_error("Leaderboard: no trial succeeded" +
                                 std::string(rows_.empty() ? " (none ran)" : " (every one failed)"));
    return rows_.front();
}

TYPENET_INLINE double Leaderboard::number(const LeaderboardRow& row, std::string_view name) const {
    const Value& v = row.values.at(space_.index_of(name, "Leaderboard"));
    if (const double* d = std::get_if<double>(&v)) return *d;
    throw SpaceError("Leaderboard: '" + std::string(name) + "' is a text, not a number");
}

TYPENET_INLINE std::string Leaderboard::table(std::size_t max_rows) const {
    const std::size_t n = max_rows ? std::min(max_rows, rows_.size()) : rows_.size();
    std::vector<std::vector<std::string>> cells{header()};
    for (std::size_t i = 0; i < n; ++i) cells.push_back(cells_of(rows_[i], false));
    std::vector<std::size_t> width(cells[0].size(), 0);
    for (const auto& row : cells)
        for (std::size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
    std::string out;
    const std::size_t text_column = show_architecture_ ? 2 : std::size_t(-1);
    for (const auto& row : cells) {
        for (std::size_t c = 0; c < row.size(); ++c) {
            const std::string pad(width[c] - row[c].size(), ' ');
            if (c) out += "  ";
            // Names read left-aligned, numbers right-aligned.
            out += c == text_column ? row[c] + pad : pad + row[c];
        }
        while (!out.empty() && out.back() == ' ') out.pop_back();
        out += '\n';
    }
    if (n < rows_.size()) out += "... " + std::to_string(rows_.size() - n) + " more\n";
    return out;
}

TYPENET_INLINE void Leaderboard::print(std::size_t max_rows, std::FILE* to) const {
    std::fputs(table(max_rows).c_str(), to);
    std::fflush(to);
}

TYPENET_INLINE std::string Leaderboard::csv() const {
    std::string out;
    const auto line = [&](const std::vector<std::string>& cells) {
        for (std::size_t c = 0; c < cells.size(); ++c) {
            if (c) out += ',';
            out += quote(cells[c]);
        }
        out += '\n';
    };
    line(header());
    for (const auto& r : rows_) line(cells_of(r, true));
    return out;
}

TYPENET_INLINE void Leaderboard::write_csv(const std::string& path) const {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    if (!f) throw std::runtime_error("Leaderboard: cannot write '" + path + "' (does the folder exist?)");
    const std::string text = csv();
    f.write(text.data(), std::streamsize(text.size()));
    if (!f.flush()) throw std::runtime_error("Leaderboard: writing '" + path + "' failed (disk full?)");
}

TYPENET_INLINE std::vector<LeaderboardRow> Leaderboard::rows_of(const Study& study) {
    std::vector<LeaderboardRow> rows;
    for (const Trial& t : study.trials())
        if (t.evaluations() > 0)
            rows.push_back({0, t.id(), t.architecture_name(), t.values(), t.budget().epochs, t.score(), t.seconds(),
                            t.failed()});
    return rows;
}

TYPENET_INLINE std::vector<std::string> Leaderboard::header() const {
    std::vector<std::string> h{"rank", "trial"};
    if (show_architecture_) h.push_back("architecture");
    for (const auto& d : space_.dimensions()) h.push_back(d.name);
    h.insert(h.end(), {"epochs", score_name_, "seconds"});
    return h;
}

TYPENET_INLINE std::vector<std::string> Leaderboard::cells_of(const LeaderboardRow& r, bool exact) const {
    std::vector<std::string> c{std::to_string(r.rank), std::to_string(r.trial)};
    if (show_architecture_) c.push_back(r.architecture);
    for (std::size_t i = 0; i < r.values.size(); ++i) {
        const Value& v = r.values[i];
        if (exact && std::holds_alternative<double>(v)) c.push_back(shortest(std::get<double>(v)));
        else c.push_back(space_[i].format(v));
    }
    c.push_back(std::to_string(r.epochs));
    c.push_back(r.failed ? (exact ? "" : "failed") : exact ? shortest(r.score) : print("%.4f", r.score));
    c.push_back(print(exact ? "%.3f" : "%.1f", r.seconds));
    return c;
}

TYPENET_INLINE std::string Leaderboard::print(const char* format, double v) {
    char buf[40];
    std::snprintf(buf, sizeof buf, format, v);
    return buf;
}

TYPENET_INLINE std::string Leaderboard::shortest(double v) {
    char buf[40];
    const auto f = static_cast<float>(v);
    const auto [end, ec] = double(f) == v ? std::to_chars(buf, buf + sizeof buf, f, std::chars_format::general)
                                          : std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general);
    return ec == std::errc{} ? std::string(buf, end) : print("%.17g", v);
}

TYPENET_INLINE std::string Leaderboard::quote(const std::string& s) {
    if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
    std::string out = "\"";
    for (char ch : s) out += ch == '"' ? std::string("\"\"") : std::string(1, ch);
    return out + "\"";
}

}  // namespace tn::tune

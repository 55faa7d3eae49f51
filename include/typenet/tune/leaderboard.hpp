// Leaderboard: the trials of a search ranked by score, as a printable table and a
// CSV file, the way Keras Tuner's results_summary() shows them:
//
//   rank  trial  architecture  lr        batch  epochs  val_accuracy  seconds
//      1     17  wide          0.00213      64      27        0.8734     12.3
//
// Each trial appears once, with its last (and largest) budget and the score it
// reached there; failed trials (training diverged) come last, marked "failed".
#pragma once
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <fstream>
#include <limits>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "typenet/tune/study.hpp"

namespace tn::tune {

struct LeaderboardRow {
    std::size_t rank = 0;  // 1 is best
    std::size_t trial = 0;
    std::string architecture;
    std::vector<Value> values;  // one per hyperparameter, in the space's order
    std::size_t epochs = 0;
    double score = std::numeric_limits<double>::quiet_NaN();
    double seconds = 0;
    bool failed = false;
};

class Leaderboard {
public:
    Leaderboard() = default;
    // Ranks `rows` by score in `direction` (failed rows last; ties by trial number).
    Leaderboard(Space space, std::vector<LeaderboardRow> rows, Direction direction, std::string score_name = "score",
                bool show_architecture = true)
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

    // The leaderboard of a study: one row per evaluated trial.
    explicit Leaderboard(const Study& study)
        : Leaderboard(study.space(), rows_of(study), study.direction(), study.settings().score_name,
                      study.architectures().size() > 1) {}

    std::size_t size() const { return rows_.size(); }
    bool empty() const { return rows_.empty(); }
    const LeaderboardRow& operator[](std::size_t i) const { return rows_.at(i); }
    auto begin() const { return rows_.begin(); }
    auto end() const { return rows_.end(); }
    const Space& space() const { return space_; }
    const std::string& score_name() const { return score_name_; }

    // The winner; an error when no trial succeeded.
    const LeaderboardRow& best() const {
        if (rows_.empty() || rows_.front().failed)
            throw std::runtime_error("Leaderboard: no trial succeeded" +
                                     std::string(rows_.empty() ? " (none ran)" : " (every one failed)"));
        return rows_.front();
    }

    // The value of hyperparameter `name` in `row`, as a number.
    double number(const LeaderboardRow& row, std::string_view name) const {
        const Value& v = row.values.at(space_.index_of(name, "Leaderboard"));
        if (const double* d = std::get_if<double>(&v)) return *d;
        throw SpaceError("Leaderboard: '" + std::string(name) + "' is a text, not a number");
    }

    // The table as text: the first `max_rows` rows (0: all).
    std::string table(std::size_t max_rows = 0) const {
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
    void print(std::size_t max_rows = 0, std::FILE* to = stdout) const {
        std::fputs(table(max_rows).c_str(), to);
        std::fflush(to);
    }

    // Every row as CSV, values at full precision; a failed trial's score is empty.
    std::string csv() const {
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
    void write_csv(const std::string& path) const {
        std::ofstream f(path, std::ios::binary | std::ios::trunc);
        if (!f) throw std::runtime_error("Leaderboard: cannot write '" + path + "' (does the folder exist?)");
        const std::string text = csv();
        f.write(text.data(), std::streamsize(text.size()));
        if (!f.flush()) throw std::runtime_error("Leaderboard: writing '" + path + "' failed (disk full?)");
    }

private:
    static std::vector<LeaderboardRow> rows_of(const Study& study) {
        std::vector<LeaderboardRow> rows;
        for (const Trial& t : study.trials())
            if (t.evaluations() > 0)
                rows.push_back({0, t.id(), t.architecture_name(), t.values(), t.budget().epochs, t.score(), t.seconds(),
                                t.failed()});
        return rows;
    }

    std::vector<std::string> header() const {
        std::vector<std::string> h{"rank", "trial"};
        if (show_architecture_) h.push_back("architecture");
        for (const auto& d : space_.dimensions()) h.push_back(d.name);
        h.insert(h.end(), {"epochs", score_name_, "seconds"});
        return h;
    }

    std::vector<std::string> cells_of(const LeaderboardRow& r, bool exact) const {
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

    static std::string print(const char* format, double v) {
        char buf[40];
        std::snprintf(buf, sizeof buf, format, v);
        return buf;
    }
    // The shortest text that reads back as exactly `v` ("0.1", not 0.10000000000000001).
    // A score that came from a float (an accuracy) is written as that float: "0.7854",
    // not its double expansion 0.7853999733924866.
    static std::string shortest(double v) {
        char buf[40];
        const auto f = static_cast<float>(v);
        const auto [end, ec] = double(f) == v ? std::to_chars(buf, buf + sizeof buf, f, std::chars_format::general)
                                              : std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general);
        return ec == std::errc{} ? std::string(buf, end) : print("%.17g", v);
    }

    // RFC 4180: a field with a comma, quote or line break goes in quotes, quotes doubled.
    static std::string quote(const std::string& s) {
        if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
        std::string out = "\"";
        for (char ch : s) out += ch == '"' ? std::string("\"\"") : std::string(1, ch);
        return out + "\"";
    }

    Space space_;
    std::vector<LeaderboardRow> rows_;
    Direction direction_ = Direction::maximize;
    std::string score_name_ = "score";
    bool show_architecture_ = true;
};

}  // namespace tn::tune

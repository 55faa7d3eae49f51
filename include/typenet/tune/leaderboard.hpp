// Leaderboard: the trials of a search ranked by score, as a printable table and a
// CSV file, the way Keras Tuner's results_summary() shows them:
//
//   rank  trial  architecture  lr        batch  epochs  val_accuracy  seconds
//      1     17  wide          0.00213      64      27        0.8734     12.3
//
// Each trial appears once, with its last (and largest) budget and the score it
// reached there; failed trials (training diverged) come last, marked "failed".
#pragma once
#include <cstddef>
#include <cstdio>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "typenet/config.hpp"
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
    TYPENET_INLINE Leaderboard(Space space, std::vector<LeaderboardRow> rows, Direction direction,
                               std::string score_name = "score", bool show_architecture = true);

    // The leaderboard of a study: one row per evaluated trial.
    TYPENET_INLINE explicit Leaderboard(const Study& study);

    // The destructor is compiled once with the bodies (include/typenet/config.hpp);
    // declaring it takes away the implicit moves, so they are asked for.
    Leaderboard(const Leaderboard&) = default;
    Leaderboard(Leaderboard&&) = default;
    Leaderboard& operator=(const Leaderboard&) = default;
    Leaderboard& operator=(Leaderboard&&) = default;
    TYPENET_INLINE ~Leaderboard();

    std::size_t size() const { return rows_.size(); }
    bool empty() const { return rows_.empty(); }
    const LeaderboardRow& operator[](std::size_t i) const { return rows_.at(i); }
    auto begin() const { return rows_.begin(); }
    auto end() const { return rows_.end(); }
    const Space& space() const { return space_; }
    const std::string& score_name() const { return score_name_; }

    // The winner; an error when no trial succeeded.
    TYPENET_INLINE const LeaderboardRow& best() const;

    // The value of hyperparameter `name` in `row`, as a number.
    TYPENET_INLINE double number(const LeaderboardRow& row, std::string_view name) const;

    // The table as text: the first `max_rows` rows (0: all).
    TYPENET_INLINE std::string table(std::size_t max_rows = 0) const;
    TYPENET_INLINE void print(std::size_t max_rows = 0, std::FILE* to = stdout) const;

    // Every row as CSV, values at full precision; a failed trial's score is empty.
    TYPENET_INLINE std::string csv() const;
    TYPENET_INLINE void write_csv(const std::string& path) const;

private:
    TYPENET_INLINE static std::vector<LeaderboardRow> rows_of(const Study& study);
    TYPENET_INLINE std::vector<std::string> header() const;
    TYPENET_INLINE std::vector<std::string> cells_of(const LeaderboardRow& r, bool exact) const;
    TYPENET_INLINE static std::string print(const char* format, double v);
    // The shortest text that reads back as exactly `v` ("0.1", not 0.10000000000000001).
    // A score that came from a float (an accuracy) is written as that float: "0.7854",
    // not its double expansion 0.7853999733924866.
    TYPENET_INLINE static std::string shortest(double v);
    // RFC 4180: a field with a comma, quote or line break goes in quotes, quotes doubled.
    TYPENET_INLINE static std::string quote(const std::string& s);

    Space space_;
    std::vector<LeaderboardRow> rows_;
    Direction direction_ = Direction::maximize;
    std::string score_name_ = "score";
    bool show_architecture_ = true;
};

}  // namespace tn::tune

#if TYPENET_DEFINE_BODIES
#include "typenet/tune/leaderboard.ipp"
#endif

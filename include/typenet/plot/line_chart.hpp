// LineChart: curves against a shared x axis, e.g. loss per epoch.
//
//   tn::plot::LineChart chart{.title = "Loss", .x_label = "epoch", .y_label = "loss"};
//   chart.log_y = true;                     // optional log scale (values must be > 0); log_x too
//   chart.add("train", xs, ys);             // any ranges of numbers: vector<float>, vector<double>, ...
//   chart.add("validation", ys);            // x = 1, 2, ..., n
//   chart.save("out/01/loss.svg");          // std::runtime_error naming the path if it cannot write
//
// NaN and infinite values leave a gap in their line. Series get Okabe-Ito colours in
// order; `add` returns the series so that one line can be styled:
// `chart.add("0-1", xs, ys).dashed()`. Short series (and isolated points) also get
// markers, so a one-epoch run still shows a dot.
#pragma once
#include <cmath>
#include <concepts>
#include <cstddef>
#include <filesystem>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "typenet/config.hpp"
#include "typenet/plot/axes.hpp"

namespace tn::plot {

template <class R>
concept NumberRange = requires(const R& r) {
    { *std::begin(r) } -> std::convertible_to<double>;
    std::end(r);
};

template <NumberRange R>
std::vector<double> to_doubles(const R& r) {
    std::vector<double> out;
    for (const auto& v : r) out.push_back(static_cast<double>(v));
    return out;
}

enum class Markers { automatic, always, never };
enum class Legend { automatic, inside, outside, none };  // automatic: inside unless it would hide data

struct Series {
    std::string name;
    std::vector<double> x, y;
    std::size_t colour = 0;      // index into palette::lines
    std::string dash;            // stroke-dasharray, e.g. "6 4"; empty: solid
    double width = 2;
    Markers markers = Markers::automatic;

    Series& dashed(std::string pattern = "6 4") { dash = std::move(pattern); return *this; }
    Series& dotted() { dash = "2 3"; return *this; }
    Series& color(std::size_t palette_index) { colour = palette_index; return *this; }
    Series& line_width(double w) { width = w; return *this; }
    Series& with_markers(Markers m = Markers::always) { markers = m; return *this; }
};

struct LineChart {
    std::string title, x_label, y_label;
    bool log_y = false;
    bool log_x = false;
    double width = 720, height = 440;
    // Fixed axis limits; without them the axis covers the data with nice ticks.
    // Data outside fixed limits is clipped at the frame.
    std::optional<double> x_min{}, x_max{}, y_min{}, y_max{};
    Legend legend_position = Legend::automatic;
    std::vector<Series> series{};

    template <NumberRange XS, NumberRange YS>
    Series& add(std::string name, const XS& xs, const YS& ys) {
        Series s;
        s.name = std::move(name);
        s.x = to_doubles(xs);
        s.y = to_doubles(ys);
        s.colour = series.size() % palette::line_count;
        if (s.x.size() != s.y.size())
            throw std::invalid_argument(describe() + ": series '" + s.name + "' has " + std::to_string(s.x.size()) +
                                        " x values but " + std::to_string(s.y.size()) + " y values");
        series.push_back(std::move(s));
        return series.back();
    }
    template <NumberRange YS>
    Series& add(std::string name, const YS& ys) {
        std::vector<double> y = to_doubles(ys), x(y.size());
        for (std::size_t i = 0; i < x.size(); ++i) x[i] = double(i + 1);
        return add(std::move(name), x, y);
    }

    // Draws the chart into `outer` of an existing document (panels of a figure).
    TYPENET_INLINE void render(Svg& svg, Rect outer) const;
    TYPENET_INLINE std::string svg() const;
    void save(const std::filesystem::path& path) const { write_file(path, svg(), describe()); }

private:
    std::string describe() const { return "LineChart '" + title + "'"; }
    static bool usable(double v) { return std::isfinite(v); }

    TYPENET_INLINE void check_log_scale() const;
    TYPENET_INLINE std::pair<Ticks, Ticks> axis_ticks() const;
    // Nice ticks over [lo, hi]. A fixed limit replaces the outer tick; a free one gets
    // 2% of room beyond it, so that no line runs along the frame.
    TYPENET_INLINE static Ticks fit(double lo, double hi, bool fixed_lo, bool fixed_hi, bool log);
    TYPENET_INLINE static bool shows_markers(const Series& s);
    // The pixels the lines pass through (points, and every 6 px along segments): what
    // a legend must not cover.
    TYPENET_INLINE std::vector<std::pair<double, double>> occupied(const Frame& f) const;
    TYPENET_INLINE static std::size_t covered(const Rect& box, const std::vector<std::pair<double, double>>& points);
    TYPENET_INLINE static void draw_series(Svg& svg, const Frame& f, const Series& s);
};

// Several charts side by side in one file, under one title (e.g. loss | accuracy).
TYPENET_INLINE void save_row(const std::filesystem::path& path, const std::string& title,
                             const std::vector<const LineChart*>& charts, double panel_width = 520,
                             double panel_height = 400);

}  // namespace tn::plot

#if TYPENET_DEFINE_BODIES
#include "typenet/plot/line_chart.ipp"
#endif

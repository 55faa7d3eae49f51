// The SVG plots: nice ticks, well-formed files, gaps for NaN, log-scale and path errors,
// and a decision boundary that lies where the field crosses 0.5.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <typenet/plot/decision_map.hpp>
#include <typenet/plot/history.hpp>
#include <typenet/plot/line_chart.hpp>

namespace plot = tn::plot;

namespace {

// A minimal XML well-formedness check: every tag closes in order, attributes are
// quoted, and '&' only starts an entity. Returns "" when well formed, else why not.
std::string xml_problem(const std::string& doc) {
    std::vector<std::string> open;
    std::size_t i = 0;
    const auto name_at = [&](std::size_t p) {
        std::size_t e = p;
        while (e < doc.size() && (std::isalnum(static_cast<unsigned char>(doc[e])) || doc[e] == '-' || doc[e] == ':'))
            ++e;
        return doc.substr(p, e - p);
    };
    while (i < doc.size()) {
        if (doc[i] == '&') {
            const std::size_t semi = doc.find(';', i);
            const std::string entity = semi == std::string::npos ? "" : doc.substr(i, semi - i + 1);
            if (entity != "&amp;" && entity != "&lt;" && entity != "&gt;" && entity != "&quot;" && entity != "&apos;")
                return "bare '&' at offset " + std::to_string(i);
            i = semi + 1;
            continue;
        }
        if (doc[i] != '<') {
            if (doc[i] == '>') return "stray '>' at offset " + std::to_string(i);
            ++i;
            continue;
        }
        if (doc.compare(i, 4, "<!--") == 0) {
            const std::size_t end = doc.find("-->", i);
            if (end == std::string::npos) return "unclosed comment";
            i = end + 3;
            continue;
        }
        if (doc.compare(i, 2, "<?") == 0) {
            const std::size_t end = doc.find("?>", i);
            if (end == std::string::npos) return "unclosed declaration";
            i = end + 2;
            continue;
        }
        const bool closing = doc[i + 1] == '/';
        const std::string name = name_at(i + (closing ? 2 : 1));
        if (name.empty()) return "tag without a name at offset " + std::to_string(i);
        // Walk to the end of the tag, skipping quoted attribute values.
        std::size_t p = i + 1;
        char quote = 0;
        for (; p < doc.size(); ++p) {
            if (quote) {
                if (doc[p] == quote) quote = 0;
                else if (doc[p] == '<') return "'<' inside an attribute of <" + name + ">";
            } else if (doc[p] == '"' || doc[p] == '\'') {
                quote = doc[p];
            } else if (doc[p] == '>') {
                break;
            }
        }
        if (p == doc.size()) return "unterminated tag <" + name + ">";
        if (closing) {
            if (open.empty() || open.back() != name) return "</" + name + "> closes " + (open.empty() ? "nothing" : "<" + open.back() + ">");
            open.pop_back();
        } else if (doc[p - 1] != '/') {
            open.push_back(name);
        }
        i = p + 1;
    }
    if (!open.empty()) return "<" + open.back() + "> is never closed";
    return "";
}

std::string read_all(const std::filesystem::path& p) {
    std::ifstream f(p);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

std::filesystem::path scratch_dir() {
    auto dir = std::filesystem::temp_directory_path() / "typenet-plot-test";
    std::filesystem::create_directories(dir);
    return dir;
}

std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (std::size_t p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
    return n;
}

// The d="..." of the first <path> whose attributes contain `marker`.
std::string path_data_with(const std::string& svg, const std::string& marker) {
    for (std::size_t p = svg.find("<path d=\""); p != std::string::npos; p = svg.find("<path d=\"", p + 1)) {
        const std::size_t end = svg.find("/>", p);
        const std::string element = svg.substr(p, end - p);
        if (element.find(marker) != std::string::npos) {
            const std::size_t d0 = p + 9;
            return svg.substr(d0, svg.find('"', d0) - d0);
        }
    }
    return "";
}

// The step between ticks is 1, 2, 2.5 or 5 times a power of ten.
bool nice_step(double step) {
    const double mantissa = step / std::pow(10.0, std::floor(std::log10(step) + 1e-9));
    for (double m : {1.0, 2.0, 2.5, 5.0, 10.0})
        if (std::abs(mantissa - m) < 1e-6) return true;
    return false;
}

}  // namespace

TEST_CASE("the well-formedness checker itself catches broken XML") {
    CHECK(xml_problem("<a><b x=\"1\"/></a>").empty());
    CHECK_FALSE(xml_problem("<a><b></a>").empty());
    CHECK_FALSE(xml_problem("<a>x & y</a>").empty());
    CHECK_FALSE(xml_problem("<a x=\"1>").empty());
}

TEST_CASE("linear ticks are nice numbers that cover the range") {
    const std::vector<std::pair<double, double>> ranges = {
        {0, 1},     {0.013, 0.98}, {-3.7, 12.2}, {1, 50},       {0.6931, 0.6932}, {-1e-5, 3e-5},
        {1e6, 3e7}, {42, 42},      {-5, -2},     {0.25, 0.2501}, {0, 100},         {97.3, 100}};
    for (const auto& range : ranges) {
        const double lo = range.first, hi = range.second;
        CAPTURE(lo);
        CAPTURE(hi);
        const auto t = plot::nice_ticks(lo, hi);
        REQUIRE(t.values.size() >= 3);
        CHECK(t.values.size() <= 11);
        CHECK(t.labels.size() == t.values.size());
        CHECK(t.lo <= lo);
        CHECK(t.hi >= hi);
        CHECK(t.lo == t.values.front());
        CHECK(t.hi == t.values.back());
        const double step = t.values[1] - t.values[0];
        CHECK(nice_step(step));
        for (std::size_t i = 1; i < t.values.size(); ++i)
            CHECK(t.values[i] - t.values[i - 1] == doctest::Approx(step).epsilon(1e-9));
        // The ticks are multiples of the step (0 would be one of them).
        CHECK(std::abs(t.values[0] / step - std::round(t.values[0] / step)) < 1e-6);
    }
}

TEST_CASE("tick labels are short and exact") {
    const auto t = plot::nice_ticks(0, 1);
    CHECK(t.labels == std::vector<std::string>{"0.0", "0.2", "0.4", "0.6", "0.8", "1.0"});
    const auto around_zero = plot::nice_ticks(-0.3, 0.3);
    for (const auto& l : around_zero.labels) CHECK(l.find("-0.0") != 0);  // no negative zero
    const auto tiny = plot::nice_ticks(0, 4e-5);
    CHECK(tiny.labels.back().find('e') != std::string::npos);  // 4e-5, not 0.00004
}

TEST_CASE("log ticks are positive, ascending and cover the range") {
    for (const auto& range : std::vector<std::pair<double, double>>{{0.01, 2.3}, {3e-6, 0.7}, {0.55, 0.95},
                                                                    {0.2, 0.29}, {1, 1e12}, {0.3, 3}}) {
        const double lo = range.first, hi = range.second;
        CAPTURE(lo);
        CAPTURE(hi);
        const auto t = plot::log_ticks(lo, hi);
        REQUIRE(t.values.size() >= 2);
        CHECK(t.values.front() > 0);
        CHECK(t.lo <= lo * (1 + 1e-12));
        CHECK(t.hi >= hi * (1 - 1e-12));
        for (std::size_t i = 1; i < t.values.size(); ++i) CHECK(t.values[i] > t.values[i - 1]);
    }
    CHECK_THROWS_AS(plot::log_ticks(0, 1), std::invalid_argument);
}

TEST_CASE("a line chart is written as well-formed SVG with its names escaped") {
    plot::LineChart chart{.title = "Loss <train & val>", .x_label = "epoch", .y_label = "loss"};
    std::vector<float> ys;
    for (int i = 0; i < 40; ++i) ys.push_back(std::exp(-0.1f * float(i)));
    std::vector<double> xs;
    for (int i = 0; i < 40; ++i) xs.push_back(i);
    chart.add("train", xs, ys);
    chart.add("validation \"held out\"", ys);
    const auto path = scratch_dir() / "nested" / "folder" / "loss.svg";
    std::filesystem::remove_all(scratch_dir() / "nested");
    chart.save(path);  // creates the missing folders
    REQUIRE(std::filesystem::exists(path));
    const std::string svg = read_all(path);
    CHECK(xml_problem(svg).empty());
    CHECK(svg.find("<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\"") != std::string::npos);
    CHECK(svg.find("Loss &lt;train &amp; val&gt;") != std::string::npos);
    CHECK(svg.find("validation &quot;held out&quot;") != std::string::npos);
    CHECK(svg.find("nan") == std::string::npos);
    CHECK(svg.find("inf") == std::string::npos);
}

TEST_CASE("NaN and infinity leave gaps in a line") {
    plot::LineChart chart{.title = "gaps", .x_label = "x", .y_label = "y"};
    const double nan = std::nan("");
    chart.add("", std::vector<double>{1, 2, nan, 4, 5, INFINITY, 7, 8});
    const std::string svg = chart.svg();
    CHECK(xml_problem(svg).empty());
    const std::string d = path_data_with(svg, plot::palette::line(0));
    REQUIRE_FALSE(d.empty());
    CHECK(count(d, "M") == 3);  // three runs: 1-2, 4-5, 7-8
    CHECK(count(d, "L") == 3);
    CHECK(svg.find("nan") == std::string::npos);
}

TEST_CASE("a log axis refuses values <= 0 with a message that says where") {
    plot::LineChart chart{.title = "Loss", .x_label = "epoch", .y_label = "loss"};
    chart.log_y = true;
    chart.add("train", std::vector<double>{1, 2, 3}, std::vector<double>{0.5, 0.1, 0});
    CHECK_THROWS_WITH_AS(chart.svg(), doctest::Contains("series 'train' has y = 0 at x = 3"), std::invalid_argument);
    chart.log_y = false;
    CHECK_NOTHROW(chart.svg());
    chart.log_y = true;
    chart.series[0].y[2] = 0.01;
    const std::string svg = chart.svg();
    CHECK(xml_problem(svg).empty());
    chart.log_x = true;
    chart.series[0].x[0] = -1;
    CHECK_THROWS_WITH_AS(chart.svg(), doctest::Contains("log_x needs values > 0"), std::invalid_argument);
}

TEST_CASE("saving to a path that cannot be written names the path") {
    const auto blocker = scratch_dir() / "a-file";
    std::ofstream(blocker) << "not a folder";
    const auto bad = blocker / "sub" / "loss.svg";
    plot::LineChart chart{.title = "t", .x_label = "x", .y_label = "y"};
    chart.add("a", std::vector<double>{1, 2});
    CHECK_THROWS_WITH_AS(chart.save(bad), doctest::Contains(bad.string().c_str()), std::runtime_error);
    plot::DecisionMap map{.title = "m", .x_label = "x", .y_label = "y"};
    CHECK_THROWS_WITH_AS(map.save(bad), doctest::Contains(bad.string().c_str()), std::runtime_error);
}

TEST_CASE("series of different lengths are refused") {
    plot::LineChart chart{.title = "t", .x_label = "x", .y_label = "y"};
    CHECK_THROWS_AS(chart.add("a", std::vector<double>{1, 2, 3}, std::vector<float>{1, 2}), std::invalid_argument);
}

TEST_CASE("the decision boundary follows the field's 0.5 contour") {
    plot::DecisionMap map{.title = "x above y", .x_label = "x", .y_label = "y"};
    // p = sigmoid(4 (x - 0.5 y - 0.2)): the boundary is the line x = 0.5 y + 0.2.
    map.set_field(-1, 2, -1, 2, 60, [](float x, float y) { return 1.f / (1.f + std::exp(-4.f * (x - 0.5f * y - 0.2f))); });
    const auto segments = map.boundary();
    REQUIRE(segments.size() >= 60);  // it crosses the whole map
    for (const auto& [a, b] : segments) {
        CHECK(a.x == doctest::Approx(0.5 * a.y + 0.2).epsilon(0.01));
        CHECK(b.x == doctest::Approx(0.5 * b.y + 0.2).epsilon(0.01));
    }
    map.add_points("below", std::vector<float>{0.5f, 1.5f}, std::vector<float>{0.1f, 0.3f}, 1);
    map.add_points("above", std::vector<float>{-0.5f}, std::vector<float>{1.f}, 0);
    map.add_line("guess", -1, -1, 2, 2);
    const std::string svg = map.svg();
    CHECK(xml_problem(svg).empty());
    CHECK(svg.find(">below</text>") != std::string::npos);
    CHECK(svg.find("decision boundary") != std::string::npos);
}

TEST_CASE("a field that is 0 or 1 everywhere still gives a boundary, and bad views are refused") {
    plot::DecisionMap map{.title = "step", .x_label = "x", .y_label = "y"};
    map.set_field(0, 1, 0, 1, 20, [](float x, float) { return x >= 0.3f ? 1.f : 0.f; });
    const auto segments = map.boundary();
    REQUIRE_FALSE(segments.empty());
    for (const auto& [a, b] : segments) {
        CHECK(std::abs(a.x - 0.3) <= 0.05 + 1e-9);
        CHECK(std::abs(b.x - 0.3) <= 0.05 + 1e-9);
    }
    CHECK_THROWS_AS(map.set_field(1, 0, 0, 1, 20, [](float, float) { return 0.f; }), std::invalid_argument);
    CHECK_THROWS_AS(map.set_field(0, 1, 0, 1, 1, [](float, float) { return 0.f; }), std::invalid_argument);
}

TEST_CASE("history curves: a loss panel, and an accuracy panel when there is accuracy") {
    tn::History h;
    for (std::size_t e = 1; e <= 5; ++e) {
        tn::EpochRecord r;
        r.epoch = e;
        r.loss = 1.f / float(e);
        h.epochs.push_back(r);
    }
    CHECK(plot::history_charts(h).size() == 1);
    for (auto& r : h.epochs) r.accuracy = 1.f - r.loss / 2, r.val_loss = r.loss * 1.1f;
    const auto charts = plot::history_charts(h);
    REQUIRE(charts.size() == 2);
    CHECK(charts[0].series.size() == 2);  // train and validation loss
    CHECK(charts[1].series.size() == 1);  // no validation accuracy recorded
    const auto path = scratch_dir() / "history.svg";
    plot::curves(h, path, "curves");
    const std::string svg = read_all(path);
    CHECK(xml_problem(svg).empty());
    CHECK(svg.find(">accuracy</text>") != std::string::npos);
}

// A small SVG 1.1 writer: the few elements the charts need, written by hand so that
// plotting costs no dependency and almost no compile time (no xtensor, no iostreams
// formatting in the hot path). Coordinates are printed with two decimals, which is
// far below a pixel, and locale-independently (std::to_chars).
#pragma once
#include <filesystem>
#include <string>
#include <string_view>

#include "typenet/config.hpp"

namespace tn::plot {

// Appends `v` with at most `decimals` decimals and no trailing zeros ("12.5", "3",
// "-0.25"), as SVG attributes want it. Never writes "-0" or "nan" (non-finite values
// become 0; callers skip them before they get here).
TYPENET_INLINE void append_number(std::string& out, double v, int decimals = 2);
TYPENET_INLINE std::string number(double v, int decimals = 2);

// Appends text and numbers to a string: Appender(out) << "<rect x=\"" << x << ...
// One append per piece and no temporaries, which keeps the generated code (and so the
// compile time of every program that plots) small.
class Appender {
public:
    explicit Appender(std::string& out) : out_(out) {}
    Appender& operator<<(std::string_view text) {
        out_.append(text);
        return *this;
    }
    Appender& operator<<(char c) {
        out_ += c;
        return *this;
    }
    Appender& operator<<(double v) {
        append_number(out_, v);
        return *this;
    }

private:
    std::string& out_;
};

// SVG path data, built by appending (cheaper than chains of `+`, and it keeps g++ 12's
// -Wrestrict false positive on `"literal" + std::string` away).
struct PathData {
    std::string d;
    PathData& move(double x, double y) { return cmd('M', x).pair(y); }
    PathData& line(double x, double y) { return cmd('L', x).pair(y); }
    PathData& horizontal(double x) { return cmd('H', x); }
    PathData& vertical(double y) { return cmd('V', y); }
    PathData& relative_horizontal(double dx) { return cmd('h', dx); }
    PathData& relative_vertical(double dy) { return cmd('v', dy); }
    PathData& close() { d += 'Z'; return *this; }
    bool empty() const { return d.empty(); }

private:
    PathData& cmd(char c, double v) {
        d += c;
        append_number(d, v);
        return *this;
    }
    PathData& pair(double v) {
        d += ' ';
        append_number(d, v);
        return *this;
    }
};

// Text content and attribute values with XML's five special characters escaped.
TYPENET_INLINE std::string escape(std::string_view text);

// Writes `content` to `path`, creating missing parent folders. Any failure is a
// std::runtime_error that names the path and the reason.
TYPENET_INLINE void write_file(const std::filesystem::path& path, std::string_view content, std::string_view what);

// An SVG document built as a string. Elements take their geometry as numbers and
// any further presentation attributes as a ready string (`extra`), e.g.
// R"(stroke="#000" stroke-width="1.5")".
class Svg {
public:
    Svg(double width, double height) : width_(width), height_(height) {}

    double width() const { return width_; }
    double height() const { return height_; }

    TYPENET_INLINE void rect(double x, double y, double w, double h, std::string_view extra);
    TYPENET_INLINE void line(double x0, double y0, double x1, double y1, std::string_view extra);
    TYPENET_INLINE void circle(double cx, double cy, double r, std::string_view extra);
    // `d` is SVG path data, e.g. "M1 2L3 4".
    TYPENET_INLINE void path(std::string_view d, std::string_view extra);
    enum class Anchor { start, middle, end };
    // Text whose baseline is shifted so that (x, y) is its vertical centre.
    TYPENET_INLINE void text(double x, double y, std::string_view content, double size, Anchor anchor = Anchor::start,
                             std::string_view extra = {});

    // A rectangular clip region; returns its id for clip-path="url(#id)".
    TYPENET_INLINE std::string clip_rect(double x, double y, double w, double h);
    TYPENET_INLINE void open_group(std::string_view attributes);
    void close_group() { body_ += "</g>\n"; }
    TYPENET_INLINE void comment(std::string_view text);

    TYPENET_INLINE std::string str() const;

    void save(const std::filesystem::path& path, std::string_view what = "plot") const {
        write_file(path, str(), what);
    }

private:
    double width_, height_;
    std::string defs_, body_;
    int clip_count_ = 0;
};

}  // namespace tn::plot

#if TYPENET_DEFINE_BODIES
#include "typenet/plot/svg.ipp"
#endif

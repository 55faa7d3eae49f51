// A small SVG 1.1 writer: the few elements the charts need, written by hand so that
// plotting costs no dependency and almost no compile time (no xtensor, no iostreams
// formatting in the hot path). Coordinates are printed with two decimals, which is
// far below a pixel, and locale-independently (std::to_chars).
#pragma once
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

namespace tn::plot {

// Appends `v` with at most `decimals` decimals and no trailing zeros ("12.5", "3",
// "-0.25"), as SVG attributes want it. Never writes "-0" or "nan" (non-finite values
// become 0; callers skip them before they get here).
inline void append_number(std::string& out, double v, int decimals = 2) {
    if (!std::isfinite(v)) v = 0;
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, decimals);
    if (ec != std::errc{}) {
        out += '0';
        return;
    }
    if (std::find(buf, end, '.') != end) {
        while (end[-1] == '0') --end;
        if (end[-1] == '.') --end;
    }
    if (end - buf == 2 && buf[0] == '-' && buf[1] == '0') {
        out += '0';
        return;
    }
    out.append(buf, end);
}
inline std::string number(double v, int decimals = 2) {
    std::string s;
    append_number(s, v, decimals);
    return s;
}

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
inline std::string escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&apos;"; break;
            default:
                // Control characters other than tab and newline are not allowed in XML 1.0.
                if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n') out += ' ';
                else out += c;
        }
    }
    return out;
}

// Writes `content` to `path`, creating missing parent folders. Any failure is a
// std::runtime_error that names the path and the reason.
inline void write_file(const std::filesystem::path& path, std::string_view content, std::string_view what) {
    const auto fail = [&](const std::string& reason) {
        throw std::runtime_error(std::string(what) + ": cannot write '" + path.string() + "': " + reason);
    };
    if (path.empty()) fail("the path is empty");
    if (path.has_parent_path()) {
        std::error_code ec;
        std::filesystem::create_directories(path.parent_path(), ec);
        if (ec) fail("cannot create folder '" + path.parent_path().string() + "' (" + ec.message() + ")");
    }
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    if (!file) {
        std::error_code ec;
        if (std::filesystem::is_directory(path, ec)) fail("it is a folder");
        fail("the file cannot be opened (check that the folder exists and is writable)");
    }
    file.write(content.data(), static_cast<std::streamsize>(content.size()));
    file.close();
    if (!file) fail("writing failed (disk full?)");
}

// An SVG document built as a string. Elements take their geometry as numbers and
// any further presentation attributes as a ready string (`extra`), e.g.
// R"(stroke="#000" stroke-width="1.5")".
class Svg {
public:
    Svg(double width, double height) : width_(width), height_(height) {}

    double width() const { return width_; }
    double height() const { return height_; }

    void rect(double x, double y, double w, double h, std::string_view extra) {
        Appender(body_) << "<rect x=\"" << x << "\" y=\"" << y << "\" width=\"" << std::max(w, 0.0) << "\" height=\""
                        << std::max(h, 0.0) << "\" " << extra << "/>\n";
    }
    void line(double x0, double y0, double x1, double y1, std::string_view extra) {
        Appender(body_) << "<line x1=\"" << x0 << "\" y1=\"" << y0 << "\" x2=\"" << x1 << "\" y2=\"" << y1 << "\" "
                        << extra << "/>\n";
    }
    void circle(double cx, double cy, double r, std::string_view extra) {
        Appender(body_) << "<circle cx=\"" << cx << "\" cy=\"" << cy << "\" r=\"" << r << "\" " << extra << "/>\n";
    }
    // `d` is SVG path data, e.g. "M1 2L3 4".
    void path(std::string_view d, std::string_view extra) {
        if (d.empty()) return;
        Appender(body_) << "<path d=\"" << d << "\" " << extra << "/>\n";
    }
    enum class Anchor { start, middle, end };
    // Text whose baseline is shifted so that (x, y) is its vertical centre.
    void text(double x, double y, std::string_view content, double size, Anchor anchor = Anchor::start,
              std::string_view extra = {}) {
        static constexpr const char* anchors[] = {"start", "middle", "end"};
        Appender out(body_);
        out << "<text x=\"" << x << "\" y=\"" << y + 0.35 * size << "\" font-size=\"" << size << "\" text-anchor=\""
            << anchors[static_cast<int>(anchor)] << '"';
        if (!extra.empty()) out << ' ' << extra;
        out << '>' << escape(content) << "</text>\n";
    }

    // A rectangular clip region; returns its id for clip-path="url(#id)".
    std::string clip_rect(double x, double y, double w, double h) {
        std::string id = "clip";
        id += std::to_string(++clip_count_);
        Appender(defs_) << "<clipPath id=\"" << id << "\"><rect x=\"" << x << "\" y=\"" << y << "\" width=\"" << w
                        << "\" height=\"" << h << "\"/></clipPath>\n";
        return id;
    }
    void open_group(std::string_view attributes) {
        body_ += "<g ";
        body_ += attributes;
        body_ += ">\n";
    }
    void close_group() { body_ += "</g>\n"; }
    void comment(std::string_view text) {
        std::string safe(text);
        for (std::size_t p; (p = safe.find("--")) != std::string::npos;) safe.replace(p, 2, "- ");
        body_ += "<!-- ";
        body_ += safe;
        body_ += " -->\n";
    }

    std::string str() const {
        std::string out;
        out.reserve(body_.size() + defs_.size() + 400);
        Appender(out) << "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
                      << "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"" << width_
                      << "\" height=\"" << height_ << "\" viewBox=\"0 0 " << width_ << ' ' << height_
                      << "\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" fill=\"#222222\">\n";
        if (!defs_.empty()) Appender(out) << "<defs>\n" << defs_ << "</defs>\n";
        Appender(out) << "<rect x=\"0\" y=\"0\" width=\"" << width_ << "\" height=\"" << height_
                      << "\" fill=\"#ffffff\"/>\n"
                      << body_ << "</svg>\n";
        return out;
    }

    void save(const std::filesystem::path& path, std::string_view what = "plot") const {
        write_file(path, str(), what);
    }

private:
    double width_, height_;
    std::string defs_, body_;
    int clip_count_ = 0;
};

}  // namespace tn::plot

// The bodies of plot/svg.hpp: inline in a header-only build, compiled once into
// typenet::precompiled otherwise (include/typenet/config.hpp).
#pragma once
#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <stdexcept>
#include <system_error>

#include "typenet/plot/svg.hpp"

namespace tn::plot {

TYPENET_INLINE void append_number(std::string& out, double v, int decimals) {
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

TYPENET_INLINE std::string number(double v, int decimals) {
    std::string s;
    append_number(s, v, decimals);
    return s;
}

TYPENET_INLINE std::string escape(std::string_view text) {
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

TYPENET_INLINE void write_file(const std::filesystem::path& path, std::string_view content, std::string_view what) {
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

TYPENET_INLINE void Svg::rect(double x, double y, double w, double h, std::string_view extra) {
    Appender(body_) << "<rect x=\"" << x << "\" y=\"" << y << "\" width=\"" << std::max(w, 0.0) << "\" height=\""
                    << std::max(h, 0.0) << "\" " << extra << "/>\n";
}

TYPENET_INLINE void Svg::line(double x0, double y0, double x1, double y1, std::string_view extra) {
    Appender(body_) << "<line x1=\"" << x0 << "\" y1=\"" << y0 << "\" x2=\"" << x1 << "\" y2=\"" << y1 << "\" "
                    << extra << "/>\n";
}

TYPENET_INLINE void Svg::circle(double cx, double cy, double r, std::string_view extra) {
    Appender(body_) << "<circle cx=\"" << cx << "\" cy=\"" << cy << "\" r=\"" << r << "\" " << extra << "/>\n";
}

TYPENET_INLINE void Svg::path(std::string_view d, std::string_view extra) {
    if (d.empty()) return;
    Appender(body_) << "<path d=\"" << d << "\" " << extra << "/>\n";
}

TYPENET_INLINE void Svg::text(double x, double y, std::string_view content, double size, Anchor anchor,
                              std::string_view extra) {
    static constexpr const char* anchors[] = {"start", "middle", "end"};
    Appender out(body_);
    out << "<text x=\"" << x << "\" y=\"" << y + 0.35 * size << "\" font-size=\"" << size << "\" text-anchor=\""
        << anchors[static_cast<int>(anchor)] << '"';
    if (!extra.empty()) out << ' ' << extra;
    out << '>' << escape(content) << "</text>\n";
}

TYPENET_INLINE std::string Svg::clip_rect(double x, double y, double w, double h) {
    std::string id = "clip";
    id += std::to_string(++clip_count_);
    Appender(defs_) << "<clipPath id=\"" << id << "\"><rect x=\"" << x << "\" y=\"" << y << "\" width=\"" << w
                    << "\" height=\"" << h << "\"/></clipPath>\n";
    return id;
}

TYPENET_INLINE void Svg::open_group(std::string_view attributes) {
    body_ += "<g ";
    body_ += attributes;
    body_ += ">\n";
}

TYPENET_INLINE void Svg::comment(std::string_view text) {
    std::string safe(text);
    for (std::size_t p; (p = safe.find("--")) != std::string::npos;) safe.replace(p, 2, "- ");
    body_ += "<!-- ";
    body_ += safe;
    body_ += " -->\n";
}

TYPENET_INLINE std::string Svg::str() const {
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

}  // namespace tn::plot

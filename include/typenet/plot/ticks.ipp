// The bodies of plot/ticks.hpp: inline in a header-only build, compiled once into
// typenet::precompiled otherwise (include/typenet/config.hpp).
#pragma once
#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "typenet/plot/ticks.hpp"

namespace tn::plot {

namespace detail {

// Keeps `digits` significant decimals out of scientific notation: "2.5e-5", "1e6".
TYPENET_INLINE std::string scientific(double v, int digits) {
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific, digits);
    if (ec != std::errc{}) return "?";
    std::string s(buf, end);
    const auto e = s.find('e');
    std::string mantissa = s.substr(0, e), exponent = s.substr(e + 1);
    if (mantissa.find('.') != std::string::npos) {
        while (mantissa.back() == '0') mantissa.pop_back();
        if (mantissa.back() == '.') mantissa.pop_back();
    }
    const bool negative = exponent.front() == '-';
    exponent.erase(0, 1);  // the sign
    exponent.erase(0, std::min(exponent.find_first_not_of('0'), exponent.size() - 1));
    return mantissa + "e" + (negative ? "-" : "") + exponent;
}

TYPENET_INLINE std::string fixed(double v, int decimals) {
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, decimals);
    if (ec != std::errc{}) return "?";
    std::string s(buf, end);
    if (s.front() == '-' && s.find_first_not_of("-0.") == std::string::npos) s.erase(0, 1);  // "-0.0" is "0.0"
    return s;
}

// Decimals needed to write multiples of `step` exactly (0.25 -> 2, 5 -> 0).
TYPENET_INLINE int decimals_for(double step) {
    int d = 0;
    double scaled = step;
    while (d < 12 && std::abs(scaled - std::round(scaled)) > 1e-6 * std::max(1.0, std::abs(scaled))) {
        scaled *= 10;
        ++d;
    }
    return d;
}

// A label for one tick; `step` sets the precision so that labels line up.
TYPENET_INLINE std::string tick_label(double v, double step, double magnitude) {
    if (magnitude >= 1e6 || magnitude < 1e-4) {
        if (v == 0) return "0";
        const int digits = std::clamp(int(std::floor(std::log10(magnitude))) - int(std::floor(std::log10(step))), 0, 6);
        return scientific(v, digits);
    }
    return fixed(v, decimals_for(step));
}

}  // namespace detail

TYPENET_INLINE Ticks nice_ticks(double lo, double hi, int target) {
    if (!std::isfinite(lo) || !std::isfinite(hi))
        throw std::invalid_argument("plot: axis range [" + std::to_string(lo) + ", " + std::to_string(hi) +
                                    "] is not finite");
    if (lo > hi) std::swap(lo, hi);
    if (hi - lo <= std::abs(hi) * 1e-12) {  // one value: give it room around it
        const double pad = lo == 0 ? 1 : std::abs(lo) * 0.1;
        lo -= pad;
        hi += pad;
    }
    target = std::max(target, 2);
    // Try the nice steps around range/target and keep the one whose tick count is
    // closest to the target; 2.5 is accepted but slightly disfavoured.
    const double range = hi - lo;
    const double base = std::pow(10.0, std::floor(std::log10(range / target)));
    double best_step = 0, best_score = std::numeric_limits<double>::infinity();
    for (double scale : {0.1, 1.0, 10.0})
        for (double mantissa : {1.0, 2.0, 2.5, 5.0}) {
            const double step = mantissa * base * scale;
            const double count = std::ceil(hi / step - 1e-9) - std::floor(lo / step + 1e-9) + 1;
            if (count < 3 && range / step < 2) continue;  // too coarse
            const double score = std::abs(count - target) + (mantissa == 2.5 ? 0.6 : 0.0);
            if (score < best_score) best_score = score, best_step = step;
        }
    const double step = best_step;
    const double first = std::floor(lo / step + 1e-9), last = std::ceil(hi / step - 1e-9);
    Ticks t;
    for (double k = first; k <= last + 0.5; ++k) t.values.push_back(k * step);
    // The tolerance above keeps rounding noise (0.3 / 0.1 = 2.9999999999999996) from
    // adding a tick; it may leave an outer tick a hair inside the data, so snap it out.
    t.values.front() = std::min(t.values.front(), lo);
    t.values.back() = std::max(t.values.back(), hi);
    t.lo = t.values.front();
    t.hi = t.values.back();
    const double magnitude = std::max(std::abs(t.lo), std::abs(t.hi));
    for (double v : t.values) t.labels.push_back(detail::tick_label(v, step, magnitude));
    return t;
}

TYPENET_INLINE Ticks log_ticks(double lo, double hi) {
    if (!(lo > 0) || !(hi > 0) || !std::isfinite(lo) || !std::isfinite(hi))
        throw std::invalid_argument("plot: a log axis needs positive finite limits, got [" + std::to_string(lo) +
                                    ", " + std::to_string(hi) + "]");
    if (lo > hi) std::swap(lo, hi);
    if (hi / lo < 1 + 1e-9) lo /= 1.5, hi *= 1.5;
    const int e0 = int(std::floor(std::log10(lo) + 1e-9)), e1 = int(std::ceil(std::log10(hi) - 1e-9));
    const int decades = std::max(e1 - e0, 1);
    std::vector<double> mantissas;
    int stride = 1;
    if (decades >= 4) mantissas = {1}, stride = (decades + 5) / 6;
    else if (decades >= 2) mantissas = {1, 2, 5};
    else mantissas = {1, 2, 3, 5};
    std::vector<double> candidates;
    const int start = int(std::floor(double(e0 - 1) / stride)) * stride;
    for (int e = start; e <= e1 + stride; e += stride)
        for (double m : mantissas) candidates.push_back(m * std::pow(10.0, e));
    double axis_lo = candidates.front(), axis_hi = candidates.back();
    for (double c : candidates) {
        if (c <= lo * (1 + 1e-9)) axis_lo = c;
        if (c >= hi * (1 - 1e-9)) { axis_hi = c; break; }
    }
    Ticks t;
    for (double c : candidates)
        if (c >= axis_lo * (1 - 1e-9) && c <= axis_hi * (1 + 1e-9)) t.values.push_back(c);
    if (t.values.size() < 3) {
        Ticks linear = nice_ticks(lo, hi, 5);
        if (linear.lo > 0) return linear;
    }
    t.lo = t.values.front();
    t.hi = t.values.back();
    for (double v : t.values) {
        const bool plain = v >= 1e-4 && v < 1e6;
        t.labels.push_back(plain ? detail::fixed(v, std::max(0, -int(std::floor(std::log10(v) + 1e-9))))
                                 : detail::scientific(v, 0));
    }
    return t;
}

}  // namespace tn::plot

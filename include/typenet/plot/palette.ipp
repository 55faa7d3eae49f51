// The bodies of plot/palette.hpp: inline in a header-only build, compiled once into
// typenet::precompiled otherwise (include/typenet/config.hpp).
#pragma once
#include <algorithm>
#include <cstdio>

#include "typenet/plot/palette.hpp"

namespace tn::plot::palette {

TYPENET_INLINE std::string tint(const char* hex, double amount) {
    unsigned r = 0, g = 0, b = 0;
    std::sscanf(hex, "#%2x%2x%2x", &r, &g, &b);
    amount = std::clamp(amount, 0.0, 1.0);
    const auto mix = [&](unsigned c) { return unsigned(255.0 + (double(c) - 255.0) * amount + 0.5); };
    char out[8];
    std::snprintf(out, sizeof out, "#%02x%02x%02x", mix(r) & 0xffu, mix(g) & 0xffu, mix(b) & 0xffu);
    return out;
}

}  // namespace tn::plot::palette

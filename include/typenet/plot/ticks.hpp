// Axis ticks a person would choose: steps of 1, 2, 2.5 or 5 times a power of ten on
// a linear axis (Heckbert, "Nice numbers for graph labels", Graphics Gems 1990), and
// 1-2-5 or whole decades on a log axis. The outer ticks cover the data, and the axis
// runs from the first tick to the last, so every line ends on a labelled value.
#pragma once
#include <string>
#include <vector>

#include "typenet/config.hpp"

namespace tn::plot {

struct Ticks {
    double lo = 0, hi = 1;             // the axis limits: the first and last tick
    std::vector<double> values;        // ascending
    std::vector<std::string> labels;   // one per value
};

// Ticks for a linear axis that covers [lo, hi] with about `target` ticks.
TYPENET_INLINE Ticks nice_ticks(double lo, double hi, int target = 6);

// Ticks for a log axis over [lo, hi], both > 0: decades when the data spans many of
// them, 1-2-5 (or 1-2-3-5) within fewer, and plain linear ticks when the whole range
// is less than a factor of about 2 (a log axis is then nearly linear anyway).
TYPENET_INLINE Ticks log_ticks(double lo, double hi);

}  // namespace tn::plot

#if TYPENET_DEFINE_BODIES
#include "typenet/plot/ticks.ipp"
#endif

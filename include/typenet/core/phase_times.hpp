// Wall-clock time per layer and pass, for finding where a step goes. Off unless the
// program is compiled with -DTYPENET_PHASE_TIMES (then every Chain's forward and
// backward of each layer is timed; bench/lenet_phases.cpp prints the table). Without
// the macro nothing here is compiled into the layers: the hooks are empty inline calls.
#pragma once
#include <string>

#ifdef TYPENET_PHASE_TIMES
#include <chrono>
#include <map>
#include <utility>
#endif

namespace tn::phase_times {

#ifdef TYPENET_PHASE_TIMES
struct Entry {
    double seconds = 0;
    long calls = 0;
};
// Keyed by (pass, "layer index: name") of the chain that ran it; pass is "forward"
// or "backward". Not thread-safe: chains are run by one thread (their kernels may
// use more inside, which the wall clock includes).
inline std::map<std::pair<std::string, std::string>, Entry>& table() {
    static std::map<std::pair<std::string, std::string>, Entry> t;
    return t;
}
inline void reset() { table().clear(); }

template <class NameFn, class F>
inline void timed(const char* pass, std::size_t index, NameFn&& name, F&& f) {
    const auto start = std::chrono::steady_clock::now();
    f();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::string key = std::to_string(index);
    if (index < 10) key.insert(key.begin(), '0');
    key += ' ';
    key += name();
    Entry& e = table()[{pass, std::move(key)}];
    e.seconds += seconds;
    ++e.calls;
}
#else
template <class NameFn, class F>
[[gnu::always_inline]] inline void timed(const char*, std::size_t, NameFn&&, F&& f) {
    f();
}
#endif

}  // namespace tn::phase_times

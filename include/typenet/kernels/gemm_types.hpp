#pragma once
#include <cstddef>

namespace tn::kernels {

enum class Transpose : bool { No = false, Yes = true };

struct NoEpilogue {
    static constexpr bool active = false;
    void operator()(std::size_t, std::size_t, float*, std::size_t) const {}
};

}  // namespace tn::kernels

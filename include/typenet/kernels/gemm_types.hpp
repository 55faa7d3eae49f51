#pragma once
#include <cstddef>

namespace tn::kernels {

enum class Transpose : bool { No = false, Yes = true };

struct NoEpilogue {
    static constexpr bool active = false;
    void operator()(std::size_t, std::size_t, float*, std::size_t) const {}
};

// Any epilogue behind one concrete type. The GEMM's loops and micro-kernels are
// instantiated once, for this type, instead of once per epilogue (each Dense +
// activation pair has its own): that multiplied a lesson's compile time by about
// four. The price is one indirect call per finished row segment of C (a register
// tile wide), about 1% of a 64x784x256 product.
class EpilogueRef {
public:
    EpilogueRef() = default;
    template <class Epilogue>
    explicit EpilogueRef(const Epilogue& e)
        : self_(&e), call_([](const void* self, std::size_t i, std::size_t j0, float* c, std::size_t n) {
              (*static_cast<const Epilogue*>(self))(i, j0, c, n);
          }) {}
    static constexpr bool active = true;
    void operator()(std::size_t i, std::size_t j0, float* c, std::size_t n) const {
        if (call_) call_(self_, i, j0, c, n);
    }

private:
    const void* self_ = nullptr;
    void (*call_)(const void*, std::size_t, std::size_t, float*, std::size_t) = nullptr;
};

}  // namespace tn::kernels

// After warm-up a training step allocates nothing (design decision 2).
//
// This file is its own test program (see tests/CMakeLists.txt): it replaces every
// form of the global operator new and delete, and the linker's --wrap routes the C
// allocation functions (malloc, calloc, realloc, aligned_alloc, posix_memalign,
// free) through counters too, so an allocation anywhere in typenet's headers, in
// xtensor or in the standard library is seen, whichever way it is made.
#include <doctest/doctest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <vector>

#include <typenet/kernels/parallel.hpp>
#include <typenet/typenet.hpp>

namespace {
constinit std::atomic<long> allocations{0};
constinit std::atomic<long> deallocations{0};

void count_allocation() { allocations.fetch_add(1, std::memory_order_relaxed); }
void count_deallocation() { deallocations.fetch_add(1, std::memory_order_relaxed); }
}  // namespace

// --- C allocation, through -Wl,--wrap=... ------------------------------------------
extern "C" {
void* __real_malloc(std::size_t);
void* __real_calloc(std::size_t, std::size_t);
void* __real_realloc(void*, std::size_t);
void* __real_aligned_alloc(std::size_t, std::size_t);
int __real_posix_memalign(void**, std::size_t, std::size_t);
void __real_free(void*);

void* __wrap_malloc(std::size_t n) {
    count_allocation();
    return __real_malloc(n);
}
void* __wrap_calloc(std::size_t count, std::size_t n) {
    count_allocation();
    return __real_calloc(count, n);
}
void* __wrap_realloc(void* p, std::size_t n) {
    count_allocation();
    return __real_realloc(p, n);
}
void* __wrap_aligned_alloc(std::size_t alignment, std::size_t n) {
    count_allocation();
    return __real_aligned_alloc(alignment, n);
}
int __wrap_posix_memalign(void** p, std::size_t alignment, std::size_t n) {
    count_allocation();
    return __real_posix_memalign(p, alignment, n);
}
void __wrap_free(void* p) {
    if (p) count_deallocation();
    __real_free(p);
}
}

// --- Every replaceable operator new and delete ------------------------------------
namespace {
void* allocate(std::size_t n) {
    count_allocation();
    void* p = __real_malloc(n ? n : 1);
    if (!p) throw std::bad_alloc{};
    return p;
}
void* allocate(std::size_t n, std::align_val_t alignment) {
    count_allocation();
    const auto a = static_cast<std::size_t>(alignment);
    void* p = __real_aligned_alloc(a, (n + a - 1) / a * a);  // aligned_alloc wants a multiple of a
    if (!p) throw std::bad_alloc{};
    return p;
}
void release(void* p) noexcept {
    if (p) count_deallocation();
    __real_free(p);
}
}  // namespace

void* operator new(std::size_t n) { return allocate(n); }
void* operator new[](std::size_t n) { return allocate(n); }
void* operator new(std::size_t n, std::align_val_t a) { return allocate(n, a); }
void* operator new[](std::size_t n, std::align_val_t a) { return allocate(n, a); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
    try { return allocate(n); } catch (...) { return nullptr; }
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
    try { return allocate(n); } catch (...) { return nullptr; }
}
void* operator new(std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
    try { return allocate(n, a); } catch (...) { return nullptr; }
}
void* operator new[](std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
    try { return allocate(n, a); } catch (...) { return nullptr; }
}
void operator delete(void* p) noexcept { release(p); }
void operator delete[](void* p) noexcept { release(p); }
void operator delete(void* p, std::size_t) noexcept { release(p); }
void operator delete[](void* p, std::size_t) noexcept { release(p); }
void operator delete(void* p, std::align_val_t) noexcept { release(p); }
void operator delete[](void* p, std::align_val_t) noexcept { release(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { release(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { release(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { release(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { release(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { release(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { release(p); }

// --- The tests ------------------------------------------------------------------------
using namespace tn;

namespace {
struct Counts {
    long allocations, deallocations;
};
Counts counts() { return {allocations.load(), deallocations.load()}; }

// A data set in plain vectors, made before counting starts.
struct Batches {
    std::size_t samples, input_width, target_width;
    std::vector<float> inputs, targets;
};

template <class Net, class Loss>
Batches make_batches(std::size_t samples, Rng& rng) {
    using M = Model<Net>;
    using Out = typename M::output_shape;
    Batches b{samples, M::input_size, Loss::template target_width<Out>, {}, {}};
    b.inputs.resize(samples * b.input_width);
    b.targets.resize(samples * b.target_width);
    for (float& v : b.inputs) v = rng.uniform(-1.f, 1.f);
    for (float& v : b.targets) {
        if constexpr (std::is_same_v<Loss, SoftmaxCrossEntropy>)
            v = float(rng.below(SoftmaxCrossEntropy::classes<Out>));
        else
            v = float(rng.below(2));
    }
    return b;
}

// What fit() does for one epoch, with the batch copied into input() by hand:
// full batches and a short last one.
template <class Net, class Loss>
void train_epoch(Model<Net>& model, const Batches& data, std::size_t batch, const Loss& loss, SGD& sgd) {
    for (std::size_t first = 0; first < data.samples; first += batch) {
        const std::size_t b = std::min(batch, data.samples - first);
        float* x = model.input(b);
        for (std::size_t i = 0; i < b * data.input_width; ++i) x[i] = data.inputs[first * data.input_width + i];
        model.train_step(b, data.targets.data() + first * data.target_width, loss, sgd);
    }
}

template <class Net, class Loss>
void check_steady_state_allocates_nothing(const Loss& loss, Regularization regularization = {},
                                          float weight_decay = 0.f) {
    Model<Net> model{Seed{11}};
    model.set_regularization(regularization);
    Rng rng{Seed{12}};
    const Batches data = make_batches<Net, Loss>(100, rng);  // batches of 32, 32, 32 and 4
    SGD sgd{{.lr = 0.01f, .weight_decay = weight_decay}};

    train_epoch(model, data, 32, loss, sgd);  // warm-up: the arenas grow to 32 samples
    const Counts before = counts();
    for (int epoch = 0; epoch < 3; ++epoch) train_epoch(model, data, 32, loss, sgd);
    for (std::size_t b : {32u, 7u, 1u}) model.forward(b, false);  // inference batches too
    const Counts after = counts();

    CHECK(after.allocations - before.allocations == 0);
    CHECK(after.deallocations - before.deallocations == 0);
    CHECK(model.steps() == 4 * 4);
}
}  // namespace

TEST_CASE("the counters see every kind of allocation") {
    const Counts before = counts();
    // Through volatile pointers: the compiler may drop a new/delete or malloc/free
    // pair whose pointer nobody looks at.
    int* volatile object = new int(1);
    delete object;
    void* volatile block = std::malloc(8);
    std::free(block);
    std::vector<float> v(100);
    Model<Sequential<Input<3>, Dense<2>>> model{Seed{1}};  // aligned_alloc for its arenas
    const Counts after = counts();
    CHECK(after.allocations - before.allocations >= 4);
    CHECK(after.deallocations - before.deallocations >= 2);

    // Growing the activation arena for a larger batch is an allocation, and is seen.
    model.reserve(4);
    const Counts grown = counts();
    model.reserve(64);
    CHECK(counts().allocations - grown.allocations >= 1);
    CHECK(v.size() == 100);
}

TEST_CASE("after warm-up a training step allocates nothing") {
    using Mlp = Sequential<Input<20>, Dense<64>, ReLU, Dense<32>, Tanh, Dense<5>>;
    using Transformerish = Sequential<Input<6, 16>, Residual<Dense<32>, GELU, Dense<16>>,
                                      Repeat<2, Residual<Dense<16>, Tanh>>, Dense<4>>;
    // On both cores (the OpenMP team is started during warm-up) and on one.
    for (int threads : {2, 1}) {
        CAPTURE(threads);
        set_threads(threads);
        check_steady_state_allocates_nothing<Mlp>(SoftmaxCrossEntropy{});
        check_steady_state_allocates_nothing<Transformerish>(SoftmaxCrossEntropy{});
        check_steady_state_allocates_nothing<Sequential<Input<4>, Dense<1>, Step>>(Hinge{});
        check_steady_state_allocates_nothing<Sequential<Input<4>, Dense<8>, Sigmoid, Dense<2>>>(
            BinaryCrossEntropyWithLogits{});
        // Training essentials: dropout masks, batch statistics, weight penalties, decay.
        using Regularized = Sequential<Input<20>, Dense<64, Init<He>, L2<1, 10000>>, BatchNorm<>, ReLU, Dropout<30>,
                                       Dense<32, NoBias>, BatchNorm<>, Tanh, Dropout<10>, Dense<5>>;
        check_steady_state_allocates_nothing<Regularized>(SoftmaxCrossEntropy{}, {.l1 = 1e-5f, .l2 = 1e-4f}, 1e-4f);
        // Per channel of images, large enough that BatchNorm splits its channels between threads.
        using Images = Sequential<Input<4, 24, 24>, BatchNorm<>, ReLU, Dropout<20>, Flatten, Dense<5>>;
        check_steady_state_allocates_nothing<Images>(SoftmaxCrossEntropy{});
        // Convolutions: im2col columns live in the model's workspace, the GEMM's packing
        // buffers are per thread and only grow.
        using LeNet5 = Sequential<Input<1, 28, 28>, Conv2D<6, Kernel<5>, Pad<2>>, ReLU, MaxPool<2>,
                                  Conv2D<16, Kernel<5>>, ReLU, MaxPool<2>, Flatten, Dense<120>, ReLU, Dense<84>, ReLU,
                                  Dense<10>>;
        check_steady_state_allocates_nothing<LeNet5>(SoftmaxCrossEntropy{});
        using SmallCnn = Sequential<Input<3, 12, 12>, Conv2D<8, Kernel<3>, Same>, BatchNorm2D<>, ReLU, Dropout2D<20>,
                                    AvgPool<2>, Conv2D<8, Kernel<3>, Stride<2>, Pad<1>>, GELU, GlobalAvgPool, Dense<4>>;
        check_steady_state_allocates_nothing<SmallCnn>(SoftmaxCrossEntropy{});
        // Transformer parts: positional encodings (the sinusoidal table is a static array,
        // no heap), LayerNorm and RMSNorm (parallel over samples at this size, their
        // per-sample parameter gradients in the workspace).
        using SequenceParts = Sequential<Input<12, 32>, SinusoidalPositions, LearnedPositions<12>, LayerNorm<>,
                                         Dense<32>, RMSNorm<>, GELU, LayerNorm<NoAffine>, MeanOverTime, Dense<4>>;
        check_steady_state_allocates_nothing<SequenceParts>(SoftmaxCrossEntropy{});
    }
}

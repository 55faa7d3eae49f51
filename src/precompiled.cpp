// The typenet::precompiled library (see include/typenet/config.hpp): typenet's
// non-template code, compiled once instead of in every program that uses it.
// CMake defines TYPENET_PRECOMPILED and TYPENET_PRECOMPILED_SOURCE for this file,
// so the headers below define their bodies here, with external linkage.
#include <unistd.h>

#include <cstring>

#include "typenet/core/model_checks.hpp"
#include "typenet/core/non_finite.hpp"
#include "typenet/core/summary.hpp"
#include "typenet/data/dates.hpp"
#include "typenet/data/emoji.hpp"
#include "typenet/data/image_folder.hpp"
#include "typenet/data/language_model.hpp"
#include "typenet/data/mnist.hpp"
#include "typenet/data/sentiment.hpp"
#include "typenet/data/sequence_tasks.hpp"
#include "typenet/data/tables.hpp"
#include "typenet/data/text.hpp"
#include "typenet/data/text_tokenizer.hpp"
#include "typenet/data/verse_pairs.hpp"
#include "typenet/data/vocabulary.hpp"
#include "typenet/decode/sample.hpp"
#include "typenet/eval/bleu.hpp"
#include "typenet/image/color.hpp"
#include "typenet/image/grid.hpp"
#include "typenet/image/image.hpp"
#include "typenet/image/io.hpp"
#include "typenet/image/resize.hpp"
#include "typenet/image/saliency_overlay.hpp"
#include "typenet/image/text.hpp"
#include "typenet/interop/hugging_face_gpt2.hpp"
#include "typenet/io/csv.hpp"
#include "typenet/io/idx.hpp"
#include "typenet/io/onnx.hpp"
#include "typenet/kernels/finite.hpp"
#include "typenet/kernels/gemm.hpp"
#include "typenet/plot/axes.hpp"
#include "typenet/plot/confusion_matrix.hpp"
#include "typenet/plot/contour.hpp"
#include "typenet/plot/decision_map.hpp"
#include "typenet/plot/heatmap.hpp"
#include "typenet/plot/history.hpp"
#include "typenet/plot/line_chart.hpp"
#include "typenet/plot/palette.hpp"
#include "typenet/plot/scatter_chart.hpp"
#include "typenet/plot/svg.hpp"
#include "typenet/plot/ticks.hpp"
#include "typenet/text/bpe_training.hpp"
#include "typenet/text/byte_pair_encoding.hpp"
#include "typenet/text/pre_tokenizer.hpp"
#include "typenet/text/unicode.hpp"
#include "typenet/text/word_piece.hpp"
#include "typenet/train/callbacks.hpp"
#include "typenet/train/checkpoint.hpp"
#include "typenet/train/dataset.hpp"
#include "typenet/train/fit.hpp"
#include "typenet/train/history.hpp"
#include "typenet/train/transfer.hpp"
#include "typenet/tune/grid_search.hpp"
#include "typenet/tune/hyperband.hpp"
#include "typenet/tune/leaderboard.hpp"
#include "typenet/tune/random_search.hpp"
#include "typenet/tune/space.hpp"
#include "typenet/tune/study.hpp"
#include "typenet/tune/trial.hpp"
#include "typenet/tune/tuner.hpp"

namespace tn::kernels::detail {
// Every GEMM call reaches the kernel through this one instantiation (EpilogueRef
// erases the epilogue's type: gemm_types.hpp).
template void gemm_dispatch<EpilogueRef>(Transpose, Transpose, std::size_t, std::size_t, std::size_t, const float*,
                                         std::size_t, const float*, std::size_t, float, float*, std::size_t,
                                         const EpilogueRef&);
template void gemm_panels_dispatch<EpilogueRef>(Transpose, std::size_t, std::size_t, std::size_t, const float*,
                                                std::size_t, const BPanelsRef&, float, float*, std::size_t,
                                                const EpilogueRef&);
}  // namespace tn::kernels::detail

// OpenMP's waiting threads (issue 17): with libgomp's default, a thread that waits at
// the end of a parallel region spins for 300,000 iterations before it sleeps. On a
// machine whose cores are also busy with other work (a compile, a test run, a second
// lesson) the spinning thread takes the core the working thread needs: 2-thread
// LeNet-5 training fell to 0.5x of one thread with one other core busy, and to 1/20 to
// 1/50 of it under heavier load. Sleeping at once (OMP_WAIT_POLICY=passive) never
// collapsed, but lost the second thread's gain on an idle machine (1.0x of one
// thread). A short spin of 1,000 iterations kept most of both: 1.6-1.8x of one thread idle,
// 0.67-0.77x with one core busy, 0.87x with both (bench/omp_wait_policy.sh; the table is in
// docs/performance.md). So GOMP_SPINCOUNT=1000 is typenet's default for every program
// linked with typenet::precompiled, unless the user sets OMP_WAIT_POLICY or
// GOMP_SPINCOUNT (any value) themselves.
//
// How: libgomp reads its environment once, in a constructor that runs before the
// program's, and a setenv() even in the executable's .preinit_array (which runs first
// of all) is undone when libc's initialisation sets the environment back to the one
// the kernel passed. So the program starts itself again, once, with the variable
// added: execve of /proc/self/exe with the same arguments, before anything else has
// run (about 1 ms). If that fails the program runs on with libgomp's default. (Under a
// debugger or valgrind, set GOMP_SPINCOUNT yourself to avoid the second start.)
namespace {
void typenet_default_openmp_spin(int, char** argv, char** envp) {
    // __environ is not set yet here: read the kernel's envp, and use no allocation.
    std::size_t n = 0;
    for (; envp && envp[n]; ++n)
        if (!std::strncmp(envp[n], "OMP_WAIT_POLICY=", 16) || !std::strncmp(envp[n], "GOMP_SPINCOUNT=", 15)) return;
    static char spin[] = "GOMP_SPINCOUNT=1000";
    static char* env[8192];
    if (!argv || n + 2 > sizeof env / sizeof *env) return;
    for (std::size_t i = 0; i < n; ++i) env[i] = envp[i];
    env[n] = spin;
    env[n + 1] = nullptr;
    ::execve("/proc/self/exe", argv, env);  // returns only when it failed
}
[[gnu::section(".preinit_array"), gnu::used]] void (*const typenet_preinit_openmp_spin)(int, char**, char**) =
    typenet_default_openmp_spin;
}  // namespace

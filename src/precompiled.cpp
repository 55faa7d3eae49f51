// The typenet::precompiled library (see include/typenet/config.hpp): typenet's
// non-template code, compiled once instead of in every program that uses it.
// CMake defines TYPENET_PRECOMPILED and TYPENET_PRECOMPILED_SOURCE for this file,
// so the headers below define their bodies here, with external linkage.
#include <cstdlib>

#include "typenet/core/non_finite.hpp"
#include "typenet/core/summary.hpp"
#include "typenet/data/emoji.hpp"
#include "typenet/data/image_folder.hpp"
#include "typenet/data/language_model.hpp"
#include "typenet/data/mnist.hpp"
#include "typenet/data/sentiment.hpp"
#include "typenet/data/sequence_tasks.hpp"
#include "typenet/data/tables.hpp"
#include "typenet/data/text.hpp"
#include "typenet/data/text_tokenizer.hpp"
#include "typenet/data/vocabulary.hpp"
#include "typenet/decode/sample.hpp"
#include "typenet/image/color.hpp"
#include "typenet/image/grid.hpp"
#include "typenet/image/image.hpp"
#include "typenet/image/io.hpp"
#include "typenet/image/resize.hpp"
#include "typenet/image/saliency_overlay.hpp"
#include "typenet/image/text.hpp"
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

// OpenMP's waiting threads (issue 17): libgomp's default lets a thread that waits at
// the end of a parallel region spin for a while before it sleeps. On a machine whose
// cores are also busy with other work (a compile, a test run, a second lesson), the
// spinning thread takes the core the working thread needs, and training on 2 threads
// ran 20-50 times slower than on one (bench/omp_wait_policy.sh, docs/performance.md).
// Sleeping at once (OMP_WAIT_POLICY=passive) does not collapse, so that is typenet's
// default for every program linked with typenet::precompiled. libgomp reads the
// variable once, in a constructor that runs before main; an executable's
// .preinit_array runs before every constructor, so it is set there, and only when the
// user has not chosen a policy (OMP_WAIT_POLICY or GOMP_SPINCOUNT) themselves.
namespace {
void typenet_default_openmp_wait_policy(int, char**, char**) {
    if (!std::getenv("OMP_WAIT_POLICY") && !std::getenv("GOMP_SPINCOUNT")) ::setenv("OMP_WAIT_POLICY", "passive", 0);
}
[[gnu::section(".preinit_array"), gnu::used]] void (*const typenet_preinit_wait_policy)(int, char**, char**) =
    typenet_default_openmp_wait_policy;
}  // namespace

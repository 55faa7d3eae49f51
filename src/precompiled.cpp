// The typenet::precompiled library (see include/typenet/config.hpp): typenet's
// non-template code, compiled once instead of in every program that uses it.
// CMake defines TYPENET_PRECOMPILED and TYPENET_PRECOMPILED_SOURCE for this file,
// so the headers below define their bodies here, with external linkage.
#include "typenet/core/non_finite.hpp"
#include "typenet/core/summary.hpp"
#include "typenet/data/emoji.hpp"
#include "typenet/data/image_folder.hpp"
#include "typenet/data/mnist.hpp"
#include "typenet/data/tables.hpp"
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

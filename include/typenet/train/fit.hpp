// fit() and evaluate(): the training loop every lesson uses.
//   auto history = fit(model, data.train, SoftmaxCrossEntropy{}, SGD{{.lr = 0.1f}},
//                      {.epochs = 10, .batch = 64, .validation = data.test});
#pragma once
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "typenet/model.hpp"
#include "typenet/train/dataset.hpp"
#include "typenet/train/history.hpp"
#include "typenet/train/progress.hpp"

namespace tn {

struct FitOptions {
    std::size_t epochs = 1;
    std::size_t batch = 32;
    std::optional<std::reference_wrapper<const Dataset>> validation{};
    bool shuffle = true;
    Verbosity verbosity = Verbosity::Auto;
    // Called after every epoch; return false to stop training there.
    std::function<bool(const EpochRecord&)> on_epoch{};
};

struct Evaluation {
    float loss = 0;
    float accuracy = std::numeric_limits<float>::quiet_NaN();
};

namespace detail {
template <class Net, class Loss>
void check_dataset(const Dataset& data, const std::string& role) {
    using M = Model<Net>;
    constexpr std::size_t target_width = Loss::template target_width<typename M::output_shape>;
    if (data.size() == 0) throw std::invalid_argument(role + " set '" + data.name + "' is empty");
    if (data.input_width != M::input_size)
        throw std::invalid_argument(role + " set '" + data.name + "' has " + std::to_string(data.input_width) +
                                    " input values per sample, but the model's Input takes " +
                                    std::to_string(M::input_size) + " " + shape_string<typename M::input_shape>());
    if (data.target_width != target_width)
        throw std::invalid_argument(role + " set '" + data.name + "' has " + std::to_string(data.target_width) +
                                    " target values per sample, but " + Loss::name() + " on output " +
                                    shape_string<typename M::output_shape>() + " reads " +
                                    std::to_string(target_width));
    try {
        Loss::template check_targets<typename M::output_shape>(data.targets.data(), data.size());
    } catch (const TargetError& e) {
        throw TargetError(role + " set '" + data.name + "': " + e.what());
    }
}
}  // namespace detail

template <class Net, class Loss>
Evaluation evaluate(Model<Net>& model, const Dataset& data, const Loss&, std::size_t batch = 256) {
    using Out = typename Model<Net>::output_shape;
    if constexpr (!Model<Net>::valid) {
        return {};
    } else {
        detail::check_dataset<Net, Loss>(data, "evaluation");
        double loss_sum = 0;
        std::size_t hits = 0;
        std::vector<std::size_t> idx(std::min(batch, data.size()));
        std::vector<float> targets(idx.size() * data.target_width);
        for (std::size_t start = 0; start < data.size(); start += batch) {
            const std::size_t n = std::min(batch, data.size() - start);
            for (std::size_t b = 0; b < n; ++b) idx[b] = start + b;
            data.gather({idx.data(), n}, model.input(n), targets.data());
            auto out = model.forward(n, false);
            loss_sum += double(Loss::template compute<Out>(out.data(), targets.data(), nullptr, n)) * double(n);
            if constexpr (Loss::template predictions<Out> > 0)
                hits += Loss::template correct<Out>(out.data(), targets.data(), n);
        }
        Evaluation e{static_cast<float>(loss_sum / double(data.size()))};
        if constexpr (Loss::template predictions<Out> > 0)
            e.accuracy = float(double(hits) / double(data.size() * Loss::template predictions<Out>));
        return e;
    }
}

template <class Net, class Loss, class Optimizer>
History fit(Model<Net>& model, const Dataset& train, const Loss& loss, Optimizer&& optimizer,
            const FitOptions& options = {}) {
    using Out = typename Model<Net>::output_shape;
    History history;
    if constexpr (!Model<Net>::valid) {
        return history;
    } else {
        if (options.batch == 0) throw std::invalid_argument("fit: batch must be at least 1");
        detail::check_dataset<Net, Loss>(train, "training");
        if (options.validation) detail::check_dataset<Net, Loss>(options.validation->get(), "validation");

        const bool bar = options.verbosity == Verbosity::Bar ||
                         (options.verbosity == Verbosity::Auto && ProgressBar::terminal());
        const bool lines = options.verbosity != Verbosity::Quiet;
        const std::size_t n = train.size();
        std::vector<std::size_t> order(n);
        for (std::size_t i = 0; i < n; ++i) order[i] = i;
        std::vector<float> targets(std::min(options.batch, n) * train.target_width);
        model.reserve(std::min(options.batch, n));

        for (std::size_t epoch = 1; epoch <= options.epochs; ++epoch) {
            const auto start = std::chrono::steady_clock::now();
            if (options.shuffle)  // Fisher-Yates on the model's seeded generator
                for (std::size_t i = n - 1; i > 0; --i) std::swap(order[i], order[model.rng().below(i + 1)]);
            ProgressBar progress(epoch, options.epochs, n, bar);
            double loss_sum = 0;
            std::size_t hits = 0;
            for (std::size_t first = 0; first < n; first += options.batch) {
                const std::size_t b = std::min(options.batch, n - first);
                train.gather({order.data() + first, b}, model.input(b), targets.data());
                const StepResult r = model.train_step(b, targets.data(), loss, optimizer);
                loss_sum += double(r.loss) * double(b);
                hits += r.correct;
                progress.update(first + b, float(loss_sum / double(first + b)));
            }
            EpochRecord rec;
            rec.epoch = epoch;
            rec.loss = float(loss_sum / double(n));
            if constexpr (Loss::template predictions<Out> > 0)
                rec.accuracy = float(double(hits) / double(n * Loss::template predictions<Out>));
            rec.learning_rate = optimizer.learning_rate();
            const double train_seconds =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            rec.samples_per_second = train_seconds > 0 ? double(n) / train_seconds : 0;
            if (options.validation) {
                const Evaluation v = evaluate(model, options.validation->get(), loss);
                rec.val_loss = v.loss;
                rec.val_accuracy = v.accuracy;
            }
            rec.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            history.epochs.push_back(rec);
            if (lines) {
                std::fprintf(stderr, "epoch %zu/%zu  loss %.4f", epoch, options.epochs, double(rec.loss));
                if (!std::isnan(rec.accuracy)) std::fprintf(stderr, "  acc %.2f%%", 100.0 * double(rec.accuracy));
                if (!std::isnan(rec.val_loss)) std::fprintf(stderr, "  val_loss %.4f", double(rec.val_loss));
                if (!std::isnan(rec.val_accuracy))
                    std::fprintf(stderr, "  val_acc %.2f%%", 100.0 * double(rec.val_accuracy));
                std::fprintf(stderr, "  %.0f samples/s  %.2f s\n", rec.samples_per_second, rec.seconds);
            }
            if (options.on_epoch && !options.on_epoch(rec)) break;
        }
        return history;
    }
}

}  // namespace tn

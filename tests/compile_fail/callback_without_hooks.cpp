// An argument after fit's options that is not a callback (here a lambda, where a
// callback object with named hooks is expected): one error listing the hooks.
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: fit: every argument after the options is a callback, with at least one of on_train_begin, on_epoch_begin, on_batch_end, on_epoch_end, on_train_end taking (tn::FitState&)
// expect-clang: "fit: every argument after the options is a callback, with at least one of on_train_begin, on_epoch_begin, on_batch_end, on_epoch_end, on_train_end taking (tn::FitState&)"

int main() {
    tn::Model<tn::Sequential<tn::Input<2>, tn::Dense<1>>> model{tn::Seed{1}};
    tn::Dataset data("d", 2, 1);
    data.add({0.f, 1.f}, {1.f});
    tn::fit(model, data, tn::MSE{}, tn::SGD{}, {}, [](tn::FitState&) {});
}

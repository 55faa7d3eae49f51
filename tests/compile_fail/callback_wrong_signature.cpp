// A callback whose on_epoch_end takes the record instead of tn::FitState&: fit would
// otherwise skip it in silence. One error naming the hook and the signature it needs.
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: fit: a callback's on_epoch_end must take (tn::FitState&)
// expect-clang: "fit: a callback's on_epoch_end must take (tn::FitState&)"

struct PrintLoss {
    void on_epoch_end(const tn::EpochRecord&) {}
};

int main() {
    tn::Model<tn::Sequential<tn::Input<2>, tn::Dense<1>>> model{tn::Seed{1}};
    tn::Dataset data("d", 2, 1);
    data.add({0.f, 1.f}, {1.f});
    tn::fit(model, data, tn::MSE{}, tn::SGD{}, {}, PrintLoss{});
}

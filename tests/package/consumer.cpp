#include <typenet/typenet.hpp>

using Net = tn::Sequential<tn::Input<3>, tn::Dense<4>, tn::ReLU, tn::Dense<2>>;
static_assert(Net::param_count == 3 * 4 + 4 + 4 * 2 + 2);

int main() {
    tn::Model<Net> model{tn::Seed{1}};
    const float x[3] = {1.f, 2.f, 3.f};
    return model.predict(x).size() == 2 ? 0 : 1;
}

#include <string>
#include <vector>

#include <typenet/plot/line_chart.hpp>
#include <typenet/typenet.hpp>

using Net = tn::Sequential<tn::Input<3>, tn::Dense<4>, tn::ReLU, tn::Dense<2>>;
static_assert(Net::param_count == 3 * 4 + 4 + 4 * 2 + 2);

int main() {
    tn::Model<Net> model{tn::Seed{1}};
    const float x[3] = {1.f, 2.f, 3.f};
    if (model.predict(x).size() != 2) return 1;
    // Header-only, the plot headers need their bodies (.ipp files) installed too.
    tn::plot::LineChart chart{.title = "loss"};
    chart.add("train", std::vector<float>{1.f, 0.5f, 0.25f});
    return chart.svg().find("<path") != std::string::npos ? 0 : 1;
}

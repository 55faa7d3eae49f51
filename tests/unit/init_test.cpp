// Each initialisation scheme delivers the variance it promises (and mean zero).
// With n = 256 x 512 draws the sample variance's relative standard error is about
// sqrt(2/n) < 0.4% for a normal (less for a uniform), so a 3% tolerance fails only
// on a real mistake, never by chance.
#include <doctest/doctest.h>

#include <cmath>
#include <typenet/core/init.hpp>
#include <vector>

using namespace tn;

namespace {
template <class Scheme>
void check_scheme(std::size_t fan_in, std::size_t fan_out) {
    const std::size_t n = fan_in * fan_out;
    std::vector<float> w(n);
    Rng rng{Seed{7}};
    Scheme::fill(w.data(), n, fan_in, fan_out, rng);
    double mean = 0, sq = 0;
    for (float v : w) mean += v;
    mean /= double(n);
    for (float v : w) sq += (v - mean) * (v - mean);
    const double var = sq / double(n - 1);
    const double promised = Scheme::variance(fan_in, fan_out);
    INFO(Scheme::name(), " fan_in ", fan_in, " fan_out ", fan_out);
    CHECK(var == doctest::Approx(promised).epsilon(0.03));
    CHECK(std::abs(mean) < 4 * std::sqrt(promised / double(n)));
}
}  // namespace

TEST_CASE("variance-scaling schemes keep their promise") {
    check_scheme<XavierUniform>(256, 512);
    check_scheme<XavierNormal>(256, 512);
    check_scheme<HeUniform>(512, 256);
    check_scheme<HeNormal>(512, 256);
    check_scheme<LeCunNormal>(512, 256);
    check_scheme<LeCunUniform>(512, 256);
    check_scheme<Uniform<1, 10>>(256, 512);
    check_scheme<Normal<1, 10>>(256, 512);
}

TEST_CASE("zeros and constants") {
    std::vector<float> w(10, 1.f);
    Rng rng;
    Zeros::fill(w.data(), w.size(), 5, 2, rng);
    for (float v : w) CHECK(v == 0.f);
    Constant<1, 4>::fill(w.data(), w.size(), 5, 2, rng);
    for (float v : w) CHECK(v == 0.25f);
}

// Init<...> is found among a layer's options (checked by the compiler).
static_assert(std::is_same_v<init_scheme<XavierUniform>::type, XavierUniform>);
static_assert(std::is_same_v<init_scheme<XavierUniform, int, Init<He>>::type, HeNormal>);
static_assert(std::is_same_v<init_scheme<XavierUniform, Init<LeCun>, int>::type, LeCunNormal>);

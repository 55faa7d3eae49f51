// typenet::precompiled makes OpenMP's waiting threads sleep at once (passive) unless
// the user chose otherwise (src/precompiled.cpp says why). What matters is what
// libgomp read at start-up, so the test asks libgomp itself (omp_display_env). CTest
// runs it with OMP_WAIT_POLICY and GOMP_SPINCOUNT unset (tests/CMakeLists.txt).
#include <doctest/doctest.h>

#include <string>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "../support/scratch.hpp"

TEST_CASE("OpenMP's wait policy is passive when the environment does not choose one") {
#ifdef _OPENMP
    const std::string env = support::capture_stderr([] { omp_display_env(0); });
    CHECK_MESSAGE(env.find("OMP_WAIT_POLICY = 'PASSIVE'") != std::string::npos,
                  "libgomp reports another policy (started with OMP_WAIT_POLICY or GOMP_SPINCOUNT set?):\n" << env);
#endif
}

// typenet::precompiled makes OpenMP's waiting threads spin briefly (1,000 iterations)
// before they sleep, unless the user chose otherwise (src/precompiled.cpp says why). What matters is what
// libgomp read at start-up, so the test asks libgomp itself (omp_display_env). CTest
// runs it with OMP_WAIT_POLICY and GOMP_SPINCOUNT unset (tests/CMakeLists.txt).
#include <doctest/doctest.h>

#include <string>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "../support/scratch.hpp"

TEST_CASE("OpenMP's threads spin 1,000 times before sleeping when the environment does not choose") {
#ifdef _OPENMP
    const std::string env = support::capture_stderr([] { omp_display_env(1); });
    CHECK_MESSAGE(env.find("GOMP_SPINCOUNT = '1000'") != std::string::npos,
                  "libgomp reports another policy (started with OMP_WAIT_POLICY or GOMP_SPINCOUNT set?):\n" << env);
#endif
}

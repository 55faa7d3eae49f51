#pragma once
#include <stdexcept>

namespace tn {

// A NaN or infinity appeared in training; the message names the step and the layer.
struct NumericError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

}  // namespace tn

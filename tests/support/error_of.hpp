// What a call throws, as text: most tests check an error's message word for word.
//   CHECK(support::error_of([&] { model.forward(2); }) == "Model::forward: ...");
#pragma once
#include <exception>
#include <string>

namespace support {

// The what() of the std::exception f throws, or "(no error)" when it returns.
template <class F>
std::string error_of(F&& f) {
    try {
        f();
    } catch (const std::exception& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace support

// FormatError: a file that is not what it claims to be. Shared by the readers that
// trust nothing (safetensors, ONNX), in its own header so that a reader does not pull
// in another's dependencies (safetensors.hpp includes a JSON parser).
#pragma once
#include <stdexcept>
#include <string>
#include <utility>

namespace tn::io {

// `source` names the file (a path, or what the caller called the bytes); `problem`
// says what is wrong.
struct FormatError : std::runtime_error {
    std::string source, problem;
    FormatError(std::string source_, std::string problem_)
        : std::runtime_error(source_ + ": " + problem_), source(std::move(source_)), problem(std::move(problem_)) {}
};

}  // namespace tn::io

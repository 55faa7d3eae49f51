// The JSON the server answers with (serve/server.hpp), as functions of plain values
// so that the tests read them without a socket:
//
//   POST /predict   {"class": 7, "label": "7", "probability": 0.998,
//                    "probabilities": [0.0001, ..., 0.998, ...]}
//   errors          {"error": "\"pixels\" has 783 values; this model takes 784 ...", "status": 400}
//   GET /model      {"name": ..., "input": [1, 28, 28], "outputs": 10, "parameters": 37634,
//                    "layers": [{"depth": 0, "name": "Conv2D<8, ...>", "output": "8 x 24 x 24", "parameters": 200}, ...],
//                    "summary": "<the text of Model::summary()>"}
#pragma once
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "typenet/core/layer.hpp"

namespace tn::serve {

// The model's last layer gives logits (a Dense<10> trained with
// SoftmaxCrossEntropy, which applies the softmax itself) or already probabilities
// (a network ending in Softmax or Sigmoid).
enum class Outputs { logits, probabilities };

// Softmax in double, shifted by the largest logit so that exp cannot overflow.
inline std::vector<double> probabilities(std::span<const float> outputs, Outputs kind) {
    std::vector<double> p(outputs.begin(), outputs.end());
    if (kind == Outputs::probabilities || p.empty()) return p;
    const double top = *std::max_element(p.begin(), p.end());
    double total = 0;
    for (double& q : p) total += q = std::exp(q - top);
    for (double& q : p) q /= total;
    return p;
}

// The answer to a prediction. class_names (optional) name the classes: "label" is
// the top class's name, or its index as text.
inline std::string prediction_json(std::span<const float> outputs, Outputs kind,
                                   const std::vector<std::string>& class_names = {}) {
    const std::vector<double> p = probabilities(outputs, kind);
    const std::size_t top = std::size_t(std::max_element(p.begin(), p.end()) - p.begin());
    nlohmann::json j;
    j["class"] = top;
    j["label"] = top < class_names.size() ? class_names[top] : std::to_string(top);
    j["probability"] = p.empty() ? 0.0 : p[top];
    j["probabilities"] = p;
    return j.dump();
}

inline std::string error_json(int status, const std::string& message) {
    // A message may quote the client's bytes (a parse error's "last read"): replace
    // invalid UTF-8 rather than throw while reporting an error.
    return nlohmann::json{{"error", message}, {"status", status}}.dump(-1, ' ', false,
                                                                       nlohmann::json::error_handler_t::replace);
}

struct ModelDescription {
    std::string name;
    std::vector<std::size_t> input;
    std::size_t outputs = 0, parameters = 0;
    std::vector<SummaryRow> layers;
    std::string summary;  // Model::summary_table()
    std::vector<std::string> class_names;
};

inline std::string model_json(const ModelDescription& d) {
    nlohmann::json layers = nlohmann::json::array();
    for (const auto& r : d.layers)
        layers.push_back({{"depth", r.depth}, {"name", r.name}, {"output", r.output_shape}, {"parameters", r.params}});
    return nlohmann::json{{"name", d.name},           {"input", d.input},   {"outputs", d.outputs},
                          {"parameters", d.parameters}, {"layers", layers}, {"summary", d.summary},
                          {"class_names", d.class_names}}
        .dump();
}

}  // namespace tn::serve

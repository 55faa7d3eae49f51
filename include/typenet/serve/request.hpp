// What a POST /predict body may hold, turned into the model's input floats, or a
// RequestError that says what was wrong with it. Kept apart from the HTTP server
// (serve/server.hpp) so that the unit tests and the fuzzer (fuzz/request_fuzzer.cpp)
// call exactly what the server calls, with no socket in between.
//
//   application/json   {"pixels": [784 numbers]}: the input, row-major, channels first
//                      ([C, H, W] as the model's Input<C, H, W>), each in [min, max]
//   image/png          a PNG of exactly the model's H x W, grey for C = 1, RGB for C = 3
//                      (an alpha channel is dropped, not composited), bytes / 255
//
// Nothing here trusts the body: every count, type and value is checked before it is
// used, and a PNG is decoded through image/io.hpp's limits (a small header cannot ask
// for gigabytes). The body's size is the server's to bound (ServerOptions).
#pragma once
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "typenet/image/io.hpp"

namespace tn::serve {

// A request the server refuses: the HTTP status to answer with, and a message for
// the client that names what was wrong (serve/response.hpp writes it as JSON).
struct RequestError : std::runtime_error {
    int status;
    RequestError(int status_, const std::string& message) : std::runtime_error(message), status(status_) {}
};

// What the model takes: its input's dimensions (Model<Net>::input_shape) and the
// range its pixels were trained in (MNIST's: 0 black .. 1 white).
struct PixelSpec {
    std::vector<std::size_t> dims;
    float min_value = 0.f, max_value = 1.f;

    std::size_t size() const {
        std::size_t n = 1;
        for (auto d : dims) n *= d;
        return n;
    }
    // "1 x 28 x 28"
    std::string shape() const {
        std::string s;
        for (std::size_t i = 0; i < dims.size(); ++i) s += (i ? " x " : "") + std::to_string(dims[i]);
        return s;
    }
    // A PNG fits an image input: [C, H, W] with C = 1 (grey) or 3 (RGB).
    bool takes_images() const { return dims.size() == 3 && (dims[0] == 1 || dims[0] == 3); }
};

namespace detail {

inline std::string json_type_name(const nlohmann::json& v) {
    return v.is_string() ? "a string" : v.is_boolean() ? "a boolean" : v.is_null() ? "null"
         : v.is_array()  ? "an array" : v.is_object()  ? "an object"  : "a number";
}

inline std::string format_value(double v) {
    char text[32];
    std::snprintf(text, sizeof text, "%.9g", v);
    return text;
}

inline bool starts_with_png_signature(std::string_view body) {
    static constexpr char png[] = {'\x89', 'P', 'N', 'G', '\r', '\n', '\x1A', '\n'};
    return body.size() >= 8 && std::equal(png, png + 8, body.begin());
}

}  // namespace detail

// {"pixels": [...]} -> the input. 400 for anything else, with the reason.
inline std::vector<float> pixels_from_json(std::string_view body, const PixelSpec& spec) {
    const std::size_t n = spec.size();
    const std::string expected = "a JSON object {\"pixels\": [...]} with " + std::to_string(n) + " numbers (" +
                                 spec.shape() + ", row by row)";
    nlohmann::json doc;
    try {
        doc = nlohmann::json::parse(body.begin(), body.end());
    } catch (const nlohmann::json::exception& e) {  // parse_error, and out_of_range for 1e999
        // JSON has no NaN or Infinity: a client that prints floats naively writes them.
        const bool non_finite = body.find("NaN") != std::string_view::npos || body.find("nfinity") != std::string_view::npos;
        throw RequestError(400, std::string("the body is not JSON (") + e.what() + ")" +
                                    (non_finite ? "; JSON has no NaN or Infinity: send finite numbers" : "") +
                                    "; expected " + expected);
    }
    if (!doc.is_object()) throw RequestError(400, "the body is " + detail::json_type_name(doc) + "; expected " + expected);
    const auto it = doc.find("pixels");
    if (it == doc.end()) throw RequestError(400, "the body has no \"pixels\"; expected " + expected);
    if (!it->is_array())
        throw RequestError(400, "\"pixels\" is " + detail::json_type_name(*it) + "; expected " + expected);
    if (it->size() != n)
        throw RequestError(400, "\"pixels\" has " + std::to_string(it->size()) + " values; this model takes " +
                                    std::to_string(n) + " (" + spec.shape() + ", row by row)");
    std::vector<float> pixels(n);
    for (std::size_t i = 0; i < n; ++i) {
        const auto& v = (*it)[i];
        if (!v.is_number())
            throw RequestError(400, "pixels[" + std::to_string(i) + "] is " + detail::json_type_name(v) +
                                        ", not a number");
        const double d = v.get<double>();  // 1e999 parses to infinity: caught by the range check
        if (!(d >= double(spec.min_value) && d <= double(spec.max_value)))
            throw RequestError(400, "pixels[" + std::to_string(i) + "] = " + detail::format_value(d) +
                                        " is outside [" + detail::format_value(spec.min_value) + ", " +
                                        detail::format_value(spec.max_value) + "], the range the model was trained on" +
                                        (d > 1 && d <= 255 ? " (bytes? divide by 255)" : ""));
        pixels[i] = float(d);
    }
    return pixels;
}

// A PNG of the model's size -> the input, channels first, bytes / 255 mapped onto
// [min, max]. 400 when it is not a PNG or not that size; 415 when the model does not
// take images.
inline std::vector<float> pixels_from_png(std::span<const unsigned char> bytes, const PixelSpec& spec) {
    if (!spec.takes_images())
        throw RequestError(415, "this model's input is " + spec.shape() +
                                    ", not an image (1 or 3 channels x height x width); send JSON {\"pixels\": [...]}");
    const std::string_view view(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    if (!detail::starts_with_png_signature(view))
        throw RequestError(400, "the body is not a PNG (it does not start with PNG's 8-byte signature)");
    const std::size_t c = spec.dims[0], h = spec.dims[1], w = spec.dims[2];
    // A request is one small picture: far below image/io.hpp's default limit.
    const image::DecodeLimits limits{.max_pixels = std::size_t(1) << 22};
    image::Image picture;
    try {
        picture = image::decode_image(bytes, "the uploaded PNG", c, limits);
    } catch (const image::ImageError& e) {
        throw RequestError(400, e.what());
    }
    if (picture.width != w || picture.height != h)
        throw RequestError(400, "the PNG is " + std::to_string(picture.width) + " x " + std::to_string(picture.height) +
                                    " pixels; this model takes " + std::to_string(w) + " x " + std::to_string(h) +
                                    (c == 1 ? " grey" : " RGB") + " (width x height)");
    std::vector<float> pixels(c * h * w);
    image::to_chw(picture, pixels.data(), (spec.max_value - spec.min_value) / 255.f);
    if (spec.min_value != 0.f)
        for (float& p : pixels) p += spec.min_value;
    return pixels;
}

// The body of POST /predict, by its Content-Type: JSON, PNG, or (none, or
// application/octet-stream) whichever it looks like. 415 for any other type.
inline std::vector<float> parse_predict_body(std::string_view content_type, std::string_view body,
                                             const PixelSpec& spec) {
    // "application/json; charset=utf-8" -> "application/json"
    std::string type(content_type.substr(0, content_type.find(';')));
    while (!type.empty() && type.back() == ' ') type.pop_back();
    std::transform(type.begin(), type.end(), type.begin(), [](unsigned char ch) { return char(std::tolower(ch)); });
    if (body.empty())
        throw RequestError(400, "the body is empty; send JSON {\"pixels\": [...]} or a PNG (Content-Type: image/png)");
    const auto png = [&] {
        return pixels_from_png({reinterpret_cast<const unsigned char*>(body.data()), body.size()}, spec);
    };
    if (type == "application/json") return pixels_from_json(body, spec);
    if (type == "image/png") return png();
    if (type.empty() || type == "application/octet-stream")
        return detail::starts_with_png_signature(body) ? png() : pixels_from_json(body, spec);
    throw RequestError(415, "Content-Type " + type +
                                " is not one /predict reads: send application/json ({\"pixels\": [...]}) or image/png");
}

}  // namespace tn::serve

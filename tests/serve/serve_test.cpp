// typenet/serve/: the request parser (JSON and PNG bodies to pixels, every refusal
// with its status and reason) and the server itself over loopback: answers equal
// the model's own predict, bad requests get JSON 4xx errors and the server keeps
// serving, wrong methods and paths are 405 and 404, a body over the limit is 413
// from its Content-Length alone, and concurrent clients each get their own sample's
// answer (a forward sharing another's activations would mix them up).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

// The tests encode PNGs in memory with stb's encoder; static, as image/io.ipp does,
// so it cannot clash with the library's copy.
#define STB_IMAGE_WRITE_STATIC
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb/stb_image_write.h>

#include <typenet/serve/server.hpp>
#include <typenet/typenet.hpp>

using namespace tn;
using nlohmann::json;

namespace {

// Small, but an image network, so that PNGs apply: 1 x 28 x 28 -> 10 logits.
using SmallCnn = Sequential<Input<1, 28, 28>, Conv2D<4, Kernel<5>>, ReLU, MaxPool<2>, Flatten, Dense<10>>;
using Mlp = Sequential<Input<12>, Dense<3>>;

serve::PixelSpec digit_spec() { return {.dims = {1, 28, 28}}; }

std::vector<float> sample(std::size_t seed) {
    std::vector<float> x(784);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = float((i * 37 + seed * 101) % 256) / 255.f;
    return x;
}

std::string pixels_body(const std::vector<float>& x) { return json{{"pixels", x}}.dump(); }

std::string png(std::size_t w, std::size_t h, std::size_t channels, std::size_t seed = 0) {
    std::vector<unsigned char> bytes(w * h * channels);
    for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = (unsigned char)((i * 37 + seed * 101) % 256);
    std::string out;
    stbi_write_png_to_func([](void* c, void* d, int n) { static_cast<std::string*>(c)->append((char*)d, std::size_t(n)); },
                           &out, int(w), int(h), int(channels), bytes.data(), int(w * channels));
    return out;
}

// The status a parse refuses with, and its message.
template <class F>
std::pair<int, std::string> refusal(F&& f) {
    try {
        f();
    } catch (const serve::RequestError& e) {
        return {e.status, e.what()};
    }
    return {0, "accepted"};
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Sends raw bytes (a request httplib's client would not write) and returns the
// whole response.
std::string raw_exchange(int port, const std::string& request) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(std::uint16_t(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    REQUIRE(::send(fd, request.data(), request.size(), MSG_NOSIGNAL) == ssize_t(request.size()));
    // No shutdown(SHUT_WR): httplib takes a half-closed socket for a dead one and
    // answers nothing. It closes the connection itself after an error reply.
    timeval timeout{.tv_sec = 10, .tv_usec = 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    std::string response;
    char buffer[4096];
    // Until the whole response is in: its headers, then Content-Length bytes (the
    // connection may stay open for the next request).
    const auto complete = [&] {
        const auto end = response.find("\r\n\r\n");
        if (end == std::string::npos) return false;
        const auto length = response.find("Content-Length: ");
        if (length == std::string::npos || length > end) return true;
        return response.size() >= end + 4 + std::stoul(response.substr(length + 16));
    };
    for (ssize_t n; !complete() && (n = ::recv(fd, buffer, sizeof buffer, 0)) > 0;) response.append(buffer, std::size_t(n));
    ::close(fd);
    return response;
}

std::vector<double> expected_probabilities(Model<SmallCnn>& model, const std::vector<float>& x) {
    return serve::probabilities(model.predict(x), serve::Outputs::logits);
}

}  // namespace

TEST_CASE("a JSON body of the right size and range becomes the pixels, bit for bit") {
    const auto x = sample(3);
    CHECK(serve::pixels_from_json(pixels_body(x), digit_spec()) == x);
    CHECK(serve::parse_predict_body("application/json; charset=utf-8", pixels_body(x), digit_spec()) == x);
    CHECK(serve::parse_predict_body("", pixels_body(x), digit_spec()) == x);  // sniffed: not a PNG
}

TEST_CASE("every malformed JSON body is a 400 that says what was wrong") {
    const auto spec = digit_spec();
    const auto parse = [&](const std::string& body) { return refusal([&] { serve::pixels_from_json(body, spec); }); };
    auto [status, message] = parse("pixels: 1, 2, 3");
    CHECK(status == 400);
    CHECK(contains(message, "not JSON"));

    std::tie(status, message) = parse(R"({"pixels": [NaN]})");
    CHECK(status == 400);
    CHECK(contains(message, "JSON has no NaN"));

    std::tie(status, message) = parse("[0, 1]");
    CHECK(status == 400);
    CHECK(contains(message, "the body is an array"));

    std::tie(status, message) = parse(R"({"pixel": []})");
    CHECK(contains(message, "no \"pixels\""));

    std::tie(status, message) = parse(R"({"pixels": "0 0 0"})");
    CHECK(contains(message, "\"pixels\" is a string"));

    std::tie(status, message) = parse(pixels_body(std::vector<float>(783, 0.f)));
    CHECK(status == 400);
    CHECK(contains(message, "has 783 values; this model takes 784 (1 x 28 x 28"));

    auto x = sample(1);
    json j{{"pixels", x}};
    j["pixels"][5] = "white";
    std::tie(status, message) = parse(j.dump());
    CHECK(contains(message, "pixels[5] is a string, not a number"));

    j["pixels"][5] = 255;
    std::tie(status, message) = parse(j.dump());
    CHECK(contains(message, "pixels[5] = 255 is outside [0, 1]"));
    CHECK(contains(message, "divide by 255"));

    j["pixels"][5] = -0.01;
    CHECK(contains(parse(j.dump()).second, "pixels[5] = -0.01 is outside"));

    // Nesting as deep as a 1 MiB body allows neither overflows the stack nor passes.
    const std::string deep = "{\"pixels\": " + std::string(500'000, '[') + std::string(500'000, ']') + "}";
    CHECK(contains(parse(deep).second, "\"pixels\" has 1 values"));
    CHECK(contains(parse(std::string(1 << 20, '[')).second, "not JSON"));

    // Too large for a double: nlohmann refuses it while parsing.
    std::string huge = pixels_body(x);
    huge.replace(huge.find('[') + 1, 0, "1e999,");
    huge.erase(huge.rfind(','));
    huge += "]}";
    std::tie(status, message) = parse(huge);
    CHECK(status == 400);
    CHECK(contains(message, "number overflow parsing '1e999'"));
}

TEST_CASE("a PNG of the model's size becomes bytes / 255, channels first; anything else is refused") {
    const auto spec = digit_spec();
    const std::string file = png(28, 28, 1, 2);
    const auto x = serve::parse_predict_body("image/png", file, spec);
    REQUIRE(x.size() == 784);
    for (std::size_t i = 0; i < 784; ++i) REQUIRE(x[i] == float((i * 37 + 2 * 101) % 256) * (1.f / 255.f));
    // The same without a Content-Type: recognised by its signature.
    CHECK(serve::parse_predict_body("", file, spec) == x);
    // RGB is converted to grey by stb; the size is what must match.
    CHECK(serve::parse_predict_body("image/png", png(28, 28, 3), spec).size() == 784);

    auto [status, message] = refusal([&] { serve::parse_predict_body("image/png", png(27, 28, 1), spec); });
    CHECK(status == 400);
    CHECK(contains(message, "the PNG is 27 x 28 pixels; this model takes 28 x 28 grey"));

    std::tie(status, message) = refusal([&] { serve::parse_predict_body("image/png", "GIF89a....", spec); });
    CHECK(status == 400);
    CHECK(contains(message, "not a PNG"));

    std::tie(status, message) = refusal([&] { serve::parse_predict_body("image/png", file.substr(0, 60), spec); });
    CHECK(status == 400);
    CHECK(contains(message, "the uploaded PNG"));

    std::tie(status, message) = refusal([&] { serve::parse_predict_body("text/plain", "7", spec); });
    CHECK(status == 415);
    CHECK(contains(message, "Content-Type text/plain"));

    std::tie(status, message) = refusal([&] { serve::parse_predict_body("application/json", "", spec); });
    CHECK(status == 400);
    CHECK(contains(message, "empty"));

    const serve::PixelSpec flat{.dims = {12}};
    std::tie(status, message) = refusal([&] { serve::parse_predict_body("image/png", file, flat); });
    CHECK(status == 415);
    CHECK(contains(message, "not an image"));
}

TEST_CASE("answers: softmax of the logits, the top class, and errors as JSON even with bytes that are not UTF-8") {
    const std::vector<float> logits{1.f, 3.f, 2.f};
    const auto j = json::parse(serve::prediction_json(logits, serve::Outputs::logits, {"cat", "dog", "emu"}));
    CHECK(j["class"] == 1);
    CHECK(j["label"] == "dog");
    const double total = std::exp(1.0) + std::exp(3.0) + std::exp(2.0);
    CHECK(j["probability"].get<double>() == doctest::Approx(std::exp(3.0) / total).epsilon(1e-14));
    CHECK(j["probabilities"].size() == 3);
    CHECK(json::parse(serve::prediction_json(logits, serve::Outputs::probabilities))["probability"] == 3.0);
    const auto e = json::parse(serve::error_json(400, "last read: '\xff'"));
    CHECK(e["status"] == 400);
    CHECK(contains(e["error"].get<std::string>(), "last read"));
}

TEST_CASE("the server over loopback: the model's answers, clear refusals, and it keeps serving") {
    Model<SmallCnn> model{Seed{7}};
    serve::Server server(model, {.port = 0, .workers = 3,
                                 .page_html = "<!doctype html><canvas id=pad></canvas>",
                                 .name = "small-cnn"});
    server.start();
    REQUIRE(server.port() > 0);
    httplib::Client client("127.0.0.1", server.port());

    auto res = client.Get("/health");
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(json::parse(res->body)["status"] == "ok");

    res = client.Get("/");
    REQUIRE(res);
    CHECK(contains(res->body, "<canvas id=pad>"));
    CHECK(contains(res->get_header_value("Content-Type"), "text/html"));

    res = client.Get("/model");
    REQUIRE(res);
    const auto description = json::parse(res->body);
    CHECK(description["parameters"] == SmallCnn::param_count);
    CHECK(description["input"] == json::array({1, 28, 28}));
    CHECK(description["outputs"] == 10);
    CHECK(description["layers"].size() == 5);
    CHECK(description["layers"][0]["output"] == "[4, 24, 24]");
    CHECK(contains(description["summary"].get<std::string>(), "Total params"));

    // JSON, raw PNG and a form upload of the same digit: the model's own answer.
    const std::string file = png(28, 28, 1, 4);
    const auto pixels = serve::parse_predict_body("image/png", file, digit_spec());
    const auto expected = expected_probabilities(model, pixels);
    for (int way = 0; way < 3; ++way) {
        CAPTURE(way);
        res = way == 0   ? client.Post("/predict", pixels_body(pixels), "application/json")
              : way == 1 ? client.Post("/predict", file, "image/png")
                         : client.Post("/predict", httplib::MultipartFormDataItems{{"image", file, "digit.png", "image/png"}});
        REQUIRE(res);
        REQUIRE(res->status == 200);
        const auto answer = json::parse(res->body);
        const auto p = answer["probabilities"].get<std::vector<double>>();
        REQUIRE(p.size() == 10);
        for (std::size_t k = 0; k < 10; ++k) CHECK(p[k] == doctest::Approx(expected[k]).epsilon(1e-12));
        CHECK(answer["class"] == std::size_t(std::max_element(expected.begin(), expected.end()) - expected.begin()));
    }

    // Refusals: each a JSON error with its status, and the server goes on.
    struct Bad {
        std::string body, type;
        int status;
        std::string says;
    };
    const std::vector<Bad> bad{
        {"{not json", "application/json", 400, "not JSON"},
        {pixels_body(std::vector<float>(10, 0.f)), "application/json", 400, "has 10 values"},
        {R"({"pixels": [NaN]})", "application/json", 400, "NaN"},
        {png(20, 20, 1), "image/png", 400, "the PNG is 20 x 20"},
        {"\x89PNG\r\n\x1a\n garbage", "image/png", 400, "the uploaded PNG"},
        {"7", "text/plain", 415, "text/plain"},
    };
    for (const auto& b : bad) {
        CAPTURE(b.says);
        res = client.Post("/predict", b.body, b.type.c_str());
        REQUIRE(res);
        CHECK(res->status == b.status);
        const auto e = json::parse(res->body);
        CHECK(e["status"] == b.status);
        CHECK(contains(e["error"].get<std::string>(), b.says));
    }
    res = client.Post("/predict", httplib::MultipartFormDataItems{{"a", "1", "", ""}, {"b", "2", "", ""}});
    REQUIRE(res);
    CHECK(res->status == 400);
    CHECK(contains(res->body, "needs one file"));

    res = client.Get("/predict");
    REQUIRE(res);
    CHECK(res->status == 405);
    CHECK(res->get_header_value("Allow") == "POST");
    CHECK(contains(json::parse(res->body)["error"].get<std::string>(), "GET /predict is not allowed"));
    res = client.Delete("/model");
    REQUIRE(res);
    CHECK(res->status == 405);
    CHECK(res->get_header_value("Allow") == "GET");
    res = client.Get("/nowhere");
    REQUIRE(res);
    CHECK(res->status == 404);
    CHECK(contains(json::parse(res->body)["error"].get<std::string>(), "no such endpoint: GET /nowhere"));

    // Over the limit, judged from the Content-Length before any of the body is read:
    // answered at once (the body never comes; httplib alone would wait for it).
    std::string reply = raw_exchange(server.port(), "POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                                    "Content-Length: 2000000\r\n\r\n{\"pixels\": [");
    CHECK(contains(reply, "HTTP/1.1 413"));
    CHECK(contains(reply, "over the limit of 1048576 bytes (Content-Length: 2000000)"));
    CHECK(contains(reply, "Connection: close"));
    // A chunked body, whose size no header announces, is refused before it is read
    // (httplib 0.11 by itself read a 2 MiB one in full and handed it on). Only its
    // start is sent: what the server leaves unread when it closes would make its
    // kernel answer with a reset, which can discard the reply before it is read.
    reply = raw_exchange(server.port(), "POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                        "Transfer-Encoding: chunked\r\n\r\n200000\r\n" + std::string(100, ' '));
    CHECK(contains(reply, "HTTP/1.1 411"));
    CHECK(contains(reply, "send the body with a Content-Length"));
    CHECK(contains(reply, "Connection: close"));
    // Not HTTP at all.
    reply = raw_exchange(server.port(), "hello\r\n\r\n");
    CHECK(contains(reply, "HTTP/1.1 400"));
    CHECK(contains(reply, "\"status\":400"));

    res = client.Post("/predict", pixels_body(pixels), "application/json");
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(server.predictions() == 4);
    server.stop();
}

TEST_CASE("concurrent clients each get their own sample's answer, with fewer model copies than clients too") {
    Model<SmallCnn> model{Seed{11}};
    constexpr std::size_t clients = 8, per_client = 25;
    std::vector<std::vector<double>> expected;
    for (std::size_t i = 0; i < clients * per_client; ++i) expected.push_back(expected_probabilities(model, sample(i)));
    for (const std::size_t workers : {std::size_t(4), std::size_t(1)}) {
        CAPTURE(workers);
        serve::Server server(model, {.port = 0, .workers = workers});
        server.start();
        std::vector<std::size_t> wrong(clients, 0), failed(clients, 0);
        std::vector<std::thread> threads;
        for (std::size_t c = 0; c < clients; ++c)
            threads.emplace_back([&, c] {
                httplib::Client client("127.0.0.1", server.port());
                for (std::size_t r = 0; r < per_client; ++r) {
                    const std::size_t i = c * per_client + r;
                    const auto res = client.Post("/predict", pixels_body(sample(i)), "application/json");
                    if (!res || res->status != 200) {
                        ++failed[c];
                        continue;
                    }
                    const auto p = json::parse(res->body)["probabilities"].get<std::vector<double>>();
                    for (std::size_t k = 0; k < 10; ++k)
                        if (std::abs(p[k] - expected[i][k]) > 1e-12) {
                            ++wrong[c];
                            break;
                        }
                }
            });
        for (auto& t : threads) t.join();
        for (std::size_t c = 0; c < clients; ++c) {
            CHECK(failed[c] == 0);
            CHECK(wrong[c] == 0);
        }
        CHECK(server.predictions() == clients * per_client);
    }
}

TEST_CASE("a client that connects and sends nothing does not keep the only worker from the next") {
    Model<Mlp> model;
    serve::Server server(model, {.port = 0, .workers = 1, .read_timeout_seconds = 1, .keep_alive_seconds = 1});
    server.start();
    const int silent = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(silent >= 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(std::uint16_t(server.port()));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(silent, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    // The worker takes the silent connection first; it gives it up after the timeout.
    httplib::Client client("127.0.0.1", server.port());
    client.set_read_timeout(30, 0);
    const auto res = client.Get("/health");
    REQUIRE(res);
    CHECK(res->status == 200);
    ::close(silent);
}

TEST_CASE("stop() right after start() stops the server (it would otherwise serve on, and the test hang)") {
    Model<Mlp> model;
    for (int i = 0; i < 20; ++i) {
        serve::Server server(model, {.port = 0, .workers = 1});
        server.start();
        server.stop();
    }
    CHECK(true);  // reached: no server was left serving
}

TEST_CASE("binding: port 0 picks a free port; a port in use is an error that says so") {
    Model<Mlp> model;
    serve::Server first(model, {.port = 0, .workers = 1});
    const int port = first.bind();
    CHECK(port > 0);
    serve::Server second(model, {.port = port, .workers = 1});
    CHECK_THROWS_WITH_AS(second.bind(), doctest::Contains(("cannot listen on 127.0.0.1:" + std::to_string(port)).c_str()),
                         std::runtime_error);
    CHECK_THROWS_AS(serve::Server(model, {.workers = 0}), std::invalid_argument);
}

// An HTTP server for any Model<Net>, on cpp-httplib (Debian's libcpp-httplib-dev):
//
//   tn::Model<Net> model;
//   tn::load_model("mnist-cnn.safetensors", model);
//   tn::serve::Server server(model, {.port = 8080, .page_html = page});
//   server.listen();                       // blocks; or start() ... stop() around other work
//
//   POST /predict   JSON {"pixels": [...]} or a PNG (raw, Content-Type: image/png, or a
//                   multipart form's file): the class probabilities and the top class
//   GET  /          the page (ServerOptions::page_html)
//   GET  /health    {"status": "ok", ...}
//   GET  /model     the network: input, layers, output shapes, parameters (serve/response.hpp)
//
// Requests run on a fixed pool of worker threads (httplib's ThreadPool, `workers`
// of them); each forward borrows its own copy of the model (serve/inference_pool.hpp),
// so no two share activations, and nothing a request does writes the weights.
// Every refusal is a JSON error with a 4xx status that says what was wrong: a body
// that is not JSON or not a PNG, the wrong number of pixels, a value that is not
// finite or outside the trained range, an image of another size, a body over
// `max_body_bytes` (413, refused from its Content-Length before it is read), a
// chunked body (411: its size is not known before it is read), another path (404) or
// method (405). A client that sends nothing holds a worker for at most
// `read_timeout_seconds`. It binds 127.0.0.1 unless told otherwise: a model on a
// laptop is not meant for the network.
#pragma once
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstddef>
#include <ctime>
#include <exception>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "typenet/model.hpp"
#include "typenet/serve/inference_pool.hpp"
#include "typenet/serve/request.hpp"
#include "typenet/serve/response.hpp"

namespace tn::serve {

struct ServerOptions {
    std::string host = "127.0.0.1";  // "0.0.0.0" serves every interface
    int port = 8080;                 // 0: any free port (Server::port() says which)
    std::size_t workers = 4;         // threads, and copies of the model
    std::size_t max_body_bytes = std::size_t(1) << 20;
    std::time_t read_timeout_seconds = 5;
    // A worker serves one connection at a time, for as long as it is kept alive
    // (httplib's model): an idle keep-alive connection holds it this long at most,
    // and a busy one gives it up after this many requests, so that no client
    // keeps a worker from the others.
    std::time_t keep_alive_seconds = 1;
    std::size_t keep_alive_requests = 10;
    std::string page_html{};  // GET /; empty: a short page that lists the endpoints
    std::string name = "model";
    std::vector<std::string> class_names{};  // optional names of the outputs ("label" in answers)
    Outputs outputs = Outputs::logits;
    float min_value = 0.f, max_value = 1.f;  // the range of the inputs the model was trained on
    bool log_requests = false;               // one line per request on stderr
};

template <class Net>
class Server {
public:
    using model_type = Model<Net>;
    static_assert(!model_type::token_input,
                  "serve::Server: this model reads token ids (Input<Tokens<T>>); /predict sends numbers "
                  "(pixels), which serve/request.hpp checks against a range, not against a vocabulary");

    Server(const model_type& model, ServerOptions options)
        : options_(std::move(options)), pool_(model, check(options_).workers) {
        spec_.dims.assign(model_type::input_shape::dims.begin(), model_type::input_shape::dims.end());
        spec_.min_value = options_.min_value;
        spec_.max_value = options_.max_value;
        describe(model);
        routes();
    }
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;
    ~Server() { stop(); }

    // Binds the address and port; returns the port (the one chosen for port 0).
    // Connections are accepted (queued) from here on, before listen() runs.
    int bind() {
        if (port_ > 0) return port_;
        port_ = options_.port == 0 ? http_.bind_to_any_port(options_.host)
                                   : (http_.bind_to_port(options_.host, options_.port) ? options_.port : -1);
        if (port_ <= 0) {
            port_ = 0;
            throw std::runtime_error("serve: cannot listen on " + options_.host + ":" + std::to_string(options_.port) +
                                     " (in use, or not an address of this machine?); try another --port, or 0 for any");
        }
        // Debian's compiled httplib listens with a backlog of 5: more clients than that
        // connecting at once had their SYNs dropped and retried a second later. Linux
        // takes a second listen() on a listening socket as a new backlog.
        if (listening_socket_ >= 0) ::listen(listening_socket_, SOMAXCONN);
        return port_;
    }
    // Serves until stop() (from another thread); binds first if bind() was not called.
    void listen() {
        bind();
        if (!http_.listen_after_bind() && !stopping_)
            throw std::runtime_error("serve: the server on " + url() + " stopped with an error");
    }
    // Serves on a thread of its own; returns once it serves.
    void start() {
        bind();
        thread_ = std::thread([this] {
            http_.listen_after_bind();
            listen_returned_ = true;
        });
        // httplib's stop() stops only a server that is already running: wait until
        // this one is, so that a stop() right after start() cannot miss it and leave
        // the thread serving (and the destructor waiting for it).
        while (!http_.is_running() && !listen_returned_) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    void stop() {
        stopping_ = true;
        http_.stop();
        if (thread_.joinable()) thread_.join();
    }

    int port() const { return port_; }
    std::string url() const { return "http://" + options_.host + ":" + std::to_string(port_); }
    std::size_t predictions() const { return predictions_; }
    std::size_t refused() const { return refused_; }
    const ModelDescription& description() const { return description_; }

private:
    static const ServerOptions& check(const ServerOptions& o) {
        if (o.workers == 0) throw std::invalid_argument("serve: ServerOptions::workers must be >= 1");
        if (o.port < 0 || o.port > 65535)
            throw std::invalid_argument("serve: the port must be 0 to 65535, got " + std::to_string(o.port));
        if (!(o.min_value < o.max_value))
            throw std::invalid_argument("serve: ServerOptions::min_value must be below max_value");
        return o;
    }

    void describe(const model_type& model) {
        description_.name = options_.name;
        description_.input = spec_.dims;
        description_.outputs = model_type::output_size;
        description_.parameters = model_type::param_count;
        if constexpr (model_type::valid) Net::summarize_children(description_.layers, 0);
        description_.summary = model.summary_table();
        description_.class_names = options_.class_names;
    }

    void error(httplib::Response& res, int status, const std::string& message) {
        ++refused_;
        res.status = status;
        res.set_content(error_json(status, message), "application/json");
    }

    void not_allowed(httplib::Response& res, const httplib::Request& req, const char* allowed) {
        res.set_header("Allow", allowed);
        error(res, 405, req.method + " " + req.path + " is not allowed; use " + allowed);
    }

    void predict(const httplib::Request& req, httplib::Response& res) {
        try {
            std::vector<float> x;
            if (req.is_multipart_form_data()) {
                // A form upload: the file field "image", or the only file there is.
                const auto* file = req.has_file("image") ? &req.files.find("image")->second
                                   : req.files.size() == 1 ? &req.files.begin()->second
                                                           : nullptr;
                if (!file)
                    throw RequestError(400, "a multipart form needs one file, in the field \"image\" (it has " +
                                                std::to_string(req.files.size()) + " fields)");
                x = parse_predict_body(file->content_type, file->content, spec_);
            } else {
                x = parse_predict_body(req.get_header_value("Content-Type"), req.body, spec_);
            }
            const std::vector<float> y = pool_.predict(x);
            for (float v : y)
                if (!std::isfinite(v))
                    throw RequestError(500, "the model's output is not finite (its weights may hold NaN or "
                                            "infinity: was the checkpoint from a run that diverged?)");
            res.set_content(prediction_json(y, options_.outputs, options_.class_names), "application/json");
            ++predictions_;
        } catch (const RequestError& e) {
            error(res, e.status, e.what());
        }
    }

    void routes() {
        if (options_.page_html.empty())
            options_.page_html =
                "<!doctype html><meta charset=utf-8><title>" + options_.name +
                "</title><p>typenet serves <b>" + options_.name +
                "</b>: POST /predict (JSON {\"pixels\": [...]} or a PNG), GET /health, GET /model.";
        http_.new_task_queue = [n = options_.workers] { return new httplib::ThreadPool(n); };
        // httplib's default sets SO_REUSEPORT, with which a second server on the same
        // port binds without an error and the kernel splits the connections between
        // the two. SO_REUSEADDR alone still lets a restarted server take its port back
        // from connections in TIME_WAIT.
        http_.set_socket_options([this](socket_t sock) {
            int yes = 1;
            ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
            listening_socket_ = sock;
        });
        // Headers and body go out as separate writes: with Nagle's algorithm the body
        // waits for the client's delayed ACK, 40 ms a request on Linux loopback.
        http_.set_tcp_nodelay(true);
        // httplib keeps a connection, and the worker serving it, for keep-alive; a
        // quiet browser tab would otherwise hold a worker for httplib's 5 s.
        http_.set_keep_alive_timeout(options_.keep_alive_seconds);
        http_.set_keep_alive_max_count(options_.keep_alive_requests);
        http_.set_payload_max_length(options_.max_body_bytes);
        http_.set_read_timeout(options_.read_timeout_seconds, 0);

        http_.Get("/", [this](const httplib::Request&, httplib::Response& res) {
            res.set_content(options_.page_html, "text/html; charset=utf-8");
        });
        http_.Get("/health", [this](const httplib::Request&, httplib::Response& res) {
            res.set_content(nlohmann::json{{"status", "ok"},
                                           {"name", options_.name},
                                           {"workers", options_.workers},
                                           {"predictions", predictions_.load()}}
                                .dump(),
                            "application/json");
        });
        const std::string model_text = model_json(description_);
        http_.Get("/model", [this, model_text](const httplib::Request&, httplib::Response& res) {
            res.set_content(model_text, "application/json");
        });
        http_.Post("/predict", [this](const httplib::Request& req, httplib::Response& res) { predict(req, res); });

        // Known paths, wrong methods: 405 with the method that works (httplib by
        // itself answers 404, as if the path were unknown).
        const auto get_only = [this](const httplib::Request& req, httplib::Response& res) {
            not_allowed(res, req, "GET");
        };
        const auto post_only = [this](const httplib::Request& req, httplib::Response& res) {
            not_allowed(res, req, "POST");
        };
        for (const char* path : {"/", "/health", "/model"}) {
            http_.Post(path, get_only);
            http_.Put(path, get_only);
            http_.Patch(path, get_only);
            http_.Delete(path, get_only);
        }
        http_.Get("/predict", post_only);
        http_.Put("/predict", post_only);
        http_.Patch("/predict", post_only);
        http_.Delete("/predict", post_only);

        // Before any of the body is read. httplib 0.11 applies set_payload_max_length
        // to a body with a Content-Length only after reading (skipping) all of it, and
        // to a chunked body not at all: a 2 MiB chunked body reached the handler in
        // full (tests/serve/serve_test.cpp). So a body announced over the limit is
        // refused at once, and a chunked one is refused outright (fetch, curl and
        // every HTTP client send a Content-Length for a body they hold); both close
        // the connection, whose unread body would otherwise be read as the next request.
        http_.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
            const std::string encoding = req.get_header_value("Transfer-Encoding");
            if (!encoding.empty() && encoding != "identity") {
                res.set_header("Connection", "close");
                error(res, 411, "a chunked body (Transfer-Encoding: " + encoding +
                                    ") is not accepted: send the body with a Content-Length, at most " +
                                    std::to_string(options_.max_body_bytes) + " bytes");
                return httplib::Server::HandlerResponse::Handled;
            }
            if (req.has_header("Content-Length")) {
                const std::string length = req.get_header_value("Content-Length");
                char* end = nullptr;
                const unsigned long long n = std::strtoull(length.c_str(), &end, 10);
                if (end != length.c_str() && *end == '\0' && n > options_.max_body_bytes) {
                    res.set_header("Connection", "close");
                    error(res, 413, "the body is over the limit of " + std::to_string(options_.max_body_bytes) +
                                        " bytes (Content-Length: " + length + ")");
                    return httplib::Server::HandlerResponse::Handled;
                }
            }
            return httplib::Server::HandlerResponse::Unhandled;
        });

        // Whatever httplib refused itself (an unknown path, a body over the limit, a
        // request it could not parse) gets a JSON error too.
        http_.set_error_handler([this](const httplib::Request& req, httplib::Response& res) {
            if (!res.body.empty()) return;  // one of ours, already JSON
            std::string message;
            if (res.status == 404)
                message = "no such endpoint: " + req.method + " " + req.path +
                          "; there are GET /, GET /health, GET /model and POST /predict";
            else if (res.status == 413)
                message = "the body is over the limit of " + std::to_string(options_.max_body_bytes) + " bytes";
            else
                message = "the request was refused (HTTP status " + std::to_string(res.status) +
                          "): httplib could not read it as an HTTP request";
            error(res, res.status, message);
        });
        http_.set_exception_handler([this](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
            std::string what = "unknown error";
            try {
                std::rethrow_exception(ep);
            } catch (const std::exception& e) {
                what = e.what();
            } catch (...) {
            }
            error(res, 500, "the server failed on this request: " + what);
        });
        if (options_.log_requests)
            http_.set_logger([](const httplib::Request& req, const httplib::Response& res) {
                std::fprintf(stderr, "serve: %s %s -> %d (%zu bytes)\n", req.method.c_str(), req.path.c_str(),
                             res.status, res.body.size());
            });
    }

    ServerOptions options_;
    InferencePool<Net> pool_;
    PixelSpec spec_;
    ModelDescription description_;
    httplib::Server http_;
    std::thread thread_;
    int port_ = 0;
    int listening_socket_ = -1;
    std::atomic<bool> stopping_{false}, listen_returned_{false};
    std::atomic<std::size_t> predictions_{0}, refused_{0};
};

}  // namespace tn::serve

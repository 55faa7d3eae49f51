// Lesson 46: the end-to-end project: a model that leaves the notebook
// ====================================================================
//
// The course ends where a project of one's own begins. This lesson trains lesson
// 19's MNIST CNN (or loads it, when its checkpoint is already there), evaluates it,
// saves it, and then serves it over HTTP to a web page on which a person draws a
// digit with the mouse or a finger and sees the prediction with its probabilities:
//
//   build/release/lessons/46-serving --serve            train or load, then serve
//   open http://127.0.0.1:8080/                         and draw
//   curl -s localhost:8080/model                        the network, as JSON
//   curl -s -H 'Content-Type: image/png' --data-binary @out/46-serving/digit-7.png localhost:8080/predict
//
// The server is the library's (include/typenet/serve/), not this file's: it serves
// any Model<Net> checkpoint. What changes between training and serving, and what
// must not (docs/08-project.md says more):
//   - the mode: forward(batch, training = false), so Dropout passes everything and
//     BatchNorm uses the running statistics it kept while training, not the
//     statistics of a "batch" of one drawing;
//   - the batch: 1. Each request is one digit, run the moment it arrives; the
//     server runs several at once, each forward on its own copy of the model
//     (serve/inference_pool.hpp), because a Model keeps its activations in one
//     arena of its own and two forwards in it would write over each other;
//   - the preprocessing must not change: the network learnt MNIST's digits, which
//     were cropped, scaled into 20 x 20 and centred by mass in 28 x 28, light on
//     dark. The page (include/typenet/serve/digits.html) does exactly that to a
//     drawing before it sends the 784 values; lesson 19's --predict does it to a PNG.
//   - bad input is normal: the server checks every request and answers a JSON
//     error that says what was wrong (400, 404, 405, 413, 415), and keeps serving.
//
// Run:  build/release/lessons/46-serving [--smoke] [--out DIR] [--serve] [--port N]
//       [--host ADDR] [--workers N] [--retrain] [--model FILE]
//       (after scripts/fetch-data.sh mnist). The full run trains as lesson 19 does
//       (4 epochs on 55,000 digits: 9 s on two cores here, 99.21%) unless
//       mnist-cnn.safetensors is already in the output folder; --retrain trains
//       anyway, --model FILE serves another checkpoint of this network. Either
//       way the model served is the one loaded back from the file. Without
//       --serve it starts the server on a free loopback port, checks it (/health,
//       /model, a prediction as JSON and as PNG against the model's own answer, a
//       bad request), stops it and ends, as CI's smoke run does (--smoke always
//       trains, 2 epochs on 20,000 digits, about 1 s, 98.3% on the first 1,000 test
//       digits, into mnist-cnn-smoke.safetensors). --serve binds
//       127.0.0.1:8080 (--port 0: any free port; --host 0.0.0.0 to let other
//       machines in) and serves until Ctrl-C.
// Writes: out/46-serving/mnist-cnn.safetensors (the model: PyTorch reads it as a
//         state_dict), digit-*.png (test digits to upload), and page.png, a
//         screenshot of the page in Chromium, when tests/serve/browser_test.py has
//         run with this output folder (ctest's serve-browser writes it into
//         build/.../out/browser/46-serving/; docs/08-project.md).

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <typenet/data/mnist.hpp>
#include <typenet/image/io.hpp>
#include <typenet/serve/server.hpp>
#include <typenet/train/checkpoint.hpp>
#include <typenet/typenet.hpp>

#include "lesson.hpp"

using namespace tn;

// Lesson 19's network, so that its checkpoint loads here too (--model
// out/19-mnist-classifier/mnist-cnn.safetensors): 37,634 parameters.
using MnistCnn = Sequential<Input<1, 28, 28>,                                              //
                            Conv2D<8, Kernel<5>, NoBias>, BatchNorm2D<>, ReLU, MaxPool<2>,   //
                            Conv2D<16, Kernel<5>, NoBias>, BatchNorm2D<>, ReLU, MaxPool<2>,  //
                            Flatten, Dense<128>, ReLU, Dropout<25>, Dense<10>>;
static_assert(MnistCnn::param_count == 37'634);

namespace {

struct ServeOptions {
    bool serve = false, retrain = false;
    std::string host = "127.0.0.1", model_file;
    int port = -1;  // -1: 8080 with --serve, any free port for the self-check
    std::size_t workers = 4;
};

// Trains as lesson 19 does: Adam, batches of 64, a cosine decay from 3e-3 to 1e-5.
void train(Model<MnistCnn>& net, const data::ImageData& mnist, bool smoke) {
    const Dataset train = mnist.train.slice(0, smoke ? 20'000 : 55'000);
    const Dataset validation = mnist.train.slice(55'000, smoke ? 56'000 : 60'000);
    const std::size_t epochs = smoke ? 2 : 4, batch = 64;
    const std::size_t steps = epochs * ((train.size() + batch - 1) / batch);
    std::printf("training on %zu digits, %zu epoch%s\n", train.size(), epochs, epochs == 1 ? "" : "s");
    std::fflush(stdout);  // fit's progress goes to stderr
    Adam adam{{.lr = 3e-3f}};
    fit(net, train, SoftmaxCrossEntropy{}, adam,
        {.epochs = epochs, .batch = batch, .validation = validation,
         .schedule = {schedule::Cosine{.lr = 3e-3f, .period = steps, .min_lr = 1e-5f}, Every::step}});
}

std::string read_text(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// Test digit i as a 28 x 28 grey PNG in memory (and on disk, to try with curl).
std::string digit_png(const Dataset& test, std::size_t i, const std::filesystem::path& out) {
    std::vector<float> digit(28 * 28);
    test.copy_input(i, digit.data());
    const auto path = out / ("digit-" + std::to_string(int(test.targets[i])) + ".png");
    image::write_png(path, image::from_chw(digit.data(), 1, 28, 28));
    return read_text(path);
}

// The checks a deployment runs before it takes traffic: the server answers, and
// what it answers is what the model says in this process.
bool self_check(serve::Server<MnistCnn>& server, Model<MnistCnn>& net, const Dataset& test,
                const std::filesystem::path& out) {
    httplib::Client client("127.0.0.1", server.port());
    bool ok = true;
    const auto check = [&](bool passed, const std::string& what) {
        std::printf("  %-4s %s\n", passed ? "ok" : "FAIL", what.c_str());
        ok = ok && passed;
    };
    auto res = client.Get("/health");
    check(res && res->status == 200, "GET /health -> " + (res ? res->body : std::string("no answer")));
    res = client.Get("/model");
    check(res && res->status == 200 &&
              nlohmann::json::parse(res->body)["parameters"] == std::size_t(MnistCnn::param_count),
          "GET /model -> the summary of " + std::to_string(MnistCnn::param_count) + " parameters");

    std::vector<float> digit(28 * 28);
    test.copy_input(0, digit.data());
    const auto own = serve::probabilities(net.predict(digit), serve::Outputs::logits);
    const std::size_t own_class = std::size_t(std::max_element(own.begin(), own.end()) - own.begin());
    const auto same_answer = [&](const httplib::Result& r) {
        if (!r || r->status != 200) return false;
        const auto p = nlohmann::json::parse(r->body)["probabilities"].get<std::vector<double>>();
        for (std::size_t k = 0; k < 10; ++k)
            if (std::abs(p[k] - own[k]) > 1e-6) return false;  // the PNG's bytes round the pixels to 1/255
        return true;
    };
    res = client.Post("/predict", nlohmann::json{{"pixels", digit}}.dump(), "application/json");
    check(same_answer(res), "POST /predict (JSON) on test digit 0 (a " + std::to_string(int(test.targets[0])) +
                                ") -> " + (res ? res->body.substr(0, 60) : std::string("no answer")) + "...");
    const std::string png = digit_png(test, 0, out);
    res = client.Post("/predict", png, "image/png");
    check(res && res->status == 200 && nlohmann::json::parse(res->body)["class"] == own_class,
          "POST /predict (PNG) -> class " + (res ? nlohmann::json::parse(res->body)["label"].get<std::string>() : "?") +
              ", as the model in this process says (" + std::to_string(own_class) + ")");
    res = client.Post("/predict", R"({"pixels": [0.5, 0.5]})", "application/json");
    check(res && res->status == 400, "a bad request -> " + (res ? std::to_string(res->status) + " " + res->body : "?"));
    res = client.Get("/health");
    check(res && res->status == 200, "and the server goes on serving");
    return ok;
}

int run(const lesson::Options& opt, const ServeOptions& so) {
    const auto mnist = data::mnist();
    const Dataset test = opt.smoke ? mnist.test.slice(0, 1'000) : mnist.test;

    // 1. Train, unless an earlier run saved the model (a smoke run always trains: it
    //    is CI's check that the whole path works).
    const std::filesystem::path model_file =
        so.model_file.empty() ? opt.out / (opt.smoke ? "mnist-cnn-smoke.safetensors" : "mnist-cnn.safetensors")
                              : std::filesystem::path(so.model_file);
    if (!so.model_file.empty() && !std::filesystem::exists(model_file))
        throw std::runtime_error("--model " + so.model_file + ": no such file");
    if (so.model_file.empty() && (opt.smoke || so.retrain || !std::filesystem::exists(model_file))) {
        Model<MnistCnn> trainee{Seed{46}};
        train(trainee, mnist, opt.smoke);
        // 2. Save: the file is all the server needs (and PyTorch reads it too).
        save_model(model_file, trainee);
        lesson::wrote(model_file);
    } else {
        std::printf("%s is there: no training (--retrain to train again)\n", model_file.string().c_str());
    }

    // What is served is what is on disk, loaded as a deployment would load it: a
    // fresh model of the same type, every tensor's name and shape checked.
    Model<MnistCnn> net;
    load_model(model_file, net);
    std::printf("loaded %s:\n", model_file.string().c_str());
    net.summary();

    // 3. Evaluate on the test set, in evaluation mode, as the server will run it.
    const Evaluation e = evaluate(net, test, SoftmaxCrossEntropy{});
    std::printf("\ntest: loss %.4f, accuracy %.2f%% on %zu digits\n", e.loss, 100 * e.accuracy, test.size());

    // 4. Serve it.
    const std::filesystem::path page = std::filesystem::path(TYPENET_SOURCE_DIR) / "include/typenet/serve/digits.html";
    serve::ServerOptions options{.host = so.host,
                                 .port = so.port >= 0 ? so.port : (so.serve ? 8080 : 0),
                                 .workers = so.workers,
                                 .page_html = std::filesystem::exists(page) ? read_text(page) : "",
                                 .name = "MNIST CNN (lesson 46)",
                                 .class_names = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}};
    serve::Server<MnistCnn> server(net, options);
    if (so.serve) {
        server.bind();
        std::printf("\nserving on %s/ with %zu workers (Ctrl-C stops)\n", server.url().c_str(), so.workers);
        std::fflush(stdout);  // tests/serve/browser_test.py reads this line for the port
        server.listen();
        return 0;
    }
    server.start();
    std::printf("\nself-check of the server on %s:\n", server.url().c_str());
    const bool served = self_check(server, net, test, opt.out);
    server.stop();

    char what[200];
    std::snprintf(what, sizeof what,
                  "test accuracy %.2f%% (target >= 99.0%%); the server answered as the model does: %s", 100 * e.accuracy,
                  served ? "yes" : "NO");
    if (!served) {  // a broken server is a failure even in a smoke run
        std::printf("\nthe server's self-check failed\n");
        return 1;
    }
    return lesson::report_target(opt, e.accuracy >= 0.990f, what);
}

}  // namespace

int main(int argc, char** argv) {
    return lesson::run([&] {
        // This lesson's own options; the rest goes to lesson::parse.
        ServeOptions so;
        std::vector<char*> rest{argv[0]};
        for (int i = 1; i < argc; ++i) {
            const std::string_view arg = argv[i];
            const bool has_value = i + 1 < argc;
            if (arg == "--serve") so.serve = true;
            else if (arg == "--retrain") so.retrain = true;
            else if (arg == "--port" && has_value) so.port = std::stoi(argv[++i]);
            else if (arg == "--host" && has_value) so.host = argv[++i];
            else if (arg == "--workers" && has_value) so.workers = std::size_t(std::stoul(argv[++i]));
            else if (arg == "--model" && has_value) so.model_file = argv[++i];
            else if (arg == "--port" || arg == "--host" || arg == "--workers" || arg == "--model")
                throw std::invalid_argument(std::string(arg) + " needs a value");
            else rest.push_back(argv[i]);
        }
        if (so.port < -1 || so.port > 65535) throw std::invalid_argument("--port: 0 to 65535");
        const auto opt = lesson::parse(int(rest.size()), rest.data(), "46-serving");
        return run(opt, so);
    });
}

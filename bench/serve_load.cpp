// Load on a prediction server over loopback: N requests (10,000) from C concurrent
// clients (16), each POST /predict with one MNIST test digit as JSON, the way
// lesson 46's page sends it. Prints throughput, latency percentiles, failures and the
// accuracy of the answers (so a server that answers fast and wrong shows), then
// exits 1 if any request failed. The same client measures any server that takes
// {"pixels": [...]} and answers {"class": k, ...}: typenet's (lesson 46 --serve) and
// the PyTorch baseline (bench/peers/serve_torch.py); bench/serve_load.sh runs both.
//
//   serve_load --url http://127.0.0.1:8080 [--requests 10000] [--clients 16]
//              [--mnist data/mnist] [--label typenet] [--seconds 300]
//
// Each client keeps its own connection (keep-alive, reconnecting when the server
// closes it) and sends the next digit as soon as the last answer is in: a closed
// loop, so the throughput is the server's capacity at that concurrency, and the
// latency includes any queueing inside the server. Bounded: at most --seconds in
// all, and 10 s for any one request.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <typenet/data/mnist.hpp>

#include "machine_context.hpp"

namespace {

struct Options {
    std::string url = "http://127.0.0.1:8080", mnist, label = "server";
    std::size_t requests = 10'000, clients = 16;
    double seconds = 300;
};

double percentile(const std::vector<double>& sorted, double q) {
    if (sorted.empty()) return 0;
    const std::size_t i = std::min(sorted.size() - 1, std::size_t(q * double(sorted.size() - 1) + 0.5));
    return sorted[i];
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string_view a = argv[i];
        if (a == "--url") o.url = argv[i + 1];
        else if (a == "--requests") o.requests = std::stoul(argv[i + 1]);
        else if (a == "--clients") o.clients = std::stoul(argv[i + 1]);
        else if (a == "--mnist") o.mnist = argv[i + 1];
        else if (a == "--label") o.label = argv[i + 1];
        else if (a == "--seconds") o.seconds = std::stod(argv[i + 1]);
        else {
            std::fprintf(stderr, "serve_load: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    if (argc % 2 == 0 || o.requests == 0 || o.clients == 0) {
        std::fprintf(stderr, "usage: serve_load --url URL [--requests N] [--clients C] [--mnist DIR] [--label NAME] [--seconds S]\n");
        return 2;
    }

    std::printf("serve_load: %s; %d usable cores; %zu requests, %zu clients, %s\n", bench::cpu_model().c_str(),
                bench::usable_cores(), o.requests, o.clients, o.url.c_str());
    // The bodies, made before the clock starts: the first 10,000 test digits.
    const auto mnist = o.mnist.empty() ? tn::data::mnist() : tn::data::mnist(o.mnist);
    const auto& test = mnist.test;
    std::vector<std::string> bodies(std::min<std::size_t>(test.size(), o.requests));
    std::vector<int> labels(bodies.size());
    std::vector<float> digit(784);
    for (std::size_t i = 0; i < bodies.size(); ++i) {
        test.copy_input(i, digit.data());
        bodies[i] = nlohmann::json{{"pixels", digit}}.dump();
        labels[i] = int(test.targets[i]);
    }

    std::atomic<std::size_t> next{0}, failed{0}, right{0};
    std::vector<std::vector<double>> latencies(o.clients);
    std::vector<std::string> first_error(o.clients);
    const auto start = std::chrono::steady_clock::now();
    const auto deadline = start + std::chrono::duration<double>(o.seconds);
    std::vector<std::thread> clients;
    for (std::size_t c = 0; c < o.clients; ++c)
        clients.emplace_back([&, c] {
            httplib::Client client(o.url);
            client.set_keep_alive(true);
            client.set_tcp_nodelay(true);  // else each body waits 40 ms for a delayed ACK
            client.set_read_timeout(10, 0);
            client.set_connection_timeout(10, 0);
            for (std::size_t i; (i = next++) < o.requests && std::chrono::steady_clock::now() < deadline;) {
                const std::size_t d = i % bodies.size();
                const auto t0 = std::chrono::steady_clock::now();
                const auto res = client.Post("/predict", bodies[d], "application/json");
                const auto t1 = std::chrono::steady_clock::now();
                latencies[c].push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
                if (!res || res->status != 200) {
                    ++failed;
                    if (first_error[c].empty())
                        first_error[c] = res ? std::to_string(res->status) + " " + res->body.substr(0, 200)
                                             : httplib::to_string(res.error());
                    continue;
                }
                if (nlohmann::json::parse(res->body)["class"].get<int>() == labels[d]) ++right;
            }
        });
    for (auto& t : clients) t.join();
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    std::vector<double> all;
    for (const auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
    std::sort(all.begin(), all.end());
    const std::size_t sent = all.size();
    std::printf("%s: %zu requests from %zu clients in %.2f s: %.0f requests/s; latency ms p50 %.2f, p90 %.2f, p99 %.2f, "
                "max %.2f; %zu failed; %.2f%% of the answers right\n",
                o.label.c_str(), sent, o.clients, wall, double(sent) / wall, percentile(all, 0.50),
                percentile(all, 0.90), percentile(all, 0.99), all.empty() ? 0.0 : all.back(), failed.load(),
                sent ? 100.0 * double(right) / double(sent - failed) : 0.0);
    for (const auto& e : first_error)
        if (!e.empty()) {
            std::printf("  first failure: %s\n", e.c_str());
            break;
        }
    if (sent < o.requests) std::printf("  stopped at the %.0f s bound before all %zu were sent\n", o.seconds, o.requests);
    return failed == 0 && sent == o.requests ? 0 : 1;
}

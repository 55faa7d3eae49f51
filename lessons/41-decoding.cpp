// Lesson 41: decoding strategies, and the KV cache
// ==================================================
//
// A language model gives a distribution over the next token; how text is drawn from
// it is a choice of its own, and it changes the text as much as training does:
//
//   greedy       the most probable token every time: safe, and soon repetitive
//   beam search  the `width` most probable continuations kept at every step: the
//                most probable text overall, for translation; for prose, blander still
//   temperature  sample from softmax(logits / T): T < 1 sharper, T > 1 flatter
//   top-k        sample among the k most probable tokens only
//   top-p        (nucleus) sample among the most probable tokens whose probability
//                adds up to p: as few as one when the model is sure, many when not
//   repetition penalty  tokens already in the text made less likely (p -> p^theta)
//
// Lesson 40's character GPT writes from one prompt with each of them (it reads
// out/40-gpt/char_gpt.safetensors; without it, this lesson trains a small one first).
//
// The KV cache. Generating token t with a causal Transformer needs the keys and
// values of positions 0..t-1 at every layer, and those never change: computed once,
// kept, a step projects only the new position and attends over the cache, O(t)
// work. Without the cache every step reruns the whole prefix: O(t^2). The second
// half times both, per token, at contexts of 64, 256 and 1024 (a GPT of lesson 40's
// width with random weights: the time does not depend on what the weights are), and
// plots the time of each token against its position. With the cache a step grows
// only with the attention over the positions cached (a small share of its work);
// without it, every step here is a forward of the whole context (typenet's shapes are
// static, so the rerun covers all C positions, the prefix's padding masked), the
// time a framework that reran exactly the prefix would reach at the last position.
//
// Run:  build/release/lessons/41-decoding [--smoke] [--out DIR]
// Writes: out/41-decoding/strategies.txt, per_token_time.svg and .csv, tokens_per_second.csv

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <typenet/data/language_model.hpp>
#include <typenet/data/text.hpp>
#include <typenet/data/vocabulary.hpp>
#include <typenet/plot/line_chart.hpp>
#include <typenet/train/checkpoint.hpp>
#include <typenet/typenet.hpp>

#include "lesson.hpp"

using namespace tn;

constexpr std::size_t V = 83, T = 128;
using CharGPT = GPT<4, 128, 4, T, V, BlockDropout<0>>;  // lesson 40's

// The same width at the contexts timed; the uncached twins differ only in the option.
template <std::size_t C>
using Cached = GPT<4, 128, 4, C, V, BlockDropout<0>>;
template <std::size_t C>
using Uncached = Sequential<Tokens<C>, TiedEmbedding<V, 128, LearnedPositions<C>,
                                                     Repeat<4, TransformerEncoderLayer<4, 512, PreNorm, GELU, Causal,
                                                                                       BlockDropout<0>>>,
                                                     LayerNorm<>>>;

struct Timing {
    std::size_t context;
    double cached_tps, uncached_tps;  // tokens per second
};

// Steps a session through `n` positions (greedy: the next token fed is the argmax),
// timing each step, in microseconds.
template <class Session>
std::vector<double> time_steps(Session& session, std::size_t n) {
    std::vector<double> us;
    std::vector<float> lp(V);
    session.begin(1);
    std::int32_t last = 2;
    for (std::size_t t = 0; t < n; ++t) {
        const auto t0 = std::chrono::steady_clock::now();
        session.step(std::span<const std::int32_t>(&last, 1), lp.data());
        us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
        last = std::int32_t(std::max_element(lp.begin(), lp.end()) - lp.begin());
    }
    return us;
}

double tokens_per_second(const std::vector<double>& us, std::size_t n) {
    double total = 0;
    for (std::size_t i = 0; i < n; ++i) total += us[i];
    return 1e6 * double(n) / total;
}

// Without the cache, typenet reruns the network over its whole static context at
// every step (a shape is a type: the prefix's padding is masked, not cut off), so a
// step costs one full forward of C positions whatever the position; 32 steps are
// timed (at context 1024 each is a forward of 1024 positions).
template <std::size_t C>
double uncached_tokens_per_second(Model<Cached<1024>>& weights_from, std::vector<double>* per_token) {
    Model<Uncached<C>> slow{Seed{41}};
    // The same blocks and table; the position rows of the first C positions.
    const auto from = weights_from.named_parameters();
    auto to = slow.named_parameters();
    for (std::size_t i = 0; i < to.size(); ++i)
        std::copy_n(from[i].values.begin(), to[i].values.size(), to[i].values.begin());
    LanguageModelSession session(slow);
    const std::size_t steps = std::min<std::size_t>(32, C);
    const auto us = time_steps(session, steps);
    if (per_token) *per_token = us;
    return tokens_per_second(us, steps);
}

int main(int argc, char** argv) {
    return lesson::run([&] {
        const auto opt = lesson::parse(argc, argv, "41-decoding");

        // -------------------------------------------------------------------------
        // Lesson 40's model, or a quickly trained stand-in
        // -------------------------------------------------------------------------
        std::string book = data::sherlock_holmes();
        const auto vocab = data::Vocabulary::characters(book);
        Model<CharGPT> gpt{Seed{40}};
        const auto saved = opt.out.parent_path() / "40-gpt" / "char_gpt.safetensors";  // beside this lesson's folder
        if (!opt.smoke && std::filesystem::exists(saved)) {
            load_model(saved, gpt);
            std::printf("loaded lesson 40's character GPT from %s\n\n", saved.string().c_str());
        } else {
            std::printf("no %s (or a smoke run): training a stand-in for a few minutes first; run lesson 40 "
                        "for the real one\n\n", saved.string().c_str());
            if (opt.smoke) book.resize(20'000);
            const auto ids = vocab.encode(book);
            const Dataset train = data::lm_windows(ids, T, {.stride = T / 2});
            fit(gpt, train, TokenCrossEntropy{}, Adam{{.lr = 1e-3f}},
                {.epochs = 1, .batch = 32, .clip = ClipNorm{1.0}, .verbosity = Verbosity::Quiet});
        }

        // -------------------------------------------------------------------------
        // One prompt, every strategy
        // -------------------------------------------------------------------------
        const std::string prompt = "Holmes took the letter and ";
        const std::size_t n = opt.smoke ? 40 : T - prompt.size();
        LanguageModelSession session(gpt);
        const std::int32_t start = session.prompt(vocab.encode(prompt));
        std::string report;
        const auto show = [&](const std::string& name, const std::vector<std::int32_t>& out) {
            const std::string text = prompt + vocab.decode(out);
            report += "--- " + name + " ---\n" + text + "\n\n";
            std::printf("--- %s ---\n  %s\n\n", name.c_str(), text.c_str());
        };
        const std::int32_t never = -1;  // no end token: every strategy writes n characters
        show("greedy", greedy(session, 1, {.start = start, .end = never, .max_length = n})[0]);
        show("beam search, width 4",
             beam_search(session, {.width = 4, .start = start, .end = never, .max_length = n})[0].tokens);
        Rng rng{Seed{7}};
        const auto sampled = [&](const std::string& name, SampleDecodeOptions o) {
            o.start = start;
            o.max_length = n;
            show(name, sample_decode(session, o, rng));
        };
        sampled("temperature 1.0 (the model's own distribution)", {.sampling = {.temperature = 1.f}});
        sampled("temperature 0.5", {.sampling = {.temperature = 0.5f}});
        sampled("temperature 1.5", {.sampling = {.temperature = 1.5f}});
        sampled("top-k 5", {.sampling = {.top_k = 5}});
        sampled("top-p 0.9", {.sampling = {.top_p = 0.9f}});
        const auto prompt_ids = vocab.encode(prompt);
        sampled("top-p 0.9, repetition penalty 1.3",
                {.sampling = {.top_p = 0.9f}, .repetition_penalty = 1.3f, .penalized = prompt_ids});
        std::ofstream(lesson::wrote(opt.out / "strategies.txt")) << report;

        // -------------------------------------------------------------------------
        // The KV cache: tokens per second, and each token's time by position
        // -------------------------------------------------------------------------
        std::printf("\ngenerating every position of the context, one token at a time, greedy:\n");
        Model<Cached<1024>> timed{Seed{41}};
        LanguageModelSession fast(timed);
        const std::size_t longest = opt.smoke ? 256 : 1024;
        const std::vector<double> cached_us = time_steps(fast, longest);
        std::vector<double> uncached_us;
        std::vector<Timing> timings{
            {64, tokens_per_second(cached_us, 64), uncached_tokens_per_second<64>(timed, nullptr)},
            {256, tokens_per_second(cached_us, 256), uncached_tokens_per_second<256>(timed, nullptr)}};
        if (!opt.smoke)
            timings.push_back({1024, tokens_per_second(cached_us, 1024),
                               uncached_tokens_per_second<1024>(timed, &uncached_us)});
        std::ofstream csv(lesson::wrote(opt.out / "tokens_per_second.csv"));
        csv << "context,tokens_per_second_cached,tokens_per_second_uncached\n";
        for (const Timing& t : timings) {
            csv << t.context << ',' << t.cached_tps << ',' << t.uncached_tps << '\n';
            std::printf("  context %4zu: %8.0f tokens/s with the KV cache, %8.1f without (%.0fx)\n", t.context,
                        t.cached_tps, t.uncached_tps, t.cached_tps / t.uncached_tps);
        }
        std::ofstream per_token(lesson::wrote(opt.out / "per_token_time.csv"));
        per_token << "position,microseconds_cached,microseconds_uncached_1024\n";
        for (std::size_t i = 0; i < cached_us.size(); ++i) {
            per_token << i << ',' << cached_us[i] << ',';
            if (i < uncached_us.size()) per_token << uncached_us[i];
            per_token << '\n';
        }
        // The growth with the cache: the attention over the cached positions.
        const auto mean_of = [&](std::size_t from, std::size_t to) {
            double sum = 0;
            for (std::size_t i = from; i < to; ++i) sum += cached_us[i];
            return sum / double(to - from);
        };
        const std::size_t last = cached_us.size();
        std::printf("  with the cache, per token: %.0f us at positions 0-63, %.0f us at %zu-%zu\n", mean_of(0, 64),
                    mean_of(last - 64, last), last - 64, last - 1);
        plot::LineChart chart{.title = "Time of each generated token (d 128, 4 layers)", .x_label = "position",
                              .y_label = "microseconds per token"};
        chart.log_y = true;
        const auto positions = [](std::size_t count) {
            std::vector<double> xs(count);
            for (std::size_t i = 0; i < count; ++i) xs[i] = double(i);
            return xs;
        };
        chart.add("with the KV cache", positions(cached_us.size()), cached_us);
        if (!uncached_us.empty())
            chart.add("without, context 1024 (every step a forward of 1024 positions)",
                      positions(uncached_us.size()), uncached_us)
                .dashed();
        chart.save(lesson::wrote(opt.out / "per_token_time.svg"));

        const Timing& at256 = timings[1];
        const double ratio = at256.cached_tps / at256.uncached_tps;
        char what[160];
        std::snprintf(what, sizeof what, "every strategy decoded; the KV cache %.1fx faster than the prefix rerun at "
                      "context 256", ratio);
        return lesson::report_target(opt, ratio > 1.0, what);
    });
}

// Lesson 34: self-attention and multi-head attention
// ===================================================
//
// Self-attention lets every position of a sequence read every other position it
// may see, with weights it computes from the two positions' contents:
//
//     scores = Q K^T / sqrt(d)      Q = x W_q, K = x W_k (d = D / heads per head)
//     P      = softmax(scores)      row i: how much position i reads position j
//     out    = P V                  V = x W_v
//
// Multi-head attention does this H times, each head in its own d-wide slice of the
// projections, so each head can learn a different relation.
//
// Where attention has to do something: predicting the next character of Sherlock
// Holmes. A model that sees only the current character (Embedding, then a small MLP)
// is a bigram model: it cannot know whether "t" starts "the" or ends "that". One
// causal MultiHeadAttention<4, Causal> in front of the same MLP lets position i read
// characters 0..i: the loss it reaches below the bigram's is what attention buys.
// There is no residual connection around the attention, on purpose: the MLP sees
// only what the heads deliver, so even the current character has to come through a
// head, and the maps show every piece of context the prediction uses.
//
// Then:
//   1. the attention maps of a few sentences, one PNG per head, the characters on
//      both axes (rows: the position predicting, columns: the positions it reads);
//   2. what each head attends to, measured over held-out text: the share of its
//      attention on the character itself, the one before, two before, ..., and on the
//      last space (the start of the current word);
//   3. why the scores are divided by sqrt(d): the entropy of the attention rows with
//      and without the scale, on random vectors of growing width and on this model's
//      own projections (untrained and trained).
//
// Run:  build/release/lessons/34-self-attention [--smoke] [--out DIR]
//       (after scripts/fetch-data.sh text). About a minute on 2 cores (63 s on a busy one).
// Writes: out/34-self-attention/curves.svg (both models' loss per epoch),
//         attention-S-head-H.png (sentence S, head H), heads.csv (section 2).

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include <typenet/data/language_model.hpp>
#include <typenet/data/text.hpp>
#include <typenet/data/vocabulary.hpp>
#include <typenet/plot/heatmap_png.hpp>
#include <typenet/plot/line_chart.hpp>
#include <typenet/typenet.hpp>

#include "lesson.hpp"

using namespace tn;

// ---------------------------------------------------------------------------------
// The two networks
// ---------------------------------------------------------------------------------
constexpr std::size_t V = 83;  // 81 characters in the book, padding and unknown
constexpr std::size_t T = 64;  // characters per window
constexpr std::size_t D = 64;  // model width
constexpr std::size_t H = 4;   // heads, each d = D / H = 16 wide
constexpr std::size_t d_head = D / H;

//   layer                          output     parameters
//   Tokens<64>                     64 ids
//   Embedding<83, 64>              64 x 64    83 x 64                 =  5,312
//   SinusoidalPositions            64 x 64    (none: a fixed table)
//   MultiHeadAttention<4, Causal>  64 x 64    3 x 64 x 64 + 192 + 64 x 64 + 64 = 16,640
//   Dense<256>, ReLU               64 x 256   64 x 256 + 256          = 16,640
//   Dense<83>                      64 x 83    256 x 83 + 83           = 21,331
//
// Without the positions the heads could not tell "the character before me" from any
// other copy of it: attention itself is blind to order (docs/06-attention.md).
using WithAttention = Sequential<Tokens<T>, Embedding<V, D>, SinusoidalPositions, MultiHeadAttention<H, Causal>,
                                 Dense<256>, ReLU, Dense<V>>;
using Bigram = Sequential<Tokens<T>, Embedding<V, D>, Dense<256>, ReLU, Dense<V>>;
constexpr std::size_t positions_layer = 1, attention_layer = 2;  // top-level layer indices
static_assert(WithAttention::param_count == 5'312 + 16'640 + 16'640 + 21'331);
static_assert(Bigram::param_count == WithAttention::param_count - 16'640);

struct Trained {
    std::string name;
    History history;
    Evaluation validation;
    double seconds = 0;
};

template <class Net>
Trained train(Model<Net>& net, const std::string& name, const Dataset& train_set, const Dataset& validation,
              bool smoke) {
    const std::size_t epochs = smoke ? 1 : 4;
    Adam adam{{.lr = 3e-3f}};
    const auto t0 = std::chrono::steady_clock::now();
    Trained t;
    t.name = name;
    std::printf("--- %s: %zu parameters ---\n", name.c_str(), Model<Net>::param_count);
    t.history = fit(net, train_set, TokenCrossEntropy{}, adam,
                    {.epochs = epochs, .batch = 32, .validation = validation,
                     .schedule = schedule::Cosine{.lr = 3e-3f, .period = epochs, .min_lr = 2e-4f},
                     .clip = ClipNorm{1.0}});
    t.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    t.validation = evaluate(net, validation, TokenCrossEntropy{});
    std::printf("%s: validation %.3f nats per character, accuracy %.1f%%, %.0f s\n\n", name.c_str(),
                double(t.validation.loss), 100.0 * double(t.validation.accuracy), t.seconds);
    return t;
}

// A character as the bitmap font can draw it: a space as '_', a line break as '/'.
std::string shown(const data::Vocabulary& vocab, std::int32_t id) {
    const std::string& c = vocab.token(id);
    if (c == " ") return "_";
    if (c == "\n") return "/";
    return c;
}

// ---------------------------------------------------------------------------------
// Scores by hand, for the sqrt(d) experiment: q_i . k_j of one head, from the
// attention layer's input x [T, D] and its in_proj_weight/bias (PyTorch's layout:
// rows 0..D-1 make Q, rows D..2D-1 make K).
// ---------------------------------------------------------------------------------
struct HeadScores {
    std::size_t L = 0;
    std::vector<double> s;  // [L, L], only j <= i used (causal)
};

HeadScores head_scores(const float* x, std::size_t L, const float* in_w, const float* in_b, std::size_t head) {
    HeadScores out{.L = L, .s = std::vector<double>(L * L, 0.0)};
    std::vector<double> q(L * d_head), k(L * d_head);
    for (std::size_t t = 0; t < L; ++t)
        for (std::size_t c = 0; c < d_head; ++c) {
            const std::size_t rq = head * d_head + c, rk = D + head * d_head + c;
            double aq = in_b[rq], ak = in_b[rk];
            for (std::size_t f = 0; f < D; ++f) {
                aq += double(in_w[rq * D + f]) * x[t * D + f];
                ak += double(in_w[rk * D + f]) * x[t * D + f];
            }
            q[t * d_head + c] = aq, k[t * d_head + c] = ak;
        }
    for (std::size_t i = 0; i < L; ++i)
        for (std::size_t j = 0; j <= i; ++j) {
            double s = 0;
            for (std::size_t c = 0; c < d_head; ++c) s += q[i * d_head + c] * k[j * d_head + c];
            out.s[i * L + j] = s;
        }
    return out;
}

// softmax(scale * scores) of one row over its n keys, and that row's entropy in nats.
double softmax_entropy(const double* scores, std::size_t n, double scale, std::vector<double>& p) {
    p.resize(n);
    const double top = *std::max_element(scores, scores + n) * scale;
    double z = 0;
    for (std::size_t j = 0; j < n; ++j) z += p[j] = std::exp(scores[j] * scale - top);
    double h = 0;
    for (std::size_t j = 0; j < n; ++j) {
        p[j] /= z;
        if (p[j] > 0) h -= p[j] * std::log(p[j]);
    }
    return h;
}

struct EntropyStats {
    double scaled = 0, unscaled = 0, uniform = 0;   // mean entropy of a row, nats
    double peaked_scaled = 0, peaked_unscaled = 0;  // share of rows with a weight > 0.9
    std::size_t rows = 0;
    void add(const double* s, std::size_t n, double scale) {
        std::vector<double> p;
        scaled += softmax_entropy(s, n, scale, p);
        peaked_scaled += *std::max_element(p.begin(), p.end()) > 0.9;
        unscaled += softmax_entropy(s, n, 1.0, p);
        peaked_unscaled += *std::max_element(p.begin(), p.end()) > 0.9;
        uniform += std::log(double(n));
        ++rows;
    }
    void print(const char* what) const {
        const double r = double(rows);
        std::printf("  %-38s %7.2f %9.2f %10.2f %10.0f%% %10.0f%%\n", what, uniform / r, scaled / r, unscaled / r,
                    100 * peaked_scaled / r, 100 * peaked_unscaled / r);
    }
};

// Every head's rows (queries 1..L-1: query 0 has one key, entropy 0 either way) of
// the model's attention on `windows`, scaled by 1/sqrt(d) and not.
template <class Net>
EntropyStats model_entropy(Model<Net>& net, const Dataset& windows, std::size_t count) {
    EntropyStats st;
    const auto view = net.template layer_view<attention_layer>();
    const float* in_w = view.params;               // in_proj_weight [3D, D]
    const float* in_b = view.params + 3 * D * D;   // in_proj_bias [3D]
    for (std::size_t w = 0; w < count && w < windows.size(); ++w) {
        const std::size_t L = windows.length(w, T);
        net.predict(std::span<const std::int32_t>(windows.tokens.data() + w * T, L));
        std::vector<float> x;
        net.for_each_layer_output([&](std::size_t i, const std::string&, std::span<const float> v) {
            if (i == positions_layer) x.assign(v.begin(), v.end());
        });
        for (std::size_t h = 0; h < H; ++h) {
            const HeadScores hs = head_scores(x.data(), L, in_w, in_b, h);
            // The by-hand scores must be the layer's own: compare with its weights.
            const auto layer_p = attention_weights<attention_layer>(net, 0, h);
            std::vector<double> p;
            for (std::size_t i = 1; i < L; ++i) {
                softmax_entropy(&hs.s[i * L], i + 1, 1.0 / std::sqrt(double(d_head)), p);
                for (std::size_t j = 0; j <= i; ++j)
                    if (std::abs(p[j] - double(layer_p[i * T + j])) > 1e-4)
                        throw std::logic_error("lesson 34: scores by hand disagree with the layer's weights");
                st.add(&hs.s[i * L], i + 1, 1.0 / std::sqrt(double(d_head)));
            }
        }
    }
    return st;
}

int main(int argc, char** argv) {
    return lesson::run([&] {
        const auto opt = lesson::parse(argc, argv, "34-self-attention");
        if (!opt.smoke) std::printf("The full run trains two small models for 4 epochs each: about a minute on 2 cores.\n\n");
        std::string book = data::sherlock_holmes();
        const auto vocab = data::Vocabulary::characters(book);
        if (vocab.size() != V)
            throw std::runtime_error("the book has " + std::to_string(vocab.size()) +
                                     " character ids, the network was written for " + std::to_string(V));
        if (opt.smoke) book.resize(30'000);
        const auto ids = vocab.encode(book);
        const auto parts = data::split_corpus(ids);
        // Windows every 64 characters: each character predicted once per epoch.
        const Dataset train_set = data::lm_windows(parts.train, T);
        const Dataset validation = data::lm_windows(parts.validation, T);
        std::printf("Sherlock Holmes: %zu characters; %zu training windows of %zu, %zu validation windows\n",
                    ids.size(), train_set.size(), T, validation.size());
        std::printf("a model that knows nothing: ln %zu = %.2f nats per character\n\n", V, std::log(double(V)));

        Model<Bigram> bigram{Seed{34}};
        Model<WithAttention> attention{Seed{34}};
        Model<WithAttention> untrained{Seed{34}};  // the same start, kept for section 3
        attention.summary();
        const Trained b = train(bigram, "bigram (no attention)", train_set, validation, opt.smoke);
        const Trained a = train(attention, "one causal MultiHeadAttention<4>", train_set, validation, opt.smoke);
        const double gain = double(b.validation.loss) - double(a.validation.loss);
        std::printf("attention buys %.3f nats per character (validation %.3f vs %.3f)\n", gain,
                    double(a.validation.loss), double(b.validation.loss));

        plot::LineChart chart{.title = "Next character of Sherlock Holmes: what attention buys", .x_label = "epoch",
                              .y_label = "cross-entropy (nats per character)"};
        for (const auto* r : {&b, &a}) {
            std::vector<double> epochs;
            for (const auto& e : r->history.epochs) epochs.push_back(double(e.epoch));
            const std::size_t colour = r == &b ? 0 : 1;
            chart.add(r->name + " validation", epochs, r->history.column(&EpochRecord::val_loss)).color(colour);
            chart.add(r->name + " training", epochs, r->history.column(&EpochRecord::loss)).color(colour).dashed();
        }
        chart.save(lesson::wrote(opt.out / "curves.svg"));

        // -----------------------------------------------------------------------------
        // 1. Attention maps, one PNG per head
        // -----------------------------------------------------------------------------
        std::printf("\n1. attention maps (rows: the position predicting the next character; columns: what it "
                    "reads)\n");
        const std::vector<std::string> sentences = {"\"My dear Watson,\" said Holmes, \"you see everything.\"",
                                                    "I had seen little of Holmes lately.",
                                                    "The door opened and a lady entered the room."};
        for (std::size_t s = 0; s < sentences.size(); ++s) {
            const auto sid = vocab.encode(sentences[s]);
            attention.predict(sid);
            std::vector<std::string> labels;
            for (const auto id : sid) labels.push_back(shown(vocab, id));
            const std::size_t L = sid.size();
            for (std::size_t h = 0; h < H; ++h) {
                const auto w = attention_weights<attention_layer>(attention, 0, h);
                plot::Heatmap map;
                map.title = "head " + std::to_string(h) + ": " + sentences[s];
                map.x_label = "key (the character read)";
                map.y_label = "query";
                map.rows = map.columns = L;
                for (std::size_t i = 0; i < L; ++i)
                    for (std::size_t j = 0; j < L; ++j) map.values.push_back(w[i * T + j]);
                map.row_labels = map.column_labels = labels;
                map.limit = 1.0;  // the same scale in every picture: weights are probabilities
                map.cell = 14;
                plot::heatmap_png(map, lesson::wrote(opt.out / ("attention-" + std::to_string(s + 1) + "-head-" +
                                                                std::to_string(h) + ".png")));
            }
        }

        // -----------------------------------------------------------------------------
        // 2. What each head attends to, over held-out text
        // -----------------------------------------------------------------------------
        // For each query i: the weight on i - k (k = 0..4), on anything further back,
        // and on the last space at or before i (where the current word starts).
        constexpr std::size_t offsets = 5;
        const std::size_t windows = std::min<std::size_t>(validation.size(), opt.smoke ? 10 : 200);
        const std::int32_t space = vocab.id(" ");
        std::vector<std::array<double, offsets + 2>> share(H);
        for (auto& s : share) s.fill(0);
        std::size_t queries = 0;
        for (std::size_t w = 0; w < windows; ++w) {
            const std::size_t L = validation.length(w, T);
            const std::int32_t* tok = validation.tokens.data() + w * T;
            attention.predict(std::span<const std::int32_t>(tok, L));
            for (std::size_t h = 0; h < H; ++h) {
                const auto p = attention_weights<attention_layer>(attention, 0, h);
                for (std::size_t i = offsets; i < L; ++i) {  // queries with 5 characters behind them
                    for (std::size_t j = 0; j <= i; ++j) {
                        const double pij = p[i * T + j];
                        share[h][std::min(i - j, offsets)] += pij;
                    }
                    for (std::size_t j = i + 1; j-- > 0;)
                        if (tok[j] == space) {
                            share[h][offsets + 1] += p[i * T + j];
                            break;
                        }
                }
            }
            queries += L > offsets ? L - offsets : 0;
        }
        std::printf("\n");
        std::ofstream csv(lesson::wrote(opt.out / "heads.csv"));
        csv << "head,itself,i-1,i-2,i-3,i-4,further,last_space\n";
        std::printf("2. where each head looks, mean weight over %zu held-out queries\n", queries);
        std::printf("  %-6s %7s %7s %7s %7s %7s %8s %12s\n", "head", "itself", "i-1", "i-2", "i-3", "i-4",
                    "further", "last space");
        for (std::size_t h = 0; h < H; ++h) {
            std::printf("  %-6zu", h);
            csv << h;
            for (double v : share[h]) {
                std::printf(" %6.0f%%", 100 * v / double(queries));
                csv << ',' << v / double(queries);
            }
            csv << '\n';
            // The two largest of itself .. further back, in words.
            std::array<std::size_t, offsets + 1> order{};
            std::iota(order.begin(), order.end(), std::size_t(0));
            std::sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) { return share[h][x] > share[h][y]; });
            static const char* where[] = {"itself", "the character before", "two before", "three before",
                                          "four before", "further back"};
            std::printf("   mostly %s, then %s\n", where[order[0]], where[order[1]]);
        }

        // -----------------------------------------------------------------------------
        // 3. Why divide by sqrt(d)
        // -----------------------------------------------------------------------------
        // q . k of two d-wide vectors of unit-variance components has variance d: the
        // wider the head, the further apart the scores, and the softmax of far-apart
        // scores puts everything on one key. Its gradient P (dP - rowsum(P dP)) is then
        // ~0: a saturated head stops learning. Entropy of a row: ln(n) when uniform over
        // its n keys, 0 when all on one.
        std::printf("\n3. softmax saturation: mean entropy of an attention row (nats), and the share of rows "
                    "with one weight above 0.9\n");
        std::printf("  %-38s %7s %9s %10s %11s %11s\n", "", "uniform", "/sqrt(d)", "unscaled", "peaked /sd",
                    "peaked unsc");
        std::mt19937 gen(34);
        std::normal_distribution<double> normal;
        for (const std::size_t width : {4u, 16u, 64u, 256u}) {
            EntropyStats st;
            constexpr std::size_t n = 64;  // keys
            std::vector<double> q(width), s(n);
            for (std::size_t row = 0; row < 500; ++row) {
                for (auto& v : q) v = normal(gen);
                for (auto& v : s) {
                    v = 0;
                    for (std::size_t c = 0; c < width; ++c) v += q[c] * normal(gen);
                }
                st.add(s.data(), n, 1.0 / std::sqrt(double(width)));
            }
            char what[64];
            std::snprintf(what, sizeof what, "random N(0,1) q, k, d = %zu, 64 keys", width);
            st.print(what);
        }
        const std::size_t sample_windows = opt.smoke ? 5 : 100;
        const EntropyStats before = model_entropy(untrained, validation, sample_windows);
        const EntropyStats after = model_entropy(attention, validation, sample_windows);
        before.print("this model untrained (d = 16)");
        after.print("this model trained (d = 16)");
        std::printf("  (the model's rows are causal: query i has i + 1 keys, so 'uniform' is the mean of ln(i + 1))\n");

        // The lesson's claim: attention does real work (the model with it predicts
        // clearly better than the bigram), and the maps were drawn.
        const bool reached = gain >= 0.25;
        char what[200];
        std::snprintf(what, sizeof what,
                      "attention maps drawn; one attention layer %.3f vs bigram %.3f nats per character "
                      "(gain %.3f, target >= 0.25)",
                      double(a.validation.loss), double(b.validation.loss), gain);
        return lesson::report_target(opt, reached, what);
    });
}

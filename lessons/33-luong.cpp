// Lesson 33: Luong's attention scores
// ====================================
//
// Lesson 32 scored each source position k_s against the decoder state q with
// Bahdanau's small network, v^T tanh(W q + U k_s). Luong, Pham & Manning (2015)
// tried three scores:
//   dot      q . k_s                    no parameters; q and k_s must be as wide
//   general  q^T W_a k_s                one matrix [H, D]
//   concat   v^T tanh(W_a [q; k_s])     the same function as Bahdanau's (W_a [q; k] =
//                                       W q + U k), with H hidden units
// The multiplicative scores cost one dot product per pair (after W_a k_s, once per
// source position); the additive one a tanh of A units per pair.
//
// The four decoders, otherwise identical, learn the reversal task of lessons 31-32
// (where the fixed context failed) from the same data, seed and budget; the table
// gives each one's held-out exact match, overall and on the longest strings, its
// score's parameters and its training time. One alignment heatmap per score.
//
// Run:  build/release/lessons/33-luong [--smoke] [--out DIR]   (generated data)
//       About 3 minutes on 2 cores.
// Writes: out/33-luong/scores.csv, accuracy_by_length.svg, alignment_*.png and .svg

#include <cstdio>

#include <typenet/plot/heatmap_png.hpp>

#include "date_seq2seq.hpp"

using namespace tn;
using namespace dates;

using K = Reversal;

struct Row {
    std::string name;
    std::size_t score_params = 0;
    double overall = 0, longest = 0, seconds = 0, final_loss = 0;
    ByLength by_length;
};

template <class Attention>
Row run_score(const std::string& name, const Split& split, const lesson::Options& opt) {
    using Net = WithAttention<K, Attention>;
    Model<Net> model{Seed{33}};
    std::printf("\n=== %s ===\n", name.c_str());
    const Trained t = train<K>(model, split, opt.smoke);
    const auto predicted = decode_all<K>(model, split.test);
    Row row;
    row.name = name;
    // The score's own parameters: those of the attention layer (decoder layer 2).
    for (const auto& p : model.named_parameters())
        if (p.name.starts_with("decoder.2.")) row.score_params += p.values.size();
    row.by_length = accuracy_by_length<K>(split.test, predicted);
    row.overall = row.by_length.overall;
    row.longest = row.by_length.accuracy_in(29, 40);
    row.seconds = t.seconds;
    row.final_loss = t.history.epochs.empty() ? 0 : double(t.history.epochs.back().loss);
    print_by_length(name.c_str(), row.by_length);

    std::vector<std::int32_t> ids;
    for (const char c : std::string("luongpamandmanning")) ids.push_back(1 + (c - 'a') % std::int32_t(data::reversal_symbols));
    const plot::Heatmap map = alignment_map<K>(model, ids, data::reversal_text(ids, 1), name);
    std::string stem = "alignment_" + name;
    for (char& c : stem)
        if (c == ' ' || c == '<' || c == '>') c = '_';
    map.save(lesson::wrote(opt.out / (stem + ".svg")));
    plot::heatmap_png(map, lesson::wrote(opt.out / (stem + ".png")));
    return row;
}

int main(int argc, char** argv) {
    return lesson::run([&] {
        const auto opt = lesson::parse(argc, argv, "33-luong");
        // Lesson 32's 12,000 pairs and budget for each of the four models.
        const Split split = make_split<K>(opt.smoke);
        std::printf("reversal: %zu training pairs, %zu held out, %zu epochs each\n", split.train.data.size(),
                    split.test.data.size(), opt.smoke ? std::size_t{1} : K::epochs);
        std::vector<Row> rows;
        rows.push_back(run_score<LuongAttention<Dot>>("Luong dot", split, opt));
        rows.push_back(run_score<LuongAttention<General>>("Luong general", split, opt));
        rows.push_back(run_score<LuongAttention<Concat>>("Luong concat", split, opt));
        rows.push_back(run_score<BahdanauAttention<H>>("Bahdanau", split, opt));

        std::printf("\n%-15s %13s %12s %14s %11s %9s\n", "score", "score params", "exact match", "at 29-40 chars",
                    "final loss", "train s");
        std::FILE* csv = std::fopen(lesson::wrote(opt.out / "scores.csv").c_str(), "w");
        std::fprintf(csv, "score,score_params,exact_match,exact_match_29_40,final_loss,train_seconds\n");
        plot::LineChart chart{.title = "Reversal: exact match by length, four attention scores",
                              .x_label = "source length (letters)", .y_label = "exact match"};
        for (const Row& r : rows) {
            std::printf("%-15s %13zu %11.2f%% %13.2f%% %11.4f %9.0f\n", r.name.c_str(), r.score_params,
                        100 * r.overall, 100 * r.longest, r.final_loss, r.seconds);
            std::fprintf(csv, "%s,%zu,%g,%g,%g,%g\n", r.name.c_str(), r.score_params, r.overall, r.longest,
                         r.final_loss, r.seconds);
            chart.add(r.name, r.by_length.centre, r.by_length.accuracy);
        }
        std::fclose(csv);
        chart.save(lesson::wrote(opt.out / "accuracy_by_length.svg"));

        double worst = 1;
        for (const Row& r : rows) worst = std::min(worst, r.longest);
        char what[200];
        std::snprintf(what, sizeof what,
                      "the comparison table of the four scores; every score >= 80%% exact match at 29-40 letters "
                      "(worst %.1f%%)",
                      100 * worst);
        return lesson::report_target(opt, worst >= 0.80, what);
    });
}

// Lesson 31: the encoder-decoder, and its bottleneck
// ===================================================
//
// Dates written in fourteen ways ("03/03/21", "Wednesday, March 3rd 2021", "the third
// of March in the year two thousand twenty-one") are to be rewritten as ISO 8601,
// "2021-03-03", one character at a time. An LSTM encoder reads the source's
// characters; the decoder, another LSTM, writes the answer, each step given the
// character it wrote before (teacher forcing in training: the true one) and one
// fixed vector: the encoder's state after the source's last character (Cho et al.
// 2014). Everything the decoder learns about the source must pass through those 64
// numbers, whatever the source's length.
//
// The held-out pairs are decoded greedily (the encoder once, the decoder one token
// at a time, its LSTM state carried between calls) and scored by exact match, by the
// source's length. Dates hold about 15 bits however long their wording, and 64 numbers
// carry that at every length: the dates do not fall (the short numeric "03/03/21" is
// the hardest). So a second task whose information grows with its length: write a
// random string of 4 to 40 letters backwards (log2(20) = 4.3 bits a letter). There
// the fixed context fails as the strings grow. Lesson 32 gives the decoder attention
// over every encoder position.
//
// Run:  build/release/lessons/31-seq2seq [--smoke] [--out DIR]   (generated data)
//       About 2 minutes on 2 cores.
// Writes: out/31-seq2seq/accuracy_by_length.svg, curves_dates.svg, curves_reversal.svg,
//         accuracy_dates.csv, accuracy_reversal.csv (lesson 32 draws them beside its own)

#include <cstdio>

#include <typenet/plot/history.hpp>

#include "date_seq2seq.hpp"

using namespace tn;
using namespace dates;

// One task: train the model without attention, decode the held-out pairs, report.
template <class K>
ByLength run_task(const lesson::Options& opt) {
    const Split split = make_split<K>(opt.smoke);
    std::printf("\n=== %s: %zu training pairs, %zu held out ===\n", K::name, split.train.data.size(),
                split.test.data.size());
    Model<NoAttention<K>> model{Seed{31}};
    if constexpr (std::is_same_v<K, Dates>) model.summary();
    // 6 epochs for both tasks: enough to show the fall; lesson 32 trains reversal longer.
    const Trained t = train<K>(model, split, opt.smoke, 6);
    std::printf("trained in %.0f s\n", t.seconds);
    plot::curves(t.history, lesson::wrote(opt.out / ("curves_" + std::string(K::name) + ".svg")),
                 std::string(K::name) + ", seq2seq without attention");
    const auto predicted = decode_all<K>(model, split.test);
    const ByLength r = accuracy_by_length<K>(split.test, predicted);
    std::printf("exact match on held-out pairs, by source length:\n");
    print_length_header<K>(r);
    print_by_length("no attention", r);
    write_csv(lesson::wrote(opt.out / ("accuracy_" + std::string(K::name) + ".csv")), r);
    std::printf("some held-out pairs:\n");
    for (std::size_t i = 0; i < std::min<std::size_t>(5, predicted.size()); ++i)
        std::printf("  %-56s -> %s %s\n", split.test.sources[i].c_str(), predicted[i].c_str(),
                    predicted[i] == split.test.answers[i] ? "" : ("(truth " + split.test.answers[i] + ")").c_str());
    return r;
}

int main(int argc, char** argv) {
    return lesson::run([&] {
        const auto opt = lesson::parse(argc, argv, "31-seq2seq");
        const ByLength d = run_task<Dates>(opt);
        const ByLength r = run_task<Reversal>(opt);

        plot::LineChart chart{.title = "Seq2seq without attention: exact match by source length",
                              .x_label = "source length (characters)", .y_label = "exact match"};
        chart.add("dates to ISO", d.centre, d.accuracy);
        chart.add("reversed strings", r.centre, r.accuracy);
        chart.save(lesson::wrote(opt.out / "accuracy_by_length.svg"));

        // The bottleneck: reversal's short strings (4 to 11 letters) against its long
        // ones (32 to 40).
        const double short_acc = r.accuracy_in(1, 11), long_acc = r.accuracy_in(29, 40);
        char what[240];
        std::snprintf(what, sizeof what,
                      "the fall on long inputs: reversal %.1f%% exact match at 4-12 letters, %.1f%% at 29-40 "
                      "(target: at least 30 points lower); dates %.1f%% overall, no fall",
                      100 * short_acc, 100 * long_acc, 100 * d.overall);
        return lesson::report_target(opt, short_acc - long_acc >= 0.30, what);
    });
}

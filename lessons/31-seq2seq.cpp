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
// The held-out dates are decoded greedily (the encoder once, the decoder one
// character at a time, its LSTM state carried between calls) and scored by exact
// match, by the source's length in characters: the longer the source, the further
// the day and month sit from the end the encoder summed up, and the lower the
// accuracy. Lesson 32 gives the decoder attention over every encoder position.
//
// Run:  build/release/lessons/31-seq2seq [--smoke] [--out DIR]   (generated data)
// Writes: out/31-seq2seq/accuracy_by_length.svg, curves.svg, accuracy_by_length.csv

#include <cstdio>
#include <fstream>

#include <typenet/plot/history.hpp>

#include "date_seq2seq.hpp"

using namespace tn;
using namespace dates;

using Net = Seq2Seq<FixedDecoder>;

int main(int argc, char** argv) {
    return lesson::run([&] {
        const auto opt = lesson::parse(argc, argv, "31-seq2seq");
        const Split split = make_split(opt.smoke);
        std::printf("dates: %zu training pairs, %zu held out; sources of 8 to %zu characters, targets of 10\n\n",
                    split.train.data.size(), split.test.data.size(), S);
        Model<Net> model{Seed{31}};
        model.summary();
        const Trained t = train(model, split, opt.smoke, epochs);
        std::printf("trained in %.0f s\n\n", t.seconds);
        plot::curves(t.history, lesson::wrote(opt.out / "curves.svg"), "seq2seq without attention");

        const auto predicted = decode_all(model, split.test);
        const ByLength r = accuracy_by_length(split.test, predicted);
        std::printf("\nexact match on held-out dates, by source length:\n");
        print_length_header(r);
        print_by_length("no attention", r);

        plot::LineChart chart{.title = "Seq2seq without attention: exact match by source length",
                              .x_label = "source length (characters)", .y_label = "exact match"};
        chart.add("LSTM encoder-decoder, fixed context", r.centre, r.accuracy);
        chart.save(lesson::wrote(opt.out / "accuracy_by_length.svg"));
        std::ofstream csv(lesson::wrote(opt.out / "accuracy_by_length.csv"));
        csv << "length_bin_centre,pairs,exact_match\n";
        for (std::size_t i = 0; i < r.centre.size(); ++i)
            csv << r.centre[i] << ',' << r.count[i] << ',' << r.accuracy[i] << '\n';

        std::printf("\nsome held-out dates:\n");
        for (std::size_t i = 0; i < std::min<std::size_t>(8, predicted.size()); ++i)
            std::printf("  %-62s -> %s %s\n", split.test.sources[i].c_str(), predicted[i].c_str(),
                        predicted[i] == split.test.isos[i] ? "" : ("(truth " + split.test.isos[i] + ")").c_str());

        // The bottleneck: the shortest sources (under 20 characters) against the
        // longest (50 and more).
        double short_right = 0, short_n = 0, long_right = 0, long_n = 0;
        for (std::size_t i = 0; i < predicted.size(); ++i) {
            const std::size_t L = split.test.sources[i].size();
            const bool right = predicted[i] == split.test.isos[i];
            if (L < 20) short_n += 1, short_right += right;
            if (L >= 50) long_n += 1, long_right += right;
        }
        const double short_acc = short_right / std::max(1.0, short_n), long_acc = long_right / std::max(1.0, long_n);
        char what[200];
        std::snprintf(what, sizeof what,
                      "the fall on long inputs: %.1f%% exact match under 20 characters, %.1f%% at 50 and more "
                      "(target: at least 10 points lower)",
                      100 * short_acc, 100 * long_acc);
        return lesson::report_target(opt, short_acc - long_acc >= 0.10, what);
    });
}

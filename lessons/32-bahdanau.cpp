// Lesson 32: Bahdanau attention
// ==============================
//
// The dates of lesson 31 again, with one change to the decoder: instead of the one
// vector the encoder left at the source's end, every decoder step looks at all the
// encoder's outputs, scores each against its own state with Bahdanau's additive
// score e_s = v^T tanh(W q + U k_s), turns the scores into weights a_s by a softmax
// over the source's real characters, and reads the context c = sum_s a_s k_s.
// Nothing has to be carried through a bottleneck: the step that writes the month
// can look at the month's letters, wherever they are in the source.
//
// The weights are a picture of what the model reads: the heatmaps put the source's
// characters on one axis and the characters the decoder wrote on the other. The
// digits of the year in "03/03/21" are read from "21"; the day of "the third of
// March" from "third".
//
// Run:  build/release/lessons/32-bahdanau [--smoke] [--out DIR]   (generated data)
// Writes: out/32-bahdanau/accuracy_by_length.svg (beside lesson 31's, when its
//         out/31-seq2seq/accuracy_by_length.csv is there), alignment_*.png and .svg,
//         curves.svg, accuracy_by_length.csv

#include <cstdio>
#include <fstream>
#include <sstream>

#include <typenet/plot/heatmap_png.hpp>
#include <typenet/plot/history.hpp>

#include "date_seq2seq.hpp"

using namespace tn;
using namespace dates;

using Net = Seq2Seq<AttentionDecoder<BahdanauAttention<64>>>;

int main(int argc, char** argv) {
    return lesson::run([&] {
        const auto opt = lesson::parse(argc, argv, "32-bahdanau");
        const Split split = make_split(opt.smoke);
        std::printf("dates: %zu training pairs, %zu held out\n\n", split.train.data.size(), split.test.data.size());
        Model<Net> model{Seed{32}};
        model.summary();
        const Trained t = train(model, split, opt.smoke, epochs);
        std::printf("trained in %.0f s\n\n", t.seconds);
        plot::curves(t.history, lesson::wrote(opt.out / "curves.svg"), "seq2seq with Bahdanau attention");

        const auto predicted = decode_all(model, split.test);
        const ByLength r = accuracy_by_length(split.test, predicted);
        std::printf("\nexact match on held-out dates, by source length:\n");
        print_length_header(r);
        print_by_length("Bahdanau attention", r);
        std::ofstream csv(lesson::wrote(opt.out / "accuracy_by_length.csv"));
        csv << "length_bin_centre,pairs,exact_match\n";
        for (std::size_t i = 0; i < r.centre.size(); ++i)
            csv << r.centre[i] << ',' << r.count[i] << ',' << r.accuracy[i] << '\n';

        plot::LineChart chart{.title = "Exact match by source length", .x_label = "source length (characters)",
                              .y_label = "exact match"};
        chart.add("Bahdanau attention", r.centre, r.accuracy);
        // Lesson 31's curve, when it ran into the same output folder.
        std::ifstream before(opt.out.parent_path() / "31-seq2seq" / "accuracy_by_length.csv");
        if (before) {
            std::vector<double> x, y;
            std::string line;
            std::getline(before, line);
            while (std::getline(before, line)) {
                double c = 0, a = 0;
                std::size_t n = 0;
                if (std::sscanf(line.c_str(), "%lf,%zu,%lf", &c, &n, &a) == 3) x.push_back(c), y.push_back(a);
            }
            chart.add("no attention (lesson 31)", x, y).dashed();
        } else {
            std::printf("(run lesson 31 with the same --out to draw its curve beside this one)\n");
        }
        chart.save(lesson::wrote(opt.out / "accuracy_by_length.svg"));

        // What the decoder reads: three sources, short, long and spelled out.
        const std::vector<std::string> shown = {tn::data::format_date(2021, 3, 3, 1),
                                                tn::data::format_date(1987, 11, 24, 2),
                                                tn::data::format_date(2021, 3, 3, 12)};
        for (std::size_t i = 0; i < shown.size(); ++i) {
            const std::string stem = "alignment_" + std::to_string(i + 1);
            const plot::Heatmap map = alignment_map(model, shown[i], "Bahdanau");
            map.save(lesson::wrote(opt.out / (stem + ".svg")));
            plot::heatmap_png(map, lesson::wrote(opt.out / (stem + ".png")));
        }

        double long_right = 0, long_n = 0;
        for (std::size_t i = 0; i < predicted.size(); ++i)
            if (split.test.sources[i].size() >= 50) long_n += 1, long_right += predicted[i] == split.test.isos[i];
        const double long_acc = long_right / std::max(1.0, long_n);
        char what[200];
        std::snprintf(what, sizeof what,
                      "no fall on long inputs: %.1f%% exact match at 50 characters and more, %.1f%% overall "
                      "(target: both >= 97%%)",
                      100 * long_acc, 100 * r.overall);
        return lesson::report_target(opt, long_acc >= 0.97 && r.overall >= 0.97, what);
    });
}

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
// Both tasks of lesson 31 again. The weights are a picture of what the model
// reads: the heatmaps put the source on one axis and what the decoder wrote on the
// other. Reversing a string, the weights run down the anti-diagonal (output t reads
// source position L - t); writing a date, the year's digits are read from the year,
// wherever the format put it.
//
// Run:  build/release/lessons/32-bahdanau [--smoke] [--out DIR]   (generated data)
//       About 2.5 minutes on 2 cores.
// Writes: out/32-bahdanau/accuracy_by_length.svg (beside lesson 31's curves when its
//         CSV files are in the same output folder), alignment_*.png and .svg,
//         curves_*.svg, accuracy_*.csv

#include <cstdio>

#include <typenet/plot/heatmap_png.hpp>
#include <typenet/plot/history.hpp>

#include "date_seq2seq.hpp"

using namespace tn;
using namespace dates;

template <class K>
using Bahdanau = WithAttention<K, BahdanauAttention<H>>;

template <class K>
ByLength run_task(const lesson::Options& opt, Model<Bahdanau<K>>& model) {
    const Split split = make_split<K>(opt.smoke);
    std::printf("\n=== %s: %zu training pairs, %zu held out ===\n", K::name, split.train.data.size(),
                split.test.data.size());
    if constexpr (std::is_same_v<K, Dates>) model.summary();
    const Trained t = train<K>(model, split, opt.smoke);
    std::printf("trained in %.0f s\n", t.seconds);
    plot::curves(t.history, lesson::wrote(opt.out / ("curves_" + std::string(K::name) + ".svg")),
                 std::string(K::name) + ", seq2seq with Bahdanau attention");
    const auto predicted = decode_all<K>(model, split.test);
    const ByLength r = accuracy_by_length<K>(split.test, predicted);
    std::printf("exact match on held-out pairs, by source length:\n");
    print_length_header<K>(r);
    print_by_length("Bahdanau attention", r);
    write_csv(lesson::wrote(opt.out / ("accuracy_" + std::string(K::name) + ".csv")), r);
    std::printf("mistakes on the longest sources:\n");
    for (std::size_t i = 0, shown = 0; i < predicted.size() && shown < 5; ++i)
        if (predicted[i] != split.test.answers[i] && split.test.sources[i].size() > K::S * 2 / 3) {
            std::printf("  %-56s -> %s (truth %s)\n", split.test.sources[i].c_str(), predicted[i].c_str(),
                        split.test.answers[i].c_str());
            ++shown;
        }
    return r;
}

template <class K>
void save_alignment(Model<Bahdanau<K>>& model, const lesson::Options& opt, const std::vector<std::int32_t>& source,
                    const std::string& text, const std::string& stem) {
    const plot::Heatmap map = alignment_map<K>(model, source, text, "Bahdanau attention");
    map.save(lesson::wrote(opt.out / (stem + ".svg")));
    plot::heatmap_png(map, lesson::wrote(opt.out / (stem + ".png")));
}

int main(int argc, char** argv) {
    return lesson::run([&] {
        const auto opt = lesson::parse(argc, argv, "32-bahdanau");
        Model<Bahdanau<Dates>> dates_model{Seed{32}};
        Model<Bahdanau<Reversal>> reversal_model{Seed{32}};
        const ByLength d = run_task<Dates>(opt, dates_model);
        const ByLength r = run_task<Reversal>(opt, reversal_model);

        plot::LineChart chart{.title = "Exact match by source length: attention against a fixed context",
                              .x_label = "source length (characters)", .y_label = "exact match"};
        chart.add("dates, Bahdanau", d.centre, d.accuracy);
        chart.add("reversal, Bahdanau", r.centre, r.accuracy);
        const auto before = opt.out.parent_path() / "31-seq2seq";
        const auto [dx, dy] = read_csv(before / "accuracy_dates.csv");
        const auto [rx, ry] = read_csv(before / "accuracy_reversal.csv");
        if (!dx.empty()) chart.add("dates, no attention (lesson 31)", dx, dy).dashed().color(0);
        if (!rx.empty()) chart.add("reversal, no attention (lesson 31)", rx, ry).dashed().color(1);
        if (dx.empty() || rx.empty()) std::printf("(run lesson 31 with the same --out to draw its curves here too)\n");
        chart.save(lesson::wrote(opt.out / "accuracy_by_length.svg"));

        // What the decoder reads: two dates and a reversed string.
        const std::string short_date = data::format_date(2021, 3, 3, 1), long_date = data::format_date(2021, 3, 3, 12);
        save_alignment<Dates>(dates_model, opt, data::date_source_ids(short_date), short_date, "alignment_date_short");
        save_alignment<Dates>(dates_model, opt, data::date_source_ids(long_date), long_date, "alignment_date_long");
        const std::string letters = "attentionisallyouneed";
        std::vector<std::int32_t> ids;
        for (char c : letters) ids.push_back(1 + (c - 'a') % std::int32_t(data::reversal_symbols));
        save_alignment<Reversal>(reversal_model, opt, ids, data::reversal_text(ids, 1), "alignment_reversal");

        const double long_acc = r.accuracy_in(29, 40);
        char what[240];
        std::snprintf(what, sizeof what,
                      "no fall on long inputs: reversal %.1f%% exact match at 29-40 letters (%.1f%% overall), dates "
                      "%.1f%% (target: reversal >= 90%% at 29-40)",
                      100 * long_acc, 100 * r.overall, 100 * d.overall);
        return lesson::report_target(opt, long_acc >= 0.90, what);
    });
}

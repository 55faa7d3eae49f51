// Lesson 39 (project): English to Spanish
// ========================================
//
// A real translation task: the World English Bible into the Reina-Valera 1909, verse by
// verse (data/verse_pairs.hpp; `scripts/fetch-data.sh verses`). Training reads 59
// books; the score is on three books the models never saw (Ruth, John, James), on
// the verses of at most 20 words. Two translators, the two halves of this module:
//
//   attention seq2seq   a bidirectional LSTM reads the English; an LSTM writes the
//                       Spanish a word at a time, each step attending over the
//                       English with Luong's "general" score (lessons 32-33)
//   Transformer         2 encoder and 2 decoder blocks (lesson 38's layers), pre-norm,
//                       d 128, 4 heads; the decoder's self-attention causal, its
//                       cross-attention over the encoder's output
//
// Each is decoded twice: greedily (the most probable word at every step) and with a
// beam search (the `beam` most probable prefixes kept, finished ones ranked by
// log P / lp with Wu et al.'s length penalty). The score is corpus BLEU-4 on words
// (eval/bleu.hpp, NLTK's numbers), against the one reference each verse has.
//
// Checkpoints: every epoch of each model is saved under the output folder
// (<model>/epoch-000N.safetensors, the optimizer's state beside it, the vocabularies
// and the loss per epoch), so a second run loads the last epoch and only evaluates;
// an interrupted run goes on from the last epoch saved. A checkpoint that cannot be
// read or belongs to another network or vocabulary is reported with the library's
// error and the model is trained again from the start.
//
// Run:  build/release/lessons/39-translation [--smoke] [--out DIR]
//       (after scripts/fetch-data.sh verses). The first run trains both models:
//       12 min 16 s measured on 2 quiet cores (seq2seq 6 epochs, 264 s; Transformer
//       11 epochs, 422 s; decoding 50 s); a second run only evaluates, about a minute.
// Writes: out/39-translation/bleu.csv, samples.md (source, reference, the four
//         outputs), curves.svg (both models' loss per epoch), curves_<model>.svg,
//         <model>/ (checkpoints, history.csv, vocabularies)

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include <typenet/data/verse_pairs.hpp>
#include <typenet/eval/bleu.hpp>
#include <typenet/plot/history.hpp>
#include <typenet/plot/line_chart.hpp>
#include <typenet/train/checkpoint_every.hpp>
#include <typenet/typenet.hpp>

#include "lesson.hpp"

using namespace tn;

// --- Sizes ------------------------------------------------------------------------------
// The longest kept English verse is 36 ids, the longest Spanish one 31 with <bos> and
// <eos>, so the decoder reads and writes 30 positions (<bos> y_1..y_29 in, y_1..<eos>
// out). A verse that does not fit is an error naming it (pad_tokens), not a silent cut.
constexpr std::size_t S = 36, T = 30;
// Vocabularies: words seen at least twice in the training books, at most this many ids
// (special ones included). 5,000 Spanish words cover about 94% of the training
// tokens (Spanish inflects: 6,774 words are seen twice); the output layer, a Dense
// over the vocabulary at all 30 positions, is the largest cost of both models, so
// every thousand words more costs about 10% of the training time.
constexpr std::size_t Vs = 5000, Vt = 5000;
constexpr std::int32_t bos = 2, eos = 3;  // data::Vocabulary's ids with begin_end

// --- The attention seq2seq ----------------------------------------------------------------
//   encoder: Tokens<36> -> Embedding<5000, 128> -> Bidirectional<LSTM<128>>   memory [36, 256]
//   decoder: Tokens<30> -> Embedding<5000, 128> -> LSTM<256, Stateful> -> Luong general
//            attention over the memory -> tanh(W_c [c; h]) -> Dense<5000>
// The decoder's LSTM is Stateful so that decoding steps one word at a time in O(T)
// (EncoderDecoder zeroes the state before every training pair).
constexpr std::size_t E = 128, H = 256;
using Seq2seqEncoder = Sequential<Tokens<S>, Embedding<Vs, E, PaddingId<0>>, Dropout<20>, Bidirectional<LSTM<H / 2>>>;
using Seq2seqDecoder = Sequential<Tokens<T>, Embedding<Vt, E, PaddingId<0>>, Dropout<20>, LSTM<H, Stateful>,
                                  LuongAttention<General>, Dense<H>, Tanh, Dropout<20>, Dense<Vt>>;
using Seq2seq = EncoderDecoder<Seq2seqEncoder, Seq2seqDecoder>;

// --- The Transformer ------------------------------------------------------------------
//   encoder: Tokens<36> -> Embedding<5000, 128> + sinusoidal positions -> 2 x encoder block
//            (self-attention, 4 heads; feed-forward 512) -> LayerNorm           memory [36, 128]
//   decoder: Tokens<30> -> Embedding<5000, 128> + sinusoidal positions -> 2 x decoder block
//            (causal self-attention, cross-attention over the memory, feed-forward)
//            -> LayerNorm -> Dense<5000>
// Pre-norm blocks (a LayerNorm before each sub-block, one after the stack, as
// nn.Transformer(norm_first=True)): the residual path from the embedding to the output
// is never normalised, which is why pre-norm trains at a full learning rate after a
// short warm-up, where the 2017 paper's post-norm needs a long one.
constexpr std::size_t D = 128, FF = 512, Heads = 4, Blocks = 2;
using TransformerEncoder =
    Sequential<Tokens<S>, Embedding<Vs, D, PaddingId<0>>, SinusoidalPositions, Dropout<10>,
               Repeat<Blocks, TransformerEncoderLayer<Heads, FF, PreNorm>>, LayerNorm<>>;
using TransformerDecoder =
    Sequential<Tokens<T>, Embedding<Vt, D, PaddingId<0>>, SinusoidalPositions, Dropout<10>,
               Repeat<Blocks, TransformerDecoderLayer<Heads, FF, PreNorm>>, LayerNorm<>, Dense<Vt>>;
using Transformer = EncoderDecoder<TransformerEncoder, TransformerDecoder>;

// --- Data ----------------------------------------------------------------------------
// One part of the split as EncoderDecoder rows: source ids, then <bos> y_1 .. y_n fed to
// the decoder; the targets y_1 .. y_n <eos>, and -1 (TokenCrossEntropy's ignore_id)
// on the padding.
Dataset as_rows(const data::TranslationSet& set, std::size_t limit, const char* name) {
    const std::size_t n = std::min(limit, set.size());
    Dataset d(name, S + T, T);
    std::vector<float> targets(T);
    for (std::size_t i = 0; i < n; ++i) {
        const auto& src = set.source[i];
        const auto& tgt = set.target[i];  // <bos> y_1 .. y_n <eos>
        if (src.size() > S || tgt.size() > T + 1)
            throw std::invalid_argument(std::string(name) + ": verse " + set.pairs[i].reference() + " has " +
                                        std::to_string(src.size()) + " source ids and " +
                                        std::to_string(tgt.size()) + " target ids; the models read at most " +
                                        std::to_string(S) + " and " + std::to_string(T + 1));
        std::fill(targets.begin(), targets.end(), TokenCrossEntropy::ignore_id);
        for (std::size_t t = 1; t < tgt.size(); ++t) targets[t - 1] = float(tgt[t]);
        d.add_pair(S, src, std::span(tgt).first(tgt.size() - 1), targets);
    }
    return d;
}

struct Corpus {
    data::VersePairs pairs;
    Dataset train, validation;
    std::size_t test_count = 0;  // the first test_count test verses are scored
};

// --- Training, with checkpoints ------------------------------------------------------------
struct Recipe {
    std::size_t epochs = 1, batch = 64;
    float lr = 2e-3f;
    std::size_t warmup_steps = 0;  // linear warm-up, then a cosine decay per step to the end
};

// History rows written by fit, read back so a resumed run keeps its earlier epochs'
// curve. The columns are History::write_csv's: epoch,loss,accuracy,val_loss,...
History read_history(const std::filesystem::path& path, std::size_t up_to_epoch) {
    History h;
    std::ifstream in(path);
    std::string line;
    if (!std::getline(in, line)) return h;
    while (std::getline(in, line)) {
        std::stringstream fields(line);
        std::string cell;
        std::vector<std::string> cells;
        while (std::getline(fields, cell, ',')) cells.push_back(cell);
        if (cells.size() < 7) continue;
        const auto number = [](const std::string& s) { return s.empty() ? std::nanf("") : std::stof(s); };
        EpochRecord r;
        r.epoch = std::size_t(std::stoul(cells[0]));
        r.loss = number(cells[1]);
        r.accuracy = number(cells[2]);
        r.val_loss = number(cells[3]);
        r.val_accuracy = number(cells[4]);
        r.learning_rate = number(cells[5]);
        r.seconds = double(number(cells[6]));
        if (r.epoch <= up_to_epoch) h.epochs.push_back(r);
    }
    return h;
}

struct Trained {
    History history;
    double train_seconds = 0;  // this run's (0 when the checkpoint was complete)
    bool from_checkpoint = false;
};

// A checkpoint is only this model's if the vocabularies it was trained with are
// the ones built now: ids are positions in them, so the weights of another
// vocabulary would load (same shapes) and translate nonsense.
bool same_vocabularies(const std::filesystem::path& dir, const data::VersePairs& v) {
    try {
        return data::Vocabulary::load(dir / "english.vocab") == v.source_vocabulary &&
               data::Vocabulary::load(dir / "spanish.vocab") == v.target_vocabulary;
    } catch (const std::exception& e) {
        std::printf("  vocabularies of %s unusable (%s)\n", dir.string().c_str(), e.what());
        return false;
    }
}

template <class Net>
Trained train_or_resume(Model<Net>& model, const Corpus& corpus, const Recipe& recipe,
                        const std::filesystem::path& dir, const char* name) {
    Adam adam{{.lr = recipe.lr}};
    std::optional<TrainingPosition> at;
    if (latest_checkpoint_epoch(dir)) {
        try {
            if (!same_vocabularies(dir, corpus.pairs))
                throw CheckpointError("its vocabularies are not the ones built from the data now");
            at = load_latest_checkpoint(dir, model, adam);
            std::printf("%s: loaded the checkpoint of epoch %llu from %s\n", name,
                        static_cast<unsigned long long>(at->epoch), dir.string().c_str());
        } catch (const std::exception& e) {
            // The library's message says which file and which tensor; the model is
            // untouched by a failed load, so training from the start is sound.
            std::printf("%s: cannot use the checkpoint in %s:\n  %s\n  training from the start instead\n", name,
                        dir.string().c_str(), e.what());
            at.reset();
            std::filesystem::remove_all(dir);
        }
    }
    std::filesystem::create_directories(dir);
    corpus.pairs.source_vocabulary.save(dir / "english.vocab");
    corpus.pairs.target_vocabulary.save(dir / "spanish.vocab");

    Trained t;
    const std::size_t done = at ? std::size_t(at->epoch) : 0;
    t.history = read_history(dir / "history.csv", done);
    t.from_checkpoint = done >= recipe.epochs;
    if (t.from_checkpoint) return t;

    const std::size_t steps = recipe.epochs * ((corpus.train.size() + recipe.batch - 1) / recipe.batch);
    const std::size_t warmup = std::min(recipe.warmup_steps, steps / 2);
    const LrSchedule schedule{schedule::LinearWarmup<schedule::Cosine>{
                                  .warmup = warmup,
                                  .after = {.lr = recipe.lr, .period = steps - warmup, .min_lr = recipe.lr / 20}},
                              Every::step};
    History all = t.history;
    const auto t0 = std::chrono::steady_clock::now();
    fit(model, corpus.train, TokenCrossEntropy{}, adam,
        {.epochs = recipe.epochs,
         .batch = recipe.batch,
         .validation = corpus.validation,
         .schedule = schedule,
         .clip = ClipNorm{1.0},
         .resume_from = at,
         .verbosity = Verbosity::EpochLines,
         .on_epoch =
             [&](const EpochRecord& r) {
                 // After the callbacks, so the checkpoint of this epoch is already saved.
                 all.epochs.push_back(r);
                 all.write_csv((dir / "history.csv").string());
                 return true;
             }},
        checkpoint_every(1, dir, model, adam));
    t.train_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    t.history = all;
    return t;
}

// --- Translating --------------------------------------------------------------------
using Words = std::vector<std::string>;

// Ids to the vocabulary's tokens, which are what split() makes of the reference
// (TranslationSet::target_words), so BLEU compares like with like; <unk> stays one
// token that matches no reference word.
Words words_of(const data::Vocabulary& v, const std::vector<std::int32_t>& ids) {
    Words w;
    for (std::int32_t id : ids) w.push_back(v.token(id));
    return w;
}

// Greedy: a batch of sources at once (the encoder once per batch, the decoder a
// position at a time for all of them).
template <class Net>
std::vector<Words> translate_greedy(Model<Net>& model, const Corpus& c) {
    EncoderDecoderSession session(model);
    std::vector<Words> out;
    const auto& test = c.pairs.test;
    for (std::size_t at = 0; at < c.test_count; at += 64) {
        const std::size_t end = std::min(c.test_count, at + 64);
        const std::vector<std::vector<std::int32_t>> sources(test.source.begin() + std::ptrdiff_t(at),
                                                             test.source.begin() + std::ptrdiff_t(end));
        session.encode(sources);
        for (const auto& ids : greedy(session, sources.size(), {.start = bos, .end = eos, .max_length = T}))
            out.push_back(words_of(c.pairs.target_vocabulary, ids));
    }
    return out;
}

struct BeamSettings {
    std::size_t width = 5;
    float alpha = 0.6f;  // Wu et al.'s length penalty
};

template <class Net>
std::vector<Words> translate_beam(Model<Net>& model, const Corpus& c, const BeamSettings& b) {
    EncoderDecoderSession session(model);
    std::vector<Words> out;
    for (std::size_t i = 0; i < c.test_count; ++i) {
        session.encode(std::span<const std::int32_t>(c.pairs.test.source[i]));
        const auto best = beam_search(
            session, {.width = b.width, .alpha = b.alpha, .start = bos, .end = eos, .max_length = T});
        out.push_back(best.empty() ? Words{} : words_of(c.pairs.target_vocabulary, best[0].tokens));
    }
    return out;
}

struct Scored {
    std::string name;
    std::vector<Words> outputs;
    BleuScore bleu;
    double seconds = 0;
};

template <class F>
Scored score(const std::string& name, const Corpus& c, F&& translate) {
    const auto t0 = std::chrono::steady_clock::now();
    Scored s;
    s.name = name;
    s.outputs = translate();
    s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const auto refs = c.pairs.test.references();
    s.bleu = corpus_bleu(std::span(refs).first(c.test_count), s.outputs);
    std::printf("  %-26s BLEU %5.2f  (p1..p4 %.2f %.2f %.2f %.2f, brevity %.3f; %.0f s)\n", name.c_str(),
                100 * s.bleu.bleu, s.bleu.precisions[0], s.bleu.precisions[1], s.bleu.precisions[2],
                s.bleu.precisions[3], s.bleu.brevity_penalty, s.seconds);
    std::fflush(stdout);
    return s;
}

std::string joined(const Words& w) {
    std::string s;
    for (const auto& x : w) s += (s.empty() ? "" : " ") + x;
    return s;
}

// --- The lesson ------------------------------------------------------------------------
Corpus load_corpus(bool smoke) {
    data::VersePairsOptions o;
    o.source_vocabulary = {.min_count = 2, .max_size = Vs, .begin_end = true};
    o.target_vocabulary = {.min_count = 2, .max_size = Vt, .begin_end = true};
    Corpus c;
    c.pairs = data::verse_pairs(data::find("verses"), o);
    const auto& p = c.pairs;
    // Smoke: a few hundred pairs, to run every path (training, checkpoints, both
    // decodings, BLEU, the table) in seconds; the vocabularies are the full run's.
    c.train = as_rows(p.train, smoke ? 256 : p.train.size(), "verse pairs (train)");
    c.validation = as_rows(p.validation, smoke ? 64 : p.validation.size(), "verse pairs (validation)");
    c.test_count = smoke ? 16 : p.test.size();
    std::printf("verse pairs of at most 20 words a side: %zu training, %zu validation, %zu held out (%zu longer "
                "pairs left out)\nvocabularies: %zu English, %zu Spanish ids (words seen twice in training)\n",
                p.train.size(), p.validation.size(), p.test.size(), p.too_long, p.source_vocabulary.size(),
                p.target_vocabulary.size());
    if (smoke) std::printf("smoke run: %zu training pairs, %zu held out\n", c.train.size(), c.test_count);
    return c;
}

int main(int argc, char** argv) {
    return lesson::run([&] {
        const auto opt = lesson::parse(argc, argv, "39-translation");
        std::setvbuf(stdout, nullptr, _IOLBF, 0);  // a line at a time, also into a log file
        // Measured: 12 min 16 s on 2 quiet cores (a Zen 4 EPYC); a busy machine takes longer.
        std::printf("Lesson 39: English -> Spanish. The first full run trains two models: about 12 minutes on 2 "
                    "quiet cores\n(more on a busy machine; see docs/06-attention.md). Later runs load the "
                    "checkpoints in %s\nand only evaluate (about a minute).\n\n",
                    opt.out.string().c_str());
        const Corpus corpus = load_corpus(opt.smoke);
        const BeamSettings beam{.width = opt.smoke ? 2u : 5u, .alpha = 0.6f};

        std::vector<Scored> rows;
        std::vector<std::pair<std::string, History>> curves;

        {
            Model<Seq2seq> model{Seed{39}};
            std::printf("\n=== attention seq2seq (BiLSTM encoder, LSTM decoder, Luong general) ===\n");
            model.summary();
            const Recipe recipe{.epochs = opt.smoke ? 1u : 6u, .batch = 64, .lr = 2e-3f, .warmup_steps = 100};
            const Trained t = train_or_resume(model, corpus, recipe, opt.out / "seq2seq", "seq2seq");
            if (t.train_seconds > 0) std::printf("trained in %.0f s\n", t.train_seconds);
            std::printf("BLEU on the %zu held-out verses:\n", corpus.test_count);
            rows.push_back(score("seq2seq, greedy", corpus, [&] { return translate_greedy(model, corpus); }));
            rows.push_back(score("seq2seq, beam " + std::to_string(beam.width), corpus,
                                 [&] { return translate_beam(model, corpus, beam); }));
            curves.emplace_back("attention seq2seq", t.history);
        }

        {
            Model<Transformer> model{Seed{39}};
            std::printf("\n=== Transformer (2 + 2 pre-norm blocks, d 128, 4 heads, feed-forward 512) ===\n");
            model.summary();
            const Recipe recipe{.epochs = opt.smoke ? 1u : 11u, .batch = 64, .lr = 1e-3f, .warmup_steps = 300};
            const Trained t = train_or_resume(model, corpus, recipe, opt.out / "transformer", "Transformer");
            if (t.train_seconds > 0) std::printf("trained in %.0f s\n", t.train_seconds);
            std::printf("BLEU on the %zu held-out verses:\n", corpus.test_count);
            rows.push_back(score("Transformer, greedy", corpus, [&] { return translate_greedy(model, corpus); }));
            rows.push_back(score("Transformer, beam " + std::to_string(beam.width), corpus,
                                 [&] { return translate_beam(model, corpus, beam); }));
            curves.emplace_back("Transformer", t.history);
        }

        // The table: BLEU of each, then sample translations.
        {
            std::ofstream csv(lesson::wrote(opt.out / "bleu.csv"));
            csv << "model,bleu,p1,p2,p3,p4,brevity_penalty,hypothesis_words,reference_words,seconds\n";
            for (const auto& r : rows)
                csv << r.name << ',' << 100 * r.bleu.bleu << ',' << r.bleu.precisions[0] << ','
                    << r.bleu.precisions[1] << ',' << r.bleu.precisions[2] << ',' << r.bleu.precisions[3] << ','
                    << r.bleu.brevity_penalty << ',' << r.bleu.hypothesis_length << ','
                    << r.bleu.reference_length << ',' << r.seconds << '\n';
        }
        {
            const auto& test = corpus.pairs.test;
            std::ofstream md(lesson::wrote(opt.out / "samples.md"));
            md << "# Sample translations of held-out verses\n\n";
            std::printf("\nsample translations of held-out verses:\n");
            // Every 40th verse: a spread over the three books, not a chosen few.
            for (std::size_t i = 0; i < corpus.test_count; i += opt.smoke ? 8 : 40) {
                md << "**" << test.pairs[i].reference() << "**\n\n| | |\n|---|---|\n| English | "
                   << test.pairs[i].english << " |\n| reference | " << test.pairs[i].spanish << " |\n";
                std::printf("\n%s\n  %-20s %s\n  %-20s %s\n", test.pairs[i].reference().c_str(), "English",
                            test.pairs[i].english.c_str(), "reference", test.pairs[i].spanish.c_str());
                for (const auto& r : rows) {
                    md << "| " << r.name << " | " << joined(r.outputs[i]) << " |\n";
                    std::printf("  %-20s %s\n", r.name.c_str(), joined(r.outputs[i]).c_str());
                }
                md << '\n';
            }
        }
        plot::LineChart chart{.title = "English -> Spanish: loss per target word", .x_label = "epoch",
                              .y_label = "cross-entropy (nats per word)"};
        for (const auto& [name, h] : curves) {
            if (h.epochs.empty()) continue;
            std::vector<double> x, train, val;
            for (const auto& e : h.epochs) x.push_back(double(e.epoch)), train.push_back(e.loss), val.push_back(e.val_loss);
            chart.add(name + ", training", x, train);
            chart.add(name + ", validation", x, val).dashed();
        }
        chart.save(lesson::wrote(opt.out / "curves.svg"));

        const Scored& best = rows.back();
        char what[200];
        std::snprintf(what, sizeof what, "%s: %.2f BLEU on %zu held-out verses (target: Transformer, beam >= 10)",
                      best.name.c_str(), 100 * best.bleu.bleu, corpus.test_count);
        return lesson::report_target(opt, best.bleu.bleu >= 0.10, what);
    });
}

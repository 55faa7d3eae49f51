// Lesson 43: fine-tuning a GPT on new text, in full and with LoRA
// =================================================================
//
// Lesson 40's character GPT has read Sherlock Holmes and nothing else. Here it reads
// Mark Twain's The Adventures of Tom Sawyer: another author, another century's
// America, other names, dialect in the dialogue. Three ways to get a model of the new
// text, each trained for the same number of steps on Tom Sawyer's training part:
//
//   from scratch   a new GPT of the same type: what the pretraining is worth
//   full           every one of the pretrained GPT's 820,352 parameters trains
//   LoRA           the pretrained weights frozen; a low-rank update trains beside each
//                  attention's in_proj (Hu et al. 2021, layers/lora.hpp):
//                      [Q K V] = x W^T + b + (Alpha / Rank) x A^T B^T
//                  A [8, 128] and B [384, 8] per block: 16,384 parameters, 2% of the
//                  model; B starts at 0, so training starts from the pretrained model
//                  exactly. Afterwards W + (Alpha / Rank) B A is an ordinary weight:
//                  merge_lora folds it into a plain GPT, as fast as the original.
//
// The LoRA model is a different type (GPT<..., LoRA<8, 16>>), and lesson 40's
// checkpoint is loaded into it by name (load_matching: every tensor of the file
// finds its twin; the adapters are reported missing and keep their start). Freezing
// is a name pattern: freeze(""), then unfreeze("*lora_*").
//
// What to look for: the loss on held-out Tom Sawyer before and after (the pretrained
// models start far ahead of the new one and stay ahead), how much of full fine-tuning's
// gain LoRA gets with 2% of the parameters, the loss on held-out Sherlock Holmes (what
// fine-tuning costs the old text: the frozen weights are all still there, but an
// adapter on every query, key and value changes what the model does with them, so
// LoRA can forget too), and the samples.
//
// Run:  build/release/lessons/43-fine-tuning [--smoke] [--out DIR]   (after lesson 40;
//       without its checkpoint this lesson first pretrains a stand-in on Sherlock Holmes)
// Writes: out/43-fine-tuning/validation.svg (nats per character on Tom Sawyer against
//         steps, the three models), samples.txt, lora_merged.safetensors, history_*.csv

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
#include <typenet/train/lora_merge.hpp>
#include <typenet/train/transfer.hpp>
#include <typenet/typenet.hpp>

#include "lesson.hpp"
#include "text_models.hpp"

using namespace tn;

constexpr std::size_t V = 83, T = 128;
using CharGPT = GPT<4, 128, 4, T, V, BlockDropout<0>>;               // lesson 40's
using LoRAGPT = GPT<4, 128, 4, T, V, BlockDropout<0>, LoRA<8, 16>>;  // the same, adapters on each in_proj
static_assert(LoRAGPT::param_count - CharGPT::param_count == 4 * (8 * 128 + 384 * 8));

struct Texts {
    std::vector<std::int32_t> train, validation;  // Tom Sawyer
    std::size_t validation_chars;
    std::vector<std::int32_t> old_validation;  // Sherlock Holmes
    std::size_t old_validation_chars;
};

struct Outcome {
    std::string name;
    std::size_t trained;  // parameters that trained
    double before, after, old_before, old_after;
    std::vector<double> steps, curve;  // Tom Sawyer's validation after each epoch
};

// Records the validation loss on the new text after each epoch, with the steps so far.
template <class Net>
struct NewTextCurve {
    Model<Net>* model;
    const Texts* texts;
    Outcome* outcome;
    std::size_t steps_per_epoch;
    void on_epoch_end(FitState& s) {
        outcome->steps.push_back(double(s.epoch * steps_per_epoch));  // epoch counts from 1
        outcome->curve.push_back(lesson::gpt_nats_per_character(*model, texts->validation, texts->validation_chars));
        std::printf("    %s: epoch %zu, Tom Sawyer validation %.3f nats per character\n", outcome->name.c_str(),
                    s.epoch, outcome->curve.back());
        std::fflush(stdout);
    }
};

// Trains `model` on Tom Sawyer's windows: Adam, warm-up then cosine decay to lr / 10.
template <class Net>
Outcome tune(Model<Net>& model, const std::string& name, const Texts& texts, float lr, std::size_t epochs,
             const lesson::Options& opt, const std::string& csv) {
    Outcome o;
    o.name = name;
    o.trained = model.trainable_count();
    o.before = lesson::gpt_nats_per_character(model, texts.validation, texts.validation_chars);
    o.old_before = lesson::gpt_nats_per_character(model, texts.old_validation, texts.old_validation_chars);
    o.steps.push_back(0);
    o.curve.push_back(o.before);
    const Dataset train = data::lm_windows(texts.train, T, {.stride = T / 2});
    const std::size_t per_epoch = (train.size() + 31) / 32, steps = epochs * per_epoch, warmup = steps / 20;
    Adam adam{{.lr = lr}};
    const auto history = fit(model, train, TokenCrossEntropy{}, adam,
                             {.epochs = epochs, .batch = 32,
                              .schedule = {schedule::LinearWarmup<schedule::Cosine>{
                                               .warmup = warmup,
                                               .after = {.lr = lr, .period = steps - warmup, .min_lr = lr / 10}},
                                           Every::step},
                              .clip = ClipNorm{1.0}, .verbosity = Verbosity::Quiet},
                             NewTextCurve<Net>{&model, &texts, &o, per_epoch});
    history.write_csv(lesson::wrote(opt.out / csv));
    o.after = o.curve.back();
    o.old_after = lesson::gpt_nats_per_character(model, texts.old_validation, texts.old_validation_chars);
    return o;
}

template <class Net>
std::string sample(Model<Net>& model, const data::Vocabulary& vocab, const std::string& prompt, std::size_t n) {
    LanguageModelSession session(model);
    Rng rng{Seed{1876}};  // the same draws for every model
    const std::int32_t start = session.prompt(vocab.encode(prompt));
    const auto out = sample_decode(session, {.sampling = {.temperature = 0.7f, .top_p = 0.95f}, .start = start,
                                             .max_length = n},
                                   rng);
    return prompt + vocab.decode(out);
}

int main(int argc, char** argv) {
    return lesson::run([&] {
        const auto opt = lesson::parse(argc, argv, "43-fine-tuning");
        if (!opt.smoke) std::printf("The full run fine-tunes three models, about 5 minutes on 2 cores.\n\n");

        // -------------------------------------------------------------------------
        // The pretrained GPT (lesson 40's checkpoint, or a stand-in)
        // -------------------------------------------------------------------------
        std::string book = data::sherlock_holmes();
        const auto vocab = data::Vocabulary::characters(book);  // the GPT's 83 ids
        if (opt.smoke) book.resize(20'000);
        const auto old_parts = data::split_corpus(vocab.encode(book));
        Model<CharGPT> pretrained{Seed{40}};
        const auto lesson_40 = opt.out.parent_path() / "40-gpt" / "char_gpt.safetensors";
        // The checkpoint the LoRA model is loaded from: lesson 40's, or the stand-in's
        // (written here, never over lesson 40's file).
        auto checkpoint = lesson_40;
        if (!opt.smoke && std::filesystem::exists(lesson_40)) {
            load_model(lesson_40, pretrained);
            std::printf("loaded lesson 40's character GPT from %s\n", lesson_40.string().c_str());
        } else {
            std::printf("no %s (or a smoke run): pretraining a stand-in on Sherlock Holmes first; run lesson 40 "
                        "for the real one\n", lesson_40.string().c_str());
            const Dataset train = data::lm_windows(old_parts.train, T, {.stride = T / 2});
            fit(pretrained, train, TokenCrossEntropy{}, Adam{{.lr = 1e-3f}},
                {.epochs = opt.smoke ? 1u : 4u, .batch = 32, .clip = ClipNorm{1.0}, .verbosity = Verbosity::Quiet});
            checkpoint = opt.out / "pretrained_stand_in.safetensors";
            save_model(checkpoint, pretrained);
            lesson::wrote(checkpoint);
        }

        // -------------------------------------------------------------------------
        // The new text: Tom Sawyer in the GPT's characters
        // -------------------------------------------------------------------------
        std::string twain = data::tom_sawyer();
        if (opt.smoke) twain.resize(20'000);
        const auto twain_ids = vocab.encode(twain);
        std::size_t unknown = 0;
        for (const std::int32_t id : twain_ids) unknown += id == data::Vocabulary::unknown_id;
        const auto parts = data::split_corpus(twain_ids);
        const Texts texts{parts.train, parts.validation, parts.validation.size() - 1, old_parts.validation,
                          old_parts.validation.size() - 1};
        std::printf("Tom Sawyer: %zu characters (%zu of them not in Sherlock Holmes' alphabet: <unk>); train %zu, "
                    "validation %zu\n\n", twain_ids.size(), unknown, parts.train.size(), parts.validation.size());
        const std::size_t epochs = opt.smoke ? 1 : 3;
        std::vector<Outcome> outcomes;

        // 1. From scratch: the same type, new weights.
        {
            std::printf("1. from scratch\n");
            Model<CharGPT> scratch{Seed{43}};
            // Lesson 40's rate for a new GPT: the baseline gets its best recipe.
            outcomes.push_back(tune(scratch, "from scratch", texts, 3e-3f, epochs, opt, "history_scratch.csv"));
        }

        // 2. Full fine-tuning: every parameter, a smaller learning rate than pretraining's.
        Model<CharGPT> full;
        lesson::copy_parameters(pretrained, full);
        std::printf("\n2. full fine-tuning\n");
        outcomes.push_back(tune(full, "full", texts, 3e-4f, epochs, opt, "history_full.csv"));

        // 3. LoRA: lesson 40's file loaded by name, everything but the adapters frozen.
        Model<LoRAGPT> adapted{Seed{43}};
        {
            std::printf("\n3. LoRA\n");
            const LoadReport report = load_matching(checkpoint, adapted);
            std::printf("   load_matching: %zu tensors loaded; not in the file, left at their start:",
                        report.loaded.size());
            for (std::size_t i = 0; i < report.missing.size(); ++i)
                std::printf("%s %s", i % 2 ? "," : "\n    ", report.missing[i].c_str());
            adapted.freeze("");
            const std::size_t trainable = adapted.unfreeze("*lora_*");
            std::printf("\n   frozen: everything but the %zu adapter tensors (%zu parameters of %zu train)\n",
                        trainable, adapted.trainable_count(), LoRAGPT::param_count);
            outcomes.push_back(tune(adapted, "LoRA", texts, 2e-3f, epochs, opt, "history_lora.csv"));
        }

        // The adapters folded into a plain GPT: the same losses, the original's speed.
        Model<CharGPT> merged;
        const std::size_t matrices = merge_lora(adapted, merged);
        const double merged_loss = lesson::gpt_nats_per_character(merged, texts.validation, texts.validation_chars);
        std::printf("\nmerge_lora: %zu in_proj matrices updated; the merged plain GPT: %.4f nats per character on "
                    "Tom Sawyer (the adapted one: %.4f)\n", matrices, merged_loss, outcomes.back().after);
        save_model(lesson::wrote(opt.out / "lora_merged.safetensors"), merged);

        // -------------------------------------------------------------------------
        // The comparison
        // -------------------------------------------------------------------------
        std::printf("\nnats per character on held-out text (lower is better), %zu epoch%s of Tom Sawyer each\n",
                    epochs, epochs == 1 ? "" : "s");
        std::printf("%-14s %10s %18s %18s %16s %16s\n", "model", "trained", "Tom Sawyer before", "Tom Sawyer after",
                    "Sherlock before", "Sherlock after");
        plot::LineChart chart{.title = "Tom Sawyer: validation loss while fine-tuning",
                              .x_label = "steps (batches of 32 windows of 128 characters)",
                              .y_label = "nats per character"};
        for (const Outcome& o : outcomes) {
            std::printf("%-14s %10zu %18.3f %18.3f %16.3f %16.3f\n", o.name.c_str(), o.trained, o.before, o.after,
                        o.old_before, o.old_after);
            chart.add(o.name, o.steps, o.curve);
        }
        chart.save(lesson::wrote(opt.out / "validation.svg"));

        const std::string prompt = "Tom said to Huck, ";
        const std::size_t n = opt.smoke ? 40 : T - prompt.size();
        std::string samples;
        const auto show = [&](const std::string& head, const std::string& text) {
            samples += "--- " + head + " ---\n" + text + "\n\n";
            std::printf("\n--- %s ---\n%s\n", head.c_str(), lesson::indented(text).c_str());
        };
        show("pretrained on Sherlock Holmes", sample(pretrained, vocab, prompt, n));
        show("fully fine-tuned on Tom Sawyer", sample(full, vocab, prompt, n));
        show("LoRA, merged", sample(merged, vocab, prompt, n));
        std::ofstream(lesson::wrote(opt.out / "samples.txt")) << samples;

        // The target: both ways of fine-tuning lower the loss on the new text.
        const Outcome &full_o = outcomes[1], &lora_o = outcomes[2];
        const bool reached = full_o.after < full_o.before && lora_o.after < lora_o.before &&
                             std::abs(merged_loss - lora_o.after) < 1e-3;
        char what[240];
        std::snprintf(what, sizeof what,
                      "Tom Sawyer %.3f -> %.3f in full (%zu parameters), %.3f -> %.3f with LoRA (%zu), merged %.3f",
                      full_o.before, full_o.after, full_o.trained, lora_o.before, lora_o.after, lora_o.trained,
                      merged_loss);
        return lesson::report_target(opt, reached, what);
    });
}

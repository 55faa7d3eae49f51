// Lesson 22: transfer learning
// ============================
//
// Lesson 20 trained a cat-vs-dog network on 23 emoji from random weights. Nearly
// everything that network must learn is not about cats or dogs at all: edges, blobs
// of colour, eyes, ears, the outline of a face. A network trained on a large data set
// of *other* images has learnt those already, in its convolutional body; only the
// last decision is specific to its task. Transfer learning keeps the body and replaces
// the decision:
//
//   1. pretrain a network on a big related data set (here: the emoji categories,
//      1,883 images in 9 classes, lesson 16's AlexNet-style network);
//   2. build the new network with the same body and a new head (2 classes, not 9);
//   3. copy the pretrained body's weights into it;
//   4. freeze the body, so that 18 images cannot wreck what 1,883 taught it, and
//      train only the head;
//   5. optionally unfreeze and fine-tune everything at a small learning rate.
//
// This is how almost every image model in practice starts: from ImageNet weights.
//
// One care first: the cat and dog emoji are themselves among the emoji categories
// (the cat faces are "Smileys & Emotion", the rest "Animals & Nature"). Pretraining on
// them would let the body memorise the very images it is later tested on, and
// "Smileys vs Animals" is almost "cat vs dog" here. So the 23 are taken out of the
// pretraining set: the body has never seen any of them.
//
// The comparison that says whether it worked: the same network on the same 23
// images, trained from scratch, under repeated stratified cross-validation
// (lessons/small_data.hpp, lesson 20): same folds, same augmentation, same number of
// training epochs, mean and spread over repeats.
//
// Run:  build/release/lessons/22-transfer-learning [--smoke] [--out DIR]
//       (after scripts/fetch-data.sh emoji). The full run takes about 1.5 minutes with
//       OMP_NUM_THREADS=1 on a loaded 2-core machine (half of it pretraining);
//       --smoke a few seconds.
// Writes: out/22-transfer-learning/emoji-alexnet.safetensors (the pretrained
//         network), pretrain-curves.svg, results.csv (every repeat's accuracies).

#include <cstdio>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include <typenet/data/augment.hpp>
#include <typenet/data/emoji.hpp>
#include <typenet/data/split.hpp>
#include <typenet/plot/history.hpp>
#include <typenet/train/checkpoint.hpp>
#include <typenet/train/transfer.hpp>
#include <typenet/typenet.hpp>

#include "emoji_nets.hpp"
#include "lesson.hpp"
#include "small_data.hpp"

using namespace tn;

// ---------------------------------------------------------------------------------
// The two networks: one body, two heads
// ---------------------------------------------------------------------------------
//
// emoji_nets.hpp writes the AlexNet-style network as a body block and a head block,
// so its layers are 0 (features, 104,576 parameters: tensors 0.*) and 1
// (classifier: 1.*). Replacing the head is a type with another class count; the body's
// tensors keep their names and shapes.
using Pretrained = emoji_nets::EmojiAlexNet<9>;  // 9 emoji categories
using CatsVsDogs = emoji_nets::EmojiAlexNet<2>;  // cat, dog
static_assert(Pretrained::param_count - CatsVsDogs::param_count == 7 * 129);  // only the last Dense differs

// Freezing can be part of the type: Frozen<L> is L whose parameters training leaves
// alone. Frozen keeps L's parameter names, so a checkpoint of CatsVsDogs loads into
// this network and back. Below, the lesson freezes at run time instead
// (model.freeze("0")), because step 5 unfreezes, which a type cannot.
using CatsVsDogsFrozenBody = Sequential<Input<3, emoji_nets::image_size, emoji_nets::image_size>,
                                        Frozen<emoji_nets::AlexNetFeatures>, emoji_nets::AlexNetClassifier<2>>;
static_assert(CatsVsDogsFrozenBody::param_count == CatsVsDogs::param_count);

// copy_layers<K> checks at compile time that the first K layers' weights fit. A
// network for grey images would not: its first convolution has 24 x 1 x 5 x 5
// weights, the pretrained one 24 x 3 x 5 x 5. So
//
//   using Grey = Sequential<Input<1, 32, 32>, emoji_nets::AlexNetFeatures, emoji_nets::AlexNetClassifier<2>>;
//   Model<Grey> grey;
//   copy_layers<1>(pretrained, grey);
//
// stops g++ 12 with the layer and both input shapes:
//
//   error: static assertion failed: copy_layers: this layer's weights have another size than the source
//          model's: its input (channels or features, Got<...>) differs from the source layer's (Expected<...>),
//          or the layers differ
//   note: 'tn::WeightsDoNotFit<tn::LayerIndex<0>, tn::Expected<3, 32, 32>, tn::Got<1, 32, 32>, false>::ok'
//         evaluates to false

// The 23 cat and dog emoji left out of `emoji` (matched by name).
data::LabelledImages without(const data::LabelledImages& emoji, const data::LabelledImages& pets) {
    const std::set<std::string> names(pets.sources.begin(), pets.sources.end());
    std::vector<std::size_t> keep;
    for (std::size_t i = 0; i < emoji.data.size(); ++i)
        if (!names.contains(emoji.sources[i])) keep.push_back(i);
    data::LabelledImages out = emoji;
    out.data = small_data::subset(emoji.data, keep, "emoji without cats and dogs");
    out.sources.clear();
    for (std::size_t i : keep) out.sources.push_back(emoji.sources[i]);
    return out;
}

int main(int argc, char** argv) {
    return lesson::run([&] {
        const auto opt = lesson::parse(argc, argv, "22-transfer-learning");
        constexpr std::size_t side = emoji_nets::image_size;

        // -------------------------------------------------------------------------
        // The data: emoji categories to pretrain on, cats vs dogs to transfer to
        // -------------------------------------------------------------------------
        const auto pets = data::emoji_cats_vs_dogs(data::find("emoji"), {.size = side});
        const auto all_emoji = data::emoji_categories(data::find("emoji"), {.size = side, .verbose = false});
        const auto emoji = without(all_emoji, pets);
        std::printf("pretraining set: %zu emoji in %zu categories (%zu cats and dogs taken out)\n",
                    emoji.data.size(), emoji.class_names.size(), all_emoji.data.size() - emoji.data.size());

        // Both trainings augment the same way (lesson 20): shifts and mirror images.
        augment::Pipeline augmentation{augment::RandomCrop{.padding = 3, .fill = 1.f}, augment::HorizontalFlip{}};
        const auto augment = augmentation.for_input<CatsVsDogs::input_shape>();

        // -------------------------------------------------------------------------
        // Step 1: pretrain on the emoji categories, and save
        // -------------------------------------------------------------------------
        //
        // 10% of the emoji are held out only to show that the body learnt something.
        const auto path = opt.out / "emoji-alexnet.safetensors";
        {
            auto [train, validation] = data::split(emoji.data, 0.1, Seed{1});
            if (opt.smoke) {
                train = train.slice(0, 256);
                validation = validation.slice(0, 64);
            }
            const std::size_t epochs = opt.smoke ? 1 : 20;
            Model<Pretrained> base{Seed{42}};
            Adam adam{{.lr = 2e-3f}};
            std::printf("\nstep 1: pretraining on %zu emoji, %zu epochs\n", train.size(), epochs);
            const History history =
                fit(base, train, SoftmaxCrossEntropy{}, adam,
                    {.epochs = epochs, .batch = 32, .validation = validation,
                     .schedule = schedule::Cosine{.lr = 2e-3f, .period = epochs, .min_lr = 1e-5f}, .augment = augment});
            plot::curves(history, lesson::wrote(opt.out / "pretrain-curves.svg"),
                         "pretraining on the emoji categories");
            save_model(path, base);
            lesson::wrote(path);
        }

        // -------------------------------------------------------------------------
        // Steps 2 and 3: the new network, and the body loaded into it, two ways
        // -------------------------------------------------------------------------
        Model<Pretrained> pretrained;
        load_model(path, pretrained);

        // (a) copy_layers<1>: layer 0 of both networks is the body; its weights are
        //     copied in memory, and the compiler has checked that they fit.
        Model<CatsVsDogs> by_type{Seed{1}};
        copy_layers<1>(pretrained, by_type);

        // (b) load_matching: PyTorch's load_state_dict(strict=False), by name, from
        //     the file. It loads every tensor whose name and shape agree, which is the
        //     body *and* the head's two hidden Dense layers (their shapes did not
        //     change); the last Dense is [2, 128] here and [9, 128] in the file, so
        //     it would be an error without skip_mismatched, which leaves it as it was
        //     (freshly initialised).
        Model<CatsVsDogs> by_name{Seed{1}};
        const LoadReport report = load_matching(path, by_name, {.skip_mismatched = true});
        std::printf("\nload_matching: %s\n", report.summary().c_str());

        // The body is the same either way.
        const auto body = by_type.named_parameters();
        const auto body2 = by_name.named_parameters();
        bool same_body = true;
        for (std::size_t t = 0; t < body.size(); ++t)
            if (body[t].name.starts_with("0."))
                same_body = same_body && std::equal(body[t].values.begin(), body[t].values.end(),
                                                    body2[t].values.begin());
        std::printf("the body after copy_layers<1> and after load_matching is identical: %s\n",
                    same_body ? "yes" : "NO");

        // Frozen<> in the type: what trains is the head only.
        Model<CatsVsDogsFrozenBody> frozen_by_type{Seed{1}};
        copy_layers<1>(pretrained, frozen_by_type);
        std::printf("Frozen<features> in the type: %zu of %zu parameters train\n", frozen_by_type.trainable_count(),
                    CatsVsDogsFrozenBody::param_count);

        // -------------------------------------------------------------------------
        // Steps 4 and 5, against training from scratch, on the 23 images
        // -------------------------------------------------------------------------
        //
        // For each fold of each repeat, from the same seed:
        //   scratch:    CatsVsDogs from random weights, every layer trains,
        //               head + fine-tune epochs in all, at 1e-3;
        //   transfer:   the pretrained body copied in and frozen, the head trained at
        //               1e-3 for `head_epochs` (judged here: the lesson's target);
        //   fine-tuned: then everything unfrozen, `tune_epochs` more at 1e-4, ten times
        //               smaller, so that the body adapts without forgetting.
        const Dataset& all = pets.data;
        const auto labels = small_data::labels_of(all);
        const std::size_t folds = opt.smoke ? 2 : 5, repeats = opt.smoke ? 1 : 3;
        const std::size_t head_epochs = opt.smoke ? 1 : 40, tune_epochs = opt.smoke ? 1 : 20;
        std::printf("\nsteps 4 and 5: %zu x stratified %zu-fold cross-validation on %zu images (%zu cats, %zu dogs)\n",
                    repeats, folds, all.size(), pets.class_counts()[0], pets.class_counts()[1]);
        std::vector<double> scratch_acc, transfer_acc, tuned_acc;
        std::ofstream csv(lesson::wrote(opt.out / "results.csv"));
        csv << "repeat,scratch,transfer,fine_tuned\n";
        const auto train_for = [&](auto& model, const Dataset& data, std::size_t epochs, float lr) {
            Adam adam{{.lr = lr}};
            fit(model, data, SoftmaxCrossEntropy{}, adam,
                {.epochs = epochs, .batch = 8, .verbosity = Verbosity::Quiet, .augment = augment});
        };
        for (std::size_t r = 0; r < repeats; ++r) {
            const auto fold = small_data::stratified_folds(labels, folds, Seed{100 + r});
            std::vector<std::size_t> scratch(all.size()), transfer(all.size()), tuned(all.size());
            for (std::size_t f = 0; f < folds; ++f) {
                const auto [train_idx, held_idx] = small_data::fold_split(fold, f);
                const Dataset train = small_data::subset(all, train_idx, "train");
                const Dataset held = small_data::subset(all, held_idx, "held out");
                const Seed seed{1000 * (r + 1) + f};

                Model<CatsVsDogs> from_scratch{seed};
                train_for(from_scratch, train, head_epochs + tune_epochs, 1e-3f);
                const auto s = small_data::predicted_classes(from_scratch, held);

                Model<CatsVsDogs> net{seed};
                copy_layers<1>(pretrained, net);
                net.freeze("0");
                train_for(net, train, head_epochs, 1e-3f);
                const auto t = small_data::predicted_classes(net, held);
                net.unfreeze();
                train_for(net, train, tune_epochs, 1e-4f);
                const auto u = small_data::predicted_classes(net, held);

                for (std::size_t k = 0; k < held_idx.size(); ++k) {
                    scratch[held_idx[k]] = s[k];
                    transfer[held_idx[k]] = t[k];
                    tuned[held_idx[k]] = u[k];
                }
            }
            scratch_acc.push_back(small_data::accuracy(scratch, labels));
            transfer_acc.push_back(small_data::accuracy(transfer, labels));
            tuned_acc.push_back(small_data::accuracy(tuned, labels));
            std::printf("  repeat %zu: scratch %5.1f%%, transfer (frozen body) %5.1f%%, fine-tuned %5.1f%%\n", r + 1,
                        100.0 * scratch_acc.back(), 100.0 * transfer_acc.back(), 100.0 * tuned_acc.back());
            csv << r + 1 << ',' << scratch_acc.back() << ',' << transfer_acc.back() << ',' << tuned_acc.back() << '\n';
        }
        const auto show = [&](const char* name, const std::vector<double>& v) {
            const auto s = small_data::spread(v);
            std::printf("  %-26s %5.1f%% +- %.1f (range %.1f .. %.1f)\n", name, 100.0 * s.mean, 100.0 * s.stddev,
                        100.0 * s.min, 100.0 * s.max);
            return s;
        };
        std::printf("\nheld-out accuracy, mean +- standard deviation over %zu repeats (one image = %.1f points):\n",
                    repeats, 100.0 / double(all.size()));
        std::printf("  %-26s %5.1f%%\n", "always \"cat\"", 100.0 * small_data::majority_share(labels));
        const auto s = show("from scratch", scratch_acc);
        const auto t = show("transfer, frozen body", transfer_acc);
        show("transfer, then fine-tuned", tuned_acc);

        const bool reached = t.mean > s.mean;
        char what[200];
        std::snprintf(what, sizeof what,
                      "transfer %.1f%% +- %.1f vs scratch %.1f%% +- %.1f held out (target: beats scratch)",
                      100.0 * t.mean, 100.0 * t.stddev, 100.0 * s.mean, 100.0 * s.stddev);
        return lesson::report_target(opt, reached && same_body, what);
    });
}

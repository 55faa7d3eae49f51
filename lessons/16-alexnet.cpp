// Lesson 16: AlexNet
// =================
//
// In 2012 Alex Krizhevsky, Ilya Sutskever and Geoffrey Hinton won the ImageNet
// challenge (1.2 million photos, 1,000 classes) with a CNN, "ImageNet Classification
// with Deep Convolutional Neural Networks", cutting the best top-5 error from 26% to
// 15%. Its layers were LeNet's, bigger; what made it train were a handful of ideas
// that every network since has kept:
//
//   - ReLU, max(0, x), instead of tanh: no saturation for positive inputs, so the
//     gradient does not vanish, and the paper measured six times fewer epochs to
//     the same error on CIFAR-10 (lessons 06, 08);
//   - dropout (lesson 07) in the big dense layers of the classifier, which held most
//     of its 60 million parameters and overfitted without it;
//   - overlapping max pooling, windows of 3 every 2 pixels (MaxPool<3, 2>) rather
//     than LeNet's 2 every 2: slightly better, and harder to overfit, they found;
//   - a big strided first convolution (11 x 11, stride 4 on 224 x 224): the first
//     layer looks at large patches and shrinks the image at once, which is where most
//     of the computation would otherwise go;
//   - data augmentation: random 224 crops of 256 x 256 images and their mirror
//     images (2,048 times more training images, most of them nearly the same), and
//     changes of colour;
//   - GPUs: two GTX 580s with 3 GB each, the network split between them.
//
// Here the network is scaled to the data: the emoji categories (9 classes, 1,906
// Google emoji: smileys, people, animals, food, travel, activities, objects, symbols,
// flags), read at 32 x 32. The same pattern (one big strided convolution, overlapping
// pools, a stack of 3 x 3 convolutions, a dropout classifier) with 147 thousand
// parameters instead of 60 million. Its accuracy is compared with two baselines on a
// seeded validation split: always answering the largest class, and an MLP on the
// same pixels with as many parameters as it can use.
//
// Run:  build/release/lessons/16-alexnet [--smoke] [--out DIR]
//       (after scripts/fetch-data.sh emoji). The full run takes about 2 minutes with
//       OMP_NUM_THREADS=1 on a loaded 2-core machine; --smoke a few seconds.
// Writes: out/16-alexnet/curves.svg and mlp-curves.svg, confusion.png and
//         confusion.svg (validation), filters.png (the first layer's 24 filters),
//         augmented.png (what the network trains on), alexnet.safetensors.

#include <cstdio>
#include <string>
#include <vector>

#include <typenet/data/augment.hpp>
#include <typenet/data/emoji.hpp>
#include <typenet/data/split.hpp>
#include <typenet/image/grid.hpp>
#include <typenet/image/io.hpp>
#include <typenet/plot/confusion_matrix.hpp>
#include <typenet/plot/history.hpp>
#include <typenet/train/checkpoint.hpp>
#include <typenet/typenet.hpp>

#include "emoji_nets.hpp"
#include "lesson.hpp"
#include "small_data.hpp"

using namespace tn;

// ---------------------------------------------------------------------------------
// The network
// ---------------------------------------------------------------------------------
//
// lessons/emoji_nets.hpp writes it as torchvision writes AlexNet, a convolutional
// body (`features`) and a dense head (`classifier`), each a Sequential block:
//
//   layer                                      output         parameters
//   Input<3, 32, 32>                           3 x 32 x 32
//   features:
//     Conv2D<24, Kernel<5>, Stride<2>, Pad<2>>, ReLU  24 x 16 x 16   24 x 3 x 25 + 24  =  1,824
//     MaxPool<3, 2, Pad<1>>                    24 x 8 x 8
//     Conv2D<48, Kernel<3>, Same>, ReLU        48 x 8 x 8     48 x 24 x 9 + 48  = 10,416
//     MaxPool<3, 2, Pad<1>>                    48 x 4 x 4
//     Conv2D<64, Kernel<3>, Same>, ReLU        64 x 4 x 4     64 x 48 x 9 + 64  = 27,712
//     Conv2D<64, Kernel<3>, Same>, ReLU        64 x 4 x 4     64 x 64 x 9 + 64  = 36,928
//     Conv2D<48, Kernel<3>, Same>, ReLU        48 x 4 x 4     48 x 64 x 9 + 48  = 27,696
//     MaxPool<3, 2, Pad<1>>                    48 x 2 x 2
//   classifier:
//     Flatten                                  192
//     Dropout<20>, Dense<128>, ReLU            128            192 x 128 + 128   = 24,704
//     Dropout<20>, Dense<128>, ReLU            128            128 x 128 + 128   = 16,512
//     Dense<9>                                 9              128 x 9 + 9       =  1,161
//
// A pool of 3 every 2 overlaps its neighbour by one row and column: each value can
// win in up to four windows, so a feature that moves by a pixel changes the pooled
// map less abruptly than with side-by-side windows.
using AlexNet = emoji_nets::EmojiAlexNet<9>;
static_assert(std::is_same_v<AlexNet::output_shape, Shape<9>>);
static_assert(AlexNet::param_count == 1'824 + 10'416 + 27'712 + 36'928 + 27'696 + 24'704 + 16'512 + 1'161);

// The baseline: an MLP on the same 3,072 pixel values, with dropout as well. It has
// more parameters than the CNN (3,072 x 256 in its first layer alone) but no notion
// that neighbouring pixels belong together, nor that a face is a face anywhere.
using Mlp = Sequential<Input<3, 32, 32>, Flatten, Dense<256, Init<HeNormal>>, ReLU, Dropout<50>, Dense<9>>;
static_assert(Mlp::param_count == 3'072 * 256 + 256 + 256 * 9 + 9);

int main(int argc, char** argv) {
    return lesson::run([&] {
        const auto opt = lesson::parse(argc, argv, "16-alexnet");

        // -------------------------------------------------------------------------
        // The data: 1,906 emoji in 9 categories, 20% held out for validation
        // -------------------------------------------------------------------------
        //
        // The split is seeded, so every run (and the MLP) is judged on the same 381
        // emoji. There is no separate test set: nothing below is tuned on the
        // validation accuracy, it is only reported (lesson 12 says why that matters).
        auto emoji = data::emoji_categories(data::find("emoji"), {.size = emoji_nets::image_size});
        const auto& names = emoji.class_names;
        auto [train, validation] = data::split(emoji.data, 0.2, Seed{1});
        if (opt.smoke) {
            train = train.slice(0, 256);
            validation = validation.slice(0, 128);
        }
        std::printf("emoji categories: %zu training, %zu validation images of 3 x %zu x %zu\n\n", train.size(),
                    validation.size(), emoji.height, emoji.width);
        const auto train_labels = small_data::labels_of(train);
        const auto labels = small_data::labels_of(validation);

        // Baseline 0: answer the class that is largest in the training set, always.
        std::vector<std::size_t> counts(names.size());
        for (std::size_t l : train_labels) ++counts[l];
        const std::size_t largest = std::size_t(std::max_element(counts.begin(), counts.end()) - counts.begin());
        const double majority = small_data::accuracy(std::vector<std::size_t>(labels.size(), largest), labels);
        std::printf("baseline: always \"%s\" scores %.1f%% on validation\n\n", names[largest].c_str(),
                    100.0 * majority);

        const std::size_t epochs = opt.smoke ? 2 : 30;
        const auto rate = schedule::Cosine{.lr = 2e-3f, .period = epochs, .min_lr = 1e-5f};

        // -------------------------------------------------------------------------
        // Baseline 1: the MLP
        // -------------------------------------------------------------------------
        Model<Mlp> mlp{Seed{7}};
        Adam mlp_adam{{.lr = 2e-3f}};
        std::printf("MLP on the pixels (%zu parameters):\n", Mlp::param_count);
        const History mlp_history = fit(mlp, train, SoftmaxCrossEntropy{}, mlp_adam,
                                        {.epochs = epochs, .batch = 32, .validation = validation, .schedule = rate});
        plot::curves(mlp_history, lesson::wrote(opt.out / "mlp-curves.svg"), "MLP on the emoji pixels");
        const double mlp_accuracy = small_data::accuracy(small_data::predicted_classes(mlp, validation), labels);

        // -------------------------------------------------------------------------
        // Augmentation, as AlexNet did it
        // -------------------------------------------------------------------------
        //
        // Shifts by up to 3 pixels (AlexNet's random crops: 224 of 256 is up to 32
        // pixels, an eighth of the image, as 3 is of 32 here) and mirror images. The
        // emoji sit on white, so the border a shift uncovers is white too. A mirrored
        // face, car or flag is still in its category; text-like symbols (the "ABC"
        // emoji) are the exception, and few. AlexNet's colour changes (along the
        // principal components of ImageNet's pixels) are left out: colour is much of
        // what tells a flag from an object here.
        augment::Pipeline augmentation{augment::RandomCrop{.padding = 3, .fill = 1.f}, augment::HorizontalFlip{}};
        {
            // Eight emoji, each as the network sees it in four different epochs.
            constexpr std::size_t shown = 8, versions = 4;
            std::vector<float> batch(shown * versions * AlexNet::input_shape::size);
            Rng rng{Seed{3}};
            for (std::size_t v = 0; v < versions; ++v)
                for (std::size_t i = 0; i < shown; ++i)
                    train.copy_input(i * 37, batch.data() + (v * shown + i) * AlexNet::input_shape::size);
            augmentation.for_input<AlexNet::input_shape>()(batch.data(), shown * versions, rng);
            image::write_png(lesson::wrote(opt.out / "augmented.png"),
                             image::image_grid(batch.data(), shown * versions, 3, 32, 32,
                                               {.columns = shown, .upscale = 3, .gap = 2}));
        }

        // -------------------------------------------------------------------------
        // Training the AlexNet
        // -------------------------------------------------------------------------
        //
        // Adam at 2e-3 decayed to 1e-5 along a cosine (AlexNet used SGD with
        // momentum 0.9 and divided its rate by 10 by hand whenever the validation
        // error stopped falling), batches of 32.
        Model<AlexNet> net{Seed{42}};
        net.summary();
        Adam adam{{.lr = 2e-3f}};
        const History history =
            fit(net, train, SoftmaxCrossEntropy{}, adam,
                {.epochs = epochs, .batch = 32, .validation = validation, .schedule = rate,
                 .augment = augmentation.for_input<AlexNet::input_shape>()});
        plot::curves(history, lesson::wrote(opt.out / "curves.svg"), "AlexNet-style CNN on the emoji categories");
        history.write_csv(lesson::wrote(opt.out / "history.csv"));

        // -------------------------------------------------------------------------
        // Results: overall, per class, and where the mistakes go
        // -------------------------------------------------------------------------
        const auto predicted = small_data::predicted_classes(net, validation);
        const auto matrix = plot::confusion_matrix(predicted, labels, names.size());
        const double cnn_accuracy = matrix.accuracy();
        std::printf("\nvalidation accuracy per class (AlexNet-style CNN):\n");
        for (std::size_t c = 0; c < names.size(); ++c)
            std::printf("  %-18s %5.1f%%  (%zu of %zu)\n", names[c].c_str(),
                        matrix.row_total(c) ? 100.0 * double(matrix.at(c, c)) / double(matrix.row_total(c)) : 0.0,
                        matrix.at(c, c), matrix.row_total(c));
        plot::confusion_matrix_png(lesson::wrote(opt.out / "confusion.png"), matrix,
                                   {.title = "", .class_names = names});
        plot::confusion_matrix_svg(lesson::wrote(opt.out / "confusion.svg"), matrix,
                                   {.title = "AlexNet-style CNN, emoji validation", .class_names = names});

        // AlexNet's famous first figure: its first layer's filters, which had learnt
        // edges at every angle and blobs of colour after 90 epochs over 1.2 million
        // photos. Ours, after 30 epochs over 1,525 emoji, are still mostly the random
        // start with a tint: each prefers some colours over others (what tells a flag
        // from a face), and few are clean edges yet.
        const auto first = net.parameter("0.0.weight");
        image::write_png(lesson::wrote(opt.out / "filters.png"),
                         image::filter_grid(first.values.data(), 24, 3, 5, 5,
                                            {.columns = 8, .upscale = 8, .gap = 2,
                                             .normalize = image::Normalize::per_tile}));

        save_model(opt.out / "alexnet.safetensors", net);
        lesson::wrote(opt.out / "alexnet.safetensors");

        std::printf("\nvalidation accuracy: always \"%s\" %.1f%%, MLP %.1f%%, AlexNet-style CNN %.1f%%\n",
                    names[largest].c_str(), 100.0 * majority, 100.0 * mlp_accuracy, 100.0 * cnn_accuracy);
        const bool reached = cnn_accuracy > mlp_accuracy && cnn_accuracy > majority;
        char what[200];
        std::snprintf(what, sizeof what,
                      "CNN %.1f%% vs MLP %.1f%% and majority %.1f%% on validation (target: CNN beats both)",
                      100.0 * cnn_accuracy, 100.0 * mlp_accuracy, 100.0 * majority);
        return lesson::report_target(opt, reached, what);
    });
}

// Lesson 15: LeNet-5
// ==================
//
// In 1998 Yann LeCun, Léon Bottou, Yoshua Bengio and Patrick Haffner published
// "Gradient-based learning applied to document recognition". Its network, LeNet-5,
// read the digits on bank cheques, and it holds every idea of a modern CNN:
//
//   - convolution: a small kernel (5x5) slides over the image; the same 25 weights
//     look for the same pattern everywhere (weight sharing), so a 5x5x6 layer has
//     156 parameters where a dense layer from 784 pixels to 4,704 values would need
//     3.7 million;
//   - subsampling (pooling): halve each map, keeping the strongest (max) or the mean
//     (average) response, so the next layer sees a wider part of the image and small
//     shifts of the digit change little;
//   - a stack of both: early layers find strokes and edges, later ones combine them
//     into parts of digits; a few dense layers at the end classify.
//
// The network is a C++ type, so the compiler works out every shape below, and a
// layer that does not fit is a compile error with the numbers in it.
//
// Run:  build/release/lessons/15-lenet5 [--smoke] [--out DIR]
//       (after scripts/fetch-data.sh mnist). The full run trains 12 epochs on 55,000
//       digits, each shifted by up to 2 pixels; --smoke trains one epoch on 2,000.
// Writes: out/15-lenet5/curves.svg (loss and accuracy per epoch), history.csv, and
//         lenet5.safetensors (the trained weights, loadable in PyTorch as the
//         state_dict of the same nn.Sequential).

#include <cstdio>
#include <string>

#include <typenet/data/augment.hpp>
#include <typenet/data/mnist.hpp>
#include <typenet/plot/history.hpp>
#include <typenet/train/checkpoint.hpp>
#include <typenet/typenet.hpp>

#include "lesson.hpp"

using namespace tn;

// ---------------------------------------------------------------------------------
// The network
// ---------------------------------------------------------------------------------
//
// LeCun's LeNet-5 took 32x32 images and used tanh-like units and trainable average
// pooling. The version everyone trains today keeps its layers and sizes and swaps in
// what later work found to train faster: ReLU and max pooling. MNIST's digits are
// 28x28, so the first convolution pads by 2 to keep 28x28 (LeCun padded the
// images instead).
//
//   layer                               output      parameters
//   Input<1, 28, 28>                    1 x 28 x 28
//   Conv2D<6, Kernel<5>, Pad<2>>, ReLU  6 x 28 x 28 6 x (1 x 5 x 5) + 6   =    156
//   MaxPool<2>                          6 x 14 x 14
//   Conv2D<16, Kernel<5>>, ReLU         16 x 10 x 10 16 x (6 x 5 x 5) + 16 =  2,416
//   MaxPool<2>                          16 x 5 x 5
//   Flatten                             400
//   Dense<120>, ReLU                    120         400 x 120 + 120      = 48,120
//   Dense<84>, ReLU                     84          120 x 84 + 84        = 10,164
//   Dense<10>                           10          84 x 10 + 10         =    850
//
// A convolution without padding shrinks the map by kernel - 1: (10 = 14 - 5 + 1).
using LeNet5 = Sequential<Input<1, 28, 28>,
                          Conv2D<6, Kernel<5>, Pad<2>>, ReLU, MaxPool<2>,
                          Conv2D<16, Kernel<5>>, ReLU, MaxPool<2>,
                          Flatten,
                          Dense<120>, ReLU,
                          Dense<84>, ReLU,
                          Dense<10>>;

// The compiler has already checked all of this:
static_assert(std::is_same_v<LeNet5::output_shape, Shape<10>>);
static_assert(LeNet5::param_count == 61'706);

// And a mistake is caught before the program ever runs. Forget the Flatten,
//
//   using Broken = Sequential<Input<1, 28, 28>, Conv2D<6, Kernel<5>, Pad<2>>, ReLU, MaxPool<2>,
//                             Conv2D<16, Kernel<5>>, ReLU, MaxPool<2>, Dense<120>, ...>;
//
// and g++ stops at the first layer that cannot take its input, with the numbers:
//
//   error: static assertion failed: Dense: input is an image or volume (rank 3 or more); put Flatten before Dense
//   note: 'tn::NeedsFlatInput<tn::Dense<120>, tn::Got<16, 5, 5>, false>::ok' evaluates to false
//
// (tests/compile_fail/ pins this and every other shape rule's message.)

int main(int argc, char** argv) {
    return lesson::run([&] {
        const auto opt = lesson::parse(argc, argv, "15-lenet5");

        // -------------------------------------------------------------------------
        // The data: MNIST, 60,000 training and 10,000 test digits
        // -------------------------------------------------------------------------
        //
        // The last 5,000 training digits are held out for validation: the test set
        // is looked at once, at the end, so that no choice made while training (how
        // many epochs, which rate) is tuned on it.
        const auto mnist = data::mnist();
        const std::size_t n_train = opt.smoke ? 2'000 : 55'000;
        const Dataset train = mnist.train.slice(0, n_train);
        const Dataset validation = mnist.train.slice(55'000, opt.smoke ? 56'000 : 60'000);
        const Dataset test = opt.smoke ? mnist.test.slice(0, 1'000) : mnist.test;
        std::printf("MNIST: %zu training, %zu validation, %zu test digits of 1 x 28 x 28\n\n", train.size(),
                    validation.size(), test.size());

        Model<LeNet5> net{Seed{42}};
        net.summary();

        // -------------------------------------------------------------------------
        // Training
        // -------------------------------------------------------------------------
        //
        // Adam at 1e-3, batches of 64, and a cosine decay of the rate to 1e-5 over
        // the run: large steps while far from a minimum, small ones to settle.
        //
        // Each training digit is also shifted by up to 2 pixels each way, a new shift
        // every time it is seen (data augmentation, lesson 21): a digit moved a little
        // is the same digit, and the network that has seen it moved generalises
        // better to how people really centre their digits.
        const std::size_t epochs = opt.smoke ? 1 : 12;
        const augment::Pipeline shifts{augment::RandomCrop{.padding = 2}};
        Adam adam{{.lr = 1e-3f}};
        const History history =
            fit(net, train, SoftmaxCrossEntropy{}, adam,
                {.epochs = epochs, .batch = 64, .validation = validation,
                 .schedule = schedule::Cosine{.lr = 1e-3f, .period = epochs, .min_lr = 1e-5f},
                 .augment = shifts.for_input<Model<LeNet5>::input_shape>()});
        plot::curves(history, lesson::wrote(opt.out / "curves.svg"), "LeNet-5 on MNIST");
        history.write_csv(lesson::wrote(opt.out / "history.csv"));

        // -------------------------------------------------------------------------
        // The test set, once
        // -------------------------------------------------------------------------
        const Evaluation on_test = evaluate(net, test, SoftmaxCrossEntropy{});
        std::printf("\ntest: loss %.4f, accuracy %.2f%% (%zu of %zu digits wrong)\n", double(on_test.loss),
                    100.0 * double(on_test.accuracy),
                    std::size_t(double(test.size()) * (1.0 - double(on_test.accuracy)) + 0.5), test.size());

        // -------------------------------------------------------------------------
        // Save, load, and check that nothing was lost
        // -------------------------------------------------------------------------
        //
        // The weights go to a safetensors file under PyTorch's names ("0.weight"
        // is the first convolution's [6, 1, 5, 5] kernels), so the file is also the
        // state_dict of the same network written with torch.nn.
        const auto path = opt.out / "lenet5.safetensors";
        save_model(path, net);
        lesson::wrote(path);
        Model<LeNet5> reloaded;
        load_model(path, reloaded);
        const Evaluation again = evaluate(reloaded, test, SoftmaxCrossEntropy{});
        std::printf("reloaded from %s: accuracy %.2f%% (the same: %s)\n", path.filename().string().c_str(),
                    100.0 * double(again.accuracy), again.accuracy == on_test.accuracy ? "yes" : "NO");

        const bool reached = on_test.accuracy >= 0.990f && again.accuracy == on_test.accuracy;
        char what[160];
        std::snprintf(what, sizeof what, "LeNet-5 test accuracy %.2f%% (target >= 99.0%%)",
                      100.0 * double(on_test.accuracy));
        return lesson::report_target(opt, reached, what);
    });
}

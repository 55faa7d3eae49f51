// The bodies of data/sentiment.hpp, with nlohmann::json here only, so its compile
// cost is paid once in typenet::precompiled (include/typenet/config.hpp).
#pragma once
#include <algorithm>
#include <fstream>
#include <numeric>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "typenet/data/sentiment.hpp"

namespace tn::data {

TYPENET_INLINE std::vector<LabelledSentence> read_sentiment_json(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open the sentiment file " + file.string());
    nlohmann::json json;
    try {
        json = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
        throw std::runtime_error(file.string() + ": not valid JSON: " + e.what());
    }
    if (!json.is_array())
        throw std::runtime_error(file.string() + ": expected an array of {\"text\", \"class\"} objects, found a " +
                                 std::string(json.type_name()));
    const std::string source = file.stem().string();
    std::vector<LabelledSentence> out;
    out.reserve(json.size());
    for (std::size_t i = 0; i < json.size(); ++i) {
        const auto& e = json[i];
        const auto fail = [&](const std::string& why) {
            throw std::runtime_error(file.string() + ": entry " + std::to_string(i) + ": " + why);
        };
        if (!e.is_object()) fail("expected an object, found a " + std::string(e.type_name()));
        const auto text = e.find("text");
        const auto label = e.find("class");
        if (text == e.end() || !text->is_string()) fail("no string \"text\"");
        if (label == e.end()) fail("no \"class\"");
        const auto& t = text->get_ref<const std::string&>();
        if (t.empty() && label->is_null()) continue;  // the fixtures' closing placeholder
        if (!label->is_number_integer() || (label->get<int>() != 0 && label->get<int>() != 1))
            fail("\"class\" must be 0 or 1, found " + label->dump());
        if (t.empty()) fail("the text is empty");
        out.push_back({t, label->get<int>(), source});
    }
    return out;
}

TYPENET_INLINE SentimentData sentiment_data(std::vector<LabelledSentence> sentences,
                                            const SentimentOptions& options) {
    if (options.max_length == 0) throw std::invalid_argument("sentiment: max_length must be at least 1");
    if (!(options.test_fraction > 0 && options.test_fraction < 1))
        throw std::invalid_argument("sentiment: test_fraction must be between 0 and 1 (exclusive), got " +
                                    std::to_string(options.test_fraction));
    if (sentences.size() < 2)
        throw std::invalid_argument("sentiment: " + std::to_string(sentences.size()) + " sentences; need 2 to split");
    std::vector<std::size_t> order(sentences.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    Rng rng{options.seed};
    for (std::size_t i = order.size() - 1; i > 0; --i) std::swap(order[i], order[rng.below(i + 1)]);
    const std::size_t n_test = std::clamp<std::size_t>(
        std::size_t(double(sentences.size()) * options.test_fraction + 0.5), 1, sentences.size() - 1);
    const std::size_t n_train = sentences.size() - n_test;

    std::vector<std::string> train_texts;
    train_texts.reserve(n_train);
    for (std::size_t k = 0; k < n_train; ++k) train_texts.push_back(sentences[order[k]].text);
    SentimentData out;
    out.vocabulary = Vocabulary::words(train_texts, options.vocabulary);
    out.train = Dataset("sentiment train", options.max_length, 1);
    out.test = Dataset("sentiment test", options.max_length, 1);
    for (std::size_t k = 0; k < order.size(); ++k) {
        const LabelledSentence& s = sentences[order[k]];
        std::vector<std::int32_t> ids;
        try {
            ids = out.vocabulary.encode(s.text);
        } catch (const std::exception& e) {
            throw std::runtime_error("sentiment: the " + s.source + " sentence \"" + s.text.substr(0, 40) +
                                     "\": " + e.what());
        }
        if (ids.empty()) {
            ++out.dropped;
            continue;
        }
        if (ids.size() > options.max_length) {
            ids.resize(options.max_length);
            ++out.truncated;
        }
        const float label = float(s.label);
        (k < n_train ? out.train : out.test).add_sequence(ids, {&label, 1}, Vocabulary::pad_id);
    }
    out.train.validate();
    out.test.validate();
    return out;
}

TYPENET_INLINE SentimentData sentiment(const std::filesystem::path& folder, const SentimentOptions& options) {
    std::vector<LabelledSentence> all;
    for (const std::string& source : options.sources) {
        const auto file = folder / (source + ".json");
        if (!std::filesystem::exists(file))
            throw MissingData("no " + source + ".json in " + folder.string() + fetch_hint("sentiment"));
        auto part = read_sentiment_json(file);
        all.insert(all.end(), std::make_move_iterator(part.begin()), std::make_move_iterator(part.end()));
    }
    return sentiment_data(std::move(all), options);
}

}  // namespace tn::data

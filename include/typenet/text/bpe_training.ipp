// The bodies of text/bpe_training.hpp: inline in a header-only build, compiled once
// into typenet::precompiled otherwise (include/typenet/config.hpp).
#pragma once
#include <algorithm>
#include <array>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "typenet/text/bpe_training.hpp"

namespace tn::text {

TYPENET_INLINE BytePairEncoding train_byte_level_bpe(std::string_view corpus, std::size_t vocab_size,
                                                     const BpeTrainingOptions& options) {
    const std::size_t least = 256 + (options.end_of_text ? 1 : 0);
    if (vocab_size < least)
        throw std::invalid_argument("train_byte_level_bpe: vocab_size " + std::to_string(vocab_size) +
                                    " is below the " + std::to_string(least) + " tokens every byte-level BPE has");
    // The distinct pieces and their counts, in byte order (so that nothing below
    // depends on a hash table's order).
    std::vector<std::pair<std::string_view, std::uint64_t>> distinct;
    {
        const std::vector<std::string_view> pieces = Gpt2PreTokenizer{}.split(corpus);
        std::unordered_map<std::string_view, std::uint64_t> counts;
        for (const std::string_view p : pieces) ++counts[p];
        distinct.assign(counts.begin(), counts.end());
        std::sort(distinct.begin(), distinct.end());
    }
    std::vector<std::string> tokens;
    std::unordered_map<std::string, std::int32_t> index;
    std::array<std::int32_t, 256> byte_id{};
    for (const unsigned char b : BytePairEncoding::gpt2_byte_order()) {
        byte_id[b] = static_cast<std::int32_t>(tokens.size());
        index.emplace(std::string(1, static_cast<char>(b)), byte_id[b]);
        tokens.emplace_back(1, static_cast<char>(b));
    }
    std::vector<std::vector<std::int32_t>> words(distinct.size());
    std::vector<std::uint64_t> word_count(distinct.size());
    for (std::size_t w = 0; w < distinct.size(); ++w) {
        for (const char b : distinct[w].first) words[w].push_back(byte_id[static_cast<unsigned char>(b)]);
        word_count[w] = distinct[w].second;
    }

    const auto key = [](std::int32_t a, std::int32_t b) { return (std::uint64_t(std::uint32_t(a)) << 32) | std::uint32_t(b); };
    const auto left_of = [](std::uint64_t k) { return static_cast<std::int32_t>(k >> 32); };
    const auto right_of = [](std::uint64_t k) { return static_cast<std::int32_t>(k & 0xFFFFFFFFu); };
    std::unordered_map<std::uint64_t, std::uint64_t> pair_count;
    std::unordered_map<std::uint64_t, std::vector<std::uint32_t>> where;  // pair -> pieces that may hold it
    for (std::size_t w = 0; w < words.size(); ++w)
        for (std::size_t i = 0; i + 1 < words[w].size(); ++i) {
            const auto k = key(words[w][i], words[w][i + 1]);
            pair_count[k] += word_count[w];
            auto& list = where[k];
            if (list.empty() || list.back() != w) list.push_back(static_cast<std::uint32_t>(w));
        }

    // A max-heap of (count, pair), entries made stale by later counts skipped when popped.
    struct Entry {
        std::uint64_t count;
        std::uint64_t pair;
    };
    const auto lower_priority = [&](const Entry& a, const Entry& b) {
        if (a.count != b.count) return a.count < b.count;
        const std::string &al = tokens[left_of(a.pair)], &bl = tokens[left_of(b.pair)];
        if (al != bl) return al > bl;
        return tokens[right_of(a.pair)] > tokens[right_of(b.pair)];
    };
    std::vector<Entry> heap;
    heap.reserve(pair_count.size());
    for (const auto& [k, c] : pair_count) heap.push_back({c, k});
    std::make_heap(heap.begin(), heap.end(), lower_priority);

    std::vector<BytePairEncoding::Merge> merges;
    std::vector<std::uint64_t> stamp(words.size(), 0);
    std::unordered_set<std::uint64_t> touched;
    std::vector<std::int32_t> merged_word;
    const std::size_t target = vocab_size - (options.end_of_text ? 1 : 0);
    std::uint64_t step = 0;
    while (tokens.size() < target && !heap.empty()) {
        std::pop_heap(heap.begin(), heap.end(), lower_priority);
        const Entry top = heap.back();
        heap.pop_back();
        const auto current = pair_count.find(top.pair);
        if (current == pair_count.end() || current->second != top.count) continue;  // stale
        if (top.count < std::max<std::size_t>(options.min_pair_count, 1)) break;
        const std::int32_t a = left_of(top.pair), b = right_of(top.pair);
        std::string joined = tokens[a] + tokens[b];
        std::int32_t result;
        if (const auto it = index.find(joined); it != index.end()) {
            result = it->second;  // made before from another pair ("ab" + "c" and "a" + "bc")
        } else {
            result = static_cast<std::int32_t>(tokens.size());
            index.emplace(joined, result);
            tokens.push_back(std::move(joined));
        }
        merges.push_back({a, b, result});
        ++step;
        touched.clear();
        const std::vector<std::uint32_t> holders = std::move(where[top.pair]);
        where.erase(top.pair);
        for (const std::uint32_t w : holders) {
            if (stamp[w] == step) continue;
            stamp[w] = step;
            auto& word = words[w];
            const std::uint64_t c = word_count[w];
            bool has = false;
            for (std::size_t i = 0; i + 1 < word.size() && !has; ++i) has = word[i] == a && word[i + 1] == b;
            if (!has) continue;
            for (std::size_t i = 0; i + 1 < word.size(); ++i) {
                const auto k = key(word[i], word[i + 1]);
                pair_count[k] -= c;
                touched.insert(k);
            }
            merged_word.clear();
            for (std::size_t i = 0; i < word.size(); ++i) {
                if (i + 1 < word.size() && word[i] == a && word[i + 1] == b) {
                    merged_word.push_back(result);
                    ++i;
                } else {
                    merged_word.push_back(word[i]);
                }
            }
            word.swap(merged_word);
            for (std::size_t i = 0; i + 1 < word.size(); ++i) {
                const auto k = key(word[i], word[i + 1]);
                pair_count[k] += c;
                touched.insert(k);
                auto& list = where[k];
                if (list.empty() || list.back() != w) list.push_back(w);
            }
        }
        for (const std::uint64_t k : touched) {
            const auto it = pair_count.find(k);
            if (it->second == 0) {
                pair_count.erase(it);
            } else {
                heap.push_back({it->second, k});
                std::push_heap(heap.begin(), heap.end(), lower_priority);
            }
        }
    }
    if (options.end_of_text) tokens.emplace_back(BytePairEncoding::end_of_text);
    return BytePairEncoding::build(std::move(tokens), std::move(merges));
}

}  // namespace tn::text

// The bodies of text/pre_tokenizer.hpp: inline in a header-only build (the program
// then links PCRE2 itself: pkg-config libpcre2-8), compiled once into
// typenet::precompiled otherwise (include/typenet/config.hpp).
#pragma once
#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif
#include <pcre2.h>

#include <stdexcept>
#include <string>

#include "typenet/text/pre_tokenizer.hpp"
#include "typenet/text/unicode.hpp"

namespace tn::text {

struct Gpt2PreTokenizer::Compiled {
    pcre2_code* code = nullptr;
    bool jit = false;
    Compiled() {
        int error = 0;
        PCRE2_SIZE offset = 0;
        code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), PCRE2_UTF | PCRE2_UCP,
                             &error, &offset, nullptr);
        if (!code) throw std::runtime_error("Gpt2PreTokenizer: PCRE2 cannot compile the pattern at offset " +
                                            std::to_string(offset) + ": " + message(error));
        jit = pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0;
    }
    ~Compiled() { pcre2_code_free(code); }
    Compiled(const Compiled&) = delete;
    Compiled& operator=(const Compiled&) = delete;

    static std::string message(int error) {
        PCRE2_UCHAR buffer[256];
        const int n = pcre2_get_error_message(error, buffer, sizeof buffer);
        return n < 0 ? "error " + std::to_string(error) : std::string(reinterpret_cast<const char*>(buffer), n);
    }
};

namespace detail {
// The match data of one split() call (PCRE2's ovector), freed however it ends.
struct MatchData {
    pcre2_match_data* data;
    explicit MatchData(const pcre2_code* code) : data(pcre2_match_data_create_from_pattern(code, nullptr)) {
        if (!data) throw std::bad_alloc();
    }
    ~MatchData() { pcre2_match_data_free(data); }
    MatchData(const MatchData&) = delete;
    MatchData& operator=(const MatchData&) = delete;
};
}  // namespace detail

TYPENET_INLINE Gpt2PreTokenizer::Gpt2PreTokenizer() {
    static const std::shared_ptr<const Compiled> shared = std::make_shared<const Compiled>();
    compiled_ = shared;
}

TYPENET_INLINE bool Gpt2PreTokenizer::jit() const { return compiled_->jit; }

TYPENET_INLINE void Gpt2PreTokenizer::split(std::string_view text, std::vector<std::string_view>& pieces) const {
    const pcre2_code* code = compiled_->code;
    detail::MatchData match(code);
    std::size_t i = 0;
    while (i < text.size()) {
        const std::size_t run_end = unicode::valid_run_end(text, i);
        if (run_end == i) {  // a byte that starts no valid UTF-8 sequence: a piece of its own
            pieces.push_back(text.substr(i, 1));
            ++i;
            continue;
        }
        // The valid run text[i, run_end) as PCRE2's subject: the pattern sees neither
        // the invalid byte after it nor anything before it.
        const std::string_view run = text.substr(i, run_end - i);
        const auto subject = reinterpret_cast<PCRE2_SPTR>(run.data());
        std::size_t at = 0;
        while (at < run.size()) {
            int rc = pcre2_match(code, subject, run.size(), at, PCRE2_NO_UTF_CHECK, match.data, nullptr);
            if (rc == PCRE2_ERROR_JIT_STACKLIMIT)  // the interpreter keeps its backtracking on the heap
                rc = pcre2_match(code, subject, run.size(), at, PCRE2_NO_UTF_CHECK | PCRE2_NO_JIT, match.data,
                                 nullptr);
            if (rc == PCRE2_ERROR_NOMATCH) {  // cannot happen: the alternatives cover every character
                pieces.push_back(run.substr(at));
                break;
            }
            if (rc < 0)
                throw std::runtime_error("Gpt2PreTokenizer: PCRE2 failed at byte " + std::to_string(i + at) + ": " +
                                         Compiled::message(rc));
            const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(match.data);
            std::size_t start = ov[0], end = ov[1];
            if (start > at) pieces.push_back(run.substr(at, start - at));  // cannot happen either
            if (end <= start) end = start + unicode::sequence_length(run, start);
            pieces.push_back(run.substr(start, end - start));
            at = end;
        }
        i = run_end;
    }
}

}  // namespace tn::text

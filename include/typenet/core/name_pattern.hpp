// Which parameter names a freeze / unfreeze call means.
//
//   "0"            the tensors named 0 or below it: 0.weight, 0.bias, 0.3.weight (not 10.*)
//   ""             every tensor
//   "*lora*"       with a '*' the pattern is matched against the whole name, each '*'
//                  standing for any run of characters (dots included), as a shell glob:
//                  "*.self_attn.*" every attention's tensors, "0.1.*.norm?" is not a
//                  pattern ('?' and brackets are ordinary characters)
//
// One rule for both freeze and unfreeze, so that fine-tuning reads as it is meant:
// model.freeze(""); model.unfreeze("*lora_*"); trains the adapters only.
#pragma once
#include <string_view>

namespace tn::detail {

// '*' matches any run of characters; everything else matches itself.
// Iterative with one back-tracking point per star (the usual glob walk): linear in
// practice, and no recursion depth to worry about for long names.
inline bool glob_matches(std::string_view pattern, std::string_view name) {
    std::size_t p = 0, n = 0, star = std::string_view::npos, resume = 0;
    while (n < name.size()) {
        if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            resume = n;
        } else if (p < pattern.size() && pattern[p] == name[n]) {
            ++p;
            ++n;
        } else if (star != std::string_view::npos) {
            p = star + 1;
            n = ++resume;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*') ++p;
    return p == pattern.size();
}

// The rule above: a glob when the pattern has a '*', otherwise a prefix at a dot.
inline bool name_matches(std::string_view pattern, std::string_view name) {
    if (pattern.find('*') != std::string_view::npos) return glob_matches(pattern, name);
    if (pattern.empty() || name == pattern) return true;
    if (!name.starts_with(pattern)) return false;
    return pattern.back() == '.' || name[pattern.size()] == '.';
}

}  // namespace tn::detail

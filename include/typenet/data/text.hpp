// Plain text: UTF-8 decoding that names where a file goes wrong, reading a text file
// as the course uses it, and the two English books scripts/fetch-data.sh text takes
// from Debian's golang-github-pierrec-lz4-dev (its compression test data):
//
//   std::string book = tn::data::sherlock_holmes();   // data/text/pg1661.txt, 562,531 bytes
//   auto chars = tn::data::Vocabulary::characters(book);   // data/vocabulary.hpp
//
// Text stays UTF-8 bytes in a std::string; code points (char32_t) only where a
// character vocabulary needs them. Every reader validates first, so a file in
// Latin-1 or a truncated download fails here, with the byte offset, not later as a
// vocabulary of strange "characters".
#pragma once
#include <cstddef>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

#include "typenet/config.hpp"
#include "typenet/data/find.hpp"

namespace tn::data {

// Invalid UTF-8: `offset` is the byte where the bad sequence starts.
struct Utf8Error : std::runtime_error {
    std::size_t offset;
    Utf8Error(const std::string& what, std::size_t offset_) : std::runtime_error(what), offset(offset_) {}
};

// The code points of `bytes`, or Utf8Error naming `what` and the offset of the first
// invalid sequence: a stray continuation byte, a truncated sequence, an overlong
// form, a surrogate (U+D800..U+DFFF) or a value above U+10FFFF (RFC 3629).
TYPENET_INLINE std::u32string decode_utf8(std::string_view bytes, std::string_view what = "text");
// Throws as decode_utf8 does, without building the code points.
TYPENET_INLINE void validate_utf8(std::string_view bytes, std::string_view what = "text");
// One code point at bytes[offset]; advances offset past it. Throws as decode_utf8.
TYPENET_INLINE char32_t next_code_point(std::string_view bytes, std::size_t& offset, std::string_view what = "text");

TYPENET_INLINE void append_utf8(std::string& out, char32_t c);  // c must be a valid code point
TYPENET_INLINE std::string encode_utf8(std::u32string_view code_points);

struct TextOptions {
    bool strip_bom = true;      // a leading U+FEFF (pg1661.txt starts with one) is not text
    bool unix_newlines = true;  // CRLF and lone CR become LF (pg1661.txt has CRLF)
    // Keep only what lies between Project Gutenberg's "*** START OF ..." and
    // "*** END OF ..." lines: the licence around the book is not the author's prose.
    // An error when the markers are missing.
    bool gutenberg_body = false;
};

// A UTF-8 text file, validated (Utf8Error names the file and the offset in it).
TYPENET_INLINE std::string read_text(const std::filesystem::path& file, const TextOptions& options = {});

// The text between Project Gutenberg's START and END marker lines; `what` names
// the text in the error when a marker is missing.
TYPENET_INLINE std::string gutenberg_body(std::string_view text, std::string_view what = "text");

// The Adventures of Sherlock Holmes (Arthur Conan Doyle, Project Gutenberg #1661,
// public domain), the book only, LF newlines: 562,516 characters in 562,531 bytes
// (of the file's 594,933, with the BOM, the licence and CRLF). From data/text/pg1661.txt.
TYPENET_INLINE std::string sherlock_holmes(const std::filesystem::path& folder = find("text"));
// The Adventures of Tom Sawyer (Mark Twain, public domain; the file has no Gutenberg
// licence around it), 388 KB ASCII. From data/text/Mark.Twain-Tom.Sawyer.txt.
TYPENET_INLINE std::string tom_sawyer(const std::filesystem::path& folder = find("text"));

}  // namespace tn::data

#if TYPENET_DEFINE_BODIES
#include "typenet/data/text.ipp"
#endif

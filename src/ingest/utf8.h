#pragma once
// The byte-level half of check 1b, ENCODING_ERROR (DESIGN.md "Rows"): a record whose bytes
// are not valid UTF-8, or hold a NUL, cannot go into a VARCHAR as it is. DuckDB refuses
// invalid UTF-8 when it builds a value and other readers cut strings at a NUL, so such a
// record is quarantined with its text made valid (U+FFFD for each bad sequence) and its
// exact bytes kept beside it.
//
// Validity is RFC 3629 UTF-8: no overlong forms, no surrogates (U+D800..U+DFFF), nothing
// above U+10FFFF.

#include <string>
#include <string_view>

namespace runlake {

// True when `s` is valid UTF-8 without a NUL byte. ASCII is checked 8 bytes at a time, so
// the common record costs a few instructions per word.
bool IsCleanUtf8(std::string_view s);

// Appends `s` to *out with every NUL byte and every maximal ill-formed subsequence (the
// Unicode Standard's "U+FFFD substitution of maximal subparts", as WHATWG decoders do)
// replaced by U+FFFD. The result is valid UTF-8 without a NUL; it equals `s` when
// IsCleanUtf8(s).
void AppendCleanUtf8(std::string_view s, std::string* out);
std::string CleanUtf8(std::string_view s);

}  // namespace runlake

// Small string and number parsing helpers shared by every reader of host
// files. Allocation-free: results are views into the caller's text. Parsing
// functions return false instead of guessing when the text is not a number.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace warden {

// Splits text on a delimiter, keeping empty fields.
std::vector<std::string_view> SplitString(std::string_view text, char delim);
// Splits on runs of ASCII whitespace, dropping empty fields.
std::vector<std::string_view> SplitWhitespace(std::string_view text);
std::string_view TrimWhitespace(std::string_view text);
// Parses a decimal (or, with base 16, hex) integer; false when text is not one.
bool ParseInt64(std::string_view text, int64_t* out, int base = 10);
bool ParseUint64(std::string_view text, uint64_t* out, int base = 10);
bool ParseDouble(std::string_view text, double* out);
bool StartsWith(std::string_view s, std::string_view prefix);
// A copy with A-Z lowered (locale-independent; other bytes unchanged).
std::string AsciiLower(std::string_view text);
bool EndsWith(std::string_view s, std::string_view suffix);

// The candidate closest to `word` when it is plausibly a typo of it (edit
// distance at most max(2, a third of the word), ASCII case ignored; a
// candidate that `word` starts, for words of 3+ characters, counts as
// distance 1), else nullopt. For "did you mean" hints.
std::optional<std::string> ClosestMatch(std::string_view word,
                                        const std::vector<std::string>& candidates);

}  // namespace warden

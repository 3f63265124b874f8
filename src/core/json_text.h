// JSON written as text without building a document, byte for byte as
// nlohmann::json's compact dump (error_handler_t::replace) would write it, so
// streaming writers and DOM renderings of the same data agree:
//   - AppendJsonText writes a string with the same escapes (\" \\ \b \f \n
//     \r \t, \u00xx for other control characters, UTF-8 as it is) and the
//     same replacement of invalid UTF-8;
//   - AppendJsonDocument writes a document's dump;
//   - IsCanonicalJson tells whether a text is valid JSON that such a dump of
//     its parse would reproduce exactly (no whitespace, only those escapes,
//     valid UTF-8, integers only, nested at most `max_depth`), so it can be
//     spliced into output as it is. Texts that are not (pretty-printed,
//     "\/" or "\u00e9" escapes, floats) go through a DOM instead.
// Duplicate object keys are not looked for: a DOM would keep one of them.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace warden {

// Appends `text` as a JSON string, quotes included.
void AppendJsonText(std::string_view text, std::string* out);

bool IsCanonicalJson(std::string_view text, int max_depth);

// Appends a document's compact dump (error_handler_t::replace) without the
// serializer's per-call set-up: strings through AppendJsonText, integers
// with to_chars; floating-point numbers through the serializer itself.
void AppendJsonDocument(const nlohmann::ordered_json& value, std::string* out);

}  // namespace warden

// Shape checks for the JSON feeds (Debian tracker, OSV): reading a member of
// the type the importer expects, or failing with the input's name, the
// member's place as an RFC 6901 JSON pointer and what was found there.
// Absent or null optional members read as empty; a member of another type is
// always an error, never "empty": an importer that read `"fixed_version": 123`
// as no fixed version would store a different verdict than the vendor
// published, and a re-import would replace good rows with it.
// Knows no feed's schema: each importer says which keys it reads and needs.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/status.h"

namespace warden {

// Where a value sits: the input's name and its JSON pointer ("" is the document itself).
struct JsonPlace {
  std::string_view origin;
  std::string pointer;

  JsonPlace Child(std::string_view key) const;
  JsonPlace Index(size_t index) const;
  // "tracker.json: /openssl/CVE-2023-5678/releases"
  std::string Describe() const;
};

enum class JsonNeed { kOptional, kRequired };

// "origin: /a/b: expected a string, found number 123".
Status JsonWrongType(const JsonPlace& at, std::string_view expected, const nlohmann::json& found);
// "origin: /a: missing \"key\" (a string)".
Status JsonMissing(const JsonPlace& at, std::string_view key, std::string_view expected);

// The text member `key` of `object` (`at` is the object's place). Absent or
// null: "" when optional, an error when required. Not a string: an error.
Status ReadJsonText(const nlohmann::json& object, const JsonPlace& at, const char* key,
                    JsonNeed need, std::string* out);

// The member `key` of `object` when it has `type` (object, array or string);
// nullptr when it is absent or null and optional. Any other type: an error.
Result<const nlohmann::json*> ReadJsonMember(const nlohmann::json& object, const JsonPlace& at,
                                             const char* key, nlohmann::json::value_t type,
                                             JsonNeed need);

// nlohmann's exception text without its "[json.exception.parse_error.101] " prefix.
std::string CleanJsonError(std::string_view what);

}  // namespace warden

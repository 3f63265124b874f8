#include "vuln/json_shape.h"

#include "core/strings.h"

namespace warden {
namespace {

using nlohmann::json;

// RFC 6901: "~" is written "~0" and "/" is written "~1" inside a token.
std::string PointerToken(std::string_view key) {
  std::string out;
  out.reserve(key.size());
  for (char c : key) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

std::string_view ExpectedName(json::value_t type) {
  switch (type) {
    case json::value_t::object:
      return "an object";
    case json::value_t::array:
      return "a list";
    case json::value_t::string:
      return "a string";
    default:
      return "a value";
  }
}

bool HasType(const json& value, json::value_t type) { return value.type() == type; }

}  // namespace

JsonPlace JsonPlace::Child(std::string_view key) const {
  return JsonPlace{origin, pointer + "/" + PointerToken(key)};
}

JsonPlace JsonPlace::Index(size_t index) const {
  return JsonPlace{origin, pointer + "/" + std::to_string(index)};
}

std::string JsonPlace::Describe() const {
  return std::string(origin) + ": " + (pointer.empty() ? std::string("/ (the document)") : pointer);
}

Status JsonWrongType(const JsonPlace& at, std::string_view expected, const json& found) {
  std::string what = found.type_name();
  if (found.is_primitive() && !found.is_null()) {
    // Show short scalars as they were written; a person can then find them.
    std::string text = found.dump(-1, ' ', false, json::error_handler_t::replace);
    if (text.size() > 40) text = text.substr(0, 37) + "...";
    what += " " + text;
  }
  return ParseError(at.Describe() + ": expected " + std::string(expected) + ", found " + what);
}

Status JsonMissing(const JsonPlace& at, std::string_view key, std::string_view expected) {
  return ParseError(at.Describe() + ": missing \"" + std::string(key) + "\" (" +
                    std::string(expected) + ")");
}

Status ReadJsonText(const json& object, const JsonPlace& at, const char* key, JsonNeed need,
                    std::string* out) {
  out->clear();
  ASSIGN_OR_RETURN(const json* member,
                   ReadJsonMember(object, at, key, json::value_t::string, need));
  if (member != nullptr) *out = member->get_ref<const std::string&>();
  return Status::Ok();
}

Result<const json*> ReadJsonMember(const json& object, const JsonPlace& at, const char* key,
                                   json::value_t type, JsonNeed need) {
  if (!object.is_object()) return JsonWrongType(at, "an object", object);
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) {
    if (need == JsonNeed::kRequired) return JsonMissing(at, key, ExpectedName(type));
    return static_cast<const json*>(nullptr);
  }
  if (!HasType(*it, type)) return JsonWrongType(at.Child(key), ExpectedName(type), *it);
  return &*it;
}

std::string CleanJsonError(std::string_view what) {
  if (StartsWith(what, "[json.exception.")) {
    size_t close = what.find("] ");
    if (close != std::string_view::npos) what.remove_prefix(close + 2);
  }
  return std::string(what);
}

}  // namespace warden

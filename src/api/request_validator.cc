#include "api/request_validator.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <exception>
#include <vector>

namespace warden::api {
namespace {

// Input text as errors show it: at most `limit` characters, control and
// non-ASCII bytes and backslashes (and `quote`, when set) as \xNN, so an
// error is printable ASCII (valid UTF-8 for the JSON envelope) and never
// carries raw bytes.
std::string Printable(std::string_view value, size_t limit, char quote = '\0') {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  size_t shown = 0;
  for (unsigned char c : value) {
    if (shown++ == limit) {
      out += "...";
      break;
    }
    if (c < 0x20 || c >= 0x7f || c == '\\' ||
        (quote != '\0' && c == static_cast<unsigned char>(quote))) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

// A value quoted in a message: 'abc'.
std::string Shown(std::string_view value) { return "'" + Printable(value, 40, '\'') + "'"; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::optional<std::string_view> HeaderValue(StringPairs headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return std::string_view(value);
  }
  return std::nullopt;
}

// Strict UTF-8 (RFC 3629: no overlong forms, no surrogates, at most
// U+10FFFF). Decoded query, path and header values can hold any bytes; the
// validator's string functions (and JSON output) need valid UTF-8.
bool IsValidUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t length = 0;
    uint32_t min = 0;
    uint32_t code = 0;
    if ((c & 0xe0) == 0xc0) {
      length = 2, min = 0x80, code = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      length = 3, min = 0x800, code = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      length = 4, min = 0x10000, code = c & 0x07;
    } else {
      return false;
    }
    if (i + length > text.size()) return false;
    for (size_t k = 1; k < length; ++k) {
      auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xc0) != 0x80) return false;
      code = (code << 6) | (next & 0x3f);
    }
    if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return false;
    i += length;
  }
  return true;
}

// Converts one string to the JSON value of a scalar `type`; nullopt with
// `why` when it is not one.
std::optional<Json> CoerceScalar(std::string_view text, const std::string& type, std::string* why) {
  if (!IsValidUtf8(text)) {
    *why = "is not valid UTF-8";
    return std::nullopt;
  }
  if (type == "string") return Json(std::string(text));
  if (type == "boolean") {
    if (text == "true") return Json(true);
    if (text == "false") return Json(false);
    *why = "must be true or false";
    return std::nullopt;
  }
  if (type == "integer") {
    int64_t value = 0;
    const char* begin = text.data();
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(begin, end, value);
    if (text.empty() || ec != std::errc() || ptr != end) {
      *why = ec == std::errc::result_out_of_range ? "is out of range" : "must be an integer";
      return std::nullopt;
    }
    return Json(value);
  }
  if (type == "number") {
    double value = 0;
    const char* begin = text.data();
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(begin, end, value);
    if (text.empty() || ec != std::errc() || ptr != end || !std::isfinite(value)) {
      *why = "must be a number";
      return std::nullopt;
    }
    return Json(value);
  }
  *why = "has a type the server cannot read";
  return std::nullopt;
}

std::vector<std::string_view> SplitCommas(std::string_view text) {
  std::vector<std::string_view> parts;
  while (true) {
    size_t comma = text.find(',');
    parts.push_back(text.substr(0, comma));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return parts;
}

// The parameter's values as one JSON value of its type, or a message.
std::optional<Json> CoerceParameter(const Parameter& p, const std::vector<std::string_view>& values,
                                    std::string* why) {
  if (p.type != "array") {
    if (values.size() > 1) {
      *why = "given more than once";
      return std::nullopt;
    }
    std::string reason;
    std::optional<Json> value = CoerceScalar(values.front(), p.type, &reason);
    if (!value) *why = Shown(values.front()) + " " + reason;
    return value;
  }
  Json items = Json::array();
  for (std::string_view value : values) {
    std::vector<std::string_view> parts =
        p.explode ? std::vector<std::string_view>{value} : SplitCommas(value);
    for (std::string_view part : parts) {
      std::string reason;
      std::optional<Json> item = CoerceScalar(part, p.item_type, &reason);
      if (!item) {
        *why = Shown(part) + " " + reason;
        return std::nullopt;
      }
      items.push_back(std::move(*item));
    }
  }
  return items;
}

// "limit: must be at most 10000", "status: 'bogus' must be one of: ...".
std::string ParameterMessage(const Parameter& p, const Json& value, const SchemaViolation& v) {
  std::string message = p.name + ": ";
  if (!v.pointer.empty() && value.is_array()) {
    const Json* item = ResolveJsonPointer(value, v.pointer);
    if (item != nullptr && item->is_string()) {
      message += Shown(item->get<std::string>()) + " ";
    } else if (item != nullptr) {
      message += item->dump() + " ";
    }
  }
  return message + v.message;
}

std::string KnownQueryNames(const Operation& op) {
  std::string names;
  for (const Parameter& p : op.parameters) {
    if (p.in != ParameterLocation::kQuery) continue;
    names += names.empty() ? "" : ", ";
    names += p.name;
  }
  return names.empty() ? "none" : names;
}

// Depth of [ and { nesting outside strings; stops counting past the limit.
bool NestsDeeperThan(std::string_view text, int limit) {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > limit) return true;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return false;
}

std::optional<ApiError> ValidateBody(const Operation& op, const ApiRequest& request,
                                     ValidatedRequest* out) {
  if (request.body.size() > op.max_body_bytes) {
    return MakeApiError(kErrorPayloadTooLarge,
                        "the body is larger than this operation's limit of " +
                            std::to_string(op.max_body_bytes) + " bytes");
  }
  if (op.body.empty()) {
    if (request.body.empty()) return std::nullopt;
    return MakeApiError(kErrorValidation, "this operation takes no request body");
  }
  if (request.body.empty()) {
    if (!op.body_required) return std::nullopt;
    return MakeApiError(kErrorValidation, "a request body is required");
  }
  std::optional<std::string_view> content_type = HeaderValue(request.headers, "Content-Type");
  std::string media = content_type ? MediaTypeOf(*content_type) : "";
  const MediaSchema* declared = nullptr;
  std::string accepted;
  for (const MediaSchema& m : op.body) {
    if (m.media_type == media) declared = &m;
    accepted += accepted.empty() ? "" : ", ";
    accepted += m.media_type;
  }
  if (declared == nullptr) {
    return MakeApiError(kErrorUnsupportedMediaType,
                        "the body must be " + accepted + " (got " +
                            (content_type ? Shown(*content_type) : "no Content-Type") + ")");
  }
  if (declared->schema == nullptr) return std::nullopt;  // not JSON: the handler reads it
  if (NestsDeeperThan(request.body, kMaxJsonDepth)) {
    return MakeApiError(kErrorInvalidJson, "the body nests arrays and objects deeper than " +
                                               std::to_string(kMaxJsonDepth) + " levels");
  }
  Json body;
  try {
    body = Json::parse(request.body);
  } catch (const Json::parse_error& e) {
    // nlohmann's message quotes the bytes it read last, which may be any.
    std::string what = e.what();
    size_t cut = what.find("] ");
    std::string_view reason =
        cut == std::string::npos ? what : std::string_view(what).substr(cut + 2);
    return MakeApiError(kErrorInvalidJson, "the body is not valid JSON: " + Printable(reason, 200));
  } catch (const std::exception& e) {
    return MakeApiError(kErrorInvalidJson,
                        "the body is not valid JSON: " + Printable(e.what(), 200));
  }
  if (std::optional<SchemaViolation> v = declared->schema->Validate(body)) {
    std::string where = v->pointer.empty() ? "body" : v->pointer;
    return MakeApiError(kErrorValidation, where + ": " + v->message, v->pointer);
  }
  out->body = std::move(body);
  return std::nullopt;
}

}  // namespace

std::string MediaTypeOf(std::string_view content_type) {
  std::string_view media = content_type.substr(0, content_type.find(';'));
  while (!media.empty() && (media.front() == ' ' || media.front() == '\t')) media.remove_prefix(1);
  while (!media.empty() && (media.back() == ' ' || media.back() == '\t')) media.remove_suffix(1);
  std::string out(media);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::optional<ApiError> ValidateRequest(const Operation& op, const ApiRequest& request,
                                        ValidatedRequest* out) {
  *out = ValidatedRequest();

  // Query: refuse names the operation does not know, group the rest.
  std::vector<std::vector<std::string_view>> query_values(op.parameters.size());
  for (const auto& [key, value] : request.query) {
    size_t index = op.parameters.size();
    for (size_t i = 0; i < op.parameters.size(); ++i) {
      if (op.parameters[i].in == ParameterLocation::kQuery && op.parameters[i].name == key) {
        index = i;
        break;
      }
    }
    if (index == op.parameters.size()) {
      return MakeApiError(kErrorValidation,
                          "unknown query parameter " + Shown(key) +
                              " (this operation takes: " + KnownQueryNames(op) + ")",
                          Printable(key, 128));
    }
    query_values[index].push_back(value);
  }

  for (size_t i = 0; i < op.parameters.size(); ++i) {
    const Parameter& p = op.parameters[i];
    std::vector<std::string_view> values;
    switch (p.in) {
      case ParameterLocation::kPath:
        for (const auto& [key, value] : request.path_params) {
          if (key == p.name) {
            values.push_back(value);
            break;
          }
        }
        if (values.empty()) {
          return MakeApiError(kErrorInternal,
                              "the route gave no value for path parameter '" + p.name + "'");
        }
        break;
      case ParameterLocation::kQuery:
        values = std::move(query_values[i]);
        break;
      case ParameterLocation::kHeader:
        if (std::optional<std::string_view> v = HeaderValue(request.headers, p.name)) {
          values.push_back(*v);
        }
        break;
    }
    // A path value that is wrong cannot name anything: 404, not 422.
    const std::string_view code =
        p.in == ParameterLocation::kPath ? kErrorNotFound : kErrorValidation;
    if (values.empty()) {
      if (p.required) return MakeApiError(kErrorValidation, p.name + ": is required", p.name);
      const Json& schema = p.schema->schema();
      if (schema.is_object() && schema.contains("default")) out->params[p.name] = schema["default"];
      continue;
    }
    std::string why;
    std::optional<Json> value = CoerceParameter(p, values, &why);
    if (!value) return MakeApiError(code, p.name + ": " + why, p.name);
    if (std::optional<SchemaViolation> v = p.schema->Validate(*value)) {
      return MakeApiError(code, ParameterMessage(p, *value, *v), p.name);
    }
    out->params[p.name] = std::move(*value);
  }

  return ValidateBody(op, request, out);
}

}  // namespace warden::api

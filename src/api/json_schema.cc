#include "api/json_schema.h"

// valijson reports errors by calling throwRuntimeError, which aborts the
// process unless VALIJSON_USE_EXCEPTIONS is set; with it, they are
// exceptions caught in this file. Set before any valijson header. Its
// exceptions.hpp includes <stdexcept> inside its own namespace, so the
// standard header must already be in.
#define VALIJSON_USE_EXCEPTIONS 1
#include <cctype>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <stdexcept>
#include <string>
#include <utility>
#include <valijson/exceptions.hpp>
#include <valijson/internal/adapter.hpp>
#include <valijson/internal/basic_adapter.hpp>
#include <valijson/internal/frozen_value.hpp>
#include <vector>

// valijson 1.0's nlohmann adapter is written for nlohmann::json; Warden's Json
// is nlohmann::ordered_json, which has the same interface. Including the
// adapter with `json` mapped to `ordered_json` gives the same adapter for it
// without copying it, and renaming its classes keeps them apart from the
// original should another file include that.
#define json ordered_json
#define NlohmannJsonAdapter WardenOrderedJsonAdapter
#define NlohmannJsonArray WardenOrderedJsonArray
#define NlohmannJsonArrayValueIterator WardenOrderedJsonArrayValueIterator
#define NlohmannJsonFrozenValue WardenOrderedJsonFrozenValue
#define NlohmannJsonObject WardenOrderedJsonObject
#define NlohmannJsonObjectMember WardenOrderedJsonObjectMember
#define NlohmannJsonObjectMemberIterator WardenOrderedJsonObjectMemberIterator
#define NlohmannJsonValue WardenOrderedJsonValue
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#undef json
#undef NlohmannJsonAdapter
#undef NlohmannJsonArray
#undef NlohmannJsonArrayValueIterator
#undef NlohmannJsonFrozenValue
#undef NlohmannJsonObject
#undef NlohmannJsonObjectMember
#undef NlohmannJsonObjectMemberIterator
#undef NlohmannJsonValue

#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

namespace warden::api {

using Adapter = valijson::adapters::WardenOrderedJsonAdapter;

struct JsonSchema::Compiled {
  valijson::Schema schema;
};

namespace {

// Keywords whose value is one schema / an array of schemas / a map of
// schemas, in draft 7.
bool IsSchemaKeyword(std::string_view k) {
  return k == "additionalProperties" || k == "items" || k == "additionalItems" || k == "contains" ||
         k == "propertyNames" || k == "not" || k == "if" || k == "then" || k == "else";
}
bool IsSchemaArrayKeyword(std::string_view k) {
  return k == "allOf" || k == "anyOf" || k == "oneOf" || k == "items";
}
bool IsSchemaMapKeyword(std::string_view k) {
  return k == "properties" || k == "patternProperties" || k == "definitions" || k == "dependencies";
}

std::string Join(const std::string& base, std::string_view token) {
  return base + "/" + EscapeJsonPointerToken(token);
}

// valijson checks the formats it knows (date, time, date-time) with a
// std::regex it builds anew for every string it checks (FormatConstraint in
// validation_visitor.hpp): tens of microseconds each, most of the cost of an
// agent's batch of problem records, which has five date-times per record. The
// same check as a `pattern` is compiled once per thread (the validator's
// regex cache). These are valijson's regexes with its day-of-month check
// (February up to 29, 30-day months) folded in; its `[\+|\-]` is kept as is.
std::optional<std::string> FormatAsPattern(std::string_view format) {
  static const std::string kDate =
      "[0-9]+-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|"
      "(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|[12][0-9]))";
  static const std::string kTime =
      "(?:[01][0-9]|2[0-3]):[0-5][0-9]:(?:[0-5][0-9]|60)(?:\\.[0-9]+)?"
      "(?:[Zz]|[\\+|\\-](?:[01][0-9]|2[0-3]):[0-5][0-9])";
  if (format == "date-time") return "^" + kDate + "[Tt]" + kTime + "$";
  if (format == "date") return "^" + kDate + "$";
  if (format == "time") return "^" + kTime + "$";
  return std::nullopt;  // valijson checks no other format
}

// Returns a copy of `schema` in which every format/pattern is checked only
// when the value is a string within its maxLength (see the header), or an
// error naming the schema location.
Result<Json> GuardRegexKeywords(const Json& schema, const std::string& where) {
  if (!schema.is_object()) return schema;  // boolean schemas
  if (schema.contains("$ref")) {
    return InvalidArgument("schema at '" + where + "' still has a $ref (resolve references first)");
  }
  Json out = Json::object();
  for (auto it = schema.begin(); it != schema.end(); ++it) {
    const std::string& key = it.key();
    const Json& value = it.value();
    if (IsSchemaMapKeyword(key) && value.is_object()) {
      Json map = Json::object();
      for (auto m = value.begin(); m != value.end(); ++m) {
        if (key == "dependencies" && !m.value().is_object()) {
          map[m.key()] = m.value();
          continue;
        }
        ASSIGN_OR_RETURN(map[m.key()],
                         GuardRegexKeywords(m.value(), Join(Join(where, key), m.key())));
      }
      out[key] = std::move(map);
    } else if (IsSchemaArrayKeyword(key) && value.is_array()) {
      Json list = Json::array();
      for (size_t i = 0; i < value.size(); ++i) {
        ASSIGN_OR_RETURN(Json item,
                         GuardRegexKeywords(value[i], Join(where, key) + "/" + std::to_string(i)));
        list.push_back(std::move(item));
      }
      out[key] = std::move(list);
    } else if (IsSchemaKeyword(key) && (value.is_object() || value.is_boolean())) {
      ASSIGN_OR_RETURN(out[key], GuardRegexKeywords(value, Join(where, key)));
    } else if (key != "format" && key != "pattern") {
      out[key] = value;
    }
  }
  const bool has_format = schema.contains("format");
  const bool has_pattern = schema.contains("pattern");
  if (!has_format && !has_pattern) return out;
  const Json* max_length = schema.contains("maxLength") ? &schema["maxLength"] : nullptr;
  if (max_length == nullptr || !max_length->is_number_integer() || max_length->get<int64_t>() < 0) {
    return InvalidArgument("schema at '" + where +
                           "': format/pattern needs a maxLength (std::regex recursion)");
  }
  // One guarded check each: a format turned into a pattern may sit next to
  // the schema's own pattern.
  std::vector<Json> checks;
  if (has_format) {
    const Json& format = schema["format"];
    std::optional<std::string> pattern =
        format.is_string() ? FormatAsPattern(format.get<std::string>()) : std::nullopt;
    checks.push_back(pattern ? Json{{"pattern", *pattern}} : Json{{"format", format}});
  }
  if (has_pattern) {
    const Json& pattern = schema["pattern"];
    if (!pattern.is_string()) {
      return InvalidArgument("schema at '" + where + "': pattern must be a string");
    }
    try {
      std::regex check(pattern.get<std::string>());
    } catch (const std::regex_error& e) {
      return InvalidArgument("schema at '" + where + "': pattern '" + pattern.get<std::string>() +
                             "' is not a valid ECMAScript regex: " + e.what());
    }
    checks.push_back(Json{{"pattern", pattern}});
  }
  if (!out.contains("allOf")) out["allOf"] = Json::array();
  for (Json& check : checks) {
    Json guard = Json::object();
    guard["if"] = Json{{"type", "string"}, {"maxLength", *max_length}};
    guard["then"] = std::move(check);
    out["allOf"].push_back(std::move(guard));
  }
  return out;
}

// valijson's error context: {"<root>", "[records]", "[0]", "[kind]"}.
std::vector<std::string> ContextTokens(const std::vector<std::string>& context) {
  std::vector<std::string> tokens;
  for (const std::string& part : context) {
    if (part == "<root>") continue;
    if (part.size() >= 2 && part.front() == '[' && part.back() == ']') {
      tokens.push_back(part.substr(1, part.size() - 2));
    } else {
      tokens.push_back(part);
    }
  }
  return tokens;
}

// The quoted name at the end of valijson's "... 'name'." messages.
std::optional<std::string> QuotedSuffix(const std::string& text, std::string_view prefix) {
  if (text.rfind(prefix, 0) != 0 && text.find(prefix) == std::string::npos) return std::nullopt;
  size_t end = text.rfind('\'');
  if (end == std::string::npos || end == 0) return std::nullopt;
  size_t begin = text.rfind('\'', end - 1);
  if (begin == std::string::npos) return std::nullopt;
  return text.substr(begin + 1, end - begin - 1);
}

bool IsIndex(const std::string& token) {
  return !token.empty() && token.find_first_not_of("0123456789") == std::string::npos;
}

// Schema nodes that apply to the same value as `schema`: itself and, through
// allOf/anyOf/oneOf/then/else, the subschemas it combines.
void ApplicableNodes(const Json& schema, std::vector<const Json*>* nodes, int depth = 0) {
  if (!schema.is_object() || depth > 8) return;
  nodes->push_back(&schema);
  for (const char* k : {"allOf", "anyOf", "oneOf"}) {
    if (schema.contains(k) && schema[k].is_array()) {
      for (const Json& sub : schema[k]) ApplicableNodes(sub, nodes, depth + 1);
    }
  }
  for (const char* k : {"then", "else"}) {
    if (schema.contains(k)) ApplicableNodes(schema[k], nodes, depth + 1);
  }
}

// The schema nodes that describe the value at `tokens` (best effort: through
// properties, additionalProperties and items).
std::vector<const Json*> SchemaNodesAt(const Json& root, const std::vector<std::string>& tokens) {
  std::vector<const Json*> current;
  ApplicableNodes(root, &current);
  for (const std::string& token : tokens) {
    std::vector<const Json*> next;
    for (const Json* node : current) {
      const Json* child = nullptr;
      if (node->contains("properties") && (*node)["properties"].contains(token)) {
        child = &(*node)["properties"][token];
      } else if (IsIndex(token) && node->contains("items") && (*node)["items"].is_object()) {
        child = &(*node)["items"];
      } else if (node->contains("additionalProperties") &&
                 (*node)["additionalProperties"].is_object() && !IsIndex(token)) {
        child = &(*node)["additionalProperties"];
      }
      if (child != nullptr) ApplicableNodes(*child, &next);
    }
    current = std::move(next);
    if (current.empty()) break;
  }
  return current;
}

const Json* FindKeyword(const std::vector<const Json*>& nodes, const char* keyword) {
  for (const Json* node : nodes) {
    if (node->contains(keyword)) return &(*node)[keyword];
  }
  return nullptr;
}

std::string JsonTypeName(const Json& value) {
  switch (value.type()) {
    case Json::value_t::null:
      return "null";
    case Json::value_t::boolean:
      return "boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
      return "integer";
    case Json::value_t::number_float:
      return "number";
    case Json::value_t::string:
      return "string";
    case Json::value_t::array:
      return "array";
    default:
      return "object";
  }
}

const Json* ValueAt(const Json& root, const std::vector<std::string>& tokens) {
  const Json* value = &root;
  for (const std::string& token : tokens) {
    if (value->is_object() && value->contains(token)) {
      value = &(*value)[token];
    } else if (value->is_array() && IsIndex(token) && std::stoull(token) < value->size()) {
      value = &(*value)[std::stoull(token)];
    } else {
      return nullptr;
    }
  }
  return value;
}

std::string ListValues(const Json& values) {
  std::string out;
  size_t shown = 0;
  for (const Json& v : values) {
    if (shown == 20) {
      out += ", ...";
      break;
    }
    if (shown++ > 0) out += ", ";
    out += v.is_string() ? v.get<std::string>() : v.dump();
  }
  return out;
}

std::string Sentence(std::string text) {
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  while (!text.empty() && (text.back() == '.' || text.back() == ' ')) text.pop_back();
  return text;
}

bool StartsWith(const std::string& text, std::string_view prefix) {
  return text.rfind(prefix, 0) == 0;
}

// Words for valijson's description of the failure at `tokens`, using the
// schema for the limits it names.
std::string Explain(const std::string& description, const Json& schema, const Json& value,
                    const std::vector<std::string>& tokens) {
  std::vector<const Json*> nodes = SchemaNodesAt(schema, tokens);
  const Json* actual = ValueAt(value, tokens);
  auto limit = [&](const char* keyword) -> std::string {
    const Json* v = FindKeyword(nodes, keyword);
    return v != nullptr ? v->dump() : "";
  };
  if (StartsWith(description, "Value type not permitted")) {
    const Json* type = FindKeyword(nodes, "type");
    std::string expected;
    if (type != nullptr && type->is_string()) expected = type->get<std::string>();
    if (type != nullptr && type->is_array()) {
      for (const Json& t : *type) {
        if (!expected.empty()) expected += " or ";
        expected += t.is_string() ? t.get<std::string>() : t.dump();
      }
    }
    std::string got = actual != nullptr ? " (got " + JsonTypeName(*actual) + ")" : "";
    return expected.empty() ? "has the wrong type" + got : "must be " + expected + got;
  }
  if (StartsWith(description, "Failed to match against any enum values")) {
    const Json* values = FindKeyword(nodes, "enum");
    return values != nullptr ? "must be one of: " + ListValues(*values)
                             : "is not one of the allowed values";
  }
  if (StartsWith(description, "Failed to match expected value set by 'const'")) {
    const Json* c = FindKeyword(nodes, "const");
    return c != nullptr ? "must be " + c->dump() : "is not the required value";
  }
  if (StartsWith(description, "String should be no more than")) {
    std::string n = limit("maxLength");
    if (!n.empty()) return "must be at most " + n + " characters long";
  }
  if (StartsWith(description, "String should be no fewer than")) {
    std::string n = limit("minLength");
    if (n == "1") return "must not be empty";
    if (!n.empty()) return "must be at least " + n + " characters long";
  }
  if (StartsWith(description, "Expected number less than or equal to")) {
    std::string n = limit("maximum");
    if (!n.empty()) return "must be at most " + n;
  }
  if (StartsWith(description, "Expected number greater than or equal to")) {
    std::string n = limit("minimum");
    if (!n.empty()) return "must be at least " + n;
  }
  if (StartsWith(description, "Array should contain no more than")) {
    std::string n = limit("maxItems");
    if (!n.empty()) return "must have at most " + n + " items";
  }
  if (StartsWith(description, "Array should contain no fewer than")) {
    std::string n = limit("minItems");
    if (!n.empty()) return "must have at least " + n + (n == "1" ? " item" : " items");
  }
  if (StartsWith(description, "Object should have no more than")) {
    std::string n = limit("maxProperties");
    if (!n.empty()) return "must have at most " + n + " members";
  }
  if (StartsWith(description, "Object should have no fewer than")) {
    std::string n = limit("minProperties");
    if (n == "1") return "must not be empty";
    if (!n.empty()) return "must have at least " + n + " members";
  }
  if (description.find("uniqueness") != std::string::npos) return "must not contain duplicates";
  if (StartsWith(description, "Failed to match regex")) {
    // A format is checked as a pattern (GuardRegexKeywords; `nodes` are of
    // the schema as written). When a schema has both, a failure of its own
    // pattern is said this way too; the spec has none.
    if (const Json* format = FindKeyword(nodes, "format"); format && format->is_string()) {
      if (*format == "date-time") return "must be an RFC 3339 date-time (2026-01-31T12:00:00Z)";
      if (*format == "date") return "must be a date (2026-01-31)";
      if (*format == "time") return "must be a time of day (12:00:00Z)";
    }
    const Json* about = FindKeyword(nodes, "description");
    return about != nullptr && about->is_string()
               ? "does not have the expected form: " + about->get<std::string>()
               : "does not have the expected form";
  }
  if (StartsWith(description, "String should be a valid date-time")) {
    return "must be an RFC 3339 date-time (2026-01-31T12:00:00Z)";
  }
  if (description.find("exactly one child schema") != std::string::npos ||
      description.find("oneOf") != std::string::npos) {
    const Json* one_of = FindKeyword(nodes, "oneOf");
    std::string names;
    if (one_of != nullptr) {
      for (const Json& alt : *one_of) {
        if (!alt.contains("required")) continue;
        for (const Json& name : alt["required"]) {
          if (!names.empty()) names += ", ";
          names += name.is_string() ? name.get<std::string>() : name.dump();
        }
      }
    }
    if (!names.empty()) return "must have exactly one of: " + names;
  }
  return Sentence(description);
}

}  // namespace

std::string EscapeJsonPointerToken(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

JsonSchema::JsonSchema(Json schema, std::unique_ptr<Compiled> compiled)
    : schema_(std::move(schema)), compiled_(std::move(compiled)) {}

JsonSchema::~JsonSchema() = default;

Result<std::shared_ptr<const JsonSchema>> JsonSchema::Compile(const Json& schema) {
  ASSIGN_OR_RETURN(Json guarded, GuardRegexKeywords(schema, ""));
  auto compiled = std::make_unique<Compiled>();
  try {
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    Adapter adapter(guarded);
    parser.populateSchema(adapter, compiled->schema);
  } catch (const std::exception& e) {
    return InvalidArgument(std::string("schema not understood by the validator: ") + e.what());
  }
  return std::shared_ptr<const JsonSchema>(new JsonSchema(schema, std::move(compiled)));
}

std::optional<SchemaViolation> JsonSchema::Validate(const Json& value) const {
  // One validator per thread: it caches compiled `pattern` regexes.
  thread_local valijson::Validator validator(valijson::Validator::kStrongTypes);
  Adapter target(value);
  try {
    if (validator.validate(compiled_->schema, target, nullptr)) return std::nullopt;
    valijson::ValidationResults results;
    validator.validate(compiled_->schema, target, &results);
    // The deepest pointer names the most specific problem; among equals the
    // first reported, which valijson reports before the wrappers around it.
    std::vector<std::string> best_tokens;
    std::string best_description;
    bool found = false;
    bool best_is_member = false;
    for (const valijson::ValidationResults::Error& error : results) {
      std::vector<std::string> tokens = ContextTokens(error.context);
      bool member = false;
      if (auto name = QuotedSuffix(error.description, "Missing required property")) {
        tokens.push_back(*name);
        member = true;
      } else if (auto extra = QuotedSuffix(error.description, "Object contains a property")) {
        tokens.push_back(*extra);
        member = true;
      }
      if (!found || tokens.size() > best_tokens.size()) {
        best_tokens = std::move(tokens);
        best_description = error.description;
        best_is_member = member;
        found = true;
      }
    }
    SchemaViolation violation;
    for (const std::string& token : best_tokens)
      violation.pointer += "/" + EscapeJsonPointerToken(token);
    if (!found) {
      violation.message = "is not valid";
    } else if (best_is_member && StartsWith(best_description, "Missing required property")) {
      violation.message = "is required";
    } else if (best_is_member) {
      violation.message = "is not an allowed member here";
    } else {
      violation.message = Explain(best_description, schema_, value, best_tokens);
    }
    return violation;
  } catch (const std::exception& e) {
    return SchemaViolation{"", std::string("cannot be validated: ") + e.what()};
  }
}

}  // namespace warden::api

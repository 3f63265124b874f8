#include "api/yaml_json.h"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <exception>
#include <limits>
#include <optional>
#include <set>
#include <string>

namespace warden::api {
namespace {

constexpr int kMaxDepth = 256;

std::string Where(std::string_view source, const YAML::Node& node) {
  std::string where(source);
  YAML::Mark mark = node.Mark();
  if (!mark.is_null()) {
    where += ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
  }
  return where;
}

bool IsDigits(std::string_view s, int base) {
  if (s.empty()) return false;
  for (char c : s) {
    bool ok = base == 16 ? std::isxdigit(static_cast<unsigned char>(c)) != 0
                         : (c >= '0' && c < static_cast<char>('0' + base));
    if (!ok) return false;
  }
  return true;
}

// Integer per the YAML 1.2 core schema; nullopt when `s` is not one (or does
// not fit in 64 bits, in which case the caller tries a float).
std::optional<int64_t> ParseYamlInt(std::string_view s) {
  int base = 10;
  std::string_view digits = s;
  bool negative = false;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o')) {
    base = s[1] == 'x' ? 16 : 8;
    digits = s.substr(2);
  } else if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    digits = s.substr(1);
  }
  if (!IsDigits(digits, base)) return std::nullopt;
  uint64_t magnitude = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), magnitude, base);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  if (negative) {
    if (magnitude > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) + 1) {
      return std::nullopt;
    }
    return static_cast<int64_t>(0 - magnitude);
  }
  if (magnitude > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
  return static_cast<int64_t>(magnitude);
}

// Float per the YAML 1.2 core schema:
// [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
std::optional<double> ParseYamlFloat(std::string_view s) {
  std::string_view rest = s;
  bool negative = false;
  if (!rest.empty() && (rest[0] == '-' || rest[0] == '+')) {
    negative = rest[0] == '-';
    rest.remove_prefix(1);
  }
  if (rest == ".inf" || rest == ".Inf" || rest == ".INF") {
    return negative ? -std::numeric_limits<double>::infinity()
                    : std::numeric_limits<double>::infinity();
  }
  if (s == ".nan" || s == ".NaN" || s == ".NAN") return std::numeric_limits<double>::quiet_NaN();
  size_t i = 0;
  size_t int_digits = 0, frac_digits = 0;
  while (i < rest.size() && std::isdigit(static_cast<unsigned char>(rest[i]))) ++i, ++int_digits;
  if (i < rest.size() && rest[i] == '.') {
    ++i;
    while (i < rest.size() && std::isdigit(static_cast<unsigned char>(rest[i]))) ++i, ++frac_digits;
  }
  if (int_digits == 0 && frac_digits == 0) return std::nullopt;
  if (i < rest.size() && (rest[i] == 'e' || rest[i] == 'E')) {
    ++i;
    if (i < rest.size() && (rest[i] == '-' || rest[i] == '+')) ++i;
    size_t exp_digits = 0;
    while (i < rest.size() && std::isdigit(static_cast<unsigned char>(rest[i]))) ++i, ++exp_digits;
    if (exp_digits == 0) return std::nullopt;
  }
  if (i != rest.size()) return std::nullopt;
  double value = 0;
  // from_chars takes no leading '+' and no lone leading '.'; give it a
  // normalised copy.
  std::string normal = (int_digits == 0 ? "0" : "") + std::string(rest);
  auto [end, ec] = std::from_chars(normal.data(), normal.data() + normal.size(), value);
  if (ec != std::errc() || end != normal.data() + normal.size()) return std::nullopt;
  return negative ? -value : value;
}

Json PlainScalar(const std::string& s) {
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  if (std::optional<int64_t> i = ParseYamlInt(s)) return *i;
  if (std::optional<double> d = ParseYamlFloat(s)) return *d;
  return s;
}

Result<Json> Convert(const YAML::Node& node, std::string_view source, int depth) {
  if (depth > kMaxDepth) {
    return ParseError(Where(source, node) + ": nested deeper than " + std::to_string(kMaxDepth) +
                      " levels");
  }
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      return Json(nullptr);
    case YAML::NodeType::Scalar:
      // "?" is the tag of a plain scalar; quoted and block scalars have "!",
      // explicit tags (!!str) their own: all of those are strings.
      if (node.Tag() == "?") return PlainScalar(node.Scalar());
      return Json(node.Scalar());
    case YAML::NodeType::Sequence: {
      Json array = Json::array();
      for (const YAML::Node& item : node) {
        ASSIGN_OR_RETURN(Json value, Convert(item, source, depth + 1));
        array.push_back(std::move(value));
      }
      return array;
    }
    case YAML::NodeType::Map: {
      Json object = Json::object();
      for (const auto& entry : node) {
        if (!entry.first.IsScalar()) {
          return ParseError(Where(source, entry.first) + ": a mapping key must be a scalar");
        }
        const std::string& key = entry.first.Scalar();
        if (key == "<<" && entry.first.Tag() == "?") {
          return ParseError(Where(source, entry.first) + ": merge keys (<<) are not supported");
        }
        if (object.contains(key)) {
          return ParseError(Where(source, entry.first) + ": duplicate key '" + key + "'");
        }
        ASSIGN_OR_RETURN(Json value, Convert(entry.second, source, depth + 1));
        object[key] = std::move(value);
      }
      return object;
    }
  }
  return ParseError(Where(source, node) + ": unknown YAML node type");
}

}  // namespace

Result<Json> YamlToJson(std::string_view text, std::string_view source) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    std::string where(source);
    if (!e.mark.is_null()) {
      where += ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1);
    }
    return ParseError(where + ": " + e.msg);
  } catch (const std::exception& e) {
    return ParseError(std::string(source) + ": " + e.what());
  }
  try {
    return Convert(root, source, 0);
  } catch (const std::exception& e) {
    return ParseError(std::string(source) + ": " + e.what());
  }
}

}  // namespace warden::api

#include "detectors/recipe_rules.h"

#include <algorithm>
#include <cctype>
#include <cstdint>

#include "core/strings.h"
#include "detectors/detector_registry.h"

namespace warden {

Status ReadScheduleSpec(const YamlReader& r, const YAML::Node& n, const std::string& key,
                        ScheduleSpec* s) {
  using J = YamlReader;
  if (n.IsScalar()) {  // shorthand: "schedule: 5m"
    ASSIGN_OR_RETURN(int64_t ms, r.DurationMs(n, key, 1000));
    s->kind = ScheduleSpec::Kind::kInterval;
    s->interval_seconds = ms / 1000;
    return Status::Ok();
  }
  RETURN_IF_ERROR(
      r.CheckKeys(n, key, {"interval", "splay_percent", "daily", "timezone", "run_at_start"}));
  if (n["interval"] && n["daily"])
    return r.Error(n, key, "give either interval or daily, not both");
  if (n["interval"]) {
    ASSIGN_OR_RETURN(int64_t ms, r.DurationMs(n["interval"], J::Join(key, "interval"), 1000));
    s->kind = ScheduleSpec::Kind::kInterval;
    s->interval_seconds = ms / 1000;
  }
  if (n["splay_percent"]) {
    ASSIGN_OR_RETURN(int64_t p, r.Int(n["splay_percent"], J::Join(key, "splay_percent"), 0, 100));
    s->splay_percent = static_cast<int>(p);
  }
  if (n["daily"]) {
    const YAML::Node d = n["daily"];
    const std::string dkey = J::Join(key, "daily");
    std::vector<YAML::Node> items;
    if (d.IsScalar())
      items.push_back(d);
    else if (d.IsSequence())
      for (const auto& x : d) items.push_back(x);
    else
      return r.Error(d, dkey, "expected a time like \"03:00\" or a list of them");
    if (items.empty()) return r.Error(d, dkey, "expected at least one time");
    s->kind = ScheduleSpec::Kind::kDaily;
    s->daily_minutes.clear();
    for (size_t i = 0; i < items.size(); ++i) {
      const std::string ikey = dkey + "[" + std::to_string(i) + "]";
      if (!items[i].IsScalar()) return r.Error(items[i], ikey, "expected a time like \"03:00\"");
      auto parts = SplitString(items[i].Scalar(), ':');
      int64_t h = -1, m = -1;
      if (parts.size() != 2 || !ParseInt64(parts[0], &h) || !ParseInt64(parts[1], &m) || h < 0 ||
          h > 23 || m < 0 || m > 59)
        return r.Error(
            items[i], ikey,
            "expected a time HH:MM from 00:00 to 23:59, got '" + items[i].Scalar() + "'");
      s->daily_minutes.push_back(static_cast<int>(h * 60 + m));
    }
    std::sort(s->daily_minutes.begin(), s->daily_minutes.end());
    s->daily_minutes.erase(std::unique(s->daily_minutes.begin(), s->daily_minutes.end()),
                           s->daily_minutes.end());
    s->run_at_start = false;  // a daily job runs at its time unless asked otherwise
  }
  if (n["timezone"]) {
    ASSIGN_OR_RETURN(std::string tz, r.String(n["timezone"], J::Join(key, "timezone")));
    if (tz == "utc" || tz == "UTC")
      s->utc = true;
    else if (tz == "local")
      s->utc = false;
    else
      return r.Error(n["timezone"], J::Join(key, "timezone"),
                     "expected utc or local, got '" + tz + "'");
  }
  if (n["run_at_start"]) {
    ASSIGN_OR_RETURN(s->run_at_start, r.Bool(n["run_at_start"], J::Join(key, "run_at_start")));
  }
  return Status::Ok();
}

Status ReadRecipeRule(const YamlReader& r, const Detector& detector, const YAML::Node& n,
                      const std::string& key, DetectorConfig* d) {
  using J = YamlReader;
  if (n.IsNull()) return Status::Ok();
  // A continuous detector has no schedule, and each of its host rules
  // carries its own risk level (change one by redefining that rule in a
  // rule file).
  if (d->continuous)
    RETURN_IF_ERROR(r.CheckKeys(n, key, {"enabled", "settings"}));
  else
    RETURN_IF_ERROR(r.CheckKeys(n, key, {"enabled", "risk_level", "schedule", "settings"}));
  if (n["enabled"]) {
    ASSIGN_OR_RETURN(d->enabled, r.Bool(n["enabled"], J::Join(key, "enabled")));
  }
  if (n["risk_level"]) {
    ASSIGN_OR_RETURN(std::string level, r.String(n["risk_level"], J::Join(key, "risk_level")));
    auto parsed = ParseRiskLevel(level);
    if (!parsed)
      return r.Error(n["risk_level"], J::Join(key, "risk_level"), UnknownRiskLevelMessage(level));
    d->risk_level = *parsed;
  }
  if (n["schedule"])
    RETURN_IF_ERROR(ReadScheduleSpec(r, n["schedule"], J::Join(key, "schedule"), &d->schedule));
  if (!n["settings"] || n["settings"].IsNull()) return Status::Ok();
  ASSIGN_OR_RETURN(d->settings, detector.ParseSettings(r, n["settings"], J::Join(key, "settings")));
  return Status::Ok();
}

Result<std::vector<DetectorConfig>> ReadRecipeRules(const YamlReader& r, const YAML::Node& rules,
                                                    const std::string& key) {
  std::vector<DetectorConfig> out;
  for (const Detector* d : Detectors()) out.push_back(d->DefaultConfig());
  if (!rules || rules.IsNull()) return out;
  std::vector<std::string> ids;
  for (const DetectorConfig& d : out) ids.push_back(d.id);
  RETURN_IF_ERROR(r.CheckKeys(rules, key, ids));
  for (auto it = rules.begin(); it != rules.end(); ++it) {
    const std::string id = it->first.Scalar();
    const Detector* detector = FindDetector(id);
    for (auto& d : out)
      if (d.id == id && detector != nullptr)
        RETURN_IF_ERROR(ReadRecipeRule(r, *detector, it->second, YamlReader::Join(key, id), &d));
  }
  return out;
}

Status CheckRecipeRulesJson(const Json& rules, const std::string& source) {
  YamlReader reader(source);
  if (!rules.is_object()) return reader.Error(YAML::Node(), "rules", "expected a mapping of rules");
  return ReadRecipeRules(reader, JsonToYaml(rules), "rules").status();
}

namespace {

// The "key.path: reason" part of "source[:line:col]: key.path: reason".
std::string_view AfterSource(std::string_view message, const std::string& source) {
  if (message.substr(0, source.size()) != source) return message;
  message.remove_prefix(source.size());
  // ":line:col" when the node had a position.
  while (!message.empty() && message.front() == ':' && message.size() > 1 &&
         std::isdigit(static_cast<unsigned char>(message[1]))) {
    message.remove_prefix(1);
    while (!message.empty() && std::isdigit(static_cast<unsigned char>(message.front())))
      message.remove_prefix(1);
  }
  if (message.substr(0, 2) == ": ") message.remove_prefix(2);
  return message;
}

// The key path of an error, when the text before the first ": " is one
// (words of letters, digits, _ - and list indexes, joined by dots).
std::string_view KeyPathOf(std::string_view rest) {
  const size_t colon = rest.find(": ");
  if (colon == std::string_view::npos) return {};
  std::string_view path = rest.substr(0, colon);
  for (char c : path)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.' &&
        c != '[' && c != ']')
      return {};
  return path;
}

}  // namespace

std::string RecipeErrorPointer(const std::string& message, const std::string& source) {
  std::string_view path = KeyPathOf(AfterSource(message, source));
  if (path.empty()) return "";
  std::string pointer;
  for (char c : path) {
    if (c == '.' || c == '[')
      pointer += '/';
    else if (c != ']')
      pointer += c;
  }
  return "/" + pointer;
}

std::string RecipeErrorReason(const std::string& message, const std::string& source) {
  std::string_view rest = AfterSource(message, source);
  std::string_view path = KeyPathOf(rest);
  if (!path.empty()) rest.remove_prefix(path.size() + 2);
  return std::string(rest);
}

YAML::Node JsonToYaml(const Json& v) {
  if (v.is_null()) return YAML::Node(YAML::NodeType::Null);
  if (v.is_object()) {
    YAML::Node map(YAML::NodeType::Map);
    for (auto it = v.begin(); it != v.end(); ++it) map[it.key()] = JsonToYaml(it.value());
    return map;
  }
  if (v.is_array()) {
    YAML::Node seq(YAML::NodeType::Sequence);
    for (const Json& item : v) seq.push_back(JsonToYaml(item));
    return seq;
  }
  if (v.is_string()) return YAML::Node(v.get<std::string>());
  if (v.is_boolean()) return YAML::Node(v.get<bool>() ? "true" : "false");
  return YAML::Node(v.dump());  // numbers as their JSON text
}

Result<Json> YamlToJson(const YAML::Node& n, const std::string& key) {
  if (!n || n.IsNull()) return Json(nullptr);
  if (n.IsMap()) {
    Json out = Json::object();
    for (auto it = n.begin(); it != n.end(); ++it) {
      if (!it->first.IsScalar())
        return InvalidArgument((key.empty() ? "" : key + ": ") + "keys must be plain words");
      const std::string k = it->first.Scalar();
      // yaml-cpp keeps both; readers see the first, JSON would keep the last.
      if (out.contains(k))
        return InvalidArgument(YamlReader::Join(key, k) + ": the key is given twice");
      ASSIGN_OR_RETURN(out[k], YamlToJson(it->second, YamlReader::Join(key, k)));
    }
    return out;
  }
  if (n.IsSequence()) {
    Json out = Json::array();
    for (size_t i = 0; i < n.size(); ++i) {
      ASSIGN_OR_RETURN(Json item, YamlToJson(n[i], key + "[" + std::to_string(i) + "]"));
      out.push_back(std::move(item));
    }
    return out;
  }
  const std::string& text = n.Scalar();
  if (n.Tag() != "!") {  // plain, not quoted
    int64_t i = 0;
    if (ParseInt64(text, &i)) return Json(i);
    if (text == "true") return Json(true);
    if (text == "false") return Json(false);
  }
  return Json(text);
}

namespace {

// The offset of the first byte that does not start a well-formed UTF-8
// sequence (overlong forms, surrogates and code points above U+10FFFF
// included); npos when the text is valid.
size_t FirstInvalidUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    size_t n = 0;
    uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      n = 1, cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2, cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3, cp = c & 0x07;
    } else {
      return i;
    }
    if (i + n >= text.size()) return i;  // cut short
    for (size_t k = 1; k <= n; ++k) {
      const auto b = static_cast<unsigned char>(text[i + k]);
      if ((b & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (b & 0x3F);
    }
    static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
    i += n + 1;
  }
  return std::string_view::npos;
}

}  // namespace

Result<RecipeDocument> ParseRecipeDocument(std::string_view text, const std::string& source) {
  // yaml-cpp takes any bytes; a recipe's names and values travel as JSON.
  if (const size_t bad = FirstInvalidUtf8(text); bad != std::string_view::npos)
    return InvalidArgument(source + ": the text is not valid UTF-8 (byte " + std::to_string(bad) +
                           ")");
  ASSIGN_OR_RETURN(YAML::Node root, SafeLoadYaml(text, source));
  YamlReader reader(source);
  RecipeDocument out;
  try {
    const YAML::Node doc =
        root.IsMap() && root.size() == 1 && root["recipe"] ? root["recipe"] : root;
    RETURN_IF_ERROR(reader.CheckKeys(doc, "", {"name", "description", "rules"}));
    if (!doc["name"]) return reader.Error(doc, "name", "missing: a recipe needs a name");
    ASSIGN_OR_RETURN(out.name, reader.String(doc["name"], "name"));
    if (out.name.empty() || out.name.size() > 128)
      return reader.Error(doc["name"], "name", "expected 1 to 128 characters");
    if (doc["description"]) {
      ASSIGN_OR_RETURN(out.description, reader.String(doc["description"], "description"));
    }
    Result<Json> rules = YamlToJson(doc["rules"], "rules");
    if (!rules.ok()) return InvalidArgument(source + ": " + rules.status().message());
    RETURN_IF_ERROR(ReadRecipeRules(reader, doc["rules"], "rules").status());
    if (rules->is_object()) out.rules = std::move(*rules);
  } catch (const YAML::Exception& e) {
    return InvalidArgument(source + ": " + e.what());
  }
  return out;
}

namespace {
void Emit(YAML::Emitter& out, const Json& v) {
  if (v.is_object()) {
    out << YAML::BeginMap;
    for (auto it = v.begin(); it != v.end(); ++it) {
      out << YAML::Key << it.key() << YAML::Value;
      Emit(out, it.value());
    }
    out << YAML::EndMap;
  } else if (v.is_array()) {
    const bool flat =
        std::all_of(v.begin(), v.end(), [](const Json& x) { return x.is_primitive(); });
    if (flat) out << YAML::Flow;
    out << YAML::BeginSeq;
    for (const Json& item : v) Emit(out, item);
    out << YAML::EndSeq;
  } else if (v.is_null()) {
    out << YAML::Null;
  } else if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    int64_t ignored = 0;
    // A string that would read back as a number or boolean stays a string.
    if (ParseInt64(s, &ignored) || s == "true" || s == "false" || s.empty())
      out << YAML::DoubleQuoted << s;
    else
      out << s;
  } else if (v.is_boolean()) {
    out << (v.get<bool>() ? "true" : "false");
  } else {
    out << v.dump();
  }
}
}  // namespace

std::string JsonToYamlText(const Json& value) {
  YAML::Emitter out;
  Emit(out, value);
  return std::string(out.c_str()) + "\n";
}

}  // namespace warden

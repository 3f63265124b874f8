#include "rules/rule_yaml_loader.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>

#include "core/strings.h"
#include "rules/regex_matcher.h"
#include "rules/sigma_loader.h"
#include "rules/string_match.h"

namespace warden {

namespace {

const std::vector<std::string> kRuleKeys = {"id",        "title",      "description", "risk_level",
                                            "enabled",   "tags",       "remediation", "links",
                                            "match",     "patterns",   "canary",      "exceptions",
                                            "threshold", "references", "provider"};
const std::vector<std::string> kFieldOps = {
    "equals", "not_equals", "in", "not_in", "regex", "contains", "startswith", "endswith",
    "exists", "cidr",       "lt", "le",     "gt",    "ge",       "fieldref",   "ignore_case"};
const std::vector<std::string> kRowKeys = {"eventName", "eventSource", "userIdentityType"};

std::string UnknownKeyMessage(const std::string& kind, const std::string& key,
                              const std::vector<std::string>& known) {
  std::string m = "unknown " + kind + " '" + key + "'";
  return m + DidYouMean(key, known);
}

}  // namespace

bool RuleLoadResult::has_errors() const {
  return std::any_of(diagnostics.begin(), diagnostics.end(), [](const RuleDiagnostic& d) {
    return d.severity == RuleDiagnostic::Severity::kError;
  });
}

Status RuleLoadResult::FirstError() const {
  const RuleDiagnostic* first = nullptr;
  size_t count = 0;
  for (const auto& d : diagnostics) {
    if (d.severity != RuleDiagnostic::Severity::kError) continue;
    if (first == nullptr) first = &d;
    ++count;
  }
  if (first == nullptr) return Status::Ok();
  std::string m = first->ToString();
  if (count > 1)
    m += " (and " + std::to_string(count - 1) + " more errors; run `warden rules lint`)";
  return InvalidArgument(m);
}

bool NativeRuleParser::Fail(const SourceLocation& location, const std::string& message) {
  RuleDiagnostic d;
  d.location = location;
  d.rule_id = rule_id_;
  d.message = message;
  diagnostics_->push_back(std::move(d));
  return false;
}

bool NativeRuleParser::Fail(const YAML::Node& node, const std::string& message) {
  return Fail(LocationOf(file_, node), message);
}

bool NativeRuleParser::CheckRegex(const YAML::Node& node, const std::string& pattern,
                                  bool ignore_case, const std::string& what) {
  size_t offset = 0;
  RegexOptions options;
  options.ignore_case = ignore_case;
  auto re = Regex::Compile(pattern, options, &offset);
  if (re.ok()) return true;
  return Fail(LocationInScalar(file_, node, offset), what + ": " + re.status().message());
}

std::optional<Rule> NativeRuleParser::ParseRule(const YAML::Node& node) {
  rule_id_.clear();
  if (!node.IsMap()) {
    Fail(node, "a rule must be a mapping with id, title, risk_level and match/patterns/canary");
    return std::nullopt;
  }
  Rule rule;
  rule.location = LocationOf(file_, node);
  rule.format = RuleFormat::kWarden;
  // The id first, so every later message names the rule.
  for (auto it = node.begin(); it != node.end(); ++it) {
    if (it->first.Scalar() != "id") continue;
    if (!it->second.IsScalar() || TrimWhitespace(it->second.Scalar()).empty()) {
      Fail(it->second, "id: expected a non-empty rule id");
      return std::nullopt;
    }
    rule.id = std::string(TrimWhitespace(it->second.Scalar()));
    rule_id_ = rule.id;
  }
  if (rule.id.empty()) {
    Fail(node, "missing 'id'");
    return std::nullopt;
  }
  bool ok = true, have_risk = false;
  for (auto it = node.begin(); it != node.end(); ++it) {
    const std::string key = it->first.Scalar();
    const YAML::Node v = it->second;  // a copy: the iterator's proxy dies here
    auto scalar = [&](std::string* out) {
      auto r = ReadScalar(v, key);
      if (!r.ok()) return Fail(v, r.status().message());
      *out = *r;
      return true;
    };
    auto list = [&](std::vector<std::string>* out) {
      auto r = ReadStringList(v, key);
      if (!r.ok()) return Fail(v, r.status().message());
      *out = *r;
      return true;
    };
    if (key == "id") continue;
    if (key == "title") {
      ok &= scalar(&rule.title);
    } else if (key == "description") {
      ok &= scalar(&rule.description);
    } else if (key == "remediation") {
      ok &= scalar(&rule.remediation);
    } else if (key == "links" || key == "references") {
      ok &= list(&rule.links);
    } else if (key == "tags") {
      ok &= list(&rule.tags);
    } else if (key == "risk_level") {
      std::string text;
      if (!scalar(&text)) {
        ok = false;
        continue;
      }
      auto level = ParseRiskLevel(text);
      if (!level) {
        ok &= Fail(v, "risk_level: " + UnknownRiskLevelMessage(text));
        continue;
      }
      rule.risk_level = *level;
      have_risk = true;
    } else if (key == "provider") {
      std::string text;
      if (!scalar(&text)) {
        ok = false;
        continue;
      }
      if (text == "aws")
        rule.provider = EventProvider::kAws;
      else if (text == "oci")
        rule.provider = EventProvider::kOci;
      else
        ok &= Fail(v, "provider: '" + text + "' is not a provider (use aws or oci)");
    } else if (key == "enabled") {
      auto b = ReadBool(v, key);
      if (!b.ok())
        ok &= Fail(v, b.status().message());
      else
        rule.enabled = *b;
    } else if (key == "match") {
      auto c = ParseMatch(v, "match");
      if (!c)
        ok = false;
      else
        rule.match = std::move(*c);
    } else if (key == "patterns") {
      auto rows = ParsePatterns(v);
      if (!rows)
        ok = false;
      else {
        rule.patterns = std::move(*rows);
        rule.has_patterns = true;
      }
    } else if (key == "canary") {
      auto c = ParseCanary(v);
      if (!c)
        ok = false;
      else
        rule.canary = std::move(*c);
    } else if (key == "exceptions") {
      auto e = ParseExceptions(v);
      if (!e)
        ok = false;
      else
        rule.exceptions = std::move(*e);
    } else if (key == "threshold") {
      auto t = ParseThreshold(v);
      if (!t)
        ok = false;
      else
        rule.threshold = std::move(*t);
    } else {
      ok &= Fail(it->first, UnknownKeyMessage("key", key, kRuleKeys));
    }
  }
  if (!have_risk && ok)
    ok &= Fail(node, "missing 'risk_level' (extreme, very_high, high, medium or low)");
  if (ok && !rule.match && !rule.has_patterns && !rule.canary)
    ok &= Fail(node, "the rule needs 'match', 'patterns' or 'canary'");
  if (!ok) return std::nullopt;
  if (rule.title.empty()) rule.title = rule.id;
  return rule;
}

std::optional<Condition> NativeRuleParser::ParseMatch(const YAML::Node& node,
                                                      const std::string& what) {
  if (node.IsSequence()) {
    std::vector<Condition> any;
    size_t i = 0;
    for (const YAML::Node& item : node) {
      auto c = ParseMatch(item, what + "[" + std::to_string(i++) + "]");
      if (!c) return std::nullopt;
      any.push_back(std::move(*c));
    }
    return Condition::Or(std::move(any));
  }
  if (!node.IsMap()) {
    Fail(node, what + ": expected a mapping of field: value (or and/or/not)");
    return std::nullopt;
  }
  std::vector<Condition> all;
  for (auto it = node.begin(); it != node.end(); ++it) {
    const std::string key = it->first.Scalar();
    const YAML::Node v = it->second;  // a copy: the iterator's proxy dies here
    if (key == "and" || key == "or" || key == "any" || key == "all") {
      if (!v.IsSequence() && !v.IsMap()) {
        Fail(v, what + "." + key + ": expected a list of conditions");
        return std::nullopt;
      }
      std::vector<Condition> kids;
      if (v.IsMap()) {
        // or: {a: 1, b: 2} means a OR b: one condition per entry.
        for (auto e = v.begin(); e != v.end(); ++e) {
          auto c = ParseFieldSpec(e->first.Scalar(), e->second, what + "." + key);
          if (!c) return std::nullopt;
          kids.push_back(std::move(*c));
        }
      } else {
        size_t i = 0;
        for (const YAML::Node& item : v) {
          auto c = ParseMatch(item, what + "." + key + "[" + std::to_string(i++) + "]");
          if (!c) return std::nullopt;
          kids.push_back(std::move(*c));
        }
      }
      all.push_back((key == "and" || key == "all") ? Condition::And(std::move(kids))
                                                   : Condition::Or(std::move(kids)));
    } else if (key == "not") {
      auto c = ParseMatch(v, what + ".not");
      if (!c) return std::nullopt;
      all.push_back(Condition::Not(std::move(*c)));
    } else {
      auto c = ParseFieldSpec(key, v, what);
      if (!c) return std::nullopt;
      all.push_back(std::move(*c));
    }
  }
  return Condition::And(std::move(all));
}

std::optional<Condition> NativeRuleParser::ParseFieldSpec(const std::string& field,
                                                          const YAML::Node& spec,
                                                          const std::string& what) {
  const std::string here = what + "." + field;
  if (field.empty() || field.front() == '.' || field.back() == '.' ||
      field.find("..") != std::string::npos) {
    Fail(spec, here + ": invalid field path");
    return std::nullopt;
  }
  auto located = [&](Condition c, const YAML::Node& n) {
    c.location = LocationOf(file_, n);
    return c;
  };
  if (spec.IsNull()) return located(Condition::Field(field, MatchOp::kIsNull, {}), spec);
  if (spec.IsScalar() || spec.IsSequence()) {
    auto values = ReadStringList(spec, here);
    if (!values.ok()) {
      Fail(spec, values.status().message());
      return std::nullopt;
    }
    return located(Condition::Field(field, MatchOp::kEquals, *values), spec);
  }
  if (!spec.IsMap()) {
    Fail(spec, here + ": expected a value, a list or a mapping of operators");
    return std::nullopt;
  }
  bool ignore_case = false;
  for (auto it = spec.begin(); it != spec.end(); ++it) {
    if (it->first.Scalar() != "ignore_case") continue;
    auto b = ReadBool(it->second, here + ".ignore_case");
    if (!b.ok()) {
      Fail(it->second, b.status().message());
      return std::nullopt;
    }
    ignore_case = *b;
  }
  std::vector<Condition> all;
  for (auto it = spec.begin(); it != spec.end(); ++it) {
    const std::string op = it->first.Scalar();
    const YAML::Node v = it->second;  // a copy: the iterator's proxy dies here
    const std::string where = here + "." + op;
    if (op == "ignore_case") continue;
    auto values = [&]() -> std::optional<std::vector<std::string>> {
      auto r = ReadStringList(v, where);
      if (!r.ok()) {
        Fail(v, r.status().message());
        return std::nullopt;
      }
      return *r;
    };
    Condition c;
    if (op == "equals" || op == "in" || op == "not_equals" || op == "not_in" || op == "contains" ||
        op == "startswith" || op == "endswith") {
      auto vs = values();
      if (!vs) return std::nullopt;
      MatchOp m = op == "contains"     ? MatchOp::kContains
                  : op == "startswith" ? MatchOp::kStartsWith
                  : op == "endswith"   ? MatchOp::kEndsWith
                                       : MatchOp::kEquals;
      c = Condition::Field(field, m, *vs);
      c.ignore_case = ignore_case;
      c.location = LocationOf(file_, v);
      if (op == "not_equals" || op == "not_in") c = Condition::Not(std::move(c));
    } else if (op == "regex") {
      std::vector<std::string> patterns;
      if (v.IsSequence()) {
        size_t i = 0;
        for (const YAML::Node& item : v) {
          if (!item.IsScalar()) {
            Fail(item, where + ": expected a regex");
            return std::nullopt;
          }
          if (!CheckRegex(item, item.Scalar(), ignore_case,
                          where + "[" + std::to_string(i++) + "]"))
            return std::nullopt;
          patterns.push_back(item.Scalar());
        }
      } else if (v.IsScalar()) {
        if (!CheckRegex(v, v.Scalar(), ignore_case, where)) return std::nullopt;
        patterns.push_back(v.Scalar());
      } else {
        Fail(v, where + ": expected a regex or a list of regexes");
        return std::nullopt;
      }
      c = Condition::Field(field, MatchOp::kRegex, patterns);
      c.ignore_case = ignore_case;
      c.location = LocationOf(file_, v);
    } else if (op == "exists") {
      auto b = ReadBool(v, where);
      if (!b.ok()) {
        Fail(v, b.status().message());
        return std::nullopt;
      }
      c = Condition::Field(field, MatchOp::kExists, {});
      c.exists_value = *b;
    } else if (op == "cidr") {
      auto vs = values();
      if (!vs) return std::nullopt;
      for (const std::string& cidr : *vs) {
        auto r = CidrRange::Parse(cidr);
        if (!r.ok()) {
          Fail(v, where + ": " + r.status().message());
          return std::nullopt;
        }
      }
      c = Condition::Field(field, MatchOp::kCidr, *vs);
    } else if (op == "lt" || op == "le" || op == "gt" || op == "ge") {
      auto n = ReadNumber(v, where);
      if (!n.ok()) {
        Fail(v, n.status().message());
        return std::nullopt;
      }
      MatchOp m = op == "lt"   ? MatchOp::kLess
                  : op == "le" ? MatchOp::kLessEqual
                  : op == "gt" ? MatchOp::kGreater
                               : MatchOp::kGreaterEqual;
      c = Condition::Field(field, m, {});
      c.number = *n;
    } else if (op == "fieldref") {
      auto other = ReadScalar(v, where);
      if (!other.ok() || other->empty()) {
        Fail(v, where + ": expected the dotted path of another field");
        return std::nullopt;
      }
      c = Condition::Field(field, MatchOp::kFieldRef, {*other});
      c.ignore_case = ignore_case;
    } else {
      Fail(it->first, here + ": " + UnknownKeyMessage("operator", op, kFieldOps));
      return std::nullopt;
    }
    if (c.location.line == 0) c.location = LocationOf(file_, v);
    all.push_back(std::move(c));
  }
  if (all.empty()) {
    Fail(spec, here + ": no operator given");
    return std::nullopt;
  }
  return all.size() == 1 ? std::move(all[0]) : Condition::And(std::move(all));
}

std::optional<std::vector<PatternRow>> NativeRuleParser::ParsePatterns(const YAML::Node& node) {
  std::vector<PatternRow> rows;
  if (node.IsNull()) return rows;
  if (!node.IsSequence()) {
    Fail(node, "patterns: expected a list of rows {eventName, eventSource, userIdentityType}");
    return std::nullopt;
  }
  size_t index = 0;
  bool ok = true;
  for (const YAML::Node& item : node) {
    const std::string where = "patterns[" + std::to_string(index++) + "]";
    if (!item.IsMap()) {
      ok &= Fail(
          item,
          where + ": expected {eventName: regex, eventSource: regex, userIdentityType: regex}");
      continue;
    }
    PatternRow row;
    row.location = LocationOf(file_, item);
    bool any = false;
    for (auto it = item.begin(); it != item.end(); ++it) {
      const std::string key = it->first.Scalar();
      const YAML::Node v = it->second;  // a copy: the iterator's proxy dies here
      std::optional<std::string>* column = nullptr;
      SourceLocation* loc = nullptr;
      if (key == "eventName") {
        column = &row.event_name;
        loc = &row.event_name_location;
      } else if (key == "eventSource") {
        column = &row.event_source;
        loc = &row.event_source_location;
      } else if (key == "userIdentityType" || key == "userIdentity.type") {
        column = &row.user_identity_type;
        loc = &row.user_identity_type_location;
      } else {
        ok &= Fail(it->first, where + ": " + UnknownKeyMessage("column", key, kRowKeys));
        continue;
      }
      if (v.IsNull()) continue;  // an empty column matches anything
      if (!v.IsScalar()) {
        ok &= Fail(v, where + "." + key + ": expected a regex");
        continue;
      }
      if (!CheckRegex(v, v.Scalar(), false, where + "." + key)) {
        ok = false;
        continue;
      }
      *column = v.Scalar();
      *loc = LocationOf(file_, v);
      any = true;
    }
    if (!any && ok) {
      ok &= Fail(item,
                 where + ": a row with no columns matches every event; give at least one column");
      continue;
    }
    rows.push_back(std::move(row));
  }
  if (!ok) return std::nullopt;
  return rows;
}

std::optional<CanarySpec> NativeRuleParser::ParseCanary(const YAML::Node& node) {
  CanarySpec spec;
  if (node.IsNull()) return spec;
  if (!node.IsMap()) {
    Fail(node, "canary: expected {users: [...], access_keys: [...]}");
    return std::nullopt;
  }
  for (auto it = node.begin(); it != node.end(); ++it) {
    const std::string key = it->first.Scalar();
    std::vector<std::string>* target = key == "users"         ? &spec.users
                                       : key == "access_keys" ? &spec.access_keys
                                                              : nullptr;
    if (target == nullptr) {
      Fail(it->first, "canary: " + UnknownKeyMessage("key", key, {"users", "access_keys"}));
      return std::nullopt;
    }
    auto values = ReadStringList(it->second, "canary." + key);
    if (!values.ok()) {
      Fail(it->second, values.status().message());
      return std::nullopt;
    }
    for (std::string& v : *values) {
      std::string t(TrimWhitespace(v));
      if (t.empty()) {
        Fail(it->second, "canary." + key + ": empty entry");
        return std::nullopt;
      }
      target->push_back(std::move(t));
    }
  }
  return spec;
}

std::optional<std::vector<Condition>> NativeRuleParser::ParseExceptions(const YAML::Node& node) {
  std::vector<Condition> out;
  if (node.IsNull()) return out;
  if (!node.IsSequence()) {
    Fail(node, "exceptions: expected a list of match expressions");
    return std::nullopt;
  }
  size_t i = 0;
  for (const YAML::Node& item : node) {
    auto c = ParseMatch(item, "exceptions[" + std::to_string(i++) + "]");
    if (!c) return std::nullopt;
    out.push_back(std::move(*c));
  }
  return out;
}

std::optional<Threshold> NativeRuleParser::ParseThreshold(const YAML::Node& node) {
  if (!node.IsMap()) {
    Fail(node, "threshold: expected {count: N, window: 5m, group_by: [field, ...]}");
    return std::nullopt;
  }
  Threshold t;
  bool have_count = false;
  for (auto it = node.begin(); it != node.end(); ++it) {
    const std::string key = it->first.Scalar();
    const YAML::Node v = it->second;  // a copy: the iterator's proxy dies here
    if (key == "count") {
      auto n = ReadNumber(v, "threshold.count");
      if (!n.ok() || *n < 1 || *n > 1e6 || *n != static_cast<int>(*n)) {
        Fail(v, "threshold.count: expected a whole number from 1 to 1000000");
        return std::nullopt;
      }
      t.count = static_cast<int>(*n);
      have_count = true;
    } else if (key == "window") {
      auto d = ReadDuration(v, "threshold.window");
      if (!d.ok()) {
        Fail(v, d.status().message());
        return std::nullopt;
      }
      t.window_seconds = *d;
    } else if (key == "group_by") {
      auto g = ReadStringList(v, "threshold.group_by");
      if (!g.ok()) {
        Fail(v, g.status().message());
        return std::nullopt;
      }
      t.group_by = *g;
    } else {
      Fail(it->first,
           "threshold: " + UnknownKeyMessage("key", key, {"count", "window", "group_by"}));
      return std::nullopt;
    }
  }
  if (!have_count) {
    Fail(node, "threshold: missing 'count'");
    return std::nullopt;
  }
  return t;
}

namespace {

void LoadDocument(const YAML::Node& doc, const std::string& source, RuleLoadResult* out) {
  if (!doc.IsDefined() || doc.IsNull()) return;
  NativeRuleParser parser(source, &out->diagnostics);
  auto add_native = [&](const YAML::Node& node) {
    if (node.IsMap() && IsSigmaDocument(node)) {
      if (auto r = ParseSigmaRule(node, source, &out->diagnostics))
        out->rules.push_back(std::move(*r));
      return;
    }
    if (auto r = parser.ParseRule(node)) out->rules.push_back(std::move(*r));
  };
  if (doc.IsSequence()) {
    for (const YAML::Node& item : doc) add_native(item);
    return;
  }
  if (doc.IsMap()) {
    YAML::Node rules;
    bool has_id = false, has_rules = false;
    for (auto it = doc.begin(); it != doc.end(); ++it) {
      if (it->first.Scalar() == "rules") {
        rules = it->second;
        has_rules = true;
      }
      if (it->first.Scalar() == "id") has_id = true;
    }
    if (has_rules && !has_id && !IsSigmaDocument(doc)) {
      if (!rules.IsSequence()) {
        parser.Fail(rules, "rules: expected a list of rules");
        return;
      }
      for (const YAML::Node& item : rules) add_native(item);
      return;
    }
    add_native(doc);
    return;
  }
  parser.Fail(doc, "expected a rule, a list of rules, or a Sigma rule");
}

}  // namespace

RuleLoadResult LoadRulesFromText(std::string_view text, const std::string& source_name) {
  RuleLoadResult out;
  out.files = 1;
  auto docs = SafeLoadAllYaml(text, source_name);
  if (!docs.ok()) {
    // "file:line:col: invalid YAML: ..." split back into a diagnostic.
    RuleDiagnostic d;
    d.location.file = source_name;
    std::string m = docs.status().message();
    std::string rest = m.substr(std::min(m.size(), source_name.size()));
    int line = 0, column = 0;
    if (std::sscanf(rest.c_str(), ":%d:%d:", &line, &column) == 2) {
      d.location.line = line;
      d.location.column = column;
      rest = rest.substr(rest.find(": ") + 2);
    } else if (StartsWith(rest, ": ")) {
      rest = rest.substr(2);
    }
    d.message = rest;
    out.diagnostics.push_back(std::move(d));
    return out;
  }
  try {
    for (const YAML::Node& doc : *docs) LoadDocument(doc, source_name, &out);
  } catch (const std::exception& e) {
    // yaml-cpp's accessors throw on some malformed trees; never let it out.
    RuleDiagnostic d;
    d.location.file = source_name;
    d.message = std::string("invalid YAML: ") + e.what();
    out.diagnostics.push_back(std::move(d));
  }
  return out;
}

namespace {

void CheckDuplicates(RuleLoadResult* result) {
  std::map<std::string, const Rule*> seen;
  for (const Rule& r : result->rules) {
    auto [it, inserted] = seen.emplace(r.id, &r);
    if (inserted) continue;
    RuleDiagnostic d;
    d.location = r.location;
    d.rule_id = r.id;
    d.message = "duplicate rule id (first defined at " + it->second->location.ToString() + ")";
    result->diagnostics.push_back(std::move(d));
  }
}

void LoadFile(const std::string& path, RuleLoadResult* out) {
  auto text = ReadYamlFile(path);
  if (!text.ok()) {
    RuleDiagnostic d;
    d.location.file = path;
    std::string m = text.status().message();
    d.message =
        "cannot read rule file: " + (StartsWith(m, path + ": ") ? m.substr(path.size() + 2) : m);
    out->diagnostics.push_back(std::move(d));
    return;
  }
  RuleLoadResult one = LoadRulesFromText(*text, path);
  for (Rule& r : one.rules) out->rules.push_back(std::move(r));
  for (RuleDiagnostic& d : one.diagnostics) out->diagnostics.push_back(std::move(d));
  out->files += 1;
}

}  // namespace

RuleLoadResult LoadRulesFromPath(const std::string& path) {
  RuleLoadResult out;
  std::error_code ec;
  auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) {
    RuleDiagnostic d;
    d.location.file = path;
    d.message = "no such file or directory";
    out.diagnostics.push_back(std::move(d));
    return out;
  }
  if (std::filesystem::is_directory(status)) {
    std::vector<std::string> files;
    std::filesystem::recursive_directory_iterator it(
        path, std::filesystem::directory_options::skip_permission_denied, ec);
    for (; !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      if (!it->is_regular_file(ec)) continue;
      std::string ext = it->path().extension().string();
      if (ext == ".yml" || ext == ".yaml") files.push_back(it->path().string());
    }
    std::sort(files.begin(), files.end());
    for (const std::string& f : files) LoadFile(f, &out);
  } else {
    LoadFile(path, &out);
  }
  CheckDuplicates(&out);
  return out;
}

}  // namespace warden

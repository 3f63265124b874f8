#include "cloud/trail_profile.h"

#include <sys/stat.h>

#include <set>

#include "core/strings.h"
#include "core/time_format.h"
#include "rules/rule_yaml_loader.h"

namespace warden {

namespace {

// Parses the keys of one rule's settings mapping.
bool ParseSettings(const YAML::Node& node, NativeRuleParser& parser, RuleSettings* out) {
  if (!node.IsMap()) return parser.Fail(node, "expected a mapping of rule settings");
  out->location = LocationOf(parser.file(), node);
  bool ok = true;
  for (auto it = node.begin(); it != node.end(); ++it) {
    const std::string key = it->first.Scalar();
    const YAML::Node v = it->second;  // a copy: the iterator's proxy dies here
    if (key == "enabled") {
      auto b = ReadBool(v, key);
      if (!b.ok())
        ok &= parser.Fail(v, b.status().message());
      else
        out->enabled = *b;
    } else if (key == "risk_level") {
      auto level = v.IsScalar() ? ParseRiskLevel(v.Scalar()) : std::nullopt;
      if (!level)
        ok &= parser.Fail(
            v, "risk_level: " + UnknownRiskLevelMessage(
                                    v.IsScalar() ? v.Scalar() : std::string("(not a word)")));
      else
        out->risk_level = *level;
    } else if (key == "patterns") {
      auto rows = parser.ParsePatterns(v);
      if (!rows)
        ok = false;
      else
        out->patterns = std::move(*rows);
    } else if (key == "canary") {
      auto c = parser.ParseCanary(v);
      if (!c)
        ok = false;
      else
        out->canary = std::move(*c);
    } else if (key == "exceptions") {
      auto e = parser.ParseExceptions(v);
      if (!e)
        ok = false;
      else
        out->exceptions = std::move(*e);
    } else {
      std::string m = "unknown rule setting '" + key + "'";
      m += DidYouMean(key, {"enabled", "risk_level", "patterns", "canary", "exceptions"});
      ok &= parser.Fail(it->first, m);
    }
  }
  return ok;
}

bool ParseRuleMap(const YAML::Node& node, NativeRuleParser& parser,
                  std::map<std::string, RuleSettings>* out) {
  if (node.IsNull()) return true;
  if (!node.IsMap()) return parser.Fail(node, "rules: expected a mapping of rule id -> settings");
  bool ok = true;
  for (auto it = node.begin(); it != node.end(); ++it) {
    const std::string id = it->first.Scalar();
    parser.set_rule_id(id);
    RuleSettings settings;
    if (ParseSettings(it->second, parser, &settings))
      (*out)[id] = std::move(settings);
    else
      ok = false;
  }
  parser.set_rule_id("");
  return ok;
}

std::optional<int64_t> ParseExpiry(const std::string& text) {
  std::string t(TrimWhitespace(text));
  if (t.size() == 10) t += "T23:59:59Z";  // a date: the end of that day, UTC
  return ParseRfc3339(t);
}

void Apply(const RuleSettings& s, Rule* rule) {
  if (s.enabled) rule->enabled = *s.enabled;
  if (s.risk_level) rule->risk_level = *s.risk_level;
  if (s.patterns) {
    rule->patterns = *s.patterns;
    rule->has_patterns = true;
  }
  if (s.canary) rule->canary = *s.canary;
  for (const Condition& e : s.exceptions) rule->exceptions.push_back(e);
}

}  // namespace

Result<TrailProfile> TrailProfile::Parse(const std::string& text, const std::string& source) {
  TrailProfile profile;
  std::vector<RuleDiagnostic> diagnostics;
  NativeRuleParser parser(source, &diagnostics);
  auto docs = SafeLoadAllYaml(text, source);
  if (!docs.ok()) return docs.status();
  if (docs->size() > 1) return InvalidArgument(source + ": a profile is one YAML document");
  try {
    YAML::Node root = docs->empty() ? YAML::Node() : (*docs)[0];
    if (!root.IsNull() && !root.IsMap())
      return InvalidArgument(source +
                             ": a profile is a mapping with organisation, accounts, suppressions");
    for (auto it = root.begin(); it != root.end(); ++it) {
      const std::string key = it->first.Scalar();
      const YAML::Node v = it->second;  // a copy: the iterator's proxy dies here
      if (key == "organisation" || key == "organization") {
        if (!v.IsMap()) {
          parser.Fail(v, key + ": expected {name: ..., rules: {...}}");
          continue;
        }
        for (auto o = v.begin(); o != v.end(); ++o) {
          const std::string k = o->first.Scalar();
          if (k == "name")
            profile.organisation_name_ = o->second.IsScalar() ? o->second.Scalar() : "";
          else if (k == "rules")
            ParseRuleMap(o->second, parser, &profile.organisation_rules_);
          else
            parser.Fail(o->first, key + ": unknown key '" + k + "' (name, rules)");
        }
      } else if (key == "accounts") {
        if (!v.IsMap()) {
          parser.Fail(v, "accounts: expected a mapping of account id -> {rules: {...}}");
          continue;
        }
        for (auto a = v.begin(); a != v.end(); ++a) {
          const std::string account = std::string(TrimWhitespace(a->first.Scalar()));
          if (!a->second.IsMap()) {
            parser.Fail(a->second, "accounts." + account + ": expected {rules: {...}}");
            continue;
          }
          if (profile.account_rules_.size() >= kMaxAccountsWithRuleOverrides &&
              !profile.account_rules_.count(account)) {
            parser.Fail(a->first, "accounts: more than " +
                                      std::to_string(kMaxAccountsWithRuleOverrides) +
                                      " accounts with their own rule settings (limit " +
                                      std::to_string(kMaxAccountsWithRuleOverrides) +
                                      "; settings shared by many accounts belong under "
                                      "organisation)");
            break;
          }
          auto& rules = profile.account_rules_[account];
          for (auto k = a->second.begin(); k != a->second.end(); ++k) {
            const std::string name = k->first.Scalar();
            if (name == "rules")
              ParseRuleMap(k->second, parser, &rules);
            else if (name != "name")
              parser.Fail(k->first,
                          "accounts." + account + ": unknown key '" + name + "' (name, rules)");
          }
        }
      } else if (key == "suppressions") {
        if (!v.IsSequence()) {
          parser.Fail(v, "suppressions: expected a list");
          continue;
        }
        size_t index = 0;
        for (const YAML::Node& item : v) {
          const std::string where = "suppressions[" + std::to_string(index++) + "]";
          if (!item.IsMap()) {
            parser.Fail(item, where + ": expected {rule, comment, account?, resource?, expires?}");
            continue;
          }
          Suppression s;
          s.location = LocationOf(source, item);
          bool ok = true;
          for (auto f = item.begin(); f != item.end(); ++f) {
            const std::string k = f->first.Scalar();
            if (!f->second.IsScalar()) {
              ok &= parser.Fail(f->second, where + "." + k + ": expected a single value");
              continue;
            }
            const std::string value = std::string(TrimWhitespace(f->second.Scalar()));
            if (k == "rule")
              s.rule = value;
            else if (k == "account")
              s.account = value;
            else if (k == "resource")
              s.resource = value;
            else if (k == "comment")
              s.comment = value;
            else if (k == "expires") {
              s.expires = ParseExpiry(value);
              if (!s.expires)
                ok &= parser.Fail(f->second,
                                  where + ".expires: use a date (2025-12-31) or an RFC 3339 time");
            } else {
              ok &= parser.Fail(f->first, where + ": unknown key '" + k +
                                              "' (rule, account, resource, comment, expires)");
            }
          }
          if (s.rule.empty())
            ok &= parser.Fail(item,
                              where + ": 'rule' is required (an id or a glob such as AWS-S3-*)");
          if (s.comment.empty())
            ok &= parser.Fail(
                item,
                where + ": 'comment' is required: say why this is suppressed and who decided");
          if (ok) profile.suppressions_.push_back(std::move(s));
        }
      } else {
        parser.Fail(it->first, "unknown key '" + key + "' (organisation, accounts, suppressions)");
      }
    }
  } catch (const std::exception& e) {
    return InvalidArgument(source + ": invalid YAML: " + e.what());
  }
  if (!diagnostics.empty()) {
    std::string m = diagnostics.front().ToString();
    if (diagnostics.size() > 1)
      m += " (and " + std::to_string(diagnostics.size() - 1) + " more errors)";
    return InvalidArgument(m);
  }
  return profile;
}

Result<TrailProfile> TrailProfile::Load(const std::string& path) {
  // A directory would fail to read anyway; say what a profile is instead.
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
    return InvalidArgument(path +
                           ": is a directory; give one profile file (a profile holds one "
                           "organisation, its accounts and suppressions)");
  ASSIGN_OR_RETURN(std::string text, ReadYamlFile(path));
  return Parse(text, path);
}

Result<RuleSettings> TrailProfile::ParseRuleSettings(const std::string& text,
                                                     const std::string& rule_id) {
  const std::string where = "rules." + rule_id;
  auto docs = SafeLoadAllYaml(text, where);
  if (!docs.ok()) return InvalidArgument(where + ": " + docs.status().message());
  if (docs->size() != 1) return InvalidArgument(where + ": expected one mapping of settings");
  std::vector<RuleDiagnostic> diagnostics;
  NativeRuleParser parser(where, &diagnostics);
  parser.set_rule_id(rule_id);
  RuleSettings settings;
  try {
    ParseSettings((*docs)[0], parser, &settings);
  } catch (const std::exception& e) {
    return InvalidArgument(where + ": " + e.what());
  }
  if (!diagnostics.empty()) return InvalidArgument(where + ": " + diagnostics.front().message);
  return settings;
}

TrailProfile TrailProfile::FromOrganisationRules(std::string name,
                                                 std::map<std::string, RuleSettings> rules) {
  TrailProfile profile;
  profile.organisation_name_ = std::move(name);
  profile.organisation_rules_ = std::move(rules);
  return profile;
}

std::vector<std::string> TrailProfile::AccountsWithOverrides() const {
  std::vector<std::string> out;
  for (const auto& [account, rules] : account_rules_)
    if (!rules.empty()) out.push_back(account);
  return out;
}

std::vector<Rule> TrailProfile::Resolve(const std::vector<Rule>& base,
                                        const std::string& account) const {
  std::vector<Rule> out = base;
  const std::map<std::string, RuleSettings>* per_account = nullptr;
  if (!account.empty()) {
    auto it = account_rules_.find(account);
    if (it != account_rules_.end()) per_account = &it->second;
  }
  for (Rule& rule : out) {
    if (auto it = organisation_rules_.find(rule.id); it != organisation_rules_.end())
      Apply(it->second, &rule);
    if (per_account) {
      if (auto it = per_account->find(rule.id); it != per_account->end()) Apply(it->second, &rule);
    }
  }
  return out;
}

std::vector<std::string> TrailProfile::UnknownRuleIds(const std::vector<Rule>& rules) const {
  std::set<std::string> known;
  for (const Rule& r : rules) known.insert(r.id);
  std::set<std::string> unknown;
  for (const auto& [id, _] : organisation_rules_)
    if (!known.count(id)) unknown.insert(id);
  for (const auto& [account, map] : account_rules_)
    for (const auto& [id, _] : map)
      if (!known.count(id)) unknown.insert(id);
  return {unknown.begin(), unknown.end()};
}

const Suppression* TrailProfile::FindSuppression(const std::string& rule_id,
                                                 const std::string& account,
                                                 const std::string& resource,
                                                 const std::string& actor, int64_t now) const {
  for (const Suppression& s : suppressions_) {
    if (s.expires && now > *s.expires) continue;
    if (!GlobPattern::Parse(s.rule, false).Matches(rule_id)) continue;
    if (!s.account.empty() && s.account != account) continue;
    if (!s.resource.empty()) {
      GlobPattern g = GlobPattern::Parse(s.resource, false);
      if (!g.Matches(resource) && !g.Matches(actor)) continue;
    }
    return &s;
  }
  return nullptr;
}

std::vector<const Suppression*> TrailProfile::Expired(int64_t now) const {
  std::vector<const Suppression*> out;
  for (const Suppression& s : suppressions_)
    if (s.expires && now > *s.expires) out.push_back(&s);
  return out;
}

}  // namespace warden

#include "cloud/cloud_rule_settings.h"

#include <mutex>

#include "cloud/builtin_catalog.h"
#include "core/yaml_reader.h"

namespace warden {
namespace {

constexpr const char* kKeys[] = {"enabled", "risk_level", "patterns", "canary"};

Json PatternRowsJson(const std::vector<PatternRow>& rows) {
  Json out = Json::array();
  for (const PatternRow& row : rows) {
    Json r = Json::object();
    if (row.event_name) r["eventName"] = *row.event_name;
    if (row.event_source) r["eventSource"] = *row.event_source;
    if (row.user_identity_type) r["userIdentityType"] = *row.user_identity_type;
    out.push_back(std::move(r));
  }
  return out;
}

Json CanaryJson(const CanarySpec& canary) {
  return {{"users", canary.users}, {"access_keys", canary.access_keys}};
}

// A canary object as given, with both lists present.
Json NormalizedCanary(const Json& given) {
  Json out = {{"users", Json::array()}, {"access_keys", Json::array()}};
  if (!given.is_object()) return out;
  for (const char* key : {"users", "access_keys"})
    if (auto it = given.find(key); it != given.end() && it->is_array()) out[key] = *it;
  return out;
}

bool EmptyRows(const Json& rows) { return !rows.is_array() || rows.empty(); }

bool EmptyCanary(const Json& canary) {
  if (!canary.is_object()) return true;
  for (const char* key : {"users", "access_keys"})
    if (auto it = canary.find(key); it != canary.end() && it->is_array() && !it->empty())
      return false;
  return true;
}

void AddLevel(const Json& settings, std::string_view level, CombinedRuleSettings* out) {
  if (!settings.is_object()) return;
  for (const char* key : kKeys) {
    if (auto it = settings.find(key); it != settings.end()) {
      out->settings[key] = *it;
      out->from[key] = std::string(level);
    }
  }
  if (auto it = settings.find("exceptions"); it != settings.end() && it->is_array())
    for (const Json& e : *it) out->exceptions.emplace_back(e, std::string(level));
}

}  // namespace

std::string_view CloudOverrideModeName(CloudOverrideMode mode) {
  return mode == CloudOverrideMode::kOverwrite ? "overwrite" : "fill_gaps";
}

std::optional<CloudOverrideMode> ParseCloudOverrideMode(std::string_view text) {
  if (text == "fill_gaps") return CloudOverrideMode::kFillGaps;
  if (text == "overwrite") return CloudOverrideMode::kOverwrite;
  return std::nullopt;
}

const std::vector<Rule>& CloudRuleCatalog() {
  static const std::vector<Rule>* catalog = [] {
    auto rules = LoadBuiltinCatalog();
    return new std::vector<Rule>(rules.ok() ? std::move(*rules) : std::vector<Rule>());
  }();
  return *catalog;
}

std::vector<Rule> CloudRuleCatalogFor(std::string_view provider) {
  std::vector<Rule> rules;
  for (const Rule& rule : CloudRuleCatalog())
    if (provider == EventProviderName(rule.provider)) rules.push_back(rule);
  return rules;
}

Status CheckCloudRuleSettings(const Json& rules, const std::vector<Rule>& catalog,
                              const std::string& pointer, std::string* field) {
  *field = pointer;
  if (!rules.is_object())
    return InvalidArgument("rules: expected an object of rule id -> settings");
  std::vector<std::string> ids;
  for (const Rule& r : catalog) ids.push_back(r.id);
  for (auto it = rules.begin(); it != rules.end(); ++it) {
    *field = pointer + "/" + it.key();
    if (it->is_null()) continue;  // a removal (PATCH)
    bool known = false;
    for (const std::string& id : ids) known = known || id == it.key();
    if (!known)
      return InvalidArgument("rules." + it.key() + ": no such rule in the catalog" +
                             DidYouMean(it.key(), ids));
    if (!it->is_object())
      return InvalidArgument("rules." + it.key() + ": expected an object of settings");
    // JSON is YAML: the profile parser reads the object's text as it is.
    auto parsed = TrailProfile::ParseRuleSettings(it->dump(), it.key());
    if (!parsed.ok()) return parsed.status();
  }
  *field = pointer;
  return Status::Ok();
}

std::map<std::string, CombinedRuleSettings> CombineCloudRuleSettings(const Json& organisation,
                                                                     const Json& account,
                                                                     CloudOverrideMode mode) {
  std::map<std::string, CombinedRuleSettings> out;
  if (organisation.is_object())
    for (auto it = organisation.begin(); it != organisation.end(); ++it) {
      if (mode == CloudOverrideMode::kOverwrite && account.is_object() &&
          account.contains(it.key()))
        continue;
      AddLevel(*it, kFromOrganisation, &out[it.key()]);
    }
  if (account.is_object())
    for (auto it = account.begin(); it != account.end(); ++it)
      AddLevel(*it, kFromAccount, &out[it.key()]);
  return out;
}

std::vector<EffectiveCloudRule> EffectiveCloudRules(const std::vector<Rule>& catalog,
                                                    const Json& organisation, const Json& account,
                                                    CloudOverrideMode mode) {
  const auto combined = CombineCloudRuleSettings(organisation, account, mode);
  std::vector<EffectiveCloudRule> out;
  out.reserve(catalog.size());
  for (const Rule& rule : catalog) {
    EffectiveCloudRule e;
    e.rule_id = rule.id;
    e.title = rule.title;
    e.enabled = rule.enabled;
    e.risk_level = rule.risk_level;
    e.patterns = rule.has_patterns ? PatternRowsJson(rule.patterns) : Json(nullptr);
    e.canary = rule.canary ? CanaryJson(*rule.canary) : Json(nullptr);
    e.enabled_from = e.risk_level_from = e.patterns_from = e.canary_from = kFromDefault;
    if (auto it = combined.find(rule.id); it != combined.end()) {
      const CombinedRuleSettings& c = it->second;
      auto origin = [&](const char* key) { return c.from.at(key); };
      if (auto v = c.settings.find("enabled"); v != c.settings.end() && v->is_boolean()) {
        e.enabled = v->get<bool>();
        e.enabled_from = origin("enabled");
      }
      if (auto v = c.settings.find("risk_level"); v != c.settings.end() && v->is_string()) {
        if (auto level = ParseRiskLevel(v->get<std::string>())) {
          e.risk_level = *level;
          e.risk_level_from = origin("risk_level");
        }
      }
      if (auto v = c.settings.find("patterns"); v != c.settings.end()) {
        e.patterns = v->is_array() ? *v : Json::array();
        e.patterns_from = origin("patterns");
      }
      if (auto v = c.settings.find("canary"); v != c.settings.end()) {
        e.canary = NormalizedCanary(*v);
        e.canary_from = origin("canary");
      }
      e.exceptions = c.exceptions;
    }
    // Rules that detect from given values only: rows, or canary identities.
    if (!rule.match && rule.has_patterns && EmptyRows(e.patterns))
      e.needs = "patterns";
    else if (!rule.match && !rule.has_patterns && rule.canary && EmptyCanary(e.canary))
      e.needs = "canary";
    out.push_back(std::move(e));
  }
  return out;
}

Result<TrailProfile> BuildCloudAccountProfile(const std::string& organisation_name,
                                              const Json& organisation, const Json& account,
                                              CloudOverrideMode mode) {
  std::map<std::string, RuleSettings> rules;
  for (const auto& [id, c] : CombineCloudRuleSettings(organisation, account, mode)) {
    Json settings = c.settings;
    if (!c.exceptions.empty()) {
      Json exceptions = Json::array();
      for (const auto& [match, level] : c.exceptions) exceptions.push_back(match);
      settings["exceptions"] = std::move(exceptions);
    }
    ASSIGN_OR_RETURN(RuleSettings parsed, TrailProfile::ParseRuleSettings(settings.dump(), id));
    rules[id] = std::move(parsed);
  }
  return TrailProfile::FromOrganisationRules(organisation_name, std::move(rules));
}

}  // namespace warden

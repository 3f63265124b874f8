// Rule settings of the server's cloud organisations and accounts: JSON
// objects of rule id -> settings with the keys of a trail profile's
// `rules.<id>` (enabled, risk_level, patterns, canary, exceptions), checked
// by the profile's own parser, combined for one account according to its
// override mode, shown with where each value comes from, and turned into
// the TrailProfile that account's events are evaluated with, so the
// scanner is the one `warden trail` uses.
//
// Override modes, for one account and one rule:
//   fill_gaps  each setting is the account's when it sets one, else the
//              organisation's, else the rule's default; exceptions of both
//              apply (a profile file's account overrides work this way).
//   overwrite  when the account sets anything for the rule, its settings
//              alone apply (what it leaves unset is the rule's default);
//              rules it does not name take the organisation's settings.
//
// Not here: storing the settings (store/cloud_account_repository.h),
// evaluating events (trail_scanner.h), suppressions.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cloud/trail_profile.h"
#include "core/finding.h"  // Json
#include "core/status.h"
#include "rules/rule.h"

namespace warden {

enum class CloudOverrideMode { kFillGaps, kOverwrite };

std::string_view CloudOverrideModeName(CloudOverrideMode mode);
std::optional<CloudOverrideMode> ParseCloudOverrideMode(std::string_view text);

// The built-in CloudTrail catalog, loaded once (thread-safe).
const std::vector<Rule>& CloudRuleCatalog();
// The catalog's rules for one provider's events ("aws", "oci"): the rules
// that run on an account of that provider.
std::vector<Rule> CloudRuleCatalogFor(std::string_view provider);

// Checks a map of rule id -> settings object: each id names a catalog rule
// and each object reads with the profile parser. On failure,
// InvalidArgument naming the rule, row and cell, and `*field` is the JSON
// pointer of the rule's settings under `pointer` ("/rules/RTM-011").
Status CheckCloudRuleSettings(const Json& rules, const std::vector<Rule>& catalog,
                              const std::string& pointer, std::string* field);

// Where an effective value comes from.
inline constexpr std::string_view kFromDefault = "default";
inline constexpr std::string_view kFromOrganisation = "organisation";
inline constexpr std::string_view kFromAccount = "account";

// One rule's settings as they apply to an account: the combined settings
// object (the keys some level set), the level each key came from, and the
// exceptions of each level.
struct CombinedRuleSettings {
  Json settings = Json::object();
  std::map<std::string, std::string> from;               // key -> organisation | account
  std::vector<std::pair<Json, std::string>> exceptions;  // match expression, level
};

// The settings of every rule either level names, combined by `mode`.
std::map<std::string, CombinedRuleSettings> CombineCloudRuleSettings(const Json& organisation,
                                                                     const Json& account,
                                                                     CloudOverrideMode mode);

// A catalog rule's effective settings on an account, for the API's
// effective-rules view.
// NOLINTNEXTLINE(bugprone-exception-escape): its implicit moves are Json moves, which do not throw.
struct EffectiveCloudRule {
  std::string rule_id;
  std::string title;
  bool enabled = false;
  std::string enabled_from;
  RiskLevel risk_level = RiskLevel::kMedium;
  std::string risk_level_from;
  Json patterns;  // array of rows, or null for a rule without rows
  std::string patterns_from;
  Json canary;  // {users, access_keys}, or null for a rule without a canary
  std::string canary_from;
  std::vector<std::pair<Json, std::string>> exceptions;
  // The rule detects only from values it has none of ("patterns" or
  // "canary"), so it cannot fire.
  std::optional<std::string> needs;
};

std::vector<EffectiveCloudRule> EffectiveCloudRules(const std::vector<Rule>& catalog,
                                                    const Json& organisation, const Json& account,
                                                    CloudOverrideMode mode);

// The profile an account's events are evaluated with: the combined
// settings as organisation-level rules of a profile named
// `organisation_name`. Fails only on settings that no longer parse.
Result<TrailProfile> BuildCloudAccountProfile(const std::string& organisation_name,
                                              const Json& organisation, const Json& account,
                                              CloudOverrideMode mode);

}  // namespace warden

// Which rules of a catalog cannot fire until someone gives them values: a
// pattern rule (RTM-011) without rows, a canary rule (IAM-055,
// OCI-IAM-CANARY-PRINCIPAL) without identities. Such a rule "needs
// configuration": it is listed as such (`warden rules list`, the server's
// effective-rules view) so nothing important stays off unnoticed. The state
// is computed after a profile's settings for the organisation and, when
// given, one account, exactly as a scan would resolve them. This file only
// describes rules; it does not change or evaluate them.
#pragma once

#include <string>
#include <vector>

#include "cloud/trail_profile.h"
#include "rules/rule.h"

namespace warden {

struct RuleConfigurationState {
  std::string rule_id;
  EventProvider provider = EventProvider::kAws;
  bool enabled = false;  // after the profile
  // What is missing, in words ("pattern rows", "canary users or access
  // keys"); empty when the rule can fire as it is.
  std::vector<std::string> needs;
  bool needs_configuration() const { return !needs.empty(); }
};

// What `rule` still needs before it can fire, as it stands.
std::vector<std::string> MissingConfiguration(const Rule& rule);

// One state per rule of `rules`, in order, after `profile` (may be null) is
// applied for the organisation and then `account` ("" = organisation only).
std::vector<RuleConfigurationState> DescribeRuleConfiguration(const std::vector<Rule>& rules,
                                                              const TrailProfile* profile,
                                                              const std::string& account);

// "2 of 43 rules need configuration: RTM-011 (pattern rows), ..." or
// "no rule needs configuration (43 rules)".
std::string ConfigurationSummary(const std::vector<RuleConfigurationState>& states);

}  // namespace warden

// TrailProfile holds what an organisation decides about its CloudTrail rules,
// loaded from a YAML profile file:
//
//   organisation:
//     name: acme
//     rules:                       # organisation-level settings per rule id
//       RTM-011:
//         enabled: true
//         risk_level: high         # override the rule's risk level
//         patterns: [...]          # replace the rule's pattern rows
//         exceptions: [...]        # match expressions; add to the rule's own
//       IAM-055:
//         enabled: true
//         canary: {users: [canary-user], access_keys: [AKIA...]}
//   accounts:
//     "123456789012":              # per-account overrides of the same keys
//       rules:
//         RTM-011: {enabled: false}
//   suppressions:
//     - rule: AWS-SECURITY-GROUP-OPEN-TO-WORLD   # id, or a glob like AWS-S3-*
//       account: "123456789012"                  # optional
//       resource: "arn:aws:ec2:*:security-group/sg-0abc*"  # optional glob
//       comment: bastion host, reviewed 2024-05 (SEC-123)   # required
//       expires: 2025-12-31                      # optional (end of that day, UTC)
//
// Settings resolve account -> organisation -> the rule's default: an account
// value replaces the organisation's, which replaces the rule's; exceptions
// accumulate. Suppressed findings are still counted (and shown with
// --show-suppressed); exceptions stop a rule from firing at all.
// This file does not evaluate rules; TrailScanner applies the profile.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/finding.h"
#include "core/status.h"
#include "core/yaml_reader.h"
#include "rules/rule.h"
#include "rules/string_match.h"

namespace warden {

struct RuleSettings {
  std::optional<bool> enabled;
  std::optional<RiskLevel> risk_level;
  std::optional<std::vector<PatternRow>> patterns;
  std::optional<CanarySpec> canary;
  std::vector<Condition> exceptions;
  SourceLocation location;
};

struct Suppression {
  std::string rule;      // id or glob
  std::string account;   // empty = any
  std::string resource;  // glob over the finding's resource or actor; empty = any
  std::string comment;
  std::optional<int64_t> expires;  // epoch seconds; after it the suppression is ignored
  SourceLocation location;
};

// Each account with its own rule settings gets its own compiled rule set
// (about 0.14 MB and 6 ms each with the built-in catalog): a profile may name
// at most this many, so a profile file cannot make a scan take gigabytes.
inline constexpr size_t kMaxAccountsWithRuleOverrides = 1000;

class TrailProfile {
 public:
  static Result<TrailProfile> Parse(const std::string& text, const std::string& source_name);
  static Result<TrailProfile> Load(const std::string& path);
  // One rule's settings (what a profile holds under rules.<id>), from YAML
  // or JSON text, read by the same parser as a profile file. The error
  // names the rule, the row and the cell ("rules.RTM-011:
  // patterns[2].eventName: ..."), without a file position.
  static Result<RuleSettings> ParseRuleSettings(const std::string& text,
                                                const std::string& rule_id);
  // A profile of organisation-level rule settings only (no accounts, no
  // suppressions): what the server builds for one cloud account.
  static TrailProfile FromOrganisationRules(std::string name,
                                            std::map<std::string, RuleSettings> rules);

  const std::string& organisation_name() const { return organisation_name_; }
  // Accounts that have rule overrides (each gets its own compiled rule set).
  std::vector<std::string> AccountsWithOverrides() const;
  // `base` with the organisation's settings and then `account`'s applied
  // ("" = organisation level only).
  std::vector<Rule> Resolve(const std::vector<Rule>& base, const std::string& account) const;
  // Rule ids named in the profile that are not in `rules` (likely typos).
  std::vector<std::string> UnknownRuleIds(const std::vector<Rule>& rules) const;

  // The first suppression that covers this finding at `now`, or null.
  const Suppression* FindSuppression(const std::string& rule_id, const std::string& account,
                                     const std::string& resource, const std::string& actor,
                                     int64_t now) const;
  const std::vector<Suppression>& suppressions() const { return suppressions_; }
  // Suppressions whose expiry has passed (reported so they get renewed or removed).
  std::vector<const Suppression*> Expired(int64_t now) const;

 private:
  std::string organisation_name_;
  std::map<std::string, RuleSettings> organisation_rules_;
  std::map<std::string, std::map<std::string, RuleSettings>> account_rules_;
  std::vector<Suppression> suppressions_;
};

}  // namespace warden

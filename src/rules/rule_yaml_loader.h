// Loading rules from YAML: Warden's native rule files (one rule, a list of
// rules, or `rules: [...]`, in one or many YAML documents) and Sigma rules
// (recognised per document by their `detection` key; see sigma_loader.h).
// Every problem is reported as a RuleDiagnostic with file:line:column from
// yaml-cpp marks and the rule id; a bad rule is skipped, the others still
// load, so `warden rules lint` can list every error in one pass.
//
// The native format, in short (docs/cloudtrail.md is the reference):
//
//   - id: AWS-CLOUDTRAIL-STOPPED          # required, unique
//     title: CloudTrail logging stopped
//     description: ...
//     risk_level: very_high               # extreme|very_high|high|medium|low
//     enabled: true                       # default true
//     provider: aws                       # aws (CloudTrail, default) or oci (OCI Audit)
//     tags: [defense-evasion]
//     remediation: ...
//     links: [https://...]
//     match:                              # mapping = AND of its entries
//       eventSource: cloudtrail.amazonaws.com        # equals
//       eventName: [StopLogging, DeleteTrail]        # in-list
//       sourceIPAddress: {cidr: [0.0.0.0/0]}         # operators in a mapping
//       or: [{errorCode: {exists: false}}, {...}]    # and / or / not
//     patterns:                           # RTM-011 rows of regexes
//       - {eventName: '^Delete', eventSource: '^(?!ec2).*$', userIdentityType: '.*'}
//     canary: {users: [canary-user], access_keys: [AKIA...]}
//     exceptions: [{userIdentity.arn: {endswith: ':role/ci'}}]
//     threshold: {count: 10, window: 5m, group_by: [userIdentity.arn]}
//
// Field operators: equals, not_equals, in, not_in, regex, contains,
// startswith, endswith, exists, cidr, lt, le, gt, ge, fieldref, and the
// modifier ignore_case. This file does not compile or evaluate rules.
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/yaml_reader.h"
#include "rules/rule.h"
#include "rules/rule_diagnostic.h"

namespace warden {

struct RuleLoadResult {
  std::vector<Rule> rules;
  std::vector<RuleDiagnostic> diagnostics;
  size_t files = 0;  // rule files read

  bool has_errors() const;
  // The first error as a Status ("file:line:col: rule X: message (and N more
  // errors)"), or OK.
  Status FirstError() const;
};

// Parses the YAML text of one rule file; `source_name` names it in messages.
RuleLoadResult LoadRulesFromText(std::string_view text, const std::string& source_name);
// A rule file, or a directory walked recursively for *.yml and *.yaml (in
// sorted order). Duplicate rule ids across the set are errors.
RuleLoadResult LoadRulesFromPath(const std::string& path);

// The pieces of the native format, for other loaders that embed them (trail
// profiles override patterns, canaries and exceptions per account).
class NativeRuleParser {
 public:
  NativeRuleParser(std::string file, std::vector<RuleDiagnostic>* diagnostics)
      : file_(std::move(file)), diagnostics_(diagnostics) {}

  std::optional<Rule> ParseRule(const YAML::Node& node);
  // A match expression: a mapping (AND of entries) or a list (OR of items).
  std::optional<Condition> ParseMatch(const YAML::Node& node, const std::string& what);
  std::optional<std::vector<PatternRow>> ParsePatterns(const YAML::Node& node);
  std::optional<CanarySpec> ParseCanary(const YAML::Node& node);
  std::optional<std::vector<Condition>> ParseExceptions(const YAML::Node& node);
  std::optional<Threshold> ParseThreshold(const YAML::Node& node);

  // Records an error at `node` and returns std::nullopt-friendly false.
  bool Fail(const YAML::Node& node, const std::string& message);
  bool Fail(const SourceLocation& location, const std::string& message);
  void set_rule_id(std::string id) { rule_id_ = std::move(id); }
  const std::string& file() const { return file_; }

 private:
  std::optional<Condition> ParseFieldSpec(const std::string& field, const YAML::Node& spec,
                                          const std::string& what);
  bool CheckRegex(const YAML::Node& node, const std::string& pattern, bool ignore_case,
                  const std::string& what);

  std::string file_;
  std::vector<RuleDiagnostic>* diagnostics_;
  std::string rule_id_;
};

}  // namespace warden

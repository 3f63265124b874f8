// Rule is the model of one detection over JSON events (CloudTrail today), as
// loaded from Warden's YAML rule files or from Sigma rules, before compilation.
// A rule fires on an event when its `match` condition holds (absent = true),
// AND, if it has pattern rows, at least one row matches (RTM-011 style), AND,
// if it is a canary rule, the event was made with a canary identity; and no
// exception holds. A threshold turns "fires on an event" into "fires once when
// N such events from the same group happen within a window".
//
// Matching conventions every loader shares (documented in docs/cloudtrail.md):
//  - fields are dotted paths into the event; a path that crosses an array
//    matches any element;
//  - a field that is missing or null is matched as the empty string, except
//    in conditions marked `missing_never_matches` (Sigma rules, the OCI
//    catalog): there a missing or null field (or an empty array) matches no
//    value, wildcard or modifier, only `null` and `exists: false`;
//  - an object or array field is matched as its JSON text.
//
// This file holds data only: parsing is in rule_yaml_loader / sigma_loader,
// evaluation in compiled_rules.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/risk_level.h"
#include "core/source_location.h"

namespace warden {

enum class MatchOp {
  kEquals,    // value == any of values (glob when `glob` is set)
  kContains,  // value contains any of values
  kStartsWith,
  kEndsWith,
  kRegex,   // PCRE2 search
  kExists,  // present and not null (== `exists_value`)
  kIsNull,  // missing or null
  kCidr,    // an IP address inside any of the networks
  kLess,    // numeric comparisons against `number`
  kLessEqual,
  kGreater,
  kGreaterEqual,
  kFieldRef,  // equal to the value of another field (values[0] names it)
  kKeyword,   // the raw event text contains the value (Sigma keywords)
};

struct Condition {
  enum class Kind { kAnd, kOr, kNot, kField, kTrue, kFalse };
  Kind kind = Kind::kTrue;
  std::vector<Condition> children;  // kAnd/kOr: any number; kNot: exactly one

  // kField:
  std::string field;  // dotted path; empty for kKeyword
  MatchOp op = MatchOp::kEquals;
  std::vector<std::string> values;  // alternatives (OR), or all of them with all_values
  bool all_values = false;          // Sigma |all
  bool ignore_case = false;
  bool glob = false;             // values are Sigma wildcard patterns
  bool regex_multiline = false;  // Sigma |re|m
  bool regex_dot_all = false;    // Sigma |re|s
  bool exists_value = true;      // kExists
  // Sigma's semantics: a missing or null field (an empty array has no
  // values either) matches no value, wildcard, modifier or fieldref; only
  // kIsNull and kExists{false} hold for it. Off: it is matched as "".
  bool missing_never_matches = false;
  double number = 0;        // numeric ops
  SourceLocation location;  // for compile errors

  static Condition And(std::vector<Condition> c) {
    Condition x;
    x.kind = Kind::kAnd;
    x.children = std::move(c);
    return x;
  }
  static Condition Or(std::vector<Condition> c) {
    Condition x;
    x.kind = Kind::kOr;
    x.children = std::move(c);
    return x;
  }
  static Condition Not(Condition c) {
    Condition x;
    x.kind = Kind::kNot;
    x.children.push_back(std::move(c));
    return x;
  }
  static Condition Field(std::string field, MatchOp op, std::vector<std::string> values) {
    Condition x;
    x.kind = Kind::kField;
    x.field = std::move(field);
    x.op = op;
    x.values = std::move(values);
    return x;
  }
};

// One row of an "unintended API calls" rule: each column is a regex (search
// semantics); an absent column matches anything.
struct PatternRow {
  std::optional<std::string> event_name;
  std::optional<std::string> event_source;
  std::optional<std::string> user_identity_type;
  SourceLocation location;
  SourceLocation event_name_location, event_source_location, user_identity_type_location;
};

// The CloudTrail fields the three pattern columns read.
inline constexpr const char* kEventNameField = "eventName";
inline constexpr const char* kEventSourceField = "eventSource";
inline constexpr const char* kUserIdentityTypeField = "userIdentity.type";

// Bait identities: any event made with one of them fires the rule. For OCI
// rules, users are principal names or OCIDs (data.identity.principalName /
// principalId) and access_keys are matched against data.identity.credentials.
struct CanarySpec {
  std::vector<std::string> users;        // IAM user names; OCI principals
  std::vector<std::string> access_keys;  // access key ids (AKIA...); OCI credentials
  bool empty() const { return users.empty() && access_keys.empty(); }
};

struct Threshold {
  int count = 1;
  int64_t window_seconds = 300;
  std::vector<std::string> group_by;  // dotted paths; empty = one group
};

enum class RuleFormat { kWarden, kSigma, kBuiltin };

// Whose audit events a rule reads. A scan evaluates a rule only on events of
// its provider, so CloudTrail rules never see OCI Audit events and the other
// way round (Warden YAML `provider: oci`; Sigma `logsource: {product: oci}`).
enum class EventProvider { kAws, kOci };
inline const char* EventProviderName(EventProvider p) {
  return p == EventProvider::kOci ? "oci" : "aws";
}

struct Rule {
  std::string id;
  std::string title;
  std::string description;
  std::string remediation;
  std::vector<std::string> links;
  RiskLevel risk_level = RiskLevel::kMedium;
  bool enabled = true;
  std::vector<std::string> tags;

  std::optional<Condition> match;
  bool has_patterns = false;  // a `patterns` key was given (even empty)
  std::vector<PatternRow> patterns;
  std::optional<CanarySpec> canary;
  std::vector<Condition> exceptions;  // the rule does not fire when any holds
  std::optional<Threshold> threshold;

  RuleFormat format = RuleFormat::kWarden;
  EventProvider provider = EventProvider::kAws;
  SourceLocation location;  // of the rule's first line
};

}  // namespace warden

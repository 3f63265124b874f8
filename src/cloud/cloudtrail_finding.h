// Turning a rule match on a CloudTrail (or OCI Audit) event into the shared
// Finding model
// (core/finding.h). The JSON-lines contract of `warden trail scan` lives here:
// top-level keys rule_id, risk_level (common keys) plus the attributes
// event_id (CloudTrail eventID), event_time, event_name, event_source,
// account, region, actor, actor_type, source_ip, user_agent, error_code,
// matched_patterns (0-based rows, pattern rules only), canary / threshold
// details when relevant, and the raw event under evidence.event. OCSF output
// is a Detection Finding (class 2004) with cloud, actor, api and src_endpoint.
// Findings from OCI Audit events have source cloud.oci_audit, the same keys
// (account = tenancy, event_name = eventType) plus compartment and
// resource_name.
// This file does not decide whether a rule fires or a finding is suppressed.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/finding.h"
#include "rules/event_fields.h"
#include "rules/rule.h"

namespace warden {

// The CloudTrail fields every finding reports, interned once per scan.
struct CoreFieldIds {
  FieldId event_id, event_time, event_name, event_source, event_type, region, recipient_account;
  FieldId identity_account, identity_arn, identity_type, identity_user, identity_principal,
      identity_invoked_by, identity_access_key, issuer_user;
  FieldId source_ip, user_agent, error_code, error_message, resource_arns;
  static CoreFieldIds Intern(FieldRegistry* registry);
};

// The event as findings describe it (copies: safe after the next event).
struct CloudTrailEventSummary {
  std::string event_id, event_time, event_name, event_source, event_type, region, account;
  std::string actor, actor_type, user_name, access_key_id, source_ip, user_agent;
  std::string error_code, error_message, resource;
  int64_t epoch = 0;  // eventTime in epoch seconds (0 when missing)
  // OCI Audit events (oci_audit_event.h): "oci", the compartment (name, else
  // OCID) and the resource's name. Empty for CloudTrail.
  std::string provider, compartment, resource_name;
};
CloudTrailEventSummary SummarizeEvent(const EventFields& fields, const CoreFieldIds& ids);
// Just the account (recipientAccountId, else userIdentity.accountId): the
// scanner needs it per event to pick the account's rule set.
std::string_view EventAccount(const EventFields& fields, const CoreFieldIds& ids);

struct ThresholdDetail {
  int count = 0;
  int64_t window_seconds = 0;
  std::string group;
  std::vector<std::string> event_ids;
};

// Evidence holds the raw event as JSON when it is nested at most this deep,
// else as its text: every JSON copy and rendering of a finding recurses once
// per level (an event nested 50,000 levels deep crashed finding building).
inline constexpr int kMaxEvidenceDepth = 256;
// Whether the JSON text nests objects and arrays deeper than `limit`; counts
// brackets outside strings, without recursion, and stops at the first one
// past the limit.
bool JsonNestingExceeds(std::string_view json, int limit);

struct FindingInput {
  const Rule* rule = nullptr;
  RiskLevel risk_level = RiskLevel::kLow;  // after profile overrides
  const CloudTrailEventSummary* event = nullptr;
  std::span<const uint32_t> matched_rows;  // pattern rules
  std::string_view raw_event;
  std::string origin;               // "file:line" for the evidence
  bool raw_event_too_deep = false;  // JsonNestingExceeds(raw_event, kMaxEvidenceDepth)
  // IsCanonicalJson(raw_event, kMaxEvidenceDepth), when the caller knows it.
  std::optional<bool> raw_event_canonical;
  const ThresholdDetail* threshold = nullptr;
  bool ocsf = true;  // build ocsf_extra (only OCSF renderings read it)
};
Finding BuildCloudTrailFinding(const FindingInput& input);

}  // namespace warden

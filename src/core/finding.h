// Finding is the one model every Warden detector emits: a CVE on a package, an
// unexpected listener, a CloudTrail event that matched a rule, a runtime event.
// Detector-specific keys (package, cve, event_id, matched_patterns, ...) live in
// `attributes` and are rendered at the top level of the JSON object, beside the
// common keys, so each detector keeps its documented output contract while all
// of them share one renderer. Rendering to OCSF 1.x lives here too; a detector
// adds class-specific OCSF objects through `ocsf_extra`.
// This file does not store, deduplicate or route findings (that is the agent's
// problems store and sinks).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "core/risk_level.h"

namespace warden {

using Json = nlohmann::ordered_json;

struct Finding {
  std::string id;       // stable: same condition, same id (see MakeFindingId)
  std::string rule_id;  // e.g. "RTM-011", "HOST-VULN"
  std::string title;
  std::string description;  // why it fired, in words
  RiskLevel risk_level = RiskLevel::kLow;
  std::string source;      // host.sql, host.vuln, host.ports, host.ebpf, cloud.cloudtrail
  std::string resource;    // what it is about: host, package, account, ARN
  int64_t first_seen = 0;  // epoch seconds
  int64_t last_seen = 0;
  std::string remediation;  // what to do
  std::vector<std::string> links;
  Json attributes = Json::object();  // detector keys, rendered at top level (never a common key)
  Json evidence = Json::object();    // raw data that proves it
  // Evidence members kept as JSON text (the raw CloudTrail event), written
  // into renderings as they are, before the members of `evidence`: no
  // document is built for them. Each value must satisfy IsCanonicalJson
  // (core/json_text.h), so renderings are the same as with a DOM.
  std::vector<std::pair<std::string, std::string>> raw_evidence;
  Json ocsf_extra = Json::object();  // class-specific OCSF objects
};

// A short stable id: hex of SHA-256 over the parts, truncated to 32 chars.
std::string MakeFindingId(std::initializer_list<std::string_view> parts);

// The Warden JSON shape: common keys first, then attributes, then evidence.
// AppendFindingJson is the one renderer: it streams the compact text (what
// FindingToJson(f).dump() would be, invalid UTF-8 replaced) without building
// a document, splicing raw_evidence as it is. FindingToJson is its parse, for
// callers that need a document.
void AppendFindingJson(const Finding& finding, std::string* out);
Json FindingToJson(const Finding& finding);
// The evidence object (raw members included) as compact text.
void AppendFindingEvidenceJson(const Finding& finding, std::string* out);
// The inverse of FindingToJson, for findings kept as JSON (the problems
// store): keys it does not know become attributes, in their order; missing or
// mistyped common keys are left at their defaults. ocsf_extra is not part of
// the JSON shape and stays empty.
Finding FindingFromJson(const Json& json);

enum class OcsfClass { kVulnerabilityFinding = 2002, kDetectionFinding = 2004 };
// An OCSF 1.1 finding event of the given class with every required attribute:
// activity_id, category_uid, class_uid, type_uid, time, severity_id (with the
// original risk label in `severity`), status, finding_info{uid,title,...},
// metadata{product,version}, plus `ocsf_extra` merged at the top level.
Json FindingToOcsf(const Finding& finding, OcsfClass cls);

}  // namespace warden

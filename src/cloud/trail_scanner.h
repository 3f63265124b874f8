// TrailScanner is the CloudTrail (and OCI Audit) detection pipeline between
// the reader and the outputs: for each raw record it tells CloudTrail from OCI
// Audit events (oci_audit_event.h; each rule runs on its provider's events
// only), extracts the fields the rules use
// (simdjson On-Demand), picks the rule set of the event's account (profiles
// can override rules per account), evaluates the rules, applies thresholds,
// builds one Finding per rule and event, and checks suppressions. Suppressed
// findings are counted (and passed on flagged, for --show-suppressed).
//
// The hot path (records that match nothing) does not allocate. Findings are
// built only for matches; the raw event becomes their evidence as it is
// (spliced into renderings, not parsed) when it is compact JSON.
// A match callback gives the light-weight view used by dry runs and benchmarks
// without building findings.
//
// Not thread-safe: one scanner per thread.
#pragma once

#include <deque>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "cloud/cloudtrail_finding.h"
#include "cloud/cloudtrail_reader.h"
#include "cloud/oci_audit_event.h"
#include "cloud/trail_profile.h"
#include "rules/compiled_rules.h"
#include "rules/json_field_extractor.h"

namespace warden {

struct ScanStats {
  uint64_t records = 0;          // records given to the scanner
  uint64_t events = 0;           // records evaluated
  uint64_t oci_events = 0;       // of which OCI Audit events
  uint64_t bad_records = 0;      // invalid JSON, not an object
  uint64_t deep_records = 0;     // matched, nested past kMaxEvidenceDepth: evidence as text
  uint64_t insight_events = 0;   // CloudTrail Insights records that matched a rule (ignored)
  uint64_t matches = 0;          // rule matches before thresholds
  uint64_t below_threshold = 0;  // matches that did not (yet) reach a threshold
  // Threshold matches within the window after their group fired: part of
  // the burst already reported.
  uint64_t within_fired_window = 0;
  uint64_t findings = 0;  // findings emitted (not suppressed)
  uint64_t suppressed = 0;
  std::map<std::string, uint64_t> findings_by_rule;
  std::map<std::string, uint64_t> suppressed_by_rule;
};

class TrailScanner;

// A rule that fired, before any finding is built (valid during the callback).
struct ScanMatch {
  const Rule* rule = nullptr;
  uint32_t rule_index = 0;         // in the rule list given to Create
  std::span<const uint32_t> rows;  // pattern rows that matched
  const RecordOrigin* origin = nullptr;
  TrailScanner* scanner = nullptr;  // for Summary()
  // The event's id, time, actor... (parsed on first use, once per event).
  const CloudTrailEventSummary& Summary() const;
};

class TrailScanner {
 public:
  struct Options {
    bool dry_run = false;          // evaluate disabled rules too, ignore thresholds
    bool build_findings = true;    // false: only the match callback runs
    bool show_suppressed = false;  // pass suppressed findings to the callback too
    int64_t now = 0;               // wall clock for suppression expiry (0 = now)
    bool ocsf = true;              // findings carry their OCSF objects (ocsf_extra)
    // Which records are OCI Audit events: told by their envelope (auto), or
    // all of them (oci: `--provider oci`), or none (aws).
    ProviderMode provider = ProviderMode::kAuto;
  };
  using FindingFn = std::function<void(Finding&&, bool suppressed)>;
  using MatchFn = std::function<void(const ScanMatch&)>;
  using ProblemFn = std::function<void(const std::string&)>;

  // `rules` are the loaded rules (catalog and files); `profile` may be null.
  static Result<std::unique_ptr<TrailScanner>> Create(const std::vector<Rule>& rules,
                                                      const TrailProfile* profile, Options options);

  void set_on_finding(FindingFn fn) { on_finding_ = std::move(fn); }
  void set_on_match(MatchFn fn) { on_match_ = std::move(fn); }
  void set_on_problem(ProblemFn fn) { on_problem_ = std::move(fn); }

  void ProcessRecord(const SplitRecord& record, const RecordOrigin& origin);

  const ScanStats& stats() const { return stats_; }
  std::vector<RegexLimitReport> RegexLimitReports() const;
  // The organisation-level rules after the profile (what runs by default),
  // CloudTrail rules first, then OCI rules.
  const std::vector<Rule>& rules() const { return org_rules_; }
  size_t enabled_rules() const;
  // The summary of the event being processed (valid during callbacks).
  const CloudTrailEventSummary& CurrentSummary();

 private:
  struct Window {
    std::deque<std::pair<int64_t, std::string>> events;  // (time, event id)
    // Epoch seconds until which the group's burst has been reported.
    int64_t quiet_until = std::numeric_limits<int64_t>::min();
  };

  // The rule sets of one provider: the organisation's, and those of the
  // accounts (tenancies for OCI) with overrides, as indexes into sets_.
  struct ProviderSets {
    size_t base = SIZE_MAX;  // SIZE_MAX: no rules for this provider
    std::unordered_map<std::string, size_t> accounts;
  };

  TrailScanner() = default;
  void ProcessEvent(const SplitRecord& record, const RecordOrigin& origin, EventProvider provider);
  void Emit(uint32_t set_index, const RuleMatch& match, const RecordOrigin& origin);

  Options options_;
  const TrailProfile* profile_ = nullptr;
  // Two passes over an event: the rules' fields for every event; the fields
  // findings report only for events that matched (most do not).
  FieldRegistry registry_;
  FieldId recipient_account_ = kNoField, identity_account_ = kNoField;
  FieldId oci_tenant_ = kNoField, oci_oracle_tenant_ = kNoField;
  FieldRegistry core_registry_;
  CoreFieldIds ids_{};
  std::unique_ptr<JsonFieldExtractor> core_extractor_;
  EventFields core_fields_;
  FieldRegistry oci_core_registry_;
  OciFieldIds oci_ids_{};
  std::unique_ptr<JsonFieldExtractor> oci_core_extractor_;
  AuditEventClassifier classifier_;
  EventProvider provider_ = EventProvider::kAws;  // of the current event
  CloudTrailEventSummary summary_;
  bool summary_ready_ = false;
  bool record_canonical_ = false;
  bool record_too_deep_ = false;  // the current record, when it matched
  SplitRecord record_;
  std::vector<FieldId> group_fields_;  // interned threshold group_by fields
  std::shared_ptr<const CompiledRuleSet> base_set_;
  std::vector<std::shared_ptr<const CompiledRuleSet>> sets_;  // [0] = organisation level
  std::vector<std::unique_ptr<RuleEvaluator>> evaluators_;
  ProviderSets aws_, oci_;
  std::vector<Rule> org_rules_;
  std::unique_ptr<JsonFieldExtractor> extractor_;
  // OCI rules read OCI's fields: their own registry and extractor, so they
  // add nothing to what is extracted from CloudTrail records.
  FieldRegistry oci_registry_;
  std::unique_ptr<JsonFieldExtractor> oci_extractor_;
  EventFields fields_;
  std::vector<RuleMatch> matches_;
  std::map<std::string, Window> windows_;
  ScanStats stats_;
  FindingFn on_finding_;
  MatchFn on_match_;
  ProblemFn on_problem_;
};

}  // namespace warden

#include "cloud/trail_scanner.h"

#include "core/json_text.h"
#include "core/time_format.h"

namespace warden {

namespace {
// Bounds the memory of threshold windows: past this many groups the oldest
// state is dropped (a threshold may then fire late, never wrongly).
constexpr size_t kMaxThresholdGroups = 100000;

// "file: line N" or "file: byte N", for problems.
std::string Where(const RecordOrigin& origin) {
  std::string where = origin.source ? *origin.source : std::string("<input>");
  return where + (origin.line > 0 ? ": line " + std::to_string(origin.line)
                                  : ": byte " + std::to_string(origin.offset));
}
}  // namespace

Result<std::unique_ptr<TrailScanner>> TrailScanner::Create(const std::vector<Rule>& rules,
                                                           const TrailProfile* profile,
                                                           Options options) {
  std::unique_ptr<TrailScanner> s(new TrailScanner());
  s->options_ = options;
  s->profile_ = profile;
  if (s->options_.now == 0) s->options_.now = NowEpochSeconds();
  s->ids_ = CoreFieldIds::Intern(&s->core_registry_);
  s->core_extractor_ = std::make_unique<JsonFieldExtractor>(s->core_registry_);
  s->oci_ids_ = OciFieldIds::Intern(&s->oci_core_registry_);
  s->oci_core_extractor_ = std::make_unique<JsonFieldExtractor>(s->oci_core_registry_);
  std::vector<Rule> aws_rules, oci_rules;
  for (const Rule& r : rules)
    (r.provider == EventProvider::kOci ? oci_rules : aws_rules).push_back(r);
  // The account decides the rule set only when accounts have overrides;
  // then its fields are read for every event (recipientAccountId is near the
  // end of a CloudTrail record, so the extractor cannot stop early).
  if (profile && !profile->AccountsWithOverrides().empty()) {
    s->recipient_account_ = s->registry_.Intern("recipientAccountId");
    s->identity_account_ = s->registry_.Intern("userIdentity.accountId");
    if (!oci_rules.empty()) {
      s->oci_tenant_ = s->oci_registry_.Intern("data.identity.tenantId");
      s->oci_oracle_tenant_ = s->oci_registry_.Intern("oracle.tenantid");
    }
  }

  auto add_set = [&](std::vector<Rule> list, EventProvider provider, size_t* index) -> Status {
    // Disabled rules are left out of real scans: their fields would
    // otherwise be extracted from every event for nothing.
    if (!options.dry_run) std::erase_if(list, [](const Rule& r) { return !r.enabled; });
    FieldRegistry* registry = provider == EventProvider::kOci ? &s->oci_registry_ : &s->registry_;
    for (Rule& r : list) {
      if (provider == EventProvider::kOci) AddOciEnvelopeAliases(&r);
      if (r.threshold)
        for (const std::string& g : r.threshold->group_by) registry->Intern(g);
    }
    ASSIGN_OR_RETURN(auto set, CompiledRuleSet::Compile(std::move(list), registry));
    s->sets_.push_back(set);
    *index = s->sets_.size() - 1;
    return Status::Ok();
  };
  auto add_provider = [&](const std::vector<Rule>& list, EventProvider provider,
                          ProviderSets* sets) -> Status {
    RETURN_IF_ERROR(add_set(profile ? profile->Resolve(list, "") : list, provider, &sets->base));
    for (const Rule& r : s->sets_[sets->base]->rules()) s->org_rules_.push_back(r);
    if (!profile) return Status::Ok();
    for (const std::string& account : profile->AccountsWithOverrides()) {
      size_t index = 0;
      RETURN_IF_ERROR(add_set(profile->Resolve(list, account), provider, &index)
                          .WithContext("account " + account));
      sets->accounts[account] = index;
    }
    return Status::Ok();
  };
  RETURN_IF_ERROR(add_provider(aws_rules, EventProvider::kAws, &s->aws_));
  s->base_set_ = s->sets_[0];
  if (!oci_rules.empty()) RETURN_IF_ERROR(add_provider(oci_rules, EventProvider::kOci, &s->oci_));
  RuleEvaluator::Options eo;
  eo.include_disabled = options.dry_run;
  for (const auto& set : s->sets_)
    s->evaluators_.push_back(std::make_unique<RuleEvaluator>(set, eo));
  // Every field is interned now: the extractor's trie covers them all.
  s->extractor_ =
      std::make_unique<JsonFieldExtractor>(s->registry_, JsonFieldExtractor::Mode::kLazy);
  s->oci_extractor_ = std::make_unique<JsonFieldExtractor>(s->oci_registry_);
  return s;
}

size_t TrailScanner::enabled_rules() const {
  size_t n = 0;
  for (const Rule& r : org_rules_) n += r.enabled ? 1 : 0;
  return n;
}

std::vector<RegexLimitReport> TrailScanner::RegexLimitReports() const {
  std::vector<RegexLimitReport> all;
  for (const auto& e : evaluators_)
    for (RegexLimitReport& r : e->RegexLimitReports()) all.push_back(std::move(r));
  return all;
}

void TrailScanner::ProcessRecord(const SplitRecord& record, const RecordOrigin& origin) {
  ++stats_.records;
  switch (classifier_.Classify(record, options_.provider)) {
    case AuditEventClassifier::Kind::kAws:
      ProcessEvent(record, origin, EventProvider::kAws);
      return;
    case AuditEventClassifier::Kind::kOci:
      ProcessEvent(record, origin, EventProvider::kOci);
      return;
    case AuditEventClassifier::Kind::kContainer:
      // OCI Logging entries: each event inside is evaluated on its own (the
      // views stay valid: nothing classifies again meanwhile).
      for (const SplitRecord& event : classifier_.events())
        ProcessEvent(event, origin, EventProvider::kOci);
      return;
  }
}

void TrailScanner::ProcessEvent(const SplitRecord& record, const RecordOrigin& origin,
                                EventProvider provider) {
  const bool oci = provider == EventProvider::kOci;
  JsonFieldExtractor& extractor = oci ? *oci_extractor_ : *extractor_;
  Status st = extractor.Extract(record.text.data(), record.text.size(), record.capacity, &fields_);
  if (!st.ok()) {
    ++stats_.bad_records;
    if (on_problem_) on_problem_(Where(origin) + ": record skipped: " + st.message());
    return;
  }
  ++stats_.events;
  if (oci) ++stats_.oci_events;
  const ProviderSets& sets = oci ? oci_ : aws_;
  if (sets.base == SIZE_MAX) return;  // no rules for this provider's events
  record_ = record;
  provider_ = provider;
  summary_ready_ = false;
  size_t set_index = sets.base;
  if (!sets.accounts.empty()) {
    std::string_view account = fields_.first(oci ? oci_tenant_ : recipient_account_).text;
    if (account.empty()) account = fields_.first(oci ? oci_oracle_tenant_ : identity_account_).text;
    auto it = sets.accounts.find(std::string(account));
    if (it != sets.accounts.end()) set_index = it->second;
  }
  RuleEvaluator& evaluator = *evaluators_[set_index];
  evaluator.Evaluate(fields_, &matches_);
  if (fields_.lazy_error()) {
    // The damage was in a part only read for some rules: skip the record
    // rather than judge it on half its fields.
    ++stats_.bad_records;
    --stats_.events;
    if (on_problem_) on_problem_(Where(origin) + ": record skipped: invalid JSON");
    return;
  }
  if (matches_.empty()) return;
  // CloudTrail Insights records are not API activity (and only come in
  // Insight files, which are skipped by name). They are recognised here, on
  // events that would produce findings, rather than by reading eventType (at
  // the end of every record) for all events.
  if (!oci && options_.build_findings && CurrentSummary().event_type == "AwsCloudTrailInsight") {
    ++stats_.insight_events;
    --stats_.events;
    return;
  }
  stats_.matches += matches_.size();
  record_too_deep_ = false;
  // Compact records (the usual case) are checked once here and spliced into
  // the findings' evidence; only the others need the nesting check.
  record_canonical_ = options_.build_findings && IsCanonicalJson(record.text, kMaxEvidenceDepth);
  if (options_.build_findings && !record_canonical_ &&
      JsonNestingExceeds(record.text, kMaxEvidenceDepth)) {
    record_too_deep_ = true;
    ++stats_.deep_records;
    if (on_problem_)
      on_problem_(Where(origin) + ": record nested deeper than " +
                  std::to_string(kMaxEvidenceDepth) +
                  " levels: its findings keep the event as text, not JSON");
  }
  for (const RuleMatch& m : matches_) {
    if (on_match_) {
      ScanMatch sm;
      sm.rule = &sets_[set_index]->rule(m.rule);
      sm.rule_index = m.rule;
      sm.rows = evaluator.rows(m);
      sm.origin = &origin;
      sm.scanner = this;
      on_match_(sm);
    }
    if (options_.build_findings) Emit(static_cast<uint32_t>(set_index), m, origin);
  }
}

const CloudTrailEventSummary& ScanMatch::Summary() const { return scanner->CurrentSummary(); }

const CloudTrailEventSummary& TrailScanner::CurrentSummary() {
  if (!summary_ready_) {
    // The record parsed once already, so this cannot fail in practice; if it
    // does the summary stays partly empty rather than dropping the finding.
    if (provider_ == EventProvider::kOci) {
      (void)oci_core_extractor_->Extract(record_.text.data(), record_.text.size(), record_.capacity,
                                         &core_fields_);
      summary_ = SummarizeOciEvent(core_fields_, oci_ids_);
    } else {
      (void)core_extractor_->Extract(record_.text.data(), record_.text.size(), record_.capacity,
                                     &core_fields_);
      summary_ = SummarizeEvent(core_fields_, ids_);
    }
    summary_ready_ = true;
  }
  return summary_;
}

void TrailScanner::Emit(uint32_t set_index, const RuleMatch& m, const RecordOrigin& origin) {
  const Rule& rule = sets_[set_index]->rule(m.rule);
  const CloudTrailEventSummary& event = CurrentSummary();

  ThresholdDetail detail;
  const ThresholdDetail* threshold = nullptr;
  if (rule.threshold && !options_.dry_run) {
    const Threshold& t = *rule.threshold;
    std::string group;
    for (const std::string& path : t.group_by) {
      FieldId id = (provider_ == EventProvider::kOci ? oci_registry_ : registry_).Find(path);
      if (!group.empty()) group += ",";
      if (id != kNoField) group += std::string(fields_.first(id).text);
    }
    if (windows_.size() > kMaxThresholdGroups) windows_.clear();
    std::string key = std::to_string(set_index) + "\x1f" + rule.id + "\x1f" + group;
    Window& w = windows_[key];
    // One finding per burst: after a group fired, its matches within the
    // next window belong to that burst and open nothing new.
    if (event.epoch <= w.quiet_until) {
      ++stats_.within_fired_window;
      return;
    }
    w.events.emplace_back(event.epoch, event.event_id);
    // Records within a file are only roughly ordered: drop what is outside
    // the window measured from the newest event.
    int64_t newest = event.epoch;
    for (const auto& e : w.events) newest = std::max(newest, e.first);
    while (!w.events.empty() && newest - w.events.front().first > t.window_seconds)
      w.events.pop_front();
    if (static_cast<int>(w.events.size()) < t.count) {
      ++stats_.below_threshold;
      return;
    }
    detail.count = t.count;
    detail.window_seconds = t.window_seconds;
    detail.group = group;
    for (const auto& e : w.events) detail.event_ids.push_back(e.second);
    w.events.clear();  // the next finding needs `count` new events after the quiet window
    w.quiet_until = newest + t.window_seconds;
    threshold = &detail;
  }

  FindingInput in;
  in.rule = &rule;
  in.risk_level = rule.risk_level;
  in.event = &event;
  in.matched_rows = evaluators_[set_index]->rows(m);
  in.raw_event = fields_.raw_event();
  if (origin.source) {
    in.origin = *origin.source;
    if (origin.line > 0) in.origin += ":" + std::to_string(origin.line);
  }
  in.threshold = threshold;
  in.raw_event_too_deep = record_too_deep_;
  in.raw_event_canonical = record_canonical_;
  in.ocsf = options_.ocsf;
  Finding finding = BuildCloudTrailFinding(in);

  const Suppression* suppression =
      profile_ ? profile_->FindSuppression(rule.id, event.account, event.resource, event.actor,
                                           options_.now)
               : nullptr;
  if (suppression) {
    ++stats_.suppressed;
    ++stats_.suppressed_by_rule[rule.id];
    if (!options_.show_suppressed) return;
    finding.attributes["suppressed"] = true;
    finding.attributes["suppression"] = {{"comment", suppression->comment},
                                         {"where", suppression->location.ToString()}};
    if (on_finding_) on_finding_(std::move(finding), true);
    return;
  }
  ++stats_.findings;
  ++stats_.findings_by_rule[rule.id];
  if (on_finding_) on_finding_(std::move(finding), false);
}

}  // namespace warden

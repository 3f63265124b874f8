#include "rules/rule_linter.h"

#include <algorithm>
#include <functional>

#include "core/strings.h"
#include "rules/compiled_rules.h"
#include "rules/regex_matcher.h"
#include "rules/rule_yaml_loader.h"

namespace warden {

namespace {

// Top-level keys of CloudTrail records (event versions 1.0-1.10).
const std::vector<std::string> kCloudTrailKeys = {"eventVersion",
                                                  "userIdentity",
                                                  "eventTime",
                                                  "eventSource",
                                                  "eventName",
                                                  "awsRegion",
                                                  "sourceIPAddress",
                                                  "userAgent",
                                                  "errorCode",
                                                  "errorMessage",
                                                  "requestParameters",
                                                  "responseElements",
                                                  "additionalEventData",
                                                  "requestID",
                                                  "eventID",
                                                  "eventType",
                                                  "apiVersion",
                                                  "managementEvent",
                                                  "readOnly",
                                                  "resources",
                                                  "recipientAccountId",
                                                  "serviceEventDetails",
                                                  "sharedEventID",
                                                  "vpcEndpointId",
                                                  "vpcEndpointAccountId",
                                                  "eventCategory",
                                                  "addendum",
                                                  "sessionCredentialFromConsole",
                                                  "edgeDeviceDetails",
                                                  "tlsDetails",
                                                  "insightDetails"};

void Warn(std::vector<RuleDiagnostic>* out, const Rule& rule, const SourceLocation& loc,
          std::string message) {
  RuleDiagnostic d;
  d.severity = RuleDiagnostic::Severity::kWarning;
  d.location = loc.line > 0 ? loc : rule.location;
  d.rule_id = rule.id;
  d.message = std::move(message);
  out->push_back(std::move(d));
}

// "^Create*" / "Delete*" / "(Put*": a word whose last letter is starred,
// as one alternative of a pattern (group parentheses around it ignored).
// Returns the word without its star, or "" when the alternative is not one.
std::string_view GlobStarWord(std::string_view alternative) {
  while (!alternative.empty() && (alternative.front() == '^' || alternative.front() == '('))
    alternative.remove_prefix(1);
  while (!alternative.empty() && (alternative.back() == ')' || alternative.back() == '$'))
    alternative.remove_suffix(1);
  if (alternative.size() < 3 || alternative.back() != '*') return {};
  alternative.remove_suffix(1);
  bool word = std::all_of(alternative.begin(), alternative.end(),
                          [](char c) { return std::isalnum(static_cast<unsigned char>(c)); });
  return word ? alternative : std::string_view();
}

bool HasNestedQuantifier(const std::string& pattern) {
  static const Result<Regex> detector = Regex::Compile(R"(\((?:[^()\\]|\\.)*[+*]\)[+*{])");
  static thread_local RegexScratch scratch;
  return detector.ok() && detector->Search(pattern, scratch) == RegexOutcome::kMatch;
}

void LintRegex(std::vector<RuleDiagnostic>* out, const Rule& rule, const SourceLocation& loc,
               const std::string& where, const std::string& pattern) {
  // Every starred word of the pattern in one warning: fixing only the first
  // one a lint named would leave the others.
  std::string starred, words;
  for (std::string_view alt : SplitString(pattern, '|')) {
    std::string_view word = GlobStarWord(alt);
    if (word.empty()) continue;
    starred += std::string(starred.empty() ? "" : ", ") + "'" + std::string(word) + "*'";
    words += std::string(words.empty() ? "" : ", ") + "'" + std::string(word) + "'";
  }
  if (!starred.empty())
    Warn(out, rule, loc,
         where + ": " + starred +
             " repeat only the last letter ('*' is not a wildcard in a regex); with search "
             "semantics " +
             words + " already match any name starting with them");
  if (HasNestedQuantifier(pattern)) {
    Warn(out, rule, loc,
         where + ": nested quantifier in '" + pattern +
             "' can backtrack catastrophically; Warden "
             "stops it at its match limit and the event is then not matched");
  }
}

// Every field condition of a rule, in order.
void ForEachFieldCondition(const Condition& c, const std::function<void(const Condition&)>& fn) {
  if (c.kind != Condition::Kind::kField) {
    for (const Condition& child : c.children) ForEachFieldCondition(child, fn);
    return;
  }
  if (c.op != MatchOp::kKeyword) fn(c);
}

void ForEachFieldCondition(const Rule& rule, const std::function<void(const Condition&)>& fn) {
  if (rule.match) ForEachFieldCondition(*rule.match, fn);
  for (const Condition& e : rule.exceptions) ForEachFieldCondition(e, fn);
}

}  // namespace

const FieldVocabulary& SourceOfRule(const Rule& rule,
                                    std::span<const FieldVocabulary* const> sources) {
  const FieldVocabulary* best = sources.front();
  size_t best_known = 0;
  for (const FieldVocabulary* source : sources) {
    size_t known = 0;
    ForEachFieldCondition(rule, [&](const Condition& c) { known += source->has(c.field); });
    if (known > best_known) {
      best = source;
      best_known = known;
    }
  }
  return *best;
}

namespace {

void LintCondition(std::vector<RuleDiagnostic>* out, const Rule& rule, const Condition& c,
                   const FieldVocabulary& source) {
  if (!source.has(c.field)) {
    std::string top = std::string(SplitString(c.field, '.')[0]);
    const bool vowel = !source.name.empty() &&
                       std::string_view("AEIOU").find(source.name[0]) != std::string_view::npos;
    std::string m =
        "field '" + c.field + "' is not " + (vowel ? "an " : "a ") + source.name + " field";
    m += DidYouMean(source.top_level_names ? top : c.field, source.names);
    m += c.missing_never_matches ? " (a missing field matches no value)"
                                 : " (a missing field matches as the empty string)";
    Warn(out, rule, c.location, m);
  }
  if (c.op == MatchOp::kRegex)
    for (const std::string& p : c.values) LintRegex(out, rule, c.location, c.field, p);
}

}  // namespace

size_t LintReport::errors() const {
  return static_cast<size_t>(
      std::count_if(diagnostics.begin(), diagnostics.end(),
                    [](const auto& d) { return d.severity == RuleDiagnostic::Severity::kError; }));
}
size_t LintReport::warnings() const { return diagnostics.size() - errors(); }

const FieldVocabulary& CloudTrailFields() {
  static const FieldVocabulary fields{"CloudTrail",
                                      [](std::string_view path) {
                                        std::string_view top = path.substr(0, path.find('.'));
                                        return std::find(kCloudTrailKeys.begin(),
                                                         kCloudTrailKeys.end(),
                                                         top) != kCloudTrailKeys.end();
                                      },
                                      kCloudTrailKeys, true};
  return fields;
}

const FieldVocabulary& OciAuditFields() {
  // The CloudEvents envelope of OCI Audit events, version 0.1 (Audit API)
  // and 1.0 (Logging), plus the Logging service's `oracle` block.
  static const std::vector<std::string> keys = {"cloudEventsVersion",
                                                "contentType",
                                                "data",
                                                "eventID",
                                                "eventId",
                                                "eventTime",
                                                "eventType",
                                                "eventTypeVersion",
                                                "source",
                                                "specversion",
                                                "type",
                                                "time",
                                                "id",
                                                "dataschema",
                                                "oracle"};
  static const FieldVocabulary fields{"OCI Audit",
                                      [](std::string_view path) {
                                        std::string_view top = path.substr(0, path.find('.'));
                                        return std::find(keys.begin(), keys.end(), top) !=
                                               keys.end();
                                      },
                                      keys, true};
  return fields;
}

void LintRules(const std::vector<Rule>& rules, std::vector<RuleDiagnostic>* out,
               std::span<const FieldVocabulary* const> sources) {
  const FieldVocabulary* cloudtrail[] = {&CloudTrailFields()};
  if (sources.empty()) sources = cloudtrail;
  for (const Rule& rule : rules) {
    // OCI rules are checked against OCI's envelope whatever the sources.
    const FieldVocabulary& source =
        rule.provider == EventProvider::kOci ? OciAuditFields() : SourceOfRule(rule, sources);
    ForEachFieldCondition(rule, [&](const Condition& c) { LintCondition(out, rule, c, source); });
    for (size_t i = 0; i < rule.patterns.size(); ++i) {
      const PatternRow& row = rule.patterns[i];
      const std::string where = "patterns[" + std::to_string(i) + "]";
      bool everything = true;
      auto column = [&](const std::optional<std::string>& p, const char* name,
                        const SourceLocation& loc) {
        if (!p) return;
        auto re = Regex::Compile(*p);
        if (re.ok() && !re->matches_everything()) everything = false;
        LintRegex(out, rule, loc, where + "." + name, *p);
      };
      column(row.event_name, "eventName", row.event_name_location);
      column(row.event_source, "eventSource", row.event_source_location);
      column(row.user_identity_type, "userIdentityType", row.user_identity_type_location);
      if (everything)
        Warn(out, rule, row.location,
             where +
                 ": every column matches everything, so this row fires on every event "
                 "(test it with `warden rules test` before enabling)");
    }
    if (rule.enabled && rule.has_patterns && rule.patterns.empty())
      Warn(out, rule, rule.location, "enabled but has no pattern rows: it never fires");
    if (rule.enabled && rule.canary && rule.canary->empty())
      Warn(out, rule, rule.location,
           "enabled canary rule with no users or access keys: it never fires");
  }
}

LintReport LintRulePath(const std::string& path, std::span<const FieldVocabulary* const> sources) {
  LintReport report;
  RuleLoadResult loaded = LoadRulesFromPath(path);
  report.diagnostics = loaded.diagnostics;
  report.files = loaded.files;
  report.rules = loaded.rules.size();
  // Compile each rule on its own so one error does not hide the others.
  for (const Rule& rule : loaded.rules) {
    FieldRegistry registry;
    auto compiled = CompiledRuleSet::Compile({rule}, &registry);
    if (!compiled.ok()) {
      RuleDiagnostic d;
      d.location = rule.location;
      d.rule_id = rule.id;
      d.message = compiled.status().message();
      report.diagnostics.push_back(std::move(d));
    }
  }
  LintRules(loaded.rules, &report.diagnostics, sources);
  std::stable_sort(report.diagnostics.begin(), report.diagnostics.end(),
                   [](const RuleDiagnostic& a, const RuleDiagnostic& b) {
                     if (a.location.file != b.location.file)
                       return a.location.file < b.location.file;
                     if (a.location.line != b.location.line)
                       return a.location.line < b.location.line;
                     return a.location.column < b.location.column;
                   });
  return report;
}

}  // namespace warden

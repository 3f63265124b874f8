// CompiledRuleSet turns loaded Rules into a flat graph of predicate nodes over
// interned field ids; RuleEvaluator runs it over one event at a time.
//
// Why it is fast enough for line rate (see bench/cloudtrail_bench.cc):
//  - fields are extracted once per event into a flat array (EventFields);
//  - every rule gets a "gate": the part of its condition that depends on
//    eventName alone (an equality, an in-list, the OR of its pattern rows'
//    eventName regexes). Per distinct eventName the evaluator computes once
//    which rules can fire at all; an event then only visits those rules;
//  - regexes and wildcard globs on single-valued fields are memoised per
//    distinct field value (values are interned per field, up to a cap, after
//    which that field is evaluated directly), so a regex runs once per distinct
//    eventName/eventSource/identity type, not once per event;
//  - nothing allocates per event after warm-up.
//
// Contract: CompiledRuleSet is immutable after Compile and may be shared by
// threads; each thread uses its own RuleEvaluator. Regexes that exhaust their
// backtracking budget count as "no match" and are counted per node, so the
// caller can report "rule X: regex P hit its limit N times".
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/status.h"
#include "rules/event_fields.h"
#include "rules/regex_matcher.h"
#include "rules/rule.h"
#include "rules/string_match.h"

namespace warden {

// Hashes std::string and std::string_view alike, so sets of strings can be
// probed with a view (no allocation per lookup).
struct TransparentStringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
};

class CompiledRuleSet {
 public:
  // Compiles `rules`, interning every field they read in `registry`. Disabled
  // rules are compiled too (a dry run evaluates them); the evaluator skips them
  // unless asked not to. Errors name the rule and its file:line:column.
  static Result<std::shared_ptr<const CompiledRuleSet>> Compile(std::vector<Rule> rules,
                                                                FieldRegistry* registry);

  const std::vector<Rule>& rules() const { return rules_; }
  // Rules reading at most this many distinct fields can be memoised whole.
  static constexpr size_t kMaxMemoFields = 4;
  // Field paths have at most this many dotted parts: the field extractor
  // descends one level of the event per part.
  static constexpr size_t kMaxFieldPathParts = 32;
  const Rule& rule(uint32_t index) const { return rules_[index]; }
  size_t size() const { return rules_.size(); }

 private:
  friend class RuleEvaluator;
  friend class RuleSetCompiler;

  enum class NodeKind : uint8_t { kAnd, kOr, kNot, kTrue, kFalse, kField };
  enum class OpKind : uint8_t {
    kGlob,  // equals / contains / startswith / endswith / wildcards
    kSet,   // equality against a hashed list of values
    kRegex,
    kCidr,
    kExists,
    kIsNull,
    kNumber,
    kFieldRef,
    kKeyword,
  };
  struct Node {
    NodeKind kind = NodeKind::kTrue;
    OpKind op = OpKind::kGlob;
    MatchOp source_op = MatchOp::kEquals;
    FieldId field = kNoField;
    FieldId other_field = kNoField;  // kFieldRef
    bool ignore_case = false;
    bool all_values = false;
    bool exists_value = true;
    bool strict = false;  // Condition::missing_never_matches
    double number = 0;
    std::vector<uint32_t> children;
    std::vector<GlobPattern> globs;
    std::vector<Regex> regexes;
    std::vector<CidrRange> cidrs;
    std::unordered_set<std::string, TransparentStringHash, std::equal_to<>>
        set;  // lower-cased when ignore_case
    std::string keyword;
    uint32_t memo_slot = UINT32_MAX;  // memoised per field value when set
    uint32_t rule = 0;                // owning rule, for limit reports
  };
  struct CompiledRule {
    uint32_t match = UINT32_MAX;
    uint32_t canary = UINT32_MAX;
    std::vector<uint32_t> rows;  // one AND node per pattern row
    bool has_rows = false;
    std::vector<uint32_t> exceptions;
    uint32_t gate = UINT32_MAX;  // depends on eventName only; UINT32_MAX = none
    // When every node of the rule is a pure function of the text of at most
    // kMaxMemoFields single-valued fields, the rule's outcome (fired, rows)
    // is remembered per combination of their values: pattern rules then
    // cost a few value lookups per event.
    std::vector<FieldId> memo_fields;
  };

  std::vector<Rule> rules_;
  std::vector<CompiledRule> compiled_;
  std::vector<Node> nodes_;
  uint32_t memo_slots_ = 0;
  std::vector<FieldId> memo_fields_;  // per memo slot, the field it is keyed by
  FieldId event_name_field_ = kNoField;
  size_t field_count_ = 0;
};

// One rule that fired on the evaluated event.
struct RuleMatch {
  uint32_t rule = 0;        // index into CompiledRuleSet::rules()
  uint32_t row_offset = 0;  // pattern rows that matched: see RuleEvaluator::rows()
  uint32_t row_count = 0;
};

struct RegexLimitReport {
  std::string rule_id;
  std::string pattern;
  uint64_t count = 0;  // events on which the regex hit its limit (treated as no match)
};

class RuleEvaluator {
 public:
  struct Options {
    bool include_disabled = false;  // dry runs (`warden rules test`)
  };
  explicit RuleEvaluator(std::shared_ptr<const CompiledRuleSet> set)
      : RuleEvaluator(std::move(set), Options()) {}
  RuleEvaluator(std::shared_ptr<const CompiledRuleSet> set, Options options);

  // Evaluates every (enabled) rule on `event`; fills `matches` in rule order.
  void Evaluate(const EventFields& event, std::vector<RuleMatch>* matches);
  // The 0-based pattern rows of a match from the last Evaluate call.
  std::span<const uint32_t> rows(const RuleMatch& m) const {
    return {rows_.data() + m.row_offset, m.row_count};
  }
  // Evaluates one pattern row of one rule on `event` (dry runs report rows
  // separately). Valid for rules with pattern rows only.
  bool RowMatches(const EventFields& event, uint32_t rule, uint32_t row);

  std::vector<RegexLimitReport> RegexLimitReports() const;
  const CompiledRuleSet& rule_set() const { return *set_; }

 private:
  static constexpr uint32_t kNoValue = UINT32_MAX;
  static constexpr size_t kMaxInternedValues = 65536;
  static constexpr size_t kInternWarmup = 1024;
  static constexpr size_t kMaxInternedBytes = 16u << 20;

  // Distinct values of one field -> dense ids. Open addressing with the full
  // hash stored, so a lookup is one hash of the value, usually one probe and
  // one memcmp (this runs for every event: it must be cheap).
  // The bytes live back to back in one arena and each slot holds its
  // value's length and offset: a lookup touches the slot and the arena, not
  // a string object and then its heap block.
  struct ValueInterner {
    struct Slot {
      uint64_t hash = 0;
      uint32_t id = UINT32_MAX;  // UINT32_MAX = empty
      uint32_t length = 0;
      uint64_t offset = 0;  // in arena
    };
    std::vector<Slot> slots;
    std::string arena;
    uint32_t count = 0;  // values interned
    uint64_t lookups = 0;
    bool disabled = false;
    // The id of `text`, adding it when new; kNoValue when full, or when the
    // field proves to be mostly distinct values (event ids, addresses):
    // remembering them would cost more than evaluating.
    uint32_t Intern(std::string_view text);
  };

  void BeginEvent(const EventFields& event);
  uint32_t ValueId(FieldId field);
  const std::vector<uint32_t>& CandidatesFor(uint32_t name_value_id);
  void EvaluateRule(uint32_t rule, std::vector<RuleMatch>* matches);
  bool Eval(uint32_t node);
  bool EvalField(const CompiledRuleSet::Node& node, uint32_t index);
  bool EvalUncached(const CompiledRuleSet::Node& node, uint32_t index);
  bool MatchOne(const CompiledRuleSet::Node& node, uint32_t index, size_t pattern,
                const FieldValue& value);
  void NoteLimit(uint32_t node);
  bool MatchAnyPattern(const CompiledRuleSet::Node& node, uint32_t index, const FieldValue& value);

  std::shared_ptr<const CompiledRuleSet> set_;
  Options options_;
  const EventFields* event_ = nullptr;
  RegexScratch scratch_;
  std::vector<uint32_t> rows_;
  std::vector<uint32_t> all_rules_;
  std::vector<std::vector<uint32_t>> candidates_;  // by eventName value id
  std::vector<uint8_t> candidates_ready_;
  std::vector<ValueInterner> interners_;  // by field id (only memo fields used)
  std::vector<uint64_t> value_stamp_;     // by field id
  std::vector<uint32_t> value_id_;        // by field id
  uint64_t stamp_ = 0;
  std::vector<std::vector<uint8_t>> memo_;  // by memo slot, indexed by value id
  // Per rule: outcome by the value ids of its memo fields (see CompiledRule).
  struct RuleOutcome {
    std::array<uint32_t, CompiledRuleSet::kMaxMemoFields> key;
    uint64_t rows = 0;  // bit i: row i matched
    uint8_t state = 0;  // 0 empty, 1 did not fire, 2 fired
  };
  struct RuleMemo {
    std::vector<RuleOutcome> slots;
    size_t used = 0;
    bool full = false;
  };
  std::vector<RuleMemo> rule_memo_;  // by rule
  bool EvaluateRuleMemoised(uint32_t rule, std::vector<RuleMatch>* matches);
  void EvaluateRuleDirect(uint32_t rule, std::vector<RuleMatch>* matches);
  std::vector<uint64_t> limit_hits_;   // by node
  std::vector<uint64_t> limit_stamp_;  // by node: last event counted
  uint64_t limit_total_ = 0;
  std::string lower_;  // scratch for case-folded set lookups
};

}  // namespace warden

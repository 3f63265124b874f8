#include "rules/compiled_rules.h"

#include <algorithm>
#include <cstring>

#include "core/strings.h"

namespace warden {

namespace {
constexpr uint32_t kNone = UINT32_MAX;
// Equality lists longer than this are hashed instead of compared one by one.
constexpr size_t kSetThreshold = 4;

Status CheckFieldPath(const std::string& path) {
  if (static_cast<size_t>(std::count(path.begin(), path.end(), '.')) >=
      CompiledRuleSet::kMaxFieldPathParts)
    return InvalidArgument("field path '" + path.substr(0, 64) + "...' has more than " +
                           std::to_string(CompiledRuleSet::kMaxFieldPathParts) + " parts (limit " +
                           std::to_string(CompiledRuleSet::kMaxFieldPathParts) + ")");
  return Status::Ok();
}
}  // namespace

// Builds the node graph of a CompiledRuleSet. Kept out of the header: only
// Compile uses it.
class RuleSetCompiler {
 public:
  RuleSetCompiler(CompiledRuleSet* set, FieldRegistry* registry)
      : set_(*set), registry_(*registry) {}

  Status CompileRule(uint32_t index) {
    const Rule& rule = set_.rules_[index];
    CompiledRuleSet::CompiledRule cr;
    rule_ = index;
    auto context = [&](const Status& st) {
      return st.WithContext(rule.location.ToString() + ": rule " + rule.id);
    };
    if (rule.match) {
      auto node = CompileCondition(*rule.match);
      if (!node.ok()) return context(node.status());
      cr.match = *node;
    }
    cr.has_rows = rule.has_patterns;
    for (const PatternRow& row : rule.patterns) {
      auto node = CompileRow(row);
      if (!node.ok()) return context(node.status());
      cr.rows.push_back(*node);
    }
    if (rule.canary) cr.canary = CompileCanary(*rule.canary, rule.provider);
    if (rule.threshold)
      for (const std::string& g : rule.threshold->group_by)
        if (Status st = CheckFieldPath(g); !st.ok()) return context(st);
    for (const Condition& e : rule.exceptions) {
      auto node = CompileCondition(e);
      if (!node.ok()) return context(node.status());
      cr.exceptions.push_back(*node);
    }
    set_.compiled_.push_back(std::move(cr));
    return Status::Ok();
  }

  // Which rules can be memoised as a whole (see CompiledRule::memo_fields).
  void ComputeMemoFields() {
    for (auto& cr : set_.compiled_) {
      if (cr.rows.size() > 64) continue;
      std::vector<FieldId> fields;
      bool pure = true;
      std::vector<uint32_t> stack;
      for (uint32_t n : {cr.match, cr.canary})
        if (n != kNone) stack.push_back(n);
      for (uint32_t n : cr.rows) stack.push_back(n);
      for (uint32_t n : cr.exceptions) stack.push_back(n);
      while (!stack.empty() && pure) {
        const Node& n = set_.nodes_[stack.back()];
        stack.pop_back();
        for (uint32_t c : n.children) stack.push_back(c);
        if (n.kind != NodeKind::kField) continue;
        // exists / null (and Sigma's value matches) tell a missing field
        // from "" and keywords read the whole event: not functions of the
        // field's text.
        if (n.op == OpKind::kExists || n.op == OpKind::kIsNull || n.op == OpKind::kKeyword ||
            n.strict)
          pure = false;
        for (FieldId f : {n.field, n.other_field})
          if (f != kNoField && std::find(fields.begin(), fields.end(), f) == fields.end())
            fields.push_back(f);
      }
      if (pure && !fields.empty() && fields.size() <= CompiledRuleSet::kMaxMemoFields)
        cr.memo_fields = fields;
    }
  }

  // Gates need eventName's id; computed after every rule is compiled.
  void ComputeGates() {
    set_.event_name_field_ = registry_.Find(kEventNameField);
    if (set_.event_name_field_ == kNoField) return;
    for (auto& cr : set_.compiled_) {
      std::vector<uint32_t> parts;
      if (cr.match != kNone) {
        uint32_t g = GateOf(cr.match);
        if (g != kNone) parts.push_back(g);
      }
      if (cr.has_rows && !cr.rows.empty()) {
        std::vector<uint32_t> row_gates;
        for (uint32_t row : cr.rows) {
          uint32_t g = GateOf(row);
          if (g == kNone) {
            row_gates.clear();
            break;
          }
          row_gates.push_back(g);
        }
        if (!row_gates.empty()) parts.push_back(Combine(CompiledRuleSet::NodeKind::kOr, row_gates));
      }
      if (!parts.empty()) cr.gate = Combine(CompiledRuleSet::NodeKind::kAnd, parts);
    }
  }

 private:
  using Node = CompiledRuleSet::Node;
  using NodeKind = CompiledRuleSet::NodeKind;
  using OpKind = CompiledRuleSet::OpKind;

  uint32_t Add(Node node) {
    node.rule = rule_;
    set_.nodes_.push_back(std::move(node));
    return static_cast<uint32_t>(set_.nodes_.size() - 1);
  }
  uint32_t Constant(bool value) {
    Node n;
    n.kind = value ? NodeKind::kTrue : NodeKind::kFalse;
    return Add(std::move(n));
  }
  uint32_t Combine(NodeKind kind, const std::vector<uint32_t>& children) {
    if (children.size() == 1) return children[0];
    Node n;
    n.kind = kind;
    n.children = children;
    return Add(std::move(n));
  }
  bool IsConstant(uint32_t node, bool value) const {
    return set_.nodes_[node].kind == (value ? NodeKind::kTrue : NodeKind::kFalse);
  }
  void Memoise(Node& n) {
    n.memo_slot = set_.memo_slots_++;
    set_.memo_fields_.push_back(n.field);
  }

  Result<uint32_t> CompileCondition(const Condition& c) {
    switch (c.kind) {
      case Condition::Kind::kTrue:
        return Constant(true);
      case Condition::Kind::kFalse:
        return Constant(false);
      case Condition::Kind::kNot: {
        if (c.children.size() != 1) return InvalidArgument("'not' needs exactly one condition");
        ASSIGN_OR_RETURN(uint32_t child, CompileCondition(c.children[0]));
        if (IsConstant(child, true)) return Constant(false);
        if (IsConstant(child, false)) return Constant(true);
        Node n;
        n.kind = NodeKind::kNot;
        n.children.push_back(child);
        return Add(std::move(n));
      }
      case Condition::Kind::kAnd:
      case Condition::Kind::kOr: {
        const bool is_and = c.kind == Condition::Kind::kAnd;
        std::vector<uint32_t> kids;
        for (const Condition& child : c.children) {
          ASSIGN_OR_RETURN(uint32_t k, CompileCondition(child));
          // Constant folding: `.*` columns become true and vanish from ANDs.
          if (IsConstant(k, is_and)) continue;
          if (IsConstant(k, !is_and)) return Constant(!is_and);
          kids.push_back(k);
        }
        if (kids.empty()) return Constant(is_and);
        return Combine(is_and ? NodeKind::kAnd : NodeKind::kOr, kids);
      }
      case Condition::Kind::kField:
        return CompileField(c);
    }
    return Constant(false);
  }

  Result<uint32_t> CompileField(const Condition& c) {
    auto at = [&](const Status& st) {
      return c.location.line > 0 ? st.WithContext(c.location.ToString()) : st;
    };
    Node n;
    n.kind = NodeKind::kField;
    n.source_op = c.op;
    n.ignore_case = c.ignore_case;
    n.all_values = c.all_values;
    n.strict = c.missing_never_matches;
    // Under Sigma's semantics a pattern that matches every text still needs
    // the field to have a value: it means "present and not null".
    auto present = [&]() {
      Node e;
      e.kind = NodeKind::kField;
      e.op = OpKind::kExists;
      e.source_op = MatchOp::kExists;
      e.field = n.field;
      e.exists_value = true;
      return Add(std::move(e));
    };
    if (c.op != MatchOp::kKeyword) {
      if (c.field.empty()) return at(InvalidArgument("empty field name"));
      RETURN_IF_ERROR(at(CheckFieldPath(c.field)));
      n.field = registry_.Intern(c.field);
    }
    switch (c.op) {
      case MatchOp::kEquals:
      case MatchOp::kContains:
      case MatchOp::kStartsWith:
      case MatchOp::kEndsWith:
      case MatchOp::kKeyword: {
        if (c.values.empty()) return Constant(c.all_values);
        bool any_wildcard = false, general = false;
        for (const std::string& v : c.values) {
          GlobPattern g = c.glob ? GlobPattern::Parse(v, c.ignore_case)
                                 : GlobPattern::Literal(v, c.ignore_case);
          if (c.op == MatchOp::kContains || c.op == MatchOp::kKeyword)
            g = g.WithLeadingStar().WithTrailingStar();
          else if (c.op == MatchOp::kStartsWith)
            g = g.WithTrailingStar();
          else if (c.op == MatchOp::kEndsWith)
            g = g.WithLeadingStar();
          any_wildcard |= g.has_wildcards();
          general |= g.shape() == GlobPattern::Shape::kGeneral;
          n.globs.push_back(std::move(g));
        }
        if (c.op == MatchOp::kKeyword) {
          n.op = OpKind::kKeyword;
          return Add(std::move(n));
        }
        if (c.op == MatchOp::kEquals && !any_wildcard && !c.all_values &&
            c.values.size() > kSetThreshold) {
          n.op = OpKind::kSet;
          for (const std::string& v : c.values) n.set.insert(c.ignore_case ? AsciiLower(v) : v);
          n.globs.clear();
          return Add(std::move(n));
        }
        n.op = OpKind::kGlob;
        if (general || n.globs.size() > kSetThreshold) Memoise(n);
        return Add(std::move(n));
      }
      case MatchOp::kRegex: {
        RegexOptions options;
        options.ignore_case = c.ignore_case;
        options.multiline = c.regex_multiline;
        options.dot_all = c.regex_dot_all;
        for (const std::string& v : c.values) {
          auto re = Regex::Compile(v, options);
          if (!re.ok()) return at(InvalidArgument(c.field + ": " + re.status().message()));
          if (re->matches_everything()) {
            if (!c.all_values) return n.strict ? present() : Constant(true);
            continue;  // adds nothing to an all-of list
          }
          n.regexes.push_back(std::move(re).value());
        }
        if (n.regexes.empty()) {
          const bool always = c.all_values || !c.values.empty();
          return always && n.strict ? present() : Constant(always);
        }
        n.op = OpKind::kRegex;
        Memoise(n);
        return Add(std::move(n));
      }
      case MatchOp::kCidr: {
        for (const std::string& v : c.values) {
          auto r = CidrRange::Parse(v);
          if (!r.ok()) return at(InvalidArgument(c.field + ": " + r.status().message()));
          n.cidrs.push_back(*r);
        }
        if (n.cidrs.empty()) return Constant(false);
        n.op = OpKind::kCidr;
        Memoise(n);
        return Add(std::move(n));
      }
      case MatchOp::kExists:
        n.op = OpKind::kExists;
        n.exists_value = c.exists_value;
        return Add(std::move(n));
      case MatchOp::kIsNull:
        n.op = OpKind::kIsNull;
        return Add(std::move(n));
      case MatchOp::kLess:
      case MatchOp::kLessEqual:
      case MatchOp::kGreater:
      case MatchOp::kGreaterEqual:
        n.op = OpKind::kNumber;
        n.number = c.number;
        return Add(std::move(n));
      case MatchOp::kFieldRef:
        if (c.values.empty() || c.values[0].empty())
          return at(InvalidArgument(c.field + ": fieldref needs a field name"));
        n.op = OpKind::kFieldRef;
        RETURN_IF_ERROR(at(CheckFieldPath(c.values[0])));
        n.other_field = registry_.Intern(c.values[0]);
        return Add(std::move(n));
    }
    return Constant(false);
  }

  Result<uint32_t> CompileRow(const PatternRow& row) {
    std::vector<Condition> columns;
    auto column = [&](const std::optional<std::string>& pattern, const char* field,
                      const SourceLocation& loc) {
      if (!pattern) return;
      Condition c = Condition::Field(field, MatchOp::kRegex, {*pattern});
      c.location = loc;
      columns.push_back(std::move(c));
    };
    column(row.event_name, kEventNameField, row.event_name_location);
    column(row.event_source, kEventSourceField, row.event_source_location);
    column(row.user_identity_type, kUserIdentityTypeField, row.user_identity_type_location);
    return CompileCondition(Condition::And(std::move(columns)));
  }

  uint32_t CompileCanary(const CanarySpec& canary, EventProvider provider) {
    std::vector<uint32_t> any;
    auto add = [&](Condition c) {
      c.missing_never_matches = provider == EventProvider::kOci;
      auto node = CompileCondition(c);
      if (node.ok()) any.push_back(*node);
    };
    if (provider == EventProvider::kOci) {
      // OCI principals: by name (case-insensitive, as IAM compares user
      // names) or by OCID; credentials as the audit event names them.
      if (!canary.users.empty()) {
        Condition by_name =
            Condition::Field("data.identity.principalName", MatchOp::kEquals, canary.users);
        by_name.ignore_case = true;
        add(by_name);
        add(Condition::Field("data.identity.principalId", MatchOp::kEquals, canary.users));
      }
      if (!canary.access_keys.empty())
        add(Condition::Field("data.identity.credentials", MatchOp::kEquals, canary.access_keys));
      if (any.empty()) return Constant(false);
      return Combine(NodeKind::kOr, any);
    }
    if (!canary.users.empty()) {
      // IAM user names are case-insensitive in AWS.
      Condition by_name = Condition::Field("userIdentity.userName", MatchOp::kEquals, canary.users);
      by_name.ignore_case = true;
      add(by_name);
      Condition by_issuer = Condition::Field("userIdentity.sessionContext.sessionIssuer.userName",
                                             MatchOp::kEquals, canary.users);
      by_issuer.ignore_case = true;
      add(by_issuer);
      // arn:aws:iam::123456789012:user/canary or .../user/some/path/canary
      std::vector<std::string> arns;
      for (const std::string& u : canary.users) {
        std::string escaped;
        for (char ch : u) {
          if (ch == '*' || ch == '?' || ch == '\\') escaped += '\\';
          escaped += ch;
        }
        arns.push_back("arn:aws*:iam::*:user/" + escaped);
        arns.push_back("arn:aws*:iam::*:user/*/" + escaped);
      }
      Condition by_arn = Condition::Field("userIdentity.arn", MatchOp::kEquals, arns);
      by_arn.glob = true;
      by_arn.ignore_case = true;
      add(by_arn);
    }
    if (!canary.access_keys.empty())
      add(Condition::Field("userIdentity.accessKeyId", MatchOp::kEquals, canary.access_keys));
    if (any.empty()) return Constant(false);
    return Combine(NodeKind::kOr, any);
  }

  // A node implied by `node` that reads eventName only, or kNone.
  uint32_t GateOf(uint32_t index) {
    const Node& n = set_.nodes_[index];
    switch (n.kind) {
      case NodeKind::kField:
        return n.field == set_.event_name_field_ && n.op != OpKind::kFieldRef &&
                       n.op != OpKind::kKeyword
                   ? index
                   : kNone;
      case NodeKind::kFalse:
        return index;
      case NodeKind::kTrue:
      case NodeKind::kNot:
        return kNone;
      case NodeKind::kAnd: {
        std::vector<uint32_t> gates;
        std::vector<uint32_t> kids = n.children;  // copy: Combine may grow nodes_
        for (uint32_t k : kids) {
          uint32_t g = GateOf(k);
          if (g != kNone) gates.push_back(g);
        }
        return gates.empty() ? kNone : Combine(NodeKind::kAnd, gates);
      }
      case NodeKind::kOr: {
        std::vector<uint32_t> gates;
        std::vector<uint32_t> kids = n.children;
        for (uint32_t k : kids) {
          uint32_t g = GateOf(k);
          if (g == kNone) return kNone;
          gates.push_back(g);
        }
        return gates.empty() ? kNone : Combine(NodeKind::kOr, gates);
      }
    }
    return kNone;
  }

  CompiledRuleSet& set_;
  FieldRegistry& registry_;
  uint32_t rule_ = 0;
};

Result<std::shared_ptr<const CompiledRuleSet>> CompiledRuleSet::Compile(std::vector<Rule> rules,
                                                                        FieldRegistry* registry) {
  auto set = std::shared_ptr<CompiledRuleSet>(new CompiledRuleSet());
  set->rules_ = std::move(rules);
  RuleSetCompiler compiler(set.get(), registry);
  for (uint32_t i = 0; i < set->rules_.size(); ++i) RETURN_IF_ERROR(compiler.CompileRule(i));
  compiler.ComputeGates();
  compiler.ComputeMemoFields();
  set->field_count_ = registry->size();
  return std::shared_ptr<const CompiledRuleSet>(std::move(set));
}

// ---------------------------------------------------------------------------
// RuleEvaluator

RuleEvaluator::RuleEvaluator(std::shared_ptr<const CompiledRuleSet> set, Options options)
    : set_(std::move(set)), options_(options) {
  for (uint32_t i = 0; i < set_->rules_.size(); ++i)
    if (options_.include_disabled || set_->rules_[i].enabled) all_rules_.push_back(i);
  memo_.resize(set_->memo_slots_);
  limit_hits_.assign(set_->nodes_.size(), 0);
  limit_stamp_.assign(set_->nodes_.size(), 0);
}

void RuleEvaluator::BeginEvent(const EventFields& event) {
  event_ = &event;
  ++stamp_;
  // The registry may have grown (another rule set compiled later shares it).
  size_t fields = std::max(set_->field_count_, static_cast<size_t>(1));
  if (value_stamp_.size() < fields) {
    value_stamp_.resize(fields, 0);
    value_id_.resize(fields, kNoValue);
    interners_.resize(fields);
  }
}

namespace {

// A cheap hash for short values (names, services, identity types): the
// first and last 8 bytes and the length. Collisions only cost a memcmp.
inline uint64_t ValueHash(std::string_view s) {
  const size_t n = s.size();
  const uint64_t a = PrefixWord(s.data(), n);
  const uint64_t b = n > 8 ? Load64(s.data() + n - 8) : 0;
  uint64_t h =
      (a ^ (b * 0x9E3779B97F4A7C15ull) ^ (n * 0xff51afd7ed558ccdull)) * 0xbf58476d1ce4e5b9ull;
  return h ^ (h >> 31);
}

}  // namespace

uint32_t RuleEvaluator::ValueInterner::Intern(std::string_view text) {
  if (slots.empty()) slots.resize(64);
  ++lookups;
  const uint64_t h = ValueHash(text);
  size_t mask = slots.size() - 1;
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    const Slot& slot = slots[i];
    if (slot.id == UINT32_MAX) break;
    if (slot.hash == h && slot.length == text.size() &&
        SameBytes(arena.data() + slot.offset, text.data(), text.size()))
      return slot.id;
  }
  if (count >= kMaxInternedValues || arena.size() + text.size() > kMaxInternedBytes)
    return kNoValue;
  // Past a warm-up, a field where most lookups bring a new value is not
  // worth remembering.
  if (count >= kInternWarmup && uint64_t{count} * 2 > lookups) return kNoValue;
  const uint32_t id = count++;
  const uint64_t offset = arena.size();
  arena.append(text);
  if (uint64_t{count} * 2 > slots.size()) {
    std::vector<Slot> grown(slots.size() * 2);
    size_t gmask = grown.size() - 1;
    for (const Slot& old : slots) {
      if (old.id == UINT32_MAX) continue;
      size_t i = old.hash & gmask;
      while (grown[i].id != UINT32_MAX) i = (i + 1) & gmask;
      grown[i] = old;
    }
    slots.swap(grown);
    mask = gmask;
  }
  size_t i = h & mask;
  while (slots[i].id != UINT32_MAX) i = (i + 1) & mask;
  slots[i] = Slot{h, id, static_cast<uint32_t>(text.size()), offset};
  return id;
}

uint32_t RuleEvaluator::ValueId(FieldId field) {
  if (value_stamp_[field] == stamp_) return value_id_[field];
  value_stamp_[field] = stamp_;
  ValueInterner& interner = interners_[field];
  uint32_t id = kNoValue;
  if (!interner.disabled) {
    id = interner.Intern(event_->first(field).text);
    if (id == kNoValue) {
      // Too many distinct values to be worth remembering: evaluate directly.
      interner.disabled = true;
      interner.slots = {};
      interner.arena = {};
    }
  }
  value_id_[field] = id;
  return id;
}

const std::vector<uint32_t>& RuleEvaluator::CandidatesFor(uint32_t vid) {
  if (vid >= candidates_ready_.size()) {
    size_t n = std::max<size_t>(vid + 1, candidates_ready_.size() * 2);
    candidates_ready_.resize(n, 0);
    candidates_.resize(n);
  }
  if (!candidates_ready_[vid]) {
    std::vector<uint32_t> list;
    for (uint32_t r : all_rules_) {
      uint32_t gate = set_->compiled_[r].gate;
      uint64_t hits_before = limit_total_;
      // A gate that gave up on its regex keeps the rule a candidate, so every
      // event it gives up on is counted in the limit report.
      if (gate == kNone || Eval(gate) || limit_total_ != hits_before) list.push_back(r);
    }
    candidates_[vid] = std::move(list);
    candidates_ready_[vid] = 1;
  }
  return candidates_[vid];
}

void RuleEvaluator::Evaluate(const EventFields& event, std::vector<RuleMatch>* matches) {
  BeginEvent(event);
  matches->clear();
  rows_.clear();
  const std::vector<uint32_t>* candidates = &all_rules_;
  FieldId name = set_->event_name_field_;
  // Gated by value only when eventName has one value: a missing or null
  // eventName reads as "" but is not "" to Sigma's conditions.
  if (name != kNoField && event.count(name) == 1 && event.first(name).kind != ValueKind::kNull) {
    uint32_t vid = ValueId(name);
    if (vid != kNoValue) candidates = &CandidatesFor(vid);
  }
  for (uint32_t r : *candidates) EvaluateRule(r, matches);
}

void RuleEvaluator::EvaluateRule(uint32_t r, std::vector<RuleMatch>* matches) {
  if (!set_->compiled_[r].memo_fields.empty() && EvaluateRuleMemoised(r, matches)) return;
  EvaluateRuleDirect(r, matches);
}

namespace {
inline uint64_t OutcomeHash(const std::array<uint32_t, CompiledRuleSet::kMaxMemoFields>& key) {
  uint64_t h = 0x9E3779B97F4A7C15ull;
  for (uint32_t k : key) {
    h ^= k;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 31;
  }
  return h;
}
constexpr size_t kMaxRuleOutcomes = 1 << 16;
}  // namespace

// Returns false when this event cannot use the memo (a multi-valued field, a
// field with too many distinct values); the caller then evaluates directly.
bool RuleEvaluator::EvaluateRuleMemoised(uint32_t r, std::vector<RuleMatch>* matches) {
  const CompiledRuleSet::CompiledRule& cr = set_->compiled_[r];
  std::array<uint32_t, CompiledRuleSet::kMaxMemoFields> key;
  key.fill(kNoValue);
  for (size_t i = 0; i < cr.memo_fields.size(); ++i) {
    FieldId f = cr.memo_fields[i];
    // Not worth parsing the event's large objects just to build the key:
    // evaluated directly, the rule's cheap conditions usually fail first.
    if (event_->lazy_pending(f) || event_->count(f) > 1) return false;
    uint32_t v = ValueId(f);
    if (v == kNoValue) return false;
    key[i] = v;
  }
  if (rule_memo_.size() < set_->compiled_.size()) rule_memo_.resize(set_->compiled_.size());
  RuleMemo& memo = rule_memo_[r];
  if (memo.slots.empty()) memo.slots.resize(64);
  size_t mask = memo.slots.size() - 1;
  size_t i = OutcomeHash(key) & mask;
  while (memo.slots[i].state != 0 && memo.slots[i].key != key) i = (i + 1) & mask;
  RuleOutcome& slot = memo.slots[i];
  if (slot.state != 0) {
    if (slot.state == 2) {
      auto row_begin = static_cast<uint32_t>(rows_.size());
      for (uint64_t bits = slot.rows; bits != 0; bits &= bits - 1)
        rows_.push_back(static_cast<uint32_t>(__builtin_ctzll(bits)));
      matches->push_back({r, row_begin, static_cast<uint32_t>(rows_.size()) - row_begin});
    }
    return true;
  }
  // First time for this combination: evaluate, remember unless a regex gave
  // up (its limit must be counted every time it is hit).
  const size_t before = matches->size();
  const uint64_t limits = limit_total_;
  EvaluateRuleDirect(r, matches);
  if (limit_total_ != limits || memo.full) return true;
  RuleOutcome outcome;
  outcome.key = key;
  outcome.state = matches->size() > before ? 2 : 1;
  if (outcome.state == 2)
    for (uint32_t row : rows(matches->back())) outcome.rows |= uint64_t{1} << row;
  slot = outcome;
  if (++memo.used * 2 > memo.slots.size()) {
    if (memo.slots.size() >= kMaxRuleOutcomes) {
      memo.full = true;  // keeps what it has; new combinations are evaluated directly
      return true;
    }
    std::vector<RuleOutcome> grown(memo.slots.size() * 2);
    size_t gmask = grown.size() - 1;
    for (const RuleOutcome& o : memo.slots) {
      if (o.state == 0) continue;
      size_t j = OutcomeHash(o.key) & gmask;
      while (grown[j].state != 0) j = (j + 1) & gmask;
      grown[j] = o;
    }
    memo.slots.swap(grown);
  }
  return true;
}

void RuleEvaluator::EvaluateRuleDirect(uint32_t r, std::vector<RuleMatch>* matches) {
  const CompiledRuleSet::CompiledRule& cr = set_->compiled_[r];
  if (cr.match != kNone && !Eval(cr.match)) return;
  if (cr.canary != kNone && !Eval(cr.canary)) return;
  auto row_begin = static_cast<uint32_t>(rows_.size());
  if (cr.has_rows) {
    // Every row is evaluated: the finding lists all rows that matched.
    for (uint32_t i = 0; i < cr.rows.size(); ++i)
      if (Eval(cr.rows[i])) rows_.push_back(i);
    if (rows_.size() == row_begin) return;
  }
  for (uint32_t e : cr.exceptions) {
    if (Eval(e)) {
      rows_.resize(row_begin);
      return;
    }
  }
  matches->push_back({r, row_begin, static_cast<uint32_t>(rows_.size()) - row_begin});
}

bool RuleEvaluator::RowMatches(const EventFields& event, uint32_t rule, uint32_t row) {
  BeginEvent(event);
  const auto& cr = set_->compiled_[rule];
  return row < cr.rows.size() && Eval(cr.rows[row]);
}

bool RuleEvaluator::Eval(uint32_t index) {
  const CompiledRuleSet::Node& n = set_->nodes_[index];
  switch (n.kind) {
    case CompiledRuleSet::NodeKind::kTrue:
      return true;
    case CompiledRuleSet::NodeKind::kFalse:
      return false;
    case CompiledRuleSet::NodeKind::kNot:
      return !Eval(n.children[0]);
    case CompiledRuleSet::NodeKind::kAnd:
      for (uint32_t c : n.children)
        if (!Eval(c)) return false;
      return true;
    case CompiledRuleSet::NodeKind::kOr:
      for (uint32_t c : n.children)
        if (Eval(c)) return true;
      return false;
    case CompiledRuleSet::NodeKind::kField:
      return EvalField(n, index);
  }
  return false;
}

namespace {
inline bool HasValue(const FieldValue& v) {
  return v.kind != ValueKind::kMissing && v.kind != ValueKind::kNull;
}
// Whether `v` takes part in a value match: under Sigma's semantics
// (node.strict) missing and null values never do.
template <typename Node>
inline bool Usable(const Node& n, const FieldValue& v) {
  return !n.strict || HasValue(v);
}
}  // namespace

bool RuleEvaluator::EvalField(const CompiledRuleSet::Node& n, uint32_t index) {
  // A missing or null field and "" share a memo entry (the memo is keyed by
  // text): Sigma's semantics answer before it.
  if (n.strict && event_->count(n.field) <= 1 && !HasValue(event_->first(n.field)) &&
      n.op != CompiledRuleSet::OpKind::kExists && n.op != CompiledRuleSet::OpKind::kIsNull &&
      n.op != CompiledRuleSet::OpKind::kKeyword)
    return false;
  if (n.memo_slot != kNone && event_->count(n.field) <= 1) {
    uint32_t vid = ValueId(n.field);
    if (vid != kNoValue) {
      std::vector<uint8_t>& memo = memo_[n.memo_slot];
      if (vid >= memo.size()) memo.resize(std::max<size_t>(vid + 1, memo.size() * 2), 0);
      switch (memo[vid]) {
        case 1:
          return true;
        case 2:
          return false;
        case 3:
          NoteLimit(index);
          return false;
        default:
          break;
      }
      uint64_t before = limit_total_;
      bool result = EvalUncached(n, index);
      memo[vid] = result ? 1 : (limit_total_ != before ? 3 : 2);
      return result;
    }
  }
  return EvalUncached(n, index);
}

void RuleEvaluator::NoteLimit(uint32_t node) {
  ++limit_total_;
  // Counted once per event even when the gate and the rule both evaluate it.
  if (limit_stamp_[node] == stamp_) return;
  limit_stamp_[node] = stamp_;
  ++limit_hits_[node];
}

bool RuleEvaluator::MatchOne(const CompiledRuleSet::Node& n, uint32_t index, size_t i,
                             const FieldValue& v) {
  switch (n.op) {
    case CompiledRuleSet::OpKind::kGlob:
      return n.globs[i].Matches(v.text);
    case CompiledRuleSet::OpKind::kRegex:
      switch (n.regexes[i].Search(v.text, scratch_)) {
        case RegexOutcome::kMatch:
          return true;
        case RegexOutcome::kNoMatch:
          return false;
        case RegexOutcome::kLimitExceeded:
          NoteLimit(index);
          return false;
      }
      return false;
    case CompiledRuleSet::OpKind::kCidr:
      return n.cidrs[i].Contains(v.text);
    default:
      return false;
  }
}

bool RuleEvaluator::MatchAnyPattern(const CompiledRuleSet::Node& n, uint32_t index,
                                    const FieldValue& v) {
  size_t count = n.op == CompiledRuleSet::OpKind::kGlob    ? n.globs.size()
                 : n.op == CompiledRuleSet::OpKind::kRegex ? n.regexes.size()
                                                           : n.cidrs.size();
  for (size_t i = 0; i < count; ++i)
    if (MatchOne(n, index, i, v)) return true;
  return false;
}

bool RuleEvaluator::EvalUncached(const CompiledRuleSet::Node& n, uint32_t index) {
  using Op = CompiledRuleSet::OpKind;
  const EventFields& ev = *event_;
  switch (n.op) {
    case Op::kGlob:
    case Op::kRegex:
    case Op::kCidr: {
      if (!n.all_values)
        return ev.AnyValue(n.field, [&](const FieldValue& v) {
          return Usable(n, v) && MatchAnyPattern(n, index, v);
        });
      size_t count = n.op == Op::kGlob    ? n.globs.size()
                     : n.op == Op::kRegex ? n.regexes.size()
                                          : n.cidrs.size();
      for (size_t i = 0; i < count; ++i)
        if (!ev.AnyValue(n.field, [&](const FieldValue& v) {
              return Usable(n, v) && MatchOne(n, index, i, v);
            }))
          return false;
      return true;
    }
    case Op::kSet:
      return ev.AnyValue(n.field, [&](const FieldValue& v) {
        if (!Usable(n, v)) return false;
        if (!n.ignore_case) return n.set.find(v.text) != n.set.end();
        lower_.assign(v.text);
        for (char& c : lower_)
          if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
        return n.set.find(std::string_view(lower_)) != n.set.end();
      });
    case Op::kExists:
    case Op::kIsNull: {
      bool present = ev.AnyValue(n.field, [](const FieldValue& v) {
        return v.kind != ValueKind::kMissing && v.kind != ValueKind::kNull;
      });
      return n.op == Op::kExists ? present == n.exists_value : !present;
    }
    case Op::kNumber:
      return ev.AnyValue(n.field, [&](const FieldValue& v) {
        double d = 0;
        if (v.kind != ValueKind::kNumber && v.kind != ValueKind::kString) return false;
        if (!ParseDouble(v.text, &d)) return false;
        switch (n.source_op) {
          case MatchOp::kLess:
            return d < n.number;
          case MatchOp::kLessEqual:
            return d <= n.number;
          case MatchOp::kGreater:
            return d > n.number;
          case MatchOp::kGreaterEqual:
            return d >= n.number;
          default:
            return false;
        }
      });
    case Op::kFieldRef:
      return ev.AnyValue(n.field, [&](const FieldValue& v) {
        return Usable(n, v) && ev.AnyValue(n.other_field, [&](const FieldValue& w) {
          if (!Usable(n, w)) return false;
          return n.ignore_case ? EqualsIgnoreCase(v.text, w.text) : v.text == w.text;
        });
      });
    case Op::kKeyword: {
      std::string_view raw = ev.raw_event();
      for (const GlobPattern& g : n.globs)
        if (g.Matches(raw)) return true;
      return false;
    }
  }
  return false;
}

std::vector<RegexLimitReport> RuleEvaluator::RegexLimitReports() const {
  std::vector<RegexLimitReport> out;
  for (size_t i = 0; i < limit_hits_.size(); ++i) {
    if (limit_hits_[i] == 0) continue;
    const auto& n = set_->nodes_[i];
    RegexLimitReport r;
    r.rule_id = set_->rules_[n.rule].id;
    for (const Regex& re : n.regexes) r.pattern += (r.pattern.empty() ? "" : " | ") + re.pattern();
    r.count = limit_hits_[i];
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace warden

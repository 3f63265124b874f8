#include "rules/sigma_loader.h"

#include <cctype>
#include <map>
#include <set>

#include "core/strings.h"
#include "rules/regex_matcher.h"
#include "rules/string_match.h"

namespace warden {

bool IsSigmaDocument(const YAML::Node& doc) {
  if (!doc.IsMap()) return false;
  for (auto it = doc.begin(); it != doc.end(); ++it)
    if (it->first.IsScalar() && it->first.Scalar() == "detection") return true;
  return false;
}

namespace {

// A rule's conditions may hold at most this many conditions and values after
// its searches are copied into them (a YAML file is bounded by YamlLimits;
// this bounds what the condition text makes of it).
constexpr size_t kMaxSigmaConditionSize = 50000;

// Conditions and values in a tree. Recursive: trees come from YAML nested at
// most YamlLimits::max_depth and conditions nested at most 64 levels.
size_t ConditionSize(const Condition& c) {
  size_t n = 1 + c.values.size();
  for (const Condition& child : c.children) n += ConditionSize(child);
  return n;
}

class SigmaParser {
 public:
  SigmaParser(std::string file, std::vector<RuleDiagnostic>* diagnostics)
      : file_(std::move(file)), diagnostics_(diagnostics) {}

  std::optional<Rule> Parse(const YAML::Node& doc);

 private:
  bool Fail(const SourceLocation& loc, const std::string& message,
            RuleDiagnostic::Severity severity = RuleDiagnostic::Severity::kError) {
    RuleDiagnostic d;
    d.severity = severity;
    d.location = loc;
    d.rule_id = rule_id_;
    d.message = message;
    diagnostics_->push_back(std::move(d));
    return false;
  }
  bool Fail(const YAML::Node& node, const std::string& message) {
    return Fail(LocationOf(file_, node), message);
  }

  std::optional<Condition> ParseSearch(const std::string& name, const YAML::Node& node);
  std::optional<Condition> ParseFieldEntry(const std::string& key, const YAML::Node& value,
                                           const YAML::Node& key_node);
  std::optional<Condition> ParseConditionText(const std::string& text, const YAML::Node& node);

  std::string file_;
  std::vector<RuleDiagnostic>* diagnostics_;
  std::string rule_id_;
  std::map<std::string, Condition> searches_;  // by identifier
  std::vector<std::string> search_order_;
  size_t condition_budget_ = kMaxSigmaConditionSize;  // shared by the rule's conditions
};

std::optional<Rule> SigmaParser::Parse(const YAML::Node& doc) {
  Rule rule;
  rule.format = RuleFormat::kSigma;
  rule.location = LocationOf(file_, doc);
  YAML::Node detection, logsource;
  std::string level, status;
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    const std::string key = it->first.Scalar();
    const YAML::Node v = it->second;  // a copy: the iterator's proxy dies here
    auto text = [&]() { return v.IsScalar() ? v.Scalar() : std::string(); };
    if (key == "id")
      rule.id = std::string(TrimWhitespace(text()));
    else if (key == "title")
      rule.title = text();
    else if (key == "description")
      rule.description = text();
    else if (key == "level")
      level = AsciiLower(text());
    else if (key == "status")
      status = AsciiLower(text());
    else if (key == "detection")
      detection = v;
    else if (key == "logsource")
      logsource = v;
    else if (key == "references" || key == "tags") {
      auto list = ReadStringList(v, key);
      if (list.ok()) (key == "tags" ? rule.tags : rule.links) = *list;
    } else if (key == "falsepositives") {
      auto list = ReadStringList(v, key);
      if (list.ok() && !list->empty()) {
        std::string fp;
        for (const auto& f : *list) fp += (fp.empty() ? "" : "; ") + f;
        rule.remediation = "Known false positives: " + fp;
      }
    }
  }
  if (rule.id.empty()) rule.id = rule.title;
  rule_id_ = rule.id;
  if (rule.id.empty()) {
    Fail(doc, "Sigma rule has neither id nor title");
    return std::nullopt;
  }
  if (rule.title.empty()) rule.title = rule.id;

  std::string product, service;
  if (logsource.IsMap()) {
    for (auto it = logsource.begin(); it != logsource.end(); ++it) {
      std::string key = it->first.Scalar();
      std::string value = it->second.IsScalar() ? AsciiLower(it->second.Scalar()) : "";
      if (key == "product") product = value;
      if (key == "service") service = value;
    }
  }
  if (product == "oci" && (service.empty() || service == "audit")) {
    rule.provider = EventProvider::kOci;
  } else if (product != "aws" || service != "cloudtrail") {
    Fail(logsource.IsMap() ? LocationOf(file_, logsource) : rule.location,
         "skipped: logsource product '" + product + "' service '" + service +
             "' is not supported (Warden loads product: aws, service: cloudtrail and product: "
             "oci, service: audit)",
         RuleDiagnostic::Severity::kWarning);
    return std::nullopt;
  }

  if (level.empty() || level == "informational" || level == "low")
    rule.risk_level = RiskLevel::kLow;
  else if (level == "medium")
    rule.risk_level = RiskLevel::kMedium;
  else if (level == "high")
    rule.risk_level = RiskLevel::kHigh;
  else if (level == "critical")
    rule.risk_level = RiskLevel::kVeryHigh;
  else {
    Fail(doc, "unknown Sigma level '" + level + "' (informational, low, medium, high, critical)");
    return std::nullopt;
  }
  rule.enabled = status != "deprecated" && status != "unsupported";

  if (!detection.IsMap()) {
    Fail(detection.IsNull() ? doc : detection, "detection: expected a mapping");
    return std::nullopt;
  }
  YAML::Node condition_node;
  for (auto it = detection.begin(); it != detection.end(); ++it) {
    const std::string name = it->first.Scalar();
    if (name == "condition") {
      condition_node = it->second;
      continue;
    }
    if (name == "timeframe") {
      Fail(LocationOf(file_, it->first),
           "skipped: timeframe (aggregation window) is not supported; use a Warden `threshold` "
           "rule",
           RuleDiagnostic::Severity::kWarning);
      return std::nullopt;
    }
    auto search = ParseSearch(name, it->second);
    if (!search) return std::nullopt;
    searches_[name] = std::move(*search);
    search_order_.push_back(name);
  }
  if (condition_node.IsNull()) {
    Fail(detection, "detection: missing 'condition'");
    return std::nullopt;
  }
  std::vector<Condition> any;
  if (condition_node.IsSequence()) {
    for (const YAML::Node& c : condition_node) {
      if (!c.IsScalar()) {
        Fail(c, "condition: expected text");
        return std::nullopt;
      }
      auto parsed = ParseConditionText(c.Scalar(), c);
      if (!parsed) return std::nullopt;
      any.push_back(std::move(*parsed));
    }
  } else if (condition_node.IsScalar()) {
    auto parsed = ParseConditionText(condition_node.Scalar(), condition_node);
    if (!parsed) return std::nullopt;
    any.push_back(std::move(*parsed));
  } else {
    Fail(condition_node, "condition: expected text or a list of texts");
    return std::nullopt;
  }
  rule.match = any.size() == 1 ? std::move(any[0]) : Condition::Or(std::move(any));
  return rule;
}

std::optional<Condition> SigmaParser::ParseSearch(const std::string& name, const YAML::Node& node) {
  if (node.IsMap()) {
    std::vector<Condition> all;
    for (auto it = node.begin(); it != node.end(); ++it) {
      auto c = ParseFieldEntry(it->first.Scalar(), it->second, it->first);
      if (!c) return std::nullopt;
      all.push_back(std::move(*c));
    }
    return Condition::And(std::move(all));
  }
  if (node.IsSequence()) {
    std::vector<Condition> any;
    std::vector<std::string> keywords;
    bool maps = false, scalars = false;
    for (const YAML::Node& item : node) {
      if (item.IsMap()) {
        maps = true;
        auto c = ParseSearch(name, item);
        if (!c) return std::nullopt;
        any.push_back(std::move(*c));
      } else if (item.IsScalar()) {
        scalars = true;
        keywords.push_back(item.Scalar());
      } else {
        Fail(item, name + ": list items must be mappings or keywords");
        return std::nullopt;
      }
    }
    if (maps && scalars) {
      Fail(node, name + ": mixes field mappings and keywords");
      return std::nullopt;
    }
    if (scalars) {
      Condition k = Condition::Field("", MatchOp::kKeyword, keywords);
      k.glob = true;
      k.ignore_case = true;
      k.location = LocationOf(file_, node);
      return k;
    }
    return Condition::Or(std::move(any));
  }
  if (node.IsScalar()) {
    Condition k = Condition::Field("", MatchOp::kKeyword, {node.Scalar()});
    k.glob = true;
    k.ignore_case = true;
    return k;
  }
  Fail(node, name + ": expected a mapping, a list or keywords");
  return std::nullopt;
}

std::optional<Condition> SigmaParser::ParseFieldEntry(const std::string& key,
                                                      const YAML::Node& value,
                                                      const YAML::Node& key_node) {
  std::vector<std::string_view> parts = SplitString(key, '|');
  std::string field(TrimWhitespace(parts[0]));
  if (field.empty()) {
    Fail(key_node, "'" + key + "': a field name is required before modifiers");
    return std::nullopt;
  }
  MatchOp op = MatchOp::kEquals;
  bool all = false, cased = false, re = false, re_i = false, re_m = false, re_s = false;
  bool exists = false, fieldref = false, cidr = false, numeric = false;
  MatchOp numeric_op = MatchOp::kLess;
  for (size_t i = 1; i < parts.size(); ++i) {
    std::string m = AsciiLower(TrimWhitespace(parts[i]));
    if (m == "contains")
      op = MatchOp::kContains;
    else if (m == "startswith")
      op = MatchOp::kStartsWith;
    else if (m == "endswith")
      op = MatchOp::kEndsWith;
    else if (m == "all")
      all = true;
    else if (m == "cased")
      cased = true;
    else if (m == "re")
      re = true;
    else if (m == "i" && re)
      re_i = true;
    else if (m == "m" && re)
      re_m = true;
    else if (m == "s" && re)
      re_s = true;
    else if (m == "exists")
      exists = true;
    else if (m == "fieldref")
      fieldref = true;
    else if (m == "cidr")
      cidr = true;
    else if (m == "gt" || m == "gte" || m == "lt" || m == "lte") {
      numeric = true;
      numeric_op = m == "gt"    ? MatchOp::kGreater
                   : m == "gte" ? MatchOp::kGreaterEqual
                   : m == "lt"  ? MatchOp::kLess
                                : MatchOp::kLessEqual;
    } else {
      Fail(key_node, "'" + key + "': unsupported modifier '" + m +
                         "' (supported: contains, startswith, endswith, all, re, i, m, s, cidr, "
                         "exists, cased, fieldref, gt, gte, lt, lte)");
      return std::nullopt;
    }
  }
  const SourceLocation loc = LocationOf(file_, value);

  if (exists) {
    auto b = ReadBool(value, key);
    if (!b.ok()) {
      Fail(value, b.status().message());
      return std::nullopt;
    }
    Condition c = Condition::Field(field, MatchOp::kExists, {});
    c.exists_value = *b;
    c.location = loc;
    return c;
  }

  // Values: a scalar, null, or a list (null items mean "missing or null").
  std::vector<std::string> values;
  std::vector<YAML::Node> value_nodes;
  bool null_alternative = false;
  if (value.IsNull()) {
    null_alternative = true;
  } else if (value.IsScalar()) {
    values.push_back(value.Scalar());
    value_nodes.push_back(value);
  } else if (value.IsSequence()) {
    for (const YAML::Node& item : value) {
      if (item.IsNull()) {
        null_alternative = true;
      } else if (item.IsScalar()) {
        values.push_back(item.Scalar());
        value_nodes.push_back(item);
      } else {
        Fail(item, "'" + key + "': list items must be single values");
        return std::nullopt;
      }
    }
  } else {
    Fail(value, "'" + key + "': expected a value or a list of values");
    return std::nullopt;
  }

  Condition c;
  if (re) {
    for (size_t i = 0; i < values.size(); ++i) {
      size_t offset = 0;
      RegexOptions options;
      options.ignore_case = re_i;
      options.multiline = re_m;
      options.dot_all = re_s;
      auto compiled = Regex::Compile(values[i], options, &offset);
      if (!compiled.ok()) {
        Fail(LocationInScalar(file_, value_nodes[i], offset),
             "'" + key + "': " + compiled.status().message());
        return std::nullopt;
      }
    }
    c = Condition::Field(field, MatchOp::kRegex, values);
    c.ignore_case = re_i;
    c.regex_multiline = re_m;
    c.regex_dot_all = re_s;
  } else if (cidr) {
    for (size_t i = 0; i < values.size(); ++i) {
      auto r = CidrRange::Parse(values[i]);
      if (!r.ok()) {
        Fail(value_nodes[i], "'" + key + "': " + r.status().message());
        return std::nullopt;
      }
    }
    c = Condition::Field(field, MatchOp::kCidr, values);
  } else if (numeric) {
    if (values.size() != 1) {
      Fail(value, "'" + key + "': expected one number");
      return std::nullopt;
    }
    double d = 0;
    if (!ParseDouble(values[0], &d)) {
      Fail(value, "'" + key + "': expected a number");
      return std::nullopt;
    }
    c = Condition::Field(field, numeric_op, {});
    c.number = d;
  } else if (fieldref) {
    std::vector<Condition> refs;
    for (const std::string& other : values) {
      Condition r = Condition::Field(field, MatchOp::kFieldRef, {other});
      r.ignore_case = !cased;
      r.missing_never_matches = true;
      r.location = loc;
      refs.push_back(std::move(r));
    }
    c = all ? Condition::And(std::move(refs)) : Condition::Or(std::move(refs));
    c.location = loc;
    return c;
  } else {
    c = Condition::Field(field, op, values);
    c.glob = true;
    c.ignore_case = !cased;
  }
  c.all_values = all;
  c.location = loc;
  // Sigma's semantics: a value (wildcards and modifiers included) never
  // matches a missing or null field; only `null` and `|exists: false` do.
  c.missing_never_matches = true;
  if (null_alternative) {
    Condition is_null = Condition::Field(field, MatchOp::kIsNull, {});
    is_null.location = loc;
    if (values.empty()) return is_null;
    return Condition::Or({std::move(is_null), std::move(c)});
  }
  if (values.empty()) {
    Fail(value, "'" + key + "': empty list of values");
    return std::nullopt;
  }
  return c;
}

// Condition grammar (Sigma):
//   expr   := term ('or' term)*
//   term   := factor ('and' factor)*
//   factor := 'not' factor | '(' expr ')' | quant | IDENT
//   quant  := ('1' | 'any' | 'all') 'of' (PATTERN | 'them')
class ConditionParser {
 public:
  // `budget`: how many more conditions and values the rule may grow by;
  // every reference to a search copies it, so `sel or sel or ...` over a
  // large search would otherwise multiply it without bound.
  ConditionParser(const std::string& text, const std::map<std::string, Condition>& searches,
                  const std::vector<std::string>& order, size_t* budget)
      : searches_(searches), order_(order), budget_(budget) {
    for (size_t i = 0; i < text.size();) {
      char c = text[i];
      if (std::isspace(static_cast<unsigned char>(c))) {
        ++i;
      } else if (c == '(' || c == ')' || c == '|') {
        tokens_.emplace_back(1, c);
        ++i;
      } else {
        size_t j = i;
        while (j < text.size() && !std::isspace(static_cast<unsigned char>(text[j])) &&
               text[j] != '(' && text[j] != ')' && text[j] != '|')
          ++j;
        tokens_.push_back(text.substr(i, j - i));
        i = j;
      }
    }
  }

  Result<Condition> Parse() {
    if (tokens_.empty()) return InvalidArgument("condition is empty");
    ASSIGN_OR_RETURN(Condition c, Expr(0));
    if (pos_ < tokens_.size()) {
      if (tokens_[pos_] == "|")
        return Status(StatusCode::kUnavailable,
                      "aggregation conditions ('| count() ...') are not supported; use a Warden "
                      "`threshold` rule");
      return InvalidArgument("unexpected '" + tokens_[pos_] + "' in condition");
    }
    return c;
  }

 private:
  static constexpr int kMaxNesting = 64;

  bool Is(const char* word) const {
    return pos_ < tokens_.size() && AsciiLower(tokens_[pos_]) == word;
  }
  Result<Condition> Expr(int depth) {
    if (depth > kMaxNesting) return InvalidArgument("condition is nested too deeply");
    std::vector<Condition> any;
    ASSIGN_OR_RETURN(Condition first, Term(depth));
    any.push_back(std::move(first));
    while (Is("or")) {
      ++pos_;
      ASSIGN_OR_RETURN(Condition next, Term(depth));
      any.push_back(std::move(next));
    }
    return any.size() == 1 ? std::move(any[0]) : Condition::Or(std::move(any));
  }
  Result<Condition> Term(int depth) {
    std::vector<Condition> all;
    ASSIGN_OR_RETURN(Condition first, Factor(depth));
    all.push_back(std::move(first));
    while (Is("and")) {
      ++pos_;
      ASSIGN_OR_RETURN(Condition next, Factor(depth));
      all.push_back(std::move(next));
    }
    return all.size() == 1 ? std::move(all[0]) : Condition::And(std::move(all));
  }
  Result<Condition> Factor(int depth) {
    if (depth > kMaxNesting) return InvalidArgument("condition is nested too deeply");
    if (pos_ >= tokens_.size()) return InvalidArgument("condition ends unexpectedly");
    if (Is("not")) {
      ++pos_;
      ASSIGN_OR_RETURN(Condition inner, Factor(depth + 1));
      return Condition::Not(std::move(inner));
    }
    if (tokens_[pos_] == "(") {
      ++pos_;
      ASSIGN_OR_RETURN(Condition inner, Expr(depth + 1));
      if (pos_ >= tokens_.size() || tokens_[pos_] != ")")
        return InvalidArgument("missing ')' in condition");
      ++pos_;
      return inner;
    }
    if ((Is("1") || Is("any") || Is("all")) && pos_ + 1 < tokens_.size() &&
        AsciiLower(tokens_[pos_ + 1]) == "of") {
      bool all = Is("all");
      pos_ += 2;
      if (pos_ >= tokens_.size()) return InvalidArgument("'of' needs a pattern or 'them'");
      std::string pattern = tokens_[pos_++];
      std::vector<Condition> picked;
      if (AsciiLower(pattern) == "them") {
        for (const std::string& name : order_)
          if (name.empty() || name[0] != '_') {
            RETURN_IF_ERROR(Spend(searches_.at(name)));
            picked.push_back(searches_.at(name));
          }
      } else {
        GlobPattern glob = GlobPattern::Parse(pattern, false);
        for (const std::string& name : order_)
          if (glob.Matches(name)) {
            RETURN_IF_ERROR(Spend(searches_.at(name)));
            picked.push_back(searches_.at(name));
          }
        if (picked.empty())
          return InvalidArgument("'" + pattern + "' matches no search identifier");
      }
      return all ? Condition::And(std::move(picked)) : Condition::Or(std::move(picked));
    }
    const std::string& name = tokens_[pos_];
    if (name == ")" || name == "|" || Is("and") || Is("or"))
      return InvalidArgument("unexpected '" + name + "' in condition");
    auto it = searches_.find(name);
    if (it == searches_.end())
      return InvalidArgument("condition references unknown search identifier '" + name + "'");
    RETURN_IF_ERROR(Spend(it->second));
    ++pos_;
    return it->second;
  }

  Status Spend(const Condition& search) {
    size_t size = ConditionSize(search);
    if (size > *budget_)
      return InvalidArgument("the condition expands to more than " +
                             std::to_string(kMaxSigmaConditionSize) +
                             " conditions and values (every use of a search copies it)");
    *budget_ -= size;
    return Status::Ok();
  }

  std::vector<std::string> tokens_;
  size_t pos_ = 0;
  const std::map<std::string, Condition>& searches_;
  const std::vector<std::string>& order_;
  size_t* budget_;
};

std::optional<Condition> SigmaParser::ParseConditionText(const std::string& text,
                                                         const YAML::Node& node) {
  ConditionParser parser(text, searches_, search_order_, &condition_budget_);
  auto c = parser.Parse();
  if (c.status().code() == StatusCode::kUnavailable) {
    // A rule Warden cannot express is skipped, the rest of its directory loads.
    Fail(LocationOf(file_, node), "skipped: condition: " + c.status().message(),
         RuleDiagnostic::Severity::kWarning);
    return std::nullopt;
  }
  if (!c.ok()) {
    Fail(node, "condition: " + c.status().message());
    return std::nullopt;
  }
  return std::move(c).value();
}

}  // namespace

std::optional<Rule> ParseSigmaRule(const YAML::Node& doc, const std::string& file,
                                   std::vector<RuleDiagnostic>* diagnostics) {
  SigmaParser parser(file, diagnostics);
  return parser.Parse(doc);
}

}  // namespace warden

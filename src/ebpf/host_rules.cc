#include "ebpf/host_rules.h"

#include <algorithm>
#include <map>
#include <set>

#include "core/time_format.h"
#include "core/yaml_reader.h"
#include "rules/rule_yaml_loader.h"

namespace warden {

namespace {

constexpr const char* kBuiltinSource = "builtin:host_rules.yaml";

// The event kinds a condition requires (`event: exec` or `event: [a, b]`,
// possibly inside a top-level AND); all kinds when it does not say.
Result<std::set<HostEventKind>> RequiredKinds(const Rule& rule) {
  std::set<HostEventKind> all;
  for (size_t i = 0; i < kHostEventKindCount; ++i) all.insert(static_cast<HostEventKind>(i));
  if (!rule.match) return all;
  std::vector<const Condition*> conjuncts;
  if (rule.match->kind == Condition::Kind::kAnd) {
    for (const Condition& c : rule.match->children) conjuncts.push_back(&c);
  } else {
    conjuncts.push_back(&*rule.match);
  }
  std::set<HostEventKind> kinds = all;
  for (const Condition* c : conjuncts) {
    if (c->kind != Condition::Kind::kField || c->field != "event" || c->op != MatchOp::kEquals ||
        c->glob)
      continue;
    std::set<HostEventKind> these;
    for (const std::string& v : c->values) {
      auto k = ParseHostEventKind(v);
      if (!k) {
        std::string known;
        for (size_t i = 0; i < kHostEventKindCount; ++i)
          known += (i ? ", " : "") + std::string(HostEventKindName(static_cast<HostEventKind>(i)));
        return InvalidArgument(c->location.ToString() + ": rule " + rule.id + ": unknown event '" +
                               v + "' (host events are: " + known + ")");
      }
      these.insert(*k);
    }
    std::set<HostEventKind> both;
    std::set_intersection(kinds.begin(), kinds.end(), these.begin(), these.end(),
                          std::inserter(both, both.begin()));
    kinds.swap(both);
  }
  return kinds;
}

// Every field path a condition reads.
void CollectFields(const Condition& c, std::vector<const Condition*>* out) {
  if (c.kind == Condition::Kind::kField && !c.field.empty()) out->push_back(&c);
  for (const Condition& child : c.children) CollectFields(child, out);
}

Status CheckRuleFitsHostEvents(const Rule& rule) {
  std::string where = rule.location.ToString() + ": rule " + rule.id + ": ";
  if (rule.threshold) return InvalidArgument(where + "`threshold` is not supported on host events");
  if (rule.has_patterns) return InvalidArgument(where + "`patterns` rows are CloudTrail-only");
  if (rule.canary) return InvalidArgument(where + "`canary` is CloudTrail-only");
  std::vector<const Condition*> fields;
  if (rule.match) CollectFields(*rule.match, &fields);
  for (const Condition& e : rule.exceptions) CollectFields(e, &fields);
  static const std::vector<std::string> known = [] {
    std::vector<std::string> v;
    for (const HostEventField& f : HostEventFieldCatalog()) v.emplace_back(f.path);
    return v;
  }();
  for (const Condition* c : fields) {
    for (const std::string& path :
         {c->field,
          c->op == MatchOp::kFieldRef && !c->values.empty() ? c->values.front() : std::string()}) {
      if (path.empty() || FindHostEventField(path) != nullptr) continue;
      std::string m = c->location.ToString() + ": rule " + rule.id +
                      ": unknown host event field '" + path + "'";
      m += DidYouMean(path, known);
      return InvalidArgument(m + " (see docs/ebpf.md)");
    }
  }
  return Status::Ok();
}

void MergeRules(std::vector<Rule> incoming, std::vector<Rule>* rules) {
  for (Rule& r : incoming) {
    auto same =
        std::find_if(rules->begin(), rules->end(), [&](const Rule& x) { return x.id == r.id; });
    if (same != rules->end())
      *same = std::move(r);
    else
      rules->push_back(std::move(r));
  }
}

std::string EventSummary(const EventView& v) {
  const HostEvent& e = *v.event;
  std::string exe = e.exe;
  if (exe.empty() && v.process != nullptr) exe = v.process->exe;
  std::string who = (exe.empty() ? e.comm : exe) + " (pid " + std::to_string(e.pid);
  if (const ProcessRecord* p = v.parent())
    who += ", parent " + std::to_string(p->pid) + " " + p->name;
  who += ", uid " + std::to_string(e.uid) + ")";
  switch (e.kind) {
    case HostEventKind::kExec: {
      std::string cmd = e.CommandLine();
      if (cmd.size() > 200) cmd = cmd.substr(0, 200) + "...";
      return "exec of " + (e.exec_path.empty() ? e.exe : e.exec_path) + " by " + who + ": " + cmd;
    }
    case HostEventKind::kConnect:
      return who + " connected to " + e.remote.address + ":" + std::to_string(e.remote.port);
    case HostEventKind::kAccept:
      return who + " accepted a connection from " + e.remote.address + ":" +
             std::to_string(e.remote.port);
    case HostEventKind::kBind:
      return who + " bound " + e.local.address + ":" + std::to_string(e.local.port);
    case HostEventKind::kListen:
      return who + " listens on " + e.local.address + ":" + std::to_string(e.local.port);
    case HostEventKind::kSetId:
      return who + " called " + e.syscall + " (result " + std::to_string(e.result) + ", now uid " +
             std::to_string(e.uid) + " euid " + std::to_string(e.euid) + ")";
    case HostEventKind::kOpen:
      return who + " opened " + e.path + " for " + std::string(OpenAccessName(e.open_flags)) +
             " (result " + std::to_string(e.result) + ")";
    case HostEventKind::kModuleLoad:
      return who + " loaded a kernel module" + (e.path.empty() ? std::string() : " from " + e.path);
    default:
      return std::string(HostEventKindName(e.kind)) + " of " + who;
  }
}

// The program an event is about: for an exec, what was executed (for a
// script, the script); otherwise the process's executable.
std::string Program(const HostEvent& e) {
  if (e.kind == HostEventKind::kExec && !e.exec_path.empty()) return e.exec_path;
  return e.exe.empty() ? e.comm : e.exe;
}

// What the problem is about, shown as its subject: the program, port,
// peer, file or module, never just the host.
std::string Subject(const HostEvent& e) {
  std::string program = Program(e);
  switch (e.kind) {
    case HostEventKind::kListen:
    case HostEventKind::kBind:
      return "port " + std::to_string(e.local.port) + " (" + program + ")";
    case HostEventKind::kConnect:
    case HostEventKind::kAccept:
      return e.remote.address + ":" + std::to_string(e.remote.port) + " (" + program + ")";
    case HostEventKind::kOpen:
      return e.path + " (" + program + ")";
    case HostEventKind::kModuleLoad:
      return e.path.empty() ? program : e.path;
    default:
      return program;
  }
}

// What makes two firings "the same condition" for the finding id: one
// problem per program (and port, peer, file); command lines are
// occurrences of it, each in the finding's evidence.
std::string FindingKey(const HostEvent& e) {
  std::string program = Program(e);
  switch (e.kind) {
    case HostEventKind::kListen:
    case HostEventKind::kBind:
      return program + "|" + std::to_string(e.local.port);
    case HostEventKind::kConnect:
    case HostEventKind::kAccept:
      return program + "|" + e.remote.address + ":" + std::to_string(e.remote.port);
    case HostEventKind::kOpen:
      return program + "|" + e.path;
    case HostEventKind::kModuleLoad:
      return e.path;
    case HostEventKind::kExec:
      return program;
    default:
      return program + "|" + std::string(HostEventKindName(e.kind)) + "|" + e.syscall;
  }
}

}  // namespace

std::string MitreTechniqueFromTag(std::string_view tag) {
  if (tag.size() < 9 || tag.substr(0, 8) != "attack.t") return "";
  std::string id = "T";
  for (char c : tag.substr(8)) {
    if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '.')) return "";
    id += c;
  }
  return id;
}

Finding MakeHostFinding(const Rule& rule, const EventView& view, std::string_view event_json) {
  const HostEvent& e = *view.event;
  Finding f;
  std::string host(view.hostname);
  f.rule_id = rule.id;
  f.id = MakeFindingId({"host.ebpf", rule.id, host, FindingKey(e)});
  f.title = rule.title;
  f.description =
      rule.description.empty() ? EventSummary(view) : rule.description + " " + EventSummary(view);
  f.risk_level = rule.risk_level;
  f.source = "host.ebpf";
  f.resource = Subject(e);
  f.first_seen = f.last_seen = e.time_ns / 1000000000;
  f.remediation = rule.remediation;
  f.links = rule.links;
  Json techniques = Json::array();
  Json tactics = Json::array();
  for (const std::string& tag : rule.tags) {
    std::string t = MitreTechniqueFromTag(tag);
    if (!t.empty()) {
      techniques.push_back(t);
      std::string url = "https://attack.mitre.org/techniques/" + t + "/";
      std::replace(url.begin() + 36, url.end(), '.', '/');
      if (std::find(f.links.begin(), f.links.end(), url) == f.links.end()) f.links.push_back(url);
    } else if (tag.rfind("attack.", 0) == 0) {
      tactics.push_back(tag.substr(7));
    }
  }
  f.attributes["event"] = std::string(HostEventKindName(e.kind));
  f.attributes["mitre_techniques"] = techniques;
  f.attributes["mitre_tactics"] = tactics;
  f.attributes["pid"] = e.pid;
  if (!view.user.empty()) f.attributes["user"] = std::string(view.user);
  if (!view.container_id.empty()) f.attributes["container_id"] = std::string(view.container_id);
  std::string exe = e.exe.empty() && view.process != nullptr ? view.process->exe : e.exe;
  f.attributes["process"] = exe;
  if (e.kind == HostEventKind::kExec)
    f.attributes["cmdline"] = e.CommandLine();
  else if (view.process != nullptr)
    f.attributes["cmdline"] = view.process->cmdline;
  Json chain = Json::array();
  for (const ProcessRecord* a : view.ancestors)
    chain.push_back(Json{{"pid", a->pid}, {"name", a->name}, {"exe", a->exe}});
  f.attributes["parent_chain"] = chain;
  try {
    f.evidence = Json::parse(event_json.begin(), event_json.end());
  } catch (const std::exception&) {
    f.evidence = Json{{"event_text", std::string(event_json)}};
  }
  Json attacks = Json::array();
  for (const auto& t : techniques) attacks.push_back(Json{{"technique", Json{{"uid", t}}}});
  if (!attacks.empty()) f.ocsf_extra["attacks"] = attacks;
  return f;
}

Result<std::unique_ptr<HostRuleEngine>> HostRuleEngine::Create(
    const std::vector<std::string>& rule_paths, bool include_builtin, std::string_view site_rules) {
  std::vector<Rule> rules;
  if (include_builtin) {
    RuleLoadResult builtin = LoadRulesFromText(kDefaultHostRulesYaml, kBuiltinSource);
    RETURN_IF_ERROR(builtin.FirstError());
    for (Rule& r : builtin.rules) r.format = RuleFormat::kBuiltin;
    rules = std::move(builtin.rules);
  }
  if (!site_rules.empty()) {
    RuleLoadResult site = LoadRulesFromText(site_rules, "agent settings");
    RETURN_IF_ERROR(site.FirstError());
    MergeRules(std::move(site.rules), &rules);
  }
  for (const std::string& path : rule_paths) {
    RuleLoadResult loaded = LoadRulesFromPath(path);
    RETURN_IF_ERROR(loaded.FirstError());
    if (loaded.files == 0) return NotFound(path + ": no rule files (*.yml, *.yaml)");
    MergeRules(std::move(loaded.rules), &rules);
  }
  return Build(std::move(rules));
}

Result<std::unique_ptr<HostRuleEngine>> HostRuleEngine::FromText(std::string_view yaml) {
  RuleLoadResult loaded = LoadRulesFromText(yaml, "rules.yaml");
  RETURN_IF_ERROR(loaded.FirstError());
  return Build(std::move(loaded.rules));
}

Result<std::unique_ptr<HostRuleEngine>> HostRuleEngine::Build(std::vector<Rule> rules) {
  std::unique_ptr<HostRuleEngine> engine(new HostRuleEngine());
  std::array<std::vector<size_t>, kHostEventKindCount> by_kind;
  for (size_t i = 0; i < rules.size(); ++i) {
    RETURN_IF_ERROR(CheckRuleFitsHostEvents(rules[i]));
    ASSIGN_OR_RETURN(std::set<HostEventKind> kinds, RequiredKinds(rules[i]));
    if (!rules[i].enabled) continue;
    for (HostEventKind k : kinds) by_kind[static_cast<size_t>(k)].push_back(i);
  }
  for (size_t k = 0; k < kHostEventKindCount; ++k) {
    if (by_kind[k].empty()) continue;
    auto p = std::make_unique<Partition>();
    std::vector<Rule> subset;
    for (size_t i : by_kind[k]) subset.push_back(rules[i]);
    ASSIGN_OR_RETURN(p->set, CompiledRuleSet::Compile(std::move(subset), &p->registry));
    p->evaluator = std::make_unique<RuleEvaluator>(p->set);
    p->extractor = std::make_unique<HostEventFieldExtractor>(p->registry);
    engine->partitions_[k] = std::move(p);
  }
  engine->rules_ = std::move(rules);
  return engine;
}

void HostRuleEngine::Evaluate(const EventView& view, std::string_view event_json,
                              std::vector<Finding>* out) {
  Partition* p = partitions_[static_cast<size_t>(view.event->kind)].get();
  if (p == nullptr) return;
  p->extractor->Extract(view, &p->fields);
  matches_.clear();
  p->evaluator->Evaluate(p->fields, &matches_);
  if (matches_.empty()) return;
  if (event_json.empty()) {
    json_.clear();
    RenderHostEventJson(view, &json_);
    event_json = json_;
  }
  for (const RuleMatch& m : matches_)
    out->push_back(MakeHostFinding(p->set->rule(m.rule), view, event_json));
}

}  // namespace warden

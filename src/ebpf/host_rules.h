// HostRuleEngine runs detection rules over host events: the same rule
// language, loader and compiled evaluator as the CloudTrail rules (src/rules),
// fed by a second event source. "One rules engine, two event sources": a host
// rule is an ordinary Warden rule whose fields are host event paths
// (host_event_fields.h) and whose `match` names the event kind:
//
//   - id: HOST-EXEC-FROM-TMP
//     match:
//       event: exec
//       process.exe: {startswith: [/tmp/, /dev/shm/]}
//
// The built-in catalog (kDefaultHostRulesYaml, printed by `warden events
// rules`) covers reverse shells, network tools, execution from writable
// temporary places and memfd, unexpected listeners, crypto miners, setuid to
// root, reads of /etc/shadow and sudoers, and kernel module loads. MITRE
// ATT&CK techniques are tags (`attack.t1059.004`), as in Sigma. Extra rule
// files add rules; a rule whose id is already loaded replaces it (how a site
// changes the allowed listening ports).
//
// Rules are partitioned by the event kinds their `match` requires, and each
// partition is compiled separately, so an event only visits the rules that
// can fire on it (forks and exits usually visit none). Not thread-safe: one
// engine per thread. Thresholds (`threshold:`) are not supported on host
// events and are refused at load time.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/finding.h"
#include "core/status.h"
#include "ebpf/host_event_fields.h"
#include "rules/compiled_rules.h"
#include "rules/rule.h"

namespace warden {

extern const std::string_view kDefaultHostRulesYaml;

class HostRuleEngine {
 public:
  // The built-in catalog (unless include_builtin is false), then the rules
  // of `site_rules` (YAML text the caller generated, e.g. the agent's allowed
  // ports), then each path (a file or a directory of *.yml / *.yaml) in
  // order; a later rule with an id already loaded replaces it.
  static Result<std::unique_ptr<HostRuleEngine>> Create(const std::vector<std::string>& rule_paths,
                                                        bool include_builtin = true,
                                                        std::string_view site_rules = {});
  // Rules from YAML text only (tests).
  static Result<std::unique_ptr<HostRuleEngine>> FromText(std::string_view yaml);

  // Whether any enabled rule can fire on this kind of event.
  bool Watches(HostEventKind kind) const {
    return partitions_[static_cast<size_t>(kind)] != nullptr;
  }

  // Evaluates the rules for the view's event; appends one Finding per rule
  // that fired. `event_json` is the rendered event (the finding's evidence);
  // when empty it is rendered here if a rule fires.
  void Evaluate(const EventView& view, std::string_view event_json, std::vector<Finding>* out);

  const std::vector<Rule>& rules() const { return rules_; }
  size_t rule_count() const { return rules_.size(); }

 private:
  struct Partition {
    FieldRegistry registry;
    std::shared_ptr<const CompiledRuleSet> set;
    std::unique_ptr<RuleEvaluator> evaluator;
    std::unique_ptr<HostEventFieldExtractor> extractor;
    EventFields fields;
  };
  static Result<std::unique_ptr<HostRuleEngine>> Build(std::vector<Rule> rules);

  std::vector<Rule> rules_;
  std::array<std::unique_ptr<Partition>, kHostEventKindCount> partitions_;
  std::vector<RuleMatch> matches_;
  std::string json_;
};

// The finding for `rule` firing on the view's event (used by the engine;
// public for tests and for the agent's own detectors).
Finding MakeHostFinding(const Rule& rule, const EventView& view, std::string_view event_json);

// "T1059.004" from a tag "attack.t1059.004"; "" for other tags.
std::string MitreTechniqueFromTag(std::string_view tag);

}  // namespace warden

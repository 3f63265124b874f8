// The reader of a detector recipe's rules: `recipe.rules` of the agent's
// config, a recipe stored on the server, its attachment and host overrides,
// and the recipe the server hands an agent. One reader for all of them, so a
// recipe the server accepts is one the agent accepts, with the same errors:
//
//   rules:
//     HOST-OPEN-PORTS:          # a registered detector id
//       enabled: true
//       risk_level: high        # scheduled detectors only
//       schedule: 5m            # or {interval, daily, splay_percent, timezone, run_at_start}
//       settings: {...}         # read by the detector (Detector::ParseSettings)
//
// A continuous detector (HOST-RUNTIME) takes only enabled and settings.
// Errors are the YamlReader's "source:line:col: key.path: reason"; for
// documents that came as JSON, RecipeErrorPointer turns the key path into
// the JSON pointer of the member at fault ("/rules/HOST-VULN/settings/min_severity").
// Also here: the JSON <-> YAML conversions these documents go through.
// Not here: where a recipe comes from or how layers are merged (the server's
// recipe resolution, the agent's overlay).
#pragma once

#include <string>
#include <vector>

#include "core/finding.h"  // Json
#include "core/status.h"
#include "core/yaml_reader.h"
#include "detectors/detector.h"

namespace warden {

// A schedule node: "5m", or a mapping of interval, daily, splay_percent,
// timezone and run_at_start (starting from `*schedule`).
Status ReadScheduleSpec(const YamlReader& reader, const YAML::Node& node, const std::string& key,
                        ScheduleSpec* schedule);

// One rule's node under `key` ("recipe.rules.ID"), applied on top of `*config`
// (the detector's defaults, or an earlier layer): enabled, risk_level,
// schedule and the detector's settings. A null node changes nothing.
Status ReadRecipeRule(const YamlReader& reader, const Detector& detector, const YAML::Node& node,
                      const std::string& key, DetectorConfig* config);

// The rules mapping under `key` ("recipe.rules"): every registered detector
// with its defaults, changed by the rules the node names. Unknown ids are
// errors. A null node gives the defaults.
Result<std::vector<DetectorConfig>> ReadRecipeRules(const YamlReader& reader,
                                                    const YAML::Node& node, const std::string& key);

// A recipe's rules given as JSON (an object of rule id -> rule), checked
// with ReadRecipeRules under the key `rules` (so errors name
// "rules.ID.settings.x").
Status CheckRecipeRulesJson(const Json& rules, const std::string& source);

// The JSON pointer of the member an error of this reader names: the key
// path of "source[:line:col]: key.path: reason" with '.' as '/', list
// indexes "[N]" as "/N" ("rules.HOST-VULN.settings.min_severity" ->
// "/rules/HOST-VULN/settings/min_severity"). "" when the message names none.
std::string RecipeErrorPointer(const std::string& message, const std::string& source);
// The reason alone (what follows the key path).
std::string RecipeErrorReason(const std::string& message, const std::string& source);

// A recipe as a YAML document (rules as code): the agent's `recipe:` section
// (name, description, rules), or a document holding it under a top-level
// `recipe:` key (an agent.yaml excerpt). The rules are checked with
// ReadRecipeRules and given back as JSON. Errors name source, line, column
// and key ("recipe.yaml:5:21: rules.HOST-VULN.settings.min_severity: ...").
struct RecipeDocument {
  std::string name;  // 1..128 bytes
  std::string description;
  Json rules = Json::object();
};
Result<RecipeDocument> ParseRecipeDocument(std::string_view text, const std::string& source);

// JSON as a YAML node (numbers and booleans as plain scalars, null as null).
YAML::Node JsonToYaml(const Json& value);
// A YAML node as JSON: plain scalars that read as integers or booleans become
// numbers and booleans, other scalars strings. InvalidArgument ("key.path:
// ...") for keys that are not scalars or are given twice in one mapping.
Result<Json> YamlToJson(const YAML::Node& node, const std::string& key = "");
// JSON as YAML text (block style, keys in the JSON's order).
std::string JsonToYamlText(const Json& value);

}  // namespace warden

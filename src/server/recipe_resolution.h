// Which recipe settings a host gets from the server, and where each comes
// from. A host takes one attachment: the most specific that matches it
// (named hosts, then a label it carries, then all hosts), then the highest
// priority, then the newest (highest id). Each setting then resolves
//   host override -> the attachment's overrides -> its recipe -> default
// per rule and key: `enabled`, `risk_level` and `schedule` whole, and each
// top-level key of `settings` on its own (an attachment's
// settings.allowed_tcp replaces the recipe's, the recipe's loopback stays).
// `default` means the server sets nothing: the agent's own file, then the
// detector's built-in default, decide.
//
// ResolveRecipe is pure (tests feed it rows); LoadRecipeLayers reads what
// it needs from the store. The same resolution builds the agent's config
// (agent_config_builder.h) and the effective-settings view, so they never
// disagree. Not here: checking rules (detectors/recipe_rules.h), HTTP.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/finding.h"  // Json
#include "core/status.h"
#include "store/store.h"

namespace warden::server {

// What resolution reads besides the host: every attachment and the
// recipes they name.
struct RecipeLayers {
  std::vector<store::RecipeAttachment> attachments;
  std::map<int64_t, store::Recipe> recipes;  // by id
};
Result<RecipeLayers> LoadRecipeLayers(store::Store& store);

enum class SettingSourceKind { kDefault, kRecipe, kAttachment, kHostOverride };
std::string_view SettingSourceKindName(SettingSourceKind kind);  // default | recipe | ...

struct ResolvedSetting {
  std::string rule_id;
  std::string setting;  // enabled | risk_level | schedule | settings.KEY
  Json value;
  SettingSourceKind source_kind = SettingSourceKind::kDefault;
  std::string source;  // "recipe:NAME", "attachment:ID (label env=prod)", "host override"
};

struct EffectiveRecipe {
  std::optional<store::Recipe> recipe;
  std::optional<store::RecipeAttachment> attachment;
  // Rule id -> what the server sets, in the agent's recipe.rules shape.
  Json rules = Json::object();
  // One entry per rule and setting the server sets, in rule then setting order.
  std::vector<ResolvedSetting> settings;
};

// "all hosts", "label env=prod", "hosts 3, 7".
std::string DescribeRecipeTarget(const store::RecipeTarget& target);

// Whether `target` names `host` (all hosts; a label it carries; its id).
// Suppressions target hosts the same way (suppression_matching.h).
bool RecipeTargetMatches(const store::Host& host, const store::RecipeTarget& target);

// The attachment `host` takes (see above); null when none matches.
const store::RecipeAttachment* WinningAttachment(
    const store::Host& host, const std::vector<store::RecipeAttachment>& attachments);

// `host_override` is the host's overrides (a JSON object of rules; {} for none).
EffectiveRecipe ResolveRecipe(const store::Host& host, const RecipeLayers& layers,
                              const Json& host_override);

// The host's effective recipe, read from the store.
Result<EffectiveRecipe> ResolveHostRecipe(store::Store& store, const store::Host& host);

}  // namespace warden::server

#include "server/recipe_resolution.h"

#include <algorithm>

namespace warden::server {
namespace {

int Specificity(store::RecipeTarget::Kind kind) {
  switch (kind) {
    case store::RecipeTarget::Kind::kHosts:
      return 3;
    case store::RecipeTarget::Kind::kLabel:
      return 2;
    case store::RecipeTarget::Kind::kAll:
      return 1;
  }
  return 0;
}

}  // namespace

bool RecipeTargetMatches(const store::Host& host, const store::RecipeTarget& target) {
  switch (target.kind) {
    case store::RecipeTarget::Kind::kAll:
      return true;
    case store::RecipeTarget::Kind::kLabel:
      return std::binary_search(host.labels.begin(), host.labels.end(), target.label) ||
             std::find(host.labels.begin(), host.labels.end(), target.label) != host.labels.end();
    case store::RecipeTarget::Kind::kHosts:
      return std::binary_search(target.host_ids.begin(), target.host_ids.end(), host.id);
  }
  return false;
}

namespace {

Json ParsedObject(const std::string& text) {
  Json j = Json::parse(text, nullptr, false);
  return j.is_object() ? j : Json::object();
}

// One layer's rules laid over `out`, noting the source of each setting it sets.
void Apply(const Json& rules, SettingSourceKind kind, const std::string& source, Json& out,
           std::map<std::pair<std::string, std::string>, ResolvedSetting>& settings) {
  if (!rules.is_object()) return;
  for (auto rule = rules.begin(); rule != rules.end(); ++rule) {
    if (!rule.value().is_object()) continue;
    Json& target = out[rule.key()];
    if (!target.is_object()) target = Json::object();
    auto note = [&](const std::string& setting, const Json& value) {
      settings[{rule.key(), setting}] = ResolvedSetting{rule.key(), setting, value, kind, source};
    };
    for (auto key = rule.value().begin(); key != rule.value().end(); ++key) {
      if (key.key() == "settings" && key.value().is_object()) {
        Json& s = target["settings"];
        if (!s.is_object()) s = Json::object();
        for (auto item = key.value().begin(); item != key.value().end(); ++item) {
          s[item.key()] = item.value();
          note("settings." + item.key(), item.value());
        }
        continue;
      }
      target[key.key()] = key.value();
      note(key.key(), key.value());
    }
  }
}

}  // namespace

std::string_view SettingSourceKindName(SettingSourceKind kind) {
  switch (kind) {
    case SettingSourceKind::kDefault:
      return "default";
    case SettingSourceKind::kRecipe:
      return "recipe";
    case SettingSourceKind::kAttachment:
      return "attachment";
    case SettingSourceKind::kHostOverride:
      return "host_override";
  }
  return "default";
}

std::string DescribeRecipeTarget(const store::RecipeTarget& target) {
  switch (target.kind) {
    case store::RecipeTarget::Kind::kAll:
      return "all hosts";
    case store::RecipeTarget::Kind::kLabel:
      return "label " + target.label;
    case store::RecipeTarget::Kind::kHosts: {
      std::string ids;
      for (int64_t id : target.host_ids) ids += (ids.empty() ? "" : ", ") + std::to_string(id);
      return (target.host_ids.size() == 1 ? "host " : "hosts ") + ids;
    }
  }
  return "";
}

Result<RecipeLayers> LoadRecipeLayers(store::Store& store) {
  RecipeLayers layers;
  ASSIGN_OR_RETURN(layers.attachments, store.recipes().AllAttachments());
  for (const store::RecipeAttachment& a : layers.attachments) {
    if (layers.recipes.count(a.recipe_id)) continue;
    ASSIGN_OR_RETURN(std::optional<store::Recipe> recipe, store.recipes().Get(a.recipe_id));
    if (recipe) layers.recipes.emplace(a.recipe_id, std::move(*recipe));
  }
  return layers;
}

const store::RecipeAttachment* WinningAttachment(
    const store::Host& host, const std::vector<store::RecipeAttachment>& attachments) {
  const store::RecipeAttachment* best = nullptr;
  auto better = [](const store::RecipeAttachment& a, const store::RecipeAttachment& b) {
    const int sa = Specificity(a.target.kind), sb = Specificity(b.target.kind);
    if (sa != sb) return sa > sb;
    if (a.priority != b.priority) return a.priority > b.priority;
    return a.id > b.id;  // the newest
  };
  for (const store::RecipeAttachment& a : attachments)
    if (RecipeTargetMatches(host, a.target) && (best == nullptr || better(a, *best))) best = &a;
  return best;
}

EffectiveRecipe ResolveRecipe(const store::Host& host, const RecipeLayers& layers,
                              const Json& host_override) {
  EffectiveRecipe out;
  std::map<std::pair<std::string, std::string>, ResolvedSetting> settings;
  if (const store::RecipeAttachment* a = WinningAttachment(host, layers.attachments)) {
    out.attachment = *a;
    auto recipe = layers.recipes.find(a->recipe_id);
    if (recipe != layers.recipes.end()) {
      out.recipe = recipe->second;
      Apply(ParsedObject(recipe->second.rules_json), SettingSourceKind::kRecipe,
            "recipe:" + recipe->second.name, out.rules, settings);
    }
    Apply(ParsedObject(a->overrides_json), SettingSourceKind::kAttachment,
          "attachment:" + std::to_string(a->id) + " (" + DescribeRecipeTarget(a->target) + ")",
          out.rules, settings);
  }
  Apply(host_override, SettingSourceKind::kHostOverride, "host override", out.rules, settings);
  for (auto& [key, setting] : settings) out.settings.push_back(std::move(setting));
  return out;
}

Result<EffectiveRecipe> ResolveHostRecipe(store::Store& store, const store::Host& host) {
  ASSIGN_OR_RETURN(RecipeLayers layers, LoadRecipeLayers(store));
  ASSIGN_OR_RETURN(store::HostRecipeOverride override, store.recipes().HostOverride(host.id));
  return ResolveRecipe(host, layers, ParsedObject(override.rules_json));
}

}  // namespace warden::server

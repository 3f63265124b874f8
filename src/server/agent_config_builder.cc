#include "server/agent_config_builder.h"

#include "core/encoding.h"
#include "server/host_scheduled_queries.h"

namespace warden::server {

AgentConfigBuilder::AgentConfigBuilder(store::Store& store, AgentConfigSettings settings)
    : store_(store), settings_(std::move(settings)) {}

Result<std::shared_ptr<const RecipeLayers>> AgentConfigBuilder::Layers() {
  {
    std::lock_guard lock(mu_);
    if (layers_) return layers_;
  }
  uint64_t generation;
  {
    std::lock_guard lock(mu_);
    generation = generation_;
  }
  ASSIGN_OR_RETURN(RecipeLayers layers, LoadRecipeLayers(store_));
  auto shared = std::make_shared<const RecipeLayers>(std::move(layers));
  std::lock_guard lock(mu_);
  // Kept only when nothing changed while it was read.
  if (generation == generation_) layers_ = shared;
  return shared;
}

Result<Json> AgentConfigBuilder::ConfigFor(int64_t host_id) {
  uint64_t generation;
  {
    std::lock_guard lock(mu_);
    generation = generation_;
  }
  ASSIGN_OR_RETURN(std::optional<store::Host> host, store_.hosts().Get(host_id));
  if (!host) return NotFound("no host " + std::to_string(host_id));
  ASSIGN_OR_RETURN(std::shared_ptr<const RecipeLayers> layers, Layers());
  ASSIGN_OR_RETURN(store::HostRecipeOverride override, store_.recipes().HostOverride(host_id));
  Json host_rules = Json::parse(override.rules_json, nullptr, false);
  if (!host_rules.is_object()) host_rules = Json::object();
  EffectiveRecipe effective = ResolveRecipe(*host, *layers, host_rules);
  ASSIGN_OR_RETURN(std::vector<HostScheduledQuery> scheduled,
                   ScheduledQueriesForHost(store_, *host));
  const AgentConfigSettings& o = settings_;
  Json config = {{"recipe",
                  {{"name", effective.recipe ? effective.recipe->name : o.recipe_name},
                   {"rules", std::move(effective.rules)}}},
                 {"queries", ScheduledQueriesJson(scheduled)},
                 {"settings",
                  {{"poll_wait_seconds", o.poll_wait_seconds},
                   {"config_refresh_seconds", o.config_refresh_seconds},
                   {"status_interval_seconds", o.status_interval_seconds},
                   {"max_records_per_second", o.max_records_per_second},
                   {"max_batch_records", o.max_batch_records}}}};
  const std::string etag = "\"" + Sha256Hex(config.dump()).substr(0, 32) + "\"";
  config["etag"] = etag;
  std::lock_guard lock(mu_);
  if (generation == generation_) etags_[host_id] = etag;
  return config;
}

std::optional<std::string> AgentConfigBuilder::EtagFor(int64_t host_id) {
  {
    std::lock_guard lock(mu_);
    auto it = etags_.find(host_id);
    if (it != etags_.end()) return it->second;
  }
  Result<Json> config = ConfigFor(host_id);
  if (!config.ok()) return std::nullopt;
  return (*config)["etag"].get<std::string>();
}

void AgentConfigBuilder::Invalidate() {
  std::lock_guard lock(mu_);
  ++generation_;
  layers_.reset();
  etags_.clear();
}

}  // namespace warden::server

// AgentConfigBuilder makes each host's AgentConfig (GET /api/v1/agent/config):
// the host's effective recipe (recipe_resolution.h), its scheduled queries
// and the channel's settings, with an etag that is a hash of that content,
// so it changes exactly when the config does. The etag of each host is kept
// until Invalidate (a recipe, attachment, override or host label changed),
// so the command long-poll can carry it in every answer without reading
// the store each time.
// Thread-safe. Not here: HTTP, 304 handling, waking the polls (command_hub.h).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "core/finding.h"  // Json
#include "core/status.h"
#include "server/recipe_resolution.h"
#include "store/store.h"

namespace warden::server {

struct AgentConfigSettings {
  int poll_wait_seconds = 10;  // 1..10, what agents pass as `wait`
  int config_refresh_seconds = 300;
  int status_interval_seconds = 60;
  int max_records_per_second = 500;
  int max_batch_records = 1000;
  std::string recipe_name = "default";  // the recipe's name when no recipe is attached
};

class AgentConfigBuilder {
 public:
  AgentConfigBuilder(store::Store& store, AgentConfigSettings settings);

  // The host's config with its `etag`; NotFound for an unknown host.
  Result<Json> ConfigFor(int64_t host_id);
  // The host's config etag (cached); nullopt when it cannot be read now.
  std::optional<std::string> EtagFor(int64_t host_id);
  // Something resolution reads changed: every kept etag is stale.
  void Invalidate();

  const AgentConfigSettings& settings() const { return settings_; }

 private:
  Result<std::shared_ptr<const RecipeLayers>> Layers();

  store::Store& store_;
  const AgentConfigSettings settings_;
  std::mutex mu_;
  uint64_t generation_ = 0;                         // under mu_
  std::shared_ptr<const RecipeLayers> layers_;      // under mu_; of generation_
  std::unordered_map<int64_t, std::string> etags_;  // under mu_; of generation_
};

}  // namespace warden::server

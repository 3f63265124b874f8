// The handlers of the agent channel (/api/v1/agent/*): the CA for pinning,
// the install script and the packages it installs (install_script.h),
// enrolment, the agent's config (with ETag / 304), record push, the command
// long-poll and command results. The dispatcher has authenticated the node
// key (Principal::kNode names the host), checked roles and validated
// parameters and bodies before these run; they do the store work and
// answer in the spec's shapes.
//
// The config is AgentConfigBuilder's (the host's effective recipe, see
// recipe_resolution.h, and the server's scheduled saved queries that target
// it, host_scheduled_queries.h); the command long-poll passes the agent's
// `config_etag` to the hub, which answers at once when the host's differs.
//
// Not here: routing, authentication, rate limiting of enrolment, resolving
// recipes.
#pragma once

#include <functional>
#include <string>

#include "server/agent_config_builder.h"
#include "server/agent_packages.h"
#include "server/api_call.h"
#include "server/command_hub.h"
#include "store/store.h"

namespace warden::server {

using AgentChannelOptions = AgentConfigSettings;

struct AgentChannelContext {
  store::Store* store = nullptr;
  CommandHub* hub = nullptr;
  // Builds each host's config; null: the handlers make their own from
  // `options` (its etags then never go stale: tests without recipes).
  AgentConfigBuilder* configs = nullptr;
  std::string ca_pem;  // the server CA, served by getAgentCa
  // The server certificate's key pin (PublicKeyPin), sent with the CA for
  // the install command; empty: not sent.
  std::string server_key_pin;
  // What install.sh installs and getAgentPackage serves; null: no packages.
  const AgentPackages* packages = nullptr;
  std::function<store::EpochMs()> now;
  AgentChannelOptions options;
  // Called (after the commit) when a host's package snapshot replaced its
  // packages; may be empty.
  std::function<void(int64_t host_id)> packages_changed;
};

// Registers getAgentCa, getAgentInstallScript, getAgentPackage (for an enrol
// secret), enrollAgent, getAgentConfig, pushAgentRecords
// (async: answers after the commit), pollAgentCommands (async: long-poll)
// and postAgentCommandResult. `context`'s store and hub must outlive the
// handlers.
void RegisterAgentChannelHandlers(ApiHandlers& handlers, AgentChannelContext context);

}  // namespace warden::server

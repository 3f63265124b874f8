// The handlers of the agent channel (/api/v1/agent/*): the CA for pinning,
// enrolment, the agent's config (with ETag / 304), record push, the command
// long-poll and command results. The dispatcher has authenticated the node
// key (Principal::kNode names the host), checked roles and validated
// parameters and bodies before these run; they do the store work and
// answer in the spec's shapes.
//
// The config's `queries` are the server's scheduled saved queries that
// target the host (host_scheduled_queries.h); its etag covers them.
//
// Not here: routing, authentication, rate limiting of enrolment, where the
// effective recipe of a host comes from (every host gets the options'
// settings and an empty recipe until recipes are stored on the server).
#pragma once

#include <functional>
#include <string>

#include "server/api_call.h"
#include "server/command_hub.h"
#include "store/store.h"

namespace warden::server {

struct AgentChannelOptions {
  int poll_wait_seconds = 10;  // 1..10, what agents pass as `wait`
  int config_refresh_seconds = 300;
  int status_interval_seconds = 60;
  int max_records_per_second = 500;
  int max_batch_records = 1000;
  std::string recipe_name = "default";
};

struct AgentChannelContext {
  store::Store* store = nullptr;
  CommandHub* hub = nullptr;
  std::string ca_pem;  // the server CA, served by getAgentCa
  std::function<store::EpochMs()> now;
  AgentChannelOptions options;
  // Called (after the commit) when a host's package snapshot replaced its
  // packages; may be empty.
  std::function<void(int64_t host_id)> packages_changed;
};

// Registers getAgentCa, enrollAgent, getAgentConfig, pushAgentRecords
// (async: answers after the commit), pollAgentCommands (async: long-poll)
// and postAgentCommandResult. `context`'s store and hub must outlive the
// handlers.
void RegisterAgentChannelHandlers(ApiHandlers& handlers, AgentChannelContext context);

}  // namespace warden::server

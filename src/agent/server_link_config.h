// The `server:` section of the agent's config: where the control-plane server
// is, the CA its certificate must chain to, and this host's node key (all
// three written by `warden agent enroll`). With it, the agent sends its
// problems, results, status and inventory records to the server through a
// `server` sink of its own (named "server", queued like any network sink) and
// runs the command channel (server_link.h). Only parsing and checking here:
// every error is "file:line:col: server.key: reason". Not here: enrolment
// (server_enrolment.h), talking to the server.
//   server:
//     url: https://warden.example.com:8443
//     ca_file: /var/lib/warden/server-ca.pem      # "" or absent: the system's CAs
//     node_key_file: /var/lib/warden/node-key
//     records: [problems, results, status, inventory]   # the default
//     queue: {max_size: 256MB}                    # as for network sinks
#pragma once

#include <string>

#include "core/yaml_reader.h"
#include "delivery/server_sink.h"
#include "delivery/sink.h"

namespace warden {

struct ServerLinkConfig {
  ServerEndpoint endpoint;
  // The sink the agent adds for the server (type server, name "server").
  SinkConfig sink;
};

inline constexpr std::string_view kServerSinkName = "server";

// Reads the `server:` mapping. Relative paths resolve against `state_dir`.
Result<ServerLinkConfig> ReadServerLinkConfig(const YamlReader& reader, const YAML::Node& node,
                                              const std::string& state_dir);

}  // namespace warden

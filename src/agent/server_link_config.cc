#include "agent/server_link_config.h"

#include "delivery/sink_registry.h"

namespace warden {

Result<ServerLinkConfig> ReadServerLinkConfig(const YamlReader& r, const YAML::Node& n,
                                              const std::string& state_dir) {
  if (!n.IsMap())
    return r.Error(n, "server", "expected a mapping with url, ca_file and node_key_file");
  RETURN_IF_ERROR(
      r.CheckKeys(n, "server", {"url", "ca_file", "node_key_file", "records", "timeout", "queue"}));
  if (!n["url"]) return r.Error(n, "server.url", "missing: the server's URL (https://...)");
  if (!n["node_key_file"])
    return r.Error(n, "server.node_key_file",
                   "missing: the file with this host's node key (written by warden agent enroll)");
  // The same reader as a `sinks:` entry of type server, so both say the same
  // things about the same keys; the section's own name and defaults on top.
  YAML::Node sink_node(YAML::NodeType::Map);
  for (auto it = n.begin(); it != n.end(); ++it) sink_node[it->first] = it->second;
  sink_node["name"] = std::string(kServerSinkName);
  sink_node["type"] = "server";
  sink_node["rejected_file"] = "server-rejected.jsonl";
  ASSIGN_OR_RETURN(SinkConfig sink, ParseSinkConfig(r, sink_node, "server", state_dir));
  if (!n["records"])
    sink.records = {RecordKind::kProblem, RecordKind::kResult, RecordKind::kStatus,
                    RecordKind::kInventory};
  const auto* settings = sink.SettingsAs<ServerSinkSettings>();
  if (!settings) return Internal("server: not a server sink");
  ServerLinkConfig c;
  c.endpoint = settings->endpoint;
  c.sink = std::move(sink);
  return c;
}

}  // namespace warden

// Rule HOST-OPEN-PORTS, "Processes listening on open ports": one problem per
// unexpected listening TCP/UDP socket. The sockets come from the same SQL
// tables `warden query` answers from (listening_ports joined with processes
// and users), so the agent and an ad-hoc query always agree. A socket is
// expected when its port is in the rule's allowed_tcp/allowed_udp list, or
// (by default) when it is bound only to loopback, where the network cannot
// reach it. The problem is keyed by protocol, address and port: a service
// restarting with a new pid is the same problem; the owning program, user
// and command line are reported with it (pid and command line as evidence,
// so a restart alone is not an "update").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "agent/agent_config.h"
#include "problems/problem.h"
#include "sql/sql_engine.h"

namespace warden {

struct ListeningSocket {
  int64_t pid = -1;
  int port = 0;
  std::string protocol;  // "tcp" / "udp"
  int family = 0;        // 2 = IPv4, 10 = IPv6
  std::string address;
  std::string net_namespace;
  std::string process_name;
  std::string process_path;
  std::string cmdline;
  int64_t uid = -1;
  std::string user;
};

// Every listening TCP/UDP socket on the host, through the SQL engine.
Result<std::vector<ListeningSocket>> ReadListeningSockets(SqlEngine& engine,
                                                          std::chrono::milliseconds timeout,
                                                          std::atomic<bool>* interrupt);

bool IsLoopbackAddress(std::string_view address);
bool IsAllowedPort(const OpenPortsSettings& settings, std::string_view protocol, int port);

// The problems for one run (`host` names the host in ids and resources).
Observation DetectOpenPorts(const std::vector<ListeningSocket>& sockets, const RuleConfig& rule,
                            const std::string& host, int64_t now);

}  // namespace warden

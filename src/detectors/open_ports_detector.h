// Detector HOST-OPEN-PORTS, "Processes listening on open ports": one problem per
// unexpected listening TCP/UDP socket. The sockets come from the same SQL
// tables `warden query` answers from (listening_ports joined with processes
// and users), so the agent and an ad-hoc query always agree. A socket is
// expected when its port is in the settings' allowed_tcp/allowed_udp list, or
// (by default) when it is bound only to loopback, where the network cannot
// reach it. The problem is keyed by protocol, address and port: a service
// restarting with a new pid is the same problem; the owning program, user
// and command line are reported with it (pid and command line as evidence,
// so a restart alone is not an "update").
// Settings (recipe.rules.HOST-OPEN-PORTS.settings):
//   allowed_tcp: [22, "8000-8100"]   allowed_udp: [68, 546]   loopback: ignore|report
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "detectors/detector.h"

namespace warden {

inline constexpr std::string_view kOpenPortsDetectorId = "HOST-OPEN-PORTS";

struct PortRange {
  int first = 0;
  int last = 0;
  bool Contains(int port) const { return port >= first && port <= last; }
};
// "22", "8000-8100" -> PortRange; false when malformed or outside 1..65535.
bool ParsePortRange(std::string_view text, PortRange* out);

struct OpenPortsSettings : DetectorSettings {
  std::vector<PortRange> allowed_tcp = {PortRange{22, 22}};
  std::vector<PortRange> allowed_udp = {PortRange{68, 68}, PortRange{546, 546}};  // DHCP clients
  // Sockets bound only to loopback (127.0.0.0/8, ::1) cannot be reached from
  // the network; by default they are not problems.
  bool report_loopback = false;
};

// Every listening TCP/UDP socket on the host, through the SQL engine.
Result<std::vector<ListeningSocket>> ReadListeningSockets(SqlEngine& engine,
                                                          std::chrono::milliseconds timeout,
                                                          std::atomic<bool>* interrupt);

bool IsLoopbackAddress(std::string_view address);
bool IsAllowedPort(const OpenPortsSettings& settings, std::string_view protocol, int port);

// The problems for one run (`host` names the host in ids and resources).
Observation DetectOpenPorts(const std::vector<ListeningSocket>& sockets,
                            const OpenPortsSettings& settings, RiskLevel risk_level,
                            const std::string& host, int64_t now);

class OpenPortsDetector : public Detector {
 public:
  std::string_view id() const override { return kOpenPortsDetectorId; }
  DetectorConfig DefaultConfig() const override;
  Result<std::shared_ptr<const DetectorSettings>> ParseSettings(
      const YamlReader& reader, const YAML::Node& node, const std::string& key) const override;
  Result<DetectorRun> Run(const DetectorConfig& config, DetectorContext& context) const override;
  std::string Describe(const DetectorRun& run, const std::string& events,
                       bool any_events) const override;
};

}  // namespace warden

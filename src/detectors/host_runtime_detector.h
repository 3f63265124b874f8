// Detector HOST-RUNTIME, "Kernel-level runtime detection": the eBPF sensor
// (src/ebpf) evaluating host rules on process, file and socket events as they
// happen. It is continuous: the agent runs it as an event source for as long
// as it runs (src/agent/host_event_source.h), with no schedule and no risk
// level of its own (each host rule carries one). Off unless enabled: it
// attaches kernel hooks and keeps a process table (~30 MB).
// This file only declares the detector and reads its settings
// (recipe.rules.HOST-RUNTIME.settings):
//   rules: [site-rules/, /opt/rules/extra.yml]   extra host rule files or directories
//   forward_events: false                        also send every host event to `events` sinks
//   syscall_events: hooks|dispatcher|off         src/ebpf/event_source.h
//   tier: auto|ebpf|fallback
//   sensitive_paths: [/etc/shadow, /root/.ssh/]  (default: the sensor's own list)
#pragma once

#include <string>
#include <vector>

#include "detectors/detector.h"

namespace warden {

inline constexpr std::string_view kHostRuntimeDetectorId = "HOST-RUNTIME";

struct HostRuntimeSettings : DetectorSettings {
  std::vector<std::string> rule_paths;  // absolute
  bool forward_events = false;
  std::string syscall_events = "hooks";
  std::string tier = "auto";
  std::vector<std::string> sensitive_paths;  // empty = the collector's defaults
};

class HostRuntimeDetector : public Detector {
 public:
  std::string_view id() const override { return kHostRuntimeDetectorId; }
  DetectorConfig DefaultConfig() const override;
  Result<std::shared_ptr<const DetectorSettings>> ParseSettings(
      const YamlReader& reader, const YAML::Node& node, const std::string& key) const override;
};

}  // namespace warden

#include "detectors/host_runtime_detector.h"

namespace warden {

DetectorConfig HostRuntimeDetector::DefaultConfig() const {
  DetectorConfig c;
  c.id = std::string(kHostRuntimeDetectorId);
  c.risk_level = RiskLevel::kHigh;  // each host rule has its own; this is for listings
  c.enabled = false;                // opt-in
  c.continuous = true;
  c.settings = std::make_shared<HostRuntimeSettings>();
  return c;
}

Result<std::shared_ptr<const DetectorSettings>> HostRuntimeDetector::ParseSettings(
    const YamlReader& r, const YAML::Node& s, const std::string& key) const {
  using J = YamlReader;
  auto settings = std::make_shared<HostRuntimeSettings>();
  RETURN_IF_ERROR(r.CheckKeys(
      s, key, {"rules", "forward_events", "syscall_events", "tier", "sensitive_paths"}));
  if (s["rules"]) {
    auto list = ReadStringList(s["rules"], J::Join(key, "rules"));
    if (!list.ok())
      return r.Error(s["rules"], J::Join(key, "rules"),
                     "expected a list of rule files or directories");
    for (const auto& p : *list) {
      if (p.empty()) return r.Error(s["rules"], J::Join(key, "rules"), "an empty path");
      settings->rule_paths.push_back(r.ResolvePath(p));
    }
  }
  if (s["forward_events"]) {
    ASSIGN_OR_RETURN(settings->forward_events,
                     r.Bool(s["forward_events"], J::Join(key, "forward_events")));
  }
  if (s["syscall_events"]) {
    ASSIGN_OR_RETURN(settings->syscall_events,
                     r.String(s["syscall_events"], J::Join(key, "syscall_events")));
    const std::string& mode = settings->syscall_events;
    if (mode != "hooks" && mode != "dispatcher" && mode != "off")
      return r.Error(s["syscall_events"], J::Join(key, "syscall_events"),
                     "expected hooks, dispatcher or off, got '" + mode + "'");
  }
  if (s["tier"]) {
    ASSIGN_OR_RETURN(settings->tier, r.String(s["tier"], J::Join(key, "tier")));
    if (settings->tier != "auto" && settings->tier != "ebpf" && settings->tier != "fallback")
      return r.Error(s["tier"], J::Join(key, "tier"),
                     "expected auto, ebpf or fallback, got '" + settings->tier + "'");
  }
  if (s["sensitive_paths"]) {
    auto list = ReadStringList(s["sensitive_paths"], J::Join(key, "sensitive_paths"));
    if (!list.ok())
      return r.Error(s["sensitive_paths"], J::Join(key, "sensitive_paths"),
                     "expected a list of absolute path prefixes like [/etc/shadow, /root/.ssh/]");
    for (const auto& p : *list)
      if (p.empty() || p[0] != '/')
        return r.Error(s["sensitive_paths"], J::Join(key, "sensitive_paths"),
                       "'" + p + "' is not an absolute path prefix");
    settings->sensitive_paths = *list;
  }
  return std::shared_ptr<const DetectorSettings>(std::move(settings));
}

}  // namespace warden

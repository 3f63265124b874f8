#include "agent/host_event_source.h"

#include "agent/agent.h"
#include "agent/agent_log.h"
#include "detectors/host_runtime_detector.h"

namespace warden {

namespace {

class HostEventAgentSource : public EventSource {
 public:
  explicit HostEventAgentSource(HostRuntimeOptions options) : source_(std::move(options)) {}

  std::string name() const override { return std::string(HostRuntimeSource::kName); }
  Status Start(RecordRouter& router) override { return source_.Start(router); }
  void Stop() override { source_.Stop(); }
  EventSourceInfo Info() const override { return source_.Info(); }

 private:
  HostRuntimeSource source_;
};

}  // namespace

std::optional<HostRuntimeOptions> HostEventSourceOptionsFor(const AgentConfig& config,
                                                            HostRuntimeOptions base) {
  const DetectorConfig* runtime = config.FindDetectorConfig(kHostRuntimeDetectorId);
  if (runtime == nullptr) return std::nullopt;
  auto o = HostRuntimeOptionsFor(*runtime, config.FindDetectorConfig(kOpenPortsDetectorId),
                                 std::move(base));
  if (!o) return std::nullopt;
  o->problem_store_path = StateFilePath(config.state_dir);
  o->host = ResolveHostIdentifier(config);
  if (!o->log) o->log = [](const std::string& message) { AgentLog(message); };
  return o;
}

std::unique_ptr<EventSource> MakeHostEventAgentSource(HostRuntimeOptions options) {
  return std::make_unique<HostEventAgentSource>(std::move(options));
}

EventSourceFactory HostEventSourceFactory(HostRuntimeOptions options) {
  return [options](const AgentConfig& config) -> Result<std::unique_ptr<EventSource>> {
    auto o = HostEventSourceOptionsFor(config, options);
    if (!o) return std::unique_ptr<EventSource>();
    return MakeHostEventAgentSource(std::move(*o));
  };
}

}  // namespace warden

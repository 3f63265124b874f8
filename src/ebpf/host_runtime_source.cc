#include "ebpf/host_runtime_source.h"

#include <future>
#include <iostream>

#include "core/risk_level.h"
#include "core/time_format.h"
#include "detectors/host_runtime_detector.h"
#include "ebpf/program_exemption.h"
#include "problems/sqlite_problem_repository.h"

namespace warden {

namespace {

constexpr std::chrono::milliseconds kDrainInterval{250};

Record FindingRecord(const Finding& f, int64_t time_ns, uint64_t firing) {
  Record r;
  r.kind = RecordKind::kEvent;
  // One record per firing; the finding id (same condition, same id) is in the body.
  r.id = MakeFindingId({f.id, std::to_string(time_ns), std::to_string(firing)});
  r.time_ms = time_ns / 1000000;
  r.syslog_severity = SyslogSeverity(f.risk_level);
  Json body = FindingToJson(f);
  r.body = Json::object();
  r.body["record"] = "finding";
  for (auto it = body.begin(); it != body.end(); ++it) r.body[it.key()] = std::move(it.value());
  r.summary = f.rule_id + " [" + std::string(RiskLevelDisplayName(f.risk_level)) + "] " + f.title +
              ": " + f.description.substr(0, 300);
  return r;
}

}  // namespace

Status HostRuntimeSource::Start(RecordRouter& router) {
  if (thread_.joinable()) return Status::Ok();
  stop_ = false;
  if (!options_.exempt_program.empty())
    exempt_description_ = ProgramExemption(options_.exempt_program).Describe();
  std::promise<Status> started;
  std::future<Status> result = started.get_future();
  // The pipeline lives on the thread that polls it (its contract).
  thread_ = std::thread([this, &router, &started] { Run(router, &started); });
  Status st = result.get();
  if (!st.ok()) {
    thread_.join();
    return st;
  }
  return Status::Ok();
}

void HostRuntimeSource::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  active_ = false;
}

EventSourceInfo HostRuntimeSource::Info() const {
  EventSourceInfo info;
  info.name = std::string(kName);
  info.publisher = tier_.load() == 1 ? "ebpf" : tier_.load() == 2 ? "fallback" : "";
  info.type = "publisher";
  info.subscriptions = rules_.load();
  info.events = static_cast<int64_t>(events_.load());
  info.refreshes = static_cast<int64_t>(polls_.load());
  info.active = active_.load();
  if (!exempt_description_.empty()) {
    info.note = "own binary exempt: " + exempt_description_ + ", " +
                std::to_string(exempted_.load()) + " firings skipped";
  }
  if (folded_.load() > 0) {
    info.note += std::string(info.note.empty() ? "" : "; ") + "flood control folded " +
                 std::to_string(folded_.load()) + " firings (more than " +
                 std::to_string(options_.flood_limit_per_minute) + " new subjects a minute)";
  }
  return info;
}

void HostRuntimeSource::Log(const std::string& message) const {
  if (options_.log)
    options_.log(message);
  else
    std::cerr << "warden: " << message << "\n";
}

void HostRuntimeSource::Run(RecordRouter& router, std::promise<Status>* started) {
  auto pipeline = HostEventPipeline::Start(options_.pipeline);
  if (!pipeline.ok()) {
    started->set_value(pipeline.status());
    return;
  }
  tier_ = (*pipeline)->SourceStatus().tier == "ebpf" ? 1 : 2;
  rules_ = (*pipeline)->rules() != nullptr
               ? static_cast<int64_t>((*pipeline)->rules()->rule_count())
               : 0;
  active_ = true;
  started->set_value(Status::Ok());  // `started` is gone after this
  std::vector<Record> batch;
  std::string json;
  auto on_event = [&](const HostEvent& e, const EventView& v) {
    ++events_;
    if (!options_.forward_events) return;
    Record r;
    r.kind = RecordKind::kEvent;
    r.id = MakeFindingId({"host-event", std::to_string(e.time_ns), std::to_string(e.pid),
                          std::string(HostEventKindName(e.kind)), std::to_string(e.id)});
    r.time_ms = e.time_ns / 1000000;
    json.clear();
    RenderHostEventJson(v, &json);
    r.body = Json::object();
    r.body["record"] = "event";
    Json parsed = Json::parse(json, nullptr, false);
    if (parsed.is_object())
      for (auto it = parsed.begin(); it != parsed.end(); ++it)
        r.body[it.key()] = std::move(it.value());
    r.summary =
        std::string(HostEventKindName(e.kind)) + " pid " + std::to_string(e.pid) + " " + e.exe;
    batch.push_back(std::move(r));
  };
  std::unique_ptr<ProblemRepository> problems;
  if (!options_.problem_store_path.empty()) {
    auto opened = SqliteProblemRepository::Open(options_.problem_store_path, false);
    if (opened.ok())
      problems = std::move(*opened);
    else
      Log("host runtime rules: problems are not tracked: " + opened.status().message());
  }
  std::vector<Finding> fired;
  int64_t now_ns = 0;
  uint64_t firings = 0;
  std::optional<ProgramExemption> own;
  if (!options_.exempt_program.empty()) own.emplace(options_.exempt_program);
  FloodGuard flood(options_.flood_limit_per_minute);
  auto on_finding = [&](const Finding& f) {
    const Json& process = f.attributes.contains("process") ? f.attributes["process"] : Json();
    if (own && process.is_string() && own->Matches(process.get<std::string>())) {
      ++exempted_;
      return;
    }
    batch.push_back(FindingRecord(f, now_ns, ++firings));
    if (!problems) return;
    fired.push_back(flood.Admit(f, now_ns / 1000000000));
    folded_ = flood.folded();
  };
  while (!stop_) {
    now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
    // on_event must be set so events are counted; it is cheap when not forwarding.
    Status st = (*pipeline)->Poll(kDrainInterval, on_event, on_finding);
    ++polls_;
    if (!batch.empty()) {
      (void)router.Route(batch);  // the router logs and queues; nothing to retry here
      batch.clear();
    }
    if (!fired.empty()) {
      // One transaction per drain; the problem records are queued inside
      // it, so a crash cannot lose an opened problem's record.
      auto events = problems->Raise(fired, options_.host, now_ns / 1000000000,
                                    [&](const std::vector<ProblemEvent>& ev) {
                                      std::vector<Record> records;
                                      for (const auto& e : ev)
                                        records.push_back(ProblemEventRecord(e));
                                      return router.Route(records);
                                    });
      if (!events.ok()) Log("host runtime rules: problems not saved: " + events.status().message());
      fired.clear();
    }
    if (!st.ok()) break;
  }
  (*pipeline)->Stop();
  active_ = false;
}

std::string ListenRuleForAllowedPorts(const OpenPortsSettings& ports, RiskLevel risk_level) {
  std::string singles, ranges;
  for (const PortRange& r : ports.allowed_tcp) {
    if (r.first == r.last) {
      singles += (singles.empty() ? "" : ", ") + std::to_string(r.first);
    } else {
      ranges += "      - and: [{socket.local_port: {ge: " + std::to_string(r.first) +
                "}}, {socket.local_port: {le: " + std::to_string(r.last) + "}}]\n";
    }
  }
  std::string y =
      "- id: HOST-LISTEN-UNEXPECTED-PORT\n"
      "  title: New listening socket on a port outside the allowed list\n"
      "  description: >-\n"
      "    A process started listening on a port that recipe rule HOST-OPEN-PORTS\n"
      "    does not allow (settings.allowed_tcp): the real-time form of the\n"
      "    open-ports detector.\n"
      "  risk_level: " +
      std::string(RiskLevelName(risk_level)) +
      "\n"
      "  tags: [attack.command_and_control, attack.t1571, attack.persistence]\n"
      "  remediation: >-\n"
      "    Identify the process (see process.exe and ancestors); stop it, or add\n"
      "    the port to HOST-OPEN-PORTS settings.allowed_tcp if it is expected.\n"
      "  match:\n"
      "    event: listen\n"
      "    result: 0\n";
  std::string exceptions;
  if (!singles.empty()) exceptions += "    - socket.local_port: {in: [" + singles + "]}\n";
  if (!ranges.empty()) exceptions += "    - or:\n" + ranges;
  if (!ports.report_loopback)
    exceptions += "    - socket.local_address: {cidr: [127.0.0.0/8, '::1/128']}\n";
  if (!exceptions.empty()) y += "  exceptions:\n" + exceptions;
  return y;
}

std::optional<HostRuntimeOptions> HostRuntimeOptionsFor(const DetectorConfig& runtime,
                                                        const DetectorConfig* open_ports,
                                                        HostRuntimeOptions o) {
  if (!runtime.enabled) return std::nullopt;
  const auto* settings = runtime.SettingsAs<HostRuntimeSettings>();
  if (settings == nullptr) return std::nullopt;
  const HostRuntimeSettings& s = *settings;
  o.pipeline.rule_paths = s.rule_paths;
  o.forward_events = s.forward_events;
  o.pipeline.collector.syscall_events =
      ParseSyscallEventMode(s.syscall_events)
          .value_or(SyscallEventMode::kHooks);  // validated by the config
  if (s.tier == "ebpf") o.pipeline.collector.allow_fallback = false;
  if (s.tier == "fallback") o.pipeline.collector.allow_ebpf = false;
  if (!s.sensitive_paths.empty()) o.pipeline.collector.sensitive_prefixes = s.sensitive_paths;
  if (open_ports != nullptr && open_ports->enabled) {
    if (const auto* ports = open_ports->SettingsAs<OpenPortsSettings>())
      o.pipeline.site_rules = ListenRuleForAllowedPorts(*ports, open_ports->risk_level);
  }
  ApplyEnvironment(&o.pipeline.collector);
  return o;
}

}  // namespace warden

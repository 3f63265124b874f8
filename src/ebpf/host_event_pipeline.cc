#include "ebpf/host_event_pipeline.h"

#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "core/strings.h"
#include "core/time_format.h"
#include "ebpf/journal_event_codec.h"

namespace warden {

namespace {

constexpr int64_t kStatusIntervalNs = 1'000'000'000;
constexpr int64_t kSyncIntervalNs = 5'000'000'000;
constexpr int64_t kStaleStatusSeconds = 10;

int64_t NowNs() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

std::string HostName() {
  char buf[256] = {};
  if (gethostname(buf, sizeof(buf) - 1) != 0) return "localhost";
  return buf;
}

int64_t SelfRssKb() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (StartsWith(line, "VmRSS:")) {
      int64_t kb = 0;
      std::vector<std::string_view> f = SplitWhitespace(line);
      if (f.size() >= 2 && ParseInt64(f[1], &kb)) return kb;
    }
  }
  return 0;
}

double SelfCpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

Json CountersJson(const std::map<std::string, uint64_t>& m) {
  Json j = Json::object();
  for (const auto& [k, v] : m) j[k] = v;
  return j;
}

}  // namespace

std::string StatusPathForJournal(const std::string& journal_path) {
  return journal_path + ".status.json";
}

Result<std::unique_ptr<HostEventPipeline>> HostEventPipeline::Start(
    const HostEventPipelineOptions& options) {
  std::unique_ptr<HostEventPipeline> p(new HostEventPipeline());
  p->options_ = options;
  p->table_ = ProcessTable(options.process_table_capacity);
  p->hostname_ = HostName();
  p->started_ns_ = NowNs();
  if (options.evaluate_rules) {
    ASSIGN_OR_RETURN(p->rules_,
                     HostRuleEngine::Create(options.rule_paths, true, options.site_rules));
  }
  // Attach first, then snapshot /proc: whatever starts in between is in the
  // ring buffer, and its exec/fork records overwrite the snapshot's.
  if (options.source_factory) {
    ASSIGN_OR_RETURN(p->source_, options.source_factory());
  } else {
    ASSIGN_OR_RETURN(p->source_, OpenHostEventSource(options.collector));
  }
  if (options.snapshot) p->snapshot_processes_ = p->table_.LoadSnapshot(HostFs("/"));
  p->infer_setid_ = !p->source_->ObservesSetIdCalls();
  p->journal_path_ =
      options.journal_path.empty() ? DefaultEventJournalPath() : options.journal_path;
  p->status_path_ = StatusPathForJournal(p->journal_path_);
  if (options.persist) {
    auto journal = EventJournalWriter::Open(p->journal_path_, options.journal_bytes);
    if (journal.ok()) {
      p->journal_ = std::move(*journal);
    } else {
      // Watching still works; the event tables just will not see these events.
      p->journal_note_ =
          "events are not stored for the event tables: " + journal.status().message();
    }
  } else {
    p->journal_note_ = "events are not stored (persistence off)";
  }
  if (p->journal_ != nullptr) p->WriteStatusFile(true);
  return p;
}

HostEventPipeline::~HostEventPipeline() { Stop(); }

void HostEventPipeline::Stop() {
  if (stopped_) return;
  stopped_ = true;
  if (journal_ != nullptr) {
    journal_->Sync();
    WriteStatusFile(false);
  }
  source_.reset();
  journal_.reset();
}

Status HostEventPipeline::Poll(std::chrono::milliseconds timeout, const EventCallback& on_event,
                               const FindingCallback& on_finding) {
  if (stopped_) return Unavailable("the host event pipeline is stopped");
  auto polled = source_->Poll(timeout, [&](HostEvent& e) { Handle(e, on_event, on_finding); });
  int64_t now = NowNs();
  if (journal_ != nullptr && now - last_status_ns_ >= kStatusIntervalNs) {
    last_status_ns_ = now;
    WriteStatusFile(true);
  }
  if (journal_ != nullptr && now - last_sync_ns_ >= kSyncIntervalNs) {
    last_sync_ns_ = now;
    journal_->Sync();
  }
  return polled.ok() ? Status::Ok() : polled.status();
}

void HostEventPipeline::Handle(HostEvent& event, const EventCallback& on_event,
                               const FindingCallback& on_finding) {
  if (infer_setid_) {
    if (std::optional<HostEvent> change = table_.InferredCredentialChange(event)) {
      ++inferred_setid_;
      Handle(*change, on_event, on_finding);
    }
  }
  ++events_;
  int64_t previous_uid = -1, previous_euid = -1;
  table_.Apply(event, &previous_uid, &previous_euid);
  const uint16_t journal_kind = journal_ != nullptr ? JournalKindOf(event.kind) : 0;
  const bool ruled = rules_ != nullptr && rules_->Watches(event.kind);
  if (!on_event && !ruled && journal_kind == 0) return;  // forks and exits, usually
  EventView view = MakeEventView(event, table_, hostname_, previous_uid, previous_euid);
  view.user = context_.UserName(event.uid);
  view.cgroup = context_.CgroupPath(event.cgroup_id);
  view.container_id = HostContextResolver::ContainerIdOf(view.cgroup);
  if (journal_kind != 0) {
    std::string payload = journal_kind == kJournalProcessEvent
                              ? EncodeProcessEvent(event, view.ancestors)
                              : EncodeSocketEvent(event);
    auto seq = journal_->Append(journal_kind, event.time_ns, payload);
    if (seq.ok()) {
      event.id = *seq;
      ++journal_records_;
    } else {
      ++journal_errors_;
    }
  }
  findings_.clear();
  if (ruled) rules_->Evaluate(view, {}, &findings_);
  if (on_event) on_event(event, view);
  for (const Finding& f : findings_) {
    ++findings_total_;
    if (on_finding) on_finding(f);
  }
}

Json HostEventPipeline::StatusJson() const {
  Json j;
  CollectorStatus s = source_ != nullptr ? source_->Status() : CollectorStatus();
  int64_t now = NowNs();
  j["collector"] = Json{{"pid", static_cast<int64_t>(getpid())},
                        {"running", !stopped_},
                        {"host", hostname_},
                        {"started", FormatRfc3339(started_ns_ / 1000000000)},
                        {"updated", FormatRfc3339(now / 1000000000)},
                        {"updated_epoch", now / 1000000000},
                        {"uptime_seconds", (now - started_ns_) / 1000000000},
                        {"cpu_seconds", SelfCpuSeconds()},
                        {"rss_kb", SelfRssKb()}};
  j["tier"] = s.tier;
  j["tier_detail"] = s.tier_detail;
  Json hooks = Json::array();
  for (const HookStatus& h : s.hooks)
    hooks.push_back(
        Json{{"name", h.name}, {"kind", h.kind}, {"attached", h.attached}, {"events", h.events}});
  j["hooks"] = hooks;
  j["coverage_gaps"] = s.coverage_gaps;
  Json probes = Json::array();
  for (const FeatureProbe& p : s.probes)
    probes.push_back(Json{{"name", p.name}, {"available", p.available}, {"detail", p.detail}});
  j["probes"] = probes;
  j["events"] = CountersJson(s.events);
  uint64_t dropped = 0;
  for (const auto& [k, v] : s.drops) dropped += v;
  j["drops"] = CountersJson(s.drops);
  j["drops_total"] = dropped;
  j["notes"] = CountersJson(s.notes);
  j["events_processed"] = events_;
  if (infer_setid_) j["notes"]["setid_inferred_from_credentials"] = inferred_setid_;
  j["findings"] = findings_total_;
  j["rules"] = rules_ != nullptr ? rules_->rule_count() : 0;
  j["process_table"] = Json{{"size", table_.size()},
                            {"capacity", table_.capacity()},
                            {"evictions", table_.evictions()},
                            {"snapshot_processes", snapshot_processes_}};
  Json journal{{"path", journal_path_}};
  if (journal_ != nullptr) {
    journal["capacity_bytes"] = journal_->capacity();
    journal["records_written"] = journal_records_;
    journal["records_overwritten"] = journal_->overwritten();
    journal["write_errors"] = journal_errors_;
  }
  if (!journal_note_.empty()) journal["note"] = journal_note_;
  j["journal"] = journal;
  return j;
}

void HostEventPipeline::WriteStatusFile(bool running) const {
  Json j = StatusJson();
  j["collector"]["running"] = running;
  std::string temp = status_path_ + ".tmp." + std::to_string(getpid());
  {
    std::ofstream out(temp, std::ios::trunc);
    if (!out) return;
    out << j.dump(2) << "\n";
    if (!out) return;
  }
  std::rename(temp.c_str(), status_path_.c_str());
}

Result<Json> ReadCollectorStatus(const std::string& journal_path) {
  std::string path = StatusPathForJournal(journal_path);
  std::ifstream in(path);
  if (!in) return NotFound(path + ": no collector status");
  std::stringstream text;
  text << in.rdbuf();
  Json j;
  try {
    j = Json::parse(text.str());
  } catch (const std::exception& e) {
    return ParseError(path + ": " + e.what());
  }
  if (!j.is_object() || !j.contains("collector") || !j["collector"].is_object())
    return ParseError(path + ": not a collector status");
  Json& c = j["collector"];
  bool running = c.value("running", false);
  int64_t pid = c.value("pid", int64_t{0});
  int64_t updated = c.value("updated_epoch", int64_t{0});
  if (running && (pid <= 0 || (kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) ||
                  NowEpochSeconds() - updated > kStaleStatusSeconds))
    c["running"] = false;
  return j;
}

std::string FormatCollectorStatus(const Json& j) {
  std::ostringstream o;
  const Json& c = j.value("collector", Json::object());
  bool running = c.value("running", false);
  if (c.contains("pid")) {
    o << "Collector: " << (running ? "running" : "not running") << " (pid "
      << c.value("pid", int64_t{0}) << ", started " << c.value("started", std::string())
      << ", last update " << c.value("updated", std::string()) << ")\n";
  }
  o << "Tier:      " << j.value("tier", std::string()) << " - "
    << j.value("tier_detail", std::string()) << "\n";
  o << "Hooks:\n";
  for (const Json& h : j.value("hooks", Json::array()))
    o << "  " << (h.value("attached", false) ? "[attached] " : "[ -- ]     ")
      << h.value("kind", std::string()) << " " << h.value("name", std::string()) << ": "
      << h.value("events", std::string()) << "\n";
  const Json& gaps = j.value("coverage_gaps", Json::array());
  if (!gaps.empty()) {
    o << (j.value("tier", std::string()) == "fallback"
              ? "REDUCED COVERAGE - not seen in this tier:\n"
              : "Limits:\n");
    for (const Json& g : gaps) o << "  - " << g.get<std::string>() << "\n";
  }
  auto counters = [&](const char* title, const Json& m) {
    o << title;
    bool first = true;
    for (const auto& [k, v] : m.items()) {
      o << (first ? " " : ", ") << k << "=" << v.dump();
      first = false;
    }
    if (first) o << " none";
    o << "\n";
  };
  counters("Events:", j.value("events", Json::object()));
  counters("Drops:", j.value("drops", Json::object()));
  counters("Notes:", j.value("notes", Json::object()));
  if (j.contains("findings"))
    o << "Findings:  " << j["findings"].dump() << " (rules loaded: " << j.value("rules", 0)
      << ")\n";
  if (j.contains("process_table")) {
    const Json& t = j["process_table"];
    o << "Processes: " << t.value("size", 0) << " tracked (capacity " << t.value("capacity", 0)
      << ", evictions " << t.value("evictions", 0) << ")\n";
  }
  if (j.contains("journal")) {
    const Json& jr = j["journal"];
    o << "Journal:   " << jr.value("path", std::string());
    if (jr.contains("records_written"))
      o << " (" << (jr.value("capacity_bytes", uint64_t{0}) >> 20) << " MiB ring, "
        << jr["records_written"].dump() << " written, "
        << jr.value("records_overwritten", uint64_t{0}) << " overwritten)";
    if (jr.contains("note")) o << "\n           " << jr["note"].get<std::string>();
    o << "\n";
  }
  if (c.contains("cpu_seconds"))
    o << "Resources: " << c.value("cpu_seconds", 0.0) << " s CPU, " << c.value("rss_kb", int64_t{0})
      << " KiB RSS\n";
  const Json& probes = j.value("probes", Json::array());
  if (!probes.empty()) {
    o << "Kernel probes (tested by loading a program):\n";
    for (const Json& p : probes)
      o << "  " << (p.value("available", false) ? "yes " : "no  ") << p.value("name", std::string())
        << ": " << p.value("detail", std::string()) << "\n";
  }
  return o.str();
}

}  // namespace warden

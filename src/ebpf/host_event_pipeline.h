// HostEventPipeline is the host runtime-detection collector as a library:
// a HostEventSource (eBPF, or the fallback), the ProcessTable that gives each
// event its parent chain, the host rules that turn events into Findings, the
// EventJournal the event tables read, and a status file that `warden events
// status` reads while the collector runs. `warden events watch` runs one; the
// agent will run one the same way (Start, then Poll in its loop, then Stop)
// and route the findings to its problems store and sinks.
//
// Contract: Start opens and attaches everything or fails with a message that
// names what is missing. Poll, StatusJson and Stop are called from the
// thread that called Start; callbacks run on that thread, inside Poll. Poll
// returns after at most `timeout` plus the time to process what arrived.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/finding.h"
#include "core/status.h"
#include "ebpf/event_journal.h"
#include "ebpf/event_source.h"
#include "ebpf/host_context_resolver.h"
#include "ebpf/host_event_fields.h"
#include "ebpf/host_rules.h"
#include "ebpf/process_table.h"

namespace warden {

struct HostEventPipelineOptions {
  CollectorOptions collector;
  std::vector<std::string> rule_paths;  // extra rule files/directories (--rules)
  std::string site_rules;               // generated rule YAML, between the catalog and rule_paths
  bool evaluate_rules = true;
  bool persist = true;       // write the event journal and the status file
  std::string journal_path;  // "" = DefaultEventJournalPath()
  uint64_t journal_bytes = EventJournalWriter::kDefaultCapacity;
  size_t process_table_capacity = ProcessTable::kDefaultCapacity;
  bool snapshot = true;  // load the running processes at start-up
  // Where events come from; empty = OpenHostEventSource(collector). Tests and
  // benchmarks replay recorded events through it.
  std::function<Result<std::unique_ptr<HostEventSource>>()> source_factory;
};

// Where a collector writes its status, next to its journal.
std::string StatusPathForJournal(const std::string& journal_path);

class HostEventPipeline {
 public:
  using EventCallback = std::function<void(const HostEvent&, const EventView&)>;
  using FindingCallback = std::function<void(const Finding&)>;

  static Result<std::unique_ptr<HostEventPipeline>> Start(const HostEventPipelineOptions& options);
  ~HostEventPipeline();

  // Collects and processes events for up to `timeout`. Either callback may
  // be empty.
  Status Poll(std::chrono::milliseconds timeout, const EventCallback& on_event,
              const FindingCallback& on_finding);

  // The collector's status (tier, hooks, counters, drops, gaps, journal,
  // process table, CPU and memory) as written to the status file.
  Json StatusJson() const;
  CollectorStatus SourceStatus() const { return source_->Status(); }

  // Detaches the hooks and writes the final status. Idempotent.
  void Stop();

  const ProcessTable& process_table() const { return table_; }
  const HostRuleEngine* rules() const { return rules_.get(); }
  // Why events are not persisted ("" when they are).
  const std::string& journal_note() const { return journal_note_; }

 private:
  HostEventPipeline() = default;
  void Handle(HostEvent& event, const EventCallback& on_event, const FindingCallback& on_finding);
  void WriteStatusFile(bool running) const;

  HostEventPipelineOptions options_;
  std::unique_ptr<HostEventSource> source_;
  ProcessTable table_;
  HostContextResolver context_;
  std::unique_ptr<HostRuleEngine> rules_;
  std::unique_ptr<EventJournalWriter> journal_;
  std::string journal_path_;
  std::string status_path_;
  std::string journal_note_;
  std::string hostname_;
  std::vector<Finding> findings_;
  int64_t started_ns_ = 0;
  int64_t last_status_ns_ = 0;
  int64_t last_sync_ns_ = 0;
  uint64_t events_ = 0;
  uint64_t findings_total_ = 0;
  uint64_t journal_records_ = 0;
  uint64_t journal_errors_ = 0;
  size_t snapshot_processes_ = 0;
  bool stopped_ = false;
  bool infer_setid_ = false;  // the source does not see set*id calls (eBPF hooks mode)
  uint64_t inferred_setid_ = 0;
};

// Reads the status file of a collector; kNotFound when none was written.
// Sets "collector.running" to false when the collector's process is gone or
// the file is stale.
Result<Json> ReadCollectorStatus(const std::string& journal_path);

// The status as `warden events status` prints it for people.
std::string FormatCollectorStatus(const Json& status);

}  // namespace warden

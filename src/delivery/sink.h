// Sink is one configured destination for records, for every producer: the
// agent's results, problems, status and events, `warden trail`'s findings,
// and the server's notification channels. Types (file, stdout, syslog,
// splunk_hec, webhook, slack) each live in their own file with their own
// settings type and are found by name in the registry (sink_registry.h).
// A sink renders each record once (Render, in the format its config chose),
// then either delivers it at once (local sinks: file, stdout) or the
// rendering goes to the sink's durable queue, from which a delivery thread
// calls Deliver with batches (network sinks; see record_router.h).
// Deliver's contract: OK means the destination has every record of the
// batch (HTTP 2xx, or the bytes handed to the kernel for syslog); on any
// error nothing may be assumed delivered and the batch is retried later, so a
// receiver may see a record twice and de-duplicates by its id.
// Deliver is called from one thread at a time; Render from any thread.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/status.h"
#include "delivery/durable_queue.h"
#include "delivery/record.h"
#include "delivery/record_rendering.h"

namespace warden {

// The settings of one sink type (FileSinkSettings, SyslogSinkSettings, ...).
class SinkSettings {
 public:
  virtual ~SinkSettings() = default;
};

// What every sink has, whatever its type.
struct SinkConfig {
  std::string name;
  std::string type;  // the registry name: "file", "syslog", ...
  bool enabled = true;
  std::set<RecordKind> records;  // kinds routed here (test records always are)
  RecordFormat format = RecordFormat::kWarden;
  bool queued = false;  // network sinks: records go through a durable queue
  QueueConfig queue;    // when queued
  std::shared_ptr<const SinkSettings> settings;  // the type's own settings

  // The type's settings, or null when they are of another type.
  template <typename T>
  const T* SettingsAs() const {
    return dynamic_cast<const T*>(settings.get());
  }
};

class Sink {
 public:
  explicit Sink(SinkConfig config) : config_(std::move(config)) {}
  virtual ~Sink() = default;
  Sink(const Sink&) = delete;
  Sink& operator=(const Sink&) = delete;

  const SinkConfig& config() const { return config_; }
  const std::string& name() const { return config_.name; }
  bool Takes(RecordKind kind) const {
    return kind == RecordKind::kTest || config_.records.count(kind) > 0;
  }

  // The record as this sink stores and sends it (default: RenderRecord in
  // the configured format).
  virtual std::string Render(const Record& record) const;
  virtual Status Deliver(const std::vector<QueuedRecord>& batch) = 0;
  // Where records go, for people ("udp 127.0.0.1:514", "/var/lib/warden/results.jsonl").
  virtual std::string Destination() const = 0;

  // A rendered queued record, ready for Deliver or a queue.
  QueuedRecord Prepare(const Record& record) const;

 private:
  SinkConfig config_;
};

}  // namespace warden

// A Sink is one configured destination for records (sinks: in the config).
// The agent renders each record for the sink once (Render), then either
// delivers it at once (local sinks: file, stdout) or appends the rendering to
// the sink's durable queue, from which the delivery thread calls Deliver
// with batches (network sinks: syslog, Splunk HEC, webhook).
// Deliver's contract: OK means the destination has every record of the
// batch (HTTP 2xx, or the bytes handed to the kernel for syslog); on any
// error nothing may be assumed delivered and the batch is retried later, so a
// receiver may see a record twice and de-duplicates by its id.
// Deliver is called from one thread at a time; Render from any thread.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "agent/agent_config.h"
#include "agent/agent_record.h"
#include "agent/durable_queue.h"

namespace warden {

class RecordSink {
 public:
  explicit RecordSink(SinkConfig config) : config_(std::move(config)) {}
  virtual ~RecordSink() = default;
  RecordSink(const RecordSink&) = delete;
  RecordSink& operator=(const RecordSink&) = delete;

  const SinkConfig& config() const { return config_; }
  const std::string& name() const { return config_.name; }
  bool Takes(RecordKind kind) const {
    return kind == RecordKind::kTest || config_.records.count(kind) > 0;
  }

  // The record as this sink stores and sends it.
  virtual std::string Render(const AgentRecord& record) const;
  virtual Status Deliver(const std::vector<QueuedRecord>& batch) = 0;
  // Where records go, for people ("udp 127.0.0.1:514", "/var/lib/warden/results.jsonl").
  virtual std::string Destination() const = 0;

  // A rendered queued record, ready for Deliver or a queue.
  QueuedRecord Prepare(const AgentRecord& record) const;

 protected:
  // The body (or OCSF for problems when format: ocsf) as compact JSON.
  std::string RenderJson(const AgentRecord& record) const;

 private:
  SinkConfig config_;
};

// JSON lines in a file, rotated by size: path, path.1 ... path.<max_files-1>.
// Each Deliver appends and fdatasyncs, so a delivered line survives a crash.
class FileRecordSink : public RecordSink {
 public:
  explicit FileRecordSink(SinkConfig config);
  ~FileRecordSink() override;
  Status Deliver(const std::vector<QueuedRecord>& batch) override;
  std::string Destination() const override { return config().path; }

 private:
  Status OpenFile();
  Status Rotate();
  int fd_ = -1;
  int64_t size_ = 0;
};

// One line per record on the agent's stdout (jsonl, or "text" for people).
class StdoutRecordSink : public RecordSink {
 public:
  using RecordSink::RecordSink;
  std::string Render(const AgentRecord& record) const override;
  Status Deliver(const std::vector<QueuedRecord>& batch) override;
  std::string Destination() const override { return "stdout"; }
};

// Creates the sink a config describes (HTTP sinks come from http_sinks.h).
Result<std::unique_ptr<RecordSink>> MakeRecordSink(const SinkConfig& config,
                                                   const std::string& host_identifier);

}  // namespace warden

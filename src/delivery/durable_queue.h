// DurableQueue is the on-disk buffer in front of one network sink (syslog,
// Splunk HEC, webhook, Slack): records are appended by the producer, read in
// order by the sink's delivery thread, and removed only when the sink has
// acknowledged them. It is one SQLite file per sink (WAL, synchronous=FULL):
// an Append that returned OK survives kill -9 and power loss, and a crash at
// any moment leaves the file consistent (SQLite's journal, not ours).
// Bounded: the sum of payload bytes never exceeds QueueConfig::max_bytes.
// When a record does not fit, the drop policy decides: drop_oldest discards
// the oldest queued records to make room (freshest data wins), drop_newest
// refuses the incoming one (history wins). Either way the persistent drop
// counter says how many were lost, so loss is never silent.
// Delivery is at-least-once: a record sent but not yet acknowledged when the
// agent dies is sent again; every record carries a stable id for receivers to
// de-duplicate. Thread-safe (one internal mutex around one connection).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "delivery/record.h"
#include "sql/sqlite_database.h"

namespace warden {

enum class DropPolicy { kDropOldest, kDropNewest };

// The durable on-disk queue in front of one network sink, and how its
// delivery thread paces itself.
struct QueueConfig {
  int64_t max_bytes = 64ll << 20;
  DropPolicy drop_policy = DropPolicy::kDropOldest;
  int batch_records = 200;
  int64_t batch_bytes = 1ll << 20;
  // Upper bound on delivery speed, also while catching up after an outage.
  double max_records_per_second = 500;
  int64_t backoff_initial_ms = 1000;
  int64_t backoff_max_ms = 300000;
};

struct QueuedRecord {
  int64_t seq = 0;  // assigned by the queue, increasing
  RecordKind kind = RecordKind::kResult;
  std::string id;  // stable id for de-duplication by receivers
  int64_t time_ms = 0;
  int severity = 6;     // syslog severity (0 emergency .. 7 debug)
  std::string payload;  // the rendered record, as the sink sends it
};

struct QueueStats {
  int64_t records = 0;
  int64_t bytes = 0;
  int64_t dropped = 0;    // total since the queue was created
  int64_t delivered = 0;  // total acknowledged
  int64_t oldest_ms = 0;  // time of the oldest queued record, 0 when empty
};

class DurableQueue {
 public:
  static Result<std::unique_ptr<DurableQueue>> Open(const std::string& path,
                                                    const QueueConfig& config);

  // Appends in one transaction; returns how many records (incoming or queued)
  // the drop policy discarded to stay within max_bytes.
  Result<int64_t> Append(const std::vector<QueuedRecord>& records);
  // The oldest records, at most max_records and max_bytes (at least one record
  // when any is queued), in order.
  Result<std::vector<QueuedRecord>> Peek(int max_records, int64_t max_bytes);
  // Removes records first_seq..last_seq after the sink acknowledged them.
  Status Acknowledge(int64_t first_seq, int64_t last_seq);
  Result<QueueStats> Stats();
  // Applies a new bound and policy (config reload).
  void Reconfigure(const QueueConfig& config);
  const std::string& path() const { return db_->path(); }

 private:
  DurableQueue(std::unique_ptr<SqliteDatabase> db, const QueueConfig& config)
      : db_(std::move(db)), config_(config) {}
  Result<int64_t> Meta(const char* key);
  Status AddMeta(const char* key, int64_t delta);
  std::mutex mu_;
  std::unique_ptr<SqliteDatabase> db_;
  QueueConfig config_;
};

}  // namespace warden

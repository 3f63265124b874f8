// RecordRouter hands records to the sinks that take their kind; producers
// (detectors, scheduled queries, event sources, the notifier's callers) see
// only this interface. SinkRouter is the implementation the agent runs: local
// sinks (file, stdout) are written at once; network sinks get the record
// appended to their durable queue, and one delivery thread per network sink
// sends batches from it, acknowledging only what the destination accepted,
// retrying with exponential backoff and jitter, and pacing itself to the
// queue's max_records_per_second.
// Threads: Route may be called from any thread; Start, BeginStop and Stop
// from the owner's. Statuses() from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "delivery/sink_registry.h"

namespace warden {

class RecordRouter {
 public:
  virtual ~RecordRouter() = default;
  // Hands records to every sink that takes their kind: written (local sinks)
  // or appended to the durable queue (network sinks) when this returns OK.
  virtual Status Route(const std::vector<Record>& records) = 0;
};

// One sink as the agent's status reports it.
struct SinkStatus {
  std::string name;
  std::string type;
  std::string destination;
  RecordFormat format = RecordFormat::kWarden;
  std::set<RecordKind> records;
  bool queued = false;
  QueueConfig queue_config;
  std::optional<QueueStats> queue;  // queued sinks whose queue could be read
  int64_t delivered_since_start = 0;
  int64_t last_success_ms = 0;  // 0 = never
  int64_t consecutive_failures = 0;
  std::string last_error;
  int64_t next_attempt_ms = 0;  // when consecutive_failures > 0
};

// One delivery attempt of one sink, for an observer that keeps its own
// account of deliveries (the server's channel status).
struct DeliveryAttempt {
  std::string sink;  // the sink's name
  bool ok = false;
  int64_t records = 0;  // in the batch
  std::string error;    // why it failed, when !ok
  int64_t at_ms = 0;
};

class SinkRouter : public RecordRouter {
 public:
  using Log = std::function<void(const std::string&)>;
  using DeliveryObserver = std::function<void(const DeliveryAttempt&)>;
  // Builds every enabled sink and opens the queues of network sinks
  // (<queue_dir>/<name>.db); fails on the first sink that cannot be built.
  static Result<std::unique_ptr<SinkRouter>> Create(const std::vector<SinkConfig>& sinks,
                                                    const SinkContext& context,
                                                    const std::string& queue_dir, Log log);
  ~SinkRouter() override;

  // Hears every delivery attempt: from the delivery threads (network sinks)
  // and from Route (local sinks). Set before Start; must be quick.
  void SetDeliveryObserver(DeliveryObserver observer) { observer_ = std::move(observer); }
  // Starts the delivery threads.
  void Start();
  // Asks the delivery threads to end (they finish the batch in hand).
  void BeginStop();
  // BeginStop, then waits for them.
  void Stop();

  Status Route(const std::vector<Record>& records) override;
  std::vector<SinkStatus> Statuses() const;

 private:
  struct Slot;
  explicit SinkRouter(Log log);
  void DeliveryLoop(Slot& slot);

  void Observe(const std::string& sink, const Status& status, size_t records) const;

  Log log_;
  DeliveryObserver observer_;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::atomic<bool> stopping_{false};
};

// Where a network sink's queue lives.
std::string SinkQueuePath(const std::string& queue_dir, const std::string& sink_name);

}  // namespace warden

#include "delivery/record_router.h"

#include <condition_variable>
#include <mutex>
#include <random>
#include <thread>

#include "core/time_format.h"

namespace warden {

struct SinkRouter::Slot {
  std::unique_ptr<Sink> sink;
  std::unique_ptr<DurableQueue> queue;  // network sinks only
  std::thread thread;
  mutable std::mutex mu;
  std::condition_variable cv;
  bool wake = false;
  // Status, under mu.
  int64_t delivered = 0;
  int64_t failures = 0;
  int64_t consecutive_failures = 0;
  int64_t last_success_ms = 0;
  int64_t next_attempt_ms = 0;
  std::string last_error;
};

std::string SinkQueuePath(const std::string& queue_dir, const std::string& sink_name) {
  return queue_dir + "/" + sink_name + ".db";
}

SinkRouter::SinkRouter(Log log) : log_(std::move(log)) {
  if (!log_) log_ = [](const std::string&) {};
}

SinkRouter::~SinkRouter() { Stop(); }

Result<std::unique_ptr<SinkRouter>> SinkRouter::Create(const std::vector<SinkConfig>& sinks,
                                                       const SinkContext& context,
                                                       const std::string& queue_dir, Log log) {
  std::unique_ptr<SinkRouter> router(new SinkRouter(std::move(log)));
  SinkContext sink_context = context;
  if (!sink_context.log) sink_context.log = router->log_;
  for (const SinkConfig& sc : sinks) {
    if (!sc.enabled) continue;
    auto slot = std::make_unique<Slot>();
    ASSIGN_OR_RETURN(slot->sink, MakeSink(sc, sink_context));
    if (sc.queued) {
      auto q = DurableQueue::Open(SinkQueuePath(queue_dir, sc.name), sc.queue);
      if (!q.ok()) return q.status().WithContext("sink " + sc.name);
      slot->queue = std::move(*q);
    }
    router->slots_.push_back(std::move(slot));
  }
  return router;
}

void SinkRouter::Observe(const std::string& sink, const Status& status, size_t records) const {
  if (!observer_) return;
  DeliveryAttempt attempt;
  attempt.sink = sink;
  attempt.ok = status.ok();
  attempt.records = static_cast<int64_t>(records);
  if (!status.ok()) attempt.error = std::string(status.message());
  attempt.at_ms = NowEpochMillis();
  observer_(attempt);
}

void SinkRouter::Start() {
  for (auto& slot : slots_)
    if (slot->queue && !slot->thread.joinable())
      slot->thread = std::thread([this, s = slot.get()] { DeliveryLoop(*s); });
}

void SinkRouter::BeginStop() {
  stopping_.store(true);
  for (auto& slot : slots_) {
    {
      std::lock_guard<std::mutex> lock(slot->mu);
      slot->wake = true;
    }
    slot->cv.notify_all();
  }
}

void SinkRouter::Stop() {
  BeginStop();
  for (auto& slot : slots_)
    if (slot->thread.joinable()) slot->thread.join();
}

Status SinkRouter::Route(const std::vector<Record>& records) {
  if (records.empty()) return Status::Ok();
  Status first_error;
  for (auto& slot : slots_) {
    std::vector<QueuedRecord> batch;
    for (const Record& r : records)
      if (slot->sink->Takes(r.kind)) batch.push_back(slot->sink->Prepare(r));
    if (batch.empty()) continue;
    const std::string& name = slot->sink->name();
    if (slot->queue) {
      auto dropped = slot->queue->Append(batch);
      if (!dropped.ok()) {
        log_("sink " + name + ": cannot queue records: " + dropped.status().message());
        if (first_error.ok()) first_error = dropped.status().WithContext("sink " + name);
        continue;
      }
      if (*dropped > 0)
        log_("sink " + name + ": queue full (" +
             std::to_string(slot->sink->config().queue.max_bytes) +
             " bytes), drop policy dropped " + std::to_string(*dropped) + " record(s)");
      {
        std::lock_guard<std::mutex> lock(slot->mu);
        slot->wake = true;
      }
      slot->cv.notify_all();
    } else {
      std::lock_guard<std::mutex> lock(slot->mu);
      Status st = slot->sink->Deliver(batch);
      Observe(name, st, batch.size());
      if (st.ok()) {
        slot->delivered += static_cast<int64_t>(batch.size());
        slot->last_success_ms = NowEpochMillis();
        slot->consecutive_failures = 0;
      } else {
        ++slot->failures;
        ++slot->consecutive_failures;
        if (slot->last_error != st.message()) log_("sink " + name + ": " + st.message());
        slot->last_error = st.message();
      }
    }
  }
  return first_error;
}

std::vector<SinkStatus> SinkRouter::Statuses() const {
  std::vector<SinkStatus> out;
  for (const auto& slot : slots_) {
    const SinkConfig& c = slot->sink->config();
    SinkStatus s;
    s.name = c.name;
    s.type = c.type;
    s.destination = slot->sink->Destination();
    s.format = c.format;
    s.records = c.records;
    s.queued = slot->queue != nullptr;
    s.queue_config = c.queue;
    if (slot->queue) {
      auto qs = slot->queue->Stats();
      if (qs.ok()) s.queue = *qs;
    }
    std::lock_guard<std::mutex> lock(slot->mu);
    s.delivered_since_start = slot->delivered;
    s.last_success_ms = slot->last_success_ms;
    s.consecutive_failures = slot->consecutive_failures;
    s.last_error = slot->last_error;
    s.next_attempt_ms = slot->next_attempt_ms;
    out.push_back(std::move(s));
  }
  return out;
}

void SinkRouter::DeliveryLoop(Slot& slot) {
  const QueueConfig& qc = slot.sink->config().queue;
  const std::string& name = slot.sink->name();
  int64_t backoff = qc.backoff_initial_ms;
  std::mt19937_64 rng(std::random_device{}());
  auto wait_ms = [&](int64_t ms) {
    std::unique_lock<std::mutex> lock(slot.mu);
    slot.cv.wait_for(lock, std::chrono::milliseconds(ms), [&] { return stopping_.load(); });
  };
  while (!stopping_.load()) {
    auto batch = slot.queue->Peek(qc.batch_records, qc.batch_bytes);
    if (!batch.ok()) {
      log_("sink " + name + ": cannot read its queue: " + batch.status().message());
      wait_ms(backoff);
      continue;
    }
    if (batch->empty()) {
      std::unique_lock<std::mutex> lock(slot.mu);
      slot.cv.wait(lock, [&] { return slot.wake || stopping_.load(); });
      slot.wake = false;
      continue;
    }
    Status st = slot.sink->Deliver(*batch);
    if (st.ok()) st = slot.queue->Acknowledge(batch->front().seq, batch->back().seq);
    Observe(name, st, batch->size());
    if (st.ok()) {
      {
        std::lock_guard<std::mutex> lock(slot.mu);
        if (slot.consecutive_failures > 0)
          log_("sink " + name + ": delivering again after " +
               std::to_string(slot.consecutive_failures) + " failed attempt(s)");
        slot.delivered += static_cast<int64_t>(batch->size());
        slot.last_success_ms = NowEpochMillis();
        slot.consecutive_failures = 0;
        slot.last_error.clear();
      }
      backoff = qc.backoff_initial_ms;
      // Pacing: at most max_records_per_second, also while catching up.
      const int64_t pause = static_cast<int64_t>(1000.0 * static_cast<double>(batch->size()) /
                                                 qc.max_records_per_second);
      if (pause > 0) wait_ms(pause);
      continue;
    }
    // Exponential backoff with jitter (0.5x..1.5x), capped.
    const int64_t delay =
        std::uniform_int_distribution<int64_t>(backoff / 2, backoff + backoff / 2)(rng);
    {
      std::lock_guard<std::mutex> lock(slot.mu);
      ++slot.failures;
      ++slot.consecutive_failures;
      slot.next_attempt_ms = NowEpochMillis() + delay;
      if (slot.consecutive_failures == 1 || slot.last_error != st.message())
        log_(
            "sink " + name +
            ": delivery failed, records stay queued and are retried with backoff: " + st.message());
      slot.last_error = st.message();
    }
    wait_ms(delay);
    backoff = std::min(backoff * 2, qc.backoff_max_ms);
  }
}

}  // namespace warden

// ChannelDelivery sends the fleet's problem events and the audit log to the
// notification channels, off the request and ingest paths.
//
// Where events come from: every problem lifecycle change, whoever makes it
// (an agent's record batch, a dismissal on the server, a bulk action, later
// the server's own jobs), is one row of the problem history, written in the
// same transaction as the change; every audited change is one row of the
// audit log. Those two tables are the feeds: one background thread reads the
// rows after its position in each (kept in the store's settings, so a
// restart neither loses nor repeats events beyond at-least-once), evaluates
// each channel's triggers (kinds, minimum risk, rule ids, host labels,
// actions) and hands matching records to the channel's sink. Nothing that
// changes a problem has to know that channels exist; a change committed is
// notified even if the server stops right after. A new server starts at the
// end of both feeds (no notifications for history that predates it).
//
// How records leave: each enabled channel is one src/delivery sink behind a
// SinkRouter with its own durable queue (<state_dir>/channels/channel-<id>.db)
// and delivery thread, retrying with exponential backoff (QueueConfig) — the
// agent's machinery, unchanged. File channels write at once
// (<state_dir>/files/...). Every attempt is added to the channel's delivery
// account in the store (state, last success, last error — what the receiver
// answered or why it could not be reached —, delivered and failed counts),
// so a failing channel shows in the API and /metrics, never only in a log.
//
// Test sends (Test) use a fresh sink of the same type and settings with one
// attempt and a time limit, and report the receiver's HTTP status and the
// start of its answer.
//
// Threads: every public method may be called from any thread. Reload and
// Remove wait for an attempt in flight on that channel to end (at most its
// timeout). Not here: HTTP handlers, checking settings (channel_settings.h).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "api/openapi_spec.h"
#include "delivery/durable_queue.h"
#include "store/store.h"

namespace warden::server {

struct ChannelDeliveryOptions {
  // Queues go to <state_dir>/channels, file channels to <state_dir>/files.
  std::string state_dir;
  // How often the feeds are read when there is nothing new.
  std::chrono::milliseconds poll_interval{1000};
  // Every channel queue's bound, drop policy, pacing and backoff.
  QueueConfig queue;
  // The server's host name, as records name their source.
  std::string host_identifier;
  // Where delivery problems are also said (the server's log); may be empty.
  std::function<void(const std::string&)> log;
};

// What only the running delivery knows about a channel.
struct ChannelLiveStatus {
  int64_t queue_depth = 0;  // records waiting
  int64_t dropped = 0;      // records the full queue discarded, ever
};

struct ChannelTestOutcome {
  bool ok = false;
  std::optional<int64_t> http_status;  // HTTP channels that got an answer
  std::optional<std::string> body_excerpt;
  int64_t elapsed_ms = 0;
  std::optional<std::string> error;  // why it was not delivered
};

class ChannelDelivery {
 public:
  // Loads every channel, starts the enabled ones and the feed thread.
  static Result<std::unique_ptr<ChannelDelivery>> Start(store::Store& store,
                                                        const api::OpenApiSpec& spec,
                                                        ChannelDeliveryOptions options);
  ~ChannelDelivery();
  ChannelDelivery(const ChannelDelivery&) = delete;
  ChannelDelivery& operator=(const ChannelDelivery&) = delete;

  // Stops the feed thread and every channel's delivery (records stay queued).
  // Idempotent; the store must still be open.
  void Stop();

  // After a change to channel `id` was committed: reloads it from the store
  // and restarts (or stops, when disabled) its delivery with the new
  // settings. Its queue carries over.
  void Reload(int64_t id);
  // After channel `id` was deleted: stops its delivery and drops its queue.
  void Remove(int64_t id);

  ChannelLiveStatus Live(int64_t id) const;

  // Refused (seconds to wait) when this channel was tested too often
  // lately or a test of it is running; otherwise the caller must call
  // EndTest(id) after Test.
  std::optional<std::chrono::seconds> BeginTest(int64_t id);
  void EndTest(int64_t id);
  // Sends one test record now (one attempt, at most `limit`).
  ChannelTestOutcome Test(const store::Channel& channel, std::chrono::milliseconds limit);

  // Reads the feeds now instead of at the next poll.
  void Wake();

  // Prometheus text: per channel queue depth, delivered, failed, dropped,
  // and whether it is failing.
  std::string MetricsText() const;

 private:
  struct Impl;
  explicit ChannelDelivery(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace warden::server

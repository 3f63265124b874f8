// PeriodicJobs runs the server's own housekeeping (dismissal expiry, and
// whatever else must happen without a request) on one background thread:
// each job every `interval`, one after another, never two at once, so a job
// needs no locking against itself. Each run's outcome is kept for /metrics
// and reported when it fails; a failing job runs again at its next interval.
// Stop wakes the thread and waits for the job in progress.
// Not here: what the jobs do, work that must answer a request (the worker
// pool), timers finer than a second.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/status.h"

namespace warden::server {

struct PeriodicJobState {
  std::string name;
  uint64_t runs = 0;
  uint64_t failures = 0;
  std::string last_error;  // empty after a successful run
};

class PeriodicJobs {
 public:
  using Job = std::function<Status()>;

  // `error_log` hears each failed run ("job NAME failed: ...").
  explicit PeriodicJobs(std::function<void(std::string_view)> error_log)
      : error_log_(std::move(error_log)) {}
  ~PeriodicJobs();
  PeriodicJobs(const PeriodicJobs&) = delete;
  PeriodicJobs& operator=(const PeriodicJobs&) = delete;

  // Before Start only. The first run is one interval after Start.
  void Add(std::string name, std::chrono::milliseconds interval, Job job);
  void Start();
  // Idempotent.
  void Stop();
  // Runs every job once now, on the caller's thread, between scheduled runs
  // (tests, and a server that wants the effect before it answers).
  void RunAllNow();

  std::vector<PeriodicJobState> States() const;

 private:
  struct Entry {
    PeriodicJobState state;
    std::chrono::milliseconds interval{};
    std::chrono::steady_clock::time_point next;
    Job job;
  };
  void Loop();
  void RunLocked(Entry& entry, std::unique_lock<std::mutex>& lock);

  std::function<void(std::string_view)> error_log_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  bool stopping_ = false;
  bool running_job_ = false;
  std::vector<Entry> entries_;
  std::thread thread_;
};

}  // namespace warden::server

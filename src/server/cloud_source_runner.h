// CloudSourceRunner runs the server's cloud sources: one follower thread per
// enabled directory source (src/cloud/cloud_source_follower.h) with its
// account's effective rules, started from the positions the store kept.
// Each file a follower read is stored in one Store::Write: the problems it
// raised (cloud_problems.h), the file's position and the source's health
// counters, so a restart neither repeats nor skips and the health matches
// what was stored.
//
// Reconcile() compares the enabled sources with the running followers: it
// starts new ones, stops those of deleted or disabled sources, and restarts
// a follower whose source, account or organisation changed since it started
// (other rules, another directory). The server calls it every few seconds
// and the handlers call it after a change, so a change applies at once. A
// follower that stopped on an error (the store refused a write) is started
// again from the stored positions once `retry_after` has passed.
//
// Not here: the API (cloud_handlers.cc), evaluating events (src/cloud),
// delivering notifications (the channels read the problems' history).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "core/status.h"
#include "store/store.h"

namespace warden::server {

class CloudSourceRunner {
 public:
  struct Options {
    // How often a follower looks for new files and appended lines.
    std::chrono::milliseconds poll_interval{2000};
    std::chrono::milliseconds retry_after{30000};
  };

  // `now` is the server's clock; `log` hears a follower that stopped on an
  // error.
  CloudSourceRunner(store::Store& store, std::function<store::EpochMs()> now,
                    std::function<void(std::string_view)> log, Options options);
  ~CloudSourceRunner();
  CloudSourceRunner(const CloudSourceRunner&) = delete;
  CloudSourceRunner& operator=(const CloudSourceRunner&) = delete;

  Status Reconcile();
  // Stops every follower; Reconcile does nothing afterwards.
  void Stop();
  // Followers running now (for /metrics and tests).
  size_t running() const;

 private:
  struct Follower;
  struct Wanted;
  void StartLocked(const Wanted& wanted);

  store::Store& store_;
  std::function<store::EpochMs()> now_;
  std::function<void(std::string_view)> log_;
  Options options_;
  mutable std::mutex mu_;
  bool stopped_ = false;
  std::map<int64_t, std::unique_ptr<Follower>> followers_;  // by source id
};

}  // namespace warden::server

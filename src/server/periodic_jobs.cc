#include "server/periodic_jobs.h"

#include <algorithm>

namespace warden::server {

PeriodicJobs::~PeriodicJobs() { Stop(); }

void PeriodicJobs::Add(std::string name, std::chrono::milliseconds interval, Job job) {
  std::lock_guard<std::mutex> lock(mu_);
  Entry e;
  e.state.name = std::move(name);
  e.interval = interval;
  e.job = std::move(job);
  entries_.push_back(std::move(e));
}

void PeriodicJobs::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable() || stopping_) return;
  const auto now = std::chrono::steady_clock::now();
  for (Entry& e : entries_) e.next = now + e.interval;
  thread_ = std::thread([this] { Loop(); });
}

void PeriodicJobs::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

// Runs one job with the lock released; one job at a time across the loop
// and RunAllNow.
void PeriodicJobs::RunLocked(Entry& entry, std::unique_lock<std::mutex>& lock) {
  idle_.wait(lock, [&] { return !running_job_; });
  running_job_ = true;
  Job job = entry.job;
  lock.unlock();
  Status status = job();
  lock.lock();
  running_job_ = false;
  entry.state.runs++;
  if (status.ok()) {
    entry.state.last_error.clear();
  } else {
    entry.state.failures++;
    entry.state.last_error = std::string(status.message());
    if (error_log_) error_log_("job " + entry.state.name + " failed: " + entry.state.last_error);
  }
  idle_.notify_all();
}

void PeriodicJobs::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    auto soonest = std::chrono::steady_clock::time_point::max();
    for (const Entry& e : entries_) soonest = std::min(soonest, e.next);
    if (soonest == std::chrono::steady_clock::time_point::max()) {
      wake_.wait(lock, [&] { return stopping_; });
      break;
    }
    if (wake_.wait_until(lock, soonest, [&] { return stopping_; })) break;
    const auto now = std::chrono::steady_clock::now();
    for (Entry& e : entries_) {
      if (stopping_) break;
      if (e.next > now) continue;
      RunLocked(e, lock);
      e.next = std::chrono::steady_clock::now() + e.interval;
    }
  }
}

void PeriodicJobs::RunAllNow() {
  std::unique_lock<std::mutex> lock(mu_);
  for (Entry& e : entries_) RunLocked(e, lock);
}

std::vector<PeriodicJobState> PeriodicJobs::States() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<PeriodicJobState> out;
  out.reserve(entries_.size());
  for (const Entry& e : entries_) out.push_back(e.state);
  return out;
}

}  // namespace warden::server

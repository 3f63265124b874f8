#include "agent/job_runner.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace warden {

int64_t SteadyClockMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

namespace {

struct QueuedJob {
  std::string name;
  int64_t budget_ms = 0;
  JobRunner::Body body;
};

}  // namespace

// One worker thread. Its fields (but `thread`) are under Shared::mu.
struct JobRunner::Worker {
  std::thread thread;  // owner thread only; detached when abandoned
  bool busy = false;
  bool abandoned = false;  // leave after the current job
  bool ended = false;
  bool stuck = false;
  std::string job;
  int64_t started_ms = 0;
  int64_t budget_ms = 0;
  std::atomic<bool> interrupt{false};
};

// What the worker threads share with the runner. Held by shared_ptr from
// both sides: an abandoned worker may outlive the runner.
struct JobRunner::Shared {
  std::function<int64_t()> clock;
  std::mutex mu;
  std::condition_variable work_cv;  // a job was queued, or stop
  std::condition_variable idle_cv;  // a worker finished a job or ended
  std::deque<QueuedJob> queue;
  bool stopping = false;
  std::shared_ptr<Worker> active;                  // the worker taking the queue
  std::vector<std::shared_ptr<Worker>> abandoned;  // left to stuck jobs, until they end
};

void JobRunner::WorkerLoop(const std::shared_ptr<Shared>& shared,
                           const std::shared_ptr<Worker>& worker) {
  std::unique_ptr<WorkerResources> resources;
  for (;;) {
    QueuedJob job;
    {
      std::unique_lock<std::mutex> lock(shared->mu);
      shared->work_cv.wait(
          lock, [&] { return shared->stopping || worker->abandoned || !shared->queue.empty(); });
      if (shared->stopping || worker->abandoned) break;
      job = std::move(shared->queue.front());
      shared->queue.pop_front();
      worker->busy = true;
      worker->stuck = false;
      worker->job = job.name;
      worker->budget_ms = job.budget_ms;
      worker->started_ms = shared->clock();
      worker->interrupt.store(false);
    }
    JobContext context{resources, worker->interrupt};
    job.body(context);
    job.body = nullptr;
    bool leave;
    {
      std::lock_guard<std::mutex> lock(shared->mu);
      worker->busy = false;
      leave = worker->abandoned;
    }
    shared->idle_cv.notify_all();
    if (leave) break;
  }
  resources.reset();  // on this thread, as they were made
  {
    std::lock_guard<std::mutex> lock(shared->mu);
    worker->ended = true;
  }
  shared->idle_cv.notify_all();
}

JobRunner::RunningJob JobRunner::Describe(const Worker& w, int64_t now) {
  return {w.job, now - w.started_ms, w.budget_ms, w.stuck};
}

JobRunner::JobRunner(JobRunnerOptions options)
    : options_(std::move(options)), shared_(std::make_shared<Shared>()) {
  if (!options_.clock) options_.clock = SteadyClockMs;
  shared_->clock = options_.clock;
}

JobRunner::~JobRunner() {
  if (!stopped_) Stop(std::chrono::milliseconds(0));
}

void JobRunner::StartWorkerLocked() {
  auto worker = std::make_shared<Worker>();
  worker->thread = std::thread(WorkerLoop, shared_, worker);
  shared_->active = std::move(worker);
}

void JobRunner::Submit(std::string name, int64_t budget_ms, Body body) {
  {
    std::lock_guard<std::mutex> lock(shared_->mu);
    if (shared_->stopping) return;
    if (!shared_->active) StartWorkerLocked();
    shared_->queue.push_back({std::move(name), budget_ms, std::move(body)});
  }
  shared_->work_cv.notify_all();
}

JobRunner::WatchResult JobRunner::Watch() {
  WatchResult result;
  const int64_t now = options_.clock();
  {
    std::lock_guard<std::mutex> lock(shared_->mu);
    auto& gone = shared_->abandoned;
    gone.erase(std::remove_if(gone.begin(), gone.end(), [](const auto& w) { return w->ended; }),
               gone.end());
    Worker* w = shared_->active.get();
    if (w == nullptr || !w->busy || w->stuck || shared_->stopping) return result;
    const int64_t stuck_at = w->started_ms + w->budget_ms + options_.stuck_grace_ms;
    if (now < stuck_at) {
      result.next_check_in_ms = stuck_at - now;
      return result;
    }
    w->stuck = true;
    w->interrupt.store(true);
    result.newly_stuck.push_back(Describe(*w, now));
    if (gone.size() < options_.max_abandoned) {
      w->abandoned = true;
      shared_->active->thread.detach();
      gone.push_back(std::move(shared_->active));
      StartWorkerLocked();
    }
  }
  shared_->work_cv.notify_all();
  return result;
}

std::vector<JobRunner::RunningJob> JobRunner::Running() const {
  const int64_t now = options_.clock();
  std::vector<RunningJob> out;
  std::lock_guard<std::mutex> lock(shared_->mu);
  for (const auto& w : shared_->abandoned)
    if (w->busy) out.push_back(Describe(*w, now));
  if (shared_->active && shared_->active->busy) out.push_back(Describe(*shared_->active, now));
  return out;
}

std::vector<JobRunner::RunningJob> JobRunner::Stop(std::chrono::milliseconds grace) {
  BeginStop();
  return FinishStop(std::chrono::steady_clock::now() + grace);
}

void JobRunner::BeginStop() {
  std::deque<QueuedJob> dropped;
  {
    std::lock_guard<std::mutex> lock(shared_->mu);
    shared_->stopping = true;
    dropped.swap(shared_->queue);
    if (shared_->active) shared_->active->interrupt.store(true);
    for (const auto& w : shared_->abandoned) w->interrupt.store(true);
  }
  shared_->work_cv.notify_all();
  // `dropped` goes here, outside the lock: bodies may own anything.
}

std::vector<JobRunner::RunningJob> JobRunner::FinishStop(
    std::chrono::steady_clock::time_point deadline) {
  if (stopped_) return {};
  stopped_ = true;
  std::shared_ptr<Worker> active;
  std::vector<RunningJob> left;
  {
    std::unique_lock<std::mutex> lock(shared_->mu);
    shared_->idle_cv.wait_until(lock, deadline,
                                [&] { return !shared_->active || shared_->active->ended; });
    active = std::move(shared_->active);
    const int64_t now = options_.clock();
    for (const auto& w : shared_->abandoned)
      if (w->busy) left.push_back(Describe(*w, now));
    if (active && !active->ended) {
      active->abandoned = true;
      if (active->busy) left.push_back(Describe(*active, now));
    }
  }
  if (active) {
    // Join a worker that is done; leave one still in its job. A body that
    // drops the last reference to the runner's owner runs this on the worker
    // itself, which must not join itself either.
    if (active->thread.joinable()) {
      if (active->ended && active->thread.get_id() != std::this_thread::get_id())
        active->thread.join();
      else
        active->thread.detach();
    }
  }
  return left;
}

}  // namespace warden

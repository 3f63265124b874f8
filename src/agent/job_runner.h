// JobRunner runs the agent's jobs one at a time, in the order they were
// submitted, on a worker thread, and makes sure that no job can hold up the
// others or the agent's shutdown:
//   - A job still running `stuck_grace_ms` past its own budget is stuck: its
//     interrupt flag is set, Watch() reports it once, Running() shows it, and
//     its worker thread is left to it (abandoned) while a fresh worker takes
//     the queue. An abandoned worker ends by itself when its job returns, if
//     it ever does (a read blocked on a FIFO does not honour an interrupt).
//   - Stop() sets every running job's interrupt, drops the queued ones and
//     waits at most a grace period. A job that has not returned by then is
//     abandoned, not joined: the agent goes on (or the process exits, which
//     ends the thread) instead of waiting forever. This is a deliberate
//     choice: a thread cannot be killed safely, and a job that ignores its
//     interrupt is blocked in the kernel, where the only clean way out is the
//     end of the process.
// Consequences for job bodies: a body may outlive the JobRunner and its
// owner, so it must hold what it touches after the wait through shared or
// weak pointers, never a bare `this` of an owner that may be gone.
// Deliberately simple: one worker at a time runs the queue (CPU use stays that
// of one job), no priorities. At most max_abandoned workers are left to stuck
// jobs; past that a stuck job is reported but holds the queue, so a host where
// every job hangs does not grow threads without bound.
// Threads: Submit, Watch, Running and Stop are called from one owner thread
// (the agent's main loop; Running from any thread); bodies run on workers.
// Budgets are measured with the injected clock (monotonic milliseconds), so
// tests can move time; Stop's grace is real time.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace warden {

// Monotonic milliseconds (std::chrono::steady_clock).
int64_t SteadyClockMs();

struct JobRunnerOptions {
  // How far past its budget a job may run before it counts as stuck: a job
  // that honours its interrupt stops within milliseconds of its budget.
  int64_t stuck_grace_ms = 3000;
  // Workers that may be left to stuck jobs at once.
  size_t max_abandoned = 4;
  std::function<int64_t()> clock = SteadyClockMs;
};

class JobRunner {
 public:
  // What a worker thread keeps between the jobs it runs (SQLite connections
  // belong to one thread): created by a job body on first use, destroyed on
  // the worker's own thread when the worker ends.
  class WorkerResources {
   public:
    virtual ~WorkerResources() = default;
  };

  // Given to a job body; both belong to the worker running it.
  struct JobContext {
    std::unique_ptr<WorkerResources>& resources;
    // Set when the job should stop as soon as it can (stuck, or Stop()).
    std::atomic<bool>& interrupt;
  };
  using Body = std::function<void(JobContext&)>;

  struct RunningJob {
    std::string name;
    int64_t running_ms = 0;
    int64_t budget_ms = 0;
    bool stuck = false;
  };

  struct WatchResult {
    std::vector<RunningJob> newly_stuck;
    // When Watch() has something to look at next (ms from now); -1: nothing
    // is running.
    int64_t next_check_in_ms = -1;
  };

  explicit JobRunner(JobRunnerOptions options = {});
  // Stop(0) when Stop was not called. Never joins a thread that is still busy.
  ~JobRunner();
  JobRunner(const JobRunner&) = delete;
  JobRunner& operator=(const JobRunner&) = delete;

  // Queues a job; it may run up to budget_ms (+ the grace) before it is
  // stuck. The caller keeps one job of a name at a time (the agent does not
  // queue a job that is queued or running, stuck ones included). Ignored
  // after Stop.
  void Submit(std::string name, int64_t budget_ms, Body body);

  // Looks for a running job past its budget: marks it stuck, interrupts it,
  // abandons its worker and starts a fresh one. Call it from the scheduler's
  // loop, again after next_check_in_ms.
  WatchResult Watch();

  // The jobs running now, stuck ones (abandoned workers) included.
  std::vector<RunningJob> Running() const;

  // Interrupts running jobs, drops queued ones, waits up to `grace` for the
  // running job to return and abandons it otherwise. Returns the jobs left
  // running (abandoned now or before). Stop(g) = BeginStop() +
  // FinishStop(now + g); the split lets an owner stop several runners within
  // one grace period.
  std::vector<RunningJob> Stop(std::chrono::milliseconds grace);
  void BeginStop();
  std::vector<RunningJob> FinishStop(std::chrono::steady_clock::time_point deadline);

 private:
  struct Shared;
  struct Worker;
  // The worker thread; it holds only shared pointers, never the runner.
  static void WorkerLoop(const std::shared_ptr<Shared>& shared,
                         const std::shared_ptr<Worker>& worker);
  static RunningJob Describe(const Worker& worker, int64_t now);
  void StartWorkerLocked();

  JobRunnerOptions options_;
  std::shared_ptr<Shared> shared_;
  bool stopped_ = false;
};

}  // namespace warden

// WorkerPool runs request handlers off the I/O threads: a fixed set of
// threads and a bounded FIFO queue. When the queue is full TrySubmit refuses
// the task at once, so an overloaded server answers 503 quickly instead of
// queueing without bound. Not a general executor: no priorities, no futures,
// no resizing.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace warden::server {

class WorkerPool {
 public:
  // `threads` >= 1; `max_queued` tasks may wait beyond those running.
  WorkerPool(int threads, size_t max_queued);
  ~WorkerPool();  // Shutdown()
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues `task`; false (and the task is dropped) when the queue is full or
  // the pool is shutting down. Thread-safe. A task must not throw.
  bool TrySubmit(std::function<void()> task);
  // Stops taking tasks, runs those already queued, joins the threads.
  // Idempotent; must not be called from a worker thread.
  void Shutdown();

  size_t queued() const;

 private:
  void Run();

  const size_t max_queued_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace warden::server

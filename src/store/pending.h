// Pending<T> is the outcome of a store write that has been queued but not yet
// committed: the store's single writer thread runs writes in batched
// transactions, and a write's outcome is known only once its batch commits.
// The caller either waits (Wait, from a worker thread) or attaches a
// continuation (Then) that the writer thread calls right after the commit -
// the way an HTTP handler answers "accepted" only once the data is durable,
// without holding a thread. A Pending is a cheap shared handle; copies see the
// same outcome. Not a general future: one continuation, no chaining.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

#include "core/status.h"

namespace warden::store {

// The value of a write that returns nothing but its success.
struct Committed {};

namespace internal {
// True on a store's writer thread, where waiting for a write would deadlock.
inline thread_local bool on_store_writer_thread = false;
}  // namespace internal

template <typename T>
class Pending {
 public:
  using Callback = std::function<void(Result<T>)>;

  Pending() : state_(std::make_shared<State>()) {}

  // Blocks until the write committed or failed. Called on the store's writer
  // thread (from inside a write or a continuation) it returns kInternal at
  // once instead of deadlocking.
  Result<T> Wait() const {
    if (internal::on_store_writer_thread) {
      std::lock_guard lock(state_->mu);
      if (state_->outcome) return *state_->outcome;
      return Status(StatusCode::kInternal,
                    "store: a write was awaited on the store's writer thread (would deadlock)");
    }
    std::unique_lock lock(state_->mu);
    state_->cv.wait(lock, [&] { return state_->outcome.has_value(); });
    return *state_->outcome;
  }

  // Calls `done` exactly once with the outcome: at once on this thread when
  // it is already known, otherwise on the writer thread right after the
  // commit. `done` must be quick and must not wait for other writes. At most
  // one continuation per write.
  void Then(Callback done) const {
    std::unique_lock lock(state_->mu);
    if (state_->outcome) {
      Result<T> outcome = *state_->outcome;
      lock.unlock();
      done(std::move(outcome));
      return;
    }
    state_->callback = std::move(done);
  }

  bool ready() const {
    std::lock_guard lock(state_->mu);
    return state_->outcome.has_value();
  }

  // For the store: sets the outcome once, wakes waiters, runs the continuation.
  void Resolve(Result<T> outcome) const {
    Callback callback;
    {
      std::lock_guard lock(state_->mu);
      if (state_->outcome) return;
      state_->outcome = std::move(outcome);
      callback = std::move(state_->callback);
      state_->callback = nullptr;
    }
    state_->cv.notify_all();
    if (callback) callback(*state_->outcome);
  }

 private:
  struct State {
    mutable std::mutex mu;
    std::condition_variable cv;
    std::optional<Result<T>> outcome;
    Callback callback;
  };
  std::shared_ptr<State> state_;
};

}  // namespace warden::store

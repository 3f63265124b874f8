// A HttpResponseSink for tests of handlers that answer later (long-polls):
// it keeps the first response, lets a test wait for it with a deadline, and
// plays a client that goes away. Test-only; no socket.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "server/http_responder.h"

namespace warden::server {

class CapturingResponseSink final : public HttpResponseSink {
 public:
  bool TryDeliver(HttpResponse response) override {
    {
      std::lock_guard lock(mu_);
      if (response_ || gone_) return false;
      response_ = std::move(response);
    }
    cv_.notify_all();
    return true;
  }
  Result<std::shared_ptr<HttpStreamChannel>> TryStartStream(HttpResponse) override {
    return Status(StatusCode::kUnavailable, "capturing sink: no streams");
  }
  bool IsOpen() const override {
    std::lock_guard lock(mu_);
    return !gone_ && !response_;
  }
  void OnClientGone(std::function<void()> callback) override {
    {
      std::lock_guard lock(mu_);
      if (!gone_) {
        callbacks_.push_back(std::move(callback));
        return;
      }
    }
    callback();
  }

  // The client hangs up: runs the OnClientGone callbacks.
  void Hangup() {
    std::vector<std::function<void()>> callbacks;
    {
      std::lock_guard lock(mu_);
      gone_ = true;
      callbacks.swap(callbacks_);
    }
    for (auto& c : callbacks) c();
  }

  // The response once it arrived, or nullopt after `timeout`.
  std::optional<HttpResponse> Await(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, timeout, [&] { return response_.has_value(); });
    return response_;
  }
  bool answered() const {
    std::lock_guard lock(mu_);
    return response_.has_value();
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::optional<HttpResponse> response_;
  bool gone_ = false;
  std::vector<std::function<void()>> callbacks_;
};

}  // namespace warden::server

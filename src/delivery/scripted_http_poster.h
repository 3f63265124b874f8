// ScriptedPoster is an HttpPoster for tests: it answers requests from a
// script of responses (a refused connection once the script runs out) and
// keeps every request it was given, so a test can check what a sink or the
// server link sent. Header-only, test code only: it is not part of
// warden_delivery.
#pragma once

#include <deque>
#include <memory>
#include <mutex>
#include <vector>

#include "delivery/http_poster.h"

namespace warden::testing {

inline constexpr const char* kTestNodeKey = "wdn_node_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

class ScriptedPoster : public HttpPoster {
 public:
  // Shared with the test, which keeps writing answers and reading requests
  // while the poster is owned by a sink.
  struct Shared {
    std::mutex mu;
    std::deque<HttpResponse> answers;
    std::vector<HttpRequest> requests;
  };
  explicit ScriptedPoster(std::shared_ptr<Shared> shared) : shared_(std::move(shared)) {}
  Result<HttpResponse> Post(const HttpRequest& request) override {
    std::lock_guard<std::mutex> lock(shared_->mu);
    shared_->requests.push_back(request);
    if (shared_->answers.empty()) return Unavailable("connection refused");
    HttpResponse r = shared_->answers.front();
    shared_->answers.pop_front();
    return r;
  }

 private:
  std::shared_ptr<Shared> shared_;
};

}  // namespace warden::testing

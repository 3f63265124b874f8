// LoginRateLimiter slows down password guessing against the console login.
// Two token buckets: one per user name, drained only by failed attempts (a
// user who types their password right is never throttled by an attacker
// elsewhere for long, and success forgives earlier failures), and one per
// source IP, drained by every attempt (so one address cannot make the server
// hash passwords for thousands of names). An attempt is refused while either
// bucket is empty, with the seconds to wait (the HTTP layer answers 429 with
// Retry-After). Defaults: 5 failures per user, then one more per minute;
// 20 attempts per IP, then one more every 6 s. Memory is bounded: buckets
// that have refilled are forgotten first, then the least recently used.
// The clock is injected so tests need not sleep. Thread-safe. Not here:
// checking the password (PasswordHasher) or where the IP comes from.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace warden::auth {

struct LoginRateLimits {
  double user_failure_burst = 5;
  std::chrono::milliseconds user_refill_interval{60'000};
  double ip_attempt_burst = 20;
  std::chrono::milliseconds ip_refill_interval{6'000};
  // Per table (users, IPs).
  size_t max_tracked_keys = 100'000;
};

class LoginRateLimiter {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  explicit LoginRateLimiter(
      LoginRateLimits limits = {}, Clock clock = [] { return std::chrono::steady_clock::now(); });

  // Call before checking a password. nullopt: go ahead (the attempt now
  // counts against `ip`). Otherwise the whole seconds (at least 1) until an
  // attempt for this user from this IP would be admitted.
  std::optional<std::chrono::seconds> Admit(std::string_view user, std::string_view ip);
  // A wrong password for `user`: counts against the user.
  void RecordFailure(std::string_view user);
  // A right password: forgets the user's failures.
  void RecordSuccess(std::string_view user);
  // Buckets held (users + IPs); never more than twice max_tracked_keys.
  size_t tracked_keys();

 private:
  struct Bucket {
    double tokens = 0;
    std::chrono::steady_clock::time_point updated;
  };
  using Table = std::unordered_map<std::string, Bucket>;

  // The bucket for `key`, refilled to now; created full.
  Bucket& Refill(Table& table, std::string_view key, double burst,
                 std::chrono::milliseconds interval, std::chrono::steady_clock::time_point now);
  void MakeRoom(Table& table, double burst, std::chrono::milliseconds interval,
                std::chrono::steady_clock::time_point now);
  static std::chrono::seconds WaitForOneToken(const Bucket& bucket,
                                              std::chrono::milliseconds interval);

  LoginRateLimits limits_;
  Clock clock_;
  std::mutex mu_;
  Table users_;
  Table ips_;
};

}  // namespace warden::auth

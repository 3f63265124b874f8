#include "auth/login_rate_limiter.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace warden::auth {

LoginRateLimiter::LoginRateLimiter(LoginRateLimits limits, Clock clock)
    : limits_(limits), clock_(std::move(clock)) {}

LoginRateLimiter::Bucket& LoginRateLimiter::Refill(Table& table, std::string_view key, double burst,
                                                   std::chrono::milliseconds interval,
                                                   std::chrono::steady_clock::time_point now) {
  auto it = table.find(std::string(key));
  if (it == table.end()) {
    if (table.size() >= limits_.max_tracked_keys) MakeRoom(table, burst, interval, now);
    it = table.emplace(std::string(key), Bucket{burst, now}).first;
    return it->second;
  }
  Bucket& b = it->second;
  if (now > b.updated) {
    double elapsed = std::chrono::duration<double, std::milli>(now - b.updated).count();
    b.tokens = std::min(burst, b.tokens + elapsed / static_cast<double>(interval.count()));
    b.updated = now;
  }
  return b;
}

void LoginRateLimiter::MakeRoom(Table& table, double burst, std::chrono::milliseconds interval,
                                std::chrono::steady_clock::time_point now) {
  // Buckets that would be full by now carry no information.
  for (auto it = table.begin(); it != table.end();) {
    double elapsed = std::chrono::duration<double, std::milli>(now - it->second.updated).count();
    if (it->second.tokens + elapsed / static_cast<double>(interval.count()) >= burst)
      it = table.erase(it);
    else
      ++it;
  }
  if (table.size() < limits_.max_tracked_keys) return;
  // Still full (many keys under attack at once): drop the least recently
  // used tenth, so this scan runs once per many insertions.
  std::vector<std::chrono::steady_clock::time_point> times;
  times.reserve(table.size());
  for (const auto& [key, bucket] : table) times.push_back(bucket.updated);
  size_t drop = std::max<size_t>(1, table.size() / 10);
  std::nth_element(times.begin(), times.begin() + static_cast<std::ptrdiff_t>(drop - 1),
                   times.end());
  auto cutoff = times[drop - 1];
  for (auto it = table.begin(); it != table.end() && drop > 0;) {
    if (it->second.updated <= cutoff) {
      it = table.erase(it);
      --drop;
    } else {
      ++it;
    }
  }
}

std::chrono::seconds LoginRateLimiter::WaitForOneToken(const Bucket& bucket,
                                                       std::chrono::milliseconds interval) {
  double missing = 1.0 - bucket.tokens;
  // Rounded to whole milliseconds first, so that floating-point dust
  // (1000.0000001 ms) does not add a second.
  int64_t ms = std::llround(missing * static_cast<double>(interval.count()));
  return std::chrono::seconds(std::max<int64_t>(1, (ms + 999) / 1000));
}

std::optional<std::chrono::seconds> LoginRateLimiter::Admit(std::string_view user,
                                                            std::string_view ip) {
  std::lock_guard lock(mu_);
  auto now = clock_();
  Bucket& u = Refill(users_, user, limits_.user_failure_burst, limits_.user_refill_interval, now);
  std::optional<std::chrono::seconds> wait;
  if (u.tokens < 1.0) wait = WaitForOneToken(u, limits_.user_refill_interval);
  Bucket& i = Refill(ips_, ip, limits_.ip_attempt_burst, limits_.ip_refill_interval, now);
  if (i.tokens < 1.0) {
    auto ip_wait = WaitForOneToken(i, limits_.ip_refill_interval);
    wait = wait ? std::max(*wait, ip_wait) : ip_wait;
  }
  if (wait) return wait;
  i.tokens -= 1.0;
  return std::nullopt;
}

void LoginRateLimiter::RecordFailure(std::string_view user) {
  std::lock_guard lock(mu_);
  Bucket& u =
      Refill(users_, user, limits_.user_failure_burst, limits_.user_refill_interval, clock_());
  u.tokens = std::max(0.0, u.tokens - 1.0);
}

void LoginRateLimiter::RecordSuccess(std::string_view user) {
  std::lock_guard lock(mu_);
  users_.erase(std::string(user));
}

size_t LoginRateLimiter::tracked_keys() {
  std::lock_guard lock(mu_);
  return users_.size() + ips_.size();
}

}  // namespace warden::auth

#include "auth/login_rate_limiter.h"

#include <gtest/gtest.h>

namespace warden::auth {
namespace {

using std::chrono::seconds;

// A clock the test moves by hand.
struct FakeClock {
  std::chrono::steady_clock::time_point now{std::chrono::hours(1)};
  LoginRateLimiter::Clock fn() {
    return [this] { return now; };
  }
};

TEST(LoginRateLimiterTest, FiveFailuresThenOneAttemptPerMinute) {
  FakeClock clock;
  LoginRateLimiter limiter({}, clock.fn());
  for (int i = 0; i < 5; ++i) {
    ASSERT_FALSE(limiter.Admit("alice", "10.0.0.1")) << i;
    limiter.RecordFailure("alice");
  }
  auto wait = limiter.Admit("alice", "10.0.0.1");
  ASSERT_TRUE(wait);
  EXPECT_EQ(*wait, seconds(60));
  clock.now += seconds(59);
  wait = limiter.Admit("alice", "10.0.0.1");
  ASSERT_TRUE(wait);
  EXPECT_EQ(*wait, seconds(1));
  clock.now += seconds(1);
  EXPECT_FALSE(limiter.Admit("alice", "10.0.0.1"));
  limiter.RecordFailure("alice");
  EXPECT_TRUE(limiter.Admit("alice", "10.0.0.1"));
}

TEST(LoginRateLimiterTest, UserLockoutAppliesFromEveryAddress) {
  FakeClock clock;
  LoginRateLimiter limiter({}, clock.fn());
  for (int i = 0; i < 5; ++i) {
    ASSERT_FALSE(limiter.Admit("alice", "10.0.0." + std::to_string(i)));
    limiter.RecordFailure("alice");
  }
  EXPECT_TRUE(limiter.Admit("alice", "192.168.1.1"));
  // Another user is not affected.
  EXPECT_FALSE(limiter.Admit("bob", "192.168.1.1"));
}

TEST(LoginRateLimiterTest, SuccessForgivesFailures) {
  FakeClock clock;
  LoginRateLimiter limiter({}, clock.fn());
  for (int i = 0; i < 4; ++i) {
    ASSERT_FALSE(limiter.Admit("alice", "10.0.0.1"));
    limiter.RecordFailure("alice");
  }
  ASSERT_FALSE(limiter.Admit("alice", "10.0.0.1"));
  limiter.RecordSuccess("alice");
  for (int i = 0; i < 5; ++i) {
    ASSERT_FALSE(limiter.Admit("alice", "10.0.0.1")) << i;
    limiter.RecordFailure("alice");
  }
  EXPECT_TRUE(limiter.Admit("alice", "10.0.0.1"));
}

TEST(LoginRateLimiterTest, OneAddressTryingManyNamesIsThrottled) {
  FakeClock clock;
  LoginRateLimiter limiter({}, clock.fn());
  for (int i = 0; i < 20; ++i) ASSERT_FALSE(limiter.Admit("user" + std::to_string(i), "10.9.9.9"));
  auto wait = limiter.Admit("user20", "10.9.9.9");
  ASSERT_TRUE(wait);
  EXPECT_EQ(*wait, seconds(6));
  // Other addresses go on.
  EXPECT_FALSE(limiter.Admit("user20", "10.9.9.10"));
  clock.now += seconds(6);
  EXPECT_FALSE(limiter.Admit("user20", "10.9.9.9"));
}

TEST(LoginRateLimiterTest, RetryAfterIsTheLongerOfBothWaits) {
  FakeClock clock;
  LoginRateLimits limits;
  limits.ip_attempt_burst = 5;
  LoginRateLimiter limiter(limits, clock.fn());
  for (int i = 0; i < 5; ++i) {
    ASSERT_FALSE(limiter.Admit("alice", "10.0.0.1"));
    limiter.RecordFailure("alice");
  }
  auto wait = limiter.Admit("alice", "10.0.0.1");
  ASSERT_TRUE(wait);
  EXPECT_EQ(*wait, seconds(60));
}

TEST(LoginRateLimiterTest, MemoryStaysBoundedUnderManyKeys) {
  FakeClock clock;
  LoginRateLimits limits;
  limits.max_tracked_keys = 100;
  LoginRateLimiter limiter(limits, clock.fn());
  // A flood of names and addresses, none of whose buckets refill in time.
  for (int i = 0; i < 10'000; ++i) {
    clock.now += std::chrono::milliseconds(1);
    (void)limiter.Admit("name" + std::to_string(i), "10.1." + std::to_string(i % 250) + ".1");
    limiter.RecordFailure("name" + std::to_string(i));
  }
  EXPECT_LE(limiter.tracked_keys(), 200u);
  EXPECT_GT(limiter.tracked_keys(), 0u);
  // A lockout evicted for room only loosens the limit, never tightens it.
  clock.now += seconds(60);
  EXPECT_FALSE(limiter.Admit("carol", "10.2.0.1"));
}

}  // namespace
}  // namespace warden::auth

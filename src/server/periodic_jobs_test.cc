#include "server/periodic_jobs.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace warden::server {
namespace {

// Waits up to 5 s for `done`.
template <typename Pred>
bool Await(Pred done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

TEST(PeriodicJobsTest, RunsEachJobOnItsIntervalAndCountsFailures) {
  std::vector<std::string> errors;
  std::mutex errors_mu;
  PeriodicJobs jobs([&](std::string_view message) {
    std::lock_guard lock(errors_mu);
    errors.emplace_back(message);
  });
  std::atomic<int> fine{0};
  std::atomic<int> failing{0};
  jobs.Add("fine", std::chrono::milliseconds(10), [&] {
    fine++;
    return Status::Ok();
  });
  jobs.Add("failing", std::chrono::milliseconds(10), [&] {
    failing++;
    return IoError("disk full");
  });
  jobs.Start();
  ASSERT_TRUE(Await([&] { return fine >= 3 && failing >= 3; }));
  jobs.Stop();
  std::vector<PeriodicJobState> states = jobs.States();
  ASSERT_EQ(states.size(), 2u);
  EXPECT_EQ(states[0].name, "fine");
  EXPECT_GE(states[0].runs, 3u);
  EXPECT_EQ(states[0].failures, 0u);
  EXPECT_EQ(states[1].failures, states[1].runs);
  EXPECT_EQ(states[1].last_error, "disk full");
  std::lock_guard lock(errors_mu);
  ASSERT_FALSE(errors.empty());
  EXPECT_EQ(errors[0], "job failing failed: disk full");
}

TEST(PeriodicJobsTest, NeverRunsTwoJobsAtOnce) {
  PeriodicJobs jobs(nullptr);
  std::atomic<int> inside{0};
  std::atomic<int> overlaps{0};
  std::atomic<int> runs{0};
  auto job = [&] {
    if (inside.fetch_add(1) != 0) overlaps++;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    inside--;
    runs++;
    return Status::Ok();
  };
  jobs.Add("a", std::chrono::milliseconds(1), job);
  jobs.Add("b", std::chrono::milliseconds(1), job);
  jobs.Start();
  std::thread caller([&] {
    for (int i = 0; i < 20; ++i) jobs.RunAllNow();
  });
  caller.join();
  ASSERT_TRUE(Await([&] { return runs >= 60; }));
  jobs.Stop();
  EXPECT_EQ(overlaps, 0);
}

TEST(PeriodicJobsTest, StopDoesNotWaitForTheNextInterval) {
  PeriodicJobs jobs(nullptr);
  jobs.Add("daily", std::chrono::hours(24), [] { return Status::Ok(); });
  jobs.Start();
  const auto start = std::chrono::steady_clock::now();
  jobs.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
  EXPECT_EQ(jobs.States()[0].runs, 0u);
}

}  // namespace
}  // namespace warden::server

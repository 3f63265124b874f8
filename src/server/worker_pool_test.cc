#include "server/worker_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "server/http_test_client.h"

namespace warden::server {
namespace {

TEST(WorkerPoolTest, RunsTasksOnItsOwnThreads) {
  WorkerPool pool(3, 100);
  std::mutex mu;
  std::set<std::thread::id> ids;
  std::atomic<int> done{0};
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(pool.TrySubmit([&] {
      std::lock_guard<std::mutex> lock(mu);
      ids.insert(std::this_thread::get_id());
      done++;
    }));
  }
  pool.Shutdown();
  EXPECT_EQ(done.load(), 50);
  EXPECT_EQ(ids.count(std::this_thread::get_id()), 0u);
  EXPECT_LE(ids.size(), 3u);
}

TEST(WorkerPoolTest, RefusesTasksBeyondTheQueueLimit) {
  warden::testing::Latch started;  // outlive the pool, whose thread uses them
  warden::testing::Latch release;
  WorkerPool pool(1, 2);
  ASSERT_TRUE(pool.TrySubmit([&] {
    started.Open();
    release.Wait();
  }));
  ASSERT_TRUE(started.Wait());
  EXPECT_TRUE(pool.TrySubmit([] {}));
  EXPECT_TRUE(pool.TrySubmit([] {}));
  EXPECT_FALSE(pool.TrySubmit([] {}));  // two are waiting already
  EXPECT_EQ(pool.queued(), 2u);
  release.Open();
}

TEST(WorkerPoolTest, ShutdownRunsWhatWasQueuedThenRefusesMore) {
  warden::testing::Latch release;
  WorkerPool pool(1, 10);
  std::atomic<int> done{0};
  ASSERT_TRUE(pool.TrySubmit([&] { release.Wait(); }));
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(pool.TrySubmit([&] { done++; }));
  std::thread stopper([&] { pool.Shutdown(); });
  release.Open();
  stopper.join();
  EXPECT_EQ(done.load(), 5);
  EXPECT_FALSE(pool.TrySubmit([] {}));
}

}  // namespace
}  // namespace warden::server

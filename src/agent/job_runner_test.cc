// JobRunner with a clock the test moves and jobs that block until the test
// lets them go (ignoring their interrupt, as a read on a FIFO does).
#include "agent/job_runner.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include "testing/test_util.h"

namespace warden {
namespace {

using std::chrono::milliseconds;

// A gate a job waits at until the test opens it.
struct Gate {
  std::mutex mu;
  std::condition_variable cv;
  bool open = false;
  bool reached = false;
  void Wait() {
    std::unique_lock<std::mutex> lock(mu);
    reached = true;
    cv.notify_all();
    cv.wait(lock, [&] { return open; });
  }
  void Open() {
    std::lock_guard<std::mutex> lock(mu);
    open = true;
    cv.notify_all();
  }
  bool WaitReached(milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mu);
    return cv.wait_for(lock, timeout, [&] { return reached; });
  }
};

// Polls a condition for up to 10 s of real time.
bool Eventually(const std::function<bool()>& done) {
  return testing::WaitFor(done, std::chrono::seconds(10), milliseconds(2));
}

struct FakeClock {
  std::shared_ptr<std::atomic<int64_t>> now = std::make_shared<std::atomic<int64_t>>(1000);
  std::function<int64_t()> fn() const {
    return [n = now] { return n->load(); };
  }
  void Advance(int64_t ms) { now->fetch_add(ms); }
};

JobRunnerOptions Options(const FakeClock& clock, size_t max_abandoned = 4) {
  JobRunnerOptions o;
  o.stuck_grace_ms = 3000;
  o.max_abandoned = max_abandoned;
  o.clock = clock.fn();
  return o;
}

// A job that blocks at `gate` and then records whether it was interrupted.
JobRunner::Body Blocking(std::shared_ptr<Gate> gate,
                         std::shared_ptr<std::atomic<int>> interrupted = nullptr) {
  return
      [gate = std::move(gate), interrupted = std::move(interrupted)](JobRunner::JobContext& ctx) {
        gate->Wait();
        if (interrupted) interrupted->store(ctx.interrupt.load() ? 1 : 0);
      };
}

TEST(JobRunnerTest, RunsJobsOneAtATimeInTheOrderSubmitted) {
  JobRunner runner;
  auto mu = std::make_shared<std::mutex>();
  auto order = std::make_shared<std::vector<int>>();
  auto running = std::make_shared<std::atomic<int>>(0);
  auto most = std::make_shared<std::atomic<int>>(0);
  for (int i = 0; i < 20; ++i)
    runner.Submit("job" + std::to_string(i), 1000, [=](JobRunner::JobContext&) {
      const int now = ++*running;
      if (now > most->load()) most->store(now);
      // Stay running a moment, so that a second job started alongside would be seen.
      std::this_thread::sleep_for(milliseconds(1));
      {
        std::lock_guard<std::mutex> lock(*mu);
        order->push_back(i);
      }
      --*running;
    });
  ASSERT_TRUE(Eventually([&] {
    std::lock_guard<std::mutex> lock(*mu);
    return order->size() == 20;
  }));
  EXPECT_EQ(most->load(), 1);
  for (int i = 0; i < 20; ++i) EXPECT_EQ((*order)[static_cast<size_t>(i)], i);
  EXPECT_TRUE(runner.Stop(milliseconds(1000)).empty());
}

TEST(JobRunnerTest, JobPastItsBudgetIsStuckInterruptedAndTheQueueMovesOn) {
  FakeClock clock;
  JobRunner runner(Options(clock));
  auto gate = std::make_shared<Gate>();
  auto interrupted = std::make_shared<std::atomic<int>>(-1);
  auto next_ran = std::make_shared<std::atomic<bool>>(false);
  runner.Submit("blocked", 1000, Blocking(gate, interrupted));
  runner.Submit("next", 1000, [next_ran](JobRunner::JobContext&) { next_ran->store(true); });
  ASSERT_TRUE(gate->WaitReached(milliseconds(10000)));

  // Within budget + grace: running, not stuck, and the next look is due then.
  clock.Advance(3999);
  JobRunner::WatchResult w = runner.Watch();
  EXPECT_TRUE(w.newly_stuck.empty());
  EXPECT_EQ(w.next_check_in_ms, 1);
  ASSERT_EQ(runner.Running().size(), 1u);
  EXPECT_FALSE(runner.Running()[0].stuck);
  EXPECT_FALSE(next_ran->load()) << "one job at a time";

  clock.Advance(1);
  w = runner.Watch();
  ASSERT_EQ(w.newly_stuck.size(), 1u);
  EXPECT_EQ(w.newly_stuck[0].name, "blocked");
  EXPECT_EQ(w.newly_stuck[0].running_ms, 4000);
  EXPECT_EQ(w.newly_stuck[0].budget_ms, 1000);
  EXPECT_TRUE(runner.Watch().newly_stuck.empty()) << "reported once";

  EXPECT_TRUE(Eventually([&] { return next_ran->load(); })) << "the queue went on without it";
  auto running = runner.Running();
  ASSERT_EQ(running.size(), 1u);
  EXPECT_EQ(running[0].name, "blocked");
  EXPECT_TRUE(running[0].stuck);

  gate->Open();
  EXPECT_TRUE(Eventually([&] { return runner.Running().empty(); }));
  EXPECT_EQ(interrupted->load(), 1) << "the stuck job's interrupt was set";
  EXPECT_TRUE(runner.Stop(milliseconds(1000)).empty());
}

TEST(JobRunnerTest, StopAbandonsAJobThatIgnoresItsInterruptAndDropsTheQueue) {
  FakeClock clock;
  auto gate = std::make_shared<Gate>();
  auto queued_ran = std::make_shared<std::atomic<bool>>(false);
  auto interrupted = std::make_shared<std::atomic<int>>(-1);
  {
    JobRunner runner(Options(clock));
    runner.Submit("blocked", 60000, Blocking(gate, interrupted));
    runner.Submit("queued", 1000,
                  [queued_ran](JobRunner::JobContext&) { queued_ran->store(true); });
    ASSERT_TRUE(gate->WaitReached(milliseconds(10000)));
    const auto start = std::chrono::steady_clock::now();
    auto left = runner.Stop(milliseconds(200));
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_GE(took, milliseconds(200)) << "it waited for the grace period";
    EXPECT_LT(took, milliseconds(2000)) << "and not longer";
    ASSERT_EQ(left.size(), 1u);
    EXPECT_EQ(left[0].name, "blocked");
  }  // the runner is gone; its abandoned worker is still blocked
  gate->Open();
  EXPECT_TRUE(Eventually([&] { return interrupted->load() != -1; }));
  EXPECT_EQ(interrupted->load(), 1);
  EXPECT_FALSE(queued_ran->load());
}

TEST(JobRunnerTest, StopWaitsForAJobThatHonoursItsInterrupt) {
  JobRunner runner;
  auto started = std::make_shared<std::atomic<bool>>(false);
  auto finished = std::make_shared<std::atomic<bool>>(false);
  runner.Submit("polite", 60000, [=](JobRunner::JobContext& ctx) {
    started->store(true);
    // Checks its interrupt between steps, as a table scan does.
    while (!ctx.interrupt.load()) std::this_thread::sleep_for(milliseconds(1));
    // Takes a while to wind down after the interrupt: Stop must wait for that.
    std::this_thread::sleep_for(milliseconds(20));
    finished->store(true);
  });
  ASSERT_TRUE(Eventually([&] { return started->load(); }));
  EXPECT_TRUE(runner.Stop(milliseconds(5000)).empty());
  EXPECT_TRUE(finished->load()) << "joined after it returned";
}

struct CountedResources : JobRunner::WorkerResources {
  explicit CountedResources(std::shared_ptr<std::atomic<int>> alive) : alive_(std::move(alive)) {
    ++*alive_;
  }
  ~CountedResources() override { --*alive_; }
  std::thread::id owner = std::this_thread::get_id();
  std::shared_ptr<std::atomic<int>> alive_;
};

TEST(JobRunnerTest, EachWorkerKeepsItsOwnResourcesOnItsOwnThread) {
  FakeClock clock;
  JobRunner runner(Options(clock));
  auto alive = std::make_shared<std::atomic<int>>(0);
  auto mu = std::make_shared<std::mutex>();
  auto seen = std::make_shared<std::vector<CountedResources*>>();
  auto use = [=](JobRunner::JobContext& ctx) {
    if (!ctx.resources) ctx.resources = std::make_unique<CountedResources>(alive);
    auto* r = static_cast<CountedResources*>(ctx.resources.get());
    EXPECT_EQ(r->owner, std::this_thread::get_id());
    std::lock_guard<std::mutex> lock(*mu);
    seen->push_back(r);
  };
  auto seen_count = [&] {
    std::lock_guard<std::mutex> lock(*mu);
    return seen->size();
  };
  runner.Submit("a", 1000, use);
  runner.Submit("b", 1000, use);
  ASSERT_TRUE(Eventually([&] { return seen_count() == 2; }));
  EXPECT_EQ((*seen)[0], (*seen)[1]) << "kept between the jobs of one worker";

  auto gate = std::make_shared<Gate>();
  runner.Submit("blocked", 1000, [gate, use](JobRunner::JobContext& ctx) {
    use(ctx);
    gate->Wait();
  });
  ASSERT_TRUE(gate->WaitReached(milliseconds(10000)));
  clock.Advance(5000);
  ASSERT_EQ(runner.Watch().newly_stuck.size(), 1u);
  runner.Submit("c", 1000, use);
  ASSERT_TRUE(Eventually([&] { return seen_count() == 4; }));
  EXPECT_NE((*seen)[3], (*seen)[2]) << "the fresh worker has its own";
  EXPECT_EQ(alive->load(), 2);
  gate->Open();
  EXPECT_TRUE(Eventually([&] { return alive->load() == 1; }))
      << "the abandoned worker let go of its resources when its job returned";
  runner.Stop(milliseconds(1000));
  EXPECT_EQ(alive->load(), 0);
}

TEST(JobRunnerTest, AtMostMaxAbandonedWorkersAreLeftToStuckJobs) {
  FakeClock clock;
  JobRunner runner(Options(clock, /*max_abandoned=*/1));
  auto first = std::make_shared<Gate>(), second = std::make_shared<Gate>();
  auto third_ran = std::make_shared<std::atomic<bool>>(false);
  runner.Submit("first", 1000, Blocking(first));
  runner.Submit("second", 1000, Blocking(second));
  runner.Submit("third", 1000, [third_ran](JobRunner::JobContext&) { third_ran->store(true); });
  ASSERT_TRUE(first->WaitReached(milliseconds(10000)));
  clock.Advance(5000);
  ASSERT_EQ(runner.Watch().newly_stuck.size(), 1u);
  ASSERT_TRUE(second->WaitReached(milliseconds(10000)));
  clock.Advance(5000);
  auto w = runner.Watch();
  ASSERT_EQ(w.newly_stuck.size(), 1u);
  EXPECT_EQ(w.newly_stuck[0].name, "second");
  // Something that must not happen has no condition to wait for: give it a moment.
  std::this_thread::sleep_for(milliseconds(50));
  EXPECT_FALSE(third_ran->load()) << "no second abandoned worker: the stuck job holds the queue";
  EXPECT_EQ(runner.Running().size(), 2u);
  second->Open();
  EXPECT_TRUE(Eventually([&] { return third_ran->load(); }));
  first->Open();
  EXPECT_TRUE(Eventually([&] { return runner.Running().empty(); }));
  EXPECT_TRUE(runner.Stop(milliseconds(1000)).empty());
}

}  // namespace
}  // namespace warden

// The single writer: batching, outcomes after commit, isolation, overload.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>
#include <vector>

#include "store/store_test_fixture.h"

namespace warden::store {
namespace {

class WriterTest : public StoreTest {
 protected:
  // Occupies the writer thread until the returned promise is set, so that
  // writes submitted meanwhile gather into the next batch.
  std::shared_ptr<std::promise<void>> BlockWriter() {
    auto release = std::make_shared<std::promise<void>>();
    auto started = std::make_shared<std::promise<void>>();
    std::shared_future<void> go = release->get_future().share();
    auto blocked = store().Write([go, started](StoreWriter&) {
      started->set_value();
      go.wait();
      return Status::Ok();
    });
    started->get_future().wait();
    return release;
  }
};

TEST_F(WriterTest, ConcurrentWritesAreBatchedAndEachCallbackSeesItsCommittedRow) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 400;
  std::atomic<int> done{0};
  std::atomic<int> visible{0};
  std::atomic<int> failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        store()
            .Write([t, i](StoreWriter& w) {
              return w.audit().Append(Entry("t" + std::to_string(t), i));
            })
            .Then([&](Result<int64_t> id) {
              if (!id.ok()) {
                ++failed;
              } else {
                // A fresh read on another connection: only a committed row
                // is visible there.
                auto row = store().audit().Get(*id);
                if (row.ok() && row->has_value()) ++visible;
              }
              ++done;
            });
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_TRUE(store().Flush().ok());
  EXPECT_EQ(done.load(), kThreads * kPerThread);
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(visible.load(), kThreads * kPerThread);
  StoreWriterStats stats = store().writer_stats();
  EXPECT_GT(stats.largest_batch, 1);
  EXPECT_LT(stats.transactions, stats.writes);
  EXPECT_EQ(stats.writes, kThreads * kPerThread + 1);  // + the Flush

  Open();  // close and reopen: everything acknowledged is on disk
  auto page = store().audit().List(ListQuery{});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->total, kThreads * kPerThread);
}

TEST_F(WriterTest, AFailingWriteIsUndoneAloneAndTheRestOfItsBatchCommits) {
  auto release = BlockWriter();
  auto good1 = store().Write([](StoreWriter& w) { return w.audit().Append(Entry("good1", 1)); });
  auto bad = store().Write([](StoreWriter& w) -> Result<int64_t> {
    RETURN_IF_ERROR(w.audit().Append(Entry("partial", 2)).status());
    return InvalidArgument("changed my mind");
  });
  auto good2 = store().Write([](StoreWriter& w) { return w.audit().Append(Entry("good2", 3)); });
  release->set_value();
  ASSERT_TRUE(good1.Wait().ok());
  ASSERT_TRUE(good2.Wait().ok());
  auto r = bad.Wait();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "changed my mind");
  EXPECT_EQ(store().writer_stats().largest_batch, 3);
  EXPECT_EQ(store().writer_stats().failed_writes, 1);

  auto page = store().audit().List(ListQuery{});
  ASSERT_TRUE(page.ok());
  std::vector<std::string> actions;
  for (const auto& e : page->items) actions.push_back(e.action);
  EXPECT_EQ(actions, (std::vector<std::string>{"good2", "good1"}));
}

TEST_F(WriterTest, OutcomeIsUnknownUntilTheBatchCommits) {
  auto release = BlockWriter();
  auto write = store().Write([](StoreWriter& w) { return w.audit().Append(Entry("x", 1)); });
  std::atomic<bool> called{false};
  write.Then([&](Result<int64_t>) { called = true; });
  EXPECT_FALSE(write.ready());
  EXPECT_FALSE(called.load());
  release->set_value();
  ASSERT_TRUE(write.Wait().ok());
  ASSERT_TRUE(store().Flush().ok());
  EXPECT_TRUE(called.load());
}

TEST_F(WriterTest, AFullQueueRefusesAtOnceWithUnavailable) {
  SqliteStoreOptions options;
  options.max_queued_writes = 2;
  Open(options);
  auto release = BlockWriter();
  auto a = store().Write([](StoreWriter& w) { return w.audit().Append(Entry("a", 1)); });
  auto b = store().Write([](StoreWriter& w) { return w.audit().Append(Entry("b", 1)); });
  auto c = store().Write([](StoreWriter& w) { return w.audit().Append(Entry("c", 1)); });
  ASSERT_TRUE(c.ready());
  EXPECT_EQ(c.Wait().status().code(), StatusCode::kUnavailable);
  release->set_value();
  EXPECT_TRUE(a.Wait().ok());
  EXPECT_TRUE(b.Wait().ok());
  EXPECT_EQ(store().writer_stats().rejected_writes, 1);
}

TEST_F(WriterTest, WaitingOnTheWriterThreadFailsInsteadOfDeadlocking) {
  auto outer = store().Write([this](StoreWriter&) -> Result<int64_t> {
    auto inner = store().Write([](StoreWriter& w) { return w.audit().Append(Entry("in", 1)); });
    auto r = inner.Wait();
    if (r.ok()) return Internal("inner write finished inside the outer one");
    return static_cast<int64_t>(r.status().code());
  });
  auto r = outer.Wait();
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(*r, static_cast<int64_t>(StatusCode::kInternal));
}

TEST_F(WriterTest, ClosingCommitsWhatIsQueued) {
  auto release = BlockWriter();
  std::vector<Pending<int64_t>> writes;
  for (int i = 0; i < 50; ++i)
    writes.push_back(
        store().Write([i](StoreWriter& w) { return w.audit().Append(Entry("q", i)); }));
  std::thread closer([&] { Close(); });
  release->set_value();
  closer.join();
  for (auto& w : writes) EXPECT_TRUE(w.Wait().ok());
  Open();
  auto page = store().audit().List(ListQuery{});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->total, 50);
}

TEST_F(WriterTest, TouchesAreCoalescedAndNeverGoBackInTime) {
  NewEnrolSecret s;
  s.name = "s";
  s.sha256 = "h";
  s.created_at = 1;
  auto secret = MustWrite([&](StoreWriter& w) { return w.enrol_secrets().Create(s); });
  HostEnrolment e;
  e.machine_id = "m";
  e.hostname = "h";
  e.enrol_secret_id = secret->id;
  e.node_key_sha256 = "k";
  e.now = 1000;
  auto host = MustWrite([&](StoreWriter& w) { return w.hosts().Enrol(e); });
  int64_t id = host->host.id;
  store().TouchHost(id, 5000);
  store().TouchHost(id, 3000);  // older: ignored
  ASSERT_TRUE(store().Flush().ok());
  EXPECT_EQ(store().hosts().Get(id).value()->last_seen_at, 5000);
  store().TouchHost(id, 4000);  // older than what is stored
  ASSERT_TRUE(store().Flush().ok());
  EXPECT_EQ(store().hosts().Get(id).value()->last_seen_at, 5000);
}

}  // namespace
}  // namespace warden::store

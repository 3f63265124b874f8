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

// The actions of every audit entry, oldest first.
std::vector<std::string> AuditActions(Store& store) {
  ListQuery q;
  q.limit = 10'000;
  q.sort = SortOrder{"id", false};
  auto page = store.audit().List(q);
  EXPECT_TRUE(page.ok());
  std::vector<std::string> actions;
  if (page.ok())
    for (const auto& e : page->items) actions.push_back(e.action);
  return actions;
}

TEST_F(WriterTest, OneFailingWriteAmongManyIsReportedAndTheOthersAllCommit) {
  constexpr int kWrites = 60;
  constexpr int kFailing = 37;
  auto release = BlockWriter();
  std::vector<Pending<int64_t>> writes;
  for (int i = 0; i < kWrites; ++i) {
    writes.push_back(store().Write([i](StoreWriter& w) -> Result<int64_t> {
      ASSIGN_OR_RETURN(int64_t id, w.audit().Append(Entry("w" + std::to_string(i), i)));
      if (i == kFailing) return InvalidArgument("write " + std::to_string(i) + " refused");
      return id;
    }));
  }
  release->set_value();
  std::vector<std::string> expected;
  for (int i = 0; i < kWrites; ++i) {
    auto r = writes[static_cast<size_t>(i)].Wait();
    if (i == kFailing) {
      ASSERT_FALSE(r.ok());
      EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
      EXPECT_EQ(r.status().message(), "write 37 refused");
      continue;
    }
    ASSERT_TRUE(r.ok()) << i << ": " << r.status().message();
    expected.push_back("w" + std::to_string(i));
    // The id handed back is the one of the row that was committed (the
    // writes before the failing one ran twice).
    auto row = store().audit().Get(*r);
    ASSERT_TRUE(row.ok() && row->has_value()) << i;
    EXPECT_EQ((*row)->action, "w" + std::to_string(i));
  }
  EXPECT_EQ(AuditActions(store()), expected);
  StoreWriterStats stats = store().writer_stats();
  EXPECT_EQ(stats.largest_batch, kWrites);
  EXPECT_EQ(stats.failed_writes, 1);
  EXPECT_EQ(stats.redone_batches, 1);
  EXPECT_EQ(stats.writes, kWrites - 1 + 1);  // + the blocking write
}

TEST_F(WriterTest, AWriteFailingInSqliteAfterChangingTwoTablesLeavesNothingBehind) {
  auto release = BlockWriter();
  auto before = store().Write([](StoreWriter& w) { return w.audit().Append(Entry("before", 1)); });
  // Changes two tables, then breaks a foreign key: the error comes from
  // SQLite itself, in the middle of the write.
  auto bad = store().Write([](StoreWriter& w) -> Result<int64_t> {
    NewEnrolSecret s;
    s.name = "half";
    s.sha256 = "h";
    s.created_at = 1;
    RETURN_IF_ERROR(w.enrol_secrets().Create(s).status());
    RETURN_IF_ERROR(w.audit().Append(Entry("partial", 2)).status());
    FleetProblem p;
    p.host_id = 424242;  // no such host
    p.agent_problem_id = "p";
    p.rule_id = "R";
    RETURN_IF_ERROR(w.problems().Upsert(p).status());
    return Internal("the upsert should have failed");
  });
  auto after = store().Write([](StoreWriter& w) { return w.audit().Append(Entry("after", 3)); });
  release->set_value();
  EXPECT_TRUE(before.Wait().ok());
  EXPECT_TRUE(after.Wait().ok());
  auto r = bad.Wait();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().code(), StatusCode::kInternal) << r.status().message();
  EXPECT_EQ(AuditActions(store()), (std::vector<std::string>{"before", "after"}));
  auto secrets = store().enrol_secrets().List(ListQuery{});
  ASSERT_TRUE(secrets.ok());
  EXPECT_EQ(secrets->total, 0);
}

TEST_F(WriterTest, ManyFailingWritesInOneBatchAreEachReportedAndTheRestCommit) {
  // More failures than the writer redoes without savepoints: its last pass
  // isolates each remaining write in a savepoint.
  constexpr int kWrites = 40;
  auto release = BlockWriter();
  std::vector<Pending<int64_t>> writes;
  for (int i = 0; i < kWrites; ++i) {
    writes.push_back(store().Write([i](StoreWriter& w) -> Result<int64_t> {
      ASSIGN_OR_RETURN(int64_t id, w.audit().Append(Entry("w" + std::to_string(i), i)));
      if (i % 3 == 1) return InvalidArgument("refused " + std::to_string(i));
      return id;
    }));
  }
  release->set_value();
  std::vector<std::string> expected;
  int failures = 0;
  for (int i = 0; i < kWrites; ++i) {
    auto r = writes[static_cast<size_t>(i)].Wait();
    if (i % 3 == 1) {
      ++failures;
      ASSERT_FALSE(r.ok()) << i;
      EXPECT_EQ(r.status().message(), "refused " + std::to_string(i));
    } else {
      ASSERT_TRUE(r.ok()) << i << ": " << r.status().message();
      expected.push_back("w" + std::to_string(i));
    }
  }
  EXPECT_EQ(AuditActions(store()), expected);
  StoreWriterStats stats = store().writer_stats();
  EXPECT_EQ(stats.failed_writes, failures);
  EXPECT_EQ(stats.transactions, 2);  // the blocking write's, then this group's
  EXPECT_LE(stats.redone_batches, 3);
}

TEST_F(WriterTest, TouchesCommitWithABatchThatHadAFailingWrite) {
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
  const int64_t id = host->host.id;
  auto release = BlockWriter();
  store().TouchHost(id, 9000);
  auto bad = store().Write([](StoreWriter& w) -> Result<int64_t> {
    RETURN_IF_ERROR(w.audit().Append(Entry("partial", 2)).status());
    return InvalidArgument("no");
  });
  auto good = store().Write([](StoreWriter& w) { return w.audit().Append(Entry("good", 3)); });
  release->set_value();
  EXPECT_FALSE(bad.Wait().ok());
  EXPECT_TRUE(good.Wait().ok());
  ASSERT_TRUE(store().Flush().ok());
  EXPECT_EQ(store().hosts().Get(id).value()->last_seen_at, 9000);
  EXPECT_EQ(AuditActions(store()), (std::vector<std::string>{"good"}));
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

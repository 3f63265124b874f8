#include "delivery/durable_queue.h"

#include <gtest/gtest.h>

#include "testing/test_util.h"

namespace warden {
namespace {

using testing::TempDir;

QueuedRecord Rec(const std::string& id, size_t size = 10) {
  QueuedRecord r;
  r.id = id;
  r.time_ms = 1;
  r.payload = std::string(size, 'x');
  return r;
}

TEST(DurableQueueTest, RecordsStayUntilAcknowledgedAcrossReopen) {
  TempDir dir;
  QueueConfig c;
  {
    auto q = DurableQueue::Open(dir.path() + "/q.db", c);
    ASSERT_TRUE(q.ok()) << q.status().message();
    ASSERT_TRUE((*q)->Append({Rec("a"), Rec("b"), Rec("c")}).ok());
    auto batch = (*q)->Peek(2, 1 << 20);
    ASSERT_TRUE(batch.ok());
    ASSERT_EQ(batch->size(), 2u);
    EXPECT_EQ((*batch)[0].id, "a");
    // Peeking does not remove: only acknowledgement does.
    EXPECT_EQ((*q)->Stats()->records, 3);
    ASSERT_TRUE((*q)->Acknowledge((*batch)[0].seq, (*batch)[1].seq).ok());
  }
  auto q = DurableQueue::Open(dir.path() + "/q.db", c);
  ASSERT_TRUE(q.ok());
  auto batch = (*q)->Peek(10, 1 << 20);
  ASSERT_EQ(batch->size(), 1u);
  EXPECT_EQ((*batch)[0].id, "c");
  auto s = (*q)->Stats();
  EXPECT_EQ(s->delivered, 2);
  EXPECT_EQ(s->bytes, 10);
}

TEST(DurableQueueTest, DropOldestKeepsNewestWithinBoundAndCounts) {
  TempDir dir;
  QueueConfig c;
  c.max_bytes = 100;
  auto q = DurableQueue::Open(dir.path() + "/q.db", c);
  ASSERT_TRUE(q.ok());
  for (int i = 0; i < 15; ++i) ASSERT_TRUE((*q)->Append({Rec("r" + std::to_string(i), 10)}).ok());
  auto s = (*q)->Stats();
  EXPECT_EQ(s->records, 10);
  EXPECT_LE(s->bytes, 100);
  EXPECT_EQ(s->dropped, 5);
  EXPECT_EQ((*q)->Peek(1, 1000)->at(0).id, "r5");
}

TEST(DurableQueueTest, DropNewestRefusesIncoming) {
  TempDir dir;
  QueueConfig c;
  c.max_bytes = 50;
  c.drop_policy = DropPolicy::kDropNewest;
  auto q = DurableQueue::Open(dir.path() + "/q.db", c);
  ASSERT_TRUE(q.ok());
  std::vector<QueuedRecord> batch;
  for (int i = 0; i < 8; ++i) batch.push_back(Rec("r" + std::to_string(i), 10));
  auto dropped = (*q)->Append(batch);
  ASSERT_TRUE(dropped.ok());
  EXPECT_EQ(*dropped, 3);
  EXPECT_EQ((*q)->Peek(1, 1000)->at(0).id, "r0");
  EXPECT_EQ((*q)->Stats()->dropped, 3);
}

TEST(DurableQueueTest, PeekRespectsByteBudgetButReturnsAtLeastOne) {
  TempDir dir;
  auto q = DurableQueue::Open(dir.path() + "/q.db", QueueConfig{});
  ASSERT_TRUE((*q)->Append({Rec("big", 5000), Rec("small", 10)}).ok());
  EXPECT_EQ((*q)->Peek(10, 100)->size(), 1u);
  EXPECT_EQ((*q)->Peek(10, 6000)->size(), 2u);
}

}  // namespace
}  // namespace warden

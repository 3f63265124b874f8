// Live queries (campaigns): targets moving through their states, the
// campaign's counts and state following them, chunks of rows stored once
// and bounded with a visible cut, cancel, the deadline, and pruning.
#include <gtest/gtest.h>

#include "store/store_test_fixture.h"

namespace warden::store {
namespace {

class LiveQueryStoreTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    NewEnrolSecret s;
    s.name = "default";
    s.sha256 = "secret-default";
    s.created_at = 1;
    auto created = MustWrite([&](StoreWriter& w) { return w.enrol_secrets().Create(s); });
    secret_ = created.ok() ? created->id : 0;
  }

  int64_t Enrol(const std::string& hostname) {
    HostEnrolment e;
    e.machine_id = "m-" + hostname;
    e.hostname = hostname;
    e.enrol_secret_id = secret_;
    e.node_key_sha256 = "node-" + hostname;
    e.now = 10;
    auto r = MustWrite([&](StoreWriter& w) { return w.hosts().Enrol(e); });
    return r.ok() ? r->host.id : 0;
  }

  // A campaign asking `hosts` (pending, one command each) and `offline`
  // (no command); the command ids in the order of `hosts`.
  std::pair<LiveQuery, std::vector<int64_t>> NewCampaign(const std::vector<int64_t>& hosts,
                                                         const std::vector<int64_t>& offline = {},
                                                         int64_t max_rows = 1000,
                                                         int64_t max_bytes = 1 << 20) {
    std::vector<int64_t> commands;
    auto query = MustWrite([&](StoreWriter& w) -> Result<LiveQuery> {
      NewLiveQuery n;
      n.created_at = 100;
      n.created_by = {"user", "1", "alice"};
      n.sql = "SELECT 1";
      n.targets.host_ids = hosts;
      n.deadline_at = 10'000;
      n.max_rows = max_rows;
      n.max_bytes = max_bytes;
      ASSIGN_OR_RETURN(LiveQuery q, w.live_queries().Create(n));
      for (int64_t host : hosts) {
        NewAgentCommand c;
        c.host_id = host;
        c.type = "live_query";
        c.created_at = 100;
        ASSIGN_OR_RETURN(AgentCommandRow row, w.commands().Create(c));
        RETURN_IF_ERROR(w.live_queries().AddTarget(q.id, host, "h", row.id,
                                                   LiveQueryTargetState::kPending, 100));
        commands.push_back(row.id);
      }
      for (int64_t host : offline) {
        RETURN_IF_ERROR(w.live_queries().AddTarget(q.id, host, "h", std::nullopt,
                                                   LiveQueryTargetState::kOffline, 100));
      }
      return q;
    });
    return {query.ok() ? *query : LiveQuery{}, commands};
  }

  LiveQuery Stored(int64_t id) {
    auto q = store().live_queries().Get(id);
    EXPECT_TRUE(q.ok() && q->has_value());
    return q.ok() && q->has_value() ? **q : LiveQuery{};
  }

  ChunkOutcome Append(int64_t host, int64_t command, int64_t seq, std::vector<std::string> rows) {
    LiveQueryChunk chunk;
    chunk.seq = seq;
    chunk.columns = {"n"};
    chunk.rows = std::move(rows);
    auto out = MustWrite(
        [&](StoreWriter& w) { return w.live_queries().AppendChunk(host, command, chunk, 150); });
    return out.ok() ? *out : ChunkOutcome{};
  }

  void Answer(int64_t command, bool ok, int64_t rows, std::optional<std::string> error = {}) {
    LiveQueryAnswer a;
    a.ok = ok;
    a.returned_rows = rows;
    a.duration_ms = 12;
    a.error = std::move(error);
    a.at = 200;
    (void)MustWrite([&](StoreWriter& w) { return w.live_queries().AnswerCommand(command, a); });
  }

  std::vector<std::string> HostRows(int64_t query, int64_t host) {
    std::vector<std::string> out;
    EXPECT_TRUE(store()
                    .live_queries()
                    .HostRows(query, host,
                              [&](const std::string& row) {
                                out.push_back(row);
                                return Status::Ok();
                              })
                    .ok());
    return out;
  }

  int64_t secret_ = 0;
};

TEST_F(LiveQueryStoreTest, TargetsMoveAndTheCampaignCountsFollow) {
  const int64_t a = Enrol("a"), b = Enrol("b"), c = Enrol("c");
  auto [query, commands] = NewCampaign({a, b}, {c});
  LiveQuery q = Stored(query.id);
  EXPECT_EQ(q.state, "running");
  EXPECT_EQ(q.counts.targeted, 3);
  EXPECT_EQ(q.counts.pending, 2);
  EXPECT_EQ(q.counts.offline, 1);

  (void)MustWrite(
      [&](StoreWriter& w) { return w.live_queries().MarkCommandDelivered(commands[0], 120); });
  EXPECT_EQ(Stored(query.id).counts.running, 1);
  EXPECT_EQ(Append(a, commands[0], 0, {R"({"n":1})", R"({"n":2})"}).update, ChunkUpdate::kStored);
  Answer(commands[0], true, 2);
  Answer(commands[1], false, 0, "no such table: nope");

  q = Stored(query.id);
  EXPECT_EQ(q.state, "done");
  EXPECT_EQ(q.counts.done, 1);
  EXPECT_EQ(q.counts.error, 1);
  EXPECT_EQ(q.counts.pending + q.counts.running, 0);
  EXPECT_EQ(q.stored_rows, 2);
  EXPECT_EQ(q.columns, std::vector<std::string>{"n"});
  EXPECT_TRUE(q.finished_at.has_value());

  auto target = store().live_queries().Target(query.id, b);
  ASSERT_TRUE(target.ok() && target->has_value());
  EXPECT_EQ((*target)->state, LiveQueryTargetState::kError);
  EXPECT_EQ((*target)->error.value_or(""), "no such table: nope");
  auto done = store().live_queries().Target(query.id, a);
  ASSERT_TRUE(done.ok() && done->has_value());
  EXPECT_EQ((*done)->returned_rows, 2);
  EXPECT_EQ((*done)->duration_ms.value_or(-1), 12);

  // An answer after the end changes nothing.
  Answer(commands[0], false, 0, "late");
  EXPECT_EQ(Stored(query.id).counts.done, 1);
}

TEST_F(LiveQueryStoreTest, AChunkIsStoredOnceAndInOrder) {
  const int64_t a = Enrol("a");
  auto [query, commands] = NewCampaign({a});
  EXPECT_EQ(Append(a, commands[0], 1, {R"({"n":9})"}).update, ChunkUpdate::kOutOfOrder);
  EXPECT_EQ(Append(a, commands[0], 0, {R"({"n":1})"}).update, ChunkUpdate::kStored);
  EXPECT_EQ(Append(a, commands[0], 0, {R"({"n":1})"}).update, ChunkUpdate::kDuplicate);
  EXPECT_EQ(Append(a, commands[0], 1, {R"({"n":2})"}).update, ChunkUpdate::kStored);
  EXPECT_EQ(HostRows(query.id, a), (std::vector<std::string>{R"({"n":1})", R"({"n":2})"}));
  // Another host's node cannot push into this target.
  const int64_t b = Enrol("b");
  EXPECT_EQ(Append(b, commands[0], 2, {R"({"n":3})"}).update, ChunkUpdate::kNotFound);
}

TEST_F(LiveQueryStoreTest, TheRowBoundCutsVisiblyNeverSilently) {
  const int64_t a = Enrol("a"), b = Enrol("b");
  auto [query, commands] = NewCampaign({a, b}, {}, /*max_rows=*/3);
  ChunkOutcome first = Append(a, commands[0], 0, {R"({"n":1})", R"({"n":2})"});
  EXPECT_FALSE(first.truncated);
  ChunkOutcome second = Append(b, commands[1], 0, {R"({"n":3})", R"({"n":4})"});
  EXPECT_TRUE(second.truncated);
  EXPECT_EQ(second.stored, 1);
  LiveQuery q = Stored(query.id);
  EXPECT_EQ(q.stored_rows, 3);
  EXPECT_EQ(q.truncated_at.value_or(0), 3);
  Answer(commands[1], true, 2);
  auto target = store().live_queries().Target(query.id, b);
  ASSERT_TRUE(target.ok() && target->has_value());
  EXPECT_EQ((*target)->returned_rows, 2);
  EXPECT_EQ((*target)->stored_rows, 1);
}

TEST_F(LiveQueryStoreTest, CancelClosesOpenTargetsAndWithdrawsTheirCommands) {
  const int64_t a = Enrol("a"), b = Enrol("b");
  auto [query, commands] = NewCampaign({a, b});
  Answer(commands[0], true, 0);
  auto withdrawn =
      MustWrite([&](StoreWriter& w) { return w.live_queries().Cancel(query.id, 300); });
  ASSERT_TRUE(withdrawn.ok() && withdrawn->has_value());
  ASSERT_EQ((*withdrawn)->size(), 1u);
  EXPECT_EQ((**withdrawn)[0].command_id, commands[1]);
  LiveQuery q = Stored(query.id);
  EXPECT_EQ(q.state, "cancelled");
  EXPECT_EQ(q.counts.cancelled, 1);
  EXPECT_EQ(q.counts.done, 1);
  EXPECT_EQ(Append(b, commands[1], 0, {R"({"n":1})"}).update, ChunkUpdate::kClosed);
  // Cancelling again changes nothing.
  auto again = MustWrite([&](StoreWriter& w) { return w.live_queries().Cancel(query.id, 301); });
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->has_value());
}

TEST_F(LiveQueryStoreTest, TheDeadlineGivesUpPendingAsOfflineAndRunningAsError) {
  const int64_t a = Enrol("a"), b = Enrol("b");
  auto [query, commands] = NewCampaign({a, b});
  (void)MustWrite(
      [&](StoreWriter& w) { return w.live_queries().MarkCommandDelivered(commands[1], 120); });
  auto early = MustWrite([&](StoreWriter& w) { return w.live_queries().ExpireTargets(9'999); });
  ASSERT_TRUE(early.ok());
  EXPECT_TRUE(early->empty());
  auto expired = MustWrite([&](StoreWriter& w) { return w.live_queries().ExpireTargets(10'000); });
  ASSERT_TRUE(expired.ok());
  EXPECT_EQ(expired->size(), 2u);
  LiveQuery q = Stored(query.id);
  EXPECT_EQ(q.state, "done");
  EXPECT_EQ(q.counts.offline, 1);
  EXPECT_EQ(q.counts.error, 1);
}

TEST_F(LiveQueryStoreTest, PruningDeletesOldRowsAndKeepsTheCampaign) {
  const int64_t a = Enrol("a");
  auto [query, commands] = NewCampaign({a});
  Append(a, commands[0], 0, {R"({"n":1})"});
  auto kept = MustWrite([&](StoreWriter& w) { return w.live_queries().PruneResults(100, 500); });
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(*kept, 0);
  auto pruned = MustWrite([&](StoreWriter& w) { return w.live_queries().PruneResults(101, 500); });
  ASSERT_TRUE(pruned.ok());
  EXPECT_EQ(*pruned, 1);
  LiveQuery q = Stored(query.id);
  EXPECT_EQ(q.results_pruned_at.value_or(0), 500);
  EXPECT_TRUE(HostRows(query.id, a).empty());
}

TEST_F(LiveQueryStoreTest, ListsPageFilterAndSort) {
  const int64_t a = Enrol("a"), b = Enrol("b");
  auto first = NewCampaign({a});
  auto second = NewCampaign({a, b});
  Append(b, second.second[1], 0, {R"({"n":1})", R"({"n":2})"});
  Append(a, second.second[0], 0, {R"({"n":3})"});

  ListQuery by_host;
  by_host.filters = {{"host_id", FilterOp::kEq, Value(b)}};
  auto campaigns = store().live_queries().List(by_host);
  ASSERT_TRUE(campaigns.ok()) << campaigns.status().message();
  ASSERT_EQ(campaigns->items.size(), 1u);
  EXPECT_EQ(campaigns->items[0].id, second.first.id);

  ListQuery targets;
  targets.filters = {{"query_id", FilterOp::kEq, Value(second.first.id)}};
  auto hosts = store().live_queries().ListTargets(targets);
  ASSERT_TRUE(hosts.ok()) << hosts.status().message();
  EXPECT_EQ(hosts->total, 2);

  ListQuery rows;
  rows.filters = {{"query_id", FilterOp::kEq, Value(second.first.id)}};
  rows.sort = SortOrder{"host_id", false};
  auto page = store().live_queries().ListRows(rows);
  ASSERT_TRUE(page.ok()) << page.status().message();
  ASSERT_EQ(page->items.size(), 3u);
  EXPECT_EQ(page->items[0].host_id, a);
  rows.filters.push_back({"host_id", FilterOp::kEq, Value(b)});
  page = store().live_queries().ListRows(rows);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->total, 2);
  (void)first;
}

}  // namespace
}  // namespace warden::store

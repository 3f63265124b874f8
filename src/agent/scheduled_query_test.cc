#include "agent/scheduled_query.h"

#include <gtest/gtest.h>

#include "agent/agent_test_util.h"
#include "testing/test_util.h"

namespace warden {
namespace {

using testing::TempDir;

class ScheduledQueryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    engine_ = testing::TestRowsEngine(&table_);
    ASSERT_NE(engine_, nullptr);
    auto s = AgentStateStore::Open(dir_.path() + "/state.db");
    ASSERT_TRUE(s.ok());
    state_ = std::move(*s);
    query_.name = "q";
    query_.sql = "SELECT id, name, score FROM test_rows";
    query_.timeout_ms = 10000;
    query_.max_memory_bytes = 64 << 20;
    settings_.host_identifier = "h1";
    settings_.decorations = {{"env", "test"}};
  }
  void SetRows(std::vector<std::tuple<int64_t, std::string, double>> rows) {
    std::lock_guard<std::mutex> lock(table_.mu);
    table_.rows = std::move(rows);
  }
  QueryRun Run(int64_t now_ms = 1704888000000) {
    auto r = RunScheduledQuery(*engine_->engine, *state_, query_, settings_, now_ms, nullptr);
    EXPECT_TRUE(r.ok()) << r.status().message();
    if (!r.ok()) return {};
    EXPECT_TRUE(CommitQueryRun(*state_, *r).ok());
    return std::move(*r);
  }
  TempDir dir_;
  testing::TestRowsTable table_;
  std::unique_ptr<testing::TestEngine> engine_;
  std::unique_ptr<AgentStateStore> state_;
  QueryConfig query_;
  ResultLogSettings settings_;
};

TEST_F(ScheduledQueryTest, DifferentialReportsAddedThenChangesInOsqueryShape) {
  SetRows({{1, "a", 1.5}, {2, "b", 2.0}});
  QueryRun first = Run();
  ASSERT_EQ(first.records.size(), 2u);
  const Json& line = first.records[0].body;
  std::vector<std::string> keys;
  for (auto it = line.begin(); it != line.end(); ++it) keys.push_back(it.key());
  EXPECT_EQ(keys,
            (std::vector<std::string>{"name", "hostIdentifier", "calendarTime", "unixTime", "epoch",
                                      "counter", "numerics", "decorations", "columns", "action"}));
  EXPECT_EQ(line["action"], "added");
  EXPECT_EQ(line["counter"], 0);
  EXPECT_EQ(line["calendarTime"], "Wed Jan 10 12:00:00 2024 UTC");
  EXPECT_EQ(line["unixTime"], 1704888000);
  EXPECT_EQ(line["decorations"]["env"], "test");
  EXPECT_TRUE(line["columns"]["id"].is_number_integer());

  SetRows({{2, "b", 2.0}, {3, "c", 3.0}});
  QueryRun second = Run();
  ASSERT_EQ(second.records.size(), 2u);
  EXPECT_EQ(second.records[0].body["action"], "added");
  EXPECT_EQ(second.records[0].body["columns"]["id"], 3);
  EXPECT_EQ(second.records[1].body["action"], "removed");
  EXPECT_EQ(second.records[1].body["columns"]["id"], 1);
  EXPECT_EQ(second.records[1].body["counter"], 1);

  EXPECT_TRUE(Run().records.empty()) << "no change, no lines";
}

TEST_F(ScheduledQueryTest, NumericsOffGivesOsqueryStrings) {
  settings_.numerics = false;
  SetRows({{7, "", 0.5}});
  QueryRun run = Run();
  ASSERT_EQ(run.records.size(), 1u);
  const Json& cols = run.records[0].body["columns"];
  EXPECT_EQ(cols["id"], "7");
  EXPECT_EQ(cols["name"], "");
  EXPECT_EQ(cols["score"], "0.5");
  EXPECT_EQ(run.records[0].body["numerics"], false);
}

TEST_F(ScheduledQueryTest, SnapshotIsOneLineWithEveryRow) {
  query_.mode = QueryConfig::Mode::kSnapshot;
  SetRows({{1, "a", 1}, {2, "b", 2}});
  QueryRun run = Run();
  ASSERT_EQ(run.records.size(), 1u);
  EXPECT_EQ(run.records[0].body["action"], "snapshot");
  EXPECT_EQ(run.records[0].body["snapshot"].size(), 2u);
  EXPECT_EQ(Run().records[0].body["counter"], 1);
}

TEST_F(ScheduledQueryTest, ChangedQueryStartsNewEpoch) {
  SetRows({{1, "a", 1}});
  Run();
  query_.sql = "SELECT id FROM test_rows";
  QueryRun run = Run();
  ASSERT_EQ(run.records.size(), 1u);
  EXPECT_EQ(run.records[0].body["epoch"], 1);
  EXPECT_EQ(run.records[0].body["counter"], 0);
  EXPECT_EQ(run.records[0].body["action"], "added");
}

TEST_F(ScheduledQueryTest, UncommittedRunIsReplayedWithSameIds) {
  SetRows({{1, "a", 1}});
  auto lost =
      RunScheduledQuery(*engine_->engine, *state_, query_, settings_, 1704888000000, nullptr);
  ASSERT_TRUE(lost.ok());
  // The agent died before CommitQueryRun: the next run says the same thing.
  QueryRun again = Run(1704888060000);
  ASSERT_EQ(again.records.size(), 1u);
  EXPECT_EQ(again.records[0].id, lost->records[0].id);
}

TEST_F(ScheduledQueryTest, TimeBudgetStopsTheQuery) {
  query_.sql =
      "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c";
  query_.timeout_ms = 200;
  auto start = std::chrono::steady_clock::now();
  auto r = RunScheduledQuery(*engine_->engine, *state_, query_, settings_, 0, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kTimeout);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST_F(ScheduledQueryTest, MemoryBudgetStopsTheQueryWithoutPartialResults) {
  query_.sql =
      "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 200000) "
      "SELECT x, printf('%.400c', 'a') AS pad FROM c";
  query_.max_memory_bytes = 4 << 20;
  auto r = RunScheduledQuery(*engine_->engine, *state_, query_, settings_, 0, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("memory budget of 4 MB"), std::string::npos)
      << r.status().message();
  auto prev = state_->LoadDifferential("q");
  ASSERT_TRUE(prev.ok());
  EXPECT_FALSE(prev->exists) << "a stopped query leaves no state";
}

TEST_F(ScheduledQueryTest, InvalidUtf8InRowsIsReplacedNotFatal) {
  query_.sql = "SELECT CAST(x'ff41' AS TEXT) AS bad";
  QueryRun run = Run();
  ASSERT_EQ(run.records.size(), 1u);
  EXPECT_EQ(run.records[0].body["columns"]["bad"],
            "\xEF\xBF\xBD"
            "A");
}

TEST_F(ScheduledQueryTest, SqlErrorIsReported) {
  query_.sql = "SELECT * FROM no_such_table";
  auto r = RunScheduledQuery(*engine_->engine, *state_, query_, settings_, 0, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("no_such_table"), std::string::npos);
}

}  // namespace
}  // namespace warden

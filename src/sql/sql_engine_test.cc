// Tests of the table framework and engine with synthetic tables: constraint
// push-down, IN lists, used-column masks, hidden and required columns, typed
// values, aliases, time budgets, and errors raised by tables.
#include "sql/sql_engine.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <future>
#include <iostream>
#include <thread>

namespace warden {
namespace {

struct Calls {
  int generate = 0;
  std::optional<std::vector<int64_t>> last_ids;
  bool name_used = true;
  bool blob_used = true;
};

class SqlEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    registry_.Add(
        TableSchema{"numbers",
                    "ten rows",
                    {{"id", ColumnType::kBigInt, kIndex},
                     {"name", ColumnType::kText},
                     {"half", ColumnType::kDouble},
                     {"secret", ColumnType::kText, kHidden},
                     {"blob", ColumnType::kText, kNone, "", "", {"old_blob"}}},
                    {"numbers_alias"}},
        [this](const QueryContext& ctx, RowWriter& out) -> Status {
          ++calls_.generate;
          calls_.last_ids = ctx.IntegerEquals("id");
          calls_.name_used = ctx.IsUsed("name");
          calls_.blob_used = ctx.IsUsed("blob");
          for (int64_t i = 1; i <= 10; ++i) {
            if (calls_.last_ids && std::find(calls_.last_ids->begin(), calls_.last_ids->end(), i) ==
                                       calls_.last_ids->end())
              continue;
            Row& r = out.Add();
            r.Set("id", i);
            r.Set("name", "n" + std::to_string(i));
            r.Set("half", static_cast<double>(i) / 2);
            r.Set("secret", "s" + std::to_string(i));
            if (i % 2 == 0) r.Set("blob", "even");
          }
          return Status::Ok();
        });
    registry_.Add(
        TableSchema{"needs_path",
                    "required column",
                    {{"path", ColumnType::kText, kRequired | kIndex},
                     {"directory", ColumnType::kText, kRequired},
                     {"size", ColumnType::kBigInt}}},
        [](const QueryContext& ctx, RowWriter& out) -> Status {
          for (const auto& p : ctx.TextEquals("path").value_or(std::vector<std::string>{})) {
            Row& r = out.Add();
            r.Set("path", p);
            r.Set("size", static_cast<int64_t>(p.size()));
          }
          return Status::Ok();
        });
    registry_.Add(TableSchema{"echoing",
                              "an input column the rows echo",
                              {{"x", ColumnType::kInteger},
                               {"pid_with_namespace", ColumnType::kInteger,
                                kHidden | kAdditional | kEchoInput}}},
                  [](const QueryContext&, RowWriter& out) -> Status {
                    out.Add().Set("x", 1);
                    Row& own = out.Add();  // a row that sets the input itself keeps its value
                    own.Set("x", 2);
                    own.Set("pid_with_namespace", int64_t{42});
                    return Status::Ok();
                  });
    registry_.Add(TableSchema{"failing", "always fails", {{"x", ColumnType::kInteger}}},
                  [](const QueryContext&, RowWriter&) -> Status {
                    return IoError("/proc/nothing: Permission denied");
                  });
    registry_.Add(TableSchema{"slow", "never finishes on its own", {{"x", ColumnType::kInteger}}},
                  [](const QueryContext& ctx, RowWriter& out) -> Status {
                    while (!ctx.Cancelled()) {
                      out.Add().Set("x", 1);
                      if (out.size() > 1000)  // paced: outlasts the budget without filling memory
                        std::this_thread::sleep_for(std::chrono::milliseconds(1));
                    }
                    return Status::Ok();
                  });
    auto e = SqlEngine::Open(&registry_, &fs_);
    ASSERT_TRUE(e.ok()) << e.status().message();
    engine_ = std::move(e).value();
  }

  QueryResult Run(const std::string& sql) {
    auto r = engine_->Query(sql);
    EXPECT_TRUE(r.ok()) << sql << ": " << r.status().message();
    return r.ok() ? std::move(r).value() : QueryResult{};
  }

  TableRegistry registry_;
  HostFs fs_;
  std::unique_ptr<SqlEngine> engine_;
  Calls calls_;
};

TEST_F(SqlEngineTest, EqualityIsPushedDownToTheTable) {
  auto r = Run("SELECT id FROM numbers WHERE id = 3");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(std::get<int64_t>(r.rows[0][0]), 3);
  ASSERT_TRUE(calls_.last_ids.has_value());
  EXPECT_EQ(*calls_.last_ids, std::vector<int64_t>{3});
}

TEST_F(SqlEngineTest, InListArrivesAllAtOnceInOneScan) {
  auto r = Run("SELECT id FROM numbers WHERE id IN (2, 5, 7) ORDER BY id");
  ASSERT_EQ(r.rows.size(), 3u);
  EXPECT_EQ(calls_.generate, 1);
  ASSERT_TRUE(calls_.last_ids.has_value());
  EXPECT_EQ(*calls_.last_ids, (std::vector<int64_t>{2, 5, 7}));
}

TEST_F(SqlEngineTest, TableOverReturningIsFilteredBySqlite) {
  // Tables may ignore constraints they cannot use; SQLite re-checks.
  auto r = Run("SELECT id FROM numbers WHERE half > 4");
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_FALSE(calls_.last_ids.has_value());
}

TEST_F(SqlEngineTest, UnusedColumnsAreReportedToTheTable) {
  Run("SELECT id FROM numbers");
  EXPECT_FALSE(calls_.name_used);
  EXPECT_FALSE(calls_.blob_used);
  Run("SELECT id FROM numbers WHERE name = 'n1'");
  EXPECT_TRUE(calls_.name_used);
}

TEST_F(SqlEngineTest, InputColumnsEchoTheQuerysValueElseZero) {
  QueryResult all = Run("SELECT x, pid_with_namespace FROM echoing ORDER BY x");
  ASSERT_EQ(all.rows.size(), 2u);
  EXPECT_EQ(all.rows[0][1], Value(int64_t{0}));
  EXPECT_EQ(all.rows[1][1], Value(int64_t{42}));
  // The WHERE keeps the rows it asked for (osquery's tables echo the value).
  QueryResult given = Run("SELECT x, pid_with_namespace FROM echoing WHERE pid_with_namespace = 7");
  ASSERT_EQ(given.rows.size(), 1u);
  EXPECT_EQ(given.rows[0][0], Value(int64_t{1}));
  EXPECT_EQ(given.rows[0][1], Value(int64_t{7}));
  EXPECT_EQ(Run("SELECT x FROM echoing WHERE pid_with_namespace = 0").rows.size(), 1u);
}

TEST_F(SqlEngineTest, HiddenColumnsAreSelectableByNameButNotInStar) {
  auto star = Run("SELECT * FROM numbers LIMIT 1");
  EXPECT_EQ(star.columns, (std::vector<std::string>{"id", "name", "half", "blob"}));
  auto named = Run("SELECT secret FROM numbers WHERE id = 4");
  ASSERT_EQ(named.rows.size(), 1u);
  EXPECT_EQ(std::get<std::string>(named.rows[0][0]), "s4");
}

TEST_F(SqlEngineTest, ValuesKeepTheirTypes) {
  auto r = Run("SELECT id, name, half, blob FROM numbers WHERE id = 1");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<int64_t>(r.rows[0][0]));
  EXPECT_TRUE(std::holds_alternative<std::string>(r.rows[0][1]));
  EXPECT_TRUE(std::holds_alternative<double>(r.rows[0][2]));
  EXPECT_TRUE(IsNull(r.rows[0][3]));
}

TEST_F(SqlEngineTest, TableAliasAnswersLikeTheTable) {
  auto r = Run("SELECT count(*) FROM numbers_alias");
  EXPECT_EQ(std::get<int64_t>(r.rows[0][0]), 10);
}

TEST_F(SqlEngineTest, ColumnAliasReadsTheColumnAndIsHidden) {
  auto r = Run("SELECT old_blob FROM numbers WHERE old_blob = 'even' AND id < 5");
  EXPECT_EQ(r.rows.size(), 2u);
  EXPECT_TRUE(calls_.blob_used);  // using the alias marks the real column as used
  auto star = Run("SELECT * FROM numbers LIMIT 1");
  EXPECT_EQ(std::count(star.columns.begin(), star.columns.end(), "old_blob"), 0);
}

TEST_F(SqlEngineTest, MissingRequiredColumnNamesTheColumns) {
  auto r = engine_->Query("SELECT * FROM needs_path");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("needs_path"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("'path' or 'directory'"), std::string::npos)
      << r.status().message();
}

TEST_F(SqlEngineTest, RequiredColumnSatisfiedByEqualityOrJoin) {
  auto r = Run("SELECT path, size FROM needs_path WHERE path = '/etc/hosts'");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(std::get<int64_t>(r.rows[0][1]), 10);
  auto j = Run(
      "SELECT n.name, p.size FROM numbers n JOIN needs_path p ON p.path = n.name WHERE n.id < 3");
  EXPECT_EQ(j.rows.size(), 2u);
}

TEST_F(SqlEngineTest, TableErrorsNameTheTable) {
  auto r = engine_->Query("SELECT * FROM failing");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("failing: /proc/nothing: Permission denied"),
            std::string::npos)
      << r.status().message();
}

TEST_F(SqlEngineTest, BadSqlIsAnErrorNotACrash) {
  EXPECT_FALSE(engine_->Query("SELEC * FROM numbers").ok());
  EXPECT_FALSE(engine_->Query("SELECT * FROM no_such_table").ok());
  EXPECT_FALSE(engine_->Query("").ok());
  EXPECT_FALSE(engine_->Query("SELECT nope FROM numbers").ok());
}

TEST_F(SqlEngineTest, MisspelledTableGetsDidYouMean) {
  auto r = engine_->Query("SELECT * FROM nubmers");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "no such table: nubmers; did you mean 'numbers'?");
  auto far = engine_->Query("SELECT * FROM zzzzzzzzzzzz");
  ASSERT_FALSE(far.ok());
  EXPECT_EQ(far.status().message(),
            "no such table: zzzzzzzzzzzz (warden tables lists every table)");
}

TEST_F(SqlEngineTest, EngineStaysUsableAfterAnError) {
  EXPECT_FALSE(engine_->Query("SELECT * FROM failing").ok());
  EXPECT_EQ(Run("SELECT count(*) FROM numbers").rows.size(), 1u);
}

TEST_F(SqlEngineTest, QueryBudgetStopsASlowTable) {
  QueryOptions options;
  options.timeout = std::chrono::milliseconds(100);
  auto start = std::chrono::steady_clock::now();
  auto r = engine_->Query("SELECT count(*) FROM slow", options);
  auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kTimeout);
  EXPECT_NE(r.status().message().find("100 ms"), std::string::npos) << r.status().message();
  EXPECT_LT(elapsed, std::chrono::seconds(5));
}

TEST_F(SqlEngineTest, QueryBudgetStopsRunawaySql) {
  QueryOptions options;
  options.timeout = std::chrono::milliseconds(100);
  auto r = engine_->Query(
      "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c",
      options);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kTimeout);
}

// Runs a query on another thread; a query still running after `limit` is a
// hang, which no assertion can recover from: the test program aborts.
Result<QueryResult> QueryOrAbort(SqlEngine& engine, const std::string& sql,
                                 const QueryOptions& options, std::chrono::seconds limit) {
  auto future = std::async(std::launch::async, [&] { return engine.Query(sql, options); });
  if (future.wait_for(limit) != std::future_status::ready) {
    std::cerr << "query still running after " << limit.count() << " s: it hangs\n";
    std::abort();
  }
  return future.get();
}

TEST_F(SqlEngineTest, NulByteIsRefusedWithItsPosition) {
  constexpr char kSql[] = "SELECT 1;\n  SELECT\0 2;";
  const std::string sql(kSql, sizeof kSql - 1);
  auto r = QueryOrAbort(*engine_, sql, {}, std::chrono::seconds(10));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "SQL contains a NUL byte at byte 18 (line 2, column 9)");
  // The fuzzer's reproducer: a NUL right after the last statement.
  auto trailing =
      QueryOrAbort(*engine_, std::string("SELECT 1;\0", 10), {}, std::chrono::seconds(10));
  ASSERT_FALSE(trailing.ok());
  EXPECT_NE(trailing.status().message().find("NUL byte at byte 9"), std::string::npos)
      << trailing.status().message();
}

TEST_F(SqlEngineTest, QueryBudgetHoldsBetweenManyCheapStatements) {
  // Each statement is too short for the progress handler to run while it
  // steps; the budget must still stop the text as a whole.
  std::string sql;
  for (int i = 0; i < 400000; ++i) sql += "SELECT 1;";
  QueryOptions options;
  options.timeout = std::chrono::milliseconds(50);
  const auto start = std::chrono::steady_clock::now();
  auto r = QueryOrAbort(*engine_, sql, options, std::chrono::seconds(60));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kTimeout) << r.status().message();
  EXPECT_LT(elapsed, std::chrono::milliseconds(1000));
}

TEST_F(SqlEngineTest, MultipleStatementsReturnTheLastResult) {
  auto r = Run("SELECT 1; SELECT 2 AS two;");
  ASSERT_EQ(r.columns, std::vector<std::string>{"two"});
  EXPECT_EQ(std::get<int64_t>(r.rows[0][0]), 2);
}

TEST_F(SqlEngineTest, SchemaSqlMarksHiddenColumns) {
  std::string sql = TableSchemaSql(registry_.Find("numbers")->schema);
  EXPECT_NE(sql.find("\"secret\" TEXT HIDDEN"), std::string::npos) << sql;
  EXPECT_NE(sql.find("\"id\" BIGINT"), std::string::npos) << sql;
}

TEST_F(SqlEngineTest, AttachingFilesIsRefused) {
  EXPECT_FALSE(engine_->Query("ATTACH DATABASE '/tmp/x.db' AS x").ok());
}

}  // namespace
}  // namespace warden

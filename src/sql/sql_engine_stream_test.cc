// Tests of streaming tables (table.h, "Streaming tables"): the engine asks a
// RowStream for batches as SQLite consumes rows, so an endless table answers
// LIMIT, a scan never holds more than a batch, rowids run on across batches,
// stream errors and budgets end the query, and joins re-open the stream.
#include <gtest/gtest.h>

#include <memory>

#include "sql/sql_engine.h"

namespace warden {
namespace {

struct StreamStats {
  int opened = 0;
  int batches = 0;
  size_t largest_batch = 0;
};

// Rows 1, 2, 3, ... up to `last` (0: without end), `batch` per call; fails
// when it reaches `fail_at` (0: never).
class CountingStream : public RowStream {
 public:
  CountingStream(const QueryContext& ctx, StreamStats* stats, int64_t last, int64_t fail_at,
                 size_t batch)
      : ctx_(ctx), stats_(stats), last_(last), fail_at_(fail_at), batch_(batch) {}
  Result<bool> Next(RowWriter& out) override {
    ++stats_->batches;
    size_t before = out.size();
    while (out.size() - before < batch_) {
      if (ctx_.Cancelled()) return false;
      ++next_;
      if (fail_at_ != 0 && next_ == fail_at_)
        return IoError("/walk/" + std::to_string(next_) + ": Input/output error");
      if (last_ != 0 && next_ > last_) return false;
      out.Add().Set("n", next_);
      stats_->largest_batch = std::max(stats_->largest_batch, out.size());
    }
    return true;
  }

 private:
  const QueryContext& ctx_;
  StreamStats* stats_;
  int64_t last_, fail_at_;
  size_t batch_;
  int64_t next_ = 0;
};

class SqlEngineStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto add = [this](const char* name, int64_t last, int64_t fail_at, size_t batch) {
      registry_.AddStreaming(TableSchema{name, "counts", {{"n", ColumnType::kBigInt}}},
                             [this, last, fail_at, batch](
                                 const QueryContext& ctx) -> Result<std::unique_ptr<RowStream>> {
                               ++stats_.opened;
                               return std::unique_ptr<RowStream>(std::make_unique<CountingStream>(
                                   ctx, &stats_, last, fail_at, batch));
                             });
    };
    add("endless", 0, 0, 100);
    add("thousand", 1000, 0, 64);
    add("breaks", 0, 150, 100);
    registry_.AddStreaming(
        TableSchema{"unopenable", "cannot start", {{"n", ColumnType::kBigInt}}},
        [](const QueryContext&) -> Result<std::unique_ptr<RowStream>> {
          return InvalidArgument("path pattern '/a/%%/b': '%%' only in the last component");
        });
    auto e = SqlEngine::Open(&registry_, &fs_);
    ASSERT_TRUE(e.ok()) << e.status().message();
    engine_ = std::move(e).value();
  }

  TableRegistry registry_;
  HostFs fs_;
  std::unique_ptr<SqlEngine> engine_;
  StreamStats stats_;
};

TEST_F(SqlEngineStreamTest, LimitStopsAnEndlessStreamAfterOneBatch) {
  auto r = engine_->Query("SELECT n FROM endless LIMIT 3");
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->rows.size(), 3u);
  EXPECT_EQ(std::get<int64_t>(r->rows[2][0]), 3);
  EXPECT_EQ(stats_.batches, 1);
}

TEST_F(SqlEngineStreamTest, WholeScanHoldsOneBatchAtATime) {
  auto r = engine_->Query("SELECT count(*), sum(n), max(rowid) FROM thousand");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(std::get<int64_t>(r->rows[0][0]), 1000);
  EXPECT_EQ(std::get<int64_t>(r->rows[0][1]), 500500);
  EXPECT_EQ(std::get<int64_t>(r->rows[0][2]), 999);  // rowids run on across batches
  EXPECT_EQ(stats_.largest_batch, 64u);
  EXPECT_EQ(stats_.batches, 1000 / 64 + 1);
}

TEST_F(SqlEngineStreamTest, StreamErrorMidScanNamesTheTable) {
  auto r = engine_->Query("SELECT count(*) FROM breaks");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "breaks: /walk/150: Input/output error");
  auto open = engine_->Query("SELECT * FROM unopenable");
  ASSERT_FALSE(open.ok());
  EXPECT_EQ(open.status().message(),
            "unopenable: path pattern '/a/%%/b': '%%' only in the last component");
}

TEST_F(SqlEngineStreamTest, BudgetStopsAnEndlessScan) {
  QueryOptions options;
  options.timeout = std::chrono::milliseconds(200);
  auto r = engine_->Query("SELECT count(*) FROM endless", options);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kTimeout);
}

TEST_F(SqlEngineStreamTest, EachScanOfAJoinOpensItsOwnStream) {
  auto r = engine_->Query(
      "SELECT a.n, b.n FROM (SELECT n FROM thousand WHERE n <= 3) a "
      "JOIN thousand b ON b.n = a.n * 10 ORDER BY a.n");
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->rows.size(), 3u);
  EXPECT_EQ(std::get<int64_t>(r->rows[2][1]), 30);
  EXPECT_GE(stats_.opened, 2);
}

TEST_F(SqlEngineStreamTest, GenerateDrainsTheStreamForCallersThatWantAllRows) {
  const TableDef* def = registry_.Find("thousand");
  ASSERT_NE(def, nullptr);
  ASSERT_TRUE(def->open_stream);
  std::vector<Row> rows;
  RowWriter writer(&def->schema, &def->column_index, &rows);
  QueryContext ctx(&def->schema, &fs_, &registry_, nullptr);
  ASSERT_TRUE(def->generate(ctx, writer).ok());
  EXPECT_EQ(rows.size(), 1000u);
}

}  // namespace
}  // namespace warden

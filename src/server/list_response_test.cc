#include "server/list_response.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace warden::server {
namespace {

// Captures a response, streamed or not, without a server.
class CaptureSink : public HttpResponseSink, public HttpStreamChannel {
 public:
  bool TryDeliver(HttpResponse r) override {
    if (answered) return false;
    answered = true;
    response = std::move(r);
    return true;
  }
  Result<std::shared_ptr<HttpStreamChannel>> TryStartStream(HttpResponse head) override {
    if (answered) return Unavailable("answered");
    answered = true;
    response = std::move(head);
    return std::shared_ptr<HttpStreamChannel>(self.lock(), this);
  }
  bool IsOpen() const override { return true; }
  void OnClientGone(std::function<void()>) override {}
  Status Write(std::string_view chunk) override {
    if (fail_writes) return Unavailable("client gone");
    chunks.emplace_back(chunk);
    return Status::Ok();
  }
  Status Finish() override {
    finished = true;
    return Status::Ok();
  }
  void Abort() override { aborted = true; }

  std::string Body() const {
    std::string all;
    for (const std::string& c : chunks) all += c;
    return all;
  }

  std::weak_ptr<CaptureSink> self;
  bool answered = false;
  bool finished = false;
  bool aborted = false;
  bool fail_writes = false;
  HttpResponse response;
  std::vector<std::string> chunks;
};

std::shared_ptr<CaptureSink> NewSink() {
  auto sink = std::make_shared<CaptureSink>();
  sink->self = sink;
  return sink;
}

ListBinding TestBinding() {
  ListBinding b;
  b.sort_fields = {{"name", "name"}, {"created_at", "created"}};
  b.filters["role"] = OneOfFilter("role", {"admin", "analyst", "viewer"});
  b.filters["disabled"] = EqualsFilter("disabled");
  b.filters["since"] = TimeFilter("time", store::FilterOp::kGe);
  return b;
}

TEST(ListResponseTest, BuildsTheStoreQueryFromValidatedParameters) {
  ApiCall call;
  call.params = Json{{"limit", 5},        {"cursor", "abc"},   {"sort", "-created_at"},
                     {"disabled", false}, {"role", {"admin"}}, {"since", "2026-01-01T00:00:00Z"}};
  auto built = BuildListQuery(call, TestBinding());
  ASSERT_TRUE(std::holds_alternative<store::ListQuery>(built));
  const store::ListQuery& q = std::get<store::ListQuery>(built);
  EXPECT_EQ(q.limit, 5);
  EXPECT_EQ(q.cursor, "abc");
  ASSERT_TRUE(q.sort.has_value());
  EXPECT_EQ(q.sort->field, "created");
  EXPECT_TRUE(q.sort->descending);
  ASSERT_EQ(q.filters.size(), 3u);
  EXPECT_EQ(q.filters[0].field, "disabled");
  EXPECT_EQ(q.filters[0].value, Value(int64_t{0}));
  EXPECT_EQ(q.filters[1].field, "role");
  EXPECT_EQ(q.filters[1].op, store::FilterOp::kEq);
  EXPECT_EQ(q.filters[2].field, "time");
  EXPECT_EQ(q.filters[2].value, Value(int64_t{1767225600000}));
}

TEST(ListResponseTest, RefusesWhatItCannotMapInsteadOfWideningTheList) {
  ApiCall call;
  call.params = Json{{"q", "web"}};  // this list has no text search
  auto built = BuildListQuery(call, TestBinding());
  ASSERT_TRUE(std::holds_alternative<api::ApiError>(built));
  EXPECT_EQ(std::get<api::ApiError>(built).http_status, 422);
  EXPECT_EQ(std::get<api::ApiError>(built).field, "q");

  call.params = Json{{"sort", "last_login_at"}};
  built = BuildListQuery(call, TestBinding());
  ASSERT_TRUE(std::holds_alternative<api::ApiError>(built));
  EXPECT_EQ(std::get<api::ApiError>(built).field, "sort");
}

TEST(ListResponseTest, OneOfFilterNarrowsToTheWantedValues) {
  FilterMapper f = OneOfFilter("role", {"admin", "analyst", "viewer"});
  std::vector<store::FieldFilter> out;
  EXPECT_FALSE(f("role", Json{"admin", "analyst"}, &out).has_value());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].op, store::FilterOp::kNe);
  EXPECT_EQ(out[0].value, Value(std::string("viewer")));
  out.clear();
  EXPECT_FALSE(f("role", Json{"admin", "analyst", "viewer"}, &out).has_value());
  EXPECT_TRUE(out.empty());
  FilterMapper four = OneOfFilter("s", {"a", "b", "c", "d"});
  EXPECT_FALSE(four("s", Json{"b", "a"}, &out).has_value());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].op, store::FilterOp::kAny);
  ASSERT_EQ(out[0].any.size(), 2u);
  EXPECT_EQ(out[0].any[0].field, "s");
  EXPECT_EQ(out[0].any[0].op, store::FilterOp::kEq);
  EXPECT_EQ(out[0].any[0].value, Value(std::string("a")));
  EXPECT_EQ(out[0].any[1].value, Value(std::string("b")));
}

TEST(ListResponseTest, IdFilterTakesApiIdsAsTheStoresIntegers) {
  FilterMapper f = IdFilter("host_id");
  std::vector<store::FieldFilter> out;
  EXPECT_FALSE(f("host_id", Json("42"), &out).has_value());
  EXPECT_FALSE(f("host_id", Json::array({"7"}), &out).has_value());
  EXPECT_FALSE(f("host_id", Json::array({"1", "2"}), &out).has_value());
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].value, Value(int64_t{42}));
  EXPECT_EQ(out[1].value, Value(int64_t{7}));
  EXPECT_EQ(out[2].op, store::FilterOp::kAny);
  ASSERT_EQ(out[2].any.size(), 2u);
  EXPECT_EQ(out[2].any[1].value, Value(int64_t{2}));
  std::optional<api::ApiError> bad = f("host_id", Json::array({"1", "x1"}), &out);
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->field, "host_id");
  EXPECT_TRUE(f("host_id", Json("0"), &out).has_value());
}

TEST(ListResponseTest, RankFiltersMapEnumNamesToTheirRanks) {
  std::map<std::string, int64_t, std::less<>> ranks = {{"low", 1}, {"medium", 2}, {"high", 3}};
  std::vector<store::FieldFilter> out;
  EXPECT_FALSE(RankOneOfFilter("risk", ranks)("risk_level", Json{"high"}, &out).has_value());
  EXPECT_FALSE(RankOneOfFilter("risk", ranks)("risk_level", Json{"low", "high"}, &out).has_value());
  EXPECT_FALSE(MinRankFilter("risk", ranks)("min_risk_level", Json("medium"), &out).has_value());
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].op, store::FilterOp::kEq);
  EXPECT_EQ(out[0].value, Value(int64_t{3}));
  EXPECT_EQ(out[1].op, store::FilterOp::kNe);
  EXPECT_EQ(out[1].value, Value(int64_t{2}));
  EXPECT_EQ(out[2].op, store::FilterOp::kGe);
  EXPECT_EQ(out[2].value, Value(int64_t{2}));
  std::map<std::string, int64_t, std::less<>> four = {{"a", 1}, {"b", 2}, {"c", 3}, {"d", 4}};
  out.clear();
  EXPECT_FALSE(RankOneOfFilter("x", four)("x", Json{"a", "b"}, &out).has_value());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].op, store::FilterOp::kAny);
  EXPECT_TRUE(RankOneOfFilter("x", four)("x", Json{"a", "z"}, &out).has_value());
}

TEST(ListResponseTest, IntegerAndTextListsBecomeAnyOf) {
  std::vector<store::FieldFilter> out;
  EXPECT_FALSE(AnyIntegerFilter("port")("port", Json::array({22, 80}), &out).has_value());
  EXPECT_FALSE(AnyValueFilter("label")("label", Json::array({"prod"}), &out).has_value());
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].op, store::FilterOp::kAny);
  EXPECT_EQ(out[0].any[1].value, Value(int64_t{80}));
  EXPECT_EQ(out[1].op, store::FilterOp::kEq);
  EXPECT_EQ(out[1].value, Value(std::string("prod")));
  EXPECT_TRUE(AnyIntegerFilter("port")("port", Json::array({22, "x"}), &out).has_value());
}

TEST(ListResponseTest, TextSearchLooksInEveryNamedField) {
  std::vector<store::FieldFilter> out;
  EXPECT_FALSE(TextSearchFilter({"title", "hostname"})("q", Json("Web"), &out).has_value());
  ASSERT_EQ(out.size(), 1u);
  ASSERT_EQ(out[0].op, store::FilterOp::kAny);
  ASSERT_EQ(out[0].any.size(), 2u);
  EXPECT_EQ(out[0].any[0].field, "title");
  EXPECT_EQ(out[0].any[0].op, store::FilterOp::kContains);
  EXPECT_EQ(out[0].any[1].field, "hostname");
  EXPECT_EQ(out[0].any[1].value, Value(std::string("Web")));
}

TEST(ListResponseTest, PageJsonHasItemsNextCursorAndTotal) {
  store::ListPage<int> page;
  page.items = {1, 2};
  page.total = 7;
  Json j = PageJson(page, [](int i) { return Json{{"n", i}}; });
  EXPECT_EQ(j.dump(), R"({"items":[{"n":1},{"n":2}],"next_cursor":null,"total":7})");
  page.next_cursor = "c";
  EXPECT_EQ(PageJson(page, [](int i) { return i; })["next_cursor"], "c");
}

TEST(ListResponseTest, CsvCellsThatSpreadsheetsWouldEvaluateArePrefixed) {
  std::vector<std::string> columns = {"a", "b", "c", "d", "e"};
  Json row = {{"a", "=SUM(A1)"}, {"b", "+1"}, {"c", "-2"}, {"d", "@x"}, {"e", "plain, \"quoted\""}};
  EXPECT_EQ(ExportWriter::CsvLine(columns, row),
            "'=SUM(A1),'+1,'-2,'@x,\"plain, \"\"quoted\"\"\"\r\n");
  Json nested = {{"a", Json{{"k", 1}}}, {"b", nullptr}, {"c", 5}, {"d", true}, {"e", "\tx"}};
  EXPECT_EQ(ExportWriter::CsvLine(columns, nested), "\"{\"\"k\"\":1}\",,5,true,'\tx\r\n");
}

TEST(ListResponseTest, ExportStreamsInBoundedChunks) {
  auto sink = NewSink();
  ExportWriter out(HttpResponder(sink), ExportWriter::Format::kCsv, "hosts.csv", {"id", "name"});
  for (int i = 0; i < 20000; ++i) {
    ASSERT_TRUE(out.Row(Json{{"id", i}, {"name", "host-" + std::to_string(i)}}).ok());
  }
  ASSERT_TRUE(out.Finish().ok());
  EXPECT_TRUE(sink->finished);
  EXPECT_EQ(sink->response.status, 200);
  EXPECT_EQ(sink->response.headers.Get("Content-Type").value_or(""), "text/csv; charset=utf-8");
  EXPECT_NE(
      std::string(sink->response.headers.Get("Content-Disposition").value_or("")).find("hosts.csv"),
      std::string::npos);
  EXPECT_GT(sink->chunks.size(), 2u);
  for (const std::string& chunk : sink->chunks)
    EXPECT_LT(chunk.size(), 2 * ExportWriter::kChunkBytes);
  std::string body = sink->Body();
  EXPECT_EQ(body.rfind("id,name\r\n0,host-0\r\n", 0), 0u);
  EXPECT_EQ(std::count(body.begin(), body.end(), '\n'), 20001);
}

TEST(ListResponseTest, AnEmptyCsvExportStillHasItsHeader) {
  auto sink = NewSink();
  ExportWriter out(HttpResponder(sink), ExportWriter::Format::kCsv, "x.csv", {"id", "name"});
  ASSERT_TRUE(out.Finish().ok());
  EXPECT_EQ(sink->Body(), "id,name\r\n");
}

TEST(ListResponseTest, AnErrorBeforeTheFirstChunkIsAnErrorResponse) {
  auto sink = NewSink();
  ExportWriter out(HttpResponder(sink), ExportWriter::Format::kJsonl, "x.jsonl", {});
  ASSERT_TRUE(out.Row(Json{{"id", 1}}).ok());
  out.Fail(ListErrorResponse(InvalidArgument("cursor: not a cursor of this list"), "r1"));
  EXPECT_EQ(sink->response.status, 422);
  EXPECT_NE(sink->response.body.find("\"field\":\"cursor\""), std::string::npos);
  EXPECT_TRUE(sink->chunks.empty());
}

TEST(ListResponseTest, AWriteFailureStopsTheExport) {
  auto sink = NewSink();
  sink->fail_writes = true;
  ExportWriter out(HttpResponder(sink), ExportWriter::Format::kJsonl, "x.jsonl", {});
  Status status = Status::Ok();
  int rows = 0;
  while (status.ok() && rows < 100000) {
    status = out.Row(Json{{"id", rows++}, {"pad", std::string(100, 'x')}});
  }
  EXPECT_FALSE(status.ok());
  EXPECT_LT(rows, 1000);
}

}  // namespace
}  // namespace warden::server

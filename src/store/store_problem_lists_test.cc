// What keeps the fleet's problem lists fast must never change what they
// answer: totals read from the per-(rule, status, risk) counts equal the
// rows a walk finds after inserts, changes and deletions; `q` through the
// trigram index finds exactly what a substring search finds; remediation
// and links kept beside the finding are the finding's; the export without
// the finding reads the same rows.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "store/sqlite/keyset_list_sql.h"
#include "store/sqlite/sqlite_repositories.h"
#include "store/store_test_fixture.h"

namespace warden::store {
namespace {

class ProblemListsTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    NewEnrolSecret s;
    s.name = "default";
    s.sha256 = "secret-hash";
    s.created_at = 1;
    auto created = MustWrite([&](StoreWriter& w) { return w.enrol_secrets().Create(s); });
    ASSERT_TRUE(created.ok());
    secret_ = created->id;
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

  FleetProblem Problem(int64_t host, const std::string& hostname, int i) {
    FleetProblem p;
    p.host_id = host;
    p.hostname = hostname;
    p.agent_problem_id = "p" + std::to_string(i);
    p.rule_id = kRules[static_cast<size_t>(i) % 3];
    p.title = "Finding " + std::to_string(i) + " on " + hostname;
    p.risk_level = static_cast<RiskLevel>(1 + i % 5);
    p.status = i % 4 == 0 ? ProblemStatus::kResolved : ProblemStatus::kOpen;
    p.first_detected_at = 1000 + i;
    p.last_detected_at = 2000 + i;
    p.status_changed_at = 2000 + i;
    p.revision = 1;
    p.finding_json = R"({"id":"p)" + std::to_string(i) + R"("})";
    p.updated_at = 3000;
    return p;
  }

  ProblemUpsert Upsert(const FleetProblem& p) {
    auto r = MustWrite([&](StoreWriter& w) { return w.problems().Upsert(p); });
    return r.ok() ? *r : ProblemUpsert{};
  }

  // Every row the export walks with `filters`.
  std::vector<FleetProblem> Walk(std::vector<FieldFilter> filters) {
    ListQuery q;
    q.filters = std::move(filters);
    std::vector<FleetProblem> rows;
    Status walked = store().problems().Export(q, [&](const FleetProblem& p) {
      rows.push_back(p);
      return Status::Ok();
    });
    EXPECT_TRUE(walked.ok()) << walked.message();
    return rows;
  }

  // The list's total (one-row pages, so the total is never the page's size).
  int64_t Total(std::vector<FieldFilter> filters) {
    ListQuery q;
    q.limit = 1;
    q.filters = std::move(filters);
    auto page = store().problems().List(q);
    EXPECT_TRUE(page.ok()) << page.status().message();
    return page.ok() ? page->total : -1;
  }

  // The API's `q`.
  static FieldFilter Search(const std::string& text) {
    return AnyOf({{"title", FilterOp::kContains, text},
                  {"hostname", FilterOp::kContains, text},
                  {"rule_id", FilterOp::kContains, text}});
  }

  void ExpectTotalsMatchRows() {
    const std::vector<std::vector<FieldFilter>> cases = {
        {},
        {{"status", FilterOp::kEq, std::string("open")}},
        {{"status", FilterOp::kNe, std::string("resolved")}},
        {{"status", FilterOp::kEq, std::string("open")}, {"risk_level", FilterOp::kEq, int64_t{5}}},
        {{"rule_id", FilterOp::kEq, std::string("HOST-VULN")},
         {"risk_level", FilterOp::kGe, int64_t{3}}},
        {AnyOf({{"rule_id", FilterOp::kEq, std::string("HOST-VULN")},
                {"rule_id", FilterOp::kEq, std::string("HOST-USERS")}})},
        {{"status", FilterOp::kEq, std::string("dismissed")}},
        {{"host_id", FilterOp::kEq, hosts_.front()}},  // not from the counts
    };
    for (const std::vector<FieldFilter>& filters : cases) {
      std::string name;
      for (const FieldFilter& f : filters) name += f.field + " " + std::string(FilterOpName(f.op));
      SCOPED_TRACE(name);
      EXPECT_EQ(Total(filters), static_cast<int64_t>(Walk(filters).size()));
    }
  }

  static constexpr const char* kRules[] = {"HOST-VULN", "HOST-USERS", "HOST-OPEN-PORTS"};
  int64_t secret_ = 0;
  std::vector<int64_t> hosts_;
};

TEST_F(ProblemListsTest, TotalsFromTheCountsMatchTheRowsAfterEveryChange) {
  for (const std::string hostname : {"web-1", "web-2", "db-1"}) {
    int64_t host = Enrol(hostname);
    hosts_.push_back(host);
    for (int i = 0; i < 40; ++i) Upsert(Problem(host, hostname, i));
  }
  EXPECT_EQ(Total({}), 120);
  ExpectTotalsMatchRows();

  // Status, risk and rule change; an older revision changes nothing.
  for (int i = 0; i < 40; i += 3) {
    FleetProblem p = Problem(hosts_[1], "web-2", i);
    p.revision = 2;
    p.status = ProblemStatus::kDismissed;
    p.dismissal = ProblemDismissal{"lab", {"user", "1", "alice"}, 2500, std::nullopt};
    p.risk_level = RiskLevel::kExtreme;
    p.rule_id = "HOST-SSH-CONFIG";
    Upsert(p);
    FleetProblem stale = Problem(hosts_[1], "web-2", i);
    EXPECT_FALSE(Upsert(stale).applied);
  }
  ExpectTotalsMatchRows();
  EXPECT_EQ(Total({{"status", FilterOp::kEq, std::string("dismissed")}}), 14);

  // Deleting a host deletes its problems.
  ASSERT_TRUE(MustWrite([&](StoreWriter& w) { return w.hosts().Delete(hosts_[1]); }).ok());
  ExpectTotalsMatchRows();
  EXPECT_EQ(Total({}), 80);
}

TEST_F(ProblemListsTest, TextSearchThroughTheIndexFindsWhatASubstringSearchFinds) {
  const std::vector<std::string> hostnames = {"Web-Front-01", "db_main", "caf\u00e9-1"};
  for (const std::string& hostname : hostnames) {
    int64_t host = Enrol(hostname);
    hosts_.push_back(host);
    for (int i = 0; i < 12; ++i) {
      FleetProblem p = Problem(host, hostname, i);
      if (i == 5) p.title = "50% of \"quoted\" disk";
      Upsert(p);
    }
  }
  // The exact meaning: the text anywhere in title, hostname or rule id,
  // ignoring ASCII case.
  auto lower = [](std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  std::vector<FleetProblem> all = Walk({});
  for (const std::string text : {"front", "WEB-FRONT", "finding 1", "host-vuln", "db", "1", "50%",
                                 "\"quoted\"", "_main", "caf\u00e9", "CAF\u00c9", "zzz"}) {
    SCOPED_TRACE(text);
    std::set<int64_t> expected;
    for (const FleetProblem& p : all) {
      for (const std::string* field : {&p.title, &p.hostname, &p.rule_id}) {
        if (lower(*field).find(lower(text)) != std::string::npos) expected.insert(p.id);
      }
    }
    FieldFilter q = Search(text);
    std::set<int64_t> found;
    for (const FleetProblem& p : Walk({q})) found.insert(p.id);
    EXPECT_EQ(found, expected);
    EXPECT_EQ(Total({q}), static_cast<int64_t>(expected.size()));

    ResolvedListQuery resolved;
    resolved.sort = FleetProblemListSchema().Find("last_detected_at");
    resolved.filters = {q};
    auto sql = BuildListSql(FleetProblemListTable(), resolved);
    ASSERT_TRUE(sql.ok());
    // Three characters or more are looked up in the trigram index.
    const bool indexed = std::string(text).size() >= 3;
    EXPECT_EQ(sql->page.find("fleet_problems_text") != std::string::npos, indexed) << sql->page;
  }

  // The index follows renames and deletions.
  FleetProblem renamed = Problem(hosts_[0], "Web-Front-01", 3);
  renamed.revision = 2;
  renamed.title = "Renamed problem";
  Upsert(renamed);
  FieldFilter old_title = Search("finding 3 on web");
  EXPECT_EQ(Walk({old_title}).size(), 0u);
  FieldFilter new_title = Search("RENAMED");
  EXPECT_EQ(Walk({new_title}).size(), 1u);
  ASSERT_TRUE(MustWrite([&](StoreWriter& w) { return w.hosts().Delete(hosts_[0]); }).ok());
  EXPECT_EQ(Walk({new_title}).size(), 0u);
}

TEST_F(ProblemListsTest, RemediationAndLinksAreTheFindingsAndTheExportCanSkipTheFinding) {
  int64_t host = Enrol("web-1");
  FleetProblem p = Problem(host, "web-1", 1);
  p.finding_json =
      R"({"id":"p1","remediation":"apt upgrade \"x\"","links":["https://a.test/1",7,"@b\u00e9"]})";
  p.details_json = R"([{"k":1}])";
  ProblemUpsert stored = Upsert(p);
  EXPECT_EQ(stored.problem.remediation, "apt upgrade \"x\"");
  EXPECT_EQ(stored.problem.links_json, "[\"https://a.test/1\",\"@b\u00e9\"]");
  FleetProblem plain = Problem(host, "web-1", 2);
  plain.finding_json = R"({"id":"p2","remediation":"","links":"no"})";
  ProblemUpsert second = Upsert(plain);
  EXPECT_FALSE(second.problem.remediation.has_value());
  EXPECT_EQ(second.problem.links_json, "[]");

  auto read = store().problems().Get(stored.problem.id);
  ASSERT_TRUE(read.ok() && read->has_value());
  EXPECT_EQ((*read)->remediation, stored.problem.remediation);
  EXPECT_EQ((*read)->links_json, stored.problem.links_json);

  std::vector<FleetProblem> light;
  ASSERT_TRUE(store()
                  .problems()
                  .ExportWithoutFinding({},
                                        [&](const FleetProblem& row) {
                                          light.push_back(row);
                                          return Status::Ok();
                                        })
                  .ok());
  std::vector<FleetProblem> full = Walk({});
  ASSERT_EQ(light.size(), full.size());
  for (size_t i = 0; i < light.size(); ++i) {
    EXPECT_EQ(light[i].id, full[i].id);
    EXPECT_EQ(light[i].title, full[i].title);
    EXPECT_EQ(light[i].remediation, full[i].remediation);
    EXPECT_EQ(light[i].links_json, full[i].links_json);
    EXPECT_EQ(light[i].finding_json, "{}");
    EXPECT_EQ(light[i].details_json, "[]");
  }
  EXPECT_NE(full[1].details_json, "[]");
}

TEST(ListPlanHintTest, WalksTheSortOrderOnlyWhenManyRowsMatch) {
  EXPECT_TRUE(WalkSortOrder(170'000, 1'000'000, 100));
  EXPECT_TRUE(WalkSortOrder(170'000, 1'000'000, 10'000));
  EXPECT_FALSE(WalkSortOrder(5'000, 1'000'000, 100));
  EXPECT_FALSE(WalkSortOrder(50'000, 1'000'000, 10'000));
  EXPECT_FALSE(WalkSortOrder(0, 0, 100));
}

}  // namespace
}  // namespace warden::store

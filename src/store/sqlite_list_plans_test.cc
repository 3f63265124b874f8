// Every list page of the SQLite store walks an index: for each list, each
// sort field in both directions, with and without a cursor, SQLite's query
// plan must have no temporary sort (which would read every matching row
// before returning the first), and a page after a cursor must seek, not
// scan from the start. Likewise for each indexed audit filter.
#include <gtest/gtest.h>

#include "sql/sqlite_database.h"
#include "store/sqlite/sqlite_repositories.h"
#include "store/sqlite/sqlite_suppressions.h"
#include "store/store_test_fixture.h"

namespace warden::store {
namespace {

class ListPlanTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    Close();
    auto db = SqliteDatabase::Open(path(), SqliteDatabase::Mode::kReadOnly);
    ASSERT_TRUE(db.ok());
    db_ = std::move(*db);
  }

  std::string Plan(const std::string& sql) {
    auto st = db_->Prepare("EXPLAIN QUERY PLAN " + sql);
    EXPECT_TRUE(st.ok()) << sql;
    if (!st.ok()) return "";
    std::string plan;
    while (st->Step().value()) plan += st->Text(3) + "\n";
    return plan;
  }

  std::string PagePlan(const ListTable& table, const ListField& sort, bool descending,
                       bool with_cursor, std::vector<FieldFilter> filters = {}) {
    ResolvedListQuery q;
    q.sort = &sort;
    q.descending = descending;
    q.filters = std::move(filters);
    if (with_cursor) {
      Cursor c;
      c.list = std::string(table.schema->list);
      c.sort_field = std::string(sort.name);
      c.descending = descending;
      if (sort.type == FieldType::kText)
        c.sort_value = std::string("m");
      else
        c.sort_value = int64_t{5};
      c.id = 7;
      q.after = c;
    }
    auto sql = BuildListSql(table, q);
    EXPECT_TRUE(sql.ok()) << sql.status().message();
    return sql.ok() ? Plan(sql->page) : "";
  }

  std::unique_ptr<SqliteDatabase> db_;
};

const std::vector<const ListTable*>& AllTables() {
  static const std::vector<const ListTable*> tables = {&HostListTable(),
                                                       &EnrolSecretListTable(),
                                                       &UserListTable(),
                                                       &ApiTokenListTable(),
                                                       &AuditListTable(),
                                                       &FleetProblemListTable(),
                                                       &ChannelListTable(),
                                                       &ScanListTable(),
                                                       &LabelListTable(),
                                                       &SavedQueryListTable(),
                                                       &ScheduledResultListTable(),
                                                       &SuppressionListTable()};
  return tables;
}

TEST_F(ListPlanTest, EveryListFieldMapsToAColumnAndEveryFilterRuns) {
  for (const ListTable* table : AllTables()) {
    for (const ListField& field : table->schema->fields) {
      SCOPED_TRACE(std::string(table->schema->list) + "." + std::string(field.name));
      bool mapped = false;
      for (const ListColumn& c : table->columns) mapped = mapped || c.field == field.name;
      EXPECT_TRUE(mapped);
      if (!field.filterable) continue;
      Value v = field.type == FieldType::kText ? Value(std::string("x")) : Value(int64_t{1});
      std::string plan = PagePlan(*table, *table->schema->Find(table->schema->default_sort), false,
                                  true, {{std::string(field.name), FilterOp::kEq, v}});
      EXPECT_FALSE(plan.empty());
    }
  }
}

TEST_F(ListPlanTest, EverySortOrderOfEveryListFollowsAnIndex) {
  for (const ListTable* table : AllTables()) {
    for (const ListField& field : table->schema->fields) {
      if (!field.sortable) continue;
      for (bool descending : {false, true}) {
        for (bool cursor : {false, true}) {
          std::string plan = PagePlan(*table, field, descending, cursor);
          SCOPED_TRACE(std::string(table->schema->list) + " sort=" + std::string(field.name) +
                       (descending ? " desc" : " asc") + (cursor ? " after cursor" : "") + "\n" +
                       plan);
          EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos);
          if (cursor) {
            EXPECT_NE(plan.find("SEARCH"), std::string::npos);
          }
        }
      }
    }
  }
}

// A scheduled query's results, of all hosts or of one, over time: the
// (name, run_at, id) and (name, host_id, run_at, id) indexes.
TEST_F(ListPlanTest, ScheduledResultsOfAQueryAndHostSeekTheirIndexInTimeOrder) {
  const ListTable& table = ScheduledResultListTable();
  const ListField* run_at = table.schema->Find("run_at");
  ASSERT_NE(run_at, nullptr);
  const std::vector<std::vector<FieldFilter>> filters = {
      {{"name", FilterOp::kEq, std::string("srv:x")}},
      {{"name", FilterOp::kEq, std::string("srv:x")}, {"host_id", FilterOp::kEq, int64_t{3}}}};
  for (const auto& f : filters) {
    for (bool cursor : {false, true}) {
      std::string plan = PagePlan(table, *run_at, true, cursor, f);
      SCOPED_TRACE(std::to_string(f.size()) + " filters" + (cursor ? " after cursor" : "") + "\n" +
                   plan);
      EXPECT_NE(plan.find("SEARCH"), std::string::npos);
      EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos);
    }
  }
}

TEST_F(ListPlanTest, IndexedAuditFiltersSeekAndKeepTheOrder) {
  const ListTable& table = AuditListTable();
  const ListField* time = table.schema->Find("time");
  ASSERT_NE(time, nullptr);
  for (std::string field :
       {"action", "actor_id", "actor_name", "target_id", "source_ip", "request_id"}) {
    for (bool cursor : {false, true}) {
      std::string plan =
          PagePlan(table, *time, true, cursor, {{field, FilterOp::kEq, std::string("x")}});
      SCOPED_TRACE(field + (cursor ? " after cursor" : "") + "\n" + plan);
      EXPECT_NE(plan.find("SEARCH"), std::string::npos);
      EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos);
    }
  }
}

// Per-host lists: every sort order of one host's rows follows a
// (host_id, sort, id) index.
TEST_F(ListPlanTest, EverySortOfAPerHostListSeeksTheHostsRows) {
  for (const ListTable* table :
       {&FleetProblemListTable(), &HostPackageListTable(), &HostPortListTable(),
        &VulnerabilityFindingListTable(), &AgentCommandListTable(), &DetectorRunListTable()}) {
    for (const ListField& field : table->schema->fields) {
      if (!field.sortable) continue;
      for (bool descending : {false, true}) {
        for (bool cursor : {false, true}) {
          std::string plan =
              PagePlan(*table, field, descending, cursor, {{"host_id", FilterOp::kEq, int64_t{3}}});
          SCOPED_TRACE(std::string(table->schema->list) + " sort=" + std::string(field.name) +
                       (descending ? " desc" : " asc") + (cursor ? " after cursor" : "") + "\n" +
                       plan);
          EXPECT_NE(plan.find("SEARCH"), std::string::npos);
          EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos);
        }
      }
    }
  }
  const ListTable& history = ProblemHistoryListTable();
  for (const ListField& field : history.schema->fields) {
    if (!field.sortable || field.name == "id") continue;
    std::string plan =
        PagePlan(history, field, false, true, {{"problem_id", FilterOp::kEq, int64_t{3}}});
    SCOPED_TRACE(std::string(field.name) + "\n" + plan);
    EXPECT_NE(plan.find("SEARCH"), std::string::npos);
    EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos);
  }
}

TEST_F(ListPlanTest, ScanStateFilterKeepsTheOrderAndHostFilterSeeksItsTargets) {
  const ListTable& table = ScanListTable();
  const ListField* requested = table.schema->Find("requested_at");
  ASSERT_NE(requested, nullptr);
  for (bool cursor : {false, true}) {
    std::string plan =
        PagePlan(table, *requested, true, cursor, {{"state", FilterOp::kEq, std::string("done")}});
    SCOPED_TRACE(plan);
    EXPECT_NE(plan.find("scans_state_requested_at"), std::string::npos);
    EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos);
  }
  std::string plan =
      PagePlan(table, *requested, true, false, {{"host_id", FilterOp::kEq, int64_t{3}}});
  EXPECT_NE(plan.find("scan_targets_host"), std::string::npos) << plan;
}

TEST_F(ListPlanTest, EveryDetectorRunFieldMapsToAColumn) {
  const ListTable& table = DetectorRunListTable();
  for (const ListField& field : table.schema->fields) {
    bool mapped = false;
    for (const ListColumn& c : table.columns) mapped = mapped || c.field == field.name;
    EXPECT_TRUE(mapped) << field.name;
  }
}

// The fleet-wide vulnerability views read their summary tables in index
// order, and one CVE's findings (listVulnerabilityHosts) seek that CVE's
// rows in every sort, as a host's do.
TEST_F(ListPlanTest, FleetVulnerabilityViewsFollowAnIndex) {
  for (const ListTable* table :
       {&VulnerabilitySummaryListTable(), &VulnerablePackageListTable(), &FixFirstListTable()}) {
    for (const ListField& field : table->schema->fields) {
      if (!field.sortable) continue;
      for (bool descending : {false, true}) {
        for (bool cursor : {false, true}) {
          std::string plan = PagePlan(*table, field, descending, cursor);
          SCOPED_TRACE(std::string(table->schema->list) + " sort=" + std::string(field.name) +
                       (descending ? " desc" : " asc") + (cursor ? " after cursor" : "") + "\n" +
                       plan);
          EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos);
          if (cursor) {
            EXPECT_NE(plan.find("SEARCH"), std::string::npos);
          }
        }
      }
    }
  }
}

TEST_F(ListPlanTest, EverySortOfOneCvesFindingsSeeksItsRows) {
  const ListTable& table = VulnerabilityFindingListTable();
  for (const ListField& field : table.schema->fields) {
    if (!field.sortable) continue;
    for (bool descending : {false, true}) {
      for (bool cursor : {false, true}) {
        std::string plan = PagePlan(table, field, descending, cursor,
                                    {{"cve", FilterOp::kEq, std::string("CVE-2024-0727")}});
        SCOPED_TRACE(std::string("sort=") + std::string(field.name) +
                     (descending ? " desc" : " asc") + (cursor ? " after cursor" : "") + "\n" +
                     plan);
        EXPECT_NE(plan.find("SEARCH"), std::string::npos);
        EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos);
      }
    }
  }
}

// When the counts say many problems match (ListPlanHint), the page walks
// its sort order's index and tests the filters on the way: no temporary
// sort of 170,000 rows for `rule_id=HOST-VULN&sort=-risk_level`.
TEST_F(ListPlanTest, ProblemFiltersMatchingManyRowsWalkTheSortOrder) {
  const ListTable& table = FleetProblemListTable();
  const std::vector<std::vector<FieldFilter>> cases = {
      {{"rule_id", FilterOp::kEq, std::string("HOST-VULN")}},
      {{"status", FilterOp::kEq, std::string("open")}, {"risk_level", FilterOp::kEq, int64_t{5}}},
      {{"risk_level", FilterOp::kGe, int64_t{4}}},
      {AnyOf({{"rule_id", FilterOp::kEq, std::string("HOST-VULN")},
              {"rule_id", FilterOp::kEq, std::string("HOST-USERS")}}),
       {"status", FilterOp::kNe, std::string("resolved")}},
  };
  for (const ListField& field : table.schema->fields) {
    if (!field.sortable) continue;
    for (const std::vector<FieldFilter>& filters : cases) {
      for (bool cursor : {false, true}) {
        ResolvedListQuery q;
        q.sort = &field;
        q.descending = true;
        q.filters = filters;
        if (cursor) {
          Cursor c;
          c.list = "problems";
          c.sort_field = std::string(field.name);
          c.descending = true;
          c.sort_value =
              field.type == FieldType::kText ? Value(std::string("m")) : Value(int64_t{5});
          c.id = 7;
          q.after = c;
        }
        auto sql = BuildListSql(table, q, ListPlanHint{.walk_sort_order = true});
        ASSERT_TRUE(sql.ok()) << sql.status().message();
        EXPECT_TRUE(sql->count_from_counts);
        std::string plan = Plan(sql->page);
        SCOPED_TRACE("sort=" + std::string(field.name) + " " + filters.front().field +
                     (cursor ? " after cursor" : "") + "\n" + sql->page + "\n" + plan);
        EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos);
        EXPECT_EQ(Plan(sql->count).find("fleet_problems "), std::string::npos);
      }
    }
  }
}

// Totals: filters the counts cannot answer (a host, a label, text) count
// the rows, through an index.
TEST_F(ListPlanTest, ProblemTotalsReadTheCountsOnlyForTheirFields) {
  const ListTable& table = FleetProblemListTable();
  ResolvedListQuery q;
  q.sort = table.schema->Find("last_detected_at");
  q.filters = {{"status", FilterOp::kEq, std::string("open")},
               {"host_id", FilterOp::kEq, int64_t{3}}};
  auto sql = BuildListSql(table, q);
  ASSERT_TRUE(sql.ok());
  EXPECT_FALSE(sql->count_from_counts);
  EXPECT_NE(Plan(sql->count).find("fleet_problems_host_status"), std::string::npos)
      << Plan(sql->count);
}

// `q` looks its text up in the trigram index and reads only the rows found.
TEST_F(ListPlanTest, ProblemTextSearchUsesTheTrigramIndex) {
  const ListTable& table = FleetProblemListTable();
  ResolvedListQuery q;
  q.sort = table.schema->Find("last_detected_at");
  q.descending = true;
  const std::string text = "host-0003333";
  q.filters = {AnyOf({{"title", FilterOp::kContains, text},
                      {"hostname", FilterOp::kContains, text},
                      {"rule_id", FilterOp::kContains, text}})};
  auto sql = BuildListSql(table, q);
  ASSERT_TRUE(sql.ok());
  std::string plan = Plan(sql->page);
  EXPECT_NE(plan.find("fleet_problems_text VIRTUAL TABLE"), std::string::npos) << plan;
  EXPECT_NE(plan.find("INTEGER PRIMARY KEY"), std::string::npos) << plan;
  EXPECT_NE(Plan(sql->count).find("VIRTUAL TABLE"), std::string::npos);
}

TEST_F(ListPlanTest, HostLabelFilterUsesTheLabelIndex) {
  const ListTable& table = HostListTable();
  std::string plan = PagePlan(table, *table.schema->Find("hostname"), false, false,
                              {{"label", FilterOp::kEq, std::string("prod")}});
  EXPECT_NE(plan.find("host_labels_label"), std::string::npos) << plan;
}

}  // namespace
}  // namespace warden::store

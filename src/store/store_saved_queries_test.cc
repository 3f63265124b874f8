// Saved queries (unique names, tags, owner and text filters, favourites per
// user, schedules), campaigns linked to the saved query they ran, and
// scheduled-query results and host jobs (stored, listed per query and host
// over time, pruned).
#include <gtest/gtest.h>

#include "store/store_test_fixture.h"

namespace warden::store {
namespace {

class SavedQueryStoreTest : public StoreTest {
 protected:
  Result<std::optional<SavedQuery>> Create(const std::string& name,
                                           std::vector<std::string> tags = {},
                                           std::string owner_id = "1") {
    NewSavedQuery n;
    n.name = name;
    n.description = "about " + name;
    n.sql = "SELECT * FROM processes WHERE name = 'x''; DROP TABLE hosts; --'";
    n.tags = std::move(tags);
    n.owner = {"user", owner_id, "alice"};
    n.created_at = 100;
    return store_->Write([n](StoreWriter& w) { return w.saved_queries().Create(n); }).Wait();
  }

  std::vector<std::string> Names(std::vector<FieldFilter> filters) {
    ListQuery q;
    q.filters = std::move(filters);
    auto page = store().saved_queries().List(q);
    EXPECT_TRUE(page.ok()) << page.status().message();
    std::vector<std::string> out;
    if (page.ok())
      for (const SavedQuery& s : page->items) out.push_back(s.name);
    return out;
  }
};

TEST_F(SavedQueryStoreTest, KeepsTheSqlAsGivenAndRefusesATakenName) {
  auto created = Create("procs", {"b", "a", "a"});
  ASSERT_TRUE(created.ok() && created->has_value());
  EXPECT_EQ((*created)->sql, "SELECT * FROM processes WHERE name = 'x''; DROP TABLE hosts; --'");
  EXPECT_EQ((*created)->tags, (std::vector<std::string>{"a", "b"}));
  EXPECT_FALSE((*created)->schedule.has_value());
  auto again = Create("procs");
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->has_value());
  auto by_name = store().saved_queries().GetByName("procs");
  ASSERT_TRUE(by_name.ok() && by_name->has_value());
  EXPECT_EQ((*by_name)->id, (*created)->id);
}

TEST_F(SavedQueryStoreTest, RefusesAnEmptyNameOrSqlNamingTheField) {
  NewSavedQuery n;
  n.name = "x";
  auto r = store_->Write([n](StoreWriter& w) { return w.saved_queries().Create(n); }).Wait();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("sql"), std::string::npos);
  auto tags = Create("t", {std::string(200, 'x')});
  ASSERT_FALSE(tags.ok());
  EXPECT_NE(tags.status().message().find("tags"), std::string::npos);
}

TEST_F(SavedQueryStoreTest, FiltersByTagOwnerTextAndFavouritesOfEachUser) {
  auto a = Create("alpha", {"linux", "ssh"}, "1");
  auto b = Create("beta", {"linux"}, "2");
  auto c = Create("gamma", {}, "2");
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(Names({{"tag", FilterOp::kEq, Value(std::string("linux"))}}),
            (std::vector<std::string>{"alpha", "beta"}));
  EXPECT_EQ(Names({{"owner", FilterOp::kEq, Value(std::string("user:2"))}}),
            (std::vector<std::string>{"beta", "gamma"}));
  EXPECT_EQ(Names({AnyOf({{"name", FilterOp::kContains, Value(std::string("AMM"))},
                          {"description", FilterOp::kContains, Value(std::string("AMM"))}})}),
            (std::vector<std::string>{"gamma"}));

  const int64_t beta = (*b)->id;
  auto fav = MustWrite([&](StoreWriter& w) -> Result<bool> {
    ASSIGN_OR_RETURN(bool one, w.saved_queries().SetFavourite(7, beta, true, 200));
    ASSIGN_OR_RETURN(bool twice, w.saved_queries().SetFavourite(7, beta, true, 201));
    return one && twice;
  });
  ASSERT_TRUE(fav.ok() && *fav);
  EXPECT_EQ(Names({{"favourite_of", FilterOp::kEq, Value(int64_t{7})}}),
            (std::vector<std::string>{"beta"}));
  EXPECT_TRUE(Names({{"favourite_of", FilterOp::kEq, Value(int64_t{8})}}).empty());
  EXPECT_EQ(Names({{"not_favourite_of", FilterOp::kEq, Value(int64_t{7})}}),
            (std::vector<std::string>{"alpha", "gamma"}));
  auto ids = store().saved_queries().FavouriteIds(7);
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(*ids, (std::set<int64_t>{beta}));

  auto unfav = MustWrite(
      [&](StoreWriter& w) { return w.saved_queries().SetFavourite(7, beta, false, 300); });
  ASSERT_TRUE(unfav.ok());
  EXPECT_TRUE(Names({{"favourite_of", FilterOp::kEq, Value(int64_t{7})}}).empty());
  auto missing =
      MustWrite([&](StoreWriter& w) { return w.saved_queries().SetFavourite(7, 9999, true, 1); });
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(*missing);
}

TEST_F(SavedQueryStoreTest, UpdatesKeepWhatIsUnsetAndScheduleOnlyWhenEnabled) {
  auto a = Create("alpha", {"x"});
  auto b = Create("beta");
  ASSERT_TRUE(a.ok() && a->has_value() && b.ok());
  SavedQuerySchedule schedule;
  schedule.targets.labels = {"env=prod"};
  schedule.interval_seconds = 60;
  schedule.mode = "snapshot";
  SavedQueryChange change;
  change.schedule = schedule;
  change.updated_at = 500;
  const int64_t id = (*a)->id;
  auto updated = MustWrite([&](StoreWriter& w) { return w.saved_queries().Update(id, change); });
  ASSERT_TRUE(updated.ok() && updated->query.has_value());
  EXPECT_EQ(updated->query->tags, (std::vector<std::string>{"x"}));
  ASSERT_TRUE(updated->query->schedule.has_value());
  EXPECT_EQ(updated->query->schedule->targets.labels, (std::vector<std::string>{"env=prod"}));
  EXPECT_EQ(updated->query->schedule->interval_seconds, 60);
  EXPECT_EQ(updated->query->schedule->mode, "snapshot");
  auto scheduled = store().saved_queries().Scheduled();
  ASSERT_TRUE(scheduled.ok());
  ASSERT_EQ(scheduled->size(), 1u);
  EXPECT_EQ((*scheduled)[0].name, "alpha");

  schedule.enabled = false;
  change.schedule = schedule;
  ASSERT_TRUE(MustWrite([&](StoreWriter& w) { return w.saved_queries().Update(id, change); }).ok());
  scheduled = store().saved_queries().Scheduled();
  ASSERT_TRUE(scheduled.ok());
  EXPECT_TRUE(scheduled->empty());

  SavedQueryChange rename;
  rename.name = "beta";
  auto taken = MustWrite([&](StoreWriter& w) { return w.saved_queries().Update(id, rename); });
  ASSERT_TRUE(taken.ok());
  EXPECT_TRUE(taken->name_taken);
  EXPECT_FALSE(taken->query.has_value());
}

TEST_F(SavedQueryStoreTest, DeletingTakesItsTagsAndFavouritesButNotItsCampaigns) {
  auto a = Create("alpha", {"x"});
  ASSERT_TRUE(a.ok() && a->has_value());
  const int64_t id = (*a)->id;
  auto campaign = MustWrite([&](StoreWriter& w) -> Result<LiveQuery> {
    RETURN_IF_ERROR(w.saved_queries().SetFavourite(3, id, true, 1).status());
    NewLiveQuery n;
    n.created_at = 100;
    n.created_by = {"user", "3", "bob"};
    n.sql = (*a)->sql;
    n.targets.all = true;
    n.deadline_at = 1000;
    n.max_rows = 10;
    n.max_bytes = 1000;
    n.saved_query_id = id;
    return w.live_queries().Create(n);
  });
  ASSERT_TRUE(campaign.ok());
  ListQuery by_saved;
  by_saved.filters.push_back({"saved_query_id", FilterOp::kEq, Value(id)});
  auto page = store().live_queries().List(by_saved);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].saved_query_id, id);

  auto deleted = MustWrite([&](StoreWriter& w) { return w.saved_queries().Delete(id); });
  ASSERT_TRUE(deleted.ok() && *deleted);
  EXPECT_TRUE(Names({{"tag", FilterOp::kEq, Value(std::string("x"))}}).empty());
  auto ids = store().saved_queries().FavouriteIds(3);
  ASSERT_TRUE(ids.ok());
  EXPECT_TRUE(ids->empty());
  page = store().live_queries().List(by_saved);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->items.size(), 1u);
}

TEST_F(SavedQueryStoreTest, ResultsAreListedPerQueryAndHostOverTimeAndPruned) {
  std::vector<ScheduledResultRow> rows;
  for (int i = 0; i < 6; ++i) {
    ScheduledResultRow r;
    r.host_id = 1 + i % 2;
    r.hostname = "h" + std::to_string(r.host_id);
    r.name = i < 4 ? "srv:procs" : "agent_own";
    r.action = i % 3 == 0 ? "snapshot" : "added";
    r.run_at = 1000 * (i + 1);
    r.row_json = "{\"n\":" + std::to_string(i) + "}";
    rows.push_back(r);
  }
  ASSERT_TRUE(MustWrite([&](StoreWriter& w) { return w.scheduled_results().Append(rows); }).ok());

  ListQuery q;
  q.filters.push_back({"name", FilterOp::kEq, Value(std::string("srv:procs"))});
  q.filters.push_back({"host_id", FilterOp::kEq, Value(int64_t{1})});
  auto page = store().scheduled_results().List(q);
  ASSERT_TRUE(page.ok()) << page.status().message();
  ASSERT_EQ(page->items.size(), 2u);
  EXPECT_EQ(page->items[0].run_at, 3000);  // newest first
  EXPECT_EQ(page->items[1].run_at, 1000);
  EXPECT_EQ(page->total, 2);

  ListQuery range;
  range.filters.push_back({"run_at", FilterOp::kGe, Value(int64_t{2000})});
  range.filters.push_back({"run_at", FilterOp::kLt, Value(int64_t{5000})});
  page = store().scheduled_results().List(range);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->total, 3);

  ScheduledResultRow bad = rows[0];
  bad.action = "changed";
  auto refused =
      store_->Write([bad](StoreWriter& w) { return w.scheduled_results().Append({bad}); }).Wait();
  EXPECT_FALSE(refused.ok());

  auto pruned = MustWrite([](StoreWriter& w) { return w.scheduled_results().PruneBefore(3000); });
  ASSERT_TRUE(pruned.ok());
  EXPECT_EQ(*pruned, 2);
  page = store().scheduled_results().List(ListQuery{});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->total, 4);
}

TEST_F(SavedQueryStoreTest, HostJobsAreReplacedOnlyByANewerReport) {
  HostQueryJob job;
  job.name = "srv:procs";
  job.last_run_at = 900;
  job.last_rows = 12;
  job.runs = 3;
  auto stored = MustWrite(
      [&](StoreWriter& w) { return w.scheduled_results().ReplaceHostJobs(5, {job}, 1000); });
  ASSERT_TRUE(stored.ok() && *stored);
  HostQueryJob older = job;
  older.last_rows = 1;
  auto ignored = MustWrite(
      [&](StoreWriter& w) { return w.scheduled_results().ReplaceHostJobs(5, {older}, 500); });
  ASSERT_TRUE(ignored.ok());
  EXPECT_FALSE(*ignored);
  auto jobs = store().scheduled_results().HostJobs(5);
  ASSERT_TRUE(jobs.ok());
  ASSERT_EQ(jobs->size(), 1u);
  EXPECT_EQ((*jobs)[0].last_rows, 12);
  EXPECT_EQ((*jobs)[0].reported_at, 1000);
  EXPECT_EQ((*jobs)[0].runs, 3);
  auto cleared =
      MustWrite([&](StoreWriter& w) { return w.scheduled_results().ReplaceHostJobs(5, {}, 2000); });
  ASSERT_TRUE(cleared.ok() && *cleared);
  jobs = store().scheduled_results().HostJobs(5);
  ASSERT_TRUE(jobs.ok());
  EXPECT_TRUE(jobs->empty());
}

}  // namespace
}  // namespace warden::store

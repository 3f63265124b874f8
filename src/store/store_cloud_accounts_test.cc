// Cloud organisations and accounts: unique names and identities, rule
// settings kept as given, partial updates, per-organisation lists, and an
// organisation with accounts refusing deletion. Sources: unique names per
// account, progress adding to the health and keeping positions, a new path
// starting over, deletion with the account. Problems whose subject is a
// cloud account: one per (account, problem id), updated on a repeat,
// listed with host problems and by account; migration 011 carries host
// problems, their history, counts and text index over its rebuild.
#include <gtest/gtest.h>

#include "sql/sqlite_database.h"
#include "store/sqlite/sqlite_migrations.h"
#include "store/store_test_fixture.h"

namespace warden::store {
namespace {

class CloudAccountStoreTest : public StoreTest {
 protected:
  int64_t Organisation(const std::string& name, const std::string& rules = "{}") {
    CloudOrganisation o;
    o.name = name;
    o.rules_json = rules;
    o.created_at = 100;
    auto r = MustWrite([o](StoreWriter& w) { return w.cloud_accounts().CreateOrganisation(o); });
    EXPECT_TRUE(r.ok() && r->row.has_value());
    return r.ok() && r->row ? r->row->id : 0;
  }

  Result<CloudWrite<CloudAccount>> Account(int64_t organisation, const std::string& identifier,
                                           const std::string& name) {
    CloudAccount a;
    a.organisation_id = organisation;
    a.provider = "aws";
    a.identifier = identifier;
    a.name = name;
    a.created_at = 200;
    return store_->Write([a](StoreWriter& w) { return w.cloud_accounts().CreateAccount(a); })
        .Wait();
  }
};

TEST_F(CloudAccountStoreTest, KeepsRuleSettingsAndRefusesATakenName) {
  const int64_t id = Organisation("acme", R"({"RTM-011":{"enabled":true}})");
  auto got = store().cloud_accounts().GetOrganisation(id);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->rules_json, R"({"RTM-011":{"enabled":true}})");
  EXPECT_EQ((*got)->account_count, 0);
  CloudOrganisation again;
  again.name = "acme";
  auto taken =
      MustWrite([again](StoreWriter& w) { return w.cloud_accounts().CreateOrganisation(again); });
  ASSERT_TRUE(taken.ok());
  EXPECT_EQ(taken->outcome, CloudWriteOutcome::kNameTaken);
  CloudOrganisation bad;
  bad.name = "bad";
  bad.rules_json = "[]";
  auto refused =
      store_->Write([bad](StoreWriter& w) { return w.cloud_accounts().CreateOrganisation(bad); })
          .Wait();
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("rules"), std::string::npos);
}

TEST_F(CloudAccountStoreTest, AnAccountIdentityIsUniqueAcrossOrganisations) {
  const int64_t a = Organisation("a");
  const int64_t b = Organisation("b");
  auto first = Account(a, "123456789012", "prod");
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->outcome, CloudWriteOutcome::kDone);
  EXPECT_EQ(first->row->override_mode, "fill_gaps");
  auto second = Account(b, "123456789012", "prod again");
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->outcome, CloudWriteOutcome::kIdentifierTaken);
  auto orphan = Account(999, "210987654321", "nowhere");
  ASSERT_TRUE(orphan.ok());
  EXPECT_EQ(orphan->outcome, CloudWriteOutcome::kNotFound);
}

TEST_F(CloudAccountStoreTest, ListsOneOrganisationsAccountsAndUpdatesPartially) {
  const int64_t a = Organisation("a");
  const int64_t b = Organisation("b");
  ASSERT_TRUE(Account(a, "111111111111", "zeta").ok());
  ASSERT_TRUE(Account(a, "222222222222", "alpha").ok());
  ASSERT_TRUE(Account(b, "333333333333", "other").ok());
  ListQuery q;
  q.filters = {{"organisation_id", FilterOp::kEq, Value(a)}};
  auto page = store().cloud_accounts().ListAccounts(q);
  ASSERT_TRUE(page.ok()) << page.status().message();
  ASSERT_EQ(page->items.size(), 2u);
  EXPECT_EQ(page->items[0].name, "alpha");
  EXPECT_EQ(page->items[1].name, "zeta");
  const int64_t alpha = page->items[0].id;

  CloudAccountChange change;
  change.override_mode = "overwrite";
  change.rules_json = R"({"IAM-055":{"canary":{"users":["bait"]}}})";
  change.updated_at = 300;
  auto updated = MustWrite(
      [alpha, change](StoreWriter& w) { return w.cloud_accounts().UpdateAccount(alpha, change); });
  ASSERT_TRUE(updated.ok() && updated->row.has_value());
  EXPECT_EQ(updated->row->name, "alpha");
  EXPECT_EQ(updated->row->override_mode, "overwrite");
  EXPECT_EQ(updated->row->rules_json, change.rules_json);
  EXPECT_EQ(updated->row->updated_at, 300);

  auto orgs = store().cloud_accounts().ListOrganisations(ListQuery{});
  ASSERT_TRUE(orgs.ok());
  ASSERT_EQ(orgs->items.size(), 2u);
  EXPECT_EQ(orgs->items[0].account_count, 2);
  EXPECT_EQ(orgs->total, 2);
}

TEST_F(CloudAccountStoreTest, AnOrganisationWithAccountsIsNotDeleted) {
  const int64_t a = Organisation("a");
  auto account = Account(a, "111111111111", "prod");
  ASSERT_TRUE(account.ok() && account->row.has_value());
  auto refused =
      MustWrite([a](StoreWriter& w) { return w.cloud_accounts().DeleteOrganisation(a); });
  ASSERT_TRUE(refused.ok());
  EXPECT_EQ(refused->outcome, CloudWriteOutcome::kNotEmpty);
  const int64_t account_id = account->row->id;
  auto deleted = MustWrite(
      [account_id](StoreWriter& w) { return w.cloud_accounts().DeleteAccount(account_id); });
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(deleted->outcome, CloudWriteOutcome::kDone);
  auto gone = MustWrite([a](StoreWriter& w) { return w.cloud_accounts().DeleteOrganisation(a); });
  ASSERT_TRUE(gone.ok());
  EXPECT_EQ(gone->outcome, CloudWriteOutcome::kDone);
  auto missing = store().cloud_accounts().GetOrganisation(a);
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
}

TEST_F(CloudAccountStoreTest, ASourceKeepsPositionsAndHealthAndGoesWithItsAccount) {
  const int64_t org = Organisation("a");
  auto account = Account(org, "111111111111", "prod");
  ASSERT_TRUE(account.ok() && account->row.has_value());
  const int64_t account_id = account->row->id;
  CloudSource s;
  s.account_id = account_id;
  s.name = "trail";
  s.path = "/logs/trail";
  s.created_at = 300;
  auto created = MustWrite([s](StoreWriter& w) { return w.cloud_accounts().CreateSource(s); });
  ASSERT_TRUE(created.ok() && created->row.has_value());
  const int64_t id = created->row->id;
  EXPECT_TRUE(created->row->enabled);
  auto again = MustWrite([s](StoreWriter& w) { return w.cloud_accounts().CreateSource(s); });
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->outcome, CloudWriteOutcome::kNameTaken);
  CloudSource orphan = s;
  orphan.account_id = account_id + 100;
  auto no_account =
      MustWrite([orphan](StoreWriter& w) { return w.cloud_accounts().CreateSource(orphan); });
  ASSERT_TRUE(no_account.ok());
  EXPECT_EQ(no_account->outcome, CloudWriteOutcome::kNotFound);

  CloudSourceProgress clean{"/logs/trail/a.json", 1200, 10, 2, {}, 400};
  CloudSourceProgress bad{"/logs/trail/b.json", 90, 3, 0, {"b.json: offset 40: not JSON"}, 500};
  for (const CloudSourceProgress& p : {clean, bad}) {
    auto recorded = MustWrite(
        [id, p](StoreWriter& w) { return w.cloud_accounts().RecordSourceProgress(id, p); });
    ASSERT_TRUE(recorded.ok());
    EXPECT_TRUE(*recorded);
  }
  CloudSourceProgress grown = clean;
  grown.position = 2400;
  grown.at = 600;
  ASSERT_TRUE(MustWrite([id, grown](StoreWriter& w) {
                return w.cloud_accounts().RecordSourceProgress(id, grown);
              }).ok());
  auto read = store().cloud_accounts().GetSource(id);
  ASSERT_TRUE(read.ok() && read->has_value());
  EXPECT_EQ((*read)->files_read, 3);
  EXPECT_EQ((*read)->events, 23);
  EXPECT_EQ((*read)->findings, 4);
  EXPECT_EQ((*read)->errors, 1);
  EXPECT_EQ((*read)->last_file, "/logs/trail/a.json");
  EXPECT_EQ((*read)->last_read_at, 600);
  // The last error stays after a clean file.
  EXPECT_EQ((*read)->last_error, "b.json: offset 40: not JSON");
  EXPECT_EQ((*read)->last_error_at, 500);
  auto positions = store().cloud_accounts().SourcePositions(id);
  ASSERT_TRUE(positions.ok());
  EXPECT_EQ(*positions, (std::map<std::string, uint64_t>{{"/logs/trail/a.json", 2400},
                                                         {"/logs/trail/b.json", 90}}));

  // Paused: not among the enabled ones; positions kept.
  CloudSourceChange pause;
  pause.enabled = false;
  pause.updated_at = 700;
  ASSERT_TRUE(MustWrite([id, pause](StoreWriter& w) {
                return w.cloud_accounts().UpdateSource(id, pause);
              }).ok());
  auto enabled = store().cloud_accounts().EnabledSources();
  ASSERT_TRUE(enabled.ok());
  EXPECT_TRUE(enabled->empty());
  EXPECT_EQ(store().cloud_accounts().SourcePositions(id)->size(), 2u);
  // Another directory starts over.
  CloudSourceChange moved;
  moved.path = "/logs/other";
  moved.enabled = true;
  moved.updated_at = 800;
  ASSERT_TRUE(MustWrite([id, moved](StoreWriter& w) {
                return w.cloud_accounts().UpdateSource(id, moved);
              }).ok());
  EXPECT_TRUE(store().cloud_accounts().SourcePositions(id)->empty());
  EXPECT_EQ(store().cloud_accounts().EnabledSources()->size(), 1u);

  // Deleting the account deletes its sources; progress for a gone source
  // is refused without an error.
  ASSERT_TRUE(MustWrite([account_id](StoreWriter& w) {
                return w.cloud_accounts().DeleteAccount(account_id);
              }).ok());
  auto gone = store().cloud_accounts().GetSource(id);
  ASSERT_TRUE(gone.ok());
  EXPECT_FALSE(gone->has_value());
  auto late = MustWrite(
      [id, clean](StoreWriter& w) { return w.cloud_accounts().RecordSourceProgress(id, clean); });
  ASSERT_TRUE(late.ok());
  EXPECT_FALSE(*late);
}

FleetProblem CloudProblem(int64_t account, const std::string& id, int64_t revision) {
  FleetProblem p;
  p.cloud_account_id = account;
  p.hostname = "prod";
  p.agent_problem_id = id;
  p.rule_id = "RTM-011";
  p.title = "Unintended AWS API calls";
  p.risk_level = RiskLevel::kExtreme;
  p.resource = "arn:aws:iam::123456789012:user/alice";
  p.first_detected_at = p.last_detected_at = p.status_changed_at = 1000 * revision;
  p.revision = revision;
  p.occurrences = revision;
  p.finding_json = R"({"rule_id":"RTM-011","matched_patterns":[0]})";
  p.updated_at = 1000 * revision;
  return p;
}

TEST_F(CloudAccountStoreTest, ARepeatedCloudCheckUpdatesItsProblem) {
  const int64_t org = Organisation("acme");
  auto a = Account(org, "123456789012", "prod");
  auto b = Account(org, "210987654321", "dev");
  ASSERT_TRUE(a.ok() && a->row && b.ok() && b->row);
  const int64_t account = a->row->id, other = b->row->id;
  const std::string id = "RTM-011|arn:aws:iam::123456789012:user/alice";
  auto first =
      MustWrite([&](StoreWriter& w) { return w.problems().Upsert(CloudProblem(account, id, 1)); });
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(first->created);
  auto again =
      MustWrite([&](StoreWriter& w) { return w.problems().Upsert(CloudProblem(account, id, 2)); });
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->problem.id, first->problem.id);
  auto elsewhere =
      MustWrite([&](StoreWriter& w) { return w.problems().Upsert(CloudProblem(other, id, 1)); });
  ASSERT_TRUE(elsewhere.ok());
  EXPECT_TRUE(elsewhere->created);

  auto stored = store().problems().FindByCloudId(account, id);
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ((*stored)->occurrences, 2);
  EXPECT_EQ((*stored)->host_id, 0);
  EXPECT_EQ((*stored)->cloud_account_id, account);
  EXPECT_EQ((*stored)->first_detected_at, 1000);
  EXPECT_EQ((*stored)->last_detected_at, 2000);

  ListQuery q;
  q.filters = {{"account_id", FilterOp::kEq, Value(account)}};
  auto page = store().problems().List(q);
  ASSERT_TRUE(page.ok()) << page.status().message();
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->total, 1);
  q.filters = {{"subject", FilterOp::kEq, Value(std::string("cloud"))}};
  page = store().problems().List(q);
  ASSERT_TRUE(page.ok()) << page.status().message();
  EXPECT_EQ(page->total, 2);
  q.filters = {{"rule_id", FilterOp::kEq, Value(std::string("RTM-011"))}};
  page = store().problems().List(q);  // the total from the counts table
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->total, 2);

  FleetProblem both = CloudProblem(account, "x", 1);
  both.host_id = 7;
  auto refused = store_->Write([both](StoreWriter& w) { return w.problems().Upsert(both); }).Wait();
  EXPECT_FALSE(refused.ok());
}

TEST(CloudProblemMigrationTest, HostProblemsAndTheirHistoryOutliveTheRebuild) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/server.db";
  auto db = SqliteDatabase::Open(path, SqliteDatabase::Mode::kReadWriteCreate);
  ASSERT_TRUE(db.ok()) << db.status().message();
  ASSERT_TRUE((*db)->Exec("PRAGMA foreign_keys=ON").ok());
  ASSERT_TRUE(ApplyMigrations(**db, SqliteMigrations().first(10), 1).ok());
  ASSERT_TRUE((*db)
                  ->Exec("INSERT INTO hosts (id, machine_id, hostname, enrolled_at, last_seen_at) "
                         "VALUES (1, 'm1', 'web-1', 1, 1)")
                  .ok());
  ASSERT_TRUE((*db)
                  ->Exec("INSERT INTO fleet_problems (id, host_id, hostname, agent_problem_id, "
                         "rule_id, title, risk_rank, status, first_detected_at, "
                         "last_detected_at, status_changed_at, updated_at, links_json) VALUES "
                         "(5, 1, 'web-1', 'p1', 'HOST-OPEN-PORTS', 'Open port 22', 3, 'open', "
                         "10, 20, 10, 20, '[\"https://x\"]')")
                  .ok());
  ASSERT_TRUE((*db)
                  ->Exec("INSERT INTO fleet_problem_counts (rule_id, status, risk_rank, n) "
                         "VALUES ('HOST-OPEN-PORTS', 'open', 3, 1)")
                  .ok());
  ASSERT_TRUE((*db)
                  ->Exec("INSERT INTO fleet_problems_text (rowid, title, hostname, rule_id) "
                         "VALUES (5, 'Open port 22', 'web-1', 'HOST-OPEN-PORTS')")
                  .ok());
  ASSERT_TRUE((*db)
                  ->Exec("INSERT INTO fleet_problem_history (problem_id, revision, at, action, "
                         "status, actor_type) VALUES (5, 1, 10, 'opened', 'open', 'node')")
                  .ok());
  Status migrated = ApplyMigrations(**db, SqliteMigrations(), 2);
  ASSERT_TRUE(migrated.ok()) << migrated.message();
  db->reset();

  SqliteStoreOptions options;
  options.path = path;
  auto opened = OpenSqliteStore(options);
  ASSERT_TRUE(opened.ok()) << opened.status().message();
  Store& store = **opened;
  auto p = store.problems().Get(5);
  ASSERT_TRUE(p.ok() && p->has_value());
  EXPECT_EQ((*p)->host_id, 1);
  EXPECT_FALSE((*p)->cloud_account_id.has_value());
  EXPECT_EQ((*p)->links_json, R"(["https://x"])");
  EXPECT_EQ((*p)->occurrences, 1);
  ListQuery q;
  q.filters = {{"title", FilterOp::kContains, Value(std::string("port 2"))}};
  auto page = store.problems().List(q);  // through the rebuilt text index
  ASSERT_TRUE(page.ok()) << page.status().message();
  ASSERT_EQ(page->items.size(), 1u);
  ListQuery history;
  history.filters = {{"problem_id", FilterOp::kEq, Value(int64_t{5})}};
  auto entries = store.problems().ListHistory(history);
  ASSERT_TRUE(entries.ok());
  EXPECT_EQ(entries->items.size(), 1u);
  // A new host problem after the rebuild does not reuse an id.
  FleetProblem next;
  next.host_id = 1;
  next.hostname = "web-1";
  next.agent_problem_id = "p2";
  next.rule_id = "HOST-OPEN-PORTS";
  next.title = "Open port 80";
  auto created = store.Write([next](StoreWriter& w) { return w.problems().Upsert(next); }).Wait();
  ASSERT_TRUE(created.ok()) << created.status().message();
  EXPECT_GT(created->problem.id, 5);
}

}  // namespace
}  // namespace warden::store

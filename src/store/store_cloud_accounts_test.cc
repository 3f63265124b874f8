// Cloud organisations and accounts: unique names and identities, rule
// settings kept as given, partial updates, per-organisation lists, and an
// organisation with accounts refusing deletion.
#include <gtest/gtest.h>

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

}  // namespace
}  // namespace warden::store

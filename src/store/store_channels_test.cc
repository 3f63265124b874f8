// Notification channels: create, change, delete, list with filters and
// paging, and the delivery account that attempts add to.
#include <gtest/gtest.h>

#include "store/store_test_fixture.h"

namespace warden::store {
namespace {

class ChannelStoreTest : public StoreTest {
 protected:
  NewChannel Webhook(std::string name, EpochMs at = 1000) {
    NewChannel c;
    c.name = std::move(name);
    c.type = "webhook";
    c.config_json = R"({"url":"https://hooks.example/x"})";
    c.secret = "a signing key of some length";
    c.triggers_json = R"({"kinds":["problems"]})";
    c.created_at = at;
    return c;
  }

  Channel Create(const NewChannel& c) {
    return MustWrite([&](StoreWriter& w) { return w.channels().Create(c); }).value().value();
  }

  Result<bool> Record(int64_t id, DeliveryOutcome outcome) {
    return store()
        .Write([&](StoreWriter& w) { return w.channels().RecordDelivery(id, outcome); })
        .Wait();
  }
};

TEST_F(ChannelStoreTest, CreateKeepsSettingsSecretAndTriggersAndStartsIdle) {
  Channel c = Create(Webhook("siem"));
  EXPECT_GT(c.id, 0);
  EXPECT_EQ(c.name, "siem");
  EXPECT_EQ(c.type, "webhook");
  EXPECT_TRUE(c.enabled);
  EXPECT_EQ(c.config_json, R"({"url":"https://hooks.example/x"})");
  EXPECT_EQ(c.secret, "a signing key of some length");
  EXPECT_EQ(c.created_at, 1000);
  EXPECT_EQ(c.updated_at, 1000);
  EXPECT_EQ(c.delivery.state, "idle");
  EXPECT_FALSE(c.delivery.last_success_at);
  EXPECT_FALSE(c.delivery.last_error);
  auto read = store().channels().Get(c.id);
  ASSERT_TRUE(read.ok() && read->has_value());
  EXPECT_EQ((*read)->triggers_json, R"({"kinds":["problems"]})");
}

TEST_F(ChannelStoreTest, NamesAreUniqueOnCreateAndRename) {
  Channel a = Create(Webhook("a"));
  Create(Webhook("b"));
  auto again = MustWrite([&](StoreWriter& w) { return w.channels().Create(Webhook("a")); });
  EXPECT_FALSE(again->has_value());
  ChannelChange rename;
  rename.name = "b";
  auto renamed = MustWrite([&](StoreWriter& w) { return w.channels().Update(a.id, rename); });
  EXPECT_TRUE(renamed->name_taken);
  EXPECT_FALSE(renamed->channel);
  EXPECT_EQ(store().channels().Get(a.id).value()->name, "a");
}

TEST_F(ChannelStoreTest, RefusesSettingsThatAreNotJsonObjects) {
  NewChannel bad = Webhook("bad");
  bad.config_json = "[1]";
  auto refused = store().Write([&](StoreWriter& w) { return w.channels().Create(bad); }).Wait();
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("config"), std::string::npos);
}

TEST_F(ChannelStoreTest, UpdateChangesOnlyWhatItNamesAndCanRemoveTheSecret) {
  Channel c = Create(Webhook("siem"));
  ChannelChange change;
  change.enabled = false;
  change.secret = std::optional<std::string>();
  change.updated_at = 5000;
  auto updated = MustWrite([&](StoreWriter& w) { return w.channels().Update(c.id, change); });
  ASSERT_TRUE(updated->channel);
  EXPECT_FALSE(updated->channel->enabled);
  EXPECT_FALSE(updated->channel->secret);
  EXPECT_EQ(updated->channel->name, "siem");
  EXPECT_EQ(updated->channel->config_json, c.config_json);
  EXPECT_EQ(updated->channel->updated_at, 5000);

  auto missing = MustWrite([&](StoreWriter& w) { return w.channels().Update(999, change); });
  EXPECT_FALSE(missing->channel);
  EXPECT_FALSE(missing->name_taken);
}

TEST_F(ChannelStoreTest, DeliveryAccountCountsAndKeepsTheLatestOutcome) {
  Channel c = Create(Webhook("siem"));
  ASSERT_TRUE(Record(c.id, {2000, false, 0, 1, "webhook 127.0.0.1: HTTP 500: boom"}).value());
  Channel failing = store().channels().Get(c.id).value().value();
  EXPECT_EQ(failing.delivery.state, "failing");
  EXPECT_EQ(failing.delivery.last_error_at, 2000);
  EXPECT_EQ(failing.delivery.last_error, "webhook 127.0.0.1: HTTP 500: boom");
  EXPECT_EQ(failing.delivery.failed, 1);

  ASSERT_TRUE(Record(c.id, {3000, true, 5, 0, ""}).value());
  // An attempt that ended earlier but is recorded later only adds its counts.
  ASSERT_TRUE(Record(c.id, {2500, false, 0, 1, "older"}).value());
  Channel ok = store().channels().Get(c.id).value().value();
  EXPECT_EQ(ok.delivery.state, "ok");
  EXPECT_EQ(ok.delivery.last_success_at, 3000);
  EXPECT_EQ(ok.delivery.last_error_at, 2000);
  EXPECT_EQ(ok.delivery.last_error, "webhook 127.0.0.1: HTTP 500: boom");
  EXPECT_EQ(ok.delivery.delivered, 5);
  EXPECT_EQ(ok.delivery.failed, 2);

  EXPECT_FALSE(Record(999, {4000, true, 1, 0, ""}).value());
}

TEST_F(ChannelStoreTest, DeleteRemovesTheChannel) {
  Channel c = Create(Webhook("siem"));
  EXPECT_TRUE(MustWrite([&](StoreWriter& w) { return w.channels().Delete(c.id); }).value());
  EXPECT_FALSE(store().channels().Get(c.id).value().has_value());
  EXPECT_FALSE(MustWrite([&](StoreWriter& w) { return w.channels().Delete(c.id); }).value());
}

TEST_F(ChannelStoreTest, ListsFilterByTypeStateAndEnabledAndPageByName) {
  for (int i = 0; i < 5; ++i) Create(Webhook("hook-" + std::to_string(i), 1000 + i));
  NewChannel file;
  file.name = "archive";
  file.type = "file";
  file.enabled = false;
  file.config_json = R"({"path":"notifications.jsonl"})";
  file.created_at = 900;
  Channel archive = Create(file);
  ASSERT_TRUE(Record(archive.id, {2000, false, 0, 1, "disk full"}).value());

  ListQuery by_type;
  by_type.filters = {{"type", FilterOp::kEq, Value(std::string("webhook"))}};
  auto webhooks = store().channels().List(by_type);
  ASSERT_TRUE(webhooks.ok()) << webhooks.status().message();
  EXPECT_EQ(webhooks->total, 5);

  ListQuery failing;
  failing.filters = {{"delivery_state", FilterOp::kEq, Value(std::string("failing"))}};
  auto failing_page = store().channels().List(failing);
  ASSERT_TRUE(failing_page.ok());
  ASSERT_EQ(failing_page->items.size(), 1u);
  EXPECT_EQ(failing_page->items[0].name, "archive");

  ListQuery disabled;
  disabled.filters = {{"enabled", FilterOp::kEq, Value(int64_t{0})}};
  EXPECT_EQ(store().channels().List(disabled)->total, 1);

  ListQuery page;
  page.limit = 4;
  auto first = store().channels().List(page);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->total, 6);
  ASSERT_EQ(first->items.size(), 4u);
  EXPECT_EQ(first->items[0].name, "archive");
  ASSERT_TRUE(first->next_cursor);
  page.cursor = *first->next_cursor;
  auto second = store().channels().List(page);
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(second->items.size(), 2u);
  EXPECT_EQ(second->items[1].name, "hook-4");
  EXPECT_FALSE(second->next_cursor);

  ListQuery newest;
  newest.sort = SortOrder{"created_at", true};
  int64_t exported = 0;
  std::string first_name;
  ASSERT_TRUE(store()
                  .channels()
                  .Export(newest,
                          [&](const Channel& c) {
                            if (exported++ == 0) first_name = c.name;
                            return Status::Ok();
                          })
                  .ok());
  EXPECT_EQ(exported, 6);
  EXPECT_EQ(first_name, "hook-4");
}

}  // namespace
}  // namespace warden::store

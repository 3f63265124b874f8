// Which scheduled saved queries a host receives: by label, id or all, then
// OS; enabled only; none for a revoked host; sorted by their srv: name; and
// whose config a schedule touches.
#include "server/host_scheduled_queries.h"

#include <gtest/gtest.h>

#include "store/store_test_fixture.h"

namespace warden::server {
namespace {

using store::StoreWriter;

class HostScheduledQueriesTest : public store::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    store::NewEnrolSecret s;
    s.name = "default";
    s.sha256 = "secret-hash";
    s.created_at = 1;
    auto secret = MustWrite([&](StoreWriter& w) { return w.enrol_secrets().Create(s); });
    ASSERT_TRUE(secret.ok());
    secret_ = secret->id;
  }

  store::Host Enrol(const std::string& name, std::vector<std::string> labels,
                    const std::string& os_id = "debian") {
    store::HostEnrolment e;
    e.machine_id = "m-" + name;
    e.hostname = name;
    e.os.id = os_id;
    e.enrol_secret_id = secret_;
    e.node_key_sha256 = "node-" + name;
    e.now = 10;
    auto host = MustWrite([&](StoreWriter& w) -> Result<store::Host> {
      ASSIGN_OR_RETURN(store::EnrolOutcome out, w.hosts().Enrol(e));
      RETURN_IF_ERROR(w.hosts().SetLabels(out.host.id, labels).status());
      ASSIGN_OR_RETURN(std::optional<store::Host> h, w.hosts().Get(out.host.id));
      return *h;
    });
    return host.ok() ? *host : store::Host{};
  }

  void Save(const std::string& name, store::SavedQuerySchedule schedule) {
    store::NewSavedQuery n;
    n.name = name;
    n.sql = "SELECT 1";
    n.owner = {"user", "1", "a"};
    n.schedule = std::move(schedule);
    n.created_at = 5;
    ASSERT_TRUE(MustWrite([&](StoreWriter& w) { return w.saved_queries().Create(n); }).ok());
  }

  std::vector<std::string> NamesFor(const store::Host& host) {
    auto queries = ScheduledQueriesForHost(store(), host);
    EXPECT_TRUE(queries.ok()) << queries.status().message();
    std::vector<std::string> out;
    if (queries.ok())
      for (const HostScheduledQuery& q : *queries) out.push_back(q.name);
    return out;
  }

  int64_t secret_ = 0;
};

TEST_F(HostScheduledQueriesTest, AHostGetsTheEnabledSchedulesThatTargetItSortedByName) {
  store::Host prod = Enrol("web-1", {"env=prod"});
  store::Host rhel = Enrol("db-1", {"env=prod"}, "rhel");
  store::Host dev = Enrol("dev-1", {"env=dev"});
  store::SavedQuerySchedule by_label;
  by_label.targets.labels = {"env=prod"};
  by_label.interval_seconds = 60;
  Save("zeta", by_label);
  store::SavedQuerySchedule debian_only = by_label;
  debian_only.targets.os_ids = {"debian"};
  Save("alpha", debian_only);
  store::SavedQuerySchedule everyone;
  everyone.targets.all = true;
  everyone.interval_seconds = 60;
  everyone.enabled = false;
  Save("off", everyone);
  store::SavedQuerySchedule by_id;
  by_id.targets.host_ids = {dev.id};
  by_id.daily_at = {"03:00"};
  Save("nightly", by_id);

  EXPECT_EQ(NamesFor(prod), (std::vector<std::string>{"srv:alpha", "srv:zeta"}));
  EXPECT_EQ(NamesFor(rhel), (std::vector<std::string>{"srv:zeta"}));
  EXPECT_EQ(NamesFor(dev), (std::vector<std::string>{"srv:nightly"}));

  Json queries = ScheduledQueriesJson(*ScheduledQueriesForHost(store(), dev));
  ASSERT_EQ(queries.size(), 1u);
  EXPECT_EQ(queries[0]["schedule"]["daily_at"], Json::array({"03:00"}));
  EXPECT_EQ(queries[0]["schedule"]["interval_seconds"], nullptr);
  EXPECT_EQ(queries[0]["mode"], "differential");

  ASSERT_TRUE(MustWrite([&](StoreWriter& w) { return w.hosts().Revoke(prod.id, 20); }).ok());
  auto revoked = store().hosts().Get(prod.id);
  ASSERT_TRUE(revoked.ok() && revoked->has_value());
  EXPECT_TRUE(NamesFor(**revoked).empty());
}

}  // namespace
}  // namespace warden::server

// Tests of the osquery_* tables that describe Warden itself.
#include "tables/warden_tables.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <ctime>
#include <set>

#include "core/strings.h"
#include "core/version.h"
#include "testing/sql_test_util.h"
#include "testing/test_util.h"

namespace warden {
namespace {

using ::warden::testing::Cell;
using ::warden::testing::FixturePath;
using ::warden::testing::SqlFixture;

// Removes any installed runtime state source when a test ends.
class RuntimeStateGuard {
 public:
  ~RuntimeStateGuard() { SetWardenRuntimeStateSource(nullptr); }
};

TEST(OsqueryInfoTableTest, DescribesThisProcessAndWarden) {
  SqlFixture sql;
  auto r = sql.Query("SELECT * FROM osquery_info");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Cell(r, 0, "pid"), Value(static_cast<int64_t>(::getpid())));
  EXPECT_EQ(ValueToText(Cell(r, 0, "version")), kWardenVersion);
  EXPECT_EQ(ValueToText(Cell(r, 0, "extensions")), "inactive");
  EXPECT_EQ(ValueToText(Cell(r, 0, "build_platform")), "linux");
  EXPECT_EQ(Cell(r, 0, "watcher"), Value(int64_t{-1}));
  EXPECT_EQ(Cell(r, 0, "platform_mask"), Value(int64_t{9}));
  int64_t start = std::get<int64_t>(Cell(r, 0, "start_time"));
  EXPECT_LE(start, static_cast<int64_t>(std::time(nullptr)));
  EXPECT_GT(start, static_cast<int64_t>(std::time(nullptr)) - 3600);
}

TEST(OsqueryInfoTableTest, UuidIsTheMachineIdAsUuid) {
  SqlFixture sql(FixturePath("file/root"));
  auto r = sql.Query("SELECT uuid FROM osquery_info");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(ValueToText(Cell(r, 0, "uuid")), "01234567-89ab-cdef-0123-456789abcdef");
}

TEST(OsqueryInfoTableTest, LiveUuidMatchesEtcMachineId) {
  HostFs fs;
  auto id = fs.ReadFile("/etc/machine-id");
  if (!id.ok() || TrimWhitespace(*id).size() != 32) GTEST_SKIP() << "no /etc/machine-id";
  SqlFixture sql;
  auto r = sql.Query("SELECT uuid FROM osquery_info");
  std::string uuid = ValueToText(Cell(r, 0, "uuid"));
  std::string without_hyphens;
  for (char c : uuid)
    if (c != '-') without_hyphens.push_back(c);
  EXPECT_EQ(without_hyphens, std::string(TrimWhitespace(*id)));
}

TEST(OsqueryInfoTableTest, InstanceIdIsStableWithinTheProcess) {
  SqlFixture a, b;
  std::string first =
      ValueToText(Cell(a.Query("SELECT instance_id FROM osquery_info"), 0, "instance_id"));
  std::string second =
      ValueToText(Cell(b.Query("SELECT instance_id FROM osquery_info"), 0, "instance_id"));
  EXPECT_EQ(first.size(), 36u);
  EXPECT_EQ(first, second);
}

TEST(OsqueryInfoTableTest, ConfigStateComesFromTheRuntimeSource) {
  RuntimeStateGuard guard;
  SetWardenRuntimeStateSource([] {
    WardenRuntimeState s;
    s.instance_id = "agent-instance";
    s.config_hash = "abc123";
    s.config_valid = true;
    return s;
  });
  SqlFixture sql;
  auto r = sql.Query("SELECT instance_id, config_hash, config_valid FROM osquery_info");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(ValueToText(Cell(r, 0, "instance_id")), "agent-instance");
  EXPECT_EQ(ValueToText(Cell(r, 0, "config_hash")), "abc123");
  EXPECT_EQ(Cell(r, 0, "config_valid"), Value(int64_t{1}));
}

TEST(OsqueryRegistryTableTest, ListsEveryRegisteredTableIncludingProcesses) {
  SqlFixture sql;
  auto r = sql.Query("SELECT registry, name, owner_uuid, internal, active FROM osquery_registry");
  std::set<std::string> names;
  for (size_t i = 0; i < r.rows.size(); ++i) {
    EXPECT_EQ(ValueToText(Cell(r, i, "registry")), "table");
    EXPECT_EQ(Cell(r, i, "owner_uuid"), Value(int64_t{0}));
    EXPECT_EQ(Cell(r, i, "internal"), Value(int64_t{1}));
    EXPECT_EQ(Cell(r, i, "active"), Value(int64_t{1}));
    names.insert(ValueToText(Cell(r, i, "name")));
  }
  EXPECT_EQ(names.size(), sql.registry().All().size());
  EXPECT_TRUE(names.count("processes"));
  EXPECT_TRUE(names.count("osquery_registry"));
  EXPECT_TRUE(names.count("file"));
}

TEST(OsqueryFlagsTableTest, RootFlagReportsTheRootBeingRead) {
  SqlFixture sql(FixturePath("file/root"));
  auto r = sql.Query("SELECT value, default_value FROM osquery_flags WHERE name = 'root'");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(ValueToText(Cell(r, 0, "value")), HostFs(FixturePath("file/root")).root());
  EXPECT_EQ(ValueToText(Cell(r, 0, "default_value")), "/");
}

TEST(OsqueryFlagsTableTest, TimeoutValueIsUnknownUntilReported) {
  RuntimeStateGuard guard;
  SqlFixture sql;
  auto before =
      sql.Query("SELECT value, default_value FROM osquery_flags WHERE name = 'timeout_ms'");
  ASSERT_EQ(before.rows.size(), 1u);
  EXPECT_TRUE(IsNull(Cell(before, 0, "value")));
  EXPECT_EQ(ValueToText(Cell(before, 0, "default_value")),
            std::to_string(QueryOptions{}.timeout.count()));
  SetWardenRuntimeStateSource([] {
    WardenRuntimeState s;
    s.flag_values["timeout_ms"] = "5000";
    return s;
  });
  auto after = sql.Query("SELECT value FROM osquery_flags WHERE name = 'timeout_ms'");
  ASSERT_EQ(after.rows.size(), 1u);
  EXPECT_EQ(ValueToText(Cell(after, 0, "value")), "5000");
}

TEST(OsqueryScheduleTableTest, EmptyWithoutAnAgent) {
  SqlFixture sql;
  EXPECT_TRUE(sql.Query("SELECT * FROM osquery_schedule").rows.empty());
  EXPECT_TRUE(sql.Query("SELECT * FROM osquery_packs").rows.empty());
  EXPECT_TRUE(sql.Query("SELECT * FROM osquery_events").rows.empty());
}

TEST(OsqueryScheduleTableTest, ReportsTheAgentsSchedule) {
  RuntimeStateGuard guard;
  SetWardenRuntimeStateSource([] {
    WardenRuntimeState s;
    ScheduledQueryStats q;
    q.name = "listening";
    q.query = "SELECT * FROM listening_ports";
    q.interval = 300;
    q.executions = 4;
    q.wall_time_ms = 2500;
    q.denylisted = true;
    s.schedule.push_back(q);
    return s;
  });
  SqlFixture sql;
  auto r = sql.Query(
      "SELECT name, interval, executions, wall_time, wall_time_ms, denylisted, "
      "blacklisted FROM osquery_schedule");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(ValueToText(Cell(r, 0, "name")), "listening");
  EXPECT_EQ(Cell(r, 0, "interval"), Value(int64_t{300}));
  EXPECT_EQ(Cell(r, 0, "wall_time"), Value(int64_t{2}));
  EXPECT_EQ(Cell(r, 0, "denylisted"), Value(int64_t{1}));
  EXPECT_EQ(Cell(r, 0, "blacklisted"), Value(int64_t{1}));
}

TEST(OsqueryExtensionsTableTest, AlwaysHasTheCoreRow) {
  SqlFixture sql;
  auto r = sql.Query("SELECT uuid, name, version, type FROM osquery_extensions");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Cell(r, 0, "uuid"), Value(int64_t{0}));
  EXPECT_EQ(ValueToText(Cell(r, 0, "name")), "core");
  EXPECT_EQ(ValueToText(Cell(r, 0, "type")), "core");
  EXPECT_EQ(ValueToText(Cell(r, 0, "version")), kWardenVersion);
}

}  // namespace
}  // namespace warden

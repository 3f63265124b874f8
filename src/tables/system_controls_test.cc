#include <gtest/gtest.h>

#include <algorithm>

#include "tables/system_fixture_test_util.h"

namespace warden::system_test {
namespace {

using testing::RunCommand;
using testing::SqlFixture;

TEST(SystemControlsTableTest, NameLookupGivesCurrentAndConfiguredValue) {
  SqlFixture db(SystemRoot());
  auto r = db.Query("SELECT * FROM system_controls WHERE name = 'net.ipv4.ip_forward'");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Text(r, 0, "current_value"), "0");
  EXPECT_EQ(Text(r, 0, "config_value"), "1");  // /etc/sysctl.conf
  EXPECT_EQ(Text(r, 0, "subsystem"), "net");
  EXPECT_EQ(Text(r, 0, "type"), "string");
  EXPECT_TRUE(Null(r, 0, "oid"));
}

TEST(SystemControlsTableTest, NameLookupReadsOnlyThatControl) {
  RecordingHostFs fs(SystemRoot());
  EngineOver db(&fs);
  auto r = db.Query("SELECT current_value FROM system_controls WHERE name = 'vm.swappiness'");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Text(r, 0, "current_value"), "60");
  for (const std::string& dir : fs.listed()) {
    EXPECT_FALSE(StartsWith(dir, "/proc/sys")) << dir;
  }
  for (const std::string& file : fs.reads())
    if (StartsWith(file, "/proc/sys")) {
      EXPECT_EQ(file, "/proc/sys/vm/swappiness");
    }
}

TEST(SystemControlsTableTest, NameOfADirectoryListsItsControls) {
  SqlFixture db(SystemRoot());
  auto r = db.Query("SELECT name FROM system_controls WHERE name = 'net.ipv4.conf.all'");
  // SQLite keeps only rows whose name equals the constraint: none of the
  // leaves below the directory do, which is osquery's behaviour too.
  EXPECT_TRUE(r.rows.empty());
  auto all = db.Query("SELECT name FROM system_controls WHERE name LIKE 'net.ipv4.conf.all.%'");
  EXPECT_EQ(ColumnValues(all, "name"),
            (std::vector<std::string>{"net.ipv4.conf.all.accept_redirects",
                                      "net.ipv4.conf.all.rp_filter"}));
}

TEST(SystemControlsTableTest, FullWalkHasEveryControlFile) {
  SqlFixture db(SystemRoot());
  auto r = db.Query("SELECT name, current_value FROM system_controls");
  auto find = RunCommand({"find", SystemRoot() + "/proc/sys", "-type", "f"});
  EXPECT_EQ(r.rows.size(), Lines(find.out).size());
  EXPECT_EQ(Text(r, *FindRow(r, "name", "fs.file-max"), "current_value"), "9223372036854775807");
}

TEST(SystemControlsTableTest, DotInsideAComponentIsShownAsSlash) {
  SqlFixture db(SystemRoot());
  auto r = db.Query(
      "SELECT current_value FROM system_controls WHERE name = "
      "'net.ipv4.conf.eth0/100.accept_redirects'");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Text(r, 0, "current_value"), "1");
}

TEST(SystemControlsTableTest, OsqueryStyleNameWithDotsStillFindsTheControl) {
  SqlFixture db(SystemRoot());
  auto r = db.Query(
      "SELECT name FROM system_controls WHERE name = 'net.ipv4.conf.eth0.100.accept_redirects'");
  EXPECT_EQ(ColumnValues(r, "name"),
            (std::vector<std::string>{"net.ipv4.conf.eth0.100.accept_redirects"}));
}

TEST(SystemControlsTableTest, EtcSysctlDMasksTheSameNamedVendorFile) {
  SqlFixture db(SystemRoot());
  auto r = db.Query("SELECT config_value FROM system_controls WHERE name = 'vm.swappiness'");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(Text(r, 0, "config_value"), "30");
}

TEST(SystemControlsTableTest, LaterFileNameWinsAndPathFormKeysApply) {
  SqlFixture db(SystemRoot());
  auto r = db.Query(
      "SELECT name, config_value FROM system_controls WHERE name IN ('kernel.kptr_restrict', "
      "'net.ipv4.conf.all.rp_filter', 'fs.file-max')");
  ASSERT_EQ(r.rows.size(), 3u);
  EXPECT_EQ(Text(r, *FindRow(r, "name", "kernel.kptr_restrict"), "config_value"),
            "2");  // 99-* after 50-*
  EXPECT_EQ(Text(r, *FindRow(r, "name", "net.ipv4.conf.all.rp_filter"), "config_value"), "1");
  EXPECT_EQ(Text(r, *FindRow(r, "name", "fs.file-max"), "config_value"), "1048576");
}

TEST(SystemControlsTableTest, GlobKeysConfigureEveryMatchingControl) {
  SqlFixture db(SystemRoot());
  auto r = db.Query(
      "SELECT name, config_value FROM system_controls WHERE name LIKE '%accept_redirects'");
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(ColumnValues(r, "config_value"), (std::vector<std::string>{"0", "0"}));
}

TEST(SystemControlsTableTest, SubsystemConstraintWalksOnlyThatTree) {
  RecordingHostFs fs(SystemRoot());
  EngineOver db(&fs);
  auto r = db.Query("SELECT name FROM system_controls WHERE subsystem = 'vm'");
  EXPECT_EQ(ColumnValues(r, "name"), (std::vector<std::string>{"vm.swappiness"}));
  for (const std::string& dir : fs.listed())
    if (StartsWith(dir, "/proc/sys")) {
      EXPECT_TRUE(StartsWith(dir, "/proc/sys/vm")) << dir;
    }
}

TEST(SystemControlsTableTest, OidMatchesNothingOnLinux) {
  SqlFixture db(SystemRoot());
  EXPECT_TRUE(db.Query("SELECT * FROM system_controls WHERE oid = '1.2'").rows.empty());
}

TEST(SystemControlsTableTest, NamesCannotEscapeProcSys) {
  RecordingHostFs fs(SystemRoot());
  EngineOver db(&fs);
  // Swapping '.' and '/' turns these into paths with ".." components.
  auto r = db.Query(
      "SELECT * FROM system_controls WHERE name IN ('vm.//.kernel.hostname', "
      "'.//.//.//etc.hostname')");
  EXPECT_TRUE(r.rows.empty());
  for (const std::string& file : fs.reads()) {
    EXPECT_EQ(file.find(".."), std::string::npos) << file;
  }
}

TEST(SystemControlsTableTest, UnreadableControlIsARowWithNullValue) {
  RecordingHostFs fs(SystemRoot());
  fs.Deny("/proc/sys/kernel/kptr_restrict");
  EngineOver db(&fs);
  auto r = db.Query(
      "SELECT current_value, config_value FROM system_controls WHERE name = "
      "'kernel.kptr_restrict'");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_TRUE(Null(r, 0, "current_value"));
  EXPECT_EQ(Text(r, 0, "config_value"), "2");
}

TEST(SystemControlsTableLiveTest, ValuesMatchSysctl) {
  if (RunCommand({"sysctl", "-n", "kernel.ostype"}).exit_code != 0) {
    GTEST_SKIP() << "no sysctl(8)";
  }
  SqlFixture db;
  for (const char* name :
       {"kernel.ostype", "kernel.osrelease", "kernel.hostname", "vm.overcommit_memory"}) {
    auto expected = RunCommand({"sysctl", "-n", name});
    auto r = db.Query(std::string("SELECT current_value FROM system_controls WHERE name = '") +
                      name + "'");
    ASSERT_EQ(r.rows.size(), 1u) << name;
    EXPECT_EQ(Text(r, 0, "current_value"), std::string(TrimWhitespace(expected.out))) << name;
  }
}

TEST(SystemControlsTableLiveTest, FullWalkCoversSysctlAll) {
  auto sysctl = RunCommand({"sysctl", "-a", "-N"});
  if (sysctl.exit_code != 0 && sysctl.out.empty()) {
    GTEST_SKIP() << "no sysctl(8)";
  }
  SqlFixture db;
  auto r = db.Query("SELECT name FROM system_controls");
  auto names = ColumnValues(r, "name");
  std::set<std::string> ours(names.begin(), names.end());
  size_t missing = 0;
  // sysctl -a lists the readable controls; each must be one of ours. (Ours
  // also has write-only ones.) Network controls can appear/disappear with
  // interfaces between the two walks, so allow a few.
  for (const std::string& name : Lines(sysctl.out))
    if (!ours.count(name)) ++missing;
  EXPECT_LE(missing, 5u);
  EXPECT_GE(ours.size(), Lines(sysctl.out).size());
}

}  // namespace
}  // namespace warden::system_test

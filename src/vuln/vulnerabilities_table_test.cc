#include "vuln/vulnerabilities_table.h"

#include <gtest/gtest.h>

#include "sql/sql_engine.h"
#include "testing/test_util.h"
#include "vuln/feed_importer.h"

namespace warden {
namespace {

using testing::FixturePath;
using testing::TempDir;

class VulnerabilitiesTableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto r = ImportFeeds(db_, {FixturePath("vuln/feeds/tracker-bookworm.json"),
                               testing::FixturePath("vuln/samples/debian-tracker-subset.json")});
    ASSERT_TRUE(r.ok()) << r.status().message();
    RegisterVulnerabilitiesTable(registry_);
    auto engine = SqlEngine::Open(&registry_, &fs_);
    ASSERT_TRUE(engine.ok()) << engine.status().message();
    engine_ = std::move(engine).value();
  }
  QueryResult Query(const std::string& where) {
    auto r = engine_->Query(
        "SELECT package, cve, status, fixed_version, severity FROM vulnerabilities WHERE feed_db = "
        "'" +
        db_ + "'" + where + " ORDER BY package, cve");
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : QueryResult{};
  }

  TempDir dir_;
  std::string db_ = dir_.path() + "/feeds.db";
  TableRegistry registry_;
  HostFs fs_{FixturePath("vuln/debian-root")};
  std::unique_ptr<SqlEngine> engine_;
};

TEST_F(VulnerabilitiesTableTest, ListsFixedAndUnfixedFindingsOfTheFixtureHost) {
  QueryResult r = Query("");
  std::vector<std::string> rows;
  for (const auto& row : r.rows)
    rows.push_back(ValueToText(row[0]) + " " + ValueToText(row[1]) + " " + ValueToText(row[2]));
  std::vector<std::string> expected = {
      "chromium CVE-2022-0456 fixed",        "libsope1 CVE-2025-53603 fixed",
      "libssl3 CVE-2023-5678 fixed",         "libssl3 CVE-2024-0727 fixed",
      "libtiff6 CVE-2023-6228 will_not_fix", "linux-image-6.1.0-18-amd64 CVE-2024-26581 fixed",
      "openssl CVE-2023-5678 fixed",         "openssl CVE-2024-0727 fixed",
      "zlib1g CVE-2023-45853 affected",
  };
  EXPECT_EQ(rows, expected);
}

TEST_F(VulnerabilitiesTableTest, UnfixedRowsHaveNullFixedVersion) {
  QueryResult r = Query(" AND status != 'fixed'");
  ASSERT_EQ(r.rows.size(), 2u);
  for (const auto& row : r.rows) EXPECT_TRUE(IsNull(row[3]));
}

TEST_F(VulnerabilitiesTableTest, PackageConstraintLimitsTheScan) {
  QueryResult r = Query(" AND package = 'libssl3'");
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(ValueToText(r.rows[0][4]), "medium");
  EXPECT_EQ(ValueToText(r.rows[1][4]), "low");
}

TEST_F(VulnerabilitiesTableTest, MissingFeedDatabaseIsAnErrorNotZeroRows) {
  auto r = engine_->Query("SELECT * FROM vulnerabilities WHERE feed_db = '/nonexistent/feeds.db'");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("warden feed import"), std::string::npos)
      << r.status().message();
}

}  // namespace
}  // namespace warden

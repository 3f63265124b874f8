// Tests of the crontab table over the fixture system and user crontabs.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tables/query_rows_test_util.h"
#include "testing/sql_test_util.h"
#include "testing/test_util.h"

namespace warden::testing {
namespace {

std::vector<std::string> Jobs(const QueryResult& r) {
  std::vector<std::string> out;
  for (size_t i = 0; i < r.rows.size(); ++i) {
    std::string job = TextCell(r, i, "path") + " |";
    for (const char* c : {"event", "minute", "hour", "day_of_month", "month", "day_of_week"})
      job += " " + (NullCell(r, i, c) ? std::string("NULL") : TextCell(r, i, c));
    job += " | " + TextCell(r, i, "command");
    out.push_back(job);
  }
  return out;
}

TEST(CrontabTableTest, ReadsSystemCronDAndUserCrontabsInOrder) {
  SqlFixture db(FixturePath("user/root"));
  auto r = db.Query("SELECT * FROM crontab");
  EXPECT_EQ(Jobs(r),
            (std::vector<std::string>{
                "/etc/crontab | NULL 17 * * * * | root cd / && run-parts --report /etc/cron.hourly",
                "/etc/crontab | NULL 25 6 * * * | root test -x /usr/sbin/anacron || { cd / && "
                "run-parts --report /etc/cron.daily; }",
                "/etc/cron.d/backup | @reboot NULL NULL NULL NULL NULL | root "
                "/usr/local/bin/backup --init",
                "/etc/cron.d/backup | NULL */5 9-17 * * mon-fri | root /usr/local/bin/sync "
                "--fast \"a b\"",
                "/var/spool/cron/crontabs/alice | NULL 0 2 * * * | /home/alice/bin/nightly.sh > "
                "/dev/null 2>&1",
                "/var/spool/cron/crontabs/alice | @daily NULL NULL NULL NULL NULL | "
                "/home/alice/bin/daily.sh",
            }));
}

TEST(CrontabTableTest, VariablesCommentsAndShortLinesAreNotJobs) {
  TempDir root;
  root.WriteFile("etc/crontab",
                 "SHELL=/bin/sh\nMAILTO = ops\n# 1 2 3 4 5 cmd\n   \n1 2 3 4 5\n@hourly\n");
  SqlFixture db(root.path());
  EXPECT_TRUE(db.Query("SELECT * FROM crontab").rows.empty());
}

TEST(CrontabTableTest, DirectoriesInsideCronDirsAreNotRead) {
  TempDir root;
  // /var/spool/cron holds the crontabs directory on Debian: not a crontab.
  root.WriteFile("var/spool/cron/crontabs/bob", "* * * * * /bin/true\n");
  SqlFixture db(root.path());
  auto r = db.Query("SELECT path FROM crontab");
  EXPECT_EQ(ColumnText(r, "path"), (std::vector<std::string>{"/var/spool/cron/crontabs/bob"}));
}

TEST(CrontabTableTest, NoCronFilesIsZeroRows) {
  TempDir root;
  SqlFixture db(root.path());
  EXPECT_TRUE(db.Query("SELECT * FROM crontab").rows.empty());
}

}  // namespace
}  // namespace warden::testing

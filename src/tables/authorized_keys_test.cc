// Tests of authorized_keys over the fixture homes: options, comments, junk
// lines, and that a uid constraint limits which files are read.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "sql/sql_engine.h"
#include "tables/home_trap_test_util.h"
#include "tables/query_rows_test_util.h"
#include "testing/sql_test_util.h"
#include "testing/test_util.h"

namespace warden::testing {
namespace {

TEST(AuthorizedKeysTableTest, ParsesKeysOptionsAndCommentsOfBothFiles) {
  SqlFixture db(FixturePath("user/root"));
  auto r = db.Query("SELECT * FROM authorized_keys");
  ASSERT_EQ(r.rows.size(), 5u);
  EXPECT_EQ(ColumnText(r, "algorithm"),
            (std::vector<std::string>{"ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256",
                                      "ssh-ed25519", "sk-ssh-ed25519@openssh.com"}));
  for (size_t i = 0; i < r.rows.size(); ++i) EXPECT_EQ(IntCell(r, i, "uid"), 1000);

  EXPECT_TRUE(NullCell(r, 0, "options"));
  EXPECT_EQ(TextCell(r, 0, "comment"), "alice@laptop");
  EXPECT_EQ(TextCell(r, 0, "key"),
            "AAAAC3NzaC1lZDI1NTE5AAAAILN9QY/nwRObcJR0xYgT9ZChrRWuE+y7CnkTx9gBMxsh");
  EXPECT_EQ(TextCell(r, 0, "key_file"), "/home/alice/.ssh/authorized_keys");

  // Quoted option values keep their blanks and escaped quotes.
  EXPECT_EQ(TextCell(r, 1, "options"),
            "from=\"10.0.0.0/8,192.168.1.1\",command=\"/usr/bin/backup --mode \\\"full "
            "run\\\"\",no-pty");
  EXPECT_EQ(TextCell(r, 1, "key"), "AAAAB3NzaC1yc2EAAAADAQABAAABAQC7examplekeydata");
  EXPECT_EQ(TextCell(r, 1, "comment"), "backup@server");

  EXPECT_TRUE(NullCell(r, 2, "comment"));
  EXPECT_EQ(TextCell(r, 3, "comment"), "spaced comment with words");
  EXPECT_EQ(TextCell(r, 4, "key_file"), "/home/alice/.ssh/authorized_keys2");
  EXPECT_EQ(TextCell(r, 4, "comment"), "yubikey");
}

TEST(AuthorizedKeysTableTest, LinesThatAreNotKeysAreSkipped) {
  TempDir root;
  root.WriteFile("etc/passwd", "u:x:5:5::/home/u:/bin/sh\n");
  root.WriteFile("home/u/.ssh/authorized_keys",
                 "# comment\n\nnot a key\nssh-rsa\n1024 35 12345 protocol1\n" +
                     std::string(100000, 'x') + "\n\x01\x02\xff junk\n");
  SqlFixture db(root.path());
  EXPECT_TRUE(db.Query("SELECT * FROM authorized_keys").rows.empty());
}

TEST(AuthorizedKeysTableTest, JoinsWithUsersOnUid) {
  SqlFixture db(FixturePath("user/root"));
  auto r = db.Query("SELECT DISTINCT u.username FROM users u JOIN authorized_keys k USING (uid)");
  EXPECT_EQ(ColumnText(r, "username"), (std::vector<std::string>{"alice"}));
}

// A HostFs that records every file read, to see what a query touched.
class RecordingFs : public HostFs {
 public:
  using HostFs::HostFs;
  Result<std::string> ReadFile(std::string_view path, size_t max_bytes) const override {
    reads.emplace_back(path);
    return HostFs::ReadFile(path, max_bytes);
  }
  Result<std::string> ReadUserFile(const UserArea& area, std::string_view relative,
                                   size_t max_bytes,
                                   const std::function<bool()>& cancelled) const override {
    std::string dir = area.dir;
    while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
    reads.push_back(dir + "/" + std::string(relative));
    return HostFs::ReadUserFile(area, relative, max_bytes, cancelled);
  }
  mutable std::vector<std::string> reads;
};

TEST(AuthorizedKeysTableTest, UidConstraintReadsOnlyThatUsersFiles) {
  TableRegistry registry;
  RegisterBuiltinTables(registry);
  RecordingFs fs(FixturePath("user/root"));
  auto engine = SqlEngine::Open(&registry, &fs);
  ASSERT_TRUE(engine.ok()) << engine.status().message();
  auto r = (*engine)->Query("SELECT key FROM authorized_keys WHERE uid = 1001");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->rows.empty());
  for (const std::string& path : fs.reads)
    EXPECT_TRUE(path == "/etc/passwd" || path.rfind("/home/bob/", 0) == 0) << path;
  EXPECT_NE(std::find(fs.reads.begin(), fs.reads.end(), "/home/bob/.ssh/authorized_keys"),
            fs.reads.end());
}

TEST(AuthorizedKeysTableTest, NoPasswdIsZeroRows) {
  TempDir root;
  SqlFixture db(root.path());
  EXPECT_TRUE(db.Query("SELECT * FROM authorized_keys").rows.empty());
}

TEST(AuthorizedKeysTableTest, KeysSymlinkedOutOfTheHomeGiveNoRows) {
  HomeTrapRoot root;
  root.Write("root/.ssh/authorized_keys",
             "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILN9QY/nwRObcJR0xYgT9ZChrRWuE+y7CnkTx9gBMxsh "
             "root@secret\n");
  root.Symlink("/root/.ssh/authorized_keys", "home/u/.ssh");
  root.Write("home/u/.keep2", "");
  EXPECT_TRUE(root.QueryWithoutHanging("SELECT * FROM authorized_keys WHERE uid = 5").rows.empty());
  HomeTrapRoot second;
  second.Write("root/.ssh/authorized_keys",
               "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILN9QY/nwRObcJR0xYgT9ZChrRWuE+y7CnkTx9gBMxsh "
               "root@secret\n");
  second.Write("home/u/.ssh/.keep", "");
  second.Symlink("../../../root/.ssh/authorized_keys", "home/u/.ssh/authorized_keys");
  second.Symlink("/root/.ssh/authorized_keys", "home/u/.ssh/authorized_keys2");
  EXPECT_TRUE(
      second.QueryWithoutHanging("SELECT * FROM authorized_keys WHERE uid = 5").rows.empty());
}

TEST(AuthorizedKeysTableTest, FifoIsSkippedWithoutBlocking) {
  HomeTrapRoot root;
  root.Write("home/u/.ssh/.keep", "");
  root.Fifo("home/u/.ssh/authorized_keys");
  EXPECT_TRUE(root.QueryWithoutHanging("SELECT * FROM authorized_keys").rows.empty());
}

}  // namespace
}  // namespace warden::testing

// What `warden query`, running as root, reads in an unprivileged user's home
// when that user plants traps there: a symlink to a file only root may read
// must not give its lines back as rows, and a FIFO must not freeze the
// query. Each test creates a real local user (useradd) whose home is a
// scratch directory, lays the trap as that user (runuser), runs the real
// binary against the live host, and removes the user. Needs root.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "testing/test_util.h"

namespace warden {
namespace {

using testing::RunCommand;
using testing::TempDir;
using testing::WardenBinary;

// A local user with a home under a scratch directory; removed on destruction.
class ScratchUser {
 public:
  ScratchUser() : name_("wardent" + std::to_string(::getpid() % 100000)) {
    ::chmod(dir_.path().c_str(), 0755);  // the user must reach their home
    home_ = dir_.path() + "/home";
    RunCommand({"userdel", name_});  // left over from an interrupted run
    auto added = RunCommand({"useradd", "--no-create-home", "--home-dir", home_, "--shell",
                             "/bin/sh", "--user-group", name_});
    if (added.exit_code != 0) {
      error_ = "useradd failed: " + added.err;
      return;
    }
    created_ = true;
    auto id = RunCommand({"id", "-u", name_});
    uid_ = std::stoi(id.out);
    RunCommand({"mkdir", "-p", home_});
    RunCommand({"chown", name_ + ":" + name_, home_});
    As({"mkdir", "-m", "700", home_ + "/.ssh"});
  }
  ~ScratchUser() {
    if (created_) RunCommand({"userdel", name_});
  }
  ScratchUser(const ScratchUser&) = delete;
  ScratchUser& operator=(const ScratchUser&) = delete;

  bool ok() const { return created_; }
  const std::string& error() const { return error_; }
  int uid() const { return uid_; }
  const std::string& home() const { return home_; }
  // Runs a command as the user.
  testing::CommandResult As(std::vector<std::string> argv) const {
    argv.insert(argv.begin(), {"runuser", "-u", name_, "--"});
    return RunCommand(argv);
  }
  // A file that only root may read, outside the home.
  std::string RootOnlyFile(const std::string& name, const std::string& content) const {
    std::string path = dir_.WriteFile(name, content);
    ::chmod(path.c_str(), 0600);
    return path;
  }

 private:
  TempDir dir_;
  std::string name_;
  std::string home_;
  std::string error_;
  int uid_ = -1;
  bool created_ = false;
};

struct Timed {
  testing::CommandResult result;
  std::chrono::steady_clock::duration took;
};

// `warden query --timeout-ms 2000 SQL`, killed after 20 s should it hang.
Timed Query(const std::string& sql) {
  auto start = std::chrono::steady_clock::now();
  auto r = RunCommand(
      {"timeout", "20", WardenBinary(), "query", "--format", "json", "--timeout-ms", "2000", sql});
  return {r, std::chrono::steady_clock::now() - start};
}

#define REQUIRE_SCRATCH_USER(user)                                                    \
  if (::geteuid() != 0) GTEST_SKIP() << "creating a local user (useradd) needs root"; \
  ScratchUser user;                                                                   \
  ASSERT_TRUE(user.ok()) << user.error()

TEST(UserFilesCliTest, ShellHistorySymlinkToShadowGivesNoShadowLines) {
  REQUIRE_SCRATCH_USER(user);
  ASSERT_EQ(user.As({"ln", "-s", "/etc/shadow", user.home() + "/.bash_history"}).exit_code, 0);
  ASSERT_EQ(user.As({"cat", user.home() + "/.bash_history"}).exit_code, 1)
      << "the user can read /etc/shadow: the test proves nothing";
  auto q = Query("SELECT command FROM shell_history WHERE uid = " + std::to_string(user.uid()));
  ASSERT_EQ(q.result.exit_code, 0) << q.result.err;
  auto rows = nlohmann::json::parse(q.result.out);
  for (const auto& row : rows)
    EXPECT_EQ(row["command"].get<std::string>().find("root:"), std::string::npos)
        << "a line of /etc/shadow came back: " << row["command"];
  EXPECT_TRUE(rows.empty()) << q.result.out;
}

TEST(UserFilesCliTest, SshFileSymlinksToRootOnlyFilesGiveNoRows) {
  REQUIRE_SCRATCH_USER(user);
  std::string key =
      "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILN9QY/nwRObcJR0xYgT9ZChrRWuE+y7CnkTx9gBMxsh "
      "root-only\n";
  std::string secret = user.RootOnlyFile("root-only", key);
  ASSERT_EQ(user.As({"ln", "-s", secret, user.home() + "/.ssh/authorized_keys"}).exit_code, 0);
  ASSERT_EQ(user.As({"ln", "-s", secret, user.home() + "/.ssh/known_hosts"}).exit_code, 0);
  for (const char* table : {"authorized_keys", "known_hosts"}) {
    auto q =
        Query(std::string("SELECT * FROM ") + table + " WHERE uid = " + std::to_string(user.uid()));
    ASSERT_EQ(q.result.exit_code, 0) << table << ": " << q.result.err;
    EXPECT_EQ(q.result.out.find("root-only"), std::string::npos) << table << ": " << q.result.out;
  }
}

TEST(UserFilesCliTest, FifosInTheHomeDoNotFreezeTheQuery) {
  REQUIRE_SCRATCH_USER(user);
  for (const char* name : {".bash_history", ".ssh/authorized_keys", ".ssh/known_hosts"})
    ASSERT_EQ(user.As({"mkfifo", user.home() + "/" + name}).exit_code, 0) << name;
  // The user's own regular history is still read beside the FIFO.
  ASSERT_EQ(
      user.As({"sh", "-c", "echo 'echo still-read' > " + user.home() + "/.sh_history"}).exit_code,
      0);
  for (const char* sql : {"SELECT * FROM shell_history", "SELECT * FROM authorized_keys",
                          "SELECT * FROM known_hosts"}) {
    auto q = Query(sql);
    EXPECT_EQ(q.result.exit_code, 0)
        << sql << ": exit " << q.result.exit_code << (q.result.exit_code == 124 ? " (hung)" : "")
        << " " << q.result.err;
    EXPECT_LT(q.took, std::chrono::seconds(10)) << sql;
  }
  auto history =
      Query("SELECT command FROM shell_history WHERE uid = " + std::to_string(user.uid()));
  ASSERT_EQ(history.result.exit_code, 0) << history.result.err;
  EXPECT_EQ(nlohmann::json::parse(history.result.out),
            nlohmann::json::parse(R"([{"command":"echo still-read"}])"));
}

}  // namespace
}  // namespace warden

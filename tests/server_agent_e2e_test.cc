// The control plane end to end, as a user runs it: a real `warden server`
// process and a real `warden agent` process on 127.0.0.1, in temporary
// directories. The agent is enrolled with the commands the docs give
// (`warden server enroll-secret create`, `warden agent enroll` pinning the
// CA by its fingerprint), its open-ports detector sees a listener this test
// opens, and the host, its problem and its listeners appear in the REST API
// of the server; a webhook channel made through the API is told of the
// problem and of its dismissal; a dismissal made through the API reaches the
// agent, and a run-now asked through the API runs the agent's detector and
// comes back with its time, duration and next run. And the host's packages,
// which the agent reports when its vulnerability detector runs, are matched
// by the server against a feed imported through the API. A recipe made on the
// server and attached to the host's label reaches the agent within one
// long-poll and changes what its open-ports detector allows. Live queries go
// to a small fleet: besides this machine's agent, two agents run as other
// machines (own mount and UTS namespaces, machine id and hostname). A port
// suppressed on the host's label dismisses its problem on the server and on
// the agent, a listener that opens later on a suppressed port is a problem
// born dismissed on both, and at the suppression's expiry the problem
// reopens by itself.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "core/finding.h"
#include "core/host_fs.h"
#include "core/strings.h"
#include "core/time_format.h"
#include "delivery/record.h"
#include "delivery/server_sink.h"
#include "delivery/test_http_receiver.h"
#include "inventory/os_release.h"
#include "inventory/package_inventory.h"
#include "server/http_test_client.h"
#include "testing/test_util.h"
#include "testing/warden_processes.h"

namespace warden {
namespace {

using testing::CurlClient;
using testing::RestSession;
using testing::RunCommand;
using testing::ServerUnderTest;
using testing::StartedServerFingerprint;
using testing::TempDir;
using testing::WardenBinary;
using testing::WardenProcess;

// Ids are strings in the API; accept numbers too.
std::string IdText(const Json& id) { return id.is_string() ? id.get<std::string>() : id.dump(); }

// A listener on every address (loopback-only ones are not problems).
class Listener {
 public:
  // On `port`, or a free one for 0.
  explicit Listener(int port = 0) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    if (bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(fd_, 1) != 0)
      ADD_FAILURE() << "listen: " << std::strerror(errno);
    socklen_t len = sizeof a;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  ~Listener() { close(fd_); }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

// `warden ARGS...` as if on another machine of the fleet: in its own mount
// and UTS namespaces, with its own /etc/machine-id (bind-mounted from
// `machine_id_file`) and hostname, so the server tells it apart from the
// other agents of this test (it tells hosts apart by machine id). Needs
// root (CAP_SYS_ADMIN); OtherMachinesAvailable() says whether it works here.
std::vector<std::string> OnOtherMachine(const std::string& machine_id_file,
                                        const std::string& hostname,
                                        std::vector<std::string> warden_args) {
  std::vector<std::string> argv = {
      "/usr/bin/unshare",
      "--mount",
      "--uts",
      "--propagation",
      "private",
      "/bin/sh",
      "-c",
      "mount --bind \"$0\" /etc/machine-id && hostname \"$1\" && shift && exec \"$@\"",
      machine_id_file,
      hostname,
      WardenBinary()};
  argv.insert(argv.end(), warden_args.begin(), warden_args.end());
  return argv;
}

bool OtherMachinesAvailable(const TempDir& dir) {
  const std::string id = dir.WriteFile("probe-machine-id", "0123456789abcdef0123456789abcdef\n");
  auto probe = RunCommand(OnOtherMachine(id, "probe-host", {"--version"}));
  return probe.exit_code == 0;
}

TEST(ServerAgentEndToEndTest, AnEnrolledAgentsHostProblemAndPortsAppearAndADismissalReachesIt) {
  TempDir dir;
  ServerUnderTest server(dir);
  ASSERT_TRUE(server.ok());
  const std::string& base = server.base();

  const std::string password = "end-to-end password";
  ASSERT_TRUE(server.AddUser("e2e", "admin", password));
  const std::string secret = server.CreateEnrolSecret("e2e", "e2e");
  ASSERT_FALSE(secret.empty());

  Listener listener;
  const std::string config = server.EnrolAgent(dir, secret, R"(
recipe:
  rules:
    HOST-VULN: {enabled: false}
    HOST-OPEN-PORTS:
      schedule: {interval: 1s, splay_percent: 0}
status_interval: 0
)");
  ASSERT_FALSE(config.empty());
  EXPECT_NE(testing::ReadFileText(config).find("server:"), std::string::npos)
      << testing::ReadFileText(config);
  RestSession api(base, server.ca());
  ASSERT_TRUE(api.Login("e2e", password));
  // A channel for this fleet's open-ports problems, to a receiver here.
  testing::TestHttpReceiver receiver;
  long created = 0;
  api.Call("POST", "/api/v1/channels",
           Json{{"name", "e2e hook"},
                {"type", "webhook"},
                {"config", {{"url", receiver.url("/hook")}, {"signature", "github_sha256"}}},
                {"secret", "an end-to-end signing key"},
                {"triggers", {{"labels", {"e2e"}}, {"rule_ids", {"HOST-OPEN-PORTS"}}}}},
           &created);
  ASSERT_EQ(created, 201) << api.last();

  WardenProcess agent(dir, "agent", {"agent", "--config", config});

  // The host enrolled, with the secret's label.
  Json host;
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        Json hosts = api.Call("GET", "/api/v1/hosts");
        if (!hosts.is_object() || hosts["items"].empty()) return false;
        host = hosts["items"][0];
        return true;
      },
      std::chrono::seconds(30), std::chrono::milliseconds(200)))
      << api.last() << "\nagent: " << agent.err();
  EXPECT_EQ(host["labels"], Json::array({"e2e"}));
  const std::string host_id = IdText(host["id"]);

  // Its listeners (the test's among them) and the problem the agent opened.
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        Json ports = api.Call("GET", "/api/v1/hosts/" + host_id + "/ports?limit=10000");
        if (!ports.is_object()) return false;
        for (const Json& p : ports["items"])
          if (p["port"] == listener.port()) return true;
        return false;
      },
      std::chrono::seconds(30), std::chrono::milliseconds(200)))
      << api.last() << "\nagent: " << agent.err();
  Json problem;
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        Json problems = api.Call("GET", "/api/v1/hosts/" + host_id + "/problems?limit=10000");
        if (!problems.is_object()) return false;
        for (const Json& p : problems["items"])
          if (p["rule_id"] == "HOST-OPEN-PORTS" &&
              p["description"].get<std::string>().find("port " + std::to_string(listener.port()) +
                                                       " is not in") != std::string::npos) {
            problem = p;
            return true;
          }
        return false;
      },
      std::chrono::seconds(30), std::chrono::milliseconds(200)))
      << api.last() << "\nagent: " << agent.err();
  EXPECT_EQ(problem["status"], "open");
  // The channel heard of it (the receiver's requests, in order).
  auto heard = [&](const std::string& event) {
    for (const auto& r : receiver.accepted()) {
      Json e = Json::parse(r.body, nullptr, false);
      if (e.is_object() && e["id"] == problem["agent_problem_id"] && e["event"] == event)
        return true;
    }
    return false;
  };
  EXPECT_TRUE(testing::WaitFor([&] { return heard("opened"); }, std::chrono::seconds(30),
                               std::chrono::milliseconds(100)))
      << receiver.requests().size() << " requests\nserver: " << server.err();

  // Dismissed through the API: the agent's own store says so.
  long status = 0;
  api.Call("POST", "/api/v1/problems/" + IdText(problem["id"]) + "/dismiss",
           Json{{"comment", "test listener, expected"}}, &status);
  ASSERT_EQ(status, 200) << api.last();
  const std::string agent_problem_id = problem["agent_problem_id"];
  EXPECT_TRUE(testing::WaitFor(
      [&] {
        auto shown = RunCommand({WardenBinary(), "agent", "problems", "show", agent_problem_id,
                                 "--config", config, "--format", "json"});
        return shown.exit_code == 0 && shown.out.find("\"dismissed\"") != std::string::npos;
      },
      std::chrono::seconds(30), std::chrono::milliseconds(200)))
      << "agent: " << agent.err();
  EXPECT_TRUE(testing::WaitFor([&] { return heard("dismissed"); }, std::chrono::seconds(30),
                               std::chrono::milliseconds(100)))
      << "server: " << server.err();
}

// Batch `b` of a simulated agent: 20 problem records, ids unique to the batch.
Json CrashBatch(int b, const std::string& hostname) {
  Json records = Json::array();
  for (int i = 0; i < 20; ++i) {
    ProblemEvent e;
    e.action = ProblemAction::kOpened;
    e.at = 1'700'000'000 + b;
    Problem& p = e.problem;
    p.id = "crash-" + std::to_string(b) + "-" + std::to_string(i);
    p.rule_id = "HOST-OPEN-PORTS";
    p.host = hostname;
    p.title = "tcp port " + std::to_string(1000 + i) + " is open";
    p.risk_level = RiskLevel::kMedium;
    p.resource = "tcp/0.0.0.0:" + std::to_string(1000 + i);
    p.first_detected = p.last_detected = p.status_changed = e.at;
    p.revision = 1;
    p.finding.id = p.id;
    p.finding.rule_id = p.rule_id;
    p.finding.title = p.title;
    records.push_back(AgentRecordJson(ProblemEventRecord(e)));
  }
  return {{"batch_id", "crash-" + std::to_string(b)}, {"records", records}};
}

// kill -9 of the server while an agent pushes: every batch the server
// acknowledged is stored after the restart, and the agent's resend of
// everything (acknowledged or not) stores each record exactly once.
TEST(ServerAgentEndToEndTest, KillNineDuringIngestLosesNoAcknowledgedRecord) {
  TempDir dir;
  const std::string state = dir.path() + "/server";
  const std::string base = "https://127.0.0.1:" + std::to_string(testing::FreeLoopbackPort());
  const std::string ca = state + "/tls/ca.pem";
  auto server = std::make_unique<WardenProcess>(
      dir, "server",
      std::vector<std::string>{"server", "--state-dir", state, "--listen", base.substr(8)});
  ASSERT_FALSE(StartedServerFingerprint(*server).empty());
  const std::string password = "crash test password";
  ASSERT_EQ(RunCommand({WardenBinary(), "server", "user", "add", "crash", "--role", "admin",
                        "--password-stdin", "--state-dir", state},
                       password + "\n")
                .exit_code,
            0);
  auto made = RunCommand({WardenBinary(), "server", "enroll-secret", "create", "crash",
                          "--secret-only", "--state-dir", state});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  const std::string secret(TrimWhitespace(made.out));

  CurlClient client;
  auto post = [&](CurlClient& c, const std::string& path, const std::string& bearer,
                  const Json& body) {
    testing::ClientRequest r;
    r.method = "POST";
    r.url = base + path;
    r.ca_file = ca;
    r.headers = {"Content-Type: application/json"};
    if (!bearer.empty()) r.headers.push_back("Authorization: Bearer " + bearer);
    r.body = body.dump();
    return c.Send(r);
  };
  Json identity = {{"machine_id", "crash-machine"},
                   {"hostname", "crash-host"},
                   {"os", {{"name", "Debian GNU/Linux"}, {"version", "12"}, {"id", "debian"}}},
                   {"agent_version", "0.9.0"}};
  auto enrolled =
      post(client, "/api/v1/agent/enroll", "", Json{{"secret", secret}, {"identity", identity}});
  ASSERT_EQ(enrolled.status, 200) << enrolled.body;
  const std::string node_key = Json::parse(enrolled.body)["node_key"];
  const std::string host_id = IdText(Json::parse(enrolled.body)["host_id"]);

  // The agent pushes batch after batch; the server is killed mid-stream.
  std::mutex mu;
  std::set<int> acknowledged;
  std::atomic<int> attempted{0};
  std::atomic<bool> stop{false};
  std::thread pusher([&] {
    CurlClient own;
    for (int b = 0; !stop; ++b) {
      attempted = b + 1;
      auto r = post(own, "/api/v1/agent/records", node_key, CrashBatch(b, "crash-host"));
      if (r.status != 200) break;  // the server is gone
      std::lock_guard lock(mu);
      acknowledged.insert(b);
    }
  });
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        std::lock_guard lock(mu);
        return acknowledged.size() >= 30;
      },
      std::chrono::seconds(60), std::chrono::milliseconds(5)));
  server->KillHard();
  stop = true;
  pusher.join();
  const int batches = attempted;

  server = std::make_unique<WardenProcess>(
      dir, "server2",
      std::vector<std::string>{"server", "--state-dir", state, "--listen", base.substr(8)});
  ASSERT_FALSE(StartedServerFingerprint(*server).empty());
  RestSession api(base, ca);
  ASSERT_TRUE(api.Login("crash", password));
  auto stored_ids = [&] {
    std::set<std::string> ids;
    Json page = api.Call("GET", "/api/v1/hosts/" + host_id + "/problems?limit=10000");
    EXPECT_TRUE(page.is_object()) << api.last();
    if (page.is_object())
      for (const Json& p : page["items"]) ids.insert(p["agent_problem_id"].get<std::string>());
    return ids;
  };
  std::set<std::string> after_crash = stored_ids();
  for (int b : acknowledged)
    for (int i = 0; i < 20; ++i)
      EXPECT_TRUE(after_crash.count("crash-" + std::to_string(b) + "-" + std::to_string(i)))
          << "acknowledged batch " << b << " record " << i << " lost";

  // The agent resends everything it was not sure of, and what was stored.
  for (int b = 0; b < batches; ++b) {
    auto r = post(client, "/api/v1/agent/records", node_key, CrashBatch(b, "crash-host"));
    ASSERT_EQ(r.status, 200) << r.body;
  }
  std::set<std::string> after_resend = stored_ids();
  EXPECT_EQ(after_resend.size(), static_cast<size_t>(batches) * 20);
  // Exactly once: the first record's history holds one `opened`, not two.
  Json listed = api.Call("GET", "/api/v1/hosts/" + host_id + "/problems?limit=10000");
  std::string first_id;
  for (const Json& p : listed["items"])
    if (p["agent_problem_id"] == "crash-0-0") first_id = IdText(p["id"]);
  ASSERT_FALSE(first_id.empty()) << api.last();
  Json history = api.Call("GET", "/api/v1/problems/" + first_id + "/history");
  ASSERT_TRUE(history.is_object()) << api.last();
  EXPECT_EQ(history["items"].size(), 1u) << history.dump();
}

// The agent's own status of job `name` (`warden agent status --format json`);
// null when the agent does not answer yet.
Json AgentJob(const std::string& config, const std::string& name) {
  auto status =
      RunCommand({WardenBinary(), "agent", "status", "--config", config, "--format", "json"});
  if (status.exit_code != 0) return Json();
  Json body = Json::parse(status.out, nullptr, false);
  if (!body.is_object() || !body["jobs"].is_array()) return Json();
  for (const Json& job : body["jobs"])
    if (job.value("name", "") == name) return job;
  return Json();
}

TEST(ServerAgentEndToEndTest, RunNowThroughTheApiRunsTheAgentsDetectorAndReportsTheRun) {
  TempDir dir;
  ServerUnderTest server(dir);
  ASSERT_TRUE(server.ok());
  const std::string& base = server.base();
  const std::string password = "end-to-end password";
  ASSERT_TRUE(server.AddUser("e2e", "analyst", password));
  const std::string secret = server.CreateEnrolSecret("e2e");
  ASSERT_FALSE(secret.empty());

  // The open-ports detector runs at start, then hourly: a later run is the
  // one asked for.
  const std::string config = server.EnrolAgent(dir, secret, R"(
recipe:
  rules:
    HOST-VULN: {enabled: false}
    HOST-OPEN-PORTS:
      schedule: {interval: 1h, splay_percent: 0}
status_interval: 0
)");
  ASSERT_FALSE(config.empty());
  WardenProcess agent(dir, "agent", {"agent", "--config", config});

  RestSession api(base, server.ca());
  ASSERT_TRUE(api.Login("e2e", password));
  std::string host_id;
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        Json hosts = api.Call("GET", "/api/v1/hosts");
        if (!hosts.is_object() || hosts["items"].empty()) return false;
        host_id = IdText(hosts["items"][0]["id"]);
        return true;
      },
      std::chrono::seconds(30), std::chrono::milliseconds(200)))
      << api.last() << "\nagent: " << agent.err();
  int64_t first_run = 0;
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        Json job = AgentJob(config, "HOST-OPEN-PORTS");
        if (!job.is_object() || job["running"] != false || !job["last_run_ms"].is_number())
          return false;
        first_run = job["last_run_ms"].get<int64_t>();
        return first_run > 0;
      },
      std::chrono::seconds(30), std::chrono::milliseconds(200)))
      << "agent: " << agent.err();

  // An analyst asks for it now.
  long status = 0;
  Json scan = api.Call("POST", "/api/v1/hosts/" + host_id + "/scans",
                       Json{{"rule_ids", {"HOST-OPEN-PORTS"}}}, &status);
  ASSERT_EQ(status, 202) << api.last();
  const std::string scan_id = IdText(scan["id"]);
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        scan = api.Call("GET", "/api/v1/scans/" + scan_id);
        return scan.is_object() && scan["state"] == "done";
      },
      std::chrono::seconds(30), std::chrono::milliseconds(200)))
      << api.last() << "\nagent: " << agent.err();
  EXPECT_EQ(scan["counts"]["succeeded"], 1) << scan.dump();
  EXPECT_EQ(scan["counts"]["failed"], 0) << scan.dump();

  // The agent ran it again.
  Json job = AgentJob(config, "HOST-OPEN-PORTS");
  ASSERT_TRUE(job.is_object()) << "agent: " << agent.err();
  const int64_t asked_run = job["last_run_ms"].get<int64_t>();
  EXPECT_GT(asked_run, first_run);

  // The host's scans show that run: when, how long, how it ended, the next run.
  Json runs = api.Call("GET", "/api/v1/hosts/" + host_id + "/scans?rule_id=HOST-OPEN-PORTS");
  ASSERT_TRUE(runs.is_object()) << api.last();
  Json run;
  for (const Json& r : runs["items"])
    if (r["scan_id"] == scan_id) run = r;
  ASSERT_TRUE(run.is_object()) << runs.dump();
  EXPECT_EQ(run["trigger"], "run_now");
  EXPECT_EQ(run["outcome"], "succeeded");
  EXPECT_EQ(run["started_at"], FormatRfc3339(asked_run / 1000));
  EXPECT_TRUE(run["duration_ms"].is_number_integer()) << run.dump();
  ASSERT_TRUE(run["next_run_at"].is_string()) << run.dump();
  std::optional<int64_t> next = ParseRfc3339(run["next_run_at"].get<std::string>());
  ASSERT_TRUE(next.has_value());
  EXPECT_GE(*next, asked_run / 1000 + 3500) << run.dump();  // the hourly schedule goes on
  EXPECT_NE(run["result"].get<std::string>().find("ok"), std::string::npos) << run.dump();

  // And the host's detector state says so at once.
  Json host = api.Call("GET", "/api/v1/hosts/" + host_id);
  ASSERT_TRUE(host.is_object()) << api.last();
  ASSERT_FALSE(host["detectors"].empty()) << host.dump();
  EXPECT_EQ(host["detectors"][0]["last_run_at"], run["started_at"]) << host.dump();
}

// The seed complaint, "the vulnerability view is empty although the detector
// ran", end to end: a real agent on this host runs HOST-VULN (skipped: the
// agent has no feed of its own) and so reports its packages; an admin
// imports a feed into the server; the host's vulnerable package then shows
// in the host's findings, by CVE, in the CVE's hosts and as a fix-first
// upgrade. The feed is the tracker's shape, written for this host's own
// zlib (one CVE open, one fixed in a newer version), so the test needs a
// Debian host, which is what Warden's builds and tests run on.
TEST(ServerAgentEndToEndTest, TheHostsVulnerablePackagesShowAfterAFeedImport) {
  auto os = ReadOsRelease(HostFs("/"));
  if (!os.ok() || os->id != "debian" || os->version_codename.empty())
    GTEST_SKIP() << "needs a Debian host (the feed written here is Debian's tracker)";
  auto debs = ReadDpkgStatus(HostFs("/"));
  ASSERT_TRUE(debs.ok()) << debs.status().message();
  const DebPackage* zlib = nullptr;
  for (const DebPackage& p : *debs)
    if (p.name == "zlib1g" && p.IsUnpacked()) zlib = &p;
  if (zlib == nullptr) GTEST_SKIP() << "zlib1g is not installed";
  // Every binary of zlib's source (zlib1g-dev too, where installed) is affected.
  std::set<std::string> binaries;
  for (const DebPackage& p : *debs)
    if (p.source == zlib->source && p.source_version == zlib->source_version && p.IsUnpacked())
      binaries.insert(p.name);
  std::string upgrade = "apt-get install --only-upgrade";
  for (const std::string& b : binaries) upgrade += " " + b;
  const std::string fixed = zlib->source_version + "+warden1";
  const std::string codename = os->version_codename;
  const Json feed = {{zlib->source,
                      {{"CVE-2023-45853",
                        {{"description", "MiniZip in zlib through 1.3 has an integer overflow."},
                         {"releases",
                          {{codename,
                            {{"status", "open"},
                             {"repositories", {{codename, zlib->source_version}}},
                             {"urgency", "high"}}}}}}},
                       {"CVE-2099-0001",
                        {{"description", "A test vulnerability fixed in a newer zlib."},
                         {"releases",
                          {{codename,
                            {{"status", "resolved"},
                             {"repositories", {{codename, fixed}}},
                             {"fixed_version", fixed},
                             {"urgency", "medium"}}}}}}}}}};

  TempDir dir;
  ServerUnderTest server(dir);
  ASSERT_TRUE(server.ok());
  const std::string& base = server.base();
  const std::string password = "end-to-end password";
  ASSERT_TRUE(server.AddUser("e2e", "admin", password));
  const std::string secret = server.CreateEnrolSecret("vulns");
  ASSERT_FALSE(secret.empty());

  const std::string config = server.EnrolAgent(dir, secret, R"(
recipe:
  rules:
    HOST-OPEN-PORTS: {enabled: false}
    HOST-RUNTIME: {enabled: false}
    HOST-VULN:
      schedule: {interval: 1s, splay_percent: 0}
      settings: {feed_database: )" + dir.path() + R"(/no-feeds.db}
status_interval: 0
)");
  ASSERT_FALSE(config.empty());
  WardenProcess agent(dir, "agent", {"agent", "--config", config});

  RestSession api(base, server.ca());
  ASSERT_TRUE(api.Login("e2e", password));
  std::string host_id;
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        Json hosts = api.Call("GET", "/api/v1/hosts");
        if (!hosts.is_object() || hosts["items"].empty()) return false;
        if (hosts["items"][0]["inventory"]["packages_at"].is_null()) return false;
        host_id = IdText(hosts["items"][0]["id"]);
        return true;
      },
      std::chrono::seconds(30), std::chrono::milliseconds(200)))
      << api.last() << "\nagent: " << agent.err();

  long status = 0;
  Json imported = api.Upload("/api/v1/feeds?name=zlib-tracker.json", feed.dump(), &status);
  ASSERT_EQ(status, 200) << api.last();
  EXPECT_EQ(imported["format"], "debian-tracker-json");
  EXPECT_EQ(imported["hosts_to_rematch"], 1);

  Json findings;
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        findings = api.Call("GET", "/api/v1/hosts/" + host_id + "/vulnerabilities?package=zlib1g");
        return findings.is_object() && findings["total"] == 2;
      },
      std::chrono::seconds(30), std::chrono::milliseconds(200)))
      << api.last() << "\nserver: " << server.err();
  for (const Json& f : findings["items"]) {
    EXPECT_EQ(f["installed_version"], zlib->version);
    if (f["cve"] == "CVE-2099-0001") {
      EXPECT_EQ(f["fixed_version"], fixed);
    }
  }
  Json cves;
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        cves = api.Call("GET", "/api/v1/vulnerabilities?sort=cve");
        return cves.is_object() && cves["total"] == 2;
      },
      std::chrono::seconds(30), std::chrono::milliseconds(200)))
      << api.last();
  EXPECT_EQ(cves["items"][0]["cve"], "CVE-2023-45853");
  EXPECT_EQ(cves["items"][0]["host_count"], 1);
  Json hosts = api.Call("GET", "/api/v1/vulnerabilities/CVE-2023-45853/hosts");
  ASSERT_TRUE(hosts.is_object()) << api.last();
  ASSERT_EQ(hosts["total"], binaries.size()) << hosts.dump();
  for (const Json& h : hosts["items"]) EXPECT_EQ(IdText(h["host_id"]), host_id);
  Json fix = api.Call("GET", "/api/v1/vulnerabilities/fix-first");
  ASSERT_TRUE(fix.is_object()) << api.last();
  ASSERT_EQ(fix["total"], 1) << fix.dump();
  EXPECT_EQ(fix["items"][0]["summary"],
            "upgrade " + zlib->source + " to " + fixed + ": clears 1 CVE on 1 host");
  EXPECT_EQ(fix["items"][0]["upgrade_command"], upgrade);
  Json feeds = api.Call("GET", "/api/v1/feeds");
  ASSERT_TRUE(feeds.is_object()) << api.last();
  EXPECT_EQ(feeds["hosts_matched"], 1);
  EXPECT_EQ(feeds["feeds"][0]["file_name"], "zlib-tracker.json");
}

}  // namespace
}  // namespace warden

namespace warden {
namespace {

// Live queries end to end: a real agent enrolled into a real server takes a
// live query from its command long-poll at once, runs it with its own
// engine and sends the rows back (a second agent on this machine would be
// the same host: one machine id); the result is kept, re-run, diffed,
// exported and streamed; a query that fails on the hosts is each host's
// error; and `warden query --server` runs one from the command line with an
// API token, pinning the CA by its fingerprint.
TEST(ServerAgentEndToEndTest, ALiveQueryReachesTheAgentAndIsKeptRerunDiffedAndExported) {
  TempDir dir;
  ServerUnderTest server(dir);
  ASSERT_TRUE(server.ok());
  const std::string& server_state = server.state();
  const std::string& base = server.base();
  const std::string& fingerprint = server.fingerprint();
  const std::string password = "end-to-end password";
  ASSERT_TRUE(server.AddUser("hunter", "analyst", password));
  auto secret_for = [&](const std::string& label) {
    return server.CreateEnrolSecret(label, label);
  };
  const std::string prod_secret = secret_for("env=prod"), dev_secret = secret_for("env=dev");

  // The fleet: this machine's agent and, where namespaces allow it, two
  // more machines (their own machine id and hostname); two are env=prod,
  // one env=dev. Their detectors are quiet.
  struct Machine {
    std::string name, secret;
    bool own_namespace = false;
  };
  std::vector<Machine> machines = {{"agent1", prod_secret}};
  if (OtherMachinesAvailable(dir))
    machines.insert(machines.end(), {{"agent2", prod_secret, true}, {"agent3", dev_secret, true}});
  else
    std::cerr << "note: no mount namespaces here (not root?): one agent only\n";
  const int prod_hosts = machines.size() == 1 ? 1 : 2;
  const std::string probe = dir.path() + "/probe";
  ASSERT_EQ(::mkdir(probe.c_str(), 0755), 0);
  dir.WriteFile("probe/a.txt", "a");
  std::vector<std::unique_ptr<WardenProcess>> agents;
  for (const Machine& m : machines) {
    const std::string config =
        dir.WriteFile(m.name + ".yaml", "state_dir: " + dir.path() + "/" + m.name + R"(
recipe:
  rules:
    HOST-VULN: {enabled: false}
    HOST-OPEN-PORTS: {enabled: false}
status_interval: 0
)");
    std::vector<std::string> enrol = {"agent",    "enroll", "--server",         base,
                                      "--secret", m.secret, "--ca-fingerprint", fingerprint,
                                      "--config", config};
    std::vector<std::string> run = {"agent", "--config", config};
    if (m.own_namespace) {
      const std::string id =
          dir.WriteFile(m.name + "-machine-id", std::string(32, m.name.back()) + "\n");
      auto enrolled = RunCommand(OnOtherMachine(id, m.name + ".example", enrol));
      ASSERT_EQ(enrolled.exit_code, 0) << enrolled.err;
      agents.push_back(std::make_unique<WardenProcess>(
          dir, m.name, OnOtherMachine(id, m.name + ".example", run), WardenProcess::kFullCommand));
    } else {
      enrol.insert(enrol.begin(), WardenBinary());
      auto enrolled = RunCommand(enrol);
      ASSERT_EQ(enrolled.exit_code, 0) << enrolled.err;
      agents.push_back(std::make_unique<WardenProcess>(dir, m.name, run));
    }
  }
  auto agent_logs = [&] {
    std::string logs;
    for (size_t i = 0; i < agents.size(); ++i)
      logs += "\n" + machines[i].name + ": " + agents[i]->err();
    return logs;
  };

  RestSession api(base, server.ca());
  ASSERT_TRUE(api.Login("hunter", password));
  // Online (polling their commands), each a host of its own.
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        Json hosts = api.Call("GET", "/api/v1/hosts?status=online");
        return hosts.is_object() && hosts["total"] == machines.size();
      },
      std::chrono::seconds(30), std::chrono::milliseconds(200)))
      << api.last() << agent_logs();

  // A live query to the label: the host answers within seconds.
  const std::string sql = "SELECT filename FROM file WHERE directory = '" + probe + "'";
  long status = 0;
  const auto asked = std::chrono::steady_clock::now();
  Json query = api.Call("POST", "/api/v1/queries",
                        Json{{"sql", sql}, {"targets", {{"labels", {"env=prod"}}}}}, &status);
  ASSERT_EQ(status, 202) << api.last();
  const std::string id = IdText(query["id"]);
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        query = api.Call("GET", "/api/v1/queries/" + id);
        return query.is_object() && query["state"] == "done";
      },
      std::chrono::seconds(20), std::chrono::milliseconds(50)))
      << api.last() << agent_logs();
  // The parked poll is woken: the host did not wait for its next poll (10 s).
  EXPECT_LT(std::chrono::steady_clock::now() - asked, std::chrono::seconds(5));
  EXPECT_EQ(query["counts"]["done"], prod_hosts) << query.dump() << agent_logs();
  EXPECT_EQ(query["stored_rows"], prod_hosts) << query.dump();
  Json hosts = api.Call("GET", "/api/v1/queries/" + id + "/hosts");
  ASSERT_TRUE(hosts.is_object()) << api.last();
  ASSERT_EQ(hosts["items"].size(), static_cast<size_t>(prod_hosts)) << hosts.dump();
  std::set<std::string> answered;
  for (const Json& h : hosts["items"]) {
    answered.insert(h["hostname"].get<std::string>());
    EXPECT_EQ(h["state"], "done") << h.dump();
    EXPECT_EQ(h["returned_rows"], 1) << h.dump();
    EXPECT_TRUE(h["duration_ms"].is_number_integer()) << h.dump();
  }
  Json rows = api.Call("GET", "/api/v1/queries/" + id + "/results");
  ASSERT_TRUE(rows.is_object()) << api.last();
  EXPECT_EQ(answered.size(), static_cast<size_t>(prod_hosts)) << hosts.dump();
  // The env=dev machine was not asked.
  EXPECT_EQ(answered.count("agent3.example"), 0u) << hosts.dump();
  if (prod_hosts == 2) {
    EXPECT_EQ(answered.count("agent2.example"), 1u) << hosts.dump();
  }
  ASSERT_EQ(rows["total"], prod_hosts) << rows.dump();
  for (const Json& row : rows["items"]) EXPECT_EQ(row["row"], (Json{{"filename", "a.txt"}}));

  // Re-run after the host state changed, and the diff says what changed.
  dir.WriteFile("probe/b.txt", "b");
  Json rerun = api.Call("POST", "/api/v1/queries/" + id + "/rerun", nullptr, &status);
  ASSERT_EQ(status, 202) << api.last();
  const std::string rerun_id = IdText(rerun["id"]);
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        rerun = api.Call("GET", "/api/v1/queries/" + rerun_id);
        return rerun.is_object() && rerun["state"] == "done";
      },
      std::chrono::seconds(20), std::chrono::milliseconds(50)))
      << api.last() << agent_logs();
  Json diff = api.Call("GET", "/api/v1/queries/" + rerun_id + "/diff?against=" + id);
  ASSERT_TRUE(diff.is_object()) << api.last();
  ASSERT_EQ(diff["hosts"].size(), static_cast<size_t>(prod_hosts)) << diff.dump();
  for (const Json& h : diff["hosts"]) {
    EXPECT_EQ(h["added"], Json::array({Json{{"filename", "b.txt"}}})) << h.dump();
    EXPECT_TRUE(h["removed"].empty()) << h.dump();
  }

  // Exported: CSV with the hosts and the columns.
  testing::ClientRequest export_request;
  export_request.method = "GET";
  export_request.url = base + "/api/v1/queries/" + rerun_id + "/results/export?format=csv";
  export_request.ca_file = server_state + "/tls/ca.pem";
  Json token = api.Call("POST", "/api/v1/tokens", Json{{"name", "hunting"}}, &status);
  ASSERT_EQ(status, 201) << api.last();
  const std::string bearer = token["token"];
  export_request.headers = {"Authorization: Bearer " + bearer};
  CurlClient client;
  auto exported = client.Send(export_request);
  ASSERT_EQ(exported.status, 200) << exported.body;
  EXPECT_EQ(exported.body.substr(0, exported.body.find("\r\n")), "host_id,hostname,filename");
  EXPECT_EQ(std::count(exported.body.begin(), exported.body.end(), '\n'), 1 + 2 * prod_hosts)
      << exported.body;

  // The stream of the finished query replays its hosts and rows, then ends.
  testing::ClientRequest stream_request = export_request;
  stream_request.url = base + "/api/v1/queries/" + rerun_id + "/stream";
  auto stream = client.Send(stream_request);
  ASSERT_EQ(stream.status, 200) << stream.body;
  EXPECT_NE(stream.body.find("event: rows\n"), std::string::npos) << stream.body;
  EXPECT_NE(stream.body.find("\"b.txt\""), std::string::npos) << stream.body;
  EXPECT_NE(stream.body.find("event: end\n"), std::string::npos) << stream.body;

  // SQL that does not compile there: each host's error, with the message.
  Json broken =
      api.Call("POST", "/api/v1/queries",
               Json{{"sql", "SELECT * FROM no_such_table"}, {"targets", {{"all", true}}}}, &status);
  ASSERT_EQ(status, 202) << api.last();
  const std::string broken_id = IdText(broken["id"]);
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        broken = api.Call("GET", "/api/v1/queries/" + broken_id);
        return broken.is_object() && broken["state"] == "done";
      },
      std::chrono::seconds(20), std::chrono::milliseconds(50)))
      << api.last() << agent_logs();
  EXPECT_EQ(broken["counts"]["error"], machines.size()) << broken.dump();
  Json failed = api.Call("GET", "/api/v1/queries/" + broken_id + "/hosts?state=error");
  ASSERT_TRUE(failed.is_object()) << api.last();
  for (const Json& h : failed["items"])
    EXPECT_NE(h["error"].get<std::string>().find("no_such_table"), std::string::npos) << h.dump();

  // The history keeps all three, with who ran them.
  Json history = api.Call("GET", "/api/v1/queries");
  ASSERT_TRUE(history.is_object()) << api.last();
  EXPECT_EQ(history["total"], 3);
  EXPECT_EQ(history["items"][0]["created_by"]["name"], "hunter");

  // From the command line: progress on stderr, rows on stdout.
  auto cli = RunCommand({WardenBinary(), "query", "--server", base, "--ca-fingerprint", fingerprint,
                         "--token", bearer, "--hosts", "label:env=prod", "--format", "json", sql});
  ASSERT_EQ(cli.exit_code, 0) << cli.err << cli.out;
  const std::string answered_line =
      std::to_string(prod_hosts) + "/" + std::to_string(prod_hosts) + " hosts answered";
  EXPECT_NE(cli.err.find(answered_line), std::string::npos) << cli.err;
  Json printed = Json::parse(cli.out, nullptr, false);
  ASSERT_TRUE(printed.is_array()) << cli.out;
  EXPECT_EQ(printed.size(), 2u * prod_hosts) << cli.out;
  for (const Json& row : printed) EXPECT_TRUE(row.contains("host")) << row.dump();
  auto cli_broken =
      RunCommand({WardenBinary(), "query", "--server", base, "--ca-fingerprint", fingerprint,
                  "--token", bearer, "--hosts", "all", "SELECT * FROM no_such_table"});
  EXPECT_EQ(cli_broken.exit_code, 3) << cli_broken.err;
  EXPECT_NE(cli_broken.err.find("no_such_table"), std::string::npos) << cli_broken.err;
}

// A saved query scheduled for a label reaches the labelled agent through
// its config pull and runs there under its `srv:` name; its results are
// kept on the server, queryable per query and host, and the host's
// schedule shows its last run. This relies on the agent running each
// ScheduledQuery its pulled config carries under the query's name.
TEST(ServerAgentEndToEndTest, AScheduledSavedQueryRunsOnTheLabelledAgentAndItsResultsAreKept) {
  TempDir dir;
  ServerUnderTest server(dir);
  ASSERT_TRUE(server.ok());
  const std::string& base = server.base();
  const std::string password = "end-to-end password";
  ASSERT_TRUE(server.AddUser("hunter", "analyst", password));
  const std::string secret = server.CreateEnrolSecret("fleet", "env=prod");
  ASSERT_FALSE(secret.empty());

  RestSession api(base, server.ca());
  ASSERT_TRUE(api.Login("hunter", password));
  const std::string probe = dir.path() + "/probe";
  ASSERT_EQ(::mkdir(probe.c_str(), 0755), 0);
  dir.WriteFile("probe/a.txt", "a");
  long status = 0;
  Json saved = api.Call(
      "POST", "/api/v1/saved-queries",
      Json{{"name", "probe-files"},
           {"sql", "SELECT filename FROM file WHERE directory = '" + probe + "'"},
           {"schedule",
            {{"targets", {{"labels", {"env=prod"}}}},
             {"schedule", {{"interval_seconds", 2}, {"run_at_start", true}, {"splay_percent", 0}}},
             {"mode", "snapshot"}}}},
      &status);
  ASSERT_EQ(status, 201) << api.last();
  const std::string saved_id = IdText(saved["id"]);

  const std::string config = server.EnrolAgent(dir, secret, R"(
recipe:
  rules:
    HOST-VULN: {enabled: false}
    HOST-OPEN-PORTS: {enabled: false}
status_interval: 1s
)");
  ASSERT_FALSE(config.empty());
  WardenProcess agent(dir, "agent", {"agent", "--config", config});

  Json results;
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        results = api.Call("GET", "/api/v1/scheduled-results?saved_query_id=" + saved_id);
        return results.is_object() && results["total"].is_number_integer() &&
               results["total"].get<int64_t>() > 0;
      },
      std::chrono::seconds(60), std::chrono::milliseconds(250)))
      << api.last() << "\nagent: " << agent.err() << "\nserver: " << server.err();
  const Json& first = results["items"][0];
  EXPECT_EQ(first["name"], "srv:probe-files");
  EXPECT_EQ(first["action"], "snapshot");
  EXPECT_EQ(first["row"], (Json{{"filename", "a.txt"}}));
  const std::string host_id = IdText(first["host_id"]);
  Json per_host =
      api.Call("GET", "/api/v1/scheduled-results?name=srv:probe-files&host_id=" + host_id);
  ASSERT_TRUE(per_host.is_object()) << api.last();
  EXPECT_GE(per_host["total"].get<int64_t>(), 1);

  // The host's schedule: the server's query, run, with its rows.
  Json schedule;
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        schedule = api.Call("GET", "/api/v1/hosts/" + host_id + "/schedule");
        if (!schedule.is_object()) return false;
        for (const Json& item : schedule["items"])
          if (item["name"] == "srv:probe-files" && !item["last_run_at"].is_null()) return true;
        return false;
      },
      std::chrono::seconds(90), std::chrono::milliseconds(250)))
      << api.last() << "\nagent: " << agent.err();
  for (const Json& item : schedule["items"]) {
    if (item["name"] != "srv:probe-files") continue;
    EXPECT_EQ(item["source"], "server") << item.dump();
    EXPECT_EQ(item["last_rows"], 1) << item.dump();
    EXPECT_FALSE(item["next_run_at"].is_null()) << item.dump();
  }
}

}  // namespace
}  // namespace warden

namespace warden {
namespace {

// A recipe made on the server and attached to the host's label changes what
// the agent allows within seconds: the test's listening port becomes
// allowed, so its HOST-OPEN-PORTS problem resolves on the server; the
// host's effective settings say where that allowance comes from, and the
// agent's status says its recipe is the server's.
TEST(ServerAgentEndToEndTest, ARecipeAttachedToALabelChangesTheAllowedPortsWithinSeconds) {
  TempDir dir;
  ServerUnderTest server(dir);
  ASSERT_TRUE(server.ok());
  const std::string& base = server.base();
  const std::string password = "end-to-end password";
  ASSERT_TRUE(server.AddUser("e2e", "admin", password));
  const std::string secret = server.CreateEnrolSecret("e2e", "env=prod");
  ASSERT_FALSE(secret.empty());

  Listener listener;
  const std::string config = server.EnrolAgent(dir, secret, R"(
recipe:
  rules:
    HOST-VULN: {enabled: false}
    HOST-OPEN-PORTS:
      schedule: {interval: 1s, splay_percent: 0}
status_interval: 0
)");
  ASSERT_FALSE(config.empty());
  RestSession api(base, server.ca());
  ASSERT_TRUE(api.Login("e2e", password));
  WardenProcess agent(dir, "agent", {"agent", "--config", config});

  // The test's port is a problem on the server first.
  const std::string port = std::to_string(listener.port());
  std::string host_id;
  auto problem_status = [&]() -> std::string {
    if (host_id.empty()) {
      Json hosts = api.Call("GET", "/api/v1/hosts");
      if (!hosts.is_object() || hosts["items"].empty()) return "";
      host_id = IdText(hosts["items"][0]["id"]);
    }
    Json problems = api.Call("GET", "/api/v1/hosts/" + host_id + "/problems?limit=10000");
    if (!problems.is_object()) return "";
    for (const Json& p : problems["items"])
      if (p["rule_id"] == "HOST-OPEN-PORTS" &&
          p["description"].get<std::string>().find("port " + port + " is not in") !=
              std::string::npos)
        return p["status"];
    return "";
  };
  ASSERT_TRUE(testing::WaitFor([&] { return problem_status() == "open"; }, std::chrono::seconds(30),
                               std::chrono::milliseconds(200)))
      << api.last() << "\nagent: " << agent.err();

  // A recipe allowing it, attached to the host's label.
  long status = 0;
  Json recipe = api.Call(
      "POST", "/api/v1/recipes",
      Json{{"name", "prod-web"},
           {"rules",
            {{"HOST-OPEN-PORTS", {{"settings", {{"allowed_tcp", {22, listener.port()}}}}}}}}},
      &status);
  ASSERT_EQ(status, 201) << api.last();
  const auto attached_at = std::chrono::steady_clock::now();
  api.Call("POST", "/api/v1/recipes/" + IdText(recipe["id"]) + "/attachments",
           Json{{"target", {{"kind", "label"}, {"label", "env=prod"}}}}, &status);
  ASSERT_EQ(status, 201) << api.last();
  ASSERT_TRUE(testing::WaitFor([&] { return problem_status() == "resolved"; },
                               std::chrono::seconds(30), std::chrono::milliseconds(100)))
      << api.last() << "\nagent: " << agent.err();
  const auto took = std::chrono::steady_clock::now() - attached_at;
  EXPECT_LT(took, std::chrono::seconds(10)) << "the change should reach the agent in one long-poll";
  std::cout << "recipe attached -> problem resolved on the server in "
            << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms\n";

  Json effective = api.Call("GET", "/api/v1/hosts/" + host_id + "/effective-settings");
  ASSERT_TRUE(effective.is_object()) << api.last();
  bool named = false;
  for (const Json& s : effective["settings"])
    if (s["rule_id"] == "HOST-OPEN-PORTS" && s["setting"] == "settings.allowed_tcp")
      named = s["source"] == "recipe:prod-web" && s["value"] == Json({22, listener.port()});
  EXPECT_TRUE(named) << effective.dump();
  auto shown =
      RunCommand({WardenBinary(), "agent", "status", "--config", config, "--format", "json"});
  Json agent_status = Json::parse(shown.out, nullptr, false);
  ASSERT_TRUE(agent_status.is_object()) << shown.out << shown.err;
  EXPECT_EQ(agent_status["agent"]["recipe"], "prod-web");
  EXPECT_EQ(agent_status["agent"]["recipe_source"], "server");
  EXPECT_EQ(agent_status["agent"]["server_recipe_etag"], effective["config_etag"]);
  EXPECT_EQ(agent_status["server"]["config_etag"], effective["config_etag"]) << agent.err();
}

TEST(ServerAgentEndToEndTest, ASuppressedPortIsDismissedOnBothSidesAndReopensAtItsExpiry) {
  TempDir dir;
  ServerUnderTest server(dir);
  ASSERT_TRUE(server.ok());
  const std::string& base = server.base();
  const std::string password = "end-to-end password";
  ASSERT_TRUE(server.AddUser("e2e", "admin", password));
  const std::string secret = server.CreateEnrolSecret("e2e", "env=lab");
  ASSERT_FALSE(secret.empty());

  Listener first;
  const std::string config = server.EnrolAgent(dir, secret, R"(
recipe:
  rules:
    HOST-VULN: {enabled: false}
    HOST-OPEN-PORTS:
      schedule: {interval: 1s, splay_percent: 0}
status_interval: 0
)");
  ASSERT_FALSE(config.empty());
  RestSession api(base, server.ca());
  ASSERT_TRUE(api.Login("e2e", password));
  WardenProcess agent(dir, "agent", {"agent", "--config", config});

  std::string host_id;
  // The server's problem of `port` (null until there is one).
  auto server_problem = [&](int port) -> Json {
    if (host_id.empty()) {
      Json hosts = api.Call("GET", "/api/v1/hosts");
      if (!hosts.is_object() || hosts["items"].empty()) return Json();
      host_id = IdText(hosts["items"][0]["id"]);
    }
    Json problems = api.Call("GET", "/api/v1/hosts/" + host_id + "/problems?limit=10000");
    if (!problems.is_object()) return Json();
    for (const Json& p : problems["items"])
      if (p["rule_id"] == "HOST-OPEN-PORTS" &&
          p["description"].get<std::string>().find("port " + std::to_string(port) + " is not in") !=
              std::string::npos)
        return p;
    return Json();
  };
  // The agent's own status of its problem `agent_id`, from its store.
  auto agent_status = [&](const std::string& agent_id) -> std::string {
    auto shown = RunCommand({WardenBinary(), "agent", "problems", "show", agent_id, "--config",
                             config, "--format", "json"});
    Json p = Json::parse(shown.out, nullptr, false);
    if (!p.is_object()) return "";
    if (p.contains("status") && p["status"].is_string()) return p["status"];
    return "";
  };
  Json problem;
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        problem = server_problem(first.port());
        return problem.is_object() && problem["status"] == "open";
      },
      std::chrono::seconds(30), std::chrono::milliseconds(200)))
      << api.last() << "\nagent: " << agent.err();
  const std::string first_id = problem["agent_problem_id"];

  // Suppressed on the host's label: dismissed on the server at once, then on the agent.
  long status = 0;
  Json suppression = api.Call("POST", "/api/v1/suppressions",
                              Json{{"kind", "port"},
                                   {"value", "tcp/" + std::to_string(first.port())},
                                   {"target", {{"kind", "label"}, {"label", "env=lab"}}},
                                   {"reason", "the test's own listener"}},
                              &status);
  ASSERT_EQ(status, 201) << api.last();
  EXPECT_EQ(suppression["dismissed"], 1);
  const std::string comment =
      "suppressed (#" + IdText(suppression["id"]) + "): the test's own listener";
  problem = server_problem(first.port());
  EXPECT_EQ(problem["status"], "dismissed");
  EXPECT_EQ(problem["dismissal"]["comment"], comment);
  EXPECT_TRUE(testing::WaitFor([&] { return agent_status(first_id) == "dismissed"; },
                               std::chrono::seconds(30), std::chrono::milliseconds(200)))
      << "agent: " << agent.err();

  // A port suppressed before anything listens on it: its problem is born dismissed.
  const int later_port = testing::FreeLoopbackPort();
  Json later_suppression = api.Call("POST", "/api/v1/suppressions",
                                    Json{{"kind", "port"},
                                         {"value", std::to_string(later_port)},
                                         {"target", {{"kind", "hosts"}, {"host_ids", {host_id}}}},
                                         {"reason", "opened later"}},
                                    &status);
  ASSERT_EQ(status, 201) << api.last();
  EXPECT_EQ(later_suppression["dismissed"], 0);
  Listener later(later_port);
  Json born;
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        born = server_problem(later_port);
        return born.is_object() && born["status"] == "dismissed";
      },
      std::chrono::seconds(30), std::chrono::milliseconds(200)))
      << api.last() << "\nagent: " << agent.err();
  EXPECT_EQ(born["dismissal"]["by"]["type"], "system");
  Json history = api.Call("GET", "/api/v1/problems/" + IdText(born["id"]) + "/history");
  ASSERT_TRUE(history.is_object()) << api.last();
  ASSERT_GE(history["items"].size(), 2u) << history.dump();
  EXPECT_EQ(history["items"][0]["action"], "opened");
  EXPECT_EQ(history["items"][1]["action"], "dismissed");
  EXPECT_TRUE(testing::WaitFor(
      [&] { return agent_status(born["agent_problem_id"].get<std::string>()) == "dismissed"; },
      std::chrono::seconds(30), std::chrono::milliseconds(200)))
      << "agent: " << agent.err();

  // The first suppression given an expiry a few seconds ahead: at it, the
  // problem reopens by itself, on the agent and on the server.
  const int64_t expiry = NowEpochSeconds() + 4;
  api.Call("PATCH", "/api/v1/suppressions/" + IdText(suppression["id"]),
           Json{{"expires_at", FormatRfc3339(expiry)}}, &status);
  ASSERT_EQ(status, 200) << api.last();
  EXPECT_EQ(server_problem(first.port())["dismissal"]["until"], FormatRfc3339(expiry));
  EXPECT_TRUE(testing::WaitFor([&] { return agent_status(first_id) == "open"; },
                               std::chrono::seconds(30), std::chrono::milliseconds(200)))
      << "agent: " << agent.err();
  EXPECT_GE(NowEpochSeconds(), expiry);
  EXPECT_TRUE(testing::WaitFor(
      [&] {
        Json p = server_problem(first.port());
        return p.is_object() && p["status"] == "open";
      },
      std::chrono::seconds(30), std::chrono::milliseconds(200)))
      << api.last() << "\nagent: " << agent.err();
  Json expired = api.Call("GET", "/api/v1/suppressions/" + IdText(suppression["id"]));
  EXPECT_EQ(expired["active"], false);
  EXPECT_EQ(expired["dismissed"], 0);
  // The later port stays suppressed.
  EXPECT_EQ(server_problem(later_port)["status"], "dismissed");
}

}  // namespace
}  // namespace warden

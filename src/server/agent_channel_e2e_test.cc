// The agent channel through the real server (127.0.0.1, TLS, SQLite store in
// a temporary directory), spoken the way an agent speaks it: an admin
// creates an enrol secret over the REST API, the "agent" enrols with it,
// pushes records and long-polls commands with its node key, and what it sent
// shows up in the REST API - the package inventory as vulnerability
// findings once a feed is imported. Every answer is validated against the
// spec.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <thread>

#include "auth/role.h"
#include "core/encoding.h"
#include "core/host_fs.h"
#include "core/strings.h"
#include "core/time_format.h"
#include "delivery/test_http_receiver.h"
#include "delivery/webhook_sink.h"
#include "inventory/package_inventory.h"
#include "problems/problem_rendering.h"
#include "server/dismissal_expiry.h"
#include "server/list_response.h"
#include "server/server_test_support.h"

namespace warden::server::testing {
namespace {

// A problem event exactly as the agent renders it for its sinks.
Json ProblemRecord(const std::string& hostname, const std::string& id = "f00d",
                   RiskLevel risk = RiskLevel::kHigh) {
  ProblemEvent e;
  e.action = ProblemAction::kOpened;
  e.at = 1'700'000'000;
  Problem& p = e.problem;
  p.id = id;
  p.rule_id = "HOST-OPEN-PORTS";
  p.host = hostname;
  p.title = "tcp port 8080 is open";
  p.risk_level = risk;
  p.resource = "tcp/0.0.0.0:8080";
  p.status = ProblemStatus::kOpen;
  p.first_detected = e.at;
  p.last_detected = e.at;
  p.status_changed = e.at;
  p.revision = 1;
  p.finding.id = p.id;
  p.finding.rule_id = p.rule_id;
  p.finding.title = p.title;
  p.finding.description = "python3 listens on 8080";
  return {{"id", ProblemEventId(e)},
          {"kind", "problems"},
          {"time_ms", e.at * 1000},
          {"body", ProblemEventToJson(e)}};
}

Json PortsRecord() {
  Json items = Json::array();
  items.push_back({{"protocol", "tcp"},
                   {"family", "ipv4"},
                   {"address", "0.0.0.0"},
                   {"port", 8080},
                   {"pid", 4242},
                   {"process", "python3"},
                   {"path", "/usr/bin/python3"},
                   {"user", "www-data"}});
  return {{"id", "ports-1"},
          {"kind", "inventory"},
          {"time_ms", 1'700'000'000'000},
          {"body", {{"type", "ports"}, {"items", items}}}};
}

// The package inventory of a fixture root, as the agent sends it
// (agent/inventory_records.cc), with `versions` overriding some packages'.
Json PackagesRecord(const std::string& id, int64_t time_ms, const std::string& root,
                    const std::map<std::string, std::string>& versions = {}) {
  Json items = Json::array();
  auto debs = ReadDpkgStatus(HostFs(root));
  EXPECT_TRUE(debs.ok()) << debs.status().message();
  if (debs.ok()) {
    for (const DebPackage& p : *debs) {
      if (!p.IsUnpacked()) continue;
      auto v = versions.find(p.name);
      const std::string version = v == versions.end() ? p.version : v->second;
      items.push_back({{"name", p.name},
                       {"version", version},
                       {"arch", p.arch},
                       {"source", p.source},
                       {"source_version", v == versions.end() ? p.source_version : version},
                       {"manager", "deb"}});
    }
  }
  return {{"id", id},
          {"kind", "inventory"},
          {"time_ms", time_ms},
          {"body", {{"type", "packages"}, {"items", items}}}};
}

class AgentChannelE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.ok());
    store::User admin =
        server_.AddUser("e2e-admin", auth::Role::kAdmin, "correct horse battery staple");
    admin_ = server_.AddToken(admin.id);
  }

  ClientResponse Checked(const std::string& operation_id, const std::string& method,
                         const std::string& target, const Credentials& who,
                         const std::string& body = "") {
    return CheckedCall(server_, operation_id, method, target, who, body);
  }

  // Enrols as `hostname` with a secret an admin created; the host id and node key.
  std::pair<std::string, Credentials> Enrol(const std::string& hostname) {
    EnrolledAgent a = EnrolThroughApi(server_, admin_, hostname);
    return {a.host_id, a.node};
  }

  // A long-poll from another thread, on a client of its own (a client is
  // one thread's).
  ClientResponse PollFromAnotherClient(const Credentials& node, int wait_seconds) {
    CurlClient client;
    ClientRequest request;
    request.method = "GET";
    request.url = server_.url() + "/api/v1/agent/commands?wait=" + std::to_string(wait_seconds);
    request.ca_file = server_.app().ca_cert_file();
    request.headers.push_back("Authorization: Bearer " + node.bearer);
    return client.Send(request);
  }

  TestServer server_;
  Credentials admin_;
};

TEST_F(AgentChannelE2eTest, EnrolledAgentPushesRecordsAndPollsCommands) {
  auto [host_id, node] = Enrol("web-1");
  ASSERT_FALSE(host_id.empty());
  ASSERT_FALSE(node.bearer.empty());

  ClientResponse config = Checked("getAgentConfig", "GET", "/api/v1/agent/config", node);
  EXPECT_EQ(config.status, 200) << config.body;

  Json batch = {{"batch_id", "b1"},
                {"records", Json::array({ProblemRecord("web-1"), PortsRecord()})}};
  ClientResponse pushed =
      Checked("pushAgentRecords", "POST", "/api/v1/agent/records", node, batch.dump());
  ASSERT_EQ(pushed.status, 200) << pushed.body;
  EXPECT_EQ(Json::parse(pushed.body).value("accepted", -1), 2);
  // A resend after a lost acknowledgement is stored once.
  ClientResponse again =
      Checked("pushAgentRecords", "POST", "/api/v1/agent/records", node, batch.dump());
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(Json::parse(again.body).value("duplicates", -1), 2);

  ClientResponse polled =
      Checked("pollAgentCommands", "GET", "/api/v1/agent/commands?wait=0", node);
  ASSERT_EQ(polled.status, 200) << polled.body;
  EXPECT_TRUE(Json::parse(polled.body)["commands"].empty()) << polled.body;

  // A node key is not a user: the REST API refuses it.
  EXPECT_EQ(server_.Call("GET", "/api/v1/hosts", node).status, 403);
}

TEST_F(AgentChannelE2eTest, PushedRecordsShowInTheRestApi) {
  auto [host_id, node] = Enrol("web-3");
  ASSERT_FALSE(node.bearer.empty());
  Json batch = {{"batch_id", "b1"},
                {"records", Json::array({ProblemRecord("web-3"), PortsRecord()})}};
  ASSERT_EQ(server_.Call("POST", "/api/v1/agent/records", node, batch.dump()).status, 200);

  const std::string host = "/api/v1/hosts/" + host_id;
  ClientResponse problems = Checked("listHostProblems", "GET", host + "/problems", admin_);
  ASSERT_EQ(problems.status, 200) << problems.body;
  Json page = Json::parse(problems.body);
  ASSERT_EQ(page["total"], 1) << problems.body;
  EXPECT_EQ(page["items"][0]["rule_id"], "HOST-OPEN-PORTS");
  EXPECT_EQ(page["items"][0]["risk_level"], "high");
  EXPECT_EQ(page["items"][0]["hostname"], "web-3");
  const std::string problem_id = page["items"][0]["id"];

  ClientResponse ports = Checked("listHostPorts", "GET", host + "/ports", admin_);
  ASSERT_EQ(ports.status, 200) << ports.body;
  page = Json::parse(ports.body);
  ASSERT_EQ(page["total"], 1) << ports.body;
  EXPECT_EQ(page["items"][0]["port"], 8080);
  EXPECT_EQ(page["items"][0]["process"], "python3");

  ClientResponse detail = Checked("getHost", "GET", host, admin_);
  ASSERT_EQ(detail.status, 200) << detail.body;
  Json counts = Json::parse(detail.body)["counts"];
  EXPECT_EQ(counts["open_problems"], 1) << detail.body;
  EXPECT_EQ(counts["open_problems_by_risk"]["high"], 1) << detail.body;
  EXPECT_EQ(counts["open_ports"], 1) << detail.body;
  EXPECT_FALSE(Json::parse(detail.body)["inventory"]["ports_at"].is_null()) << detail.body;

  ClientResponse fleet = Checked(
      "listProblems", "GET",
      "/api/v1/problems?status=open&min_risk_level=high&host_id=" + host_id + "&sort=-risk_level",
      admin_);
  ASSERT_EQ(fleet.status, 200) << fleet.body;
  EXPECT_EQ(Json::parse(fleet.body)["total"], 1);
  ClientResponse none = Checked("listProblems", "GET", "/api/v1/problems?risk_level=low", admin_);
  ASSERT_EQ(none.status, 200) << none.body;
  EXPECT_EQ(Json::parse(none.body)["total"], 0);

  ClientResponse one = Checked("getProblem", "GET", "/api/v1/problems/" + problem_id, admin_);
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_TRUE(Json::parse(one.body).contains("details"));
  ClientResponse history =
      Checked("listProblemHistory", "GET", "/api/v1/problems/" + problem_id + "/history", admin_);
  ASSERT_EQ(history.status, 200) << history.body;
  EXPECT_EQ(Json::parse(history.body)["items"][0]["action"], "opened") << history.body;

  ClientResponse exported = server_.Call("GET", host + "/ports/export?format=csv", admin_);
  ASSERT_EQ(exported.status, 200) << exported.body;
  EXPECT_NE(exported.body.find("python3"), std::string::npos) << exported.body;

  // Free text (any case, in title, hostname or rule id) and lists of values.
  ClientResponse q = Checked("listProblems", "GET", "/api/v1/problems?q=PORT%208080", admin_);
  ASSERT_EQ(q.status, 200) << q.body;
  EXPECT_EQ(Json::parse(q.body)["total"], 1) << q.body;
  ClientResponse missed = Checked("listProblems", "GET", "/api/v1/problems?q=port%209", admin_);
  EXPECT_EQ(Json::parse(missed.body)["total"], 0) << missed.body;
  ClientResponse two = Checked("listHostPorts", "GET", host + "/ports?port=22,8080", admin_);
  ASSERT_EQ(two.status, 200) << two.body;
  EXPECT_EQ(Json::parse(two.body)["total"], 1) << two.body;
  ClientResponse label =
      Checked("listProblems", "GET", "/api/v1/problems?label=env%3Dprod", admin_);
  ASSERT_EQ(label.status, 200) << label.body;
  EXPECT_EQ(Json::parse(label.body)["total"], 0) << label.body;
  ASSERT_EQ(Checked("updateHostLabels", "PATCH", host + "/labels", admin_,
                    Json{{"add", {"env=prod"}}}.dump())
                .status,
            200);
  label = Checked("listProblems", "GET", "/api/v1/problems?label=env%3Dstage,env%3Dprod", admin_);
  EXPECT_EQ(Json::parse(label.body)["total"], 1) << label.body;

  EXPECT_EQ(Checked("listHostPorts", "GET", "/api/v1/hosts/999999/ports", admin_).status, 404);
  EXPECT_EQ(Checked("getProblem", "GET", "/api/v1/problems/999999", admin_).status, 404);
  ClientResponse vulns =
      Checked("listHostVulnerabilities", "GET", host + "/vulnerabilities", admin_);
  EXPECT_EQ(vulns.status, 200) << vulns.body;
  ClientResponse packages =
      Checked("listHostPackages", "GET", host + "/packages?vulnerable=true", admin_);
  EXPECT_EQ(packages.status, 200) << packages.body;
  ClientResponse findings = Checked("listVulnerabilityFindings", "GET",
                                    "/api/v1/vulnerabilities/findings?min_severity=high", admin_);
  EXPECT_EQ(findings.status, 200) << findings.body;
}

// The seed complaint, "the vulnerability view is empty although the
// detector ran": a host whose packages are vulnerable shows them in every
// vulnerability view once a feed is imported, and stops showing what it
// upgraded once its next package snapshot arrives.
TEST_F(AgentChannelE2eTest, AHostsVulnerablePackagesShowInEveryViewAfterAFeedImport) {
  auto [host_id, node] = Enrol("web-6");
  ASSERT_FALSE(node.bearer.empty());
  const std::string root = warden::testing::FixturePath("vuln/debian-root");
  Json batch = {{"batch_id", "b1"},
                {"records", Json::array({PackagesRecord("pkgs-1", 1'700'000'000'000, root)})}};
  ASSERT_EQ(server_.Call("POST", "/api/v1/agent/records", node, batch.dump()).status, 200);

  ClientResponse before = Checked("getFeedStatus", "GET", "/api/v1/feeds", admin_);
  ASSERT_EQ(before.status, 200) << before.body;
  EXPECT_TRUE(Json::parse(before.body)["feeds"].empty()) << before.body;
  EXPECT_EQ(Json::parse(before.body)["hosts_matched"], 0);

  const std::string feed = warden::testing::ReadFileText(
      warden::testing::FixturePath("vuln/feeds/tracker-bookworm.json"));
  ClientResponse imported = server_.Call("POST", "/api/v1/feeds?name=tracker-bookworm.json", admin_,
                                         feed, "application/octet-stream");
  ASSERT_EQ(imported.status, 200) << imported.body;
  EXPECT_TRUE(ValidateAgainstSpec("importFeed", imported).ok()) << imported.body;
  Json result = Json::parse(imported.body);
  EXPECT_EQ(result["format"], "debian-tracker-json");
  EXPECT_GT(result["records"], 0);
  EXPECT_EQ(result["cves"], 6);
  EXPECT_EQ(result["hosts_to_rematch"], 1);

  // The host's findings: both binaries of openssl, zlib without a fix, tiff
  // that Debian will not fix, the running kernel.
  const std::string host = "/api/v1/hosts/" + host_id;
  Json findings;
  ASSERT_TRUE(warden::testing::WaitFor(
      "the host's findings",
      [&] {
        ClientResponse r = server_.Call("GET", host + "/vulnerabilities?sort=package", admin_);
        findings = Json::parse(r.body, nullptr, false);
        return r.status == 200 && findings["total"] == 7;
      },
      std::chrono::seconds(30), std::chrono::milliseconds(50)))
      << findings.dump();
  ClientResponse listed =
      Checked("listHostVulnerabilities", "GET", host + "/vulnerabilities?sort=package", admin_);
  std::set<std::string> pairs;
  for (const Json& f : findings["items"]) {
    pairs.insert(f["package"].get<std::string>() + " " + f["cve"].get<std::string>());
    if (f["package"] == "libssl3" && f["cve"] == "CVE-2023-5678") {
      EXPECT_EQ(f["installed_version"], "3.0.11-1~deb12u1");
      EXPECT_EQ(f["fixed_version"], "3.0.11-1~deb12u2");
      EXPECT_EQ(f["vendor_status"], "fixed");
      EXPECT_EQ(f["upgrade_command"], "apt-get install --only-upgrade libssl3");
      EXPECT_EQ(f["links"]["nvd"], "https://nvd.nist.gov/vuln/detail/CVE-2023-5678");
      EXPECT_EQ(f["hostname"], "web-6");
    }
    if (f["package"] == "zlib1g") {
      EXPECT_TRUE(f["fixed_version"].is_null());
      EXPECT_TRUE(f["upgrade_command"].is_null());
      EXPECT_EQ(f["vendor_status"], "affected");
    }
  }
  EXPECT_EQ(pairs, (std::set<std::string>{"libssl3 CVE-2023-5678", "libssl3 CVE-2024-0727",
                                          "openssl CVE-2023-5678", "openssl CVE-2024-0727",
                                          "zlib1g CVE-2023-45853", "libtiff6 CVE-2023-6228",
                                          "linux-image-6.1.0-18-amd64 CVE-2024-26581"}))
      << findings.dump();

  // By CVE across the fleet (the summary rows follow the findings).
  Json cves;
  ASSERT_TRUE(warden::testing::WaitFor(
      "the fleet's CVEs",
      [&] {
        ClientResponse r = server_.Call("GET", "/api/v1/vulnerabilities?sort=cve", admin_);
        cves = Json::parse(r.body, nullptr, false);
        return r.status == 200 && cves["total"] == 5;
      },
      std::chrono::seconds(30), std::chrono::milliseconds(50)))
      << cves.dump();
  ClientResponse by_cve = Checked("listVulnerabilities", "GET", "/api/v1/vulnerabilities", admin_);
  EXPECT_EQ(by_cve.status, 200);
  EXPECT_EQ(cves["items"][1]["cve"], "CVE-2023-5678");
  EXPECT_EQ(cves["items"][1]["host_count"], 1);
  EXPECT_EQ(cves["items"][1]["package_count"], 2);
  EXPECT_EQ(cves["items"][1]["severity"], "medium");
  EXPECT_TRUE(cves["items"][1]["fix_available"].get<bool>());

  ClientResponse detail =
      Checked("getVulnerability", "GET", "/api/v1/vulnerabilities/CVE-2023-5678", admin_);
  ASSERT_EQ(detail.status, 200) << detail.body;
  Json d = Json::parse(detail.body);
  EXPECT_EQ(d["feeds"], Json::array({"debian-tracker"}));
  EXPECT_EQ(d["links"]["nvd"], "https://nvd.nist.gov/vuln/detail/CVE-2023-5678");
  EXPECT_EQ(d["links"]["vendor"][0], "https://security-tracker.debian.org/tracker/CVE-2023-5678");
  ASSERT_EQ(d["packages"].size(), 2u) << detail.body;
  EXPECT_EQ(d["packages"][0]["package"], "libssl3");
  EXPECT_EQ(d["packages"][0]["release"], "debian 12");
  EXPECT_EQ(d["packages"][0]["host_count"], 1);

  ClientResponse hosts = Checked("listVulnerabilityHosts", "GET",
                                 "/api/v1/vulnerabilities/CVE-2023-5678/hosts", admin_);
  ASSERT_EQ(hosts.status, 200) << hosts.body;
  EXPECT_EQ(Json::parse(hosts.body)["total"], 2);
  EXPECT_EQ(Json::parse(hosts.body)["items"][0]["host_id"], host_id);

  ClientResponse fix = Checked("listFixFirst", "GET", "/api/v1/vulnerabilities/fix-first", admin_);
  ASSERT_EQ(fix.status, 200) << fix.body;
  Json upgrade = Json::parse(fix.body)["items"][0];
  EXPECT_EQ(upgrade["summary"], "upgrade openssl to 3.0.13-1~deb12u1: clears 2 CVEs on 1 host");
  EXPECT_EQ(upgrade["upgrade_command"], "apt-get install --only-upgrade libssl3 openssl");
  EXPECT_EQ(upgrade["release"], "debian 12");
  EXPECT_EQ(upgrade["impact"], 2);

  ClientResponse packages = Checked("listVulnerablePackages", "GET",
                                    "/api/v1/vulnerabilities/packages?sort=package", admin_);
  ASSERT_EQ(packages.status, 200) << packages.body;
  EXPECT_EQ(Json::parse(packages.body)["total"], 5);

  ClientResponse status = Checked("getFeedStatus", "GET", "/api/v1/feeds", admin_);
  Json feeds = Json::parse(status.body);
  ASSERT_EQ(feeds["feeds"].size(), 1u) << status.body;
  EXPECT_EQ(feeds["feeds"][0]["source"], "debian-tracker");
  EXPECT_EQ(feeds["feeds"][0]["file_name"], "tracker-bookworm.json");
  EXPECT_EQ(feeds["feeds"][0]["sha256"], Sha256Hex(feed));
  EXPECT_EQ(feeds["hosts_matched"], 1);
  EXPECT_TRUE(feeds["matched_at"].is_string());

  // The host upgrades openssl: its next snapshot is matched at once.
  Json upgraded = {{"batch_id", "b2"},
                   {"records", Json::array({PackagesRecord("pkgs-2", 1'700'000'100'000, root,
                                                           {{"libssl3", "3.0.13-1~deb12u1"},
                                                            {"openssl", "3.0.13-1~deb12u1"}})})}};
  ASSERT_EQ(server_.Call("POST", "/api/v1/agent/records", node, upgraded.dump()).status, 200);
  Json left;
  EXPECT_TRUE(warden::testing::WaitFor(
      "openssl's findings to go",
      [&] {
        ClientResponse r = server_.Call("GET", "/api/v1/vulnerabilities/fix-first", admin_);
        left = Json::parse(r.body, nullptr, false);
        if (r.status != 200) return false;
        for (const Json& u : left["items"])
          if (u["package"] == "openssl") return false;
        return true;
      },
      std::chrono::seconds(30), std::chrono::milliseconds(50)))
      << left.dump();
  ClientResponse after = server_.Call("GET", host + "/vulnerabilities", admin_);
  EXPECT_EQ(Json::parse(after.body)["total"], 3) << after.body;
}

TEST_F(AgentChannelE2eTest, DismissalIsRecordedAuditedAndSentToTheAgent) {
  auto [host_id, node] = Enrol("web-4");
  ASSERT_FALSE(node.bearer.empty());
  Json batch = {{"batch_id", "b1"}, {"records", Json::array({ProblemRecord("web-4")})}};
  ASSERT_EQ(server_.Call("POST", "/api/v1/agent/records", node, batch.dump()).status, 200);
  ClientResponse listed = server_.Call("GET", "/api/v1/hosts/" + host_id + "/problems", admin_);
  const std::string id = Json::parse(listed.body)["items"][0]["id"];
  const std::string problem = "/api/v1/problems/" + id;

  // The agent is already waiting when the dismissal is made.
  ClientResponse polled;
  std::thread poller([&, key = node] { polled = PollFromAnotherClient(key, 10); });
  const auto start = std::chrono::steady_clock::now();
  while (server_.app().parked_command_polls() == 0 &&
         std::chrono::steady_clock::now() - start < std::chrono::seconds(5)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const std::string until = FormatRfc3339(NowEpochSeconds() + 3600);
  ClientResponse dismissed =
      Checked("dismissProblem", "POST", problem + "/dismiss", admin_,
              Json{{"comment", "accepted risk: lab box"}, {"until", until}}.dump());
  poller.join();
  ASSERT_EQ(dismissed.status, 200) << dismissed.body;
  Json after = Json::parse(dismissed.body);
  EXPECT_EQ(after["status"], "dismissed");
  EXPECT_EQ(after["dismissal"]["comment"], "accepted risk: lab box");
  EXPECT_EQ(after["dismissal"]["until"], until);
  EXPECT_EQ(after["dismissal"]["by"]["type"], "token");

  ASSERT_EQ(polled.status, 200) << polled.body;
  Status valid = ValidateAgainstSpec("pollAgentCommands", polled);
  EXPECT_TRUE(valid.ok()) << valid.message();
  Json commands = Json::parse(polled.body)["commands"];
  ASSERT_EQ(commands.size(), 1u) << polled.body;
  EXPECT_EQ(commands[0]["type"], "dismiss");
  EXPECT_EQ(commands[0]["args"]["problem_id"], "f00d");
  EXPECT_EQ(commands[0]["args"]["comment"], "accepted risk: lab box");
  EXPECT_EQ(commands[0]["args"]["until_ms"], *ParseRfc3339(until) * 1000);

  ClientResponse history = Checked("listProblemHistory", "GET",
                                   problem + "/history?sort=-revision&action=dismissed", admin_);
  ASSERT_EQ(history.status, 200) << history.body;
  Json entry = Json::parse(history.body)["items"][0];
  EXPECT_EQ(entry["action"], "dismissed");
  EXPECT_EQ(entry["comment"], "accepted risk: lab box");
  EXPECT_EQ(entry["actor"]["type"], "token");

  ClientResponse audit = Checked("listAuditEvents", "GET",
                                 "/api/v1/audit?action=dismissProblem&target_id=" + id, admin_);
  ASSERT_EQ(audit.status, 200) << audit.body;
  EXPECT_EQ(Json::parse(audit.body)["total"], 1) << audit.body;

  // The rule of the agent's lifecycle: an expiry in the past and a blank
  // comment are refused; only a dismissed problem can be undismissed.
  ClientResponse past = Checked("dismissProblem", "POST", problem + "/dismiss", admin_,
                                Json{{"comment", "x"}, {"until", "2001-01-01T00:00:00Z"}}.dump());
  EXPECT_EQ(past.status, 422) << past.body;
  EXPECT_NE(past.body.find("until"), std::string::npos) << past.body;
  ClientResponse blank = Checked("dismissProblem", "POST", problem + "/dismiss", admin_,
                                 Json{{"comment", "   "}}.dump());
  EXPECT_EQ(blank.status, 422) << blank.body;

  ClientResponse undismissed = Checked("undismissProblem", "POST", problem + "/undismiss", admin_,
                                       Json{{"comment", "box is in production now"}}.dump());
  ASSERT_EQ(undismissed.status, 200) << undismissed.body;
  EXPECT_EQ(Json::parse(undismissed.body)["status"], "open");
  EXPECT_TRUE(Json::parse(undismissed.body)["dismissal"].is_null());
  ClientResponse again = Checked("undismissProblem", "POST", problem + "/undismiss", admin_, "{}");
  EXPECT_EQ(again.status, 409) << again.body;

  ClientResponse next = Checked("pollAgentCommands", "GET", "/api/v1/agent/commands?wait=0", node);
  ASSERT_EQ(next.status, 200) << next.body;
  Json undismiss = Json::parse(next.body)["commands"];
  ASSERT_EQ(undismiss.size(), 1u) << next.body;
  EXPECT_EQ(undismiss[0]["type"], "undismiss");
  EXPECT_EQ(undismiss[0]["args"]["comment"], "box is in production now");
}

TEST_F(AgentChannelE2eTest, AnExpiredDismissalEndsOnTheServerWhileTheAgentIsSilent) {
  auto [host_id, node] = Enrol("db-2");
  ASSERT_FALSE(node.bearer.empty());
  Json batch = {{"batch_id", "b1"}, {"records", Json::array({ProblemRecord("db-2")})}};
  ASSERT_EQ(server_.Call("POST", "/api/v1/agent/records", node, batch.dump()).status, 200);
  ClientResponse listed = server_.Call("GET", "/api/v1/hosts/" + host_id + "/problems", admin_);
  const std::string id = Json::parse(listed.body)["items"][0]["id"];
  const std::string problem = "/api/v1/problems/" + id;
  const int64_t until = NowEpochSeconds() + 3600;
  ASSERT_EQ(Checked("dismissProblem", "POST", problem + "/dismiss", admin_,
                    Json{{"comment", "maintenance window"}, {"until", FormatRfc3339(until)}}.dump())
                .status,
            200);

  // The scheduled job at the real time: the dismissal has not expired.
  server_.app().RunHousekeepingNow();
  EXPECT_EQ(Json::parse(Checked("getProblem", "GET", problem, admin_).body)["status"], "dismissed");
  const int64_t revision =
      Json::parse(Checked("getProblem", "GET", problem, admin_).body)["revision"];

  // An hour later (the agent has sent nothing since): open again.
  auto expired = ExpireDismissals(server_.store(), (until + 1) * 1000);
  ASSERT_TRUE(expired.ok()) << expired.status().message();
  EXPECT_EQ(*expired, 1);
  Json after = Json::parse(Checked("getProblem", "GET", problem, admin_).body);
  EXPECT_EQ(after["status"], "open");
  EXPECT_TRUE(after["dismissal"].is_null());
  EXPECT_EQ(after["revision"], revision + 1);
  Json history = Json::parse(
      Checked("listProblemHistory", "GET", problem + "/history?sort=-revision", admin_).body);
  EXPECT_EQ(history["items"][0]["action"], "dismissal_expired");
  EXPECT_EQ(history["items"][0]["actor"]["type"], "system");
  EXPECT_EQ(history["items"][0]["comment"], "dismissal expired on " + FormatRfc3339(until));
  ClientResponse audit = Checked("listAuditEvents", "GET",
                                 "/api/v1/audit?action=expireDismissal&target_id=" + id, admin_);
  EXPECT_EQ(Json::parse(audit.body)["total"], 1) << audit.body;
  // Run again: nothing left to end.
  EXPECT_EQ(*ExpireDismissals(server_.store(), (until + 2) * 1000), 0);
}

TEST_F(AgentChannelE2eTest, BulkDismissByFilterCountsChangesAndReportsErrorsPerProblem) {
  auto [host_id, node] = Enrol("web-5");
  ASSERT_FALSE(node.bearer.empty());
  Json batch = {{"batch_id", "b1"}, {"records", Json::array({ProblemRecord("web-5")})}};
  ASSERT_EQ(server_.Call("POST", "/api/v1/agent/records", node, batch.dump()).status, 200);
  const Json filter = {{"host_id", Json::array({host_id})}, {"status", Json::array({"open"})}};

  ClientResponse dry = Checked(
      "bulkDismissProblems", "POST", "/api/v1/problems/bulk/dismiss", admin_,
      Json{{"filter", filter}, {"comment", "maintenance window"}, {"dry_run", true}}.dump());
  ASSERT_EQ(dry.status, 200) << dry.body;
  EXPECT_EQ(Json::parse(dry.body)["affected"], 1) << dry.body;
  ClientResponse still = server_.Call("GET", "/api/v1/hosts/" + host_id + "/problems", admin_);
  EXPECT_EQ(Json::parse(still.body)["items"][0]["status"], "open");

  ClientResponse done =
      Checked("bulkDismissProblems", "POST", "/api/v1/problems/bulk/dismiss", admin_,
              Json{{"filter", filter}, {"comment", "maintenance window"}}.dump());
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_EQ(Json::parse(done.body)["affected"], 1) << done.body;
  ClientResponse dismissed = server_.Call("GET", "/api/v1/hosts/" + host_id + "/problems", admin_);
  Json problem = Json::parse(dismissed.body)["items"][0];
  EXPECT_EQ(problem["status"], "dismissed");
  ClientResponse polled =
      Checked("pollAgentCommands", "GET", "/api/v1/agent/commands?wait=0", node);
  ASSERT_EQ(Json::parse(polled.body)["commands"].size(), 1u) << polled.body;

  ClientResponse by_ids =
      Checked("bulkUndismissProblems", "POST", "/api/v1/problems/bulk/undismiss", admin_,
              Json{{"ids", Json::array({problem["id"], "999999"})}}.dump());
  ASSERT_EQ(by_ids.status, 200) << by_ids.body;
  Json result = Json::parse(by_ids.body);
  EXPECT_EQ(result["affected"], 1) << by_ids.body;
  ASSERT_EQ(result["errors"].size(), 1u) << by_ids.body;
  EXPECT_EQ(result["errors"][0]["code"], "E_PROBLEM_NOT_FOUND");

  // A text search as the filter: counted, not applied, with dry_run.
  ClientResponse searched =
      Checked("bulkDismissProblems", "POST", "/api/v1/problems/bulk/dismiss", admin_,
              Json{{"filter", {{"q", "PORT 8080"}}}, {"comment", "x"}, {"dry_run", true}}.dump());
  ASSERT_EQ(searched.status, 200) << searched.body;
  EXPECT_EQ(Json::parse(searched.body)["affected"], 1) << searched.body;
  ClientResponse missed =
      Checked("bulkDismissProblems", "POST", "/api/v1/problems/bulk/dismiss", admin_,
              Json{{"filter", {{"q", "port 9"}}}, {"comment", "x"}, {"dry_run", true}}.dump());
  ASSERT_EQ(missed.status, 200) << missed.body;
  EXPECT_EQ(Json::parse(missed.body)["affected"], 0) << missed.body;
}

// Pages and exports render problems as text from the store's columns: each
// must be exactly the problem getProblem shows (without details), and each
// CSV line exactly what the generic writer makes of that JSON - with a
// dismissal, remediation, links, a formula-like title, quotes, control
// characters and non-ASCII text in play.
TEST_F(AgentChannelE2eTest, ProblemPagesAndExportsAreTheProblemsGetProblemShows) {
  auto [host_id, node] = Enrol("web-7");
  ASSERT_FALSE(node.bearer.empty());
  Json records = Json::array();
  const std::vector<std::string> titles = {"=HYPERLINK(\"x\")", "caf\u00e9 \"quoted\", a\tb\x01",
                                           "-1 plain", "\u00fcn\u00efcode \u2713"};
  for (size_t i = 0; i < titles.size(); ++i) {
    Json r = ProblemRecord("web-7", "p" + std::to_string(i));
    Json& p = r["body"];
    p["title"] = titles[i];
    p["finding"]["title"] = titles[i];
    if (i % 2 == 0) {
      p["finding"]["remediation"] = "upgrade, then \"restart\"";
      p["finding"]["links"] = Json::array({"https://example.test/a", "@b"});
    }
    records.push_back(r);
  }
  Json batch = {{"batch_id", "b1"}, {"records", records}};
  ClientResponse pushed = server_.Call("POST", "/api/v1/agent/records", node, batch.dump());
  ASSERT_EQ(pushed.status, 200) << pushed.body;
  ClientResponse listed = Checked("listProblems", "GET", "/api/v1/problems?sort=title", admin_);
  ASSERT_EQ(listed.status, 200) << listed.body;
  Json page = Json::parse(listed.body, nullptr, false);
  ASSERT_TRUE(page.is_object()) << listed.body;
  ASSERT_EQ(page["items"].size(), titles.size()) << listed.body;
  const std::string first = page["items"][0]["id"];
  ASSERT_EQ(Checked("dismissProblem", "POST", "/api/v1/problems/" + first + "/dismiss", admin_,
                    Json{{"comment", "lab, \"test\" box"}}.dump())
                .status,
            200);

  listed = Checked("listProblems", "GET", "/api/v1/problems?sort=title", admin_);
  page = Json::parse(listed.body, nullptr, false);
  ASSERT_TRUE(page.is_object()) << listed.body;
  ClientResponse jsonl =
      server_.Call("GET", "/api/v1/problems/export?format=jsonl&sort=title", admin_);
  ASSERT_EQ(jsonl.status, 200) << jsonl.body;
  ClientResponse csv = server_.Call("GET", "/api/v1/problems/export?format=csv&sort=title", admin_);
  ASSERT_EQ(csv.status, 200) << csv.body;
  std::vector<std::string_view> lines = SplitString(jsonl.body, '\n');
  std::vector<std::string_view> csv_lines = SplitString(csv.body, '\n');
  ASSERT_EQ(lines.size(), titles.size() + 1) << jsonl.body;  // and the last newline
  ASSERT_EQ(csv_lines.size(), titles.size() + 2) << csv.body;
  std::vector<std::string> columns;
  for (std::string_view c : SplitString(csv_lines[0].substr(0, csv_lines[0].size() - 1), ','))
    columns.emplace_back(c);
  ASSERT_EQ(columns.front(), "id");
  for (size_t i = 0; i < titles.size(); ++i) {
    const Json& item = page["items"][i];
    SCOPED_TRACE(item.dump());
    ClientResponse one =
        Checked("getProblem", "GET", "/api/v1/problems/" + item["id"].get<std::string>(), admin_);
    Json expected = Json::parse(one.body);
    expected.erase("details");
    EXPECT_EQ(listed.body.find(expected.dump(-1, ' ', false, Json::error_handler_t::replace)) !=
                  std::string::npos,
              true);
    EXPECT_EQ(lines[i], expected.dump(-1, ' ', false, Json::error_handler_t::replace));
    EXPECT_EQ(std::string(csv_lines[i + 1]) + "\n", ExportWriter::CsvLine(columns, expected));
  }
  // The audit log is written as text the same way: its page, JSON lines and
  // CSV are getAuditEvent's (actor, target, before and after documents).
  ClientResponse audit = Checked("listAuditEvents", "GET", "/api/v1/audit", admin_);
  ClientResponse audit_jsonl = server_.Call("GET", "/api/v1/audit/export?format=jsonl", admin_);
  ClientResponse audit_csv = server_.Call("GET", "/api/v1/audit/export?format=csv", admin_);
  ASSERT_EQ(audit.status, 200) << audit.body;
  Json audit_page = Json::parse(audit.body);
  std::vector<std::string_view> audit_lines = SplitString(audit_jsonl.body, '\n');
  ASSERT_GE(audit_page["items"].size(), 3u) << audit.body;
  ASSERT_EQ(audit_lines.size(), audit_page["items"].size() + 1);
  const std::string audit_header = audit_csv.body.substr(0, audit_csv.body.find("\r\n"));
  std::vector<std::string> audit_columns;
  for (std::string_view c : SplitString(audit_header, ',')) audit_columns.emplace_back(c);
  size_t at = audit_header.size() + 2;
  for (size_t i = 0; i < audit_page["items"].size(); ++i) {
    const std::string id = audit_page["items"][i]["id"];
    ClientResponse one = Checked("getAuditEvent", "GET", "/api/v1/audit/" + id, admin_);
    const std::string expected =
        Json::parse(one.body).dump(-1, ' ', false, Json::error_handler_t::replace);
    EXPECT_NE(audit.body.find(expected), std::string::npos) << expected;
    EXPECT_EQ(audit_lines[i], expected);
    const std::string line = ExportWriter::CsvLine(audit_columns, Json::parse(one.body));
    EXPECT_EQ(audit_csv.body.substr(at, line.size()), line);
    at += line.size();
  }
  EXPECT_EQ(at, audit_csv.body.size());

  EXPECT_EQ(page["items"][1]["title"], titles[0]);
  EXPECT_NE(csv.body.find("\"'=HYPERLINK(\"\"x\"\")\""), std::string::npos) << csv.body;
  EXPECT_EQ(page["items"][0]["dismissal"]["comment"], "lab, \"test\" box");
  EXPECT_EQ(page["items"][0]["remediation"], "upgrade, then \"restart\"");
  EXPECT_EQ(page["items"][0]["links"][1], "@b");
}

TEST_F(AgentChannelE2eTest, StopAnswersAParkedPollAtOnce) {
  auto [host_id, node] = Enrol("web-2");
  ASSERT_FALSE(node.bearer.empty());
  ClientResponse polled;
  std::thread poller([&, key = node] { polled = PollFromAnotherClient(key, 10); });
  // Stopping must not wait out the parked poll's 10 s.
  const auto start = std::chrono::steady_clock::now();
  while (server_.app().parked_command_polls() == 0 &&
         std::chrono::steady_clock::now() - start < std::chrono::seconds(5)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(server_.app().parked_command_polls(), 1u);
  const auto stop_start = std::chrono::steady_clock::now();
  server_.app().Stop();
  poller.join();
  EXPECT_LT(std::chrono::steady_clock::now() - stop_start, std::chrono::seconds(5));
  EXPECT_EQ(polled.status, 200) << polled.body;
}

// A channel for high problems, an agent reporting a low and a high one: the
// receiver gets exactly one request, the high problem, signed the Standard
// Webhooks way with the channel's secret.
TEST_F(AgentChannelE2eTest, AHighProblemReachesAHighRiskWebhookChannelOnceSigned) {
  warden::testing::TestHttpReceiver receiver;
  const std::string secret = "whsec_c2VjcmV0LWtleS1vZi10aGlydHktdHdvLWJ5dGVzLiE=";
  Json channel = {{"name", "high problems"},
                  {"type", "webhook"},
                  {"config", {{"url", receiver.url("/warden")}}},
                  {"secret", secret},
                  {"triggers", {{"min_risk_level", "high"}}}};
  ClientResponse created =
      Checked("createChannel", "POST", "/api/v1/channels", admin_, channel.dump());
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string channel_id = Json::parse(created.body).value("id", "");

  auto [host_id, node] = Enrol("web-9");
  ASSERT_FALSE(node.bearer.empty());
  Json batch = {{"batch_id", "b1"},
                {"records", Json::array({ProblemRecord("web-9", "low-1", RiskLevel::kLow),
                                         ProblemRecord("web-9", "high-1", RiskLevel::kHigh)})}};
  ASSERT_EQ(Checked("pushAgentRecords", "POST", "/api/v1/agent/records", node, batch.dump()).status,
            200);

  ASSERT_TRUE(warden::testing::WaitFor(
      "the high problem at the receiver", [&] { return !receiver.accepted().empty(); },
      std::chrono::seconds(15)));
  // The low problem came first in the feed and the channel delivers in
  // order: had it been sent, it would be here already.
  const std::vector<warden::testing::ReceivedRequest> requests = receiver.requests();
  ASSERT_EQ(requests.size(), 1u);
  const warden::testing::ReceivedRequest& r = requests[0];
  EXPECT_EQ(r.path, "/warden");
  Json event = Json::parse(r.body, nullptr, false);
  EXPECT_EQ(event["id"], "high-1") << r.body;
  EXPECT_EQ(event["risk_level"], "high");
  EXPECT_EQ(event["event"], "opened");
  EXPECT_EQ(event["host"], "web-9");
  EXPECT_EQ(r.headers.at("x-warden-event"), "problems");
  const std::string& id = r.headers.at("webhook-id");
  const int64_t timestamp = std::stoll(r.headers.at("webhook-timestamp"));
  EXPECT_LE(std::llabs(timestamp - NowEpochSeconds()), 60);
  auto key = StandardWebhooksKey(secret);
  ASSERT_TRUE(key.has_value());
  EXPECT_EQ(r.headers.at("webhook-signature"),
            StandardWebhooksSignature(*key, id, timestamp, r.body));

  ASSERT_TRUE(warden::testing::WaitFor(
      "the delivery in the channel's status",
      [&] {
        ClientResponse s =
            server_.Call("GET", "/api/v1/channels/" + channel_id + "/status", admin_);
        Json status = Json::parse(s.body, nullptr, false);
        return status.is_object() && status["delivered"] == 1 && status["state"] == "ok";
      },
      std::chrono::seconds(10)));
}

}  // namespace
}  // namespace warden::server::testing

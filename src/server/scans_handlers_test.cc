// Scans, detector runs and labels through the real server (127.0.0.1, TLS,
// SQLite store in a temporary directory), with "agents" speaking the agent
// channel the way an agent does: enrolled with labelled secrets, taking
// run_detector commands from the long-poll and answering them. Every answer
// is validated against the spec.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "auth/role.h"
#include "core/time_format.h"
#include "server/server_test_support.h"

namespace warden::server::testing {
namespace {

Json Body(const ClientResponse& r) { return Json::parse(r.body, nullptr, false); }

class ScansHandlersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.ok());
    store::User admin = server_.AddUser("scan-admin", auth::Role::kAdmin, kPassword);
    admin_ = server_.AddToken(admin.id);
    server_.AddUser("scan-analyst", auth::Role::kAnalyst, kPassword);
    analyst_ = server_.Login("scan-analyst", kPassword);
    ASSERT_FALSE(analyst_.session_id.empty());
  }

  ClientResponse Checked(const std::string& operation_id, const std::string& method,
                         const std::string& target, const Credentials& who,
                         const Json& body = nullptr) {
    return CheckedCall(server_, operation_id, method, target, who,
                       body.is_null() ? "" : body.dump());
  }

  using Agent = EnrolledAgent;

  // Enrols `hostname` with a new secret carrying `labels`.
  Agent Enrol(const std::string& hostname, const std::vector<std::string>& labels) {
    Agent a = EnrolThroughApi(server_, admin_, hostname, labels);
    return a;
  }

  // A host enrolled through the store an hour ago and not seen since.
  std::string EnrolLongAgo(const std::string& hostname) {
    const store::EpochMs then = NowEpochMillis() - 3'600'000;
    auto done = server_.store()
                    .Write([&](store::StoreWriter& w) -> Result<store::EnrolOutcome> {
                      store::NewEnrolSecret s;
                      s.name = "old " + hostname;
                      s.sha256 = "old-secret-" + hostname;
                      s.created_at = then;
                      ASSIGN_OR_RETURN(store::EnrolSecret created, w.enrol_secrets().Create(s));
                      store::HostEnrolment e;
                      e.machine_id = "machine-" + hostname;
                      e.hostname = hostname;
                      e.enrol_secret_id = created.id;
                      e.node_key_sha256 = "old-node-" + hostname;
                      e.now = then;
                      return w.hosts().Enrol(e);
                    })
                    .Wait();
    EXPECT_TRUE(done.ok()) << done.status().message();
    return done.ok() ? std::to_string(done->host.id) : "";
  }

  // The commands waiting for an agent (taken: they count as delivered).
  Json Take(const Agent& agent) {
    ClientResponse polled =
        Checked("pollAgentCommands", "GET", "/api/v1/agent/commands?wait=0", agent.node);
    EXPECT_EQ(polled.status, 200) << polled.body;
    return Body(polled).value("commands", Json::array());
  }

  ClientResponse Answer(const Agent& agent, const std::string& command_id, const Json& result) {
    return Checked("postAgentCommandResult", "POST",
                   "/api/v1/agent/commands/" + command_id + "/result", agent.node, result);
  }

  Json Scan(const std::string& id) {
    ClientResponse r = Checked("getScan", "GET", "/api/v1/scans/" + id, admin_);
    EXPECT_EQ(r.status, 200) << r.body;
    return Body(r);
  }

  static constexpr const char* kPassword = "correct horse battery";
  TestServer server_;
  Credentials admin_;
  Credentials analyst_;
};

TEST_F(ScansHandlersTest, ALabelScanAsksExactlyTheLabelledHostsAndEndsWithTheirAnswers) {
  Agent web1 = Enrol("web-1", {"role=web", "env=prod"});
  Agent web2 = Enrol("web-2", {"role=web"});
  Agent db = Enrol("db-1", {"role=db", "env=prod"});
  Agent gone = Enrol("web-3", {"role=web"});
  ASSERT_EQ(server_.Call("POST", "/api/v1/hosts/" + gone.host_id + "/revoke", admin_).status, 200);

  // A dry run counts and changes nothing.
  ClientResponse dry =
      Checked("runScan", "POST", "/api/v1/scans", analyst_,
              Json{{"scope", "labels"}, {"labels", {"role=web"}}, {"dry_run", true}});
  ASSERT_EQ(dry.status, 200) << dry.body;
  EXPECT_EQ(Body(dry)["targeted"], 2);
  EXPECT_EQ(Body(dry)["offline"], 0);
  EXPECT_TRUE(Take(web1).empty());

  ClientResponse run = Checked(
      "runScan", "POST", "/api/v1/scans", analyst_,
      Json{{"scope", "labels"}, {"labels", {"role=web"}}, {"rule_ids", {"HOST-OPEN-PORTS"}}});
  ASSERT_EQ(run.status, 202) << run.body;
  Json scan = Body(run);
  const std::string scan_id = scan["id"];
  EXPECT_EQ(scan["scope"], "labels");
  EXPECT_EQ(scan["labels"], Json::array({"role=web"}));
  EXPECT_EQ(scan["state"], "pending");
  EXPECT_EQ(scan["counts"]["targeted"], 2);
  EXPECT_EQ(scan["counts"]["pending"], 2);
  EXPECT_EQ(scan["requested_by"]["type"], "user");
  EXPECT_EQ(scan["requested_by"]["name"], "scan-analyst");

  // Only the labelled hosts that are not revoked were asked.
  EXPECT_TRUE(Take(db).empty());
  std::map<std::string, std::string> command_of;
  for (const Agent* agent : {&web1, &web2}) {
    Json commands = Take(*agent);
    ASSERT_EQ(commands.size(), 1u) << commands.dump();
    EXPECT_EQ(commands[0]["type"], "run_detector");
    EXPECT_EQ(commands[0]["args"]["scan_id"], scan_id);
    EXPECT_EQ(commands[0]["args"]["rule_ids"], Json::array({"HOST-OPEN-PORTS"}));
    command_of[agent->host_id] = commands[0]["id"];
  }
  for (const auto& [host_id, expected] :
       std::map<std::string, int>{{web1.host_id, 1}, {web2.host_id, 1}, {db.host_id, 0}}) {
    ClientResponse of_host =
        Checked("listScans", "GET", "/api/v1/scans?host_id=" + host_id, admin_);
    ASSERT_EQ(of_host.status, 200) << of_host.body;
    EXPECT_EQ(Body(of_host)["total"], expected) << host_id;
  }
  scan = Scan(scan_id);
  EXPECT_EQ(scan["state"], "running");
  EXPECT_EQ(scan["counts"]["running"], 2);

  // web-1's run succeeded, web-2's failed.
  const int64_t started = 1'700'000'000'000;
  Json output = {{"runs",
                  {{{"rule_id", "HOST-OPEN-PORTS"},
                    {"started_at_ms", started},
                    {"duration_ms", 420},
                    {"outcome", "ok"},
                    {"result", "ok: 3 found"},
                    {"next_run_ms", started + 3'600'000},
                    {"runs", 2},
                    {"failures", 0}}}}};
  ClientResponse ok =
      Answer(web1, command_of[web1.host_id],
             Json{{"status", "succeeded"}, {"output", output}, {"finished_at_ms", started + 500}});
  EXPECT_EQ(ok.status, 204) << ok.body;
  ClientResponse bad = Answer(web2, command_of[web2.host_id],
                              Json{{"status", "failed"},
                                   {"error", "HOST-OPEN-PORTS error: boom"},
                                   {"finished_at_ms", started + 600}});
  EXPECT_EQ(bad.status, 204) << bad.body;
  scan = Scan(scan_id);
  EXPECT_EQ(scan["state"], "done");
  EXPECT_EQ(scan["counts"]["succeeded"], 1);
  EXPECT_EQ(scan["counts"]["failed"], 1);
  EXPECT_EQ(scan["counts"]["pending"], 0);
  ClientResponse done = Checked("listScans", "GET", "/api/v1/scans?state=done", admin_);
  EXPECT_EQ(Body(done)["total"], 1) << done.body;

  // web-1's run, with its duration and next run, and the scan that asked.
  ClientResponse runs =
      Checked("listHostScans", "GET", "/api/v1/hosts/" + web1.host_id + "/scans", admin_);
  ASSERT_EQ(runs.status, 200) << runs.body;
  ASSERT_EQ(Body(runs)["total"], 1) << runs.body;
  Json r = Body(runs)["items"][0];
  EXPECT_EQ(r["rule_id"], "HOST-OPEN-PORTS");
  EXPECT_EQ(r["duration_ms"], 420);
  EXPECT_EQ(r["outcome"], "succeeded");
  EXPECT_EQ(r["trigger"], "run_now");
  EXPECT_EQ(r["scan_id"], scan_id);
  EXPECT_EQ(r["started_at"], FormatRfc3339(started / 1000));
  EXPECT_EQ(r["next_run_at"], FormatRfc3339((started + 3'600'000) / 1000));
  // The host's detector shows the run at once.
  ClientResponse host = Checked("getHost", "GET", "/api/v1/hosts/" + web1.host_id, admin_);
  ASSERT_EQ(host.status, 200);
  ASSERT_EQ(Body(host)["detectors"].size(), 1u) << host.body;
  EXPECT_EQ(Body(host)["detectors"][0]["last_run_at"], r["started_at"]);

  // Audited once (the dry run changed nothing).
  ClientResponse audit = Checked("listAuditEvents", "GET", "/api/v1/audit?action=runScan", admin_);
  ASSERT_EQ(audit.status, 200) << audit.body;
  ASSERT_EQ(Body(audit)["total"], 1) << audit.body;
  EXPECT_EQ(Body(audit)["items"][0]["target"]["id"], scan_id) << audit.body;
}

TEST_F(ScansHandlersTest, AScanThatCannotTargetSaysWhy) {
  Agent web = Enrol("web-1", {"role=web"});
  Agent gone = Enrol("web-2", {"role=web"});
  ASSERT_EQ(server_.Call("POST", "/api/v1/hosts/" + gone.host_id + "/revoke", admin_).status, 200);
  auto refused = [&](const Json& body, const std::string& field) {
    ClientResponse r = Checked("runScan", "POST", "/api/v1/scans", admin_, body);
    EXPECT_EQ(r.status, 422) << body.dump() << " -> " << r.body;
    EXPECT_EQ(Body(r)["error"]["field"], field) << r.body;
  };
  refused({{"scope", "hosts"}, {"host_ids", {web.host_id, "999999"}}}, "/host_ids/1");
  refused({{"scope", "hosts"}, {"host_ids", {"not-an-id"}}}, "/host_ids/0");
  refused({{"scope", "hosts"}, {"host_ids", {gone.host_id}}}, "/host_ids/0");
  refused({{"scope", "labels"}, {"labels", {"role=db"}}}, "/labels");
  refused({{"scope", "all"}, {"labels", {"role=web"}}}, "/labels");
  refused({{"scope", "labels"}, {"labels", {"role=web"}}, {"host_ids", {web.host_id}}},
          "/host_ids");
  refused({{"scope", "hosts"}}, "/host_ids");  // the spec: host_ids is required
  // Nothing was queued.
  EXPECT_EQ(Body(Checked("listScans", "GET", "/api/v1/scans", admin_))["total"], 0);
  EXPECT_TRUE(Take(web).empty());
}

TEST_F(ScansHandlersTest, RunHostScanAsksOneHostAndRefusesARevokedOne) {
  Agent web = Enrol("web-1", {});
  Agent gone = Enrol("web-2", {});
  ASSERT_EQ(server_.Call("POST", "/api/v1/hosts/" + gone.host_id + "/revoke", admin_).status, 200);

  ClientResponse all =
      Checked("runHostScan", "POST", "/api/v1/hosts/" + web.host_id + "/scans", analyst_);
  ASSERT_EQ(all.status, 202) << all.body;
  EXPECT_EQ(Body(all)["scope"], "hosts");
  EXPECT_EQ(Body(all)["host_ids"], Json::array({web.host_id}));
  EXPECT_EQ(Body(all)["rule_ids"], Json::array());
  ClientResponse named = Checked("runHostScan", "POST", "/api/v1/hosts/" + web.host_id + "/scans",
                                 admin_, Json{{"rule_ids", {"HOST-VULN"}}});
  ASSERT_EQ(named.status, 202) << named.body;
  Json commands = Take(web);
  ASSERT_EQ(commands.size(), 2u) << commands.dump();
  EXPECT_EQ(commands[0]["args"]["rule_ids"], Json::array());
  EXPECT_EQ(commands[1]["args"]["rule_ids"], Json::array({"HOST-VULN"}));

  ClientResponse revoked =
      Checked("runHostScan", "POST", "/api/v1/hosts/" + gone.host_id + "/scans", admin_);
  EXPECT_EQ(revoked.status, 409) << revoked.body;
  EXPECT_EQ(Body(revoked)["error"]["code"], "E_HOST_REVOKED");
  ClientResponse missing = Checked("runHostScan", "POST", "/api/v1/hosts/999999/scans", admin_);
  EXPECT_EQ(missing.status, 404) << missing.body;
  EXPECT_EQ(Checked("getScan", "GET", "/api/v1/scans/999999", admin_).status, 404);
  EXPECT_EQ(Checked("listHostScans", "GET", "/api/v1/hosts/999999/scans", admin_).status, 404);
}

TEST_F(ScansHandlersTest, OfflineHostsKeepTheirCommandPendingAndTheScanSaysSo) {
  const std::string asleep = EnrolLongAgo("asleep-1");
  Agent awake = Enrol("awake-1", {});
  ClientResponse dry = Checked("runScan", "POST", "/api/v1/scans", admin_,
                               Json{{"scope", "all"}, {"dry_run", true}});
  ASSERT_EQ(dry.status, 200) << dry.body;
  EXPECT_EQ(Body(dry)["targeted"], 2);
  EXPECT_EQ(Body(dry)["offline"], 1);
  ClientResponse run = Checked("runScan", "POST", "/api/v1/scans", admin_, Json{{"scope", "all"}});
  ASSERT_EQ(run.status, 202) << run.body;
  const std::string scan_id = Body(run)["id"];
  EXPECT_EQ(Body(run)["counts"]["offline"], 1) << run.body;
  ASSERT_EQ(Take(awake).size(), 1u);
  Json scan = Scan(scan_id);
  EXPECT_EQ(scan["counts"]["pending"], 1);
  EXPECT_EQ(scan["counts"]["offline"], 1);
  EXPECT_EQ(scan["counts"]["running"], 1);

  // Revoked before it came back: its target fails, and the scan can end.
  ASSERT_EQ(server_.Call("POST", "/api/v1/hosts/" + asleep + "/revoke", admin_).status, 200);
  scan = Scan(scan_id);
  EXPECT_EQ(scan["counts"]["pending"], 0);
  EXPECT_EQ(scan["counts"]["failed"], 1);
  EXPECT_EQ(scan["state"], "running");
  ClientResponse exported = server_.Call("GET", "/api/v1/scans/export?format=jsonl", admin_);
  ASSERT_EQ(exported.status, 200) << exported.body;
  Json line = Json::parse(exported.body.substr(0, exported.body.find('\n')), nullptr, false);
  EXPECT_EQ(line["id"], scan_id) << exported.body;
  EXPECT_EQ(line["counts"]["failed"], 1) << exported.body;
}

TEST_F(ScansHandlersTest, StatusHeartbeatsBecomeDetectorRuns) {
  Agent web = Enrol("web-1", {});
  const int64_t last = 1'700'000'000'000;
  Json jobs = {{{"name", "HOST-OPEN-PORTS"},
                {"kind", "detector"},
                {"last_run_ms", last},
                {"duration_ms", 75},
                {"outcome", "ok"},
                {"result", "ok: 2 found"},
                {"running", false},
                {"next_run_ms", last + 60'000},
                {"runs", 3},
                {"failures", 0}},
               {{"name", "HOST-VULN"},
                {"kind", "detector"},
                {"last_run_ms", 0},
                {"running", true},
                {"running_since_ms", last + 1000},
                {"runs", 0},
                {"failures", 0}},
               {{"name", "listening"}, {"kind", "query"}, {"last_run_ms", last}}};
  Json batch = {{"batch_id", "b1"},
                {"records",
                 {{{"id", "status-1"},
                   {"kind", "status"},
                   {"time_ms", last + 2000},
                   {"body", {{"agent", {{"version", "0.9.0"}}}, {"jobs", jobs}}}}}}};
  ClientResponse pushed =
      Checked("pushAgentRecords", "POST", "/api/v1/agent/records", web.node, batch);
  ASSERT_EQ(pushed.status, 200) << pushed.body;

  const std::string runs = "/api/v1/hosts/" + web.host_id + "/scans";
  ClientResponse listed = Checked("listHostScans", "GET", runs + "?sort=rule_id", admin_);
  ASSERT_EQ(listed.status, 200) << listed.body;
  Json items = Body(listed)["items"];
  ASSERT_EQ(items.size(), 2u) << listed.body;
  EXPECT_EQ(items[0]["rule_id"], "HOST-OPEN-PORTS");
  EXPECT_EQ(items[0]["outcome"], "succeeded");
  EXPECT_EQ(items[0]["trigger"], "schedule");
  EXPECT_EQ(items[0]["duration_ms"], 75);
  EXPECT_EQ(items[0]["next_run_at"], FormatRfc3339((last + 60'000) / 1000));
  EXPECT_TRUE(items[0]["scan_id"].is_null());
  EXPECT_EQ(items[1]["rule_id"], "HOST-VULN");
  EXPECT_EQ(items[1]["outcome"], "running");
  EXPECT_TRUE(items[1]["duration_ms"].is_null());
  EXPECT_TRUE(items[1]["finished_at"].is_null());

  ClientResponse running = Checked("listHostScans", "GET", runs + "?outcome=running", admin_);
  EXPECT_EQ(Body(running)["total"], 1) << running.body;
  ClientResponse later = Checked(
      "listHostScans", "GET",
      runs + "?started_after=" + FormatRfc3339((last + 500) / 1000) + "&rule_id=HOST-VULN", admin_);
  EXPECT_EQ(Body(later)["total"], 1) << later.body;
  ClientResponse two_rules =
      Checked("listHostScans", "GET", runs + "?rule_id=HOST-VULN,HOST-OPEN-PORTS", admin_);
  ASSERT_EQ(two_rules.status, 200) << two_rules.body;
  EXPECT_EQ(Body(two_rules)["total"], 2) << two_rules.body;

  ClientResponse csv = server_.Call("GET", runs + "/export?format=csv&sort=-duration_ms", admin_);
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_EQ(csv.body.substr(0, csv.body.find('\r')),
            "id,host_id,rule_id,started_at,finished_at,duration_ms,outcome,result,next_run_at,"
            "trigger,scan_id");
  EXPECT_NE(csv.body.find("HOST-OPEN-PORTS"), std::string::npos) << csv.body;
}

TEST_F(ScansHandlersTest, LabelsInUseAreListedWithTheirHostCounts) {
  Enrol("web-1", {"env=prod", "role=web"});
  Enrol("web-2", {"env=prod", "role=web"});
  Agent db = Enrol("db-1", {"env=prod"});
  ASSERT_EQ(server_
                .Call("PATCH", "/api/v1/hosts/" + db.host_id + "/labels", admin_,
                      Json{{"add", {"role=db"}}}.dump())
                .status,
            200);
  ClientResponse listed =
      Checked("listLabels", "GET", "/api/v1/labels?sort=-host_count&limit=2", analyst_);
  ASSERT_EQ(listed.status, 200) << listed.body;
  Json page = Body(listed);
  EXPECT_EQ(page["total"], 3);
  ASSERT_EQ(page["items"].size(), 2u);
  EXPECT_EQ(page["items"][0], (Json{{"name", "env=prod"}, {"host_count", 3}}));
  EXPECT_EQ(page["items"][1], (Json{{"name", "role=web"}, {"host_count", 2}}));
  ASSERT_TRUE(page["next_cursor"].is_string());
  ClientResponse next = Checked(
      "listLabels", "GET",
      "/api/v1/labels?sort=-host_count&limit=2&cursor=" + page["next_cursor"].get<std::string>(),
      analyst_);
  ASSERT_EQ(Body(next)["items"].size(), 1u) << next.body;
  EXPECT_EQ(Body(next)["items"][0]["name"], "role=db");

  ClientResponse role = Checked("listLabels", "GET", "/api/v1/labels?q=ROLE", analyst_);
  ASSERT_EQ(role.status, 200) << role.body;
  EXPECT_EQ(Body(role)["total"], 2);
  EXPECT_EQ(Body(role)["items"][0]["name"], "role=db");

  ClientResponse csv = server_.Call("GET", "/api/v1/labels/export?format=csv", analyst_);
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_EQ(csv.body, "name,host_count\r\nenv=prod,3\r\nrole=db,1\r\nrole=web,2\r\n");
}

}  // namespace
}  // namespace warden::server::testing

// Suppressions through the real server, spoken the way agents and people
// speak to it, every answer checked against the contract: values refused
// with the member at fault; a rule suppressed on a label dismisses that
// label's open problems (history, audit, a dismiss command each) and no
// other; a problem listing several CVEs stays open until every one is
// suppressed; a problem an agent reports later is stored dismissed and its
// agent told, and the agent's report of the dismissal keeps it so; a new
// expiry moves the problems' `until`; the expiry reopens them; and deleting
// a suppression reopens only the problems it still holds.
#include <gtest/gtest.h>

#include <string>

#include "core/time_format.h"
#include "problems/problem_lifecycle.h"
#include "problems/problem_rendering.h"
#include "server/dismissal_expiry.h"
#include "server/server_test_support.h"

namespace warden::server::testing {
namespace {

const std::string kPassword = "correct horse battery";

Json Body(const ClientResponse& r) { return Json::parse(r.body, nullptr, false); }

// The agent's problem `id` at `revision`, with a finding carrying `attributes`.
Problem AgentProblem(const std::string& hostname, const std::string& id, const std::string& rule,
                     const Json& attributes) {
  Problem p;
  p.id = id;
  p.rule_id = rule;
  p.host = hostname;
  p.title = rule + " " + id;
  p.risk_level = RiskLevel::kHigh;
  p.resource = hostname;
  p.status = ProblemStatus::kOpen;
  p.first_detected = p.last_detected = p.status_changed = NowEpochSeconds() - 60;
  p.revision = 1;
  p.finding.id = id;
  p.finding.rule_id = rule;
  p.finding.title = p.title;
  p.finding.attributes = attributes;
  return p;
}

// A problem event exactly as the agent renders it for its sinks.
Json Record(const Problem& p, ProblemAction action, const std::string& comment = "") {
  ProblemEvent e;
  e.action = action;
  e.at = NowEpochSeconds();
  e.problem = p;
  e.comment = comment;
  return {{"id", ProblemEventId(e)},
          {"kind", "problems"},
          {"time_ms", e.at * 1000},
          {"body", ProblemEventToJson(e)}};
}

Json OpenPort(int port, const std::string& protocol = "tcp") {
  return {{"protocol", protocol}, {"port", port}, {"address", "0.0.0.0"}};
}

class SuppressionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.ok());
    server_.AddUser("alice", auth::Role::kAdmin, kPassword);
    admin_ = server_.Login("alice", kPassword);
    ASSERT_FALSE(admin_.session_id.empty());
  }

  ClientResponse Checked(const std::string& operation_id, const std::string& method,
                         const std::string& target, const std::string& body = "",
                         const Credentials* who = nullptr) {
    ClientResponse r = server_.Call(method, target, who ? *who : admin_, body);
    EXPECT_EQ(r.code, CURLE_OK) << r.error;
    Status valid = ValidateAgainstSpec(operation_id, r);
    EXPECT_TRUE(valid.ok()) << operation_id << " " << r.status << ": " << valid.message() << "\n"
                            << r.body.substr(0, 400);
    return r;
  }

  struct Agent {
    std::string hostname;
    int64_t host_id = 0;
    Credentials node;
  };

  Agent Enrol(const std::string& hostname, const std::string& label = "") {
    Agent a;
    a.hostname = hostname;
    a.node = server_.AddNodeKey(hostname);
    a.host_id = server_.last_host_id();
    if (!label.empty()) {
      ClientResponse r = Checked("updateHostLabels", "PATCH",
                                 "/api/v1/hosts/" + std::to_string(a.host_id) + "/labels",
                                 Json{{"add", {label}}}.dump());
      EXPECT_EQ(r.status, 200) << r.body;
    }
    return a;
  }

  void Push(const Agent& a, const std::vector<Json>& records) {
    static int batch = 0;
    Json body = {{"batch_id", "b" + std::to_string(++batch)}, {"records", Json(records)}};
    ClientResponse r =
        Checked("pushAgentRecords", "POST", "/api/v1/agent/records", body.dump(), &a.node);
    EXPECT_EQ(r.status, 200) << r.body;
  }

  Json Commands(const Agent& a) {
    ClientResponse r =
        Checked("pollAgentCommands", "GET", "/api/v1/agent/commands?wait=0", "", &a.node);
    EXPECT_EQ(r.status, 200) << r.body;
    Json commands = Body(r)["commands"];
    // Acknowledge them, as the agent does, so the next poll has only new ones.
    for (const Json& c : commands) {
      ClientResponse done = server_.Call(
          "POST", "/api/v1/agent/commands/" + c["id"].get<std::string>() + "/result", a.node,
          Json{{"status", "succeeded"}, {"finished_at_ms", NowEpochMillis()}}.dump());
      EXPECT_EQ(done.status, 204) << done.body;
    }
    return commands;
  }

  // The server's view of the agent's problem `agent_id`.
  Json ServerProblem(const Agent& a, const std::string& agent_id) {
    ClientResponse r = Checked("listHostProblems", "GET",
                               "/api/v1/hosts/" + std::to_string(a.host_id) + "/problems");
    const Json page = Body(r);
    for (const Json& p : page["items"])
      if (p.value("agent_problem_id", "") == agent_id) return p;
    ADD_FAILURE() << "no problem " << agent_id << " on host " << a.hostname << ": "
                  << r.body.substr(0, 600);
    return Json();
  }

  Json Create(Json body, int expect = 201) {
    ClientResponse r = Checked("createSuppression", "POST", "/api/v1/suppressions", body.dump());
    EXPECT_EQ(r.status, expect) << r.body;
    return Body(r);
  }

  TestServer server_;
  Credentials admin_;
};

TEST_F(SuppressionsTest, BadValuesAreRefusedNamingTheMemberAtFault) {
  struct Case {
    Json body;
    std::string field;
  };
  const Json all = {{"kind", "all"}};
  const std::vector<Case> cases = {
      {{{"kind", "cve"}, {"value", "cve-2024-1"}, {"target", all}, {"reason", "r"}}, "/value"},
      {{{"kind", "cve"}, {"value", "CVE-24-1234"}, {"target", all}, {"reason", "r"}}, "/value"},
      {{{"kind", "port"}, {"value", "8080/tcp"}, {"target", all}, {"reason", "r"}}, "/value"},
      {{{"kind", "port"}, {"value", "tcp/70000"}, {"target", all}, {"reason", "r"}}, "/value"},
      {{{"kind", "port"}, {"value", "sctp/80"}, {"target", all}, {"reason", "r"}}, "/value"},
      {{{"kind", "port"}, {"value", "0"}, {"target", all}, {"reason", "r"}}, "/value"},
      {{{"kind", "rule"}, {"value", "HOST OPEN"}, {"target", all}, {"reason", "r"}}, "/value"},
      {{{"kind", "rule"}, {"value", "HOST-VULN"}, {"target", all}, {"reason", "   "}}, "/reason"},
      {{{"kind", "rule"},
        {"value", "HOST-VULN"},
        {"target", all},
        {"reason", std::string(1001, 'x')}},
       "/reason"},
      {{{"kind", "rule"},
        {"value", "HOST-VULN"},
        {"target", all},
        {"reason", "r"},
        {"expires_at", "2001-01-01T00:00:00Z"}},
       "/expires_at"},
      {{{"kind", "rule"}, {"value", "HOST-VULN"}, {"target", {{"kind", "label"}}}, {"reason", "r"}},
       "/target/label"},
      {{{"kind", "rule"},
        {"value", "HOST-VULN"},
        {"target", {{"kind", "hosts"}, {"host_ids", {"999"}}}},
        {"reason", "r"}},
       "/target/host_ids/0"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.body.dump());
    Json refused = Create(c.body, 422);
    EXPECT_EQ(refused["error"]["code"], "E_VALIDATION");
    EXPECT_EQ(refused["error"]["field"], c.field);
  }
  // Missing members are the contract's to refuse.
  Create({{"kind", "rule"}, {"value", "HOST-VULN"}, {"target", all}}, 422);
  ClientResponse listed = Checked("listSuppressions", "GET", "/api/v1/suppressions");
  EXPECT_EQ(Body(listed)["total"], 0);
}

TEST_F(SuppressionsTest, ARuleSuppressedOnALabelDismissesThatLabelsOpenProblemsOnly) {
  Agent lab = Enrol("lab-1", "env=lab");
  Agent prod = Enrol("prod-1", "env=prod");
  Push(lab, {Record(AgentProblem("lab-1", "p1", "HOST-OPEN-PORTS", OpenPort(8080)),
                    ProblemAction::kOpened),
             Record(AgentProblem("lab-1", "v1", "HOST-VULN", {{"cves", {"CVE-2024-0001"}}}),
                    ProblemAction::kOpened)});
  Push(prod, {Record(AgentProblem("prod-1", "p2", "HOST-OPEN-PORTS", OpenPort(8080)),
                     ProblemAction::kOpened)});
  const std::string until = FormatRfc3339(NowEpochSeconds() + 3600);
  Json created = Create({{"kind", "rule"},
                         {"value", "HOST-OPEN-PORTS"},
                         {"target", {{"kind", "label"}, {"label", "env=lab"}}},
                         {"reason", "lab boxes listen on anything"},
                         {"expires_at", until}});
  const std::string id = created["id"];
  EXPECT_EQ(created["dismissed"], 1);
  EXPECT_EQ(created["active"], true);
  EXPECT_EQ(created["expires_at"], until);

  Json p1 = ServerProblem(lab, "p1");
  EXPECT_EQ(p1["status"], "dismissed");
  EXPECT_EQ(p1["dismissal"]["comment"], "suppressed (#" + id + "): lab boxes listen on anything");
  EXPECT_EQ(p1["dismissal"]["until"], until);
  EXPECT_EQ(ServerProblem(lab, "v1")["status"], "open");
  EXPECT_EQ(ServerProblem(prod, "p2")["status"], "open");

  Json commands = Commands(lab);
  ASSERT_EQ(commands.size(), 1u) << commands.dump();
  EXPECT_EQ(commands[0]["type"], "dismiss");
  EXPECT_EQ(commands[0]["args"]["problem_id"], "p1");
  EXPECT_EQ(commands[0]["args"]["until_ms"], *ParseRfc3339(until) * 1000);
  EXPECT_TRUE(Commands(prod).empty());

  const std::string problem = "/api/v1/problems/" + p1["id"].get<std::string>();
  Json history = Body(Checked("listProblemHistory", "GET", problem + "/history?sort=-revision"));
  EXPECT_EQ(history["items"][0]["action"], "dismissed");
  EXPECT_EQ(history["items"][0]["actor"]["type"], "user");
  Json audit = Body(Checked("listAuditEvents", "GET", "/api/v1/audit?action=createSuppression"));
  EXPECT_EQ(audit["total"], 2) << audit.dump();  // the suppression and the problem

  ClientResponse got = Checked("getSuppression", "GET", "/api/v1/suppressions/" + id);
  EXPECT_EQ(Body(got)["target"]["label"], "env=lab");
  EXPECT_EQ(Checked("getSuppression", "GET", "/api/v1/suppressions/999").status, 404);
  ClientResponse exported =
      Checked("exportSuppressions", "GET", "/api/v1/suppressions/export?format=csv&kind=rule");
  EXPECT_EQ(exported.status, 200);
  EXPECT_NE(exported.body.find("lab boxes listen on anything"), std::string::npos) << exported.body;
  ClientResponse none = Checked("listSuppressions", "GET", "/api/v1/suppressions?kind=cve");
  EXPECT_EQ(Body(none)["total"], 0);
}

TEST_F(SuppressionsTest, AProblemWithSeveralCvesStaysOpenUntilEveryOneIsSuppressed) {
  Agent web = Enrol("web-1");
  Push(web, {Record(AgentProblem("web-1", "v1", "HOST-VULN",
                                 {{"cves", {"CVE-2024-0001", "CVE-2024-0002"}}}),
                    ProblemAction::kOpened)});
  const Json all = {{"kind", "all"}};
  Json first =
      Create({{"kind", "cve"}, {"value", "CVE-2024-0001"}, {"target", all}, {"reason", "no path"}});
  EXPECT_EQ(first["dismissed"], 0);
  EXPECT_EQ(ServerProblem(web, "v1")["status"], "open");
  Json second = Create(
      {{"kind", "cve"}, {"value", "CVE-2024-0002"}, {"target", all}, {"reason", "not loaded"}});
  EXPECT_EQ(second["dismissed"], 1);
  Json v1 = ServerProblem(web, "v1");
  EXPECT_EQ(v1["status"], "dismissed");
  EXPECT_EQ(v1["dismissal"]["comment"], "suppressed (#" + first["id"].get<std::string>() + ", #" +
                                            second["id"].get<std::string>() +
                                            "): no path; not loaded");
  EXPECT_EQ(Body(Checked("getSuppression", "GET",
                         "/api/v1/suppressions/" + first["id"].get<std::string>()))["dismissed"],
            1);
  ASSERT_EQ(Commands(web).size(), 1u);

  // Without the first, CVE-2024-0001 is no longer suppressed: open again.
  ClientResponse deleted = Checked("deleteSuppression", "DELETE",
                                   "/api/v1/suppressions/" + first["id"].get<std::string>());
  EXPECT_EQ(deleted.status, 204);
  EXPECT_EQ(ServerProblem(web, "v1")["status"], "open");
  Json commands = Commands(web);
  ASSERT_EQ(commands.size(), 1u);
  EXPECT_EQ(commands[0]["type"], "undismiss");
  EXPECT_EQ(commands[0]["args"]["comment"],
            "suppression #" + first["id"].get<std::string>() + " deleted");
  EXPECT_EQ(Checked("deleteSuppression", "DELETE",
                    "/api/v1/suppressions/" + first["id"].get<std::string>())
                .status,
            404);
}

TEST_F(SuppressionsTest, AProblemReportedLaterIsBornDismissedAndTheAgentsReportKeepsIt) {
  Agent web = Enrol("web-1");
  Json s = Create({{"kind", "port"},
                   {"value", "tcp/8080"},
                   {"target", {{"kind", "hosts"}, {"host_ids", {std::to_string(web.host_id)}}}},
                   {"reason", "the build cache"}});
  const std::string comment = "suppressed (#" + s["id"].get<std::string>() + "): the build cache";
  Problem udp = AgentProblem("web-1", "u1", "HOST-OPEN-PORTS", OpenPort(8080, "udp"));
  Problem tcp = AgentProblem("web-1", "t1", "HOST-OPEN-PORTS", OpenPort(8080));
  Push(web, {Record(udp, ProblemAction::kOpened), Record(tcp, ProblemAction::kOpened)});
  EXPECT_EQ(ServerProblem(web, "u1")["status"], "open");
  Json born = ServerProblem(web, "t1");
  EXPECT_EQ(born["status"], "dismissed");
  EXPECT_EQ(born["dismissal"]["comment"], comment);
  EXPECT_EQ(born["dismissal"]["by"]["type"], "system");
  EXPECT_EQ(born["revision"], 2);
  Json commands = Commands(web);
  ASSERT_EQ(commands.size(), 1u) << commands.dump();
  EXPECT_EQ(commands[0]["args"]["problem_id"], "t1");
  EXPECT_EQ(commands[0]["args"]["comment"], comment);
  Json audit = Body(Checked("listAuditEvents", "GET", "/api/v1/audit?action=applySuppression"));
  EXPECT_EQ(audit["total"], 1);

  // The agent applies the command with its own lifecycle and reports it.
  auto dismissed = DismissProblem(tcp, comment, 0, NowEpochSeconds());
  ASSERT_TRUE(dismissed.ok()) << dismissed.status().message();
  Push(web, {Record(dismissed->problem, ProblemAction::kDismissed, comment)});
  Json after = ServerProblem(web, "t1");
  EXPECT_EQ(after["status"], "dismissed");
  EXPECT_EQ(after["revision"], 2);
  EXPECT_EQ(after["dismissal"]["by"]["type"], "system");
  EXPECT_EQ(Body(Checked("getSuppression", "GET",
                         "/api/v1/suppressions/" + s["id"].get<std::string>()))["dismissed"],
            1);
}

TEST_F(SuppressionsTest, ANewExpiryMovesTheUntilOfItsProblemsAndTheExpiryReopensThem) {
  Agent web = Enrol("web-1");
  Push(web, {Record(AgentProblem("web-1", "p1", "HOST-OPEN-PORTS", OpenPort(9000)),
                    ProblemAction::kOpened)});
  Json s = Create({{"kind", "port"},
                   {"value", "9000"},
                   {"target", {{"kind", "all"}}},
                   {"reason", "monitoring agent"}});
  const std::string path = "/api/v1/suppressions/" + s["id"].get<std::string>();
  EXPECT_TRUE(ServerProblem(web, "p1")["dismissal"]["until"].is_null());
  Commands(web);

  const int64_t until = NowEpochSeconds() + 7200;
  ClientResponse patched = Checked("updateSuppression", "PATCH", path,
                                   Json{{"expires_at", FormatRfc3339(until)},
                                        {"reason", "monitoring agent, until the migration"}}
                                       .dump());
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(Body(patched)["dismissed"], 1);
  Json p1 = ServerProblem(web, "p1");
  EXPECT_EQ(p1["dismissal"]["until"], FormatRfc3339(until));
  EXPECT_EQ(p1["dismissal"]["comment"], "suppressed (#" + s["id"].get<std::string>() +
                                            "): monitoring agent, until the migration");
  Json commands = Commands(web);
  ASSERT_EQ(commands.size(), 1u);
  EXPECT_EQ(commands[0]["type"], "dismiss");
  EXPECT_EQ(commands[0]["args"]["until_ms"], until * 1000);
  ClientResponse past = Checked("updateSuppression", "PATCH", path,
                                Json{{"expires_at", "2001-01-01T00:00:00Z"}}.dump());
  EXPECT_EQ(past.status, 422);

  // At the expiry the server's job reopens it (the agent does on its own).
  auto expired = ExpireDismissals(server_.store(), (until + 1) * 1000);
  ASSERT_TRUE(expired.ok()) << expired.status().message();
  EXPECT_EQ(*expired, 1);
  EXPECT_EQ(ServerProblem(web, "p1")["status"], "open");
  EXPECT_EQ(Body(Checked("getSuppression", "GET", path))["dismissed"], 0);
}

TEST_F(SuppressionsTest, DeletingReopensOnlyWhatItStillHolds) {
  Agent web = Enrol("web-1");
  Push(web,
       {Record(AgentProblem("web-1", "p1", "HOST-OPEN-PORTS", OpenPort(1)), ProblemAction::kOpened),
        Record(AgentProblem("web-1", "p2", "HOST-OPEN-PORTS", OpenPort(2)),
               ProblemAction::kOpened)});
  Json s = Create({{"kind", "rule"},
                   {"value", "HOST-OPEN-PORTS"},
                   {"target", {{"kind", "all"}}},
                   {"reason", "ports are the firewall's job"}});
  EXPECT_EQ(s["dismissed"], 2);
  // A person dismisses p2 again with a reason of their own: it is theirs now.
  const std::string p2 = ServerProblem(web, "p2")["id"];
  ASSERT_EQ(Checked("dismissProblem", "POST", "/api/v1/problems/" + p2 + "/dismiss",
                    Json{{"comment", "decommissioned next week"}}.dump())
                .status,
            200);
  const std::string path = "/api/v1/suppressions/" + s["id"].get<std::string>();
  EXPECT_EQ(Body(Checked("getSuppression", "GET", path))["dismissed"], 1);
  Commands(web);
  ASSERT_EQ(Checked("deleteSuppression", "DELETE", path).status, 204);
  EXPECT_EQ(ServerProblem(web, "p1")["status"], "open");
  EXPECT_EQ(ServerProblem(web, "p2")["status"], "dismissed");
  EXPECT_EQ(ServerProblem(web, "p2")["dismissal"]["comment"], "decommissioned next week");
  Json commands = Commands(web);
  ASSERT_EQ(commands.size(), 1u);
  EXPECT_EQ(commands[0]["args"]["problem_id"], "p1");
  Json audit = Body(Checked("listAuditEvents", "GET",
                            "/api/v1/audit?action=deleteSuppression&target_type=suppression"));
  EXPECT_EQ(audit["total"], 1);
}

}  // namespace
}  // namespace warden::server::testing

// Live queries through the real server (127.0.0.1, TLS, SQLite store in a
// temporary directory), with "agents" speaking the agent channel the way an
// agent does: taking live_query commands from the long-poll, pushing their
// rows in chunks and answering. Every answer is validated against the spec.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <string>
#include <thread>

#include "auth/role.h"
#include "core/time_format.h"
#include "server/server_test_support.h"

namespace warden::server::testing {
namespace {

Json Body(const ClientResponse& r) { return Json::parse(r.body, nullptr, false); }

class LiveQueriesHandlersTest : public ::testing::Test {
 protected:
  // One rows chunk at a time may wait for the store (tests push one after
  // another, so only the test of the bound meets it).
  LiveQueriesHandlersTest()
      : server_({}, [](ServerConfig& c) {
          c.live_query_max_rows = 5;
          c.live_query_max_pending_bytes = 1;
        }) {}

  void SetUp() override {
    ASSERT_TRUE(server_.ok());
    store::User admin = server_.AddUser("lq-admin", auth::Role::kAdmin, kPassword);
    admin_ = server_.AddToken(admin.id);
    store::User viewer = server_.AddUser("lq-viewer", auth::Role::kViewer, kPassword);
    viewer_ = server_.AddToken(viewer.id);
    server_.AddUser("lq-analyst", auth::Role::kAnalyst, kPassword);
    analyst_ = server_.Login("lq-analyst", kPassword);
    ASSERT_FALSE(analyst_.session_id.empty());
  }

  ClientResponse Checked(const std::string& operation_id, const std::string& method,
                         const std::string& target, const Credentials& who,
                         const Json& body = nullptr) {
    return CheckedCall(server_, operation_id, method, target, who,
                       body.is_null() ? "" : body.dump());
  }

  using Agent = EnrolledAgent;

  Agent Enrol(const std::string& hostname, const std::vector<std::string>& labels,
              const std::string& os_id = "debian") {
    Agent a = EnrolThroughApi(server_, admin_, hostname, labels, os_id);
    // Seen now: a poll marks the host online.
    Take(a);
    (void)server_.store().Flush();
    return a;
  }

  Json Take(const Agent& agent) {
    ClientResponse polled =
        Checked("pollAgentCommands", "GET", "/api/v1/agent/commands?wait=0", agent.node);
    EXPECT_EQ(polled.status, 200) << polled.body;
    return Body(polled).value("commands", Json::array());
  }

  // Takes the agent's one live_query command; its id.
  std::string TakeQuery(const Agent& agent, const std::string& query_id) {
    Json commands = Take(agent);
    EXPECT_EQ(commands.size(), 1u) << commands.dump();
    if (commands.size() != 1) return "";
    EXPECT_EQ(commands[0]["type"], "live_query");
    EXPECT_EQ(commands[0]["args"]["query_id"], query_id);
    return commands[0]["id"];
  }

  ClientResponse Push(const Agent& agent, const std::string& command, int seq, const Json& columns,
                      const Json& rows) {
    return Checked("pushAgentQueryRows", "POST", "/api/v1/agent/commands/" + command + "/rows",
                   agent.node, Json{{"seq", seq}, {"columns", columns}, {"rows", rows}});
  }

  void Answer(const Agent& agent, const std::string& command, const Json& result) {
    ClientResponse r = Checked("postAgentCommandResult", "POST",
                               "/api/v1/agent/commands/" + command + "/result", agent.node, result);
    EXPECT_EQ(r.status, 204) << r.body;
  }

  Json Succeeded(int rows) {
    return Json{{"status", "succeeded"},
                {"output", {{"rows", rows}, {"duration_ms", 7}}},
                {"finished_at_ms", NowEpochMillis()}};
  }

  Json Start(const Json& request, const Credentials& who) {
    ClientResponse r = Checked("createLiveQuery", "POST", "/api/v1/queries", who, request);
    EXPECT_EQ(r.status, 202) << r.body;
    return Body(r);
  }

  Json Get(const std::string& id) {
    ClientResponse r = Checked("getLiveQuery", "GET", "/api/v1/queries/" + id, viewer_);
    EXPECT_EQ(r.status, 200) << r.body;
    return Body(r);
  }

  static constexpr const char* kPassword = "correct horse battery";
  TestServer server_;
  Credentials admin_;
  Credentials viewer_;
  Credentials analyst_;
};

TEST_F(LiveQueriesHandlersTest, EveryHostAnswersWithRowsOrItsOwnErrorAndTheResultIsKept) {
  Agent web = Enrol("web-1", {"env=prod"});
  Agent db = Enrol("db-1", {"env=prod"});
  Agent other = Enrol("dev-1", {"env=dev"});

  Json query =
      Start(Json{{"sql", "SELECT name, uid FROM users"}, {"targets", {{"labels", {"env=prod"}}}}},
            analyst_);
  const std::string id = query["id"];
  EXPECT_EQ(query["state"], "running");
  EXPECT_EQ(query["counts"]["targeted"], 2);
  EXPECT_EQ(query["counts"]["pending"], 2);
  EXPECT_EQ(query["created_by"]["type"], "user");
  EXPECT_TRUE(Take(other).empty());

  const std::string web_command = TakeQuery(web, id);
  const std::string db_command = TakeQuery(db, id);
  EXPECT_EQ(Get(id)["counts"]["running"], 2);

  // Two chunks; the second sent twice (a retry) is stored once.
  ClientResponse first = Push(web, web_command, 0, {"name", "uid"},
                              Json::array({Json::array({"root", 0}), Json::array({"=cmd", 1})}));
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(Body(first)["stored"], 2);
  ClientResponse second =
      Push(web, web_command, 1, {"name", "uid"}, Json::array({Json::array({"daemon", 2})}));
  ASSERT_EQ(second.status, 200) << second.body;
  ClientResponse again =
      Push(web, web_command, 1, {"name", "uid"}, Json::array({Json::array({"daemon", 2})}));
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(Body(again)["duplicate"], true);
  Answer(web, web_command, Succeeded(3));
  // A query that does not compile there is that host's error, not the campaign's.
  Answer(db, db_command,
         Json{{"status", "failed"},
              {"error", "no such table: users"},
              {"finished_at_ms", NowEpochMillis()}});

  Json done = Get(id);
  EXPECT_EQ(done["state"], "done");
  EXPECT_EQ(done["counts"]["done"], 1);
  EXPECT_EQ(done["counts"]["error"], 1);
  EXPECT_EQ(done["stored_rows"], 3);
  EXPECT_EQ(done["columns"], Json::array({"name", "uid"}));
  EXPECT_TRUE(done["truncated_at"].is_null());

  ClientResponse hosts = Checked("listLiveQueryHosts", "GET",
                                 "/api/v1/queries/" + id + "/hosts?sort=host_id", viewer_);
  ASSERT_EQ(hosts.status, 200) << hosts.body;
  const Json hosts_page = Body(hosts);
  ASSERT_EQ(hosts_page["total"], 2);
  for (const Json& h : hosts_page["items"]) {
    if (h["host_id"] == web.host_id) {
      EXPECT_EQ(h["state"], "done");
      EXPECT_EQ(h["returned_rows"], 3);
      EXPECT_EQ(h["duration_ms"], 7);
    } else {
      EXPECT_EQ(h["state"], "error");
      EXPECT_EQ(h["error"], "no such table: users");
    }
  }
  ClientResponse errors =
      Checked("listLiveQueryHosts", "GET", "/api/v1/queries/" + id + "/hosts?state=error", viewer_);
  EXPECT_EQ(Body(errors)["total"], 1);

  ClientResponse rows =
      Checked("listLiveQueryResults", "GET", "/api/v1/queries/" + id + "/results?limit=2", viewer_);
  ASSERT_EQ(rows.status, 200) << rows.body;
  EXPECT_EQ(Body(rows)["total"], 3);
  EXPECT_EQ(Body(rows)["items"][0]["row"], (Json{{"name", "root"}, {"uid", 0}}));
  EXPECT_EQ(Body(rows)["items"][0]["hostname"], "web-1");
  ASSERT_TRUE(Body(rows)["next_cursor"].is_string());
  ClientResponse by_host =
      Checked("listLiveQueryResults", "GET",
              "/api/v1/queries/" + id + "/results?host_id=" + db.host_id, viewer_);
  EXPECT_EQ(Body(by_host)["total"], 0);

  // CSV: formula-safe cells; JSON lines: the list's items.
  ClientResponse csv = Checked("exportLiveQueryResults", "GET",
                               "/api/v1/queries/" + id + "/results/export?format=csv", viewer_);
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_EQ(csv.body.substr(0, csv.body.find("\r\n")), "host_id,hostname,name,uid");
  EXPECT_NE(csv.body.find(web.host_id + ",web-1,'=cmd,1"), std::string::npos) << csv.body;
  ClientResponse jsonl = Checked("exportLiveQueryResults", "GET",
                                 "/api/v1/queries/" + id + "/results/export?format=jsonl", viewer_);
  ASSERT_EQ(jsonl.status, 200);
  EXPECT_EQ(std::count(jsonl.body.begin(), jsonl.body.end(), '\n'), 3);

  // The history, with who ran it; the audit log has the start.
  ClientResponse history =
      Checked("listLiveQueries", "GET", "/api/v1/queries?host_id=" + web.host_id, viewer_);
  ASSERT_EQ(history.status, 200) << history.body;
  ASSERT_EQ(Body(history)["total"], 1);
  EXPECT_EQ(Body(history)["items"][0]["sql"], "SELECT name, uid FROM users");
  ClientResponse exported =
      Checked("exportLiveQueries", "GET", "/api/v1/queries/export?format=jsonl", viewer_);
  EXPECT_EQ(exported.status, 200);
  ClientResponse audit =
      Checked("listAuditEvents", "GET", "/api/v1/audit?action=createLiveQuery", admin_);
  ASSERT_EQ(Body(audit)["total"], 1) << audit.body;
  EXPECT_EQ(Body(audit)["items"][0]["target"]["id"], id);

  // The stream of an ended campaign: every host, its rows, and the end.
  ClientResponse stream =
      Checked("streamLiveQuery", "GET", "/api/v1/queries/" + id + "/stream", viewer_);
  ASSERT_EQ(stream.status, 200) << stream.body;
  EXPECT_NE(stream.body.find("event: host\n"), std::string::npos) << stream.body;
  EXPECT_NE(stream.body.find("event: rows\n"), std::string::npos) << stream.body;
  EXPECT_NE(stream.body.find("\"=cmd\""), std::string::npos) << stream.body;
  EXPECT_NE(stream.body.find("event: end\n"), std::string::npos) << stream.body;
}

TEST_F(LiveQueriesHandlersTest, ARerunIsDiffedAgainstTheRunBefore) {
  Agent web = Enrol("web-1", {"env=prod"});
  Json first = Start(
      Json{{"sql", "SELECT port FROM listening_ports"}, {"targets", {{"host_ids", {web.host_id}}}}},
      admin_);
  const std::string first_id = first["id"];
  std::string command = TakeQuery(web, first_id);
  ASSERT_EQ(
      Push(web, command, 0, {"port"}, Json::array({Json::array({22}), Json::array({80})})).status,
      200);
  Answer(web, command, Succeeded(2));

  ClientResponse rerun =
      Checked("rerunLiveQuery", "POST", "/api/v1/queries/" + first_id + "/rerun", analyst_);
  ASSERT_EQ(rerun.status, 202) << rerun.body;
  const std::string second_id = Body(rerun)["id"];
  EXPECT_EQ(Body(rerun)["rerun_of"], first_id);
  EXPECT_EQ(Body(rerun)["sql"], "SELECT port FROM listening_ports");
  command = TakeQuery(web, second_id);
  ASSERT_EQ(
      Push(web, command, 0, {"port"}, Json::array({Json::array({22}), Json::array({8080})})).status,
      200);
  Answer(web, command, Succeeded(2));

  ClientResponse diff =
      Checked("diffLiveQuery", "GET", "/api/v1/queries/" + second_id + "/diff?against=" + first_id,
              viewer_);
  ASSERT_EQ(diff.status, 200) << diff.body;
  Json hosts = Body(diff)["hosts"];
  ASSERT_EQ(hosts.size(), 1u) << diff.body;
  EXPECT_EQ(hosts[0]["host_id"], web.host_id);
  EXPECT_EQ(hosts[0]["added"], Json::array({Json{{"port", 8080}}}));
  EXPECT_EQ(hosts[0]["removed"], Json::array({Json{{"port", 80}}}));
  EXPECT_TRUE(hosts[0]["only_in"].is_null());

  ClientResponse missing = Checked("diffLiveQuery", "GET",
                                   "/api/v1/queries/" + second_id + "/diff?against=999", viewer_);
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(Body(missing)["error"]["code"], "E_QUERY_NOT_FOUND");
}

TEST_F(LiveQueriesHandlersTest, CancelStopsDeliveryAndLaterRowsAreRefused) {
  Agent web = Enrol("web-1", {"env=prod"});
  Agent db = Enrol("db-1", {"env=prod"});
  Json query = Start(Json{{"sql", "SELECT 1"}, {"targets", {{"all", true}}}}, analyst_);
  const std::string id = query["id"];
  const std::string web_command = TakeQuery(web, id);

  ClientResponse cancelled =
      Checked("cancelLiveQuery", "POST", "/api/v1/queries/" + id + "/cancel", analyst_);
  ASSERT_EQ(cancelled.status, 200) << cancelled.body;
  EXPECT_EQ(Body(cancelled)["state"], "cancelled");
  EXPECT_EQ(Body(cancelled)["counts"]["cancelled"], 2);
  // The host that had not taken it never gets it.
  EXPECT_TRUE(Take(db).empty());
  ClientResponse late = Push(web, web_command, 0, {"1"}, Json::array({Json::array({1})}));
  EXPECT_EQ(late.status, 409);
  EXPECT_EQ(Body(late)["error"]["code"], "E_QUERY_NOT_RUNNING");
  ClientResponse again =
      Checked("cancelLiveQuery", "POST", "/api/v1/queries/" + id + "/cancel", analyst_);
  EXPECT_EQ(again.status, 409);
  ClientResponse audit =
      Checked("listAuditEvents", "GET", "/api/v1/audit?action=cancelLiveQuery", admin_);
  EXPECT_EQ(Body(audit)["total"], 1) << audit.body;
}

TEST_F(LiveQueriesHandlersTest, TargetsAreCheckedAndOfflineHostsWaitOnlyWhenAsked) {
  Agent web = Enrol("web-1", {"env=prod"});
  Agent rhel = Enrol("rhel-1", {"env=prod"}, "rhel");

  ClientResponse none =
      Checked("createLiveQuery", "POST", "/api/v1/queries", analyst_,
              Json{{"sql", "SELECT 1"}, {"targets", {{"labels", {"env=nowhere"}}}}});
  EXPECT_EQ(none.status, 422);
  ClientResponse both =
      Checked("createLiveQuery", "POST", "/api/v1/queries", analyst_,
              Json{{"sql", "SELECT 1"}, {"targets", {{"all", true}, {"host_ids", {web.host_id}}}}});
  EXPECT_EQ(both.status, 422);
  ClientResponse unknown =
      Checked("createLiveQuery", "POST", "/api/v1/queries", analyst_,
              Json{{"sql", "SELECT 1"}, {"targets", {{"host_ids", {"424242"}}}}});
  EXPECT_EQ(unknown.status, 422);
  EXPECT_EQ(Body(unknown)["error"]["field"], "/targets/host_ids/0");

  // The OS filter.
  Json debian = Start(
      Json{{"sql", "SELECT 1"}, {"targets", {{"all", true}}}, {"os_ids", {"debian"}}}, analyst_);
  EXPECT_EQ(debian["counts"]["targeted"], 1);
  EXPECT_TRUE(Take(rhel).empty());
  (void)TakeQuery(web, debian["id"]);

  // A host not seen for an hour: offline at once, or waited for.
  auto offline = server_.store()
                     .Write([&](store::StoreWriter& w) -> Result<store::EnrolOutcome> {
                       store::NewEnrolSecret s;
                       s.name = "old";
                       s.sha256 = "old-secret";
                       s.created_at = 1;
                       ASSIGN_OR_RETURN(store::EnrolSecret created, w.enrol_secrets().Create(s));
                       store::HostEnrolment e;
                       e.machine_id = "machine-old";
                       e.hostname = "old-1";
                       e.enrol_secret_id = created.id;
                       e.node_key_sha256 = "old-node";
                       e.now = NowEpochMillis() - 3'600'000;
                       return w.hosts().Enrol(e);
                     })
                     .Wait();
  ASSERT_TRUE(offline.ok());
  const std::string old_id = std::to_string(offline->host.id);
  Json at_once = Start(Json{{"sql", "SELECT 1"}, {"targets", {{"host_ids", {old_id}}}}}, analyst_);
  EXPECT_EQ(at_once["counts"]["offline"], 1);
  EXPECT_EQ(at_once["state"], "done");
  Json waited = Start(Json{{"sql", "SELECT 1"},
                           {"targets", {{"host_ids", {old_id}}}},
                           {"offline_deadline", FormatRfc3339(NowEpochSeconds() + 3600)}},
                      analyst_);
  EXPECT_EQ(waited["counts"]["pending"], 1);
  EXPECT_EQ(waited["state"], "running");
}

TEST_F(LiveQueriesHandlersTest, TheRowBoundSaysWhereItCut) {
  Agent web = Enrol("web-1", {"env=prod"});
  Json query = Start(Json{{"sql", "SELECT n"}, {"targets", {{"all", true}}}}, admin_);
  const std::string id = query["id"];
  const std::string command = TakeQuery(web, id);
  Json rows = Json::array();
  for (int i = 0; i < 8; ++i) rows.push_back(Json::array({i}));
  ClientResponse pushed = Push(web, command, 0, {"n"}, rows);
  ASSERT_EQ(pushed.status, 200) << pushed.body;
  EXPECT_EQ(Body(pushed)["stored"], 5);
  EXPECT_EQ(Body(pushed)["truncated"], true);
  Answer(web, command, Succeeded(8));
  Json done = Get(id);
  EXPECT_EQ(done["truncated_at"], 5);
  ClientResponse results =
      Checked("listLiveQueryResults", "GET", "/api/v1/queries/" + id + "/results", viewer_);
  EXPECT_EQ(Body(results)["truncated_at"], 5);
  EXPECT_EQ(Body(results)["total"], 5);
}

TEST_F(LiveQueriesHandlersTest, RowsBeyondThePendingBoundAreRefusedUntilTheStoreTookTheFirst) {
  Agent web = Enrol("web-1", {"env=prod"});
  Agent db = Enrol("db-1", {"env=prod"});
  const std::string id =
      Start(Json{{"sql", "SELECT n"}, {"targets", {{"all", true}}}}, admin_)["id"];
  const std::string web_command = TakeQuery(web, id);
  const std::string db_command = TakeQuery(db, id);

  // The store's writer is held by a write of the test's own, so web's chunk
  // waits for it, received and not stored.
  std::promise<void> holding, release;
  std::shared_future<void> released = release.get_future().share();
  auto held = server_.store().Write([&](store::StoreWriter&) -> Result<int> {
    holding.set_value();
    released.wait();
    return 0;
  });
  holding.get_future().wait();
  std::future<ClientResponse> first = std::async(std::launch::async, [&] {
    CurlClient own;  // the fixture's client is this thread's
    return own.Send(
        server_.Request("POST", "/api/v1/agent/commands/" + web_command + "/rows", web.node,
                        Json{{"seq", 0}, {"columns", {"n"}}, {"rows", {{1}, {2}}}}.dump()));
  });
  while (server_.store().writer_stats().queued < 1)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));

  ClientResponse refused = Push(db, db_command, 0, {"n"}, {{3}});
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_EQ(Body(refused)["error"]["code"], "E_UNAVAILABLE");
  EXPECT_EQ(refused.headers.Get("Retry-After").value_or(""), "1");

  release.set_value();
  ASSERT_TRUE(held.Wait().ok());
  ClientResponse stored = first.get();
  EXPECT_EQ(stored.status, 200) << stored.body;
  EXPECT_EQ(Body(stored)["stored"], 2);
  ClientResponse again = Push(db, db_command, 0, {"n"}, {{3}});  // as the agent does
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(Body(again)["duplicate"], false);
}

}  // namespace
}  // namespace warden::server::testing

// osquery's TLS remote API on a real server (127.0.0.1, TLS, SQLite store):
// every answer validated against the spec, every failure in osquery's shape
// ({"error"} and node_invalid where osquery must enrol again), live queries
// answered through the campaign machinery, result lines through record
// ingest, and the Warden-only features refused for osquery hosts.
#include "server/osquery_handlers.h"

#include <gtest/gtest.h>

#include <string>

#include "core/time_format.h"
#include "server/server_test_support.h"

namespace warden::server::testing {
namespace {

// Posts `body` the way osquery does (no credential header).
ClientResponse OsqueryPost(TestServer& server, const std::string& path, const std::string& body) {
  return server.Call("POST", "/api/v1/osquery/" + path, {}, body);
}

std::string AddEnrolSecret(TestServer& server, std::vector<std::string> labels = {}) {
  std::string secret = auth::GenerateToken(auth::TokenKind::kEnrolSecret);
  store::NewEnrolSecret s;
  s.name = "osquery secret " + secret.substr(8, 6);
  s.labels = std::move(labels);
  s.sha256 = auth::TokenHash(secret);
  s.created_by = "test";
  s.created_at = NowEpochMillis();
  auto done = server.store()
                  .Write([&](store::StoreWriter& w) { return w.enrol_secrets().Create(s); })
                  .Wait();
  EXPECT_TRUE(done.ok()) << done.status().message();
  return secret;
}

Json EnrollBody(const std::string& secret, const std::string& name = "osq-1") {
  return Json{
      {"enroll_secret", secret + "\n"},
      {"host_identifier", name},
      {"platform_type", "9"},
      {"host_details",
       {{"os_version",
         {{"name", "Debian GNU/Linux"},
          {"version", "12 (bookworm)"},
          {"platform", "debian"},
          {"codename", "bookworm"}}},
        {"osquery_info", {{"version", "5.13.1"}, {"instance_id", "inst-" + name}}},
        {"system_info", {{"hostname", name}, {"uuid", "uuid-" + name}, {"cpu_type", "x86_64"}}},
        {"platform_info", Json::object()}}}};
}

// Enrols an osquery host; its node key.
std::string EnrollOsquery(TestServer& server, const std::string& name = "osq-1") {
  ClientResponse r = OsqueryPost(server, "enroll", EnrollBody(AddEnrolSecret(server), name).dump());
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(ValidateAgainstSpec("enrollOsquery", r).ok()) << r.body;
  Json body = Json::parse(r.body, nullptr, false);
  return body.is_object() ? body.value("node_key", "") : "";
}

// The error member of an osquery failure, or "" when the body has none.
std::string ErrorOf(const ClientResponse& r) {
  Json body = Json::parse(r.body, nullptr, false);
  if (!body.is_object() || !body.contains("error") || !body["error"].is_string()) return "";
  return body["error"].get<std::string>();
}

bool NodeInvalid(const ClientResponse& r) {
  Json body = Json::parse(r.body, nullptr, false);
  return body.is_object() && body.value("node_invalid", false);
}

TEST(OsqueryHandlersTest, EnrolsWithAWardenSecretAndShowsTheHostAsOsquery) {
  TestServer server;
  ASSERT_TRUE(server.ok());
  const std::string node_key = EnrollOsquery(server);
  EXPECT_EQ(node_key.rfind("wdn_node_", 0), 0u) << node_key;

  store::User admin = server.AddUser("osq-admin", auth::Role::kAdmin, "correct horse battery");
  Credentials token = server.AddToken(admin.id);
  ClientResponse hosts = server.Call("GET", "/api/v1/hosts", token);
  ASSERT_EQ(hosts.status, 200) << hosts.body;
  EXPECT_TRUE(ValidateAgainstSpec("listHosts", hosts).ok());
  Json host = Json::parse(hosts.body)["items"][0];
  EXPECT_EQ(host["hostname"], "osq-1");
  EXPECT_EQ(host["machine_id"], "uuid-osq-1");
  EXPECT_EQ(host["os"]["id"], "debian");
  EXPECT_EQ(host["arch"], "x86_64");
  EXPECT_EQ(host["agent"]["type"], "osquery");
  EXPECT_EQ(host["agent"]["version"], "5.13.1");
  EXPECT_EQ(host["agent"]["unavailable"],
            Json({"problems", "runtime_events", "inventory", "run_now_scans", "dismiss_commands"}));
  // A Warden agent's host lists nothing unavailable.
  server.AddNodeKey("warden-host");
  ClientResponse warden =
      server.Call("GET", "/api/v1/hosts/" + std::to_string(server.last_host_id()), token);
  ASSERT_EQ(warden.status, 200) << warden.body;
  EXPECT_EQ(Json::parse(warden.body)["agent"]["unavailable"], Json::array());

  // Enrolling again: the same host, a new key, the old one refused.
  ClientResponse again = OsqueryPost(server, "enroll", EnrollBody(AddEnrolSecret(server)).dump());
  ASSERT_EQ(again.status, 200) << again.body;
  ClientResponse old_key = OsqueryPost(server, "config", Json{{"node_key", node_key}}.dump());
  EXPECT_TRUE(NodeInvalid(old_key)) << old_key.body;
  EXPECT_EQ(Json::parse(server.Call("GET", "/api/v1/hosts", token).body)["total"], 2);
}

TEST(OsqueryHandlersTest, AWrongSecretAnswersAnErrorOsqueryReads) {
  TestServer server;
  ASSERT_TRUE(server.ok());
  for (const std::string& secret :
       {std::string("wdn_enr_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
        std::string("s3cret")}) {
    ClientResponse r = OsqueryPost(server, "enroll", EnrollBody(secret).dump());
    EXPECT_EQ(r.status, 401) << r.body;
    EXPECT_NE(ErrorOf(r), "") << r.body;
    EXPECT_EQ(Json::parse(r.body).count("node_key"), 0u);
    EXPECT_TRUE(ValidateAgainstSpec("enrollOsquery", r).ok()) << r.body;
  }
  ClientResponse missing = OsqueryPost(server, "enroll", Json{{"host_identifier", "x"}}.dump());
  EXPECT_EQ(missing.status, 422) << missing.body;
  EXPECT_NE(ErrorOf(missing).find("enroll_secret"), std::string::npos) << missing.body;
  EXPECT_TRUE(ValidateAgainstSpec("enrollOsquery", missing).ok()) << missing.body;
}

TEST(OsqueryHandlersTest, UnknownMissingOrForeignNodeKeysAnswerNodeInvalid) {
  TestServer server;
  ASSERT_TRUE(server.ok());
  const Credentials warden = server.AddNodeKey("warden-host");
  const std::string osquery = EnrollOsquery(server);
  const std::vector<std::string> bodies = {
      Json{{"node_key", "wdn_node_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}}.dump(),
      Json{{"node_key", ""}}.dump(),
      Json{{"node_key", warden.bearer}}.dump(),  // a Warden agent's key
  };
  for (const std::string op : {"config", "distributed/read"}) {
    for (const std::string& body : bodies) {
      ClientResponse r = OsqueryPost(server, op, body);
      EXPECT_EQ(r.status, 401) << op << " " << r.body;
      EXPECT_TRUE(NodeInvalid(r)) << op << " " << r.body;
      EXPECT_NE(ErrorOf(r), "") << r.body;
    }
  }
  // And an osquery key never reaches the Warden agent channel.
  ClientResponse channel = server.Call("GET", "/api/v1/agent/config", Credentials{osquery, "", ""});
  EXPECT_EQ(channel.status, 401) << channel.body;
  // A revoked host's key is node_invalid too.
  ASSERT_TRUE(server.store()
                  .Write([&](store::StoreWriter& w) -> Result<bool> {
                    auto key = server.store().node_keys().FindByHash(auth::TokenHash(osquery));
                    if (!key.ok() || !key->has_value()) return false;
                    return w.hosts().Revoke((*key)->host_id, NowEpochMillis() - 1);
                  })
                  .Wait()
                  .ok());
  ClientResponse revoked = OsqueryPost(server, "config", Json{{"node_key", osquery}}.dump());
  EXPECT_TRUE(NodeInvalid(revoked)) << revoked.body;
  EXPECT_TRUE(ValidateAgainstSpec("getOsqueryConfig", revoked).ok()) << revoked.body;
}

TEST(OsqueryHandlersTest, BadJsonAndWrongShapesAnswerErrorBodies) {
  TestServer server;
  ASSERT_TRUE(server.ok());
  const std::string key = EnrollOsquery(server);
  struct Case {
    std::string op, body;
  };
  const std::vector<Case> cases = {
      {"log", "{\"node_key\": \"" + key + "\", \"log_type\": \"result\", \"data\": [1, 2"},
      {"log", Json{{"node_key", key}, {"log_type", "debug"}, {"data", Json::array()}}.dump()},
      {"log", Json{{"node_key", key}, {"log_type", "result"}, {"data", "x"}}.dump()},
      {"distributed/write", Json{{"node_key", key}, {"queries", {{"q", 5}}}}.dump()},
      {"distributed/write",
       Json{{"node_key", key}, {"queries", {{"q", {{{"a", {{"nested", 1}}}}}}}}}.dump()},
      {"distributed/write", Json{{"node_key", key}, {"statuses", {{"q", "x"}}}}.dump()},
      {"enroll", "not json at all"},
  };
  for (const Case& c : cases) {
    ClientResponse r = OsqueryPost(server, c.op, c.body);
    EXPECT_GE(r.status, 400) << c.op << " " << c.body;
    EXPECT_NE(ErrorOf(r), "") << c.op << " " << c.body << " -> " << r.body;
  }
  // The server still answers.
  EXPECT_EQ(OsqueryPost(server, "config", Json{{"node_key", key}}.dump()).status, 200);
}

TEST(OsqueryHandlersTest, ConfigCarriesTheHostsScheduleAndOptions) {
  std::vector<std::string> asked;
  TestServer server({[&asked](ApiHandlers& handlers, const HandlerContext& ctx) -> Status {
    OsqueryContext osquery;
    osquery.store = ctx.store;
    osquery.now = [] { return NowEpochMillis(); };
    osquery.options.distributed_interval_seconds = 7;
    osquery.scheduled_queries =
        [&asked](const store::Host& host) -> Result<std::vector<OsqueryScheduledQuery>> {
      asked.push_back(host.hostname);
      return std::vector<OsqueryScheduledQuery>{
          {"uptime", "SELECT total_seconds FROM uptime", 60, false, ""},
          {"users", "SELECT * FROM users", 3600, true, "warden-label-prod"}};
    };
    RegisterOsqueryHandlers(handlers, std::move(osquery));
    return Status::Ok();
  }});
  ASSERT_TRUE(server.ok());
  const std::string key = EnrollOsquery(server, "scheduled-host");
  ClientResponse r = OsqueryPost(server, "config", Json{{"node_key", key}}.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(ValidateAgainstSpec("getOsqueryConfig", r).ok()) << r.body;
  Json config = Json::parse(r.body);
  EXPECT_EQ(config["options"]["distributed_interval"], 7);
  EXPECT_EQ(config["schedule"]["uptime"]["query"], "SELECT total_seconds FROM uptime");
  EXPECT_EQ(config["schedule"]["uptime"]["interval"], 60);
  EXPECT_EQ(config["packs"]["warden-label-prod"]["queries"]["users"]["snapshot"], true);
  EXPECT_EQ(asked, std::vector<std::string>{"scheduled-host"});
}

TEST(OsqueryHandlersTest, ALiveQueryIsReadAnsweredAndStoredLikeAWardenAgentsAnswer) {
  TestServer server;
  ASSERT_TRUE(server.ok());
  const std::string key = EnrollOsquery(server);
  store::User admin = server.AddUser("lq-admin", auth::Role::kAdmin, "correct horse battery");
  Credentials token = server.AddToken(admin.id);
  const std::string host_id =
      Json::parse(server.Call("GET", "/api/v1/hosts", token).body)["items"][0]["id"];

  // Nothing yet: an empty poll, no accelerate (it would end a running one).
  ClientResponse empty = OsqueryPost(server, "distributed/read", Json{{"node_key", key}}.dump());
  ASSERT_EQ(empty.status, 200) << empty.body;
  EXPECT_TRUE(ValidateAgainstSpec("readOsqueryQueries", empty).ok()) << empty.body;
  EXPECT_EQ(Json::parse(empty.body)["queries"], Json::object());
  EXPECT_EQ(Json::parse(empty.body).count("accelerate"), 0u);

  ClientResponse created = server.Call(
      "POST", "/api/v1/queries", token,
      Json{{"sql", "SELECT pid, name FROM processes"}, {"targets", {{"host_ids", {host_id}}}}}
          .dump());
  ASSERT_EQ(created.status, 202) << created.body;
  const std::string query_id = Json::parse(created.body)["id"];

  ClientResponse read = OsqueryPost(server, "distributed/read", Json{{"node_key", key}}.dump());
  ASSERT_EQ(read.status, 200) << read.body;
  EXPECT_TRUE(ValidateAgainstSpec("readOsqueryQueries", read).ok()) << read.body;
  Json queries = Json::parse(read.body)["queries"];
  ASSERT_EQ(queries.size(), 1u) << read.body;
  const std::string name = queries.begin().key();
  EXPECT_EQ(name.rfind("warden-cmd-", 0), 0u);
  EXPECT_EQ(queries[name], "SELECT pid, name FROM processes");
  EXPECT_TRUE(Json::parse(read.body)["accelerate"].is_number_integer()) << read.body;
  ClientResponse running = server.Call("GET", "/api/v1/queries/" + query_id + "/hosts", token);
  EXPECT_EQ(Json::parse(running.body)["items"][0]["state"], "running") << running.body;

  const Json write = {
      {"queries",
       {{name, {{{"pid", "1"}, {"name", "systemd"}}, {{"pid", "42"}, {"name", "sshd"}}}}}},
      {"statuses", {{name, 0}}},
      {"messages", {{name, ""}}},
      {"stats", {{name, {{"wall_time_ms", 3}, {"user_time", 1}}}}},
      {"node_key", key}};
  ClientResponse written = OsqueryPost(server, "distributed/write", write.dump());
  ASSERT_EQ(written.status, 200) << written.body;
  EXPECT_TRUE(ValidateAgainstSpec("writeOsqueryResults", written).ok()) << written.body;
  EXPECT_EQ(ErrorOf(written), "");
  // osquery sends the same write again after a lost answer: nothing doubles.
  ASSERT_EQ(OsqueryPost(server, "distributed/write", write.dump()).status, 200);

  ClientResponse query = server.Call("GET", "/api/v1/queries/" + query_id, token);
  ASSERT_EQ(query.status, 200) << query.body;
  Json q = Json::parse(query.body);
  EXPECT_EQ(q["state"], "done") << query.body;
  EXPECT_EQ(q["counts"]["done"], 1);
  ClientResponse hosts = server.Call("GET", "/api/v1/queries/" + query_id + "/hosts", token);
  Json target = Json::parse(hosts.body)["items"][0];
  EXPECT_EQ(target["state"], "done");
  EXPECT_EQ(target["returned_rows"], 2);
  ClientResponse results = server.Call("GET", "/api/v1/queries/" + query_id + "/results", token);
  ASSERT_EQ(results.status, 200) << results.body;
  Json items = Json::parse(results.body)["items"];
  ASSERT_EQ(items.size(), 2u) << results.body;
  EXPECT_EQ(items[1]["row"]["name"], "sshd") << results.body;
  // Read again: the answered query is not handed out again.
  ClientResponse after = OsqueryPost(server, "distributed/read", Json{{"node_key", key}}.dump());
  EXPECT_EQ(Json::parse(after.body)["queries"], Json::object()) << after.body;
}

TEST(OsqueryHandlersTest, AFailedQueryIsTheHostsErrorWithOsquerysMessage) {
  TestServer server;
  ASSERT_TRUE(server.ok());
  const std::string key = EnrollOsquery(server);
  store::User admin = server.AddUser("err-admin", auth::Role::kAdmin, "correct horse battery");
  Credentials token = server.AddToken(admin.id);
  const std::string host_id =
      Json::parse(server.Call("GET", "/api/v1/hosts", token).body)["items"][0]["id"];
  ClientResponse created = server.Call(
      "POST", "/api/v1/queries", token,
      Json{{"sql", "SELECT * FROM nope"}, {"targets", {{"host_ids", {host_id}}}}}.dump());
  ASSERT_EQ(created.status, 202) << created.body;
  const std::string query_id = Json::parse(created.body)["id"];
  Json queries = Json::parse(
      OsqueryPost(server, "distributed/read", Json{{"node_key", key}}.dump()).body)["queries"];
  ASSERT_EQ(queries.size(), 1u);
  const std::string name = queries.begin().key();
  ClientResponse written = OsqueryPost(server, "distributed/write",
                                       Json{{"queries", {{name, ""}}},
                                            {"statuses", {{name, 1}}},
                                            {"messages", {{name, "no such table: nope"}}},
                                            {"node_key", key}}
                                           .dump());
  ASSERT_EQ(written.status, 200) << written.body;
  Json target = Json::parse(
      server.Call("GET", "/api/v1/queries/" + query_id + "/hosts", token).body)["items"][0];
  EXPECT_EQ(target["state"], "error");
  EXPECT_EQ(target["error"], "no such table: nope");
}

TEST(OsqueryHandlersTest, ResultLinesAreIngestedOnceAndStatusLinesCounted) {
  TestServer server;
  ASSERT_TRUE(server.ok());
  const std::string key = EnrollOsquery(server);
  const Json line = {{"name", "pack_warden_uptime"},
                     {"hostIdentifier", "osq-1"},
                     {"calendarTime", "Mon Dec  7 12:00:00 2026 UTC"},
                     {"unixTime", 1796731200},
                     {"epoch", 0},
                     {"counter", 0},
                     {"numerics", false},
                     {"columns", {{"total_seconds", "1234"}}},
                     {"action", "added"}};
  const Json body = {
      {"data", {line, line, {{"no_name", true}}}}, {"log_type", "result"}, {"node_key", key}};
  ClientResponse r = OsqueryPost(server, "log", body.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(ValidateAgainstSpec("pushOsqueryLogs", r).ok()) << r.body;
  // The same upload again (osquery resends after an error): duplicates.
  ASSERT_EQ(OsqueryPost(server, "log", body.dump()).status, 200);
  const Json status = {{"data",
                        {{{"hostIdentifier", "osq-1"},
                          {"severity", "2"},
                          {"filename", "config.cpp"},
                          {"line", "100"},
                          {"message", "bad config"}}}},
                       {"log_type", "status"},
                       {"node_key", key}};
  ASSERT_EQ(OsqueryPost(server, "log", status.dump()).status, 200);
  store::User admin = server.AddUser("m-admin", auth::Role::kAdmin, "correct horse battery");
  ClientResponse metrics = server.Call("GET", "/metrics", server.AddToken(admin.id));
  ASSERT_EQ(metrics.status, 200);
  EXPECT_NE(
      metrics.body.find("warden_osquery_log_lines_total{kind=\"result\",outcome=\"stored\"} 2"),
      std::string::npos)
      << metrics.body;
  EXPECT_NE(
      metrics.body.find("warden_osquery_log_lines_total{kind=\"result\",outcome=\"duplicate\"} 2"),
      std::string::npos);
  EXPECT_NE(metrics.body.find("warden_osquery_log_lines_total{kind=\"any\",outcome=\"skipped\"} 2"),
            std::string::npos);
  EXPECT_NE(metrics.body.find(
                "warden_osquery_log_lines_total{kind=\"status_error\",outcome=\"counted\"} 1"),
            std::string::npos);
}

TEST(OsqueryHandlersTest, WardenOnlyCommandsAreRefusedForOsqueryHosts) {
  TestServer server;
  ASSERT_TRUE(server.ok());
  const std::string key = EnrollOsquery(server);
  store::User admin = server.AddUser("cmd-admin", auth::Role::kAdmin, "correct horse battery");
  Credentials token = server.AddToken(admin.id);
  const std::string host_id =
      Json::parse(server.Call("GET", "/api/v1/hosts", token).body)["items"][0]["id"];
  ClientResponse scan = server.Call("POST", "/api/v1/hosts/" + host_id + "/scans", token);
  EXPECT_EQ(scan.status, 409) << scan.body;
  EXPECT_NE(scan.body.find("E_AGENT_FEATURE_UNAVAILABLE"), std::string::npos) << scan.body;
  EXPECT_TRUE(ValidateAgainstSpec("runHostScan", scan).ok()) << scan.body;
  ClientResponse by_id = server.Call("POST", "/api/v1/scans", token,
                                     Json{{"scope", "hosts"}, {"host_ids", {host_id}}}.dump());
  EXPECT_EQ(by_id.status, 422) << by_id.body;
  EXPECT_NE(by_id.body.find("runs osquery"), std::string::npos) << by_id.body;
  ClientResponse all =
      server.Call("POST", "/api/v1/scans", token, Json{{"scope", "all"}, {"dry_run", true}}.dump());
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_EQ(Json::parse(all.body)["targeted"], 0) << all.body;

  // A command queued anyway (a problem from before the host ran osquery) is
  // answered `rejected` at the next read, not left pending.
  auto queued = server.store()
                    .Write([&](store::StoreWriter& w) {
                      store::NewAgentCommand c;
                      c.host_id = std::stoll(host_id);
                      c.type = "reload_config";
                      c.created_by = "system";
                      c.created_at = NowEpochMillis();
                      return w.commands().Create(c);
                    })
                    .Wait();
  ASSERT_TRUE(queued.ok());
  ClientResponse read = OsqueryPost(server, "distributed/read", Json{{"node_key", key}}.dump());
  EXPECT_EQ(Json::parse(read.body)["queries"], Json::object()) << read.body;
  auto command = server.store().commands().Get(queued->id);
  ASSERT_TRUE(command.ok() && command->has_value());
  EXPECT_EQ((*command)->result_status, "rejected");
}

TEST(OsqueryHandlersTest, DismissingAProblemOfAnOsqueryHostIsRefused) {
  TestServer server;
  ASSERT_TRUE(server.ok());
  const std::string key = EnrollOsquery(server);
  auto node = server.store().node_keys().FindByHash(auth::TokenHash(key));
  ASSERT_TRUE(node.ok() && node->has_value());
  // A problem from the days the host ran the Warden agent.
  auto stored = server.store()
                    .Write([&](store::StoreWriter& w) {
                      store::FleetProblem p;
                      p.host_id = (*node)->host_id;
                      p.hostname = "osq-1";
                      p.agent_problem_id = "finding-1";
                      p.rule_id = "HOST-OPEN-PORTS";
                      p.title = "Port 23 is open";
                      p.resource = "tcp/23";
                      p.first_detected_at = p.last_detected_at = p.status_changed_at =
                          p.updated_at = NowEpochMillis();
                      p.revision = 1;
                      return w.problems().Upsert(p);
                    })
                    .Wait();
  ASSERT_TRUE(stored.ok()) << stored.status().message();
  store::User admin = server.AddUser("dis-admin", auth::Role::kAdmin, "correct horse battery");
  Credentials token = server.AddToken(admin.id);
  ClientResponse r =
      server.Call("POST", "/api/v1/problems/" + std::to_string(stored->problem.id) + "/dismiss",
                  token, Json{{"comment", "accepted risk"}}.dump());
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_NE(r.body.find("E_AGENT_FEATURE_UNAVAILABLE"), std::string::npos) << r.body;
  EXPECT_TRUE(ValidateAgainstSpec("dismissProblem", r).ok()) << r.body;
  auto commands = server.store().commands().Pending((*node)->host_id, NowEpochMillis(), 10);
  ASSERT_TRUE(commands.ok());
  EXPECT_TRUE(commands->empty()) << "no dismiss command is queued";
}

}  // namespace
}  // namespace warden::server::testing

// Saved queries, favourites, runs as campaigns, central schedules in the
// agent config, scheduled-query results and host schedules, through the
// real server (127.0.0.1, TLS, SQLite store in a temporary directory) with
// "agents" speaking the agent channel. Every answer is validated against
// the spec.
#include <gtest/gtest.h>

#include <string>

#include "auth/role.h"
#include "core/time_format.h"
#include "server/server_test_support.h"

namespace warden::server::testing {
namespace {

Json Body(const ClientResponse& r) { return Json::parse(r.body, nullptr, false); }

std::vector<std::string> Names(const Json& page) {
  std::vector<std::string> out;
  for (const Json& item : page.value("items", Json::array())) out.push_back(item.value("name", ""));
  return out;
}

class SavedQueriesHandlersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.ok());
    store::User admin = server_.AddUser("sq-admin", auth::Role::kAdmin, kPassword);
    admin_ = server_.AddToken(admin.id);
    admin_user_ = admin.id;
    store::User viewer = server_.AddUser("sq-viewer", auth::Role::kViewer, kPassword);
    viewer_ = server_.AddToken(viewer.id);
    analyst_user_ = server_.AddUser("sq-analyst", auth::Role::kAnalyst, kPassword).id;
    analyst_ = server_.Login("sq-analyst", kPassword);
    ASSERT_FALSE(analyst_.session_id.empty());
  }

  ClientResponse Checked(const std::string& operation_id, const std::string& method,
                         const std::string& target, const Credentials& who,
                         const Json& body = nullptr) {
    return CheckedCall(server_, operation_id, method, target, who,
                       body.is_null() ? "" : body.dump());
  }

  using Agent = EnrolledAgent;

  Agent Enrol(const std::string& hostname, const std::vector<std::string>& labels) {
    Agent a = EnrolThroughApi(server_, admin_, hostname, labels);
    Checked("pollAgentCommands", "GET", "/api/v1/agent/commands?wait=0", a.node);
    (void)server_.store().Flush();
    return a;
  }

  ClientResponse Config(const Agent& agent) {
    ClientResponse r = Checked("getAgentConfig", "GET", "/api/v1/agent/config", agent.node);
    EXPECT_EQ(r.status, 200) << r.body;
    return r;
  }

  Json Save(const Json& request, const Credentials& who, long status = 201) {
    ClientResponse r = Checked("createSavedQuery", "POST", "/api/v1/saved-queries", who, request);
    EXPECT_EQ(r.status, status) << r.body;
    return Body(r);
  }

  Json List(const std::string& query, const Credentials& who) {
    ClientResponse r = Checked("listSavedQueries", "GET", "/api/v1/saved-queries" + query, who);
    EXPECT_EQ(r.status, 200) << r.body;
    return Body(r);
  }

  void PushRecords(const Agent& agent, const Json& records) {
    static int batch = 0;
    ClientResponse r =
        Checked("pushAgentRecords", "POST", "/api/v1/agent/records", agent.node,
                Json{{"batch_id", "b" + std::to_string(++batch)}, {"records", records}});
    EXPECT_EQ(r.status, 200) << r.body;
  }

  static constexpr const char* kPassword = "correct horse battery";
  TestServer server_;
  Credentials admin_;
  int64_t admin_user_ = 0;
  Credentials viewer_;
  Credentials analyst_;
  int64_t analyst_user_ = 0;
};

TEST_F(SavedQueriesHandlersTest, SavesListsFiltersExportsUpdatesAndDeletes) {
  const std::string sql = "SELECT name FROM processes WHERE name = 'a''; --'";
  Json a = Save(Json{{"name", "procs"},
                     {"description", "Running processes"},
                     {"sql", sql},
                     {"tags", {"linux", "triage"}}},
                analyst_);
  EXPECT_EQ(a["sql"], sql);
  EXPECT_EQ(a["owner"]["type"], "user");
  EXPECT_EQ(a["schedule"], nullptr);
  EXPECT_EQ(a["favourite"], false);
  Save(Json{{"name", "ports"}, {"sql", "SELECT * FROM listening_ports"}, {"tags", {"network"}}},
       admin_);
  Json taken = Save(Json{{"name", "procs"}, {"sql", "SELECT 1"}}, admin_, 409);
  EXPECT_EQ(taken["error"]["code"], "E_NAME_TAKEN");
  Checked("createSavedQuery", "POST", "/api/v1/saved-queries", viewer_,
          Json{{"name", "v"}, {"sql", "SELECT 1"}});

  EXPECT_EQ(Names(List("", viewer_)), (std::vector<std::string>{"ports", "procs"}));
  EXPECT_EQ(Names(List("?tag=triage", viewer_)), (std::vector<std::string>{"procs"}));
  EXPECT_EQ(Names(List("?q=PROCESSES", viewer_)), (std::vector<std::string>{"procs"}));
  EXPECT_EQ(Names(List("?owner=user:" + std::to_string(analyst_user_), viewer_)),
            (std::vector<std::string>{"procs"}));
  EXPECT_EQ(Names(List("?sort=-name&limit=1", viewer_)), (std::vector<std::string>{"procs"}));

  ClientResponse csv = Checked("exportSavedQueries", "GET",
                               "/api/v1/saved-queries/export?format=csv&tag=network", viewer_);
  EXPECT_EQ(csv.status, 200);
  EXPECT_NE(csv.body.find("ports"), std::string::npos);
  EXPECT_EQ(csv.body.find("procs"), std::string::npos);

  const std::string id = a["id"];
  ClientResponse patched =
      Checked("updateSavedQuery", "PATCH", "/api/v1/saved-queries/" + id, analyst_,
              Json{{"description", "changed"}, {"tags", Json::array()}});
  EXPECT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(Body(patched)["description"], "changed");
  EXPECT_EQ(Body(patched)["sql"], sql);
  EXPECT_TRUE(Body(patched)["tags"].empty());
  ClientResponse renamed = Checked("updateSavedQuery", "PATCH", "/api/v1/saved-queries/" + id,
                                   analyst_, Json{{"name", "ports"}});
  EXPECT_EQ(renamed.status, 409);

  ClientResponse deleted =
      Checked("deleteSavedQuery", "DELETE", "/api/v1/saved-queries/" + id, analyst_);
  EXPECT_EQ(deleted.status, 204);
  ClientResponse gone = Checked("getSavedQuery", "GET", "/api/v1/saved-queries/" + id, viewer_);
  EXPECT_EQ(gone.status, 404);
  EXPECT_EQ(Body(gone)["error"]["code"], "E_SAVED_QUERY_NOT_FOUND");
}

TEST_F(SavedQueriesHandlersTest, FavouritesBelongToEachUser) {
  const std::string a = Save(Json{{"name", "a"}, {"sql", "SELECT 1"}}, admin_)["id"];
  const std::string b = Save(Json{{"name", "b"}, {"sql", "SELECT 2"}}, admin_)["id"];
  EXPECT_EQ(
      Checked("favouriteSavedQuery", "PUT", "/api/v1/saved-queries/" + a + "/favourite", analyst_)
          .status,
      204);
  EXPECT_EQ(
      Checked("favouriteSavedQuery", "PUT", "/api/v1/saved-queries/" + a + "/favourite", analyst_)
          .status,
      204);
  EXPECT_EQ(
      Checked("favouriteSavedQuery", "PUT", "/api/v1/saved-queries/" + b + "/favourite", viewer_)
          .status,
      204);
  EXPECT_EQ(Names(List("?favourite=true", analyst_)), (std::vector<std::string>{"a"}));
  EXPECT_EQ(Names(List("?favourite=true", viewer_)), (std::vector<std::string>{"b"}));
  EXPECT_EQ(Names(List("?favourite=false", viewer_)), (std::vector<std::string>{"a"}));
  EXPECT_TRUE(Names(List("?favourite=true", admin_)).empty());
  Json listed = List("", analyst_);
  ASSERT_EQ(listed["items"].size(), 2u);
  EXPECT_EQ(listed["items"][0]["favourite"], true);
  EXPECT_EQ(listed["items"][1]["favourite"], false);

  EXPECT_EQ(Checked("unfavouriteSavedQuery", "DELETE", "/api/v1/saved-queries/" + a + "/favourite",
                    analyst_)
                .status,
            204);
  EXPECT_TRUE(Names(List("?favourite=true", analyst_)).empty());
  EXPECT_EQ(
      Checked("favouriteSavedQuery", "PUT", "/api/v1/saved-queries/999/favourite", analyst_).status,
      404);
}

TEST_F(SavedQueriesHandlersTest, RunStartsACampaignThatTheHistoryFindsBySavedQuery) {
  Agent web = Enrol("web-1", {"env=prod"});
  const std::string sql = "SELECT uid FROM users WHERE username = 'x\"; DROP'";
  const std::string id = Save(Json{{"name", "users"}, {"sql", sql}}, admin_)["id"];
  ClientResponse dry =
      Checked("runSavedQuery", "POST", "/api/v1/saved-queries/" + id + "/run", analyst_,
              Json{{"targets", {{"labels", {"env=prod"}}}}, {"dry_run", true}});
  EXPECT_EQ(dry.status, 200) << dry.body;
  EXPECT_EQ(Body(dry)["targeted"], 1);
  ClientResponse none = Checked("runSavedQuery", "POST", "/api/v1/saved-queries/" + id + "/run",
                                analyst_, Json{{"targets", {{"labels", {"env=none"}}}}});
  EXPECT_EQ(none.status, 422);
  ClientResponse run = Checked("runSavedQuery", "POST", "/api/v1/saved-queries/" + id + "/run",
                               analyst_, Json{{"targets", {{"labels", {"env=prod"}}}}});
  ASSERT_EQ(run.status, 202) << run.body;
  Json campaign = Body(run);
  EXPECT_EQ(campaign["saved_query_id"], id);
  EXPECT_EQ(campaign["sql"], sql);
  ClientResponse polled =
      Checked("pollAgentCommands", "GET", "/api/v1/agent/commands?wait=0", web.node);
  Json commands = Body(polled)["commands"];
  ASSERT_EQ(commands.size(), 1u);
  EXPECT_EQ(commands[0]["args"]["sql"], sql);

  // Another campaign not from the saved query.
  ClientResponse other = Checked("createLiveQuery", "POST", "/api/v1/queries", admin_,
                                 Json{{"sql", "SELECT 1"}, {"targets", {{"all", true}}}});
  ASSERT_EQ(other.status, 202);
  ClientResponse history =
      Checked("listLiveQueries", "GET", "/api/v1/queries?saved_query_id=" + id, viewer_);
  ASSERT_EQ(history.status, 200);
  ASSERT_EQ(Body(history)["items"].size(), 1u);
  EXPECT_EQ(Body(history)["items"][0]["id"], campaign["id"]);
  const std::string future = FormatRfc3339(NowEpochMillis() / 1000 + 3600);
  const std::string past = FormatRfc3339(NowEpochMillis() / 1000 - 3600);
  EXPECT_EQ(
      Body(Checked("listLiveQueries", "GET", "/api/v1/queries?since=" + future, viewer_))["total"],
      0);
  EXPECT_EQ(Body(Checked("listLiveQueries", "GET",
                         "/api/v1/queries?since=" + past + "&until=" + future, viewer_))["total"],
            2);
  ClientResponse exported = Checked(
      "exportLiveQueries", "GET",
      "/api/v1/queries/export?format=jsonl&saved_query_id=" + id + "&since=" + past, viewer_);
  EXPECT_EQ(exported.status, 200);
  EXPECT_NE(exported.body.find("\"saved_query_id\":\"" + id + "\""), std::string::npos);
}

TEST_F(SavedQueriesHandlersTest, ScheduleReachesTargetedAgentsAndTheirResultsAreKept) {
  Agent prod = Enrol("web-1", {"env=prod"});
  Agent dev = Enrol("dev-1", {"env=dev"});
  const std::string before_etag = Body(Config(prod))["etag"];
  EXPECT_TRUE(Body(Config(prod))["queries"].empty());

  Json saved = Save(Json{{"name", "listeners"},
                         {"sql", "SELECT port FROM listening_ports"},
                         {"schedule",
                          {{"targets", {{"labels", {"env=prod"}}}},
                           {"schedule", {{"interval_seconds", 60}}},
                           {"mode", "snapshot"}}}},
                    admin_);
  const std::string id = saved["id"];
  EXPECT_EQ(saved["schedule"]["query_name"], "srv:listeners");
  Json config = Body(Config(prod));
  EXPECT_NE(config["etag"], before_etag);
  ASSERT_EQ(config["queries"].size(), 1u);
  EXPECT_EQ(config["queries"][0]["name"], "srv:listeners");
  EXPECT_EQ(config["queries"][0]["query"], "SELECT port FROM listening_ports");
  EXPECT_EQ(config["queries"][0]["mode"], "snapshot");
  EXPECT_EQ(config["queries"][0]["schedule"]["interval_seconds"], 60);
  EXPECT_TRUE(Body(Config(dev))["queries"].empty());

  // The agent reports a snapshot run and a differential line of its own query.
  const int64_t now = NowEpochMillis();
  PushRecords(
      prod,
      Json::array({
          {{"id", "r1"},
           {"kind", "results"},
           {"time_ms", now - 1000},
           {"body",
            {{"name", "srv:listeners"},
             {"hostIdentifier", "web-1"},
             {"action", "snapshot"},
             {"unixTime", (now - 1000) / 1000},
             {"epoch", 0},
             {"counter", 3},
             {"snapshot", {{{"port", 22}}, {{"port", 443}}}}}}},
          {{"id", "r2"},
           {"kind", "results"},
           {"time_ms", now - 500},
           {"body", {{"name", "own_query"}, {"action", "added"}, {"columns", {{"user", "root"}}}}}},
          {{"id", "s1"},
           {"kind", "status"},
           {"time_ms", now},
           {"body",
            {{"agent", {{"version", "0.9.0"}}},
             {"jobs",
              {{{"name", "srv:listeners"},
                {"kind", "query"},
                {"last_run_ms", now - 1000},
                {"duration_ms", 4},
                {"outcome", "ok"},
                {"result", "2 rows (snapshot)"},
                {"next_run_ms", 0},
                {"runs", 4},
                {"failures", 0}},
               {{"name", "own_query"},
                {"kind", "query"},
                {"last_run_ms", now - 500},
                {"result", "1 rows, 1 added, 0 removed"},
                {"next_run_ms", now + 30'000}}}}}}},
      }));

  ClientResponse results = Checked("listScheduledResults", "GET",
                                   "/api/v1/scheduled-results?saved_query_id=" + id, viewer_);
  ASSERT_EQ(results.status, 200) << results.body;
  Json items = Body(results)["items"];
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0]["name"], "srv:listeners");
  EXPECT_EQ(items[0]["host_id"], prod.host_id);
  EXPECT_EQ(items[0]["hostname"], "web-1");
  EXPECT_EQ(items[0]["action"], "snapshot");
  EXPECT_EQ(items[0]["counter"], 3);
  EXPECT_EQ(Body(Checked("listScheduledResults", "GET",
                         "/api/v1/scheduled-results?name=own_query&host_id=" + prod.host_id,
                         viewer_))["total"],
            1);
  EXPECT_EQ(Body(Checked("listScheduledResults", "GET",
                         "/api/v1/scheduled-results?host_id=" + dev.host_id, viewer_))["total"],
            0);
  const std::string later = FormatRfc3339(now / 1000 + 60);
  EXPECT_EQ(Body(Checked("listScheduledResults", "GET", "/api/v1/scheduled-results?since=" + later,
                         viewer_))["total"],
            0);
  ClientResponse csv =
      Checked("exportScheduledResults", "GET",
              "/api/v1/scheduled-results/export?format=csv&name=srv:listeners", viewer_);
  EXPECT_EQ(csv.status, 200);
  EXPECT_NE(csv.body.find("443"), std::string::npos);

  ClientResponse schedule =
      Checked("getHostSchedule", "GET", "/api/v1/hosts/" + prod.host_id + "/schedule", viewer_);
  ASSERT_EQ(schedule.status, 200) << schedule.body;
  Json jobs = Body(schedule)["items"];
  ASSERT_EQ(jobs.size(), 2u);
  EXPECT_EQ(jobs[0]["name"], "own_query");
  EXPECT_EQ(jobs[0]["source"], "agent");
  EXPECT_EQ(jobs[0]["last_rows"], 1);
  EXPECT_EQ(jobs[0]["next_run_at"], FormatRfc3339((now + 30'000) / 1000));
  EXPECT_EQ(jobs[1]["name"], "srv:listeners");
  EXPECT_EQ(jobs[1]["source"], "server");
  EXPECT_EQ(jobs[1]["saved_query_id"], id);
  EXPECT_EQ(jobs[1]["last_rows"], 2);
  EXPECT_EQ(jobs[1]["runs"], 4);
  // next run = last run + interval when the agent did not say.
  EXPECT_EQ(jobs[1]["next_run_at"], FormatRfc3339((now - 1000 + 60'000) / 1000));
  EXPECT_EQ(Checked("getHostSchedule", "GET", "/api/v1/hosts/99999/schedule", viewer_).status, 404);

  // Unscheduled: the config drops the query and its etag changes again.
  const std::string scheduled_etag = Body(Config(prod))["etag"];
  ClientResponse unscheduled = Checked("updateSavedQuery", "PATCH", "/api/v1/saved-queries/" + id,
                                       admin_, Json{{"schedule", nullptr}});
  EXPECT_EQ(unscheduled.status, 200) << unscheduled.body;
  Json after = Body(Config(prod));
  EXPECT_TRUE(after["queries"].empty());
  EXPECT_NE(after["etag"], scheduled_etag);
}

TEST_F(SavedQueriesHandlersTest, RefusesAScheduleWithoutTimingOrTargets) {
  Json no_timing =
      Save(Json{{"name", "x"},
                {"sql", "SELECT 1"},
                {"schedule", {{"targets", {{"all", true}}}, {"schedule", Json::object()}}}},
           admin_, 422);
  EXPECT_EQ(no_timing["error"]["field"], "/schedule/schedule");
  Json no_targets = Save(
      Json{{"name", "y"},
           {"sql", "SELECT 1"},
           {"schedule", {{"targets", Json::object()}, {"schedule", {{"daily_at", {"03:00"}}}}}}},
      admin_, 422);
  EXPECT_EQ(no_targets["error"]["field"], "/schedule/targets");
}

TEST_F(SavedQueriesHandlersTest, MalformedResultLinesAreRefusedNamingTheMember) {
  Agent prod = Enrol("web-1", {"env=prod"});
  ClientResponse r = Checked(
      "pushAgentRecords", "POST", "/api/v1/agent/records", prod.node,
      Json{{"batch_id", "bad"},
           {"records",
            {{{"id", "r1"},
              {"kind", "results"},
              {"time_ms", 1},
              {"body", {{"name", "q"}, {"action", "added"}, {"columns", "not an object"}}}}}}});
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(Body(r)["error"]["field"], "/records/0/body/columns");
}

}  // namespace
}  // namespace warden::server::testing

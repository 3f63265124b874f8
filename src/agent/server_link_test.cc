#include "agent/server_link.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <deque>
#include <mutex>

#include "agent/agent.h"
#include "agent/agent_config.h"
#include "agent/inventory_records.h"
#include "agent/server_enrolment.h"
#include "delivery/scripted_http_poster.h"
#include "problems/sqlite_problem_repository.h"
#include "testing/test_util.h"

namespace warden {
namespace {

using testing::TempDir;

using testing::ScriptedPoster;
constexpr const char* kNodeKey = testing::kTestNodeKey;

HttpResponse Answer(long status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

// A problem in <dir>/state.db, returned by id.
std::string RaiseProblem(const std::string& state_dir) {
  auto repo = SqliteProblemRepository::Open(StateFilePath(state_dir), false);
  EXPECT_TRUE(repo.ok());
  Finding f;
  f.id = MakeFindingId({"HOST-OPEN-PORTS", "host", "tcp", "0.0.0.0", "8080"});
  f.rule_id = "HOST-OPEN-PORTS";
  f.title = "Processes listening on open ports";
  f.risk_level = RiskLevel::kMedium;
  f.source = "host.ports";
  f.resource = "tcp 0.0.0.0:8080";
  f.first_seen = f.last_seen = 1700000000;
  Observation obs;
  obs.findings.push_back(f);
  auto events = (*repo)->Reconcile("HOST-OPEN-PORTS", "host", obs, 1700000000, nullptr);
  EXPECT_TRUE(events.ok());
  return f.id;
}

// Ends the i-th run a LinkFixture started.
JobRunReport Report(const std::string& job, const std::string& outcome, int64_t started_ms) {
  JobRunReport r;
  r.job = job;
  r.started_ms = started_ms;
  r.duration_ms = 42;
  r.outcome = outcome;
  r.result = outcome + ": 3 found";
  r.next_run_ms = started_ms + 3'600'000;
  r.runs = 2;
  r.failures = outcome == "ok" ? 0 : 1;
  return r;
}

struct LinkFixture {
  TempDir dir;
  std::shared_ptr<ScriptedPoster::Shared> shared = std::make_shared<ScriptedPoster::Shared>();
  std::vector<std::string> ran;
  std::vector<JobRunCallback> to_report;  // of the runs started, in order
  int reloads = 0;
  std::vector<std::string> log;
  ServerLinkOptions Options() {
    ServerLinkOptions o;
    o.endpoint.url = "https://warden.example";
    o.endpoint.node_key_file = dir.WriteFile("node-key", std::string(kNodeKey) + "\n");
    o.state_dir = dir.path();
    o.detector_ids = {"HOST-OPEN-PORTS", "HOST-VULN"};
    o.run_now = [this](const std::string& job, JobRunCallback on_finished) {
      if (job == "NOPE") return NotFound("no job named 'NOPE'");
      ran.push_back(job);
      to_report.push_back(std::move(on_finished));
      return Status::Ok();
    };
    o.request_reload = [this] { ++reloads; };
    auto shared_copy = shared;
    o.http_poster = [shared_copy] { return std::make_unique<ScriptedPoster>(shared_copy); };
    o.log = [this](const std::string& line) { log.push_back(line); };
    o.backoff_initial_ms = 10;
    o.backoff_max_ms = 20;
    return o;
  }
};

TEST(ServerLinkTest, DismissCommandIsKeptInTheProblemStoreAcrossRestarts) {
  LinkFixture f;
  const std::string id = RaiseProblem(f.dir.path());
  Json commands = {
      {"commands",
       {{{"id", "cmd-1"},
         {"type", "dismiss"},
         {"args", {{"problem_id", id}, {"comment", "approved"}, {"until_ms", nullptr}}},
         {"created_at_ms", 1}}}}};
  f.shared->answers = {Answer(200, commands.dump()), Answer(204, "")};
  {
    ServerLink link(f.Options());
    Status st = link.PollCommandsOnce(0);
    ASSERT_TRUE(st.ok()) << st.message();
  }
  ASSERT_EQ(f.shared->requests.size(), 2u);
  EXPECT_EQ(f.shared->requests[0].method, "GET");
  EXPECT_EQ(f.shared->requests[0].url, "https://warden.example/api/v1/agent/commands?wait=0");
  EXPECT_EQ(f.shared->requests[1].url, "https://warden.example/api/v1/agent/commands/cmd-1/result");
  Json result = Json::parse(f.shared->requests[1].body);
  EXPECT_EQ(result["status"], "succeeded") << result.dump();
  EXPECT_EQ(result["output"]["status"], "dismissed");
  EXPECT_TRUE(result["finished_at_ms"].is_number_integer());

  // A new process (the agent restarted) reads the dismissal from state.db,
  // and the detector seeing the same socket again keeps it dismissed.
  auto repo = SqliteProblemRepository::Open(StateFilePath(f.dir.path()), false);
  ASSERT_TRUE(repo.ok());
  auto problem = (*repo)->Get(id);
  ASSERT_TRUE(problem.ok());
  EXPECT_EQ(problem->status, ProblemStatus::kDismissed);
  Observation again;
  Finding same;
  same.id = id;
  same.rule_id = "HOST-OPEN-PORTS";
  same.title = "Processes listening on open ports";
  same.risk_level = RiskLevel::kMedium;
  same.resource = "tcp 0.0.0.0:8080";
  same.first_seen = same.last_seen = 1700000600;
  again.findings.push_back(same);
  ASSERT_TRUE((*repo)->Reconcile("HOST-OPEN-PORTS", "host", again, 1700000600, nullptr).ok());
  EXPECT_EQ((*repo)->Get(id)->status, ProblemStatus::kDismissed);
}

TEST(ServerLinkTest, UndismissAndRunDetectorAndReload) {
  LinkFixture f;
  const std::string id = RaiseProblem(f.dir.path());
  ServerLink link(f.Options());
  auto d =
      link.Execute({{"id", "1"},
                    {"type", "dismiss"},
                    {"args", {{"problem_id", id}, {"comment", "later"}, {"until_ms", nullptr}}}});
  ASSERT_TRUE(d.has_value());
  ASSERT_EQ(d->status, "succeeded") << d->error;
  auto u = link.Execute(
      {{"id", "2"}, {"type", "undismiss"}, {"args", {{"problem_id", id}, {"comment", nullptr}}}});
  ASSERT_TRUE(u.has_value());
  ASSERT_EQ(u->status, "succeeded") << u->error;
  EXPECT_EQ(u->output["status"], "open");

  // run_detector ends when its runs have: no outcome yet.
  auto run = link.Execute(
      {{"id", "3"}, {"type", "run_detector"}, {"args", {{"rule_ids", Json::array()}}}});
  EXPECT_FALSE(run.has_value());
  EXPECT_EQ(f.ran, (std::vector<std::string>{"HOST-OPEN-PORTS", "HOST-VULN"}));
  auto unknown =
      link.Execute({{"id", "4"}, {"type", "run_detector"}, {"args", {{"rule_ids", {"NOPE"}}}}});
  ASSERT_TRUE(unknown.has_value());  // nothing started: answered at once
  EXPECT_EQ(unknown->status, "failed");
  EXPECT_NE(unknown->error.find("NOPE"), std::string::npos);

  EXPECT_EQ(link.Execute({{"id", "6"}, {"type", "live_query"}, {"args", Json::object()}})->status,
            "rejected");
  auto missing = link.Execute({{"id", "7"},
                               {"type", "dismiss"},
                               {"args", {{"problem_id", "0000000000"}, {"comment", "x"}}}});
  EXPECT_EQ(missing->status, "failed");
  auto no_comment =
      link.Execute({{"id", "8"}, {"type", "dismiss"}, {"args", {{"problem_id", id}}}});
  EXPECT_EQ(no_comment->status, "rejected");
  auto past = link.Execute({{"id", "9"},
                            {"type", "dismiss"},
                            {"args", {{"problem_id", id}, {"comment", "x"}, {"until_ms", 1000}}}});
  EXPECT_EQ(past->status, "rejected");
}

TEST(ServerLinkTest, RunDetectorReportsEachRunOnceAllHaveEnded) {
  LinkFixture f;
  ServerLink link(f.Options());
  ASSERT_FALSE(
      link.Execute({{"id", "3"},
                    {"type", "run_detector"},
                    {"args",
                     {{"rule_ids", {"HOST-OPEN-PORTS", "HOST-VULN", "NOPE"}}, {"scan_id", "12"}}}})
          .has_value());
  ASSERT_EQ(f.to_report.size(), 2u);
  EXPECT_EQ(link.InFlight(), 1u);
  f.to_report[0](Report("HOST-OPEN-PORTS", "ok", 1'700'000'000'000));
  EXPECT_TRUE(link.TakeFinished().empty());  // HOST-VULN still runs
  f.to_report[1](Report("HOST-VULN", "error", 1'700'000'001'000));
  EXPECT_EQ(link.InFlight(), 0u);
  auto finished = link.TakeFinished();
  ASSERT_EQ(finished.count("3"), 1u);
  const CommandOutcome& o = finished["3"];
  EXPECT_EQ(o.status, "failed");
  EXPECT_NE(o.error.find("NOPE"), std::string::npos) << o.error;
  EXPECT_NE(o.error.find("HOST-VULN error: 3 found"), std::string::npos) << o.error;
  ASSERT_EQ(o.output["runs"].size(), 2u) << o.output.dump();
  const Json& ports = o.output["runs"][0];
  EXPECT_EQ(ports["rule_id"], "HOST-OPEN-PORTS");
  EXPECT_EQ(ports["started_at_ms"], 1'700'000'000'000);
  EXPECT_EQ(ports["duration_ms"], 42);
  EXPECT_EQ(ports["outcome"], "ok");
  EXPECT_EQ(ports["result"], "ok: 3 found");
  EXPECT_EQ(ports["next_run_ms"], 1'700'003'600'000);
  EXPECT_TRUE(link.TakeFinished().empty());

  // Every run ok or skipped: succeeded.
  ASSERT_FALSE(
      link.Execute({{"id", "5"}, {"type", "run_detector"}, {"args", {{"rule_ids", {"HOST-VULN"}}}}})
          .has_value());
  f.to_report[2](Report("HOST-VULN", "skipped", 1'700'000'002'000));
  EXPECT_EQ(link.TakeFinished()["5"].status, "succeeded");
}

TEST(ServerLinkTest, RunDetectorResultIsPostedAfterItsRunsEndAndTheyRunOnce) {
  LinkFixture f;
  Json commands = {{"commands",
                    {{{"id", "cmd-9"},
                      {"type", "run_detector"},
                      {"args", {{"rule_ids", {"HOST-VULN"}}}},
                      {"created_at_ms", 1}}}}};
  f.shared->answers = {Answer(200, commands.dump()), Answer(200, commands.dump())};
  ServerLink link(f.Options());
  ASSERT_TRUE(link.PollCommandsOnce(10).ok());
  // Delivered again while it runs: not run twice, and the poll comes back
  // within a second to post the result soon.
  ASSERT_TRUE(link.PollCommandsOnce(10).ok());
  EXPECT_EQ(f.ran, (std::vector<std::string>{"HOST-VULN"}));
  ASSERT_EQ(f.shared->requests.size(), 2u);
  EXPECT_EQ(f.shared->requests[0].url, "https://warden.example/api/v1/agent/commands?wait=10");
  EXPECT_EQ(f.shared->requests[1].url, "https://warden.example/api/v1/agent/commands?wait=1");

  f.to_report[0](Report("HOST-VULN", "ok", 1'700'000'000'000));
  // The server cannot take the result: kept, and posted at the next poll.
  f.shared->answers = {Answer(503, "")};
  EXPECT_FALSE(link.PollCommandsOnce(0).ok());
  f.shared->answers = {Answer(204, ""), Answer(200, commands.dump()), Answer(204, "")};
  ASSERT_TRUE(link.PollCommandsOnce(0).ok());
  ASSERT_EQ(f.shared->requests.size(), 6u);
  EXPECT_EQ(f.shared->requests[2].url, "https://warden.example/api/v1/agent/commands/cmd-9/result");
  EXPECT_EQ(f.shared->requests[3].url, "https://warden.example/api/v1/agent/commands/cmd-9/result");
  Json result = Json::parse(f.shared->requests[3].body);
  EXPECT_EQ(result["status"], "succeeded") << result.dump();
  EXPECT_EQ(result["output"]["runs"][0]["rule_id"], "HOST-VULN");
  // Delivered once more (the first answer was lost): answered again, not run.
  EXPECT_EQ(f.shared->requests[5].url, "https://warden.example/api/v1/agent/commands/cmd-9/result");
  EXPECT_EQ(Json::parse(f.shared->requests[5].body)["status"], "succeeded");
  EXPECT_EQ(f.ran.size(), 1u);
}

TEST(ServerLinkTest, RedeliveredCommandIsAnsweredWithoutRunningTwice) {
  LinkFixture f;
  const std::string id = RaiseProblem(f.dir.path());
  Json commands = {
      {"commands",
       {{{"id", "cmd-9"},
         {"type", "dismiss"},
         {"args", {{"problem_id", id}, {"comment", "approved"}, {"until_ms", nullptr}}},
         {"created_at_ms", 1}}}}};
  f.shared->answers = {Answer(200, commands.dump()), Answer(503, ""), Answer(200, commands.dump()),
                       Answer(204, "")};
  ServerLink link(f.Options());
  EXPECT_FALSE(link.PollCommandsOnce(0).ok());  // the result was not taken
  EXPECT_TRUE(link.PollCommandsOnce(0).ok());
  // Applied once: one dismissal in the problem's history.
  auto repo = SqliteProblemRepository::Open(StateFilePath(f.dir.path()), false);
  ASSERT_TRUE(repo.ok());
  auto history = (*repo)->History(id);
  ASSERT_TRUE(history.ok()) << history.status().message();
  int dismissals = 0;
  for (const auto& e : *history) dismissals += e.action == ProblemAction::kDismissed;
  EXPECT_EQ(dismissals, 1);
  EXPECT_EQ(Json::parse(f.shared->requests[3].body)["status"], "succeeded");
}

TEST(ServerLinkTest, LiveQueryRowsAreSentAgainWhileTheServerIsBusy) {
  LinkFixture f;
  Json commands = {{"commands",
                    {{{"id", "q-1"},
                      {"type", "live_query"},
                      {"args", {{"query_id", "7"}, {"sql", "SELECT 1 AS one"}}},
                      {"created_at_ms", 1}}}}};
  HttpResponse busy = Answer(503, R"({"code":"E_UNAVAILABLE","message":"busy"})");
  busy.retry_after_seconds = 0;
  f.shared->answers = {Answer(200, commands.dump()), busy, busy,
                       Answer(200, R"({"stored":1,"duplicate":false,"truncated":false})"),
                       Answer(204, "")};
  ServerLinkOptions options = f.Options();
  std::vector<std::string> ran;
  options.run_query = [&](const std::string& sql) -> Result<BudgetedQueryResult> {
    ran.push_back(sql);
    BudgetedQueryResult r;
    r.columns = {"one"};
    r.rows = {Json::array({1})};
    return r;
  };
  ServerLink link(std::move(options));
  ASSERT_TRUE(link.PollCommandsOnce(0).ok());
  EXPECT_EQ(ran, std::vector<std::string>{"SELECT 1 AS one"});  // run once
  ASSERT_EQ(f.shared->requests.size(), 5u);
  for (int i : {1, 2, 3}) {
    EXPECT_EQ(f.shared->requests[i].url, "https://warden.example/api/v1/agent/commands/q-1/rows");
    EXPECT_EQ(f.shared->requests[i].body, f.shared->requests[1].body);  // the same chunk
  }
  const Json result = Json::parse(f.shared->requests[4].body);
  EXPECT_EQ(result["status"], "succeeded");
  EXPECT_EQ(result["output"]["rows"], 1);
}

TEST(ServerLinkTest, ReloadHappensOnlyOnceItsResultIsPosted) {
  LinkFixture f;
  Json commands = {{"commands",
                    {{{"id", "r-1"},
                      {"type", "reload_config"},
                      {"args", Json::object()},
                      {"created_at_ms", 1}}}}};
  f.shared->answers = {Answer(200, commands.dump()), Answer(503, ""), Answer(200, commands.dump()),
                       Answer(204, "")};
  ServerLink link(f.Options());
  EXPECT_FALSE(link.PollCommandsOnce(0).ok());
  EXPECT_EQ(f.reloads, 0);  // the result did not get through: no reload yet
  ASSERT_TRUE(link.PollCommandsOnce(0).ok());
  EXPECT_EQ(f.reloads, 1);
  ASSERT_EQ(f.shared->requests.size(), 4u);
  EXPECT_EQ(Json::parse(f.shared->requests[3].body)["status"], "succeeded");
}

TEST(ServerLinkTest, ConfigPullKeepsTheEtagAndSettings) {
  LinkFixture f;
  Json config = {{"etag", "\"v1\""},
                 {"recipe", {{"name", "default"}, {"rules", Json::object()}}},
                 {"queries", Json::array()},
                 {"settings",
                  {{"poll_wait_seconds", 5},
                   {"config_refresh_seconds", 60},
                   {"status_interval_seconds", 120},
                   {"max_records_per_second", 100},
                   {"max_batch_records", 50}}}};
  f.shared->answers = {Answer(200, config.dump()), Answer(304, "")};
  ServerLink link(f.Options());
  ASSERT_TRUE(link.RefreshConfigOnce().ok());
  EXPECT_EQ(link.config_etag(), "\"v1\"");
  EXPECT_EQ(link.settings().poll_wait_seconds, 5);
  EXPECT_EQ(link.settings().config_refresh_seconds, 60);
  ASSERT_TRUE(link.RefreshConfigOnce().ok());
  ASSERT_EQ(f.shared->requests.size(), 2u);
  bool sent_etag = false;
  for (const auto& [k, v] : f.shared->requests[1].headers)
    sent_etag = sent_etag || (k == "If-None-Match" && v == "\"v1\"");
  EXPECT_TRUE(sent_etag);
  EXPECT_EQ(link.StatusJson()["config_etag"], "\"v1\"");
  EXPECT_TRUE(link.StatusJson()["last_contact"].is_string());
  bool authorised = false;
  for (const auto& [k, v] : f.shared->requests[0].headers)
    authorised = authorised || (k == "Authorization" && v == std::string("Bearer ") + kNodeKey);
  EXPECT_TRUE(authorised);
}

TEST(ServerLinkTest, RevokedNodeKeyIsReported) {
  LinkFixture f;
  f.shared->answers = {Answer(401, R"({"error":{"code":"E_NODE_REVOKED","message":"revoked"}})")};
  ServerLink link(f.Options());
  Status st = link.PollCommandsOnce(0);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kPermissionDenied);
  EXPECT_NE(st.message().find("revoked"), std::string::npos);
}

TEST(ServerLinkTest, ThreadPollsAndStopsPromptlyWhileTheServerIsDown) {
  LinkFixture f;  // no answers: every request fails like a refused connection
  ServerLink link(f.Options());
  link.Start();
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        std::lock_guard<std::mutex> lock(f.shared->mu);
        return f.shared->requests.size() >= 3;
      },
      std::chrono::seconds(10)));
  const auto start = std::chrono::steady_clock::now();
  link.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

TEST(ServerLinkTest, LongPollInFlightIsAbortedAtStop) {
  // A listener that never answers: the long-poll hangs until Stop.
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(listen(fd, 8), 0);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  LinkFixture f;
  ServerLinkOptions o = f.Options();
  o.http_poster = nullptr;  // libcurl
  o.endpoint.url = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  ServerLink link(std::move(o));
  link.Start();
  pollfd pending{fd, POLLIN, 0};  // the link has connected and is waiting for an answer
  ASSERT_EQ(poll(&pending, 1, 5000), 1);
  const auto start = std::chrono::steady_clock::now();
  link.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  close(fd);
}

TEST(ServerSectionTest, AppendsASectionAndKeepsEveryOtherByte) {
  const std::string original =
      "# my agent\nhost:\n  identifier: hostname   # keep this comment\n\nsinks:\n"
      "  - {name: out, type: stdout}\n";
  const std::string section = ServerSectionYaml("https://w:8443", "/s/ca.pem", "/s/node-key");
  std::string out = WithServerSection(original, section);
  EXPECT_EQ(out, original + "\n" + section);
  // Without a final newline too.
  EXPECT_EQ(WithServerSection("sinks: []", section), "sinks: []\n\n" + section);
  EXPECT_EQ(WithServerSection("", section), section);
}

TEST(ServerSectionTest, ReplacesAnExistingTopLevelServerBlockOnly) {
  const std::string before =
      "host:\n  identifier: hostname\n  # server: not this one\nserver:\n  url: https://old\n"
      "  # old comment\n\n  node_key_file: /old/key\n\n# queries below\nqueries: []\n";
  const std::string section = ServerSectionYaml("https://new:8443", "", "/s/node-key");
  std::string out = WithServerSection(before, section);
  EXPECT_EQ(out, "host:\n  identifier: hostname\n  # server: not this one\n" + section +
                     "\n# queries below\nqueries: []\n");
  // Idempotent: writing the same section again changes nothing.
  EXPECT_EQ(WithServerSection(out, section), out);
  // A flow mapping on one line.
  EXPECT_EQ(WithServerSection("server: {url: https://old}\nqueries: []\n", section),
            section + "queries: []\n");
}

TEST(ServerSectionTest, TheWrittenSectionLoads) {
  TempDir dir;
  dir.WriteFile("node-key", std::string(kNodeKey) + "\n");
  std::string text = "state_dir: " + dir.path() + "\n" +
                     WithServerSection("", ServerSectionYaml("https://warden.example:8443",
                                                             dir.path() + "/server-ca.pem",
                                                             dir.path() + "/node-key"));
  auto config = ParseAgentConfig(text, dir.path() + "/agent.yaml");
  ASSERT_TRUE(config.ok()) << config.status().message();
  ASSERT_TRUE(config->server.has_value());
  EXPECT_EQ(config->server->endpoint.url, "https://warden.example:8443");
  EXPECT_EQ(config->server->endpoint.ca_file, dir.path() + "/server-ca.pem");
  const SinkConfig* sink = config->FindSink("server");
  ASSERT_NE(sink, nullptr);
  EXPECT_EQ(sink->type, "server");
  EXPECT_EQ(sink->records.count(RecordKind::kProblem), 1u);
  EXPECT_EQ(sink->records.count(RecordKind::kResult), 1u);
  EXPECT_EQ(sink->records.count(RecordKind::kStatus), 1u);
  EXPECT_EQ(sink->records.count(RecordKind::kInventory), 1u);
  EXPECT_EQ(sink->records.count(RecordKind::kEvent), 0u);
}

TEST(ServerSectionTest, ErrorsNameTheFileLineAndKey) {
  auto missing = ParseAgentConfig("server:\n  url: https://w\n", "/etc/warden/agent.yaml");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("agent.yaml:2"), std::string::npos)
      << missing.status().message();
  EXPECT_NE(missing.status().message().find("server.node_key_file"), std::string::npos)
      << missing.status().message();
  auto plain = ParseAgentConfig("server:\n  url: http://w.example\n  node_key_file: k\n",
                                "/etc/warden/agent.yaml");
  ASSERT_FALSE(plain.ok());
  EXPECT_NE(plain.status().message().find("agent.yaml:2"), std::string::npos)
      << plain.status().message();
  EXPECT_NE(plain.status().message().find("server.url"), std::string::npos)
      << plain.status().message();
  auto typo = ParseAgentConfig("server:\n  url: https://w\n  node_key_file: k\n  ca_fle: x\n",
                               "/etc/warden/agent.yaml");
  ASSERT_FALSE(typo.ok());
  EXPECT_NE(typo.status().message().find("ca_file"), std::string::npos) << typo.status().message();
  auto clash = ParseAgentConfig(
      "sinks:\n  - {name: server, type: stdout}\nserver:\n  url: https://w\n  node_key_file: k\n",
      "/etc/warden/agent.yaml");
  ASSERT_FALSE(clash.ok());
  EXPECT_NE(clash.status().message().find("server"), std::string::npos);
}

TEST(HostIdentityTest, ReadsMachineIdInstanceIdAndOsRelease) {
  TempDir root;
  root.WriteFile("etc/machine-id", "0123456789abcdef0123456789abcdef\n");
  root.WriteFile("sys/class/dmi/id/board_asset_tag", "i-0abc1234def567890\n");
  root.WriteFile("etc/os-release",
                 "NAME=\"Debian GNU/Linux\"\nID=debian\nVERSION_ID=\"12\"\n"
                 "VERSION_CODENAME=bookworm\n");
  auto id = ReadHostIdentity(HostFs(root.path()));
  ASSERT_TRUE(id.ok()) << id.status().message();
  EXPECT_EQ(id->machine_id, "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(id->instance_id, "i-0abc1234def567890");
  EXPECT_EQ(id->os_name, "Debian GNU/Linux");
  EXPECT_EQ(id->os_id, "debian");
  EXPECT_EQ(id->os_version, "12");
  EXPECT_EQ(id->os_codename, "bookworm");
  EXPECT_FALSE(id->hostname.empty());
  EXPECT_FALSE(id->agent_version.empty());

  root.WriteFile("sys/class/dmi/id/board_asset_tag", "Default string\n");
  EXPECT_EQ(ReadHostIdentity(HostFs(root.path()))->instance_id, "");
  TempDir empty;
  EXPECT_FALSE(ReadHostIdentity(HostFs(empty.path())).ok());
}

TEST(FingerprintTest, AcceptsTheFormsPeopleCopy) {
  const std::string hex(64, 'a');
  EXPECT_EQ(*NormaliseFingerprint("sha256:" + hex), "sha256:" + hex);
  EXPECT_EQ(*NormaliseFingerprint("SHA256:" + std::string(64, 'A')), "sha256:" + hex);
  std::string colons;
  for (int i = 0; i < 32; ++i) colons += std::string(i ? ":" : "") + "AA";
  EXPECT_EQ(*NormaliseFingerprint(colons), "sha256:" + hex);
  EXPECT_FALSE(NormaliseFingerprint("sha256:abcd").ok());
  EXPECT_FALSE(NormaliseFingerprint("sha256:" + std::string(64, 'z')).ok());
}

TEST(InventoryRecordsTest, PortsSnapshotIdsChangeWithContentAndTime) {
  ListeningSocket s;
  s.pid = 42;
  s.port = 22;
  s.protocol = "tcp";
  s.family = 2;
  s.address = "0.0.0.0";
  s.process_name = "sshd";
  s.process_path = "/usr/sbin/sshd";
  s.user = "root";
  InventorySnapshot a = PortsInventory({s}, 1000);
  InventorySnapshot same = PortsInventory({s}, 1000);
  InventorySnapshot later = PortsInventory({s}, 2000);
  EXPECT_EQ(a.record.id, same.record.id);
  EXPECT_EQ(a.content_hash, later.content_hash);
  EXPECT_NE(a.record.id, later.record.id);
  EXPECT_EQ(a.record.kind, RecordKind::kInventory);
  EXPECT_EQ(a.record.body["type"], "ports");
  EXPECT_EQ(a.record.body["items"][0]["family"], "ipv4");
  EXPECT_EQ(a.record.body["items"][0]["process"], "sshd");
  s.port = 2222;
  EXPECT_NE(PortsInventory({s}, 1000).content_hash, a.content_hash);
}

TEST(InventoryRecordsTest, PackagesFromTheDpkgDatabase) {
  TempDir root;
  root.WriteFile("var/lib/dpkg/status",
                 "Package: openssl\nStatus: install ok installed\nArchitecture: amd64\n"
                 "Source: openssl (3.0.11-1~deb12u2)\nVersion: 3.0.11-1~deb12u2\n\n"
                 "Package: gone\nStatus: deinstall ok config-files\nArchitecture: amd64\n"
                 "Version: 1.0\n\n");
  auto snapshot = PackagesInventory(HostFs(root.path()), 5);
  ASSERT_TRUE(snapshot.ok()) << snapshot.status().message();
  const Json& items = snapshot->record.body["items"];
  ASSERT_EQ(items.size(), 1u) << items.dump();
  EXPECT_EQ(items[0]["name"], "openssl");
  EXPECT_EQ(items[0]["version"], "3.0.11-1~deb12u2");
  EXPECT_EQ(items[0]["source"], "openssl");
  EXPECT_EQ(items[0]["manager"], "deb");
  EXPECT_EQ(snapshot->record.body["type"], "packages");
}

}  // namespace
}  // namespace warden

namespace warden {
namespace {

Json ServerConfig(const std::string& etag, Json rules) {
  return {{"etag", etag},
          {"recipe", {{"name", "prod"}, {"rules", std::move(rules)}}},
          {"queries", Json::array()},
          {"settings", Json::object()}};
}

TEST(ServerLinkConfigTest, AnAcceptedConfigIsKeptAndAppliedARefusedOneIsNot) {
  LinkFixture f;
  std::vector<Json> checked;
  ServerLinkOptions o = f.Options();
  o.check_config = [&](const Json& config) -> Status {
    checked.push_back(config);
    return ParseServerConfigOverlay(config).status();
  };
  const Json good = ServerConfig("\"v1\"", {{"HOST-OPEN-PORTS", {{"enabled", false}}}});
  const Json bad =
      ServerConfig("\"v2\"", {{"HOST-VULN", {{"settings", {{"min_severity", "dreadful"}}}}}});
  f.shared->answers = {Answer(200, good.dump()), Answer(200, bad.dump())};
  {
    ServerLink link(o);
    ASSERT_TRUE(link.RefreshConfigOnce().ok());
    EXPECT_EQ(f.reloads, 1) << "a changed recipe is applied through the reload";
    std::optional<Json> kept = ReadKeptServerConfig(f.dir.path());
    ASSERT_TRUE(kept);
    EXPECT_EQ((*kept)["etag"], "\"v1\"");

    ASSERT_TRUE(link.RefreshConfigOnce().ok());
    EXPECT_EQ(f.reloads, 1) << "a refused config is not applied";
    EXPECT_EQ((*ReadKeptServerConfig(f.dir.path()))["etag"], "\"v1\"") << "the previous one stays";
    const std::string refused = link.StatusJson()["config_refused"].get<std::string>();
    EXPECT_NE(refused.find("recipe.rules.HOST-VULN.settings.min_severity"), std::string::npos)
        << refused;
    bool logged = false;
    for (const std::string& line : f.log)
      logged = logged || (line.find("refused") != std::string::npos &&
                          line.find("min_severity") != std::string::npos);
    EXPECT_TRUE(logged);
  }
  ASSERT_EQ(checked.size(), 2u);
  // A restart without the server starts from the kept config and its etag.
  f.shared->answers = {Answer(304, "")};
  ServerLink again(o);
  EXPECT_EQ(again.config_etag(), "\"v1\"");
  ASSERT_TRUE(again.RefreshConfigOnce().ok());
  EXPECT_EQ(f.reloads, 1);
}

TEST(ServerLinkConfigTest, APollAnswerWithAnotherConfigEtagPullsTheConfigAtOnce) {
  LinkFixture f;
  const Json config = ServerConfig("\"v2\"", {{"HOST-OPEN-PORTS", {{"enabled", false}}}});
  f.shared->answers = {Answer(200, R"({"commands": [], "config_etag": "\"v2\""})"),
                       Answer(200, config.dump())};
  ServerLink link(f.Options());
  ASSERT_TRUE(link.PollCommandsOnce(0).ok());
  ASSERT_EQ(f.shared->requests.size(), 2u);
  EXPECT_NE(f.shared->requests[1].url.find("/api/v1/agent/config"), std::string::npos);
  EXPECT_EQ(link.config_etag(), "\"v2\"");
  EXPECT_EQ(f.reloads, 1);
  // The next poll says which config the agent runs.
  f.shared->answers = {Answer(200, R"({"commands": [], "config_etag": "\"v2\""})")};
  ASSERT_TRUE(link.PollCommandsOnce(0).ok());
  ASSERT_EQ(f.shared->requests.size(), 3u);
  EXPECT_NE(f.shared->requests[2].url.find("config_etag=%22v2%22"), std::string::npos)
      << f.shared->requests[2].url;
}

}  // namespace
}  // namespace warden

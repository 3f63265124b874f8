#include "delivery/server_sink.h"

#include <gtest/gtest.h>

#include <deque>
#include <fstream>
#include <mutex>
#include <sstream>

#include "delivery/record_router.h"
#include "delivery/scripted_http_poster.h"
#include "delivery/test_http_receiver.h"
#include "testing/test_util.h"

namespace warden {
namespace {

using testing::TempDir;

using testing::ScriptedPoster;
constexpr const char* kNodeKey = testing::kTestNodeKey;

HttpResponse Answer(long status, std::string body = "{\"accepted\":1,\"duplicates\":0}",
                    std::optional<int> retry_after = std::nullopt) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.retry_after_seconds = retry_after;
  return r;
}

Record StatusRecord(const std::string& id) {
  Record r;
  r.kind = RecordKind::kStatus;
  r.id = id;
  r.time_ms = 1700000000000;
  r.body = {{"agent", {{"version", "9.9.9"}}}, {"jobs", Json::array()}};
  return r;
}

struct Fixture {
  TempDir dir;
  std::string key_file = dir.WriteFile("node-key", std::string(kNodeKey) + "\n");
  std::vector<std::string> log;
  SinkConfig Config(const std::string& url) {
    SinkConfig c;
    c.name = "server";
    c.type = "server";
    c.queued = true;
    c.records = {RecordKind::kStatus, RecordKind::kProblem, RecordKind::kInventory};
    auto s = std::make_shared<ServerSinkSettings>();
    s->endpoint.url = url;
    s->endpoint.node_key_file = key_file;
    s->rejected_file = dir.path() + "/rejected.jsonl";
    c.settings = s;
    return c;
  }
  SinkContext Context(const std::shared_ptr<ScriptedPoster::Shared>& shared) {
    SinkContext context;
    if (shared) context.http_poster = [shared] { return std::make_unique<ScriptedPoster>(shared); };
    context.log = [this](const std::string& line) { log.push_back(line); };
    return context;
  }
};

TEST(ServerSinkTest, PostsAnAgentRecordBatchWithTheNodeKey) {
  testing::TestHttpReceiver receiver;
  Fixture f;
  auto sink =
      MakeSink(f.Config("http://127.0.0.1:" + std::to_string(receiver.port())), f.Context(nullptr));
  ASSERT_TRUE(sink.ok()) << sink.status().message();
  std::vector<QueuedRecord> batch = {(*sink)->Prepare(StatusRecord("status-1")),
                                     (*sink)->Prepare(StatusRecord("status-2"))};
  ASSERT_TRUE((*sink)->Deliver(batch).ok());
  auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].path, "/api/v1/agent/records");
  EXPECT_EQ(requests[0].headers["authorization"], std::string("Bearer ") + kNodeKey);
  EXPECT_EQ(requests[0].headers["content-type"], "application/json");
  Json body = Json::parse(requests[0].body);
  ASSERT_TRUE(body["batch_id"].is_string());
  ASSERT_EQ(body["records"].size(), 2u);
  EXPECT_EQ(body["records"][0]["id"], "status-1");
  EXPECT_EQ(body["records"][0]["kind"], "status");
  EXPECT_EQ(body["records"][0]["time_ms"], 1700000000000);
  EXPECT_EQ(body["records"][0]["body"]["agent_version"], "9.9.9");
  EXPECT_EQ(body["records"][1]["id"], "status-2");
}

TEST(ServerSinkTest, SameRecordsGetTheSameBatchId) {
  auto shared = std::make_shared<ScriptedPoster::Shared>();
  shared->answers = {Answer(200), Answer(200)};
  Fixture f;
  auto sink = MakeSink(f.Config("https://warden.example"), f.Context(shared));
  ASSERT_TRUE(sink.ok());
  std::vector<QueuedRecord> batch = {(*sink)->Prepare(StatusRecord("a"))};
  ASSERT_TRUE((*sink)->Deliver(batch).ok());
  ASSERT_TRUE((*sink)->Deliver(batch).ok());
  ASSERT_EQ(shared->requests.size(), 2u);
  EXPECT_EQ(Json::parse(shared->requests[0].body)["batch_id"],
            Json::parse(shared->requests[1].body)["batch_id"]);
  EXPECT_EQ(shared->requests[0].url, "https://warden.example/api/v1/agent/records");
}

TEST(ServerSinkTest, OverloadKeepsTheBatchAndHonoursRetryAfter) {
  auto shared = std::make_shared<ScriptedPoster::Shared>();
  shared->answers = {
      Answer(503, R"({"error":{"code":"E_OVERLOADED","message":"ingest is full"}})", 3600)};
  Fixture f;
  auto sink = MakeSink(f.Config("https://warden.example"), f.Context(shared));
  ASSERT_TRUE(sink.ok());
  std::vector<QueuedRecord> batch = {(*sink)->Prepare(StatusRecord("a"))};
  Status first = (*sink)->Deliver(batch);
  EXPECT_FALSE(first.ok());
  EXPECT_NE(first.message().find("E_OVERLOADED"), std::string::npos) << first.message();
  EXPECT_NE(first.message().find("3600"), std::string::npos) << first.message();
  // Within Retry-After: no request at all.
  Status second = (*sink)->Deliver(batch);
  EXPECT_FALSE(second.ok());
  EXPECT_EQ(shared->requests.size(), 1u);
}

TEST(ServerSinkTest, OverloadThenRecoveryDeliversThroughTheDurableQueue) {
  testing::TestHttpReceiver receiver;
  receiver.SetStatus(503, R"({"error":{"code":"E_OVERLOADED","message":"busy"}})");
  Fixture f;
  SinkConfig config = f.Config("http://127.0.0.1:" + std::to_string(receiver.port()));
  config.queue.backoff_initial_ms = 20;
  config.queue.backoff_max_ms = 50;
  std::vector<std::string> log;
  auto router = SinkRouter::Create({config}, f.Context(nullptr), f.dir.path(),
                                   [&](const std::string& line) { log.push_back(line); });
  ASSERT_TRUE(router.ok()) << router.status().message();
  (*router)->Start();
  ASSERT_TRUE((*router)->Route({StatusRecord("s-1"), StatusRecord("s-2")}).ok());
  ASSERT_TRUE(
      testing::WaitFor([&] { return receiver.requests().size() >= 2; }, std::chrono::seconds(10)));
  EXPECT_TRUE(receiver.accepted().empty());
  receiver.SetStatus(200, R"({"accepted":2,"duplicates":0})");
  ASSERT_TRUE(
      testing::WaitFor([&] { return !receiver.accepted().empty(); }, std::chrono::seconds(10)));
  (*router)->Stop();
  Json body = Json::parse(receiver.accepted()[0].body);
  ASSERT_EQ(body["records"].size(), 2u);
  EXPECT_EQ(body["records"][0]["id"], "s-1");
  auto statuses = (*router)->Statuses();
  ASSERT_EQ(statuses.size(), 1u);
  ASSERT_TRUE(statuses[0].queue.has_value());
  EXPECT_EQ(statuses[0].queue->records, 0);
}

TEST(ServerSinkTest, RecordRefusedWith422IsSetAsideAndTheRestSent) {
  auto shared = std::make_shared<ScriptedPoster::Shared>();
  shared->answers = {
      Answer(
          422,
          R"({"error":{"code":"E_VALIDATION","message":"must be an integer","field":"/records/1/body/revision"}})"),
      Answer(200)};
  Fixture f;
  auto sink = MakeSink(f.Config("https://warden.example"), f.Context(shared));
  ASSERT_TRUE(sink.ok());
  std::vector<QueuedRecord> batch = {(*sink)->Prepare(StatusRecord("good-0")),
                                     (*sink)->Prepare(StatusRecord("bad-1")),
                                     (*sink)->Prepare(StatusRecord("good-2"))};
  Status st = (*sink)->Deliver(batch);
  ASSERT_TRUE(st.ok()) << st.message();
  ASSERT_EQ(shared->requests.size(), 2u);
  Json resent = Json::parse(shared->requests[1].body);
  ASSERT_EQ(resent["records"].size(), 2u);
  EXPECT_EQ(resent["records"][0]["id"], "good-0");
  EXPECT_EQ(resent["records"][1]["id"], "good-2");
  std::ifstream rejected(f.dir.path() + "/rejected.jsonl");
  std::string line;
  ASSERT_TRUE(std::getline(rejected, line));
  Json kept = Json::parse(line);
  EXPECT_EQ(kept["record"]["id"], "bad-1");
  EXPECT_NE(kept["error"].get<std::string>().find("E_VALIDATION"), std::string::npos);
  ASSERT_FALSE(f.log.empty());
  EXPECT_NE(f.log[0].find("bad-1"), std::string::npos) << f.log[0];
}

TEST(ServerSinkTest, A422ThatNamesNoRecordKeepsTheBatch) {
  auto shared = std::make_shared<ScriptedPoster::Shared>();
  shared->answers = {
      Answer(422, R"({"error":{"code":"E_VALIDATION","message":"x","field":"/batch_id"}})")};
  Fixture f;
  auto sink = MakeSink(f.Config("https://warden.example"), f.Context(shared));
  ASSERT_TRUE(sink.ok());
  EXPECT_FALSE((*sink)->Deliver({(*sink)->Prepare(StatusRecord("a"))}).ok());
}

TEST(ServerSinkTest, RevokedHostStopsSendingUntilANewNodeKey) {
  auto shared = std::make_shared<ScriptedPoster::Shared>();
  shared->answers = {
      Answer(401, R"({"error":{"code":"E_NODE_REVOKED","message":"this host was revoked"}})"),
      Answer(200)};
  Fixture f;
  auto sink = MakeSink(f.Config("https://warden.example"), f.Context(shared));
  ASSERT_TRUE(sink.ok());
  std::vector<QueuedRecord> batch = {(*sink)->Prepare(StatusRecord("a"))};
  Status st = (*sink)->Deliver(batch);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kPermissionDenied);
  EXPECT_NE(st.message().find("revoked"), std::string::npos) << st.message();
  EXPECT_FALSE((*sink)->Deliver(batch).ok());
  EXPECT_EQ(shared->requests.size(), 1u);  // nothing sent while revoked
  const std::string new_key = "wdn_node_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB";
  f.dir.WriteFile("node-key", new_key + "\n");
  ASSERT_TRUE((*sink)->Deliver(batch).ok());
  ASSERT_EQ(shared->requests.size(), 2u);
  bool has_new_key = false;
  for (const auto& [k, v] : shared->requests[1].headers)
    has_new_key = has_new_key || (k == "Authorization" && v == "Bearer " + new_key);
  EXPECT_TRUE(has_new_key);
}

TEST(ServerSinkTest, RefusesToBuildWithoutANodeKey) {
  Fixture f;
  SinkConfig config = f.Config("https://warden.example");
  auto s = std::make_shared<ServerSinkSettings>(*config.SettingsAs<ServerSinkSettings>());
  s->endpoint.node_key_file = f.dir.path() + "/missing";
  config.settings = s;
  auto sink = MakeSink(config, f.Context(nullptr));
  ASSERT_FALSE(sink.ok());
  EXPECT_NE(sink.status().message().find("warden agent enroll"), std::string::npos)
      << sink.status().message();
}

TEST(ServerSinkTest, ServerUrlMustBeHttpsOrLoopback) {
  EXPECT_TRUE(CheckServerUrl("https://warden.example.com:8443").ok());
  EXPECT_TRUE(CheckServerUrl("http://127.0.0.1:8080").ok());
  EXPECT_TRUE(CheckServerUrl("http://[::1]:8080").ok());
  EXPECT_TRUE(CheckServerUrl("http://localhost").ok());
  EXPECT_FALSE(CheckServerUrl("http://warden.example.com").ok());
  EXPECT_FALSE(CheckServerUrl("ftp://warden.example.com").ok());
  EXPECT_FALSE(CheckServerUrl("https://user@warden.example.com").ok());
  EXPECT_FALSE(CheckServerUrl("https://warden.example.com/?x=1").ok());
}

TEST(ServerSinkTest, RecordIndexComesFromTheErrorPointer) {
  EXPECT_EQ(RecordIndexOfPointer("/records/3/body/kind"), 3);
  EXPECT_EQ(RecordIndexOfPointer("/records/0"), 0);
  EXPECT_EQ(RecordIndexOfPointer("/records/x/kind"), -1);
  EXPECT_EQ(RecordIndexOfPointer("/batch_id"), -1);
  EXPECT_EQ(RecordIndexOfPointer(""), -1);
}

TEST(ServerSinkTest, ParsedFromASinksEntry) {
  TempDir dir;
  std::string key = dir.WriteFile("node-key", std::string(kNodeKey) + "\n");
  YamlReader reader("agent.yaml", dir.path());
  YAML::Node node = YAML::Load(
      "{name: central, type: server, url: 'https://w.example:8443/', "
      "ca_file: ca.pem, node_key_file: node-key, timeout: 5s}");
  auto config = ParseSinkConfig(reader, node, "sinks[0]", dir.path());
  ASSERT_TRUE(config.ok()) << config.status().message();
  const auto* s = config->SettingsAs<ServerSinkSettings>();
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->endpoint.url, "https://w.example:8443");
  EXPECT_EQ(s->endpoint.ca_file, dir.path() + "/ca.pem");
  EXPECT_EQ(s->endpoint.node_key_file, key);
  EXPECT_EQ(s->endpoint.timeout_ms, 5000);
  EXPECT_TRUE(config->queued);

  YAML::Node plain =
      YAML::Load("{name: c, type: server, url: 'http://w.example', node_key_file: k}");
  auto refused = ParseSinkConfig(reader, plain, "sinks[0]", dir.path());
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("sinks[0].url"), std::string::npos)
      << refused.status().message();
}

}  // namespace
}  // namespace warden

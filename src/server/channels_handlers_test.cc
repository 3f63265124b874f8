// Notification channels on a real server: the API (every answer checked
// against the contract; secrets never shown; changes audited without them),
// and delivery to real HTTP receivers on loopback: problems pushed by an
// agent over the agent channel reach the receivers their triggers select,
// audit entries reach audit channels, test sends report what the receiver
// answered, and a receiver that is down shows in the channel's status with a
// growing queue until it comes back and everything is delivered; a cloud
// event that several rows match is one message.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "delivery/test_http_receiver.h"
#include "delivery/webhook_sink.h"
#include "problems/problem_rendering.h"
#include "server/server_test_support.h"

namespace warden::server::testing {
namespace {

using warden::testing::TestHttpReceiver;
using warden::testing::WaitFor;

const std::string kPassword = "correct horse battery";
// Standard Webhooks: base64 of 32 bytes.
const std::string kSecret = "whsec_c2VjcmV0LWtleS1vZi10aGlydHktdHdvLWJ5dGVzLiE=";

Json Body(const ClientResponse& r) { return Json::parse(r.body, nullptr, false); }

#define EXPECT_MATCHES_SPEC(operation_id, response)                          \
  do {                                                                       \
    Status valid_ = ValidateAgainstSpec(operation_id, response);             \
    EXPECT_TRUE(valid_.ok()) << valid_.message() << "\n" << (response).body; \
  } while (0)

// A problem event as an agent pushes it.
Json ProblemRecord(const std::string& hostname, const std::string& id, RiskLevel risk,
                   int64_t revision = 1) {
  ProblemEvent e;
  e.action = revision == 1 ? ProblemAction::kOpened : ProblemAction::kUpdated;
  e.at = 1'700'000'000 + revision;
  Problem& p = e.problem;
  p.id = id;
  p.rule_id = "HOST-OPEN-PORTS";
  p.host = hostname;
  p.title = "tcp port " + id + " is open";
  p.risk_level = risk;
  p.resource = "tcp/0.0.0.0:" + id;
  p.first_detected = e.at;
  p.last_detected = e.at;
  p.status_changed = e.at;
  p.revision = revision;
  p.finding.id = p.id;
  p.finding.rule_id = p.rule_id;
  p.finding.title = p.title;
  p.finding.description = "a listener on " + id;
  return {{"id", ProblemEventId(e)},
          {"kind", "problems"},
          {"time_ms", e.at * 1000},
          {"body", ProblemEventToJson(e)}};
}

class ChannelsTest : public ::testing::Test {
 protected:
  ChannelsTest()
      : server_({}, [](ServerConfig& c) {
          c.channel_poll_interval = std::chrono::milliseconds(20);
          c.channel_queue.backoff_initial_ms = 50;
          c.channel_queue.backoff_max_ms = 200;
        }) {}

  void SetUp() override {
    ASSERT_TRUE(server_.ok());
    server_.AddUser("alice", auth::Role::kAdmin, kPassword);
    admin_ = server_.Login("alice", kPassword);
    ASSERT_FALSE(admin_.session_id.empty());
  }

  ClientResponse Checked(const std::string& operation_id, const std::string& method,
                         const std::string& target, const std::string& body = "") {
    return CheckedCall(server_, operation_id, method, target, admin_, body);
  }

  // A webhook channel to `url`; its id.
  std::string CreateWebhook(const std::string& name, const std::string& url,
                            Json triggers = Json::object()) {
    Json body = {{"name", name},
                 {"type", "webhook"},
                 {"config", {{"url", url}}},
                 {"secret", kSecret},
                 {"triggers", std::move(triggers)}};
    ClientResponse r = Checked("createChannel", "POST", "/api/v1/channels", body.dump());
    EXPECT_EQ(r.status, 201) << r.body;
    return Body(r).value("id", "");
  }

  Json DeliveryOf(const std::string& id) {
    ClientResponse r = Checked("getChannelStatus", "GET", "/api/v1/channels/" + id + "/status");
    EXPECT_EQ(r.status, 200) << r.body;
    return Body(r);
  }

  // Pushes problem records as the agent of a host made for the purpose.
  void Push(const std::vector<Json>& records) {
    if (node_.bearer.empty()) node_ = server_.AddNodeKey("web-1");
    Json batch = {{"batch_id", "b" + std::to_string(++batches_)}, {"records", records}};
    ClientResponse r = server_.Call("POST", "/api/v1/agent/records", node_, batch.dump());
    ASSERT_EQ(r.status, 200) << r.body;
  }

  TestServer server_;
  Credentials admin_;
  Credentials node_;
  int batches_ = 0;
};

TEST_F(ChannelsTest, ChannelsAreCreatedListedChangedAndDeletedWithoutShowingTheSecret) {
  TestHttpReceiver receiver;
  const std::string id = CreateWebhook("siem", receiver.url("/hook"),
                                       {{"min_risk_level", "high"}, {"labels", {"env=prod"}}});
  ASSERT_FALSE(id.empty());
  const std::string path = "/api/v1/channels/" + id;

  ClientResponse one = Checked("getChannel", "GET", path);
  ASSERT_EQ(one.status, 200) << one.body;
  Json channel = Body(one);
  EXPECT_TRUE(channel["has_secret"]);
  EXPECT_EQ(channel["config"]["signature"], "standard_webhooks");
  EXPECT_EQ(channel["config"]["timeout_ms"], 10000);
  EXPECT_EQ(channel["triggers"]["kinds"], Json::array({"problems"}));
  EXPECT_EQ(channel["triggers"]["min_risk_level"], "high");
  EXPECT_EQ(channel["delivery"]["state"], "idle");
  EXPECT_EQ(channel["delivery"]["queue_depth"], 0);

  ClientResponse list = Checked("listChannels", "GET", "/api/v1/channels?type=webhook");
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(Body(list)["total"], 1);
  ClientResponse idle = Checked("listChannels", "GET", "/api/v1/channels?delivery_state=idle");
  EXPECT_EQ(Body(idle)["total"], 1) << idle.body;
  ClientResponse failing =
      Checked("listChannels", "GET", "/api/v1/channels?delivery_state=failing");
  EXPECT_EQ(Body(failing)["total"], 0) << failing.body;
  ClientResponse csv = Checked("exportChannels", "GET", "/api/v1/channels/export?format=csv");
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_NE(csv.body.find("siem"), std::string::npos);
  ClientResponse q = Checked("listChannels", "GET", "/api/v1/channels?q=SIE");
  ASSERT_EQ(q.status, 200) << q.body;
  EXPECT_EQ(Body(q)["total"], 1) << q.body;
  EXPECT_EQ(Body(Checked("listChannels", "GET", "/api/v1/channels?q=pager"))["total"], 0);

  // Renamed, disabled, and a new secret: the audit entry says the secret
  // changed without carrying it.
  const std::string new_secret = "whsec_YW5vdGhlci1zZWNyZXQta2V5LW9mLTMyLWJ5dGVzISE=";
  ClientResponse updated =
      Checked("updateChannel", "PATCH", path,
              Json{{"name", "siem-2"}, {"enabled", false}, {"secret", new_secret}}.dump());
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(Body(updated)["name"], "siem-2");
  EXPECT_EQ(Body(updated)["delivery"]["state"], "disabled");
  EXPECT_EQ(Body(updated)["config"]["url"], receiver.url("/hook"));

  CreateWebhook("other", receiver.url("/other"));
  ClientResponse taken = Checked("updateChannel", "PATCH", path, Json{{"name", "other"}}.dump());
  EXPECT_EQ(taken.status, 409) << taken.body;
  EXPECT_NE(taken.body.find("E_NAME_TAKEN"), std::string::npos);
  ClientResponse dup =
      Checked("createChannel", "POST", "/api/v1/channels",
              Json{{"name", "other"}, {"type", "file"}, {"config", {{"path", "x.jsonl"}}}}.dump());
  EXPECT_EQ(dup.status, 409) << dup.body;

  // Nothing anyone can read carries a secret.
  for (const std::string& target :
       {path, std::string("/api/v1/channels"), std::string("/api/v1/channels/export?format=jsonl"),
        std::string("/api/v1/audit?target_type=channel"),
        std::string("/api/v1/audit/export?format=jsonl")}) {
    ClientResponse r = server_.Call("GET", target, admin_);
    ASSERT_EQ(r.status, 200) << target << ": " << r.body;
    EXPECT_EQ(r.body.find(kSecret.substr(6, 20)), std::string::npos) << target;
    EXPECT_EQ(r.body.find(new_secret.substr(6, 20)), std::string::npos) << target;
  }
  ClientResponse audit =
      Checked("listAuditEvents", "GET", "/api/v1/audit?action=updateChannel&target_type=channel");
  ASSERT_EQ(Body(audit)["total"], 1) << audit.body;
  EXPECT_TRUE(Body(audit)["items"][0]["after"]["secret_changed"]) << audit.body;
  EXPECT_EQ(Body(audit)["items"][0]["before"]["name"], "siem") << audit.body;

  ClientResponse deleted = Checked("deleteChannel", "DELETE", path);
  EXPECT_EQ(deleted.status, 204) << deleted.body;
  EXPECT_EQ(Checked("getChannel", "GET", path).status, 404);
  EXPECT_EQ(Checked("getChannelStatus", "GET", path + "/status").status, 404);
  EXPECT_EQ(Checked("testChannel", "POST", path + "/test").status, 404);
  EXPECT_EQ(Checked("deleteChannel", "DELETE", path).status, 404);
}

TEST_F(ChannelsTest, BadSettingsAreRefusedNamingTheField) {
  auto refused = [&](const Json& body) {
    ClientResponse r = Checked("createChannel", "POST", "/api/v1/channels", body.dump());
    EXPECT_EQ(r.status, 422) << body.dump() << ": " << r.body;
    return Body(r)["error"].value("field", "");
  };
  EXPECT_EQ(refused({{"name", "x"}, {"type", "pager"}, {"config", Json::object()}}), "/type");
  EXPECT_EQ(refused({{"name", "x"},
                     {"type", "webhook"},
                     {"config", {{"url", "http://siem.example/hook"}}},
                     {"secret", kSecret}}),
            "/config/url");
  EXPECT_EQ(refused({{"name", "x"},
                     {"type", "webhook"},
                     {"config", {{"url", "https://siem.example/hook"}}},
                     {"secret", "not a standard webhooks key"}}),
            "/secret");
  EXPECT_EQ(refused({{"name", "x"}, {"type", "file"}, {"config", {{"path", "../server.db"}}}}),
            "/config/path");
  EXPECT_EQ(refused({{"name", "x"},
                     {"type", "syslog"},
                     {"config", {{"address", "10.0.0.1:6514"}, {"transport", "tls"}}}}),
            "/config/transport");

  // An update's config is checked against the channel's type too.
  TestHttpReceiver receiver;
  const std::string id = CreateWebhook("hook", receiver.url("/hook"));
  ClientResponse bad = Checked("updateChannel", "PATCH", "/api/v1/channels/" + id,
                               Json{{"config", {{"address", "10.0.0.1:514"}}}}.dump());
  EXPECT_EQ(bad.status, 422) << bad.body;
  EXPECT_EQ(Body(bad)["error"].value("field", ""), "/config/address") << bad.body;
  ClientResponse removed =
      Checked("updateChannel", "PATCH", "/api/v1/channels/" + id, Json{{"secret", nullptr}}.dump());
  EXPECT_EQ(removed.status, 422) << removed.body;
  EXPECT_EQ(Body(removed)["error"].value("field", ""), "/secret") << removed.body;
}

TEST_F(ChannelsTest, ATestSendReportsTheReceiversAnswerAndTheStatusKeepsIt) {
  TestHttpReceiver receiver;
  receiver.SetStatus(500, R"({"error":"database on fire"})");
  const std::string id = CreateWebhook("siem", receiver.url("/hook"));
  const std::string path = "/api/v1/channels/" + id;

  ClientResponse failed = Checked("testChannel", "POST", path + "/test");
  ASSERT_EQ(failed.status, 200) << failed.body;
  Json result = Body(failed);
  EXPECT_FALSE(result["ok"]);
  EXPECT_EQ(result["status"], 500);
  EXPECT_EQ(result["body_excerpt"], R"({"error":"database on fire"})");
  ASSERT_TRUE(result["error"].is_string());
  EXPECT_NE(result["error"].get<std::string>().find("HTTP 500"), std::string::npos);
  ASSERT_EQ(receiver.requests().size(), 1u);
  EXPECT_EQ(receiver.requests()[0].headers.at("x-warden-event"), "test");

  Json status = DeliveryOf(id);
  EXPECT_EQ(status["state"], "failing");
  ASSERT_TRUE(status["last_error"].is_string());
  EXPECT_NE(status["last_error"].get<std::string>().find("HTTP 500"), std::string::npos);
  EXPECT_NE(status["last_error"].get<std::string>().find("database on fire"), std::string::npos);
  EXPECT_FALSE(status["last_error_at"].is_null());
  ClientResponse listed = Checked("listChannels", "GET", "/api/v1/channels?delivery_state=failing");
  EXPECT_EQ(Body(listed)["total"], 1) << listed.body;

  receiver.SetStatus(204, "");
  ClientResponse ok = Checked("testChannel", "POST", path + "/test");
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_TRUE(Body(ok)["ok"]) << ok.body;
  EXPECT_EQ(Body(ok)["status"], 204);
  EXPECT_TRUE(Body(ok)["error"].is_null());
  EXPECT_EQ(DeliveryOf(id)["state"], "ok");

  ClientResponse audit =
      Checked("listAuditEvents", "GET", "/api/v1/audit?action=testChannel&target_id=" + id);
  EXPECT_EQ(Body(audit)["total"], 2) << audit.body;
}

TEST_F(ChannelsTest, ATestOfAnUnreachableReceiverSaysWhy) {
  TestHttpReceiver receiver;
  const std::string url = receiver.url("/hook");
  receiver.Stop();
  const std::string id = CreateWebhook("gone", url);
  ClientResponse r = Checked("testChannel", "POST", "/api/v1/channels/" + id + "/test");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_FALSE(Body(r)["ok"]);
  EXPECT_TRUE(Body(r)["status"].is_null());
  ASSERT_TRUE(Body(r)["error"].is_string()) << r.body;
  EXPECT_NE(Body(r)["error"].get<std::string>().find("127.0.0.1"), std::string::npos) << r.body;
}

TEST_F(ChannelsTest, ProblemsReachOnlyTheChannelsTheirTriggersSelect) {
  TestHttpReceiver high_receiver, everything_receiver, vuln_receiver;
  const std::string high = CreateWebhook("high", high_receiver.url("/h"),
                                         {{"min_risk_level", "high"}, {"actions", {"opened"}}});
  const std::string all = CreateWebhook("all", everything_receiver.url("/a"));
  CreateWebhook("vulns", vuln_receiver.url("/v"), {{"rule_ids", {"HOST-VULN"}}});
  Push({ProblemRecord("web-1", "22", RiskLevel::kLow),
        ProblemRecord("web-1", "80", RiskLevel::kHigh),
        ProblemRecord("web-1", "80", RiskLevel::kHigh, 2)});
  ASSERT_TRUE(WaitFor(
      "three events at the catch-all receiver",
      [&] { return everything_receiver.accepted().size() >= 3; }, std::chrono::seconds(10)));
  ASSERT_TRUE(WaitFor(
      "the high problem at the high receiver", [&] { return high_receiver.accepted().size() >= 1; },
      std::chrono::seconds(10)));
  // The feed is read in order and each channel delivers in order: had the
  // low problem or the update matched, they would have come before.
  EXPECT_EQ(everything_receiver.requests().size(), 3u);
  ASSERT_EQ(high_receiver.requests().size(), 1u);
  EXPECT_TRUE(vuln_receiver.requests().empty());
  Json event = Json::parse(high_receiver.requests()[0].body);
  EXPECT_EQ(event["id"], "80");
  EXPECT_EQ(event["event"], "opened");
  EXPECT_EQ(event["risk_level"], "high");
  ASSERT_TRUE(WaitFor(
      "the deliveries in the channels' accounts",
      [&] { return DeliveryOf(all)["delivered"] == 3 && DeliveryOf(high)["delivered"] == 1; },
      std::chrono::seconds(10)));
  EXPECT_EQ(DeliveryOf(high)["state"], "ok");
}

// A cloud account's check: an event that several RTM-011 rows match is one
// problem and one message (the finding lists every row it matched), and
// each further event on the same resource is one more message, never one
// per row.
TEST_F(ChannelsTest, ACloudEventThatSeveralRowsMatchIsOneMessage) {
  TestHttpReceiver receiver;
  CreateWebhook("cloud", receiver.url("/c"), {{"rule_ids", {"RTM-011"}}});
  Json org = {{"name", "acme"},
              {"rules",
               {{"RTM-011",
                 {{"enabled", true},
                  {"patterns", Json::array({{{"eventName", "^CreateSecret$"}},
                                            {{"eventName", "^Create"}},
                                            {{"eventSource", "^secretsmanager\\."}}})}}}}}};
  ClientResponse o =
      Checked("createCloudOrganisation", "POST", "/api/v1/cloud/organisations", org.dump());
  ASSERT_EQ(o.status, 201) << o.body;
  ClientResponse a =
      Checked("createCloudAccount", "POST",
              "/api/v1/cloud/organisations/" + Body(o).value("id", "") + "/accounts",
              Json{{"provider", "aws"}, {"identifier", "111122223333"}, {"name", "prod"}}.dump());
  ASSERT_EQ(a.status, 201) << a.body;
  auto event = [](const std::string& secret, int minute) {
    return Json{
        {"eventVersion", "1.08"},
        {"eventTime", "2024-05-01T12:0" + std::to_string(minute) + ":00Z"},
        {"eventName", "CreateSecret"},
        {"eventSource", "secretsmanager.amazonaws.com"},
        {"awsRegion", "eu-west-1"},
        {"recipientAccountId", "111122223333"},
        {"userIdentity", {{"type", "IAMUser"}, {"arn", "arn:aws:iam::111122223333:user/alice"}}},
        {"requestParameters", {{"name", secret}}},
        {"resources",
         Json::array(
             {{{"ARN", "arn:aws:secretsmanager:eu-west-1:111122223333:secret:" + secret}}})}}
        .dump();
  };
  auto upload = [&](const std::string& lines) {
    ClientResponse r = server_.Call(
        "POST", "/api/v1/cloud/accounts/" + Body(a).value("id", "") + "/uploads?name=events.jsonl",
        admin_, lines, "application/octet-stream");
    EXPECT_EQ(r.status, 200) << r.body;
  };

  upload(event("db-password", 1) + "\n");
  ASSERT_TRUE(WaitFor(
      "the message", [&] { return receiver.accepted().size() >= 1; }, std::chrono::seconds(10)));
  // Two more events: one on the same secret (its problem is updated), one
  // on another (a new problem): two more messages, in order.
  upload(event("db-password", 2) + "\n" + event("api-key", 3) + "\n");
  ASSERT_TRUE(WaitFor(
      "three messages", [&] { return receiver.accepted().size() >= 3; }, std::chrono::seconds(10)));
  ASSERT_TRUE(server_.app().store().Flush().ok());
  const std::string all = Checked("listProblems", "GET", "/api/v1/problems?subject=cloud").body;
  EXPECT_EQ(Body(Checked("listProblems", "GET", "/api/v1/problems?subject=cloud&rule_id=RTM-011"))
                .value("total", 0),
            2)
      << all;
  // Had any event been sent once per matched row, more would be here by
  // the time the channel delivered the third (it delivers in order).
  ASSERT_TRUE(WaitFor(
      "the channel's account of three deliveries",
      [&] {
        const Json channels = Body(Checked("listChannels", "GET", "/api/v1/channels"));
        for (const Json& c : channels["items"])
          if (c.value("name", "") == "cloud")
            return DeliveryOf(c.value("id", ""))["delivered"] == 3;
        return false;
      },
      std::chrono::seconds(10)));
  ASSERT_EQ(receiver.requests().size(), 3u);
  const Json first = Json::parse(receiver.requests()[0].body);
  EXPECT_EQ(first["event"], "opened");
  EXPECT_EQ(first["rule_id"], "RTM-011");
  EXPECT_NE(receiver.requests()[0].body.find("db-password"), std::string::npos);
  EXPECT_EQ(Json::parse(receiver.requests()[1].body)["event"], "updated");
  EXPECT_EQ(Json::parse(receiver.requests()[2].body)["event"], "opened");
  EXPECT_NE(receiver.requests()[2].body.find("api-key"), std::string::npos);
}

TEST_F(ChannelsTest, AnUnreachableReceiverShowsItsErrorAndAGrowingQueueThenGetsEverything) {
  TestHttpReceiver receiver;
  const int port = receiver.port();
  const std::string url = receiver.url("/hook");
  receiver.Stop();
  const std::string id = CreateWebhook("down", url);

  Push({ProblemRecord("web-1", "22", RiskLevel::kHigh)});
  ASSERT_TRUE(WaitFor(
      "the channel to fail with one record queued",
      [&] {
        Json s = DeliveryOf(id);
        return s["state"] == "failing" && s["queue_depth"] == 1;
      },
      std::chrono::seconds(10)));
  Json down = DeliveryOf(id);
  ASSERT_TRUE(down["last_error"].is_string());
  EXPECT_NE(down["last_error"].get<std::string>().find("127.0.0.1"), std::string::npos)
      << down.dump();
  EXPECT_GE(down["failed"].get<int64_t>(), 1);
  EXPECT_EQ(down["delivered"], 0);

  Push({ProblemRecord("web-1", "25", RiskLevel::kHigh)});
  ASSERT_TRUE(WaitFor(
      "the queue to grow", [&] { return DeliveryOf(id)["queue_depth"] == 2; },
      std::chrono::seconds(10)));
  // Where people look: the channel list and /metrics.
  ClientResponse listed = Checked("listChannels", "GET", "/api/v1/channels?delivery_state=failing");
  EXPECT_EQ(Body(listed)["total"], 1) << listed.body;
  ClientResponse metrics = server_.Call("GET", "/metrics", admin_);
  EXPECT_NE(metrics.body.find("warden_channel_queue_depth{channel=\"" + id + "\",name=\"down\"} 2"),
            std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("warden_channel_failing{channel=\"" + id + "\",name=\"down\"} 1"),
            std::string::npos)
      << metrics.body;

  ASSERT_TRUE(receiver.Start(port));
  ASSERT_TRUE(WaitFor(
      "both records at the receiver", [&] { return receiver.accepted().size() >= 2; },
      std::chrono::seconds(10)));
  ASSERT_TRUE(WaitFor(
      "the channel to recover",
      [&] {
        Json s = DeliveryOf(id);
        return s["state"] == "ok" && s["queue_depth"] == 0 && s["delivered"] == 2;
      },
      std::chrono::seconds(10)));
  EXPECT_EQ(Json::parse(receiver.accepted()[0].body)["id"], "22");
  EXPECT_EQ(Json::parse(receiver.accepted()[1].body)["id"], "25");
}

TEST_F(ChannelsTest, QueuedRecordsSurviveDisablingAndGoToTheNewUrl) {
  TestHttpReceiver dead;
  const std::string dead_url = dead.url("/old");
  dead.Stop();
  const std::string id = CreateWebhook("moving", dead_url);
  const std::string path = "/api/v1/channels/" + id;
  Push({ProblemRecord("web-1", "22", RiskLevel::kHigh)});
  ASSERT_TRUE(WaitFor(
      "one record queued", [&] { return DeliveryOf(id)["queue_depth"] == 1; },
      std::chrono::seconds(10)));

  ClientResponse disabled =
      Checked("updateChannel", "PATCH", path, Json{{"enabled", false}}.dump());
  ASSERT_EQ(disabled.status, 200) << disabled.body;
  EXPECT_EQ(Body(disabled)["delivery"]["state"], "disabled");
  EXPECT_EQ(Body(disabled)["delivery"]["queue_depth"], 1);
  // Disabled: new events are not queued for it. A second channel shows when
  // the feed has passed the event.
  TestHttpReceiver witness;
  CreateWebhook("witness", witness.url("/w"));
  Push({ProblemRecord("web-1", "23", RiskLevel::kHigh)});
  ASSERT_TRUE(WaitFor(
      "the event at the witness", [&] { return witness.accepted().size() >= 1; },
      std::chrono::seconds(10)));
  EXPECT_EQ(DeliveryOf(id)["queue_depth"], 1);

  TestHttpReceiver alive;
  ClientResponse moved =
      Checked("updateChannel", "PATCH", path,
              Json{{"enabled", true}, {"config", {{"url", alive.url("/new")}}}}.dump());
  ASSERT_EQ(moved.status, 200) << moved.body;
  ASSERT_TRUE(WaitFor(
      "the queued record at the new URL", [&] { return alive.accepted().size() >= 1; },
      std::chrono::seconds(10)));
  ASSERT_TRUE(WaitFor(
      "an empty queue", [&] { return DeliveryOf(id)["queue_depth"] == 0; },
      std::chrono::seconds(10)));
  Push({ProblemRecord("web-1", "24", RiskLevel::kHigh)});
  ASSERT_TRUE(WaitFor(
      "the next event", [&] { return alive.accepted().size() >= 2; }, std::chrono::seconds(10)));
  std::vector<warden::testing::ReceivedRequest> got = alive.accepted();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].path, "/new");
  EXPECT_EQ(Json::parse(got[0].body)["id"], "22");
  EXPECT_EQ(Json::parse(got[1].body)["id"], "24");
}

TEST_F(ChannelsTest, AuditEntriesReachAuditChannelsAsFileLines) {
  ClientResponse created = Checked("createChannel", "POST", "/api/v1/channels",
                                   Json{{"name", "audit-file"},
                                        {"type", "file"},
                                        {"config", {{"path", "audit/log.jsonl"}}},
                                        {"triggers", {{"kinds", {"audit"}}}}}
                                       .dump());
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = Body(created)["id"];
  // A change after the channel exists is one audit entry to notify.
  ClientResponse user = server_.Call("POST", "/api/v1/users", admin_,
                                     Json{{"name", "bob"}, {"role", "viewer"}}.dump());
  ASSERT_EQ(user.status, 201) << user.body;
  const std::string file = server_.app().state_dir() + "/files/audit/log.jsonl";
  std::string text;
  ASSERT_TRUE(WaitFor(
      "the createUser entry in the file",
      [&] {
        std::ifstream in(file);
        text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
        return text.find("createUser") != std::string::npos;
      },
      std::chrono::seconds(10)));
  EXPECT_NE(text.find("\"action\":\"createUser\""), std::string::npos) << text;
  ASSERT_TRUE(WaitFor(
      "the file channel's account", [&] { return DeliveryOf(id)["delivered"] >= 1; },
      std::chrono::seconds(10)));
}

}  // namespace
}  // namespace warden::server::testing

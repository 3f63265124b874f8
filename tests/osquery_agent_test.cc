// An osquery agent against a real `warden server` process on loopback over
// TLS, spoken by OsqueryProtocolClient exactly as osqueryd 5.x would: it
// enrols with a Warden enrol secret, receives its config, answers a live
// query (the campaign shows its rows and done state) and delivers result
// and status logs; and the failure cases osquery's behaviour makes
// dangerous: a wrong secret (enrolment retried with osquery's backoff), a
// node key the server no longer knows (node_invalid -> osquery enrols
// again), and a log upload the server cannot take (an error body, so the
// buffer is kept and sent again, never lost), including one above the
// request size limit.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <regex>
#include <string>
#include <vector>

#include "core/finding.h"
#include "core/strings.h"
#include "osquery_protocol_client.h"
#include "server/http_test_client.h"
#include "testing/test_util.h"
#include "testing/warden_processes.h"

namespace warden {
namespace {

using testing::CurlClient;
using testing::OsqueryProtocolClient;
using testing::RestSession;
using testing::RunCommand;
using testing::ServerUnderTest;
using testing::TempDir;
using testing::WardenBinary;

class OsqueryAgentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.ok());
    state_ = server_.state();
    base_ = server_.base();
    const std::string password = "osquery e2e password";
    ASSERT_TRUE(server_.AddUser("osq", "admin", password));
    secret_ = server_.CreateEnrolSecret("osquery", "osquery");
    ASSERT_FALSE(secret_.empty());
    api_ = std::make_unique<RestSession>(base_, ca());
    ASSERT_TRUE(api_->Login("osq", password)) << api_->last();
  }

  std::string ca() const { return state_ + "/tls/ca.pem"; }

  OsqueryProtocolClient::Options ClientOptions(const std::string& secret) const {
    OsqueryProtocolClient::Options o;
    o.base_url = base_;
    o.ca_file = ca();
    o.enroll_secret = secret;
    return o;
  }

  // The first host the API lists.
  Json OnlyHost() {
    Json hosts = api_->Call("GET", "/api/v1/hosts");
    if (!hosts.is_object() || hosts["items"].size() != 1) return Json();
    return hosts["items"][0];
  }

  TempDir dir_;
  ServerUnderTest server_{dir_};
  std::string state_, base_, secret_;
  std::unique_ptr<RestSession> api_;
};

TEST_F(OsqueryAgentTest, EnrolsGetsConfigAnswersALiveQueryAndDeliversLogs) {
  OsqueryProtocolClient osquery(ClientOptions(secret_));
  ASSERT_TRUE(osquery.Enroll()) << osquery.calls().back().error;
  EXPECT_EQ(osquery.calls().back().request_body.rfind(
                "{\"enroll_secret\":\"" + secret_ +
                    "\",\"host_identifier\":\"osquery-host\","
                    "\"platform_type\":\"9\",\"host_details\":{\"os_version\":",
                0),
            0u)
      << osquery.calls().back().request_body;

  std::optional<Json> config = osquery.FetchConfig();
  ASSERT_TRUE(config.has_value()) << osquery.calls().back().error;
  EXPECT_EQ(osquery.calls().back().request_body, "{\"node_key\":\"" + osquery.node_key() + "\"}");
  EXPECT_TRUE((*config)["options"]["distributed_interval"].is_number_integer()) << config->dump();
  EXPECT_TRUE((*config)["schedule"].is_object());

  Json host = OnlyHost();
  ASSERT_TRUE(host.is_object()) << api_->last();
  EXPECT_EQ(host["agent"]["type"], "osquery");
  EXPECT_EQ(host["agent"]["version"], "5.13.1");
  EXPECT_EQ(host["hostname"], "osquery-host");
  EXPECT_EQ(host["labels"], Json({"osquery"}));
  EXPECT_TRUE(host["online"].get<bool>()) << host.dump();
  EXPECT_NE(std::find(host["agent"]["unavailable"].begin(), host["agent"]["unavailable"].end(),
                      "problems"),
            host["agent"]["unavailable"].end());

  // A live query: read, run, written back; the campaign holds the rows.
  long status = 0;
  Json created = api_->Call(
      "POST", "/api/v1/queries",
      Json{{"sql", "SELECT pid, name FROM processes"}, {"targets", {{"labels", {"osquery"}}}}},
      &status);
  ASSERT_EQ(status, 202) << api_->last();
  const std::string query_id = created["id"];
  std::optional<int64_t> accelerate;
  auto queries = osquery.ReadQueries(&accelerate);
  ASSERT_TRUE(queries.has_value()) << osquery.calls().back().error;
  EXPECT_EQ(osquery.calls().back().request_body, "{\"node_key\":\"" + osquery.node_key() + "\"}");
  ASSERT_EQ(queries->size(), 1u);
  EXPECT_EQ((*queries)[0].second, "SELECT pid, name FROM processes");
  ASSERT_TRUE(accelerate.has_value()) << "accelerate must be a JSON integer";
  EXPECT_GT(*accelerate, 0);
  OsqueryProtocolClient::QueryOutcome outcome;
  outcome.name = (*queries)[0].first;
  outcome.rows = {{{"pid", "1"}, {"name", "systemd"}}, {{"pid", "7"}, {"name", "sshd"}}};
  auto written = osquery.WriteResults({outcome});
  ASSERT_TRUE(written.ok) << written.error;
  EXPECT_EQ(written.request_body.rfind("{\"queries\":{", 0), 0u);
  EXPECT_NE(written.request_body.find("},\"node_key\":\"" + osquery.node_key() + "\"}"),
            std::string::npos)
      << written.request_body;
  Json query = api_->Call("GET", "/api/v1/queries/" + query_id);
  EXPECT_EQ(query["state"], "done") << query.dump();
  EXPECT_EQ(query["counts"]["done"], 1) << query.dump();
  Json results = api_->Call("GET", "/api/v1/queries/" + query_id + "/results");
  ASSERT_EQ(results["items"].size(), 2u) << results.dump();
  EXPECT_EQ(results["items"][0]["row"], (Json{{"pid", "1"}, {"name", "systemd"}}));

  // Logs: a result batch and a status batch, each sent and then dropped.
  for (int i = 0; i < 3; ++i) {
    osquery.LogResult({{"name", "pack_osquery_uptime"},
                       {"hostIdentifier", "osquery-host"},
                       {"calendarTime", "Mon Dec  7 12:00:00 2026 UTC"},
                       {"unixTime", 1796731200 + i},
                       {"epoch", 0},
                       {"counter", i},
                       {"numerics", false},
                       {"columns", {{"total_seconds", std::to_string(1000 + i)}}},
                       {"action", "added"}});
  }
  osquery.LogStatus({{"hostIdentifier", "osquery-host"},
                     {"calendarTime", "Mon Dec  7 12:00:00 2026 UTC"},
                     {"unixTime", "1796731200"},
                     {"severity", "0"},
                     {"filename", "scheduler.cpp"},
                     {"line", "83"},
                     {"message", "Executing scheduled query"},
                     {"version", "5.13.1"}});
  ASSERT_TRUE(osquery.FlushLogs()) << osquery.calls().back().error;
  EXPECT_EQ(osquery.buffered_results(), 0u);
  EXPECT_EQ(osquery.buffered_statuses(), 0u);
  const std::string& log_body = osquery.calls()[osquery.calls().size() - 2].request_body;
  EXPECT_EQ(log_body.rfind("{\"data\":[{\"name\":\"pack_osquery_uptime\"", 0), 0u) << log_body;
  EXPECT_NE(log_body.find("],\"log_type\":\"result\",\"node_key\":\""), std::string::npos)
      << log_body;
  api_->Call("GET", "/metrics");
  EXPECT_NE(
      api_->last().find("warden_osquery_log_lines_total{kind=\"result\",outcome=\"stored\"} 3"),
      std::string::npos)
      << api_->last();
  EXPECT_NE(
      api_->last().find("warden_osquery_log_lines_total{kind=\"status\",outcome=\"counted\"} 1"),
      std::string::npos);
}

TEST_F(OsqueryAgentTest, AWrongSecretIsRetriedWithOsquerysBackoffAndNeverEnrols) {
  OsqueryProtocolClient::Options options =
      ClientOptions("wdn_enr_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
  options.enroll_max_attempts = 4;
  OsqueryProtocolClient osquery(options);
  EXPECT_FALSE(osquery.Enroll());
  EXPECT_EQ(osquery.enrolments(), 4);
  EXPECT_EQ(osquery.waits(),
            (std::vector<std::chrono::seconds>{std::chrono::seconds(1), std::chrono::seconds(4),
                                               std::chrono::seconds(9)}));
  for (const auto& call : osquery.calls()) {
    EXPECT_FALSE(call.ok);
    EXPECT_NE(call.error.find("Request failed"), std::string::npos) << call.error;
  }
  EXPECT_TRUE(osquery.node_key().empty());
  EXPECT_TRUE(api_->Call("GET", "/api/v1/hosts")["items"].empty()) << api_->last();
}

TEST_F(OsqueryAgentTest, AnUnknownNodeKeyMakesOsqueryEnrolAgainAndCarryOn) {
  OsqueryProtocolClient osquery(ClientOptions(secret_));
  ASSERT_TRUE(osquery.Enroll());
  const std::string first_key = osquery.node_key();
  osquery.set_node_key("wdn_node_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
  std::optional<Json> config = osquery.FetchConfig();
  ASSERT_TRUE(config.has_value()) << osquery.calls().back().error;
  // Try 1: node_invalid (key forgotten); wait 1 s; try 2 enrols first.
  EXPECT_EQ(osquery.enrolments(), 2);
  EXPECT_EQ(osquery.waits(), std::vector<std::chrono::seconds>{std::chrono::seconds(1)});
  EXPECT_NE(osquery.node_key(), first_key);
  EXPECT_FALSE(osquery.node_key().empty());
  // Same host, enrolled again: still one.
  Json hosts = api_->Call("GET", "/api/v1/hosts");
  EXPECT_EQ(hosts["total"], 1) << hosts.dump();
  // The replaced key is refused now, also with node_invalid.
  auto old = osquery.Post("/api/v1/osquery/config", "{\"node_key\":\"" + first_key + "\"}");
  EXPECT_FALSE(old.ok);
  EXPECT_EQ(old.answer.value("node_invalid", false), true) << old.answer.dump();
}

TEST_F(OsqueryAgentTest, AFailedLogUploadKeepsTheBufferUntilTheServerTakesIt) {
  OsqueryProtocolClient::Options options = ClientOptions(secret_);
  OsqueryProtocolClient osquery(options);
  ASSERT_TRUE(osquery.Enroll());
  // A result batch the server cannot take: 18 lines just under osquery's
  // 1 MiB line limit make a request above the 16 MiB limit.
  const std::string big(1000 * 1000, 'x');
  for (int i = 0; i < 18; ++i)
    osquery.LogResult(
        {{"name", "big"}, {"action", "added"}, {"unixTime", i}, {"columns", {{"blob", big}}}});
  EXPECT_FALSE(osquery.FlushLogs());
  const auto& refused = osquery.calls().back();
  EXPECT_FALSE(refused.ok);
  if (refused.http_status != 0) {
    EXPECT_EQ(refused.http_status, 413);
    EXPECT_TRUE(refused.answer.is_object() && refused.answer.contains("error"))
        << refused.http_status;
  }
  EXPECT_EQ(osquery.buffered_results(), 18u) << "an error body must keep osquery's buffer";
  EXPECT_EQ(osquery.waits().back(), std::chrono::seconds(4));  // period × 1²
  EXPECT_FALSE(osquery.FlushLogs());
  EXPECT_EQ(osquery.waits().back(), std::chrono::seconds(16));  // period × 2²
  EXPECT_TRUE(server_.process().alive());

  // A node key the server does not know (its host was deleted and enrolled
  // again elsewhere): node_invalid, the buffer stays, osquery forgets the
  // key, enrols again and the next flush delivers.
  OsqueryProtocolClient small(ClientOptions(secret_));
  ASSERT_TRUE(small.Enroll());
  small.LogResult({{"name", "q"}, {"action", "added"}, {"unixTime", 5}, {"columns", {{"a", "1"}}}});
  small.set_node_key("wdn_node_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB");
  EXPECT_FALSE(small.FlushLogs());
  EXPECT_EQ(small.buffered_results(), 1u);
  EXPECT_TRUE(small.node_key().empty()) << "node_invalid makes osquery forget its key";
  EXPECT_TRUE(small.FlushLogs()) << small.calls().back().error;
  EXPECT_EQ(small.buffered_results(), 0u);

  // Bad JSON gets an error body; the server carries on.
  auto bad = small.Post("/api/v1/osquery/log", "{\"node_key\": \"" + small.node_key() + "\", [");
  EXPECT_FALSE(bad.ok);
  EXPECT_TRUE(bad.answer.is_object() && bad.answer.contains("error"));
  EXPECT_TRUE(small.FetchConfig().has_value());
}

}  // namespace
}  // namespace warden

// The agent channel through the real server (127.0.0.1, TLS, SQLite store in
// a temporary directory), spoken the way an agent speaks it: an admin
// creates an enrol secret over the REST API, the "agent" enrols with it,
// pushes records and long-polls commands with its node key, and what it sent
// shows up in the REST API. Every answer is validated against the spec.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "auth/role.h"
#include "problems/problem_rendering.h"
#include "server/server_test_support.h"

namespace warden::server::testing {
namespace {

// A problem event exactly as the agent renders it for its sinks.
Json ProblemRecord(const std::string& hostname) {
  ProblemEvent e;
  e.action = ProblemAction::kOpened;
  e.at = 1'700'000'000;
  Problem& p = e.problem;
  p.id = "f00d";
  p.rule_id = "HOST-OPEN-PORTS";
  p.host = hostname;
  p.title = "tcp port 8080 is open";
  p.risk_level = RiskLevel::kHigh;
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

class AgentChannelE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.ok());
    store::User admin =
        server_.AddUser("e2e-admin", auth::Role::kAdmin, "correct horse battery staple");
    admin_ = server_.AddToken(admin.id);
  }

  // Calls and checks the answer against the operation's response schema.
  ClientResponse Checked(const std::string& operation_id, const std::string& method,
                         const std::string& target, const Credentials& who,
                         const std::string& body = "") {
    ClientResponse r = server_.Call(method, target, who, body);
    EXPECT_EQ(r.code, CURLE_OK) << r.error;
    Status valid = ValidateAgainstSpec(operation_id, r);
    EXPECT_TRUE(valid.ok()) << operation_id << " " << r.status << ": " << valid.message() << "\n"
                            << r.body.substr(0, 400);
    return r;
  }

  // Enrols as `hostname` with a secret an admin created; the host id and node key.
  std::pair<std::string, Credentials> Enrol(const std::string& hostname) {
    ClientResponse created = Checked("createEnrollSecret", "POST", "/api/v1/enroll-secrets", admin_,
                                     Json{{"name", "e2e " + hostname}}.dump());
    EXPECT_EQ(created.status, 201) << created.body;
    const std::string secret = Json::parse(created.body).value("secret", "");
    Json identity = {{"machine_id", "machine-" + hostname},
                     {"hostname", hostname},
                     {"os", {{"name", "Debian GNU/Linux"}, {"version", "12"}, {"id", "debian"}}},
                     {"agent_version", "0.9.0"}};
    ClientResponse enrolled = Checked("enrollAgent", "POST", "/api/v1/agent/enroll", {},
                                      Json{{"secret", secret}, {"identity", identity}}.dump());
    EXPECT_EQ(enrolled.status, 200) << enrolled.body;
    Json answer = Json::parse(enrolled.body, nullptr, false);
    if (!answer.is_object()) return {};
    Credentials node;
    node.bearer = answer.value("node_key", "");
    return {answer.value("host_id", ""), node};
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

TEST_F(AgentChannelE2eTest, StopAnswersAParkedPollAtOnce) {
  auto [host_id, node] = Enrol("web-2");
  ASSERT_FALSE(node.bearer.empty());
  ClientResponse polled;
  std::thread poller([&] { polled = PollFromAnotherClient(node, 10); });
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

}  // namespace
}  // namespace warden::server::testing

// The agent's side of the server channel against a real TLS listener: the
// server's own CA (server/tls_bootstrap.h) and HTTP layer (server/http_server.h)
// with a small fake of the /api/v1/agent/* handlers, so enrolment is tested
// with real certificates and real verification. Also checks that every
// record body the agent sends validates against the contract
// (api/openapi.yaml, AgentRecord and AgentEnrollRequest).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

#include "agent/inventory_records.h"
#include "agent/result_log.h"
#include "agent/server_enrolment.h"
#include "api/json_schema.h"
#include "api/openapi_spec.h"
#include "core/version.h"
#include "delivery/record.h"
#include "delivery/server_sink.h"
#include "server/http_json.h"
#include "server/http_router.h"
#include "server/http_server.h"
#include "server/record_ingest.h"
#include "server/tls_bootstrap.h"
#include "testing/test_util.h"

namespace warden {
namespace {

using testing::TempDir;

std::shared_ptr<const api::JsonSchema> ContractSchema(const std::string& name) {
  auto spec = api::OpenApiSpec::Embedded();
  EXPECT_TRUE(spec.ok());
  const Json* schema = api::ResolveJsonPointer((*spec)->document(), "#/components/schemas/" + name);
  EXPECT_NE(schema, nullptr) << name;
  auto inlined = api::InlineRefs(*schema, (*spec)->document());
  EXPECT_TRUE(inlined.ok()) << inlined.status().message();
  auto compiled = api::JsonSchema::Compile(*inlined);
  EXPECT_TRUE(compiled.ok()) << compiled.status().message();
  return *compiled;
}

// A TLS server with the agent channel's enrolment routes.
class FakeServer {
 public:
  FakeServer() {
    server::TlsBootstrapOptions tls;
    tls.state_dir = dir_.path();
    auto boot = server::BootstrapTls(tls);
    EXPECT_TRUE(boot.ok()) << boot.status().message();
    tls_ = *boot;
    EXPECT_TRUE(router_
                    .Add("GET", "/api/v1/agent/ca",
                         [this](server::HttpRequest&) {
                           server::HttpResponse r;
                           r.headers.Set("Content-Type", "application/x-pem-file");
                           r.headers.Set("X-Warden-Ca-Fingerprint", tls_.ca_fingerprint);
                           r.body = tls_.ca_cert_pem;
                           return r;
                         })
                    .ok());
    EXPECT_TRUE(router_
                    .Add("POST", "/api/v1/agent/enroll",
                         [this](server::HttpRequest& request) {
                           std::lock_guard<std::mutex> lock(mu_);
                           enrolments_.push_back(Json::parse(request.body, nullptr, false));
                           if (enrolments_.back().value("secret", "") != "wdn_enr_good")
                             return server::ErrorResponse("E_ENROLL_SECRET_INVALID",
                                                          "the enrol secret is not valid");
                           return server::JsonResponse(
                               200,
                               {{"host_id", "h-1"},
                                {"node_key", "wdn_node_key" + std::to_string(enrolments_.size())},
                                {"poll_wait_seconds", 10},
                                {"duplicate_identity", false}});
                         })
                    .ok());
    server::HttpServerOptions options;
    options.tls_cert_chain_file = tls_.cert_chain_file;
    options.tls_key_file = tls_.key_file;
    auto started = server::HttpServer::Start(options, &router_);
    EXPECT_TRUE(started.ok()) << started.status().message();
    server_ = std::move(*started);
  }

  std::string url() const { return "https://127.0.0.1:" + std::to_string(server_->port()); }
  const std::string& fingerprint() const { return tls_.ca_fingerprint; }
  std::vector<Json> enrolments() {
    std::lock_guard<std::mutex> lock(mu_);
    return enrolments_;
  }

 private:
  TempDir dir_;
  server::TlsBootstrapResult tls_;
  server::HttpRouter router_;
  std::unique_ptr<server::HttpServer> server_;
  std::mutex mu_;
  std::vector<Json> enrolments_;
};

EnrolmentOptions Options(const FakeServer& server, const TempDir& dir) {
  EnrolmentOptions o;
  o.server_url = server.url();
  o.secret = "wdn_enr_good";
  o.config_path = dir.path() + "/agent.yaml";
  o.state_dir = dir.path() + "/state";
  HostIdentity id;
  id.machine_id = "0123456789abcdef0123456789abcdef";
  id.hostname = "web-1";
  id.os_name = "Debian GNU/Linux";
  id.os_id = "debian";
  id.os_version = "12";
  id.kernel = "6.1.0";
  id.arch = "x86_64";
  id.agent_version = kWardenVersion;
  o.identity = id;
  return o;
}

TEST(AgentEnrolmentTest, PinnedFingerprintEnrolsAndWritesKeyCaAndConfig) {
  FakeServer server;
  TempDir dir;
  const std::string original =
      "# mine\nhost:\n  identifier: hostname\n\nsinks:\n  - {name: out, type: stdout}\n";
  dir.WriteFile("agent.yaml", original);
  ::chmod((dir.path() + "/agent.yaml").c_str(), 0600);
  EnrolmentOptions o = Options(server, dir);
  o.ca_fingerprint = server.fingerprint();
  auto result = EnrolAgent(o);
  ASSERT_TRUE(result.ok()) << result.status().message();
  EXPECT_EQ(result->host_id, "h-1");
  EXPECT_EQ(result->ca_fingerprint, server.fingerprint());

  struct stat st {};
  ASSERT_EQ(::stat((o.state_dir + "/node-key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(testing::ReadFileText(o.state_dir + "/node-key"), "wdn_node_key1\n");
  auto ca = ParseCaCertificate(testing::ReadFileText(o.state_dir + "/server-ca.pem"));
  ASSERT_TRUE(ca.ok());
  EXPECT_EQ(ca->fingerprint, server.fingerprint());
  const std::string config = testing::ReadFileText(o.config_path);
  EXPECT_EQ(config.substr(0, original.size()), original);
  EXPECT_NE(config.find("url: \"" + server.url() + "\""), std::string::npos) << config;
  ASSERT_EQ(::stat(o.config_path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  // The identity sent is what the contract asks for.
  auto enrolments = server.enrolments();
  ASSERT_EQ(enrolments.size(), 1u);
  auto violation = ContractSchema("AgentEnrollRequest")->Validate(enrolments[0]);
  EXPECT_FALSE(violation.has_value()) << violation->pointer << ": " << violation->message;

  // Enrolling again: a new key, the same single server section.
  auto again = EnrolAgent(o);
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(testing::ReadFileText(o.state_dir + "/node-key"), "wdn_node_key2\n");
  EXPECT_EQ(testing::ReadFileText(o.config_path), config);
}

TEST(AgentEnrolmentTest, WrongFingerprintIsRefusedAndNothingIsWritten) {
  FakeServer server;
  TempDir dir;
  dir.WriteFile("agent.yaml", "sinks: []\n");
  EnrolmentOptions o = Options(server, dir);
  o.ca_fingerprint = "sha256:" + std::string(64, '0');
  auto result = EnrolAgent(o);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("not the pinned"), std::string::npos)
      << result.status().message();
  EXPECT_TRUE(server.enrolments().empty());  // the secret never left the host
  EXPECT_FALSE(std::filesystem::exists(o.state_dir + "/node-key"));
  EXPECT_FALSE(std::filesystem::exists(o.state_dir + "/server-ca.pem"));
  EXPECT_EQ(testing::ReadFileText(o.config_path), "sinks: []\n");
}

TEST(AgentEnrolmentTest, WithoutFingerprintAnUntrustedServerIsRefusedWithAHint) {
  FakeServer server;
  TempDir dir;
  EnrolmentOptions o = Options(server, dir);
  auto result = EnrolAgent(o);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("--ca-fingerprint"), std::string::npos)
      << result.status().message();
  EXPECT_TRUE(server.enrolments().empty());
  EXPECT_FALSE(std::filesystem::exists(o.config_path));
}

TEST(AgentEnrolmentTest, RefusedSecretNamesTheServersError) {
  FakeServer server;
  TempDir dir;
  EnrolmentOptions o = Options(server, dir);
  o.ca_fingerprint = server.fingerprint();
  o.secret = "wdn_enr_bad";
  auto result = EnrolAgent(o);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("HTTP 401 E_ENROLL_SECRET_INVALID"), std::string::npos)
      << result.status().message();
  EXPECT_FALSE(std::filesystem::exists(o.state_dir + "/node-key"));
  EXPECT_FALSE(std::filesystem::exists(o.state_dir + "/server-ca.pem"));
  EXPECT_FALSE(std::filesystem::exists(o.config_path));
}

void ExpectValidRecord(const Record& record) {
  static const auto schema = ContractSchema("AgentRecord");
  Json j = AgentRecordJson(record);
  auto violation = schema->Validate(j);
  EXPECT_FALSE(violation.has_value())
      << record.id << ": " << violation->pointer << ": " << violation->message << "\n"
      << j.dump(2);
}

// The result lines the agent's scheduled queries write (result_log.h), as
// its server sink sends them, are what the server's ingest stores row by
// row: each snapshot row, and a differential line's columns.
TEST(AgentRecordContractTest, TheAgentsResultLinesBecomeOneStoredRowPerResultRow) {
  ResultLogHeader header;
  header.name = "srv:procs";
  header.host_identifier = "web-1";
  header.unix_time = 1700000000;
  header.epoch = 1;
  header.counter = 4;
  auto record = [](Json line, const std::string& id) {
    Record r;
    r.kind = RecordKind::kResult;
    r.id = id;
    r.time_ms = 1700000000000;
    r.body = std::move(line);
    return r;
  };
  const std::vector<std::string> columns = {"pid", "name"};
  Json rows =
      Json::array({RowObject(columns, {Value(int64_t{1}), Value(std::string("init"))}, true),
                   RowObject(columns, {Value(int64_t{2}), Value(std::string("sh"))}, false)});
  Record snapshot = record(SnapshotLine(header, rows), "s");
  Record added = record(DifferentialLine(header, rows[0], "added"), "a");
  ExpectValidRecord(snapshot);
  ExpectValidRecord(added);
  server::PreparedRecordBatch batch = server::PrepareRecordBatch(
      Json{{"batch_id", "b"}, {"records", {AgentRecordJson(snapshot), AgentRecordJson(added)}}});
  ASSERT_FALSE(batch.error.has_value()) << batch.error->field << ": " << batch.error->message;
  ASSERT_EQ(batch.records.size(), 2u);
  auto* stored = std::get_if<server::ScheduledResultRows>(&batch.records[0].rows);
  ASSERT_NE(stored, nullptr);
  ASSERT_EQ(stored->rows.size(), 2u);
  EXPECT_EQ(stored->rows[0].name, "srv:procs");
  EXPECT_EQ(stored->rows[0].action, "snapshot");
  EXPECT_EQ(stored->rows[0].counter, 4);
  EXPECT_EQ(Json::parse(stored->rows[1].row_json), (Json{{"pid", "2"}, {"name", "sh"}}));
  auto* diff = std::get_if<server::ScheduledResultRows>(&batch.records[1].rows);
  ASSERT_NE(diff, nullptr);
  ASSERT_EQ(diff->rows.size(), 1u);
  EXPECT_EQ(diff->rows[0].action, "added");
  EXPECT_EQ(Json::parse(diff->rows[0].row_json), (Json{{"pid", 1}, {"name", "init"}}));
}

TEST(AgentRecordContractTest, EveryRecordBodyTheAgentSendsIsValid) {
  // A problem event.
  ProblemEvent e;
  e.action = ProblemAction::kDismissed;
  e.at = 1700000000;
  e.comment = "approved";
  e.problem.id = "3f2a9c1b7e0d";
  e.problem.rule_id = "HOST-OPEN-PORTS";
  e.problem.host = "web-1";
  e.problem.title = "Processes listening on open ports";
  e.problem.risk_level = RiskLevel::kVeryHigh;
  e.problem.resource = "tcp 0.0.0.0:8080";
  e.problem.status = ProblemStatus::kDismissed;
  e.problem.revision = 3;
  ExpectValidRecord(ProblemEventRecord(e));

  // A status record as the agent's heartbeat builds it.
  Record status;
  status.kind = RecordKind::kStatus;
  status.id = "status-1";
  status.time_ms = 1700000000000;
  status.body = {{"host", "web-1"},
                 {"agent", {{"version", kWardenVersion}}},
                 {"resources", {{"rss_bytes", 1}}},
                 {"jobs",
                  {{{"name", "HOST-VULN"},
                    {"kind", "detector"},
                    {"last_run_ms", 1700000000000},
                    {"duration_ms", 1200},
                    {"outcome", "ok"},
                    {"result", "ok: 0 CVEs"},
                    {"next_run_ms", 1700003600000},
                    {"running", false},
                    {"runs", 4},
                    {"failures", 0}},
                   {{"name", "status"},
                    {"kind", "status"},
                    {"last_run_ms", 0},
                    {"duration_ms", nullptr},
                    {"outcome", nullptr},
                    {"result", nullptr},
                    {"next_run_ms", 0},
                    {"running", true},
                    {"runs", 0},
                    {"failures", 0}}}}};
  ExpectValidRecord(status);

  // Inventory snapshots.
  ListeningSocket s;
  s.pid = 42;
  s.port = 22;
  s.protocol = "tcp";
  s.family = 10;
  s.address = "::";
  s.process_name = "sshd";
  ListeningSocket unknown;
  unknown.port = 68;
  unknown.protocol = "udp";
  unknown.family = 2;
  unknown.address = "0.0.0.0";
  ExpectValidRecord(PortsInventory({s, unknown}, 1700000000000).record);
  TempDir root;
  root.WriteFile("var/lib/dpkg/status",
                 "Package: openssl\nStatus: install ok installed\nArchitecture: amd64\n"
                 "Version: 3.0.11-1~deb12u2\n\n");
  auto packages = PackagesInventory(HostFs(root.path()), 1700000000000);
  ASSERT_TRUE(packages.ok());
  ExpectValidRecord(packages->record);

  // A scheduled query result line.
  Record result;
  result.kind = RecordKind::kResult;
  result.id = "q.1.0.0";
  result.time_ms = 1700000000000;
  result.body = {{"name", "listeners"}, {"action", "added"}, {"columns", {{"port", 22}}}};
  ExpectValidRecord(result);

  // And the schema does catch a wrong body.
  Record bad = status;
  bad.body["jobs"][0]["kind"] = "cron";
  EXPECT_TRUE(ContractSchema("AgentRecord")->Validate(AgentRecordJson(bad)).has_value());
}

}  // namespace
}  // namespace warden

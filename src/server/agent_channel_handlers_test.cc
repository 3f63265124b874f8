// The agent channel's handlers, called with ApiCall objects as the
// dispatcher builds them; every answer is checked against the spec.
#include "server/agent_channel_handlers.h"

#include <gtest/gtest.h>

#include <fstream>

#include "api/openapi_spec.h"
#include "api/response_validator.h"
#include "auth/secret_token.h"
#include "core/encoding.h"
#include "core/time_format.h"
#include "server/capturing_response_sink.h"
#include "server/tls_bootstrap.h"
#include "store/store_test_fixture.h"

namespace warden::server {
namespace {

using namespace std::chrono_literals;
using store::StoreWriter;

class AgentChannelTest : public store::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    auto spec = api::OpenApiSpec::Embedded();
    ASSERT_TRUE(spec.ok());
    spec_ = *spec;
    TlsBootstrapOptions tls;
    tls.state_dir = dir_.path() + "/tls";
    tls.hostname = "localhost";
    auto bootstrapped = BootstrapTls(tls);
    ASSERT_TRUE(bootstrapped.ok()) << bootstrapped.status().message();
    tls_ = *bootstrapped;

    secret_ = auth::GenerateToken(auth::TokenKind::kEnrolSecret);
    store::NewEnrolSecret s;
    s.name = "prod";
    s.labels = {"env=prod"};
    s.sha256 = auth::TokenHash(secret_);
    s.created_at = 1;
    ASSERT_TRUE(MustWrite([&](StoreWriter& w) { return w.enrol_secrets().Create(s); }).ok());

    packages_ = std::make_unique<AgentPackages>(dir_.path() + "/packages");
    for (const char* file :
         {"warden_0.9.0_amd64.deb", "warden_0.10.0_amd64.deb", "warden-agent_0.10.0_amd64.deb",
          "warden_0.10.0_arm64.deb", "other_9.0_amd64.deb"}) {
      const std::string path = dir_.path() + "/" + file;
      std::ofstream(path, std::ios::binary) << "!<arch>\ndebian-binary   " << file;
      ASSERT_TRUE(packages_->Add(path).ok()) << file;
    }
    auto pin = PublicKeyPinOfFile(tls_.cert_chain_file);
    ASSERT_TRUE(pin.ok()) << pin.status().message();
    pin_ = *pin;

    hub_ = std::make_unique<CommandHub>(store(), [] { return NowEpochMillis(); });
    AgentChannelContext ctx;
    ctx.store = &store();
    ctx.hub = hub_.get();
    ctx.ca_pem = tls_.ca_cert_pem;
    ctx.server_key_pin = pin_;
    ctx.packages = packages_.get();
    ctx.now = [] { return NowEpochMillis(); };
    ctx.options.poll_wait_seconds = 7;
    RegisterAgentChannelHandlers(handlers_, ctx);
  }
  void TearDown() override { hub_.reset(); }

  ApiCall Call(std::string_view operation_id, int64_t host_id = 0) {
    ApiCall call;
    call.operation = spec_->FindById(operation_id);
    EXPECT_NE(call.operation, nullptr) << operation_id;
    call.http = &request_;
    request_.id = "req-1";
    if (host_id != 0) {
      call.principal.kind = Principal::Kind::kNode;
      call.principal.host_id = host_id;
    }
    call.audit.action = std::string(operation_id);
    call.audit.time = NowEpochMillis();
    return call;
  }

  // Runs a sync handler and checks the answer against the spec.
  HttpResponse Run(ApiCall& call) {
    const ApiHandler* handler = handlers_.FindSync(call.operation->operation_id);
    EXPECT_NE(handler, nullptr);
    HttpResponse r = (*handler)(call);
    Check(call, r);
    return r;
  }

  // Runs an async handler and waits (up to 15 s) for its answer.
  HttpResponse RunAsync(ApiCall& call) {
    const AsyncApiHandler* handler = handlers_.FindAsync(call.operation->operation_id);
    EXPECT_NE(handler, nullptr);
    auto sink = std::make_shared<CapturingResponseSink>();
    (*handler)(call, HttpResponder(sink));
    std::optional<HttpResponse> r = sink->Await(15s);
    EXPECT_TRUE(r.has_value());
    if (!r) return {};
    Check(call, *r);
    return *r;
  }

  void Check(const ApiCall& call, const HttpResponse& r) {
    Status valid = api::ValidateResponse(*call.operation, r.status,
                                         r.headers.Get("Content-Type").value_or(""), r.body);
    EXPECT_TRUE(valid.ok()) << valid.message() << "\n" << r.body;
  }

  static Json Body(const HttpResponse& r) { return Json::parse(r.body, nullptr, false); }

  static std::string ErrorCode(const HttpResponse& r) {
    Json j = Body(r);
    return j.is_object() && j.contains("error") ? j["error"].value("code", "") : "";
  }

  Json EnrollBody(const std::string& hostname, const std::string& secret) {
    return {{"secret", secret},
            {"identity",
             {{"machine_id", "machine-" + hostname},
              {"instance_id", nullptr},
              {"hostname", hostname},
              {"os", {{"name", "Debian GNU/Linux"}, {"version", "12"}, {"id", "debian"}}},
              {"kernel", "6.1.0"},
              {"arch", "x86_64"},
              {"agent_version", "0.9.0"}}}};
  }

  // Enrols `hostname`; its host id and node key.
  std::pair<int64_t, std::string> Enrol(const std::string& hostname) {
    ApiCall call = Call("enrollAgent");
    call.body = EnrollBody(hostname, secret_);
    HttpResponse r = Run(call);
    EXPECT_EQ(r.status, 200) << r.body;
    Json j = Body(r);
    if (!j.is_object()) return {0, ""};
    return {std::stoll(j["host_id"].get<std::string>()), j["node_key"].get<std::string>()};
  }

  const api::OpenApiSpec* spec_ = nullptr;
  std::unique_ptr<AgentPackages> packages_;
  std::string pin_;
  TlsBootstrapResult tls_;
  std::string secret_;
  HttpRequest request_;
  std::unique_ptr<CommandHub> hub_;
  ApiHandlers handlers_;
};

TEST_F(AgentChannelTest, CaIsServedWithItsFingerprint) {
  ApiCall call = Call("getAgentCa");
  HttpResponse r = Run(call);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, tls_.ca_cert_pem);
  EXPECT_EQ(r.headers.Get("X-Warden-Ca-Fingerprint").value_or(""), tls_.ca_fingerprint);
  EXPECT_EQ(r.headers.Get("X-Warden-Server-Key-Pin").value_or(""), pin_);
  EXPECT_EQ(pin_.rfind("sha256//", 0), 0u);
  EXPECT_EQ(pin_.size(), 8u + 44u);
}

TEST_F(AgentChannelTest, InstallScriptNamesTheNewestPackagesWithTheirDigests) {
  ApiCall call = Call("getAgentInstallScript");
  HttpResponse r = Run(call);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body.rfind("#!/bin/sh\n", 0), 0u);
  auto line = [](const char* arch, const char* file, const char* package, const char* version) {
    const std::string content = "!<arch>\ndebian-binary   " + std::string(file);
    return std::string(arch) + " " + file + " " + Sha256Hex(content) + " " + package + " " +
           version + "\n";
  };
  // 0.10.0 is newer than 0.9.0 in Debian's order (not in a string sort).
  EXPECT_NE(r.body.find(line("amd64", "warden_0.10.0_amd64.deb", "warden", "0.10.0")),
            std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find(line("amd64", "warden-agent_0.10.0_amd64.deb", "warden-agent", "0.10.0")),
            std::string::npos);
  EXPECT_NE(r.body.find(line("arm64", "warden_0.10.0_arm64.deb", "warden", "0.10.0")),
            std::string::npos);
  EXPECT_EQ(r.body.find("warden_0.9.0_amd64.deb"), std::string::npos);
  EXPECT_EQ(r.body.find("other_9.0"), std::string::npos);
  EXPECT_EQ(r.body.find(secret_), std::string::npos);
}

TEST_F(AgentChannelTest, PackagesNeedAValidEnrolSecret) {
  auto fetch = [&](const std::string& file, const std::string& authorization) {
    request_.headers = {};
    if (!authorization.empty()) request_.headers.Set("Authorization", authorization);
    ApiCall call = Call("getAgentPackage");
    call.params["file"] = file;
    return Run(call);
  };
  const std::string file = "warden-agent_0.10.0_amd64.deb";
  for (const std::string& bad : {std::string(), std::string("Bearer nope"), "Basic " + secret_,
                                 "Bearer " + auth::GenerateToken(auth::TokenKind::kEnrolSecret),
                                 "Bearer " + auth::GenerateToken(auth::TokenKind::kApiToken)}) {
    HttpResponse r = fetch(file, bad);
    EXPECT_EQ(r.status, 401) << bad;
    EXPECT_EQ(ErrorCode(r), "E_ENROLL_SECRET_INVALID") << bad;
  }
  HttpResponse r = fetch(file, "Bearer " + secret_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, "!<arch>\ndebian-binary   " + file);
  EXPECT_EQ(r.headers.Get("Content-Type").value_or(""), "application/vnd.debian.binary-package");
  for (const std::string& missing :
       {std::string("warden-agent_0.11.0_amd64.deb"), std::string("../packages/" + file),
        std::string("server.db")}) {
    HttpResponse m = fetch(missing, "Bearer " + secret_);
    EXPECT_EQ(m.status, 404) << missing;
    EXPECT_EQ(ErrorCode(m), "E_PACKAGE_NOT_FOUND") << missing;
  }
}

TEST_F(AgentChannelTest, EnrolmentGivesANodeKeyAndIsIdempotentPerIdentity) {
  auto [host, key] = Enrol("web-1");
  ASSERT_GT(host, 0);
  EXPECT_EQ(auth::ParseTokenKind(key), auth::TokenKind::kNodeKey);
  auto stored = store().node_keys().FindByHash(auth::TokenHash(key));
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ((*stored)->host_id, host);

  auto [again, key2] = Enrol("web-1");
  EXPECT_EQ(again, host);
  EXPECT_NE(key2, key);
  auto old = store().node_keys().FindByHash(auth::TokenHash(key));
  ASSERT_TRUE(old.ok() && old->has_value());
  EXPECT_TRUE((*old)->revoked_at.has_value());

  auto h = store().hosts().Get(host);
  ASSERT_TRUE(h.ok() && h->has_value());
  EXPECT_EQ((*h)->labels, std::vector<std::string>{"env=prod"});
  EXPECT_EQ((*h)->os.id, "debian");

  store::ListQuery q;
  q.filters = {{"action", store::FilterOp::kEq, std::string("enrollAgent")}};
  auto audit = store().audit().List(q);
  ASSERT_TRUE(audit.ok());
  ASSERT_EQ(audit->total, 2);
  EXPECT_EQ(audit->items[0].target_id, std::to_string(host));
}

TEST_F(AgentChannelTest, EnrolmentRefusesBadSecretsAndRevokedHosts) {
  for (const std::string& secret :
       {std::string("nope"), auth::GenerateToken(auth::TokenKind::kEnrolSecret),
        auth::GenerateToken(auth::TokenKind::kApiToken)}) {
    ApiCall call = Call("enrollAgent");
    call.body = EnrollBody("web-1", secret);
    HttpResponse r = Run(call);
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(ErrorCode(r), "E_ENROLL_SECRET_INVALID");
  }
  const int64_t host = Enrol("web-1").first;
  ASSERT_TRUE(MustWrite([&](StoreWriter& w) { return w.hosts().Revoke(host, 5); }).ok());
  ApiCall call = Call("enrollAgent");
  call.body = EnrollBody("web-1", secret_);
  HttpResponse r = Run(call);
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(ErrorCode(r), "E_HOST_REVOKED");
}

TEST_F(AgentChannelTest, ConfigCarriesAnEtagAndAnUnchangedConfigIs304) {
  auto [host, key] = Enrol("web-1");
  ApiCall call = Call("getAgentConfig", host);
  HttpResponse r = Run(call);
  ASSERT_EQ(r.status, 200);
  Json config = Body(r);
  EXPECT_EQ(config["settings"]["poll_wait_seconds"], 7);
  std::string etag(r.headers.Get("ETag").value_or(""));
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(config["etag"], etag);

  ApiCall again = Call("getAgentConfig", host);
  again.params["If-None-Match"] = etag;
  HttpResponse unchanged = Run(again);
  EXPECT_EQ(unchanged.status, 304);
  EXPECT_TRUE(unchanged.body.empty());

  ApiCall weak = Call("getAgentConfig", host);
  weak.params["If-None-Match"] = "\"other\", W/" + etag;
  EXPECT_EQ(Run(weak).status, 304);
  ApiCall stale = Call("getAgentConfig", host);
  stale.params["If-None-Match"] = "\"other\"";
  EXPECT_EQ(Run(stale).status, 200);
}

TEST_F(AgentChannelTest, RecordsAreAcknowledgedAfterStorageAndResendsCountAsDuplicates) {
  auto [host, key] = Enrol("web-1");
  Json batch = {{"batch_id", "b1"},
                {"records",
                 {{{"id", "ports-1"},
                   {"kind", "inventory"},
                   {"time_ms", 1000},
                   {"body",
                    {{"type", "ports"},
                     {"items", {{{"protocol", "tcp"}, {"address", "0.0.0.0"}, {"port", 22}}}}}}}}}};
  ApiCall call = Call("pushAgentRecords", host);
  call.body = batch;
  HttpResponse r = RunAsync(call);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r), (Json{{"accepted", 1}, {"duplicates", 0}}));

  ApiCall resend = Call("pushAgentRecords", host);
  resend.body = batch;
  r = RunAsync(resend);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(Body(r), (Json{{"accepted", 0}, {"duplicates", 1}}));

  ApiCall bad = Call("pushAgentRecords", host);
  bad.body = batch;
  (*bad.body)["records"][0]["id"] = "ports-2";
  (*bad.body)["records"][0]["body"]["items"][0]["protocol"] = "sctp";
  r = RunAsync(bad);
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(Body(r)["error"]["field"], "/records/0/body/items/0/protocol");
}

TEST_F(AgentChannelTest, CommandPollAnswersPendingCommandsAndResultsAreRecordedOnce) {
  auto [host, key] = Enrol("web-1");
  store::NewAgentCommand c;
  c.host_id = host;
  c.type = "dismiss";
  c.args_json = R"({"problem_id":"f00d","comment":"accepted","until_ms":null})";
  c.created_at = NowEpochMillis();
  auto queued = hub_->Queue(c).Wait();
  ASSERT_TRUE(queued.ok());

  ApiCall poll = Call("pollAgentCommands", host);
  poll.params["wait"] = 10;
  HttpResponse r = RunAsync(poll);
  ASSERT_EQ(r.status, 200);
  Json commands = Body(r)["commands"];
  ASSERT_EQ(commands.size(), 1u);
  const std::string id = commands[0]["id"];

  auto post = [&](int64_t as_host, const std::string& command_id, const std::string& status) {
    ApiCall call = Call("postAgentCommandResult", as_host);
    call.params["command_id"] = command_id;
    call.body = Json{{"status", status}, {"finished_at_ms", 5000}};
    return RunAsync(call);
  };
  EXPECT_EQ(post(host, id, "succeeded").status, 204);
  EXPECT_EQ(post(host, id, "succeeded").status, 204);  // a resend
  HttpResponse conflict = post(host, id, "failed");
  EXPECT_EQ(conflict.status, 409);
  EXPECT_EQ(ErrorCode(conflict), "E_COMMAND_ALREADY_COMPLETED");
  HttpResponse missing = post(host, "999999", "succeeded");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(ErrorCode(missing), "E_COMMAND_NOT_FOUND");
  auto [other, other_key] = Enrol("web-2");
  EXPECT_EQ(post(other, id, "succeeded").status, 404);  // another host's command

  ApiCall empty = Call("pollAgentCommands", host);
  empty.params["wait"] = 0;
  r = RunAsync(empty);
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(Body(r)["commands"].empty());
}

TEST_F(AgentChannelTest, EveryAgentOperationOfTheSpecHasAHandler) {
  for (const char* id : {"getAgentCa", "enrollAgent", "getAgentConfig", "pushAgentRecords",
                         "pollAgentCommands", "postAgentCommandResult"}) {
    EXPECT_NE(spec_->FindById(id), nullptr) << id;
    EXPECT_TRUE(handlers_.FindSync(id) != nullptr || handlers_.FindAsync(id) != nullptr) << id;
  }
}

}  // namespace
}  // namespace warden::server

// Test support for the server's API tests (header-only, test code only): a
// real ServerApp on 127.0.0.1 with a SQLite store in a temporary directory,
// cheap password hashing, and helpers to make principals (users with
// sessions, API tokens, node keys) and to call the API over HTTPS with them.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/openapi_spec.h"
#include "api/response_validator.h"
#include "auth/secret_token.h"
#include "core/time_format.h"
#include "server/http_test_client.h"
#include "server/server_app.h"
#include "testing/test_util.h"

namespace warden::server::testing {

using warden::testing::ClientRequest;
using warden::testing::ClientResponse;
using warden::testing::CurlClient;

// How a test request authenticates.
struct Credentials {
  std::string bearer;      // "Authorization: Bearer <bearer>"
  std::string session_id;  // the session cookie
  std::string csrf_token;  // sent with unsafe methods
};

inline auth::PasswordCost CheapPasswordCost() {
  auth::PasswordCost cost;
  cost.opslimit = 1;
  cost.memlimit_bytes = 8192;
  return cost;
}

class TestServer {
 public:
  // `configure` may change the config before the server starts.
  explicit TestServer(std::vector<HandlerRegistration> registrations = {},
                      const std::function<void(ServerConfig&)>& configure = {}) {
    ServerAppOptions options;
    options.config = DefaultServerConfig();
    options.config.state_dir = dir_.path() + "/state";
    options.config.listen_address = "127.0.0.1";
    options.config.listen_port = 0;
    options.config.access_log = false;
    options.config.worker_threads = 4;
    if (configure) configure(options.config);
    options.password_cost = CheapPasswordCost();
    options.handler_registrations = std::move(registrations);
    auto app = ServerApp::Start(std::move(options));
    EXPECT_TRUE(app.ok()) << app.status().message();
    if (app.ok()) app_ = std::move(*app);
  }

  bool ok() const { return app_ != nullptr; }
  ServerApp& app() { return *app_; }
  store::Store& store() { return app_->store(); }
  std::string url() const { return app_->url(); }
  std::string origin() const { return app_->url(); }

  ClientResponse Call(const std::string& method, const std::string& target,
                      const Credentials& who = {}, const std::string& body = "",
                      const std::string& content_type = "application/json") {
    return client_.Send(Request(method, target, who, body, content_type));
  }

  // The request Call sends, for a client of the caller's own (another thread).
  ClientRequest Request(const std::string& method, const std::string& target,
                        const Credentials& who = {}, const std::string& body = "",
                        const std::string& content_type = "application/json") const {
    ClientRequest request;
    request.method = method;
    request.url = url() + target;
    request.ca_file = app_->ca_cert_file();
    request.body = body;
    if (!body.empty()) request.headers.push_back("Content-Type: " + content_type);
    if (!who.bearer.empty()) request.headers.push_back("Authorization: Bearer " + who.bearer);
    if (!who.session_id.empty()) {
      request.headers.push_back("Cookie: __Host-warden_session=" + who.session_id);
      if (method != "GET" && method != "HEAD") {
        request.headers.push_back("X-CSRF-Token: " + who.csrf_token);
        request.headers.push_back("Origin: " + origin());
        request.headers.push_back("Sec-Fetch-Site: same-origin");
      }
    }
    return request;
  }

  // A user made through the store (password hashed), acted by the system.
  store::User AddUser(const std::string& name, auth::Role role, const std::string& password) {
    auth::PasswordHasher hasher(CheapPasswordCost());
    auto user =
        CreateUserWithPassword(store(), hasher, name, role, password, false, NowEpochMillis());
    EXPECT_TRUE(user.ok()) << user.status().message();
    return user.ok() ? *user : store::User{};
  }

  // Logs in through the API; the session cookie and CSRF token.
  Credentials Login(const std::string& name, const std::string& password) {
    ClientResponse r =
        Call("POST", "/api/v1/session", {}, Json{{"name", name}, {"password", password}}.dump());
    EXPECT_EQ(r.status, 200) << r.body;
    Credentials c;
    std::string cookie(r.headers.Get("Set-Cookie").value_or(""));
    const std::string prefix = "__Host-warden_session=";
    if (cookie.rfind(prefix, 0) == 0)
      c.session_id = cookie.substr(prefix.size(), cookie.find(';') - prefix.size());
    Json body = Json::parse(r.body, nullptr, false);
    if (body.is_object()) c.csrf_token = body.value("csrf_token", "");
    return c;
  }

  // An API token of `user_id` stored directly (expires_at in epoch ms).
  Credentials AddToken(int64_t user_id, std::optional<store::EpochMs> expires_at = std::nullopt) {
    std::string token = auth::GenerateToken(auth::TokenKind::kApiToken);
    store::NewApiToken t;
    t.name = "test token";
    t.user_id = user_id;
    t.sha256 = auth::TokenHash(token);
    t.created_at = NowEpochMillis() - 60'000;
    t.expires_at = expires_at;
    auto done =
        store().Write([&](store::StoreWriter& w) { return w.api_tokens().Create(t); }).Wait();
    EXPECT_TRUE(done.ok()) << done.status().message();
    return Credentials{token, "", ""};
  }

  // Enrols a host with a fresh enrol secret; its node key.
  Credentials AddNodeKey(const std::string& hostname) {
    std::string secret = auth::GenerateToken(auth::TokenKind::kEnrolSecret);
    std::string node_key = auth::GenerateToken(auth::TokenKind::kNodeKey);
    auto done = store()
                    .Write([&](store::StoreWriter& w) -> Result<store::EnrolOutcome> {
                      store::NewEnrolSecret s;
                      s.name = "test secret";
                      s.sha256 = auth::TokenHash(secret);
                      s.created_by = "test";
                      s.created_at = NowEpochMillis();
                      ASSIGN_OR_RETURN(store::EnrolSecret created, w.enrol_secrets().Create(s));
                      store::HostEnrolment e;
                      e.machine_id = "machine-" + hostname;
                      e.hostname = hostname;
                      e.os.name = "Debian GNU/Linux";
                      e.os.id = "debian";
                      e.agent_version = "0.1.0";
                      e.enrol_secret_id = created.id;
                      e.node_key_sha256 = auth::TokenHash(node_key);
                      e.now = NowEpochMillis();
                      return w.hosts().Enrol(e);
                    })
                    .Wait();
    EXPECT_TRUE(done.ok()) << done.status().message();
    if (done.ok()) host_id_ = done->host.id;
    return Credentials{node_key, "", ""};
  }
  int64_t last_host_id() const { return host_id_; }

 private:
  warden::testing::TempDir dir_;
  std::unique_ptr<ServerApp> app_;
  CurlClient client_;
  int64_t host_id_ = 0;
};

// OK when the response matches the operation's declared response.
inline Status ValidateAgainstSpec(std::string_view operation_id, const ClientResponse& r) {
  auto spec = api::OpenApiSpec::Embedded();
  if (!spec.ok()) return spec.status();
  const api::Operation* op = (*spec)->FindById(operation_id);
  if (op == nullptr) return NotFound(std::string(operation_id));
  return api::ValidateResponse(*op, static_cast<int>(r.status),
                               r.headers.Get("Content-Type").value_or(""), r.body);
}

// Calls the API and checks the answer against the operation's declared
// response (a failure is a test failure; the answer is returned either way).
inline ClientResponse CheckedCall(TestServer& server, std::string_view operation_id,
                                  const std::string& method, const std::string& target,
                                  const Credentials& who, const std::string& body = "",
                                  const std::string& content_type = "application/json") {
  ClientResponse r = server.Call(method, target, who, body, content_type);
  EXPECT_EQ(r.code, CURLE_OK) << r.error;
  Status valid = ValidateAgainstSpec(operation_id, r);
  EXPECT_TRUE(valid.ok()) << operation_id << " " << r.status << ": " << valid.message() << "\n"
                          << r.body.substr(0, 400);
  return r;
}

// A host enrolled through the agent channel, as an agent does it.
struct EnrolledAgent {
  std::string host_id;
  Credentials node;
};

// Makes an enrol secret carrying `labels` (as `admin`) and enrols
// `hostname` with it (machine id "machine-HOSTNAME", OS id `os_id`).
inline EnrolledAgent EnrolThroughApi(TestServer& server, const Credentials& admin,
                                     const std::string& hostname,
                                     const std::vector<std::string>& labels = {},
                                     const std::string& os_id = "debian") {
  Json secret_body = {{"name", "secret " + hostname}};
  if (!labels.empty()) secret_body["labels"] = labels;
  ClientResponse created = CheckedCall(server, "createEnrollSecret", "POST",
                                       "/api/v1/enroll-secrets", admin, secret_body.dump());
  EXPECT_EQ(created.status, 201) << created.body;
  const Json secret = Json::parse(created.body, nullptr, false);
  Json identity = {{"machine_id", "machine-" + hostname},
                   {"hostname", hostname},
                   {"os", {{"name", "Debian GNU/Linux"}, {"version", "12"}, {"id", os_id}}},
                   {"agent_version", "0.9.0"}};
  Json enrol = {{"secret", secret.is_object() ? secret.value("secret", "") : ""},
                {"identity", identity}};
  ClientResponse enrolled =
      CheckedCall(server, "enrollAgent", "POST", "/api/v1/agent/enroll", {}, enrol.dump());
  EXPECT_EQ(enrolled.status, 200) << enrolled.body;
  const Json answer = Json::parse(enrolled.body, nullptr, false);
  EnrolledAgent agent;
  if (!answer.is_object()) return agent;
  agent.host_id = answer.value("host_id", "");
  agent.node.bearer = answer.value("node_key", "");
  return agent;
}

}  // namespace warden::server::testing

// The REST handlers on a real server: each response is checked against the
// API contract (api::ValidateResponse), and each change against its audit
// entry.
#include <gtest/gtest.h>

#include <string>

#include "server/server_test_support.h"

namespace warden::server::testing {
namespace {

const std::string kPassword = "correct horse battery";

Json Body(const ClientResponse& r) { return Json::parse(r.body, nullptr, false); }

#define EXPECT_MATCHES_SPEC(operation_id, response)                          \
  do {                                                                       \
    Status valid_ = ValidateAgainstSpec(operation_id, response);             \
    EXPECT_TRUE(valid_.ok()) << valid_.message() << "\n" << (response).body; \
  } while (0)

class RestHandlersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.ok());
    admin_user_ = server_.AddUser("alice", auth::Role::kAdmin, kPassword);
    admin_ = server_.Login("alice", kPassword);
    ASSERT_FALSE(admin_.session_id.empty());
  }
  TestServer server_;
  store::User admin_user_;
  Credentials admin_;
};

TEST_F(RestHandlersTest, MetaOperationsAnswerAsTheContractSays) {
  ClientResponse health = server_.Call("GET", "/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_MATCHES_SPEC("getHealth", health);
  ClientResponse ready = server_.Call("GET", "/readyz");
  EXPECT_EQ(ready.status, 200) << ready.body;
  EXPECT_MATCHES_SPEC("getReadiness", ready);
  ClientResponse version = server_.Call("GET", "/api/v1/version", admin_);
  EXPECT_EQ(version.status, 200);
  EXPECT_MATCHES_SPEC("getVersion", version);
  ClientResponse openapi = server_.Call("GET", "/api/v1/openapi.json");
  EXPECT_EQ(openapi.status, 200);
  EXPECT_EQ(Body(openapi).value("openapi", ""), "3.1.0");
  ClientResponse metrics = server_.Call("GET", "/metrics", admin_);
  EXPECT_EQ(metrics.status, 200);
  EXPECT_MATCHES_SPEC("getMetrics", metrics);
  EXPECT_NE(metrics.body.find("warden_http_responses_total{class=\"2xx\"}"), std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("warden_store_transactions_total"), std::string::npos);
}

TEST_F(RestHandlersTest, FirstAdminMustChangeTheOneTimePasswordBeforeAnythingElse) {
  const std::optional<std::string>& initial = server_.app().initial_admin_password();
  ASSERT_TRUE(initial.has_value());
  Credentials first = server_.Login("admin", *initial);
  ClientResponse session = server_.Call("GET", "/api/v1/session", first);
  EXPECT_EQ(session.status, 200);
  EXPECT_MATCHES_SPEC("getSession", session);
  EXPECT_TRUE(Body(session).value("must_change_password", false));
  EXPECT_EQ(Body(session).value("csrf_token", ""), first.csrf_token);

  ClientResponse refused = server_.Call("GET", "/api/v1/users", first);
  EXPECT_EQ(refused.status, 403);
  EXPECT_NE(refused.body.find("E_PASSWORD_CHANGE_REQUIRED"), std::string::npos);

  ClientResponse wrong = server_.Call(
      "PUT", "/api/v1/session/password", first,
      Json{{"current_password", "nope"}, {"new_password", "a much better password"}}.dump());
  EXPECT_EQ(wrong.status, 422) << wrong.body;
  EXPECT_MATCHES_SPEC("changePassword", wrong);
  ClientResponse changed = server_.Call(
      "PUT", "/api/v1/session/password", first,
      Json{{"current_password", *initial}, {"new_password", "a much better password"}}.dump());
  EXPECT_EQ(changed.status, 204) << changed.body;
  ClientResponse listed = server_.Call("GET", "/api/v1/users", first);
  EXPECT_EQ(listed.status, 200) << listed.body;
  EXPECT_MATCHES_SPEC("listUsers", listed);
}

TEST_F(RestHandlersTest, LoginRefusesWrongPasswordsAndThrottlesGuessing) {
  ClientResponse wrong = server_.Call("POST", "/api/v1/session", {},
                                      Json{{"name", "alice"}, {"password", "x"}}.dump());
  EXPECT_EQ(wrong.status, 401);
  EXPECT_MATCHES_SPEC("login", wrong);
  EXPECT_NE(wrong.body.find("E_INVALID_CREDENTIALS"), std::string::npos);
  ClientResponse last;
  for (int i = 0; i < 10 && last.status != 429; ++i) {
    last = server_.Call("POST", "/api/v1/session", {},
                        Json{{"name", "alice"}, {"password", "guess"}}.dump());
  }
  EXPECT_EQ(last.status, 429) << last.body;
  EXPECT_MATCHES_SPEC("login", last);
  EXPECT_TRUE(last.headers.Get("Retry-After").has_value());
}

TEST_F(RestHandlersTest, UsersAreCreatedListedUpdatedAndAudited) {
  ClientResponse created = server_.Call("POST", "/api/v1/users", admin_,
                                        Json{{"name", "bob"}, {"role", "viewer"}}.dump());
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_MATCHES_SPEC("createUser", created);
  Json body = Body(created);
  EXPECT_TRUE(body["initial_password"].is_string());
  EXPECT_TRUE(body["user"].value("must_change_password", false));
  const std::string bob_id = body["user"].value("id", "");

  ClientResponse taken = server_.Call("POST", "/api/v1/users", admin_,
                                      Json{{"name", "bob"}, {"role", "viewer"}}.dump());
  EXPECT_EQ(taken.status, 409);
  EXPECT_MATCHES_SPEC("createUser", taken);

  ClientResponse updated =
      server_.Call("PATCH", "/api/v1/users/" + bob_id, admin_, Json{{"role", "analyst"}}.dump());
  EXPECT_EQ(updated.status, 200) << updated.body;
  EXPECT_MATCHES_SPEC("updateUser", updated);
  EXPECT_EQ(Body(updated).value("role", ""), "analyst");

  auto first_admin = server_.store().users().FindByName("admin");
  ASSERT_TRUE(first_admin.ok() && first_admin->has_value());
  ClientResponse disabled =
      server_.Call("PATCH", "/api/v1/users/" + std::to_string((*first_admin)->id), admin_,
                   Json{{"disabled", true}}.dump());
  EXPECT_EQ(disabled.status, 200) << disabled.body;
  ClientResponse last_admin =
      server_.Call("PATCH", "/api/v1/users/" + std::to_string(admin_user_.id), admin_,
                   Json{{"role", "viewer"}}.dump());
  EXPECT_EQ(last_admin.status, 409) << last_admin.body;
  EXPECT_MATCHES_SPEC("updateUser", last_admin);
  EXPECT_NE(last_admin.body.find("E_LAST_ADMIN"), std::string::npos);

  ClientResponse page = server_.Call("GET", "/api/v1/users?limit=1&sort=-name", admin_);
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_MATCHES_SPEC("listUsers", page);
  EXPECT_EQ(Body(page)["items"].size(), 1u);
  EXPECT_TRUE(Body(page)["next_cursor"].is_string());
  EXPECT_EQ(Body(page).value("total", 0), 3);

  ClientResponse unsupported = server_.Call("GET", "/api/v1/users?sort=last_login_at", admin_);
  EXPECT_EQ(unsupported.status, 422);
  EXPECT_MATCHES_SPEC("listUsers", unsupported);

  ClientResponse missing = server_.Call("GET", "/api/v1/users/999999", admin_);
  EXPECT_EQ(missing.status, 404);
  EXPECT_MATCHES_SPEC("getUser", missing);
  EXPECT_NE(missing.body.find("E_USER_NOT_FOUND"), std::string::npos);

  ClientResponse audit = server_.Call("GET", "/api/v1/audit?action=createUser", admin_);
  ASSERT_EQ(audit.status, 200) << audit.body;
  EXPECT_MATCHES_SPEC("listAuditEvents", audit);
  bool found = false;
  const Json events = Body(audit);
  for (const Json& e : events["items"]) {
    if (e["target"].is_object() && e["target"].value("id", "") == bob_id) {
      found = true;
      EXPECT_EQ(e["actor"].value("name", ""), "alice");
      EXPECT_EQ(e.value("status", 0), 201);
      EXPECT_EQ(e["after"].value("name", ""), "bob");
    }
  }
  EXPECT_TRUE(found) << "bob " << bob_id << " " << audit.body;

  ClientResponse deleted = server_.Call("DELETE", "/api/v1/users/" + bob_id, admin_);
  EXPECT_EQ(deleted.status, 204) << deleted.body;
}

TEST_F(RestHandlersTest, TokensAreShownOnceActForTheirUserAndCanBeRevoked) {
  ClientResponse created =
      server_.Call("POST", "/api/v1/tokens", admin_, Json{{"name", "ci"}}.dump());
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_MATCHES_SPEC("createToken", created);
  Credentials token{Body(created).value("token", ""), "", ""};
  const std::string id = Body(created)["api_token"].value("id", "");

  ClientResponse with_token = server_.Call("GET", "/api/v1/tokens/" + id, token);
  EXPECT_EQ(with_token.status, 200) << with_token.body;
  EXPECT_MATCHES_SPEC("getToken", with_token);
  EXPECT_EQ(with_token.body.find(token.bearer), std::string::npos) << "the secret leaked";

  ClientResponse session = server_.Call("GET", "/api/v1/session", token);
  EXPECT_EQ(session.status, 200);
  EXPECT_MATCHES_SPEC("getSession", session);
  EXPECT_EQ(Body(session).value("credential", ""), "token");

  server_.AddUser("victor", auth::Role::kViewer, kPassword);
  Credentials viewer = server_.Login("victor", kPassword);
  ClientResponse others =
      server_.Call("GET", "/api/v1/tokens?user_id=" + std::to_string(admin_user_.id), viewer);
  EXPECT_EQ(others.status, 403) << others.body;
  EXPECT_MATCHES_SPEC("listTokens", others);
  ClientResponse own = server_.Call("GET", "/api/v1/tokens", viewer);
  EXPECT_EQ(Body(own).value("total", -1), 0) << own.body;
  ClientResponse hidden = server_.Call("GET", "/api/v1/tokens/" + id, viewer);
  EXPECT_EQ(hidden.status, 404);
  EXPECT_MATCHES_SPEC("getToken", hidden);
  EXPECT_EQ(server_.Call("DELETE", "/api/v1/tokens/" + id, viewer).status, 404);

  ClientResponse revoked = server_.Call("DELETE", "/api/v1/tokens/" + id, admin_);
  EXPECT_EQ(revoked.status, 204) << revoked.body;
  ClientResponse refused = server_.Call("GET", "/api/v1/tokens", token);
  EXPECT_EQ(refused.status, 401);
  EXPECT_NE(refused.body.find("E_TOKEN_EXPIRED"), std::string::npos);

  ClientResponse list = server_.Call("GET", "/api/v1/tokens?state=revoked", admin_);
  EXPECT_EQ(list.status, 200) << list.body;
  EXPECT_MATCHES_SPEC("listTokens", list);
  EXPECT_EQ(Body(list).value("total", 0), 1);
}

TEST_F(RestHandlersTest, EnrollSecretsRotateWithAGracePeriodAndExportAsCsv) {
  ClientResponse created =
      server_.Call("POST", "/api/v1/enroll-secrets", admin_,
                   Json{{"name", "=cmd|' /C calc'!A0"}, {"labels", {"prod", "web"}}}.dump());
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_MATCHES_SPEC("createEnrollSecret", created);
  const std::string secret = Body(created).value("secret", "");
  EXPECT_EQ(secret.rfind("wdn_enr_", 0), 0u);
  const std::string id = Body(created)["enroll_secret"].value("id", "");
  // The commands for the URL the caller reached, with the CA's fingerprint
  // and the server key's pin (docs/deploy.md).
  const Json commands = Body(created)["commands"];
  ClientResponse ca = server_.Call("GET", "/api/v1/agent/ca");
  const std::string fingerprint(ca.headers.Get("X-Warden-Ca-Fingerprint").value_or(""));
  const std::string pin(ca.headers.Get("X-Warden-Server-Key-Pin").value_or(""));
  ASSERT_FALSE(fingerprint.empty());
  ASSERT_FALSE(pin.empty());
  EXPECT_EQ(commands.value("enroll", ""), "warden agent enroll --server " + server_.url() +
                                              " --secret " + secret + " --ca-fingerprint " +
                                              fingerprint);
  EXPECT_EQ(commands.value("install", ""),
            "curl -fsS --insecure --pinnedpubkey " + pin + " " + server_.url() +
                "/api/v1/agent/install.sh | sudo sh -s -- --server " + server_.url() +
                " --ca-fingerprint " + fingerprint + " --secret " + secret);

  ClientResponse rotated = server_.Call("POST", "/api/v1/enroll-secrets/" + id + "/rotate", admin_,
                                        Json{{"grace_seconds", 3600}}.dump());
  ASSERT_EQ(rotated.status, 201) << rotated.body;
  EXPECT_MATCHES_SPEC("rotateEnrollSecret", rotated);
  EXPECT_EQ(Body(rotated)["replaced"].value("state", ""), "active");  // within the grace period
  EXPECT_TRUE(Body(rotated)["replaced"]["revoked_at"].is_string());

  ClientResponse revoked = server_.Call("POST", "/api/v1/enroll-secrets/" + id + "/revoke", admin_);
  EXPECT_EQ(revoked.status, 200) << revoked.body;
  EXPECT_MATCHES_SPEC("revokeEnrollSecret", revoked);

  ClientResponse csv = server_.Call("GET", "/api/v1/enroll-secrets/export?format=csv", admin_);
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_MATCHES_SPEC("exportEnrollSecrets", csv);
  EXPECT_EQ(csv.body.rfind("id,name,prefix,labels,state", 0), 0u) << csv.body;
  EXPECT_NE(csv.body.find(",'=cmd|' /C calc'!A0,"), std::string::npos) << csv.body;
  EXPECT_EQ(csv.body.find(",=cmd"), std::string::npos) << "a formula cell went out unescaped";

  ClientResponse jsonl = server_.Call("GET", "/api/v1/enroll-secrets/export?format=jsonl", admin_);
  ASSERT_EQ(jsonl.status, 200);
  EXPECT_MATCHES_SPEC("exportEnrollSecrets", jsonl);
  EXPECT_EQ(std::count(jsonl.body.begin(), jsonl.body.end(), '\n'), 2);
}

TEST_F(RestHandlersTest, HostsAreListedLabelledAndRevoked) {
  Credentials node = server_.AddNodeKey("web-1");
  const std::string id = std::to_string(server_.last_host_id());
  ClientResponse list =
      server_.Call("GET", "/api/v1/hosts?status=online&sort=-last_seen_at", admin_);
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_MATCHES_SPEC("listHosts", list);
  EXPECT_EQ(Body(list).value("total", 0), 1);

  ClientResponse labels = server_.Call("PATCH", "/api/v1/hosts/" + id + "/labels", admin_,
                                       Json{{"add", {"prod", "eu"}}}.dump());
  ASSERT_EQ(labels.status, 200) << labels.body;
  EXPECT_MATCHES_SPEC("updateHostLabels", labels);
  EXPECT_EQ(Body(labels)["labels"], Json({"eu", "prod"}));
  ClientResponse by_label = server_.Call("GET", "/api/v1/hosts?label=eu", admin_);
  EXPECT_EQ(Body(by_label).value("total", 0), 1) << by_label.body;

  ClientResponse revoked = server_.Call("POST", "/api/v1/hosts/" + id + "/revoke", admin_);
  ASSERT_EQ(revoked.status, 200) << revoked.body;
  EXPECT_MATCHES_SPEC("revokeHost", revoked);
  EXPECT_EQ(Body(revoked).value("status", ""), "revoked");
  ClientResponse agent = server_.Call("GET", "/api/v1/agent/config", node);
  EXPECT_EQ(agent.status, 401);
  EXPECT_NE(agent.body.find("E_NODE_REVOKED"), std::string::npos);

  ClientResponse get = server_.Call("GET", "/api/v1/hosts/" + id, admin_);
  EXPECT_EQ(get.status, 200);
  EXPECT_MATCHES_SPEC("getHost", get);
  ClientResponse missing = server_.Call("GET", "/api/v1/hosts/424242", admin_);
  EXPECT_EQ(missing.status, 404);
  EXPECT_MATCHES_SPEC("getHost", missing);

  ClientResponse export_jsonl = server_.Call("GET", "/api/v1/hosts/export?format=jsonl", admin_);
  EXPECT_EQ(export_jsonl.status, 200);
  EXPECT_MATCHES_SPEC("exportHosts", export_jsonl);

  ClientResponse audit = server_.Call("GET", "/api/v1/audit?target_type=host", admin_);
  ASSERT_EQ(audit.status, 200);
  EXPECT_EQ(Body(audit).value("total", 0), 2) << audit.body;
  const std::string event = Body(audit)["items"][0].value("id", "");
  ClientResponse one = server_.Call("GET", "/api/v1/audit/" + event, admin_);
  EXPECT_EQ(one.status, 200);
  EXPECT_MATCHES_SPEC("getAuditEvent", one);
  ClientResponse audit_csv = server_.Call("GET", "/api/v1/audit/export?format=csv", admin_);
  EXPECT_EQ(audit_csv.status, 200);
  EXPECT_MATCHES_SPEC("exportAuditEvents", audit_csv);
}

TEST_F(RestHandlersTest, LogoutEndsTheSessionAndClearsTheCookie) {
  ClientResponse out = server_.Call("DELETE", "/api/v1/session", admin_);
  EXPECT_EQ(out.status, 204) << out.body;
  EXPECT_NE(std::string(out.headers.Get("Set-Cookie").value_or("")).find("Max-Age=0"),
            std::string::npos);
  EXPECT_EQ(server_.Call("GET", "/api/v1/session", admin_).status, 401);
}

}  // namespace
}  // namespace warden::server::testing

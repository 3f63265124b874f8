// The authorisation matrix: every operation of the API contract, called on a
// real server (127.0.0.1, TLS, SQLite store in a temporary directory) by
// each kind of principal - an admin, analyst and viewer session, an admin
// API token, an expired token, a node key, and no credentials - asserting
// 401/403 exactly where x-warden-roles says so and never where it allows
// the call. Operations nobody has implemented yet answer 501 after the
// checks, so the matrix covers them too. Operations that need real input to
// do anything (scans, labels) are also called with it, per role, below.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "auth/role.h"
#include "core/time_format.h"
#include "server/server_test_support.h"

namespace warden::server::testing {
namespace {

struct Caller {
  std::string name;
  Credentials credentials;
  // nullopt: no valid credentials (none, or an expired token).
  std::optional<auth::Role> role;
};

// The operation's path with every {param} filled with an id that names
// nothing, plus the query its required parameters need.
std::string TargetFor(const api::Operation& op) {
  std::string path;
  for (size_t i = 0; i < op.path.size(); ++i) {
    if (op.path[i] == '{') {
      size_t end = op.path.find('}', i);
      std::string name = op.path.substr(i + 1, end - i - 1);
      path += name == "cve" ? "CVE-2024-0001" : "999999";
      i = end;
    } else {
      path += op.path[i];
    }
  }
  std::string query;
  for (const api::Parameter& p : op.parameters) {
    if (p.in != api::ParameterLocation::kQuery) continue;
    if (p.name == "format" && p.required)
      query += (query.empty() ? "?" : "&") + std::string("format=csv");
    if (p.name == "wait") query += (query.empty() ? "?" : "&") + std::string("wait=0");
  }
  return path + query;
}

std::string BodyFor(const api::Operation& op, std::string* content_type) {
  *content_type = "application/json";
  if (op.body.empty()) return "";
  if (op.body.front().media_type != "application/json") {
    *content_type = op.body.front().media_type;
    return "x";
  }
  return "{}";
}

// What implemented operations answer an allowed caller here (ids that name
// nothing, `{}` bodies), so the matrix also proves they are no longer 501.
const std::map<std::string, long, std::less<>>& ExpectedStatuses() {
  static const std::map<std::string, long, std::less<>> statuses = {
      {"listChannels", 200},
      {"listCloudOrganisations", 200},
      {"exportCloudOrganisations", 200},
      {"createCloudOrganisation", 422},
      {"getCloudOrganisation", 404},
      {"updateCloudOrganisation", 422},
      {"deleteCloudOrganisation", 404},
      {"listCloudAccounts", 404},
      {"exportCloudAccounts", 404},
      {"createCloudAccount", 422},
      {"getCloudAccount", 404},
      {"updateCloudAccount", 422},
      {"deleteCloudAccount", 404},
      {"getCloudAccountEffectiveRules", 404},
      {"uploadCloudEvents", 404},
      {"listCloudSources", 404},
      {"exportCloudSources", 404},
      {"createCloudSource", 422},
      {"getCloudSource", 404},
      {"updateCloudSource", 422},
      {"deleteCloudSource", 404},
      {"exportChannels", 200},
      {"createChannel", 422},
      {"getChannel", 404},
      {"updateChannel", 422},
      {"deleteChannel", 404},
      {"testChannel", 404},
      {"getChannelStatus", 404},
      {"listLiveQueries", 200},
      {"exportLiveQueries", 200},
      {"createLiveQuery", 422},
      {"getLiveQuery", 404},
      {"listLiveQueryHosts", 404},
      {"exportLiveQueryHosts", 404},
      {"listLiveQueryResults", 404},
      {"exportLiveQueryResults", 404},
      {"streamLiveQuery", 404},
      {"rerunLiveQuery", 404},
      {"diffLiveQuery", 422},
      {"cancelLiveQuery", 404},
      {"pushAgentQueryRows", 422},
      {"listSavedQueries", 200},
      {"exportSavedQueries", 200},
      {"createSavedQuery", 422},
      {"getSavedQuery", 404},
      {"updateSavedQuery", 422},
      {"deleteSavedQuery", 404},
      {"runSavedQuery", 422},
      {"favouriteSavedQuery", 404},
      {"unfavouriteSavedQuery", 404},
      {"listScheduledResults", 200},
      {"exportScheduledResults", 200},
      {"getHostSchedule", 404},
      {"listRecipes", 200},
      {"exportRecipes", 200},
      {"createRecipe", 422},
      {"importRecipe", 422},
      {"getRecipe", 404},
      {"updateRecipe", 404},
      {"deleteRecipe", 404},
      {"cloneRecipe", 422},
      {"getRecipeYaml", 404},
      {"listRecipeAttachments", 404},
      {"attachRecipe", 422},
      {"exportRecipeAttachments", 404},
      {"getRecipeAttachment", 404},
      {"updateRecipeAttachment", 404},
      {"deleteRecipeAttachment", 404},
      {"getHostRecipeOverride", 404},
      {"setHostRecipeOverride", 422},
      {"getHostEffectiveSettings", 404},
      {"listSuppressions", 200},
      {"exportSuppressions", 200},
      {"createSuppression", 422},
      {"getSuppression", 404},
      {"updateSuppression", 422},
      {"deleteSuppression", 404},
  };
  return statuses;
}

TEST(AuthzMatrixTest, EveryOperationRefusesExactlyWhomItsRolesExclude) {
  TestServer server;
  ASSERT_TRUE(server.ok());
  const std::string password = "correct horse battery";
  store::User admin = server.AddUser("matrix-admin", auth::Role::kAdmin, password);
  server.AddUser("matrix-analyst", auth::Role::kAnalyst, password);
  server.AddUser("matrix-viewer", auth::Role::kViewer, password);

  std::vector<Caller> callers = {
      {"admin session", server.Login("matrix-admin", password), auth::Role::kAdmin},
      {"analyst session", server.Login("matrix-analyst", password), auth::Role::kAnalyst},
      {"viewer session", server.Login("matrix-viewer", password), auth::Role::kViewer},
      {"admin token", server.AddToken(admin.id), auth::Role::kAdmin},
      {"expired token", server.AddToken(admin.id, NowEpochMillis() - 1000), std::nullopt},
      {"node key", server.AddNodeKey("matrix-host"), auth::Role::kNode},
      {"no credentials", {}, std::nullopt},
  };
  for (const Caller& c : callers) {
    if (c.role && *c.role != auth::Role::kNode && c.credentials.bearer.empty()) {
      ASSERT_FALSE(c.credentials.session_id.empty()) << c.name << ": login failed";
    }
  }

  auto spec = api::OpenApiSpec::Embedded();
  ASSERT_TRUE(spec.ok());
  std::vector<const api::Operation*> operations;
  for (const api::Operation& op : (*spec)->operations()) operations.push_back(&op);
  // Logging out ends the caller's session: last.
  std::stable_partition(operations.begin(), operations.end(),
                        [](const api::Operation* op) { return op->operation_id != "logout"; });
  ASSERT_EQ(operations.size(), 163u) << "the contract changed: review this matrix";

  // Implemented operations answer for real (their own 404/422 for the
  // matrix's ids and bodies), never 501.
  const std::set<std::string> implemented = {"getFeedStatus",
                                             "importFeed",
                                             "listVulnerabilities",
                                             "exportVulnerabilities",
                                             "getVulnerability",
                                             "listVulnerabilityHosts",
                                             "exportVulnerabilityHosts",
                                             "listVulnerablePackages",
                                             "exportVulnerablePackages",
                                             "listFixFirst",
                                             "exportFixFirst"};
  int checked = 0;
  for (const api::Operation* op : operations) {
    std::string content_type;
    const std::string body = BodyFor(*op, &content_type);
    const std::string target = TargetFor(*op);
    for (const Caller& caller : callers) {
      ClientResponse r = server.Call(op->method, target, caller.credentials, body, content_type);
      ASSERT_EQ(r.code, CURLE_OK) << op->operation_id << " as " << caller.name << ": " << r.error;
      const std::string where = op->operation_id + " (" + op->method + " " + target + ") as " +
                                caller.name + ": " + std::to_string(r.status) + " " +
                                r.body.substr(0, 200);
      ++checked;
      if (op->operation_id == "getAgentPackage") {
        // Its credential is an enrol secret, which none of the callers is.
        EXPECT_EQ(r.status, 401) << where;
        EXPECT_NE(r.body.find("E_ENROLL_SECRET_INVALID"), std::string::npos) << where;
        continue;
      }
      if (!op->authenticated) {
        EXPECT_NE(r.status, 401) << where;
        EXPECT_NE(r.status, 403) << where;
        continue;
      }
      if (op->node_key_in_body) {
        // osquery's API reads its node key from the body only: no header or
        // cookie of any caller here reaches it, and the refusal is in
        // osquery's shape, telling it to enrol again.
        EXPECT_EQ(r.status, 401) << where;
        EXPECT_NE(r.body.find("\"node_invalid\":true"), std::string::npos) << where;
        Status valid = ValidateAgainstSpec(op->operation_id, r);
        EXPECT_TRUE(valid.ok()) << where << ": " << valid.message();
        continue;
      }
      if (!caller.role) {
        EXPECT_EQ(r.status, 401) << where;
      } else if (op->Allows(*caller.role)) {
        EXPECT_NE(r.status, 401) << where;
        EXPECT_NE(r.status, 403) << where;
        auto expected = ExpectedStatuses().find(op->operation_id);
        if (expected != ExpectedStatuses().end()) {
          EXPECT_EQ(r.status, expected->second) << where;
          Status valid = ValidateAgainstSpec(op->operation_id, r);
          EXPECT_TRUE(valid.ok()) << where << ": " << valid.message();
        }
      } else {
        EXPECT_EQ(r.status, 403) << where;
        EXPECT_NE(r.body.find("E_FORBIDDEN"), std::string::npos) << where;
      }
      if (implemented.count(op->operation_id)) {
        EXPECT_NE(r.status, 501) << where;
      }
      if (r.status == 401 || r.status == 403) {
        Status valid = ValidateAgainstSpec(op->operation_id, r);
        EXPECT_TRUE(valid.ok()) << where << ": " << valid.message();
      }
    }
  }
  EXPECT_EQ(checked, 163 * 7);
}

// The scan and label operations, called with what they need, by every kind
// of caller: admins and analysts run scans, viewers only read, node keys
// reach none of them; each allowed call answers its real status.
TEST(AuthzMatrixTest, ScansAndLabelsAnswerEveryAllowedRoleForReal) {
  TestServer server;
  ASSERT_TRUE(server.ok());
  const std::string password = "correct horse battery";
  server.AddUser("scan-admin", auth::Role::kAdmin, password);
  server.AddUser("scan-analyst", auth::Role::kAnalyst, password);
  server.AddUser("scan-viewer", auth::Role::kViewer, password);
  const Credentials node = server.AddNodeKey("scan-host");
  const std::string host = std::to_string(server.last_host_id());
  ASSERT_TRUE(server.store()
                  .Write([&](store::StoreWriter& w) {
                    return w.hosts().SetLabels(server.last_host_id(), {"env=prod"});
                  })
                  .Wait()
                  .ok());
  struct Call {
    std::string operation_id, method, target;
    Json body;
    int status;  // for the roles allowed
  };
  const std::vector<Call> calls = {
      {"runScan", "POST", "/api/v1/scans", {{"scope", "labels"}, {"labels", {"env=prod"}}}, 202},
      {"runScan", "POST", "/api/v1/scans", {{"scope", "all"}, {"dry_run", true}}, 200},
      {"runHostScan", "POST", "/api/v1/hosts/" + host + "/scans", nullptr, 202},
      {"listScans", "GET", "/api/v1/scans?host_id=" + host, nullptr, 200},
      {"exportScans", "GET", "/api/v1/scans/export?format=jsonl", nullptr, 200},
      {"getScan", "GET", "/api/v1/scans/1", nullptr, 200},
      {"listHostScans", "GET", "/api/v1/hosts/" + host + "/scans", nullptr, 200},
      {"exportHostScans", "GET", "/api/v1/hosts/" + host + "/scans/export?format=csv", nullptr,
       200},
      {"listLabels", "GET", "/api/v1/labels?q=prod", nullptr, 200},
      {"exportLabels", "GET", "/api/v1/labels/export?format=csv", nullptr, 200},
  };
  std::vector<Caller> callers = {
      {"admin", server.Login("scan-admin", password), auth::Role::kAdmin},
      {"analyst", server.Login("scan-analyst", password), auth::Role::kAnalyst},
      {"viewer", server.Login("scan-viewer", password), auth::Role::kViewer},
      {"node key", node, auth::Role::kNode},
  };
  auto spec = api::OpenApiSpec::Embedded();
  ASSERT_TRUE(spec.ok());
  for (const Call& call : calls) {
    const api::Operation* op = (*spec)->FindById(call.operation_id);
    ASSERT_NE(op, nullptr) << call.operation_id;
    for (const Caller& caller : callers) {
      ClientResponse r = server.Call(call.method, call.target, caller.credentials,
                                     call.body.is_null() ? "" : call.body.dump());
      const std::string where = call.operation_id + " " + call.target + " as " + caller.name +
                                ": " + std::to_string(r.status) + " " + r.body.substr(0, 200);
      EXPECT_EQ(r.status, op->Allows(*caller.role) ? call.status : 403) << where;
      Status valid = ValidateAgainstSpec(call.operation_id, r);
      EXPECT_TRUE(valid.ok()) << where << ": " << valid.message();
    }
  }
}

// The live query operations, called with what they need, by every kind of
// caller: admins and analysts run, re-run and cancel them, viewers only
// read, node keys reach none of them.
TEST(AuthzMatrixTest, LiveQueriesAnswerEveryAllowedRoleForReal) {
  TestServer server;
  ASSERT_TRUE(server.ok());
  const std::string password = "correct horse battery";
  server.AddUser("lq-admin", auth::Role::kAdmin, password);
  server.AddUser("lq-analyst", auth::Role::kAnalyst, password);
  server.AddUser("lq-viewer", auth::Role::kViewer, password);
  const Credentials node = server.AddNodeKey("lq-host");
  const std::string host = std::to_string(server.last_host_id());
  std::vector<Caller> callers = {
      {"admin", server.Login("lq-admin", password), auth::Role::kAdmin},
      {"analyst", server.Login("lq-analyst", password), auth::Role::kAnalyst},
      {"viewer", server.Login("lq-viewer", password), auth::Role::kViewer},
      {"node key", node, auth::Role::kNode},
  };
  // One live query to read, re-run and cancel.
  ClientResponse first =
      server.Call("POST", "/api/v1/queries", callers[0].credentials,
                  Json{{"sql", "SELECT 1"},
                       {"targets", {{"host_ids", {host}}}},
                       {"offline_deadline", FormatRfc3339(NowEpochSeconds() + 86400)}}
                      .dump());
  ASSERT_EQ(first.status, 202) << first.body;
  const std::string id = Json::parse(first.body)["id"];
  struct Call {
    std::string operation_id, method, target;
    Json body;
    int status;  // for the roles allowed
  };
  const std::string q = "/api/v1/queries/" + id;
  const std::vector<Call> calls = {
      {"createLiveQuery",
       "POST",
       "/api/v1/queries",
       {{"sql", "SELECT 1"}, {"targets", {{"all", true}}}, {"dry_run", true}},
       200},
      {"listLiveQueries", "GET", "/api/v1/queries?host_id=" + host, nullptr, 200},
      {"exportLiveQueries", "GET", "/api/v1/queries/export?format=csv", nullptr, 200},
      {"getLiveQuery", "GET", q, nullptr, 200},
      {"listLiveQueryHosts", "GET", q + "/hosts", nullptr, 200},
      {"exportLiveQueryHosts", "GET", q + "/hosts/export?format=jsonl", nullptr, 200},
      {"listLiveQueryResults", "GET", q + "/results", nullptr, 200},
      {"exportLiveQueryResults", "GET", q + "/results/export?format=csv", nullptr, 200},
      {"diffLiveQuery", "GET", q + "/diff?against=" + id, nullptr, 200},
      {"streamLiveQuery", "GET", q + "/stream?timeout=1", nullptr, 200},
      {"rerunLiveQuery", "POST", q + "/rerun", nullptr, 202},
  };
  auto spec = api::OpenApiSpec::Embedded();
  ASSERT_TRUE(spec.ok());
  for (const Call& call : calls) {
    const api::Operation* op = (*spec)->FindById(call.operation_id);
    ASSERT_NE(op, nullptr) << call.operation_id;
    for (const Caller& caller : callers) {
      ClientResponse r = server.Call(call.method, call.target, caller.credentials,
                                     call.body.is_null() ? "" : call.body.dump());
      const std::string where = call.operation_id + " " + call.target + " as " + caller.name +
                                ": " + std::to_string(r.status) + " " + r.body.substr(0, 200);
      EXPECT_EQ(r.status, op->Allows(*caller.role) ? call.status : 403) << where;
      Status valid = ValidateAgainstSpec(call.operation_id, r);
      EXPECT_TRUE(valid.ok()) << where << ": " << valid.message();
    }
  }
  // Cancelling: the first allowed caller cancels, the next finds it ended.
  std::vector<long> cancels;
  for (const Caller& caller : callers) {
    ClientResponse r = server.Call("POST", q + "/cancel", caller.credentials);
    cancels.push_back(r.status);
    Status valid = ValidateAgainstSpec("cancelLiveQuery", r);
    EXPECT_TRUE(valid.ok()) << caller.name << ": " << valid.message();
  }
  EXPECT_EQ(cancels, (std::vector<long>{200, 409, 403, 403}));
}

// The saved query operations, called with what they need, by every kind
// of caller: admins and analysts save, change, run and delete them, every
// role reads them and keeps its own favourites, node keys reach none.
TEST(AuthzMatrixTest, SavedQueriesAnswerEveryAllowedRoleForReal) {
  TestServer server;
  ASSERT_TRUE(server.ok());
  const std::string password = "correct horse battery";
  server.AddUser("sq-admin", auth::Role::kAdmin, password);
  server.AddUser("sq-analyst", auth::Role::kAnalyst, password);
  server.AddUser("sq-viewer", auth::Role::kViewer, password);
  const Credentials node = server.AddNodeKey("sq-host");
  const std::string host = std::to_string(server.last_host_id());
  std::vector<Caller> callers = {
      {"admin", server.Login("sq-admin", password), auth::Role::kAdmin},
      {"analyst", server.Login("sq-analyst", password), auth::Role::kAnalyst},
      {"viewer", server.Login("sq-viewer", password), auth::Role::kViewer},
      {"node key", node, auth::Role::kNode},
  };
  ClientResponse first = server.Call("POST", "/api/v1/saved-queries", callers[0].credentials,
                                     Json{{"name", "first"}, {"sql", "SELECT 1"}}.dump());
  ASSERT_EQ(first.status, 201) << first.body;
  const std::string id = Json::parse(first.body)["id"];
  const std::string q = "/api/v1/saved-queries/" + id;
  struct Call {
    std::string operation_id, method, target;
    Json body;
    int status;  // for the roles allowed
  };
  const std::vector<Call> calls = {
      {"listSavedQueries", "GET", "/api/v1/saved-queries?favourite=false", nullptr, 200},
      {"exportSavedQueries", "GET", "/api/v1/saved-queries/export?format=csv", nullptr, 200},
      {"getSavedQuery", "GET", q, nullptr, 200},
      {"updateSavedQuery", "PATCH", q, {{"description", "d"}}, 200},
      {"runSavedQuery", "POST", q + "/run", {{"targets", {{"all", true}}}, {"dry_run", true}}, 200},
      {"favouriteSavedQuery", "PUT", q + "/favourite", nullptr, 204},
      {"unfavouriteSavedQuery", "DELETE", q + "/favourite", nullptr, 204},
      {"listScheduledResults", "GET", "/api/v1/scheduled-results?host_id=" + host, nullptr, 200},
      {"exportScheduledResults", "GET", "/api/v1/scheduled-results/export?format=jsonl", nullptr,
       200},
      {"getHostSchedule", "GET", "/api/v1/hosts/" + host + "/schedule", nullptr, 200},
  };
  auto spec = api::OpenApiSpec::Embedded();
  ASSERT_TRUE(spec.ok());
  for (const Call& call : calls) {
    const api::Operation* op = (*spec)->FindById(call.operation_id);
    ASSERT_NE(op, nullptr) << call.operation_id;
    for (const Caller& caller : callers) {
      ClientResponse r = server.Call(call.method, call.target, caller.credentials,
                                     call.body.is_null() ? "" : call.body.dump());
      const std::string where = call.operation_id + " " + call.target + " as " + caller.name +
                                ": " + std::to_string(r.status) + " " + r.body.substr(0, 200);
      EXPECT_EQ(r.status, op->Allows(*caller.role) ? call.status : 403) << where;
      Status valid = ValidateAgainstSpec(call.operation_id, r);
      EXPECT_TRUE(valid.ok()) << where << ": " << valid.message();
    }
  }
  // Creating and deleting: each allowed caller makes its own, then deletes it.
  for (const Caller& caller : callers) {
    const api::Operation* create = (*spec)->FindById("createSavedQuery");
    ClientResponse made =
        server.Call("POST", "/api/v1/saved-queries", caller.credentials,
                    Json{{"name", "by " + caller.name}, {"sql", "SELECT 2"}}.dump());
    EXPECT_EQ(made.status, create->Allows(*caller.role) ? 201 : 403) << caller.name;
    EXPECT_TRUE(ValidateAgainstSpec("createSavedQuery", made).ok()) << caller.name;
    const std::string target =
        made.status == 201
            ? "/api/v1/saved-queries/" + Json::parse(made.body)["id"].get<std::string>()
            : q;
    ClientResponse deleted = server.Call("DELETE", target, caller.credentials);
    EXPECT_EQ(deleted.status, create->Allows(*caller.role) ? 204 : 403) << caller.name;
    EXPECT_TRUE(ValidateAgainstSpec("deleteSavedQuery", deleted).ok()) << caller.name;
  }
}

TEST(AuthzMatrixTest, ExpiredTokenAndRevokedNodeKeySayWhy) {
  TestServer server;
  ASSERT_TRUE(server.ok());
  store::User admin = server.AddUser("why-admin", auth::Role::kAdmin, "correct horse battery");
  ClientResponse expired =
      server.Call("GET", "/api/v1/hosts", server.AddToken(admin.id, NowEpochMillis() - 1));
  EXPECT_EQ(expired.status, 401);
  EXPECT_NE(expired.body.find("E_TOKEN_EXPIRED"), std::string::npos) << expired.body;

  Credentials node = server.AddNodeKey("revoked-host");
  const int64_t host_id = server.last_host_id();
  auto revoked = server.store()
                     .Write([&](store::StoreWriter& w) {
                       return w.hosts().Revoke(host_id, NowEpochMillis() - 1);
                     })
                     .Wait();
  ASSERT_TRUE(revoked.ok());
  ClientResponse r = server.Call("GET", "/api/v1/agent/config", node);
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(r.body.find("E_NODE_REVOKED"), std::string::npos) << r.body;
}

TEST(AuthzMatrixTest, CredentialsInTheQueryStringAreNeverRead) {
  TestServer server;
  ASSERT_TRUE(server.ok());
  store::User admin = server.AddUser("query-admin", auth::Role::kAdmin, "correct horse battery");
  Credentials token = server.AddToken(admin.id);
  ClientResponse r = server.Call("GET", "/api/v1/version?access_token=" + token.bearer);
  EXPECT_EQ(r.status, 401) << r.body;
}

TEST(AuthzMatrixTest, CookieChangesNeedTheCsrfTokenAndTheSameOrigin) {
  TestServer server;
  ASSERT_TRUE(server.ok());
  server.AddUser("csrf-admin", auth::Role::kAdmin, "correct horse battery");
  Credentials session = server.Login("csrf-admin", "correct horse battery");
  const std::string body = Json{{"name", "t1"}}.dump();

  Credentials wrong = session;
  wrong.csrf_token = "not-the-token";
  ClientResponse r = server.Call("POST", "/api/v1/tokens", wrong, body);
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.body.find("E_CSRF_FAILED"), std::string::npos) << r.body;

  ClientRequest cross;
  cross.method = "POST";
  cross.url = server.url() + "/api/v1/tokens";
  cross.ca_file = server.app().ca_cert_file();
  cross.body = body;
  cross.headers = {"Content-Type: application/json",
                   "Cookie: __Host-warden_session=" + session.session_id,
                   "X-CSRF-Token: " + session.csrf_token, "Origin: https://evil.example"};
  CurlClient client;
  ClientResponse cross_site = client.Send(cross);
  EXPECT_EQ(cross_site.status, 403) << cross_site.body;
  EXPECT_NE(cross_site.body.find("E_CSRF_FAILED"), std::string::npos);

  ClientResponse ok = server.Call("POST", "/api/v1/tokens", session, body);
  EXPECT_EQ(ok.status, 201) << ok.body;
  // Reads need no CSRF token.
  Credentials read_only = session;
  read_only.csrf_token.clear();
  EXPECT_EQ(server.Call("GET", "/api/v1/tokens", read_only).status, 200);
}

}  // namespace
}  // namespace warden::server::testing

// Cloud organisations and accounts through the real server (127.0.0.1,
// TLS, SQLite store in a temporary directory): rule settings checked by the
// profile parser (a bad regex refused naming rule, row and cell), account
// identifiers checked per provider, PATCH merging rules per rule id, the
// effective rules with where each value comes from and which rules need
// configuration, roles and audit; directory sources followed by the
// server into problems. Every answer is validated against the spec.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "auth/role.h"
#include "cloud/cloud_rule_settings.h"
#include "server/server_test_support.h"

namespace warden::server::testing {
namespace {

constexpr const char* kPassword = "cloud accounts password";

Json Body(const ClientResponse& r) { return Json::parse(r.body, nullptr, false); }

const Json* Rule(const Json& effective, const std::string& id) {
  for (const Json& item : effective["items"])
    if (item.value("rule_id", "") == id) return &item;
  return nullptr;
}

class CloudHandlersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.ok());
    store::User admin = server_.AddUser("cloud-admin", auth::Role::kAdmin, kPassword);
    admin_ = server_.AddToken(admin.id);
    store::User viewer = server_.AddUser("cloud-viewer", auth::Role::kViewer, kPassword);
    viewer_ = server_.AddToken(viewer.id);
  }

  ClientResponse Checked(const std::string& operation_id, const std::string& method,
                         const std::string& target, const Credentials& who,
                         const Json& body = nullptr) {
    ClientResponse r = server_.Call(method, target, who, body.is_null() ? "" : body.dump());
    EXPECT_EQ(r.code, CURLE_OK) << r.error;
    Status valid = ValidateAgainstSpec(operation_id, r);
    EXPECT_TRUE(valid.ok()) << operation_id << " " << r.status << ": " << valid.message() << "\n"
                            << r.body.substr(0, 400);
    return r;
  }

  std::string CreateOrganisation(const Json& body) {
    ClientResponse r =
        Checked("createCloudOrganisation", "POST", "/api/v1/cloud/organisations", admin_, body);
    EXPECT_EQ(r.status, 201) << r.body;
    return Body(r).value("id", "");
  }

  std::string CreateAccount(const std::string& organisation, const Json& body) {
    ClientResponse r =
        Checked("createCloudAccount", "POST",
                "/api/v1/cloud/organisations/" + organisation + "/accounts", admin_, body);
    EXPECT_EQ(r.status, 201) << r.body;
    return Body(r).value("id", "");
  }

  Json Effective(const std::string& account) {
    ClientResponse r = Checked("getCloudAccountEffectiveRules", "GET",
                               "/api/v1/cloud/accounts/" + account + "/effective-rules", viewer_);
    EXPECT_EQ(r.status, 200) << r.body;
    return Body(r);
  }

  // Sources are looked at every 100 ms rather than 2 s.
  TestServer server_{
      {}, [](ServerConfig& c) { c.cloud_source_poll_interval = std::chrono::milliseconds(100); }};
  Credentials admin_, viewer_;
};

TEST_F(CloudHandlersTest, ABadRegexIsRefusedNamingTheRuleRowAndCell) {
  Json body = {{"name", "acme"},
               {"rules",
                {{"RTM-011",
                  {{"patterns",
                    Json::array({{{"eventName", "^Delete"}}, {{"eventSource", "^(?!ec2"}}})}}}}}};
  ClientResponse r =
      Checked("createCloudOrganisation", "POST", "/api/v1/cloud/organisations", admin_, body);
  EXPECT_EQ(r.status, 422) << r.body;
  const Json error = Body(r)["error"];
  EXPECT_EQ(error.value("field", ""), "/rules/RTM-011");
  EXPECT_NE(error.value("message", "").find("patterns[1].eventSource"), std::string::npos)
      << r.body;
  // Nothing was stored.
  ClientResponse list =
      Checked("listCloudOrganisations", "GET", "/api/v1/cloud/organisations", viewer_);
  EXPECT_EQ(Body(list).value("total", -1), 0);
  // An unknown rule id is refused too, with a suggestion.
  r = Checked("createCloudOrganisation", "POST", "/api/v1/cloud/organisations", admin_,
              Json{{"name", "acme"}, {"rules", {{"RTM-11", {{"enabled", true}}}}}});
  EXPECT_EQ(r.status, 422);
  EXPECT_NE(r.body.find("RTM-011"), std::string::npos) << r.body;
}

TEST_F(CloudHandlersTest, AccountIdentifiersAreCheckedPerProviderAndUnique) {
  const std::string org = CreateOrganisation(Json{{"name", "acme"}});
  const std::string path = "/api/v1/cloud/organisations/" + org + "/accounts";
  for (const Json& bad :
       {Json{{"provider", "aws"}, {"identifier", "12345678901"}},
        Json{{"provider", "aws"}, {"identifier", "12345678901a"}},
        Json{{"provider", "oci"}, {"identifier", "123456789012"}},
        Json{{"provider", "oci"}, {"identifier", "ocid1.user.oc1..aaaaaaaaaaaaaaaaaaaaaaaa"}}}) {
    Json body = bad;
    body["name"] = "x";
    ClientResponse r = Checked("createCloudAccount", "POST", path, admin_, body);
    EXPECT_EQ(r.status, 422) << bad.dump() << " " << r.body;
    EXPECT_EQ(Body(r)["error"].value("field", ""), "/identifier");
  }
  CreateAccount(org, Json{{"provider", "aws"}, {"identifier", "123456789012"}, {"name", "prod"}});
  CreateAccount(org, Json{{"provider", "oci"},
                          {"identifier",
                           "ocid1.tenancy.oc1..aaaaaaaaba3pv6wkcr4jqae5f15p2b2m2yt2j6rx32uzr4h25vq"
                           "stifsfdsq"},
                          {"name", "tenancy"}});
  ClientResponse again =
      Checked("createCloudAccount", "POST", path, admin_,
              Json{{"provider", "aws"}, {"identifier", "123456789012"}, {"name", "prod again"}});
  EXPECT_EQ(again.status, 409) << again.body;
  ClientResponse list = Checked("listCloudAccounts", "GET", path + "?provider=aws", viewer_);
  EXPECT_EQ(Body(list).value("total", -1), 1) << list.status << " " << list.body;
  ClientResponse missing =
      Checked("listCloudAccounts", "GET", "/api/v1/cloud/organisations/999/accounts", viewer_);
  EXPECT_EQ(missing.status, 404);
  // An organisation with accounts stays.
  ClientResponse refused =
      Checked("deleteCloudOrganisation", "DELETE", "/api/v1/cloud/organisations/" + org, admin_);
  EXPECT_EQ(refused.status, 409);
  EXPECT_EQ(Body(refused)["error"].value("code", ""), "E_CLOUD_ORGANISATION_NOT_EMPTY");
}

TEST_F(CloudHandlersTest, EffectiveRulesShowWhereEachValueComesFrom) {
  const std::string org = CreateOrganisation(
      Json{{"name", "acme"},
           {"rules",
            {{"RTM-011",
              {{"enabled", true},
               {"risk_level", "high"},
               {"patterns",
                Json::array({{{"eventName", "^Delete"}, {"eventSource", "^(?!ec2).*$"}}})}}}}}});
  const std::string plain =
      CreateAccount(org, Json{{"provider", "aws"}, {"identifier", "111111111111"}, {"name", "a"}});
  const std::string raised =
      CreateAccount(org, Json{{"provider", "aws"},
                              {"identifier", "222222222222"},
                              {"name", "b"},
                              {"rules", {{"RTM-011", {{"risk_level", "extreme"}}}}}});

  Json effective = Effective(plain);
  const Json* rtm = Rule(effective, "RTM-011");
  ASSERT_NE(rtm, nullptr);
  EXPECT_EQ((*rtm)["risk_level"]["value"], "high");
  EXPECT_EQ((*rtm)["risk_level"]["from"], "organisation");
  EXPECT_EQ((*rtm)["patterns"]["value"].size(), 1u);
  EXPECT_FALSE((*rtm)["needs_configuration"].get<bool>());
  EXPECT_EQ(effective["needs_configuration"], Json::array({"IAM-055"}));

  effective = Effective(raised);
  rtm = Rule(effective, "RTM-011");
  ASSERT_NE(rtm, nullptr);
  EXPECT_EQ((*rtm)["risk_level"]["value"], "extreme");
  EXPECT_EQ((*rtm)["risk_level"]["from"], "account");
  EXPECT_EQ((*rtm)["enabled"]["from"], "organisation");

  // overwrite: the account's RTM-011 settings alone, so its rows are the
  // default (none) and it needs configuration.
  ClientResponse patched = Checked(
      "updateCloudAccount", "PATCH", "/api/v1/cloud/accounts/" + raised, admin_,
      Json{{"override_mode", "overwrite"},
           {"rules",
            {{"IAM-055",
              {{"enabled", true},
               {"canary", {{"users", {"bait-user"}}, {"access_keys", {"AKIAEXAMPLE"}}}}}}}}});
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(Body(patched)["rules"].size(), 2u);  // merged per rule id
  effective = Effective(raised);
  rtm = Rule(effective, "RTM-011");
  EXPECT_EQ((*rtm)["patterns"]["from"], "default");
  EXPECT_EQ((*rtm)["needs"], "patterns");
  EXPECT_EQ(effective["needs_configuration"], Json::array({"RTM-011"}));

  // null removes one rule's settings.
  patched = Checked("updateCloudAccount", "PATCH", "/api/v1/cloud/accounts/" + raised, admin_,
                    Json{{"rules", {{"RTM-011", nullptr}}}});
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_FALSE(Body(patched)["rules"].contains("RTM-011"));
  effective = Effective(raised);
  rtm = Rule(effective, "RTM-011");
  ASSERT_NE(rtm, nullptr);
  EXPECT_EQ((*rtm)["risk_level"]["from"], "organisation");
}

TEST_F(CloudHandlersTest, ViewersReadAndChangesAreAudited) {
  ClientResponse refused = Checked("createCloudOrganisation", "POST", "/api/v1/cloud/organisations",
                                   viewer_, Json{{"name", "x"}});
  EXPECT_EQ(refused.status, 403);
  const std::string org = CreateOrganisation(Json{{"name", "acme"}});
  ClientResponse renamed =
      Checked("updateCloudOrganisation", "PATCH", "/api/v1/cloud/organisations/" + org, admin_,
              Json{{"name", "acme-2"}, {"description", "all of it"}});
  EXPECT_EQ(renamed.status, 200);
  EXPECT_EQ(Body(renamed).value("name", ""), "acme-2");
  ClientResponse got =
      Checked("getCloudOrganisation", "GET", "/api/v1/cloud/organisations/" + org, viewer_);
  EXPECT_EQ(Body(got).value("description", ""), "all of it");
  ClientResponse exported = Checked("exportCloudOrganisations", "GET",
                                    "/api/v1/cloud/organisations/export?format=csv", viewer_);
  EXPECT_EQ(exported.status, 200);
  EXPECT_NE(exported.body.find("acme-2"), std::string::npos);
  ClientResponse deleted =
      Checked("deleteCloudOrganisation", "DELETE", "/api/v1/cloud/organisations/" + org, admin_);
  EXPECT_EQ(deleted.status, 204);
  ClientResponse audit = Checked("listAuditEvents", "GET", "/api/v1/audit?sort=time", admin_);
  int cloud_entries = 0;
  const Json audit_page = Body(audit);
  for (const Json& e : audit_page["items"])
    if (e.value("target", Json::object()).value("type", "") == "cloud_organisation")
      ++cloud_entries;
  EXPECT_EQ(cloud_entries, 3) << audit.body.substr(0, 2000);
}

// A cloud account's CloudTrail check stored as a problem lists with host
// problems, filters by account and subject, and is dismissed on the server
// alone (no agent to tell).
TEST_F(CloudHandlersTest, CloudProblemsShareTheProblemListAndLifecycle) {
  const std::string org = CreateOrganisation(Json{{"name", "acme"}});
  const std::string account = CreateAccount(
      org, Json{{"provider", "aws"}, {"identifier", "123456789012"}, {"name", "prod"}});
  store::FleetProblem p;
  p.cloud_account_id = std::stoll(account);
  p.hostname = "prod";
  p.agent_problem_id = "RTM-011|arn:aws:iam::123456789012:user/alice";
  p.rule_id = "RTM-011";
  p.title = "Unintended AWS API calls";
  p.risk_level = RiskLevel::kExtreme;
  p.resource = "arn:aws:iam::123456789012:user/alice";
  p.first_detected_at = p.last_detected_at = p.status_changed_at = p.updated_at = 1'000'000;
  p.revision = 1;
  p.occurrences = 3;
  p.finding_json = R"({"rule_id":"RTM-011","matched_patterns":[0,2]})";
  auto stored =
      server_.store().Write([p](store::StoreWriter& w) { return w.problems().Upsert(p); }).Wait();
  ASSERT_TRUE(stored.ok()) << stored.status().message();
  const std::string id = std::to_string(stored->problem.id);

  ClientResponse list = Checked(
      "listProblems", "GET", "/api/v1/problems?account_id=" + account + "&subject=cloud", viewer_);
  ASSERT_EQ(list.status, 200) << list.body;
  const Json page = Body(list);
  ASSERT_EQ(page.value("total", -1), 1);
  const Json& item = page["items"][0];
  EXPECT_TRUE(item["host_id"].is_null());
  EXPECT_EQ(item["account_id"], account);
  EXPECT_EQ(item["occurrences"], 3);
  EXPECT_EQ(item["finding"]["matched_patterns"], Json::array({0, 2}));
  ClientResponse hosts_only =
      Checked("listProblems", "GET", "/api/v1/problems?subject=host", viewer_);
  EXPECT_EQ(Body(hosts_only).value("total", -1), 0);
  ClientResponse csv =
      Checked("exportProblems", "GET", "/api/v1/problems/export?format=csv&subject=cloud", viewer_);
  EXPECT_EQ(csv.status, 200);
  EXPECT_NE(csv.body.find("RTM-011"), std::string::npos);

  ClientResponse dismissed =
      Checked("dismissProblem", "POST", "/api/v1/problems/" + id + "/dismiss", admin_,
              Json{{"comment", "the migration team's account, reviewed"}});
  ASSERT_EQ(dismissed.status, 200) << dismissed.body;
  EXPECT_EQ(Body(dismissed)["status"], "dismissed");
  ClientResponse history =
      Checked("listProblemHistory", "GET", "/api/v1/problems/" + id + "/history", viewer_);
  EXPECT_EQ(Body(history).value("total", -1), 1);
}

// The real samples (S3 layout) in a directory source the server follows:
// findings become problems with their matched rows and the account's risk
// level; the source's health counts files, events and findings; pausing and
// resuming the source (its follower stopped, then started from the
// positions stored with the problems) neither repeats nor skips; a file that
// lands later is read; a malformed record is counted with its file and
// offset and the rest of the file is still read.
TEST_F(CloudHandlersTest, ADirectorySourceIsFollowedAndAPauseNeitherRepeatsNorSkips) {
  const std::string org = CreateOrganisation(
      Json{{"name", "acme"},
           {"rules",
            {{"RTM-011",
              {{"enabled", true},
               {"risk_level", "high"},
               {"patterns", Json::array({{{"eventName", "^DeleteParameter$"}},
                                         {{"eventName", "^CreateSecret$"}}})}}}}}});
  const std::string account_id =
      CreateAccount(org, Json{{"provider", "aws"},
                              {"identifier", "218007301253"},
                              {"name", "sandbox"},
                              {"rules", {{"RTM-011", {{"risk_level", "extreme"}}}}}});

  ::warden::testing::TempDir dir;
  auto sample = [](const std::string& name) {
    std::ifstream in(::warden::testing::FixturePath("cloudtrail/invictus-ir_aws_dataset/" + name),
                     std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  };
  const std::string day = "AWSLogs/218007301253/CloudTrail/us-east-1/2023/07/10/";
  dir.WriteFile(day + "218007301253_CloudTrail_us-east-1_20230710T1200Z_iLj9fb7yyUG9X4Bf.json",
                sample("218007301253_CloudTrail_us-east-1_20230710T1200Z_iLj9fb7yyUG9X4Bf.json"));
  dir.WriteFile(day + "218007301253_CloudTrail_us-east-1_20230710T1210Z_2ru8PrDKZmsO3yWC.json",
                sample("218007301253_CloudTrail_us-east-1_20230710T1210Z_2ru8PrDKZmsO3yWC.json"));

  // Bad paths are refused naming the field.
  const std::string sources = "/api/v1/cloud/accounts/" + account_id + "/sources";
  ClientResponse relative = Checked("createCloudSource", "POST", sources, admin_,
                                    Json{{"name", "trail"}, {"path", "logs/trail"}});
  EXPECT_EQ(relative.status, 422);
  EXPECT_EQ(Body(relative)["error"].value("field", ""), "/path");
  ClientResponse missing = Checked("createCloudSource", "POST", sources, admin_,
                                   Json{{"name", "trail"}, {"path", dir.path() + "/nowhere"}});
  EXPECT_EQ(missing.status, 422);
  EXPECT_EQ(Checked("createCloudSource", "POST", sources, viewer_,
                    Json{{"name", "trail"}, {"path", dir.path()}})
                .status,
            403);

  ClientResponse created = Checked("createCloudSource", "POST", sources, admin_,
                                   Json{{"name", "trail"}, {"path", dir.path()}});
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string source = "/api/v1/cloud/sources/" + Body(created).value("id", "");
  EXPECT_EQ(Checked("createCloudSource", "POST", sources, admin_,
                    Json{{"name", "trail"}, {"path", dir.path()}})
                .status,
            409);

  auto health = [&] {
    ClientResponse r = Checked("getCloudSource", "GET", source, viewer_);
    EXPECT_EQ(r.status, 200) << r.body;
    return Body(r)["health"];
  };
  int rtm_problems = 0;
  auto occurrences = [&] {
    ClientResponse list = Checked("listProblems", "GET",
                                  "/api/v1/problems?limit=1000&account_id=" + account_id, viewer_);
    EXPECT_EQ(list.status, 200) << list.body;
    int64_t sum = 0;
    rtm_problems = 0;
    const Json page = Body(list);
    for (const Json& p : page["items"]) {
      sum += p.value("occurrences", 0);
      EXPECT_EQ(p["hostname"], "sandbox");
      if (p["rule_id"] != "RTM-011") continue;  // the catalog's other rules fire too
      ++rtm_problems;
      EXPECT_EQ(p["risk_level"], "extreme");
      EXPECT_FALSE(p["finding"].value("matched_patterns", Json::array()).empty()) << p.dump();
      EXPECT_NE(p["finding"].value("evidence", Json::object()).dump().find("eventName"),
                std::string::npos);
    }
    return sum;
  };
  auto files_read = [&](int64_t n) {
    return ::warden::testing::WaitFor(
        "the source to have read " + std::to_string(n) + " files",
        [&] { return health().value("files_read", 0) >= n; }, std::chrono::seconds(30),
        std::chrono::milliseconds(50));
  };

  ASSERT_TRUE(files_read(2));
  Json first = health();
  EXPECT_EQ(first["files_read"], 2);
  EXPECT_GT(first.value("events", 0), 0);
  EXPECT_GT(first.value("findings", 0), 0);
  EXPECT_EQ(first["errors"], 0);
  EXPECT_FALSE(first["last_read_at"].is_null());
  EXPECT_EQ(occurrences(), first.value("findings", 0));
  EXPECT_GT(rtm_problems, 0);

  // Paused: its follower stops; resumed: it starts from the stored
  // positions, so nothing is read twice...
  ASSERT_EQ(Checked("updateCloudSource", "PATCH", source, admin_, Json{{"enabled", false}}).status,
            200);
  ASSERT_EQ(Checked("updateCloudSource", "PATCH", source, admin_, Json{{"enabled", true}}).status,
            200);
  // ...and what lands meanwhile is read: a sample, then a file whose second
  // record is not JSON.
  dir.WriteFile(day + "218007301253_CloudTrail_us-east-1_20230710T1200Z_x9kHmzMa7cx6l9wM.json",
                sample("218007301253_CloudTrail_us-east-1_20230710T1200Z_x9kHmzMa7cx6l9wM.json"));
  dir.WriteFile("late/bad.jsonl",
                "{\"eventName\":\"CreateSecret\",\"eventSource\":\"secretsmanager.amazonaws."
                "com\",\"eventTime\":\"2023-07-10T12:30:00Z\",\"userIdentity\":{\"type\":"
                "\"IAMUser\",\"arn\":\"arn:aws:iam::218007301253:user/late\"},"
                "\"requestParameters\":{\"name\":\"late-secret\"}}\n"
                "not json\n");
  ASSERT_TRUE(files_read(4));
  Json second = health();
  EXPECT_EQ(second["files_read"], 4) << "a file was read twice: " << second.dump();
  EXPECT_EQ(occurrences(), second.value("findings", 0));
  EXPECT_GT(second.value("findings", 0), first.value("findings", 0));
  EXPECT_EQ(second["errors"], 1);
  EXPECT_NE(second.value("last_error", "").find("bad.jsonl"), std::string::npos) << second.dump();

  // Listed under its account; deleting it keeps its problems.
  ClientResponse listed = Checked("listCloudSources", "GET", sources, viewer_);
  ASSERT_EQ(listed.status, 200);
  EXPECT_EQ(Body(listed)["total"], 1);
  EXPECT_EQ(Checked("deleteCloudSource", "DELETE", source, viewer_).status, 403);
  EXPECT_EQ(Checked("deleteCloudSource", "DELETE", source, admin_).status, 204);
  EXPECT_EQ(Checked("getCloudSource", "GET", source, viewer_).status, 404);
  EXPECT_EQ(occurrences(), second.value("findings", 0));
}

// A one-off upload: a real sample evaluated with the account's rules into
// its problems; uploading it again updates them rather than adding; junk in
// a file is counted and named with its offset; only analysts and admins
// upload.
TEST_F(CloudHandlersTest, AnUploadedFileBecomesTheAccountsProblems) {
  const std::string org = CreateOrganisation(
      Json{{"name", "uploads"},
           {"rules",
            {{"RTM-011",
              {{"enabled", true},
               {"patterns", Json::array({{{"eventName", "^DeleteParameter$"}},
                                         {{"eventName", "^CreateSecret$"}}})}}}}}});
  const std::string account_id = CreateAccount(
      org, Json{{"provider", "aws"}, {"identifier", "218007301253"}, {"name", "sandbox"}});
  std::ifstream in(::warden::testing::FixturePath(
                       "cloudtrail/invictus-ir_aws_dataset/"
                       "218007301253_CloudTrail_us-east-1_20230710T1200Z_iLj9fb7yyUG9X4Bf.json"),
                   std::ios::binary);
  std::stringstream sample;
  sample << in.rdbuf();
  const std::string target = "/api/v1/cloud/accounts/" + account_id + "/uploads?name=sample.json";
  auto upload = [&](const Credentials& who, const std::string& body) {
    ClientResponse r = server_.Call("POST", target, who, body, "application/octet-stream");
    EXPECT_EQ(r.code, CURLE_OK) << r.error;
    Status valid = ValidateAgainstSpec("uploadCloudEvents", r);
    EXPECT_TRUE(valid.ok()) << r.status << ": " << valid.message() << "\n" << r.body;
    return r;
  };

  EXPECT_EQ(upload(viewer_, sample.str()).status, 403);
  ClientResponse first = upload(admin_, sample.str());
  ASSERT_EQ(first.status, 200) << first.body;
  const Json result = Body(first);
  EXPECT_GT(result.value("events", 0), 0);
  EXPECT_GT(result.value("findings", 0), 0);
  EXPECT_GT(result.value("problems_opened", 0), 0);
  EXPECT_EQ(result["errors"], 0);
  ClientResponse list = Checked("listProblems", "GET",
                                "/api/v1/problems?limit=1000&account_id=" + account_id, viewer_);
  ASSERT_EQ(list.status, 200);
  const int64_t problems = Body(list).value("total", 0);
  EXPECT_EQ(problems, result.value("problems_opened", 0));

  ClientResponse again = upload(admin_, sample.str());
  ASSERT_EQ(again.status, 200);
  EXPECT_EQ(Body(again)["problems_opened"], 0);
  EXPECT_EQ(Body(again)["problems_updated"], result["findings"]);
  EXPECT_EQ(Body(Checked("listProblems", "GET",
                         "/api/v1/problems?limit=1000&account_id=" + account_id, viewer_))
                .value("total", 0),
            problems);

  ClientResponse junk =
      upload(admin_,
             "{\"eventName\":\"CreateSecret\",\"eventSource\":\"secretsmanager.amazonaws.com\","
             "\"userIdentity\":{\"type\":\"IAMUser\",\"arn\":\"arn:aws:iam::218007301253:user/"
             "junk\"},\"requestParameters\":{\"name\":\"junk-secret\"}}\n{broken\n");
  ASSERT_EQ(junk.status, 200) << junk.body;
  EXPECT_EQ(Body(junk)["events"], 1);
  EXPECT_EQ(Body(junk)["errors"], 1);
  ASSERT_EQ(Body(junk)["error_messages"].size(), 1u);
  EXPECT_NE(Body(junk)["error_messages"][0].get<std::string>().find("sample.json"),
            std::string::npos)
      << junk.body;

  EXPECT_EQ(upload(admin_, "").status, 422);
  ClientResponse nowhere = server_.Call("POST", "/api/v1/cloud/accounts/999999/uploads", admin_,
                                        sample.str(), "application/octet-stream");
  EXPECT_EQ(nowhere.status, 404);
}

}  // namespace
}  // namespace warden::server::testing

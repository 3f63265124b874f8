#include "api/openapi_spec.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "api/spec_lint.h"

namespace warden::api {
namespace {

const OpenApiSpec& Spec() {
  Result<const OpenApiSpec*> spec = OpenApiSpec::Embedded();
  EXPECT_TRUE(spec.ok()) << spec.status().message();
  return **spec;
}

TEST(OpenApiSpecTest, EmbeddedSpecLoadsOnceWithEveryOperation) {
  Result<const OpenApiSpec*> first = OpenApiSpec::Embedded();
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_EQ(*first, *OpenApiSpec::Embedded());
  EXPECT_GE((*first)->operations().size(), 80u);
  EXPECT_EQ((*first)->document()["openapi"], "3.1.0");
}

TEST(OpenApiSpecTest, EmbeddedSpecPassesTheLint) {
  std::vector<std::string> problems = LintOpenApiSpec(Spec().document());
  for (const std::string& p : problems) ADD_FAILURE() << p;
}

TEST(OpenApiSpecTest, JsonTextIsTheDocument) {
  EXPECT_EQ(Json::parse(Spec().json_text()), Spec().document());
}

TEST(OpenApiSpecTest, HasAnOperationForEveryResourceOfTheContract) {
  const char* ids[] = {"getHealth",
                       "getReadiness",
                       "getMetrics",
                       "getOpenApi",
                       "login",
                       "getSession",
                       "logout",
                       "listUsers",
                       "createUser",
                       "updateUser",
                       "deleteUser",
                       "listTokens",
                       "createToken",
                       "revokeToken",
                       "listEnrollSecrets",
                       "createEnrollSecret",
                       "rotateEnrollSecret",
                       "revokeEnrollSecret",
                       "listHosts",
                       "exportHosts",
                       "getHost",
                       "revokeHost",
                       "updateHostLabels",
                       "listHostProblems",
                       "listHostVulnerabilities",
                       "listHostPorts",
                       "listHostPackages",
                       "listHostScans",
                       "runHostScan",
                       "listLabels",
                       "listProblems",
                       "exportProblems",
                       "getProblem",
                       "listProblemHistory",
                       "dismissProblem",
                       "undismissProblem",
                       "bulkDismissProblems",
                       "bulkUndismissProblems",
                       "listVulnerabilities",
                       "getVulnerability",
                       "listVulnerabilityHosts",
                       "listVulnerabilityFindings",
                       "listVulnerablePackages",
                       "listFixFirst",
                       "runScan",
                       "listScans",
                       "getScan",
                       "getFeedStatus",
                       "importFeed",
                       "listChannels",
                       "createChannel",
                       "getChannel",
                       "updateChannel",
                       "deleteChannel",
                       "testChannel",
                       "getChannelStatus",
                       "listAuditEvents",
                       "exportAuditEvents",
                       "getAgentCa",
                       "enrollAgent",
                       "getAgentConfig",
                       "pushAgentRecords",
                       "pollAgentCommands",
                       "postAgentCommandResult"};
  for (const char* id : ids) EXPECT_NE(Spec().FindById(id), nullptr) << id;
  EXPECT_EQ(Spec().FindById("noSuchOperation"), nullptr);
}

TEST(OpenApiSpecTest, OperationsCarryRolesAuditAndLimits) {
  const Operation* metrics = Spec().FindById("getMetrics");
  ASSERT_NE(metrics, nullptr);
  EXPECT_EQ(metrics->roles, std::vector<Role>{Role::kAdmin});
  EXPECT_TRUE(metrics->authenticated);
  EXPECT_EQ(metrics->responses.at(200).at(0).media_type, "text/plain");

  const Operation* health = Spec().FindById("getHealth");
  ASSERT_NE(health, nullptr);
  EXPECT_TRUE(health->roles.empty());
  EXPECT_FALSE(health->authenticated);

  const Operation* records = Spec().FindById("pushAgentRecords");
  ASSERT_NE(records, nullptr);
  EXPECT_EQ(records->roles, std::vector<Role>{Role::kNode});
  EXPECT_TRUE(records->Allows(Role::kNode));
  EXPECT_FALSE(records->Allows(Role::kAdmin));
  EXPECT_FALSE(records->audit);
  EXPECT_EQ(records->max_body_bytes, 8u * 1024 * 1024);
  EXPECT_TRUE(records->body_required);

  const Operation* dismiss = Spec().FindById("dismissProblem");
  ASSERT_NE(dismiss, nullptr);
  EXPECT_TRUE(dismiss->audit);
  EXPECT_TRUE(dismiss->Allows(Role::kAnalyst));
  EXPECT_FALSE(dismiss->Allows(Role::kViewer));
  EXPECT_EQ(dismiss->max_body_bytes, kDefaultMaxBodyBytes);
  EXPECT_EQ(dismiss->timeout_seconds, 0);
  const Operation* feed = Spec().FindById("importFeed");
  ASSERT_NE(feed, nullptr);
  EXPECT_EQ(feed->max_body_bytes, 1024u * 1024 * 1024);
  EXPECT_EQ(feed->timeout_seconds, 600);
  ASSERT_NE(dismiss->FindParameter("problem_id"), nullptr);
  EXPECT_EQ(dismiss->FindParameter("problem_id")->in, ParameterLocation::kPath);

  const Operation* hosts = Spec().FindById("listHosts");
  ASSERT_NE(hosts, nullptr);
  const Parameter* status = hosts->FindParameter("status");
  ASSERT_NE(status, nullptr);
  EXPECT_EQ(status->type, "array");
  EXPECT_EQ(status->item_type, "string");
  EXPECT_FALSE(status->explode);
  EXPECT_EQ(hosts->FindParameter("limit")->type, "integer");
}

TEST(OpenApiSpecTest, ExactSegmentsBeatTemplates) {
  struct Case {
    const char* method;
    const char* path;
    const char* operation_id;
  };
  const Case cases[] = {
      {"GET", "/api/v1/hosts/export", "exportHosts"},
      {"GET", "/api/v1/hosts/h-1", "getHost"},
      {"POST", "/api/v1/problems/bulk/dismiss", "bulkDismissProblems"},
      {"POST", "/api/v1/problems/p1/dismiss", "dismissProblem"},
      {"GET", "/api/v1/vulnerabilities/fix-first", "listFixFirst"},
      {"GET", "/api/v1/vulnerabilities/packages", "listVulnerablePackages"},
      {"GET", "/api/v1/vulnerabilities/CVE-2024-6387", "getVulnerability"},
      {"GET", "/api/v1/vulnerabilities/CVE-2024-6387/hosts/export", "exportVulnerabilityHosts"},
      {"GET", "/api/v1/session", "getSession"},
      {"POST", "/api/v1/session", "login"},
      {"GET", "/healthz", "getHealth"},
  };
  for (const Case& c : cases) {
    OperationMatch m = Spec().Match(c.method, c.path);
    ASSERT_EQ(m.kind, OperationMatch::Kind::kFound) << c.method << " " << c.path;
    EXPECT_EQ(m.operation->operation_id, c.operation_id) << c.path;
  }
  OperationMatch host = Spec().Match("GET", "/api/v1/hosts/h-1");
  ASSERT_EQ(host.path_params.size(), 1u);
  EXPECT_EQ(host.path_params[0], (std::pair<std::string, std::string>{"host_id", "h-1"}));
}

TEST(OpenApiSpecTest, EncodedSlashIsOneParameter) {
  OperationMatch m = Spec().Match("GET", "/api/v1/hosts/a%2Fb/ports");
  ASSERT_EQ(m.kind, OperationMatch::Kind::kFound);
  EXPECT_EQ(m.operation->operation_id, "listHostPorts");
  EXPECT_EQ(m.path_params[0].second, "a/b");
}

TEST(OpenApiSpecTest, UnknownPathIsNotFound) {
  for (const char* path : {"/api/v1/nothing", "/api/v1/hosts/", "/api/v2/hosts", "api/v1/hosts", "",
                           "/api/v1/hosts/h1/problems/p1/more"}) {
    OperationMatch m = Spec().Match("GET", path);
    EXPECT_EQ(m.kind, OperationMatch::Kind::kNoSuchPath) << path;
    EXPECT_EQ(m.operation, nullptr);
  }
}

TEST(OpenApiSpecTest, KnownPathWithAnotherMethodIsMethodNotAllowed) {
  OperationMatch m = Spec().Match("DELETE", "/api/v1/hosts/h1");
  EXPECT_EQ(m.kind, OperationMatch::Kind::kMethodNotAllowed);
  EXPECT_EQ(m.allowed_methods, (std::vector<std::string>{"GET", "HEAD"}));
  OperationMatch users = Spec().Match("PUT", "/api/v1/users/u1");
  EXPECT_EQ(users.allowed_methods, (std::vector<std::string>{"DELETE", "GET", "HEAD", "PATCH"}));
}

TEST(OpenApiSpecTest, HeadIsServedByGet) {
  OperationMatch m = Spec().Match("HEAD", "/api/v1/hosts/export");
  ASSERT_EQ(m.kind, OperationMatch::Kind::kFound);
  EXPECT_EQ(m.operation->operation_id, "exportHosts");
}

constexpr const char* kMinimal = R"(
openapi: 3.1.0
info: {title: t, version: '1'}
paths:
  /api/v1/things/{id}:
    get:
      operationId: getThing
      x-warden-roles: [viewer]
      parameters:
        - {name: id, in: path, required: true, schema: {$ref: '#/components/schemas/Id'}}
      responses:
        '200': {description: ok}
components:
  schemas:
    Id: {type: string, maxLength: 8}
)";

TEST(OpenApiSpecTest, LoadsAMinimalSpecAndResolvesParameterRefs) {
  Result<std::unique_ptr<OpenApiSpec>> spec = OpenApiSpec::FromYaml(kMinimal, "minimal.yaml");
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  const Operation* op = (*spec)->FindById("getThing");
  ASSERT_NE(op, nullptr);
  EXPECT_EQ(op->parameters.at(0).schema->schema(),
            Json::parse(R"({"type":"string","maxLength":8})"));
}

TEST(OpenApiSpecTest, UnresolvedRefFailsTheLoadNamingIt) {
  std::string text = kMinimal;
  text.replace(text.find("schemas/Id'}"), 12, "schemas/Nope'}");
  Result<std::unique_ptr<OpenApiSpec>> spec = OpenApiSpec::FromYaml(text, "broken.yaml");
  ASSERT_FALSE(spec.ok());
  EXPECT_NE(spec.status().message().find("#/components/schemas/Nope"), std::string::npos)
      << spec.status().message();
  EXPECT_NE(spec.status().message().find("GET /api/v1/things/{id}"), std::string::npos);
}

TEST(OpenApiSpecTest, RecursiveRefFailsTheLoad) {
  std::string text = kMinimal;
  text.replace(text.find("Id: {type: string, maxLength: 8}"), 32,
               "Id: {type: object, properties: {next: {$ref: '#/components/schemas/Id'}}}");
  Result<std::unique_ptr<OpenApiSpec>> spec = OpenApiSpec::FromYaml(text, "loop.yaml");
  ASSERT_FALSE(spec.ok());
  EXPECT_NE(spec.status().message().find("recursive"), std::string::npos)
      << spec.status().message();
}

TEST(OpenApiSpecTest, TwoTemplatesForTheSameRequestsFailTheLoad) {
  Json doc = (*OpenApiSpec::FromYaml(kMinimal, "m"))->document();
  doc["paths"]["/api/v1/things/{other}"] = doc["paths"]["/api/v1/things/{id}"];
  doc["paths"]["/api/v1/things/{other}"]["get"]["operationId"] = "getOther";
  Result<std::unique_ptr<OpenApiSpec>> spec = OpenApiSpec::FromJson(doc);
  ASSERT_FALSE(spec.ok());
  EXPECT_NE(spec.status().message().find("name the same requests"), std::string::npos)
      << spec.status().message();
}

TEST(OpenApiSpecTest, MissingRolesFailTheLoad) {
  Json doc = (*OpenApiSpec::FromYaml(kMinimal, "m"))->document();
  doc["paths"]["/api/v1/things/{id}"]["get"].erase("x-warden-roles");
  Result<std::unique_ptr<OpenApiSpec>> spec = OpenApiSpec::FromJson(doc);
  ASSERT_FALSE(spec.ok());
  EXPECT_NE(spec.status().message().find("x-warden-roles"), std::string::npos);
}

TEST(OpenApiSpecTest, ResolvesJsonPointersWithEscapes) {
  Json doc = Json::parse(R"({"a/b": {"c~d": [10, 20]}})");
  ASSERT_NE(ResolveJsonPointer(doc, "#/a~1b/c~0d/1"), nullptr);
  EXPECT_EQ(*ResolveJsonPointer(doc, "/a~1b/c~0d/1"), 20);
  EXPECT_EQ(ResolveJsonPointer(doc, "#/a~1b/c~0d/2"), nullptr);
  EXPECT_EQ(ResolveJsonPointer(doc, "#/nope"), nullptr);
}

}  // namespace
}  // namespace warden::api

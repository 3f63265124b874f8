#include "api/spec_lint.h"

#include <gtest/gtest.h>

#include <string>

#include "api/yaml_json.h"

namespace warden::api {
namespace {

// A small spec that keeps every rule: a list with its export, a read, an
// audited write with a body, a public operation and an agent operation.
constexpr const char* kGood = R"(
openapi: 3.1.0
info: {title: t, version: '1'}
security:
  - apiToken: []
tags:
  - name: things
paths:
  /healthz:
    get:
      operationId: getHealth
      tags: [things]
      summary: Alive.
      security: []
      x-warden-roles: []
      responses:
        '200': {description: ok}
  /api/v1/things:
    get:
      operationId: listThings
      tags: [things]
      summary: List.
      x-warden-roles: [admin, viewer]
      parameters:
        - $ref: '#/components/parameters/Limit'
        - $ref: '#/components/parameters/Cursor'
        - $ref: '#/components/parameters/ThingSort'
        - $ref: '#/components/parameters/Color'
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/ThingList'}
        '401': {$ref: '#/components/responses/Problem'}
        '403': {$ref: '#/components/responses/Problem'}
        '422': {$ref: '#/components/responses/Problem'}
    post:
      operationId: createThing
      tags: [things]
      summary: Create.
      x-warden-roles: [admin]
      x-warden-audit: true
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Thing'}
      responses:
        '201': {description: created}
        '400': {$ref: '#/components/responses/Problem'}
        '401': {$ref: '#/components/responses/Problem'}
        '403': {$ref: '#/components/responses/Problem'}
        '415': {$ref: '#/components/responses/Problem'}
        '422': {$ref: '#/components/responses/Problem'}
  /api/v1/things/export:
    get:
      operationId: exportThings
      tags: [things]
      summary: Export.
      x-warden-roles: [admin, viewer]
      parameters:
        - {name: format, in: query, required: true, schema: {type: string, enum: [csv, jsonl]}}
        - $ref: '#/components/parameters/ThingSort'
        - $ref: '#/components/parameters/Color'
      responses:
        '200':
          description: ok
          content:
            text/csv: {schema: {type: string}}
            application/x-ndjson: {schema: {type: string}}
        '401': {$ref: '#/components/responses/Problem'}
        '403': {$ref: '#/components/responses/Problem'}
        '422': {$ref: '#/components/responses/Problem'}
  /api/v1/things/{thing_id}:
    get:
      operationId: getThing
      tags: [things]
      summary: One.
      x-warden-roles: [viewer]
      parameters:
        - {name: thing_id, in: path, required: true, schema: {type: string, maxLength: 8}}
      responses:
        '200': {description: ok}
        '401': {$ref: '#/components/responses/Problem'}
        '403': {$ref: '#/components/responses/Problem'}
        '404': {$ref: '#/components/responses/Problem'}
  /api/v1/agent/ping:
    get:
      operationId: agentPing
      tags: [things]
      summary: Ping.
      security: [{nodeKey: []}]
      x-warden-roles: [node]
      responses:
        '204': {description: pong}
        '401': {$ref: '#/components/responses/Problem'}
        '403': {$ref: '#/components/responses/Problem'}
components:
  parameters:
    Limit: {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 10000, default: 100}}
    Cursor: {name: cursor, in: query, schema: {type: string, maxLength: 64}}
    ThingSort: {name: sort, in: query, schema: {type: string, enum: [name, -name], default: name}}
    Color: {name: color, in: query, schema: {type: string, enum: [red, blue]}}
  responses:
    Problem:
      description: error
      content:
        application/json:
          schema: {$ref: '#/components/schemas/Error'}
  schemas:
    Error:
      type: object
      properties:
        error: {type: object}
    Thing:
      type: object
      additionalProperties: false
      required: [name]
      properties:
        name: {type: string, maxLength: 16, pattern: '^[a-z]+$'}
        seen: {type: [string, "null"], format: date-time, maxLength: 64}
    ThingList:
      type: object
      required: [items, next_cursor, total]
      properties:
        items: {type: array, items: {$ref: '#/components/schemas/Thing'}}
        next_cursor: {type: [string, "null"]}
        total: {type: integer}
)";

Json Good() {
  Result<Json> doc = YamlToJson(kGood, "good.yaml");
  EXPECT_TRUE(doc.ok()) << doc.status().message();
  return doc.ok() ? *doc : Json();
}

std::string Problems(const Json& doc) {
  std::string all;
  for (const std::string& p : LintOpenApiSpec(doc)) all += p + "\n";
  return all;
}

// Expects exactly the problems that contain `needle` (at least one).
void ExpectProblem(const Json& doc, const std::string& needle) {
  std::string all = Problems(doc);
  EXPECT_NE(all.find(needle), std::string::npos)
      << "expected a problem with '" << needle << "', got:\n"
      << all;
}

Json& Op(Json& doc, const char* path, const char* method) { return doc["paths"][path][method]; }

TEST(SpecLintTest, GoodSpecHasNoProblems) { EXPECT_EQ(Problems(Good()), ""); }

TEST(SpecLintTest, MissingAndDuplicateOperationIds) {
  Json doc = Good();
  Op(doc, "/api/v1/things/{thing_id}", "get").erase("operationId");
  ExpectProblem(doc, "GET /api/v1/things/{thing_id}: no operationId");
  doc = Good();
  Op(doc, "/api/v1/things/{thing_id}", "get")["operationId"] = "listThings";
  ExpectProblem(doc, "operationId is used by another operation");
  doc = Good();
  Op(doc, "/api/v1/things/{thing_id}", "get")["operationId"] = "Get_thing";
  ExpectProblem(doc, "camelCase");
}

TEST(SpecLintTest, UnresolvedRef) {
  Json doc = Good();
  Op(doc, "/api/v1/things",
     "post")["requestBody"]["content"]["application/json"]["schema"]["$ref"] =
      "#/components/schemas/Thingy";
  ExpectProblem(doc, "$ref '#/components/schemas/Thingy' does not resolve");
}

TEST(SpecLintTest, PathParametersMustBeDeclaredBothWays) {
  Json doc = Good();
  Op(doc, "/api/v1/things/{thing_id}", "get")["parameters"][0]["name"] = "id";
  ExpectProblem(doc, "path parameter {thing_id} is not declared");
  ExpectProblem(doc, "declares path parameter 'id' that is not in the path");
}

TEST(SpecLintTest, RolesSecurityAndAudit) {
  Json doc = Good();
  Op(doc, "/api/v1/things/{thing_id}", "get").erase("x-warden-roles");
  ExpectProblem(doc, "x-warden-roles must be a list");
  doc = Good();
  Op(doc, "/api/v1/things/{thing_id}", "get")["x-warden-roles"] = Json::array({"root"});
  ExpectProblem(doc, "unknown role \"root\"");
  doc = Good();
  Op(doc, "/healthz", "get").erase("security");
  ExpectProblem(doc, "no roles but no `security: []`");
  doc = Good();
  Op(doc, "/api/v1/agent/ping", "get").erase("security");
  ExpectProblem(doc, "node operations need security: [{nodeKey: []}]");
  doc = Good();
  Op(doc, "/api/v1/agent/ping", "get")["x-warden-roles"] = Json::array({"node", "admin"});
  ExpectProblem(doc, "the node role reaches only the agent channel");
  doc = Good();
  Op(doc, "/api/v1/things", "post").erase("x-warden-audit");
  ExpectProblem(doc, "unsafe method without x-warden-audit");
  doc = Good();
  Op(doc, "/api/v1/things", "get")["x-warden-audit"] = true;
  ExpectProblem(doc, "a safe method is not audited");
}

TEST(SpecLintTest, RequiredStatuses) {
  Json doc = Good();
  Op(doc, "/api/v1/things/{thing_id}", "get")["responses"].erase("401");
  ExpectProblem(doc, "must declare 401");
  doc = Good();
  Op(doc, "/api/v1/things/{thing_id}", "get")["responses"].erase("404");
  ExpectProblem(doc, "must declare 404");
  doc = Good();
  Op(doc, "/api/v1/things", "post")["responses"].erase("415");
  ExpectProblem(doc, "must declare 415");
  doc = Good();
  Op(doc, "/api/v1/things", "post")["responses"].erase("201");
  ExpectProblem(doc, "no 2xx response");
}

TEST(SpecLintTest, ErrorResponsesUseTheErrorSchema) {
  Json doc = Good();
  Op(doc, "/api/v1/things/{thing_id}", "get")["responses"]["404"] = Json::parse(
      R"({"description": "x", "content": {"application/json": {"schema": {"type": "object"}}}})");
  ExpectProblem(doc, "an error response must use #/components/schemas/Error");
}

TEST(SpecLintTest, ListsNeedPagingAndAnExportWithTheSameFilters) {
  Json doc = Good();
  doc["paths"].erase("/api/v1/things/export");
  ExpectProblem(doc, "a list without its export");
  doc = Good();
  Op(doc, "/api/v1/things/export", "get")["parameters"].erase(2);
  ExpectProblem(doc, "does not take the list's parameter 'color'");
  doc = Good();
  doc["components"]["parameters"]["ThingSort"]["schema"]["enum"] = Json::array({"name"});
  ExpectProblem(doc, "sort has 'name' but not '-name'");
  doc = Good();
  doc["components"]["parameters"]["Limit"]["schema"]["maximum"] = 1000;
  ExpectProblem(doc, "limit must be an integer 1..10000 with default 100");
}

TEST(SpecLintTest, SchemaSubsetTheValidatorReads) {
  Json doc = Good();
  doc["components"]["schemas"]["Thing"]["properties"]["name"]["nullable"] = true;
  ExpectProblem(doc, "keyword 'nullable' is not allowed");
  doc = Good();
  doc["components"]["schemas"]["Thing"]["properties"]["seen"].erase("maxLength");
  ExpectProblem(doc, "format/pattern needs maxLength");
  doc = Good();
  doc["components"]["schemas"]["Thing"]["properties"]["seen"]["type"] =
      Json::parse(R"(["string", null])");
  ExpectProblem(doc, "a YAML null must be quoted");
  doc = Good();
  doc["components"]["schemas"]["Thing"]["required"].push_back("age");
  ExpectProblem(doc, "requires 'age', which additionalProperties: false does not allow");
  doc = Good();
  doc["components"]["parameters"]["Color"]["schema"]["default"] = "green";
  ExpectProblem(doc, "default \"green\" is not one of the enum values");
  doc = Good();
  doc["components"]["schemas"]["ThingList"]["properties"]["items"]["items"]["maxLength"] = 3;
  ExpectProblem(doc, "'maxLength' beside $ref is ignored");
}

TEST(SpecLintTest, DocumentLevelRules) {
  Json doc = Good();
  doc["openapi"] = "3.0.3";
  ExpectProblem(doc, "must be 3.1.x");
  doc = Good();
  Op(doc, "/api/v1/things", "get")["tags"] = Json::array({"stuff"});
  ExpectProblem(doc, "tag \"stuff\" is not declared");
  doc = Good();
  doc["paths"]["/v2/things"] = doc["paths"]["/healthz"];
  doc["paths"]["/v2/things"]["get"]["operationId"] = "getV2";
  ExpectProblem(doc, "must be under /api/v1/");
  EXPECT_FALSE(LintOpenApiSpec(Json::array()).empty());
}

}  // namespace
}  // namespace warden::api

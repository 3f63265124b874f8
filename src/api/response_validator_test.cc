#include "api/response_validator.h"

#include <gtest/gtest.h>

#include <string>

#include "api/api_error.h"

namespace warden::api {
namespace {

const Operation& Op(const char* id) {
  Result<const OpenApiSpec*> spec = OpenApiSpec::Embedded();
  EXPECT_TRUE(spec.ok()) << spec.status().message();
  const Operation* op = (*spec)->FindById(id);
  EXPECT_NE(op, nullptr) << id;
  return *op;
}

void ExpectMismatch(const Status& status, std::string_view words) {
  ASSERT_FALSE(status.ok()) << "expected a mismatch with '" << words << "'";
  EXPECT_NE(status.message().find(words), std::string::npos) << status.message();
}

TEST(ResponseValidatorTest, MatchingResponsePasses) {
  EXPECT_TRUE(
      ValidateResponse(Op("getHealth"), 200, "application/json", R"({"status":"ok"})").ok());
  EXPECT_TRUE(ValidateResponseJson(Op("getVersion"), 200,
                                   Json::parse(R"({"version": "0.1.0", "api_version": "v1"})"))
                  .ok());
  Status labels = ValidateResponse(
      Op("listLabels"), 200, "application/json; charset=utf-8",
      R"({"items": [{"name": "env=prod", "host_count": 3}], "next_cursor": null, "total": 1})");
  EXPECT_TRUE(labels.ok()) << labels.message();
}

TEST(ResponseValidatorTest, WrongTypeIsCaughtAndNamed) {
  ExpectMismatch(ValidateResponseJson(Op("getVersion"), 200,
                                      Json::parse(R"({"version": 1, "api_version": "v1"})")),
                 "getVersion 200: /version: must be string (got integer)");
  ExpectMismatch(
      ValidateResponse(
          Op("listLabels"), 200, "application/json",
          R"({"items": [{"name": "env=prod", "host_count": "3"}], "next_cursor": null, "total": 1})"),
      "/items/0/host_count: must be integer (got string)");
}

TEST(ResponseValidatorTest, UndocumentedMemberIsCaught) {
  ExpectMismatch(ValidateResponse(Op("getHealth"), 200, "application/json",
                                  R"({"status": "ok", "uptime": 5})"),
                 "/uptime: is not an allowed member here");
}

TEST(ResponseValidatorTest, UndeclaredStatusIsCaught) {
  ExpectMismatch(ValidateResponse(Op("getHealth"), 404, "application/json", "{}"),
                 "getHealth 404: status not declared");
}

TEST(ResponseValidatorTest, ErrorsMustUseTheEnvelopeWithAKnownCode) {
  EXPECT_TRUE(ValidateResponseJson(Op("getHost"), 404,
                                   ErrorJson("E_HOST_NOT_FOUND", "no host 'h9'", "host_id"))
                  .ok());
  ExpectMismatch(ValidateResponseJson(Op("getHost"), 404, ErrorJson("E_NO_SUCH_HOST", "x")),
                 "/error/code: must be one of");
  ExpectMismatch(ValidateResponseJson(Op("getHost"), 404, Json::parse(R"({"error": "not found"})")),
                 "/error: must be object (got string)");
  ExpectMismatch(ValidateResponseJson(Op("getHost"), 404, Json::parse(R"({})")),
                 "/error: is required");
}

TEST(ResponseValidatorTest, NoContentStatusMustHaveNoBody) {
  EXPECT_TRUE(ValidateResponse(Op("logout"), 204, "", "").ok());
  ExpectMismatch(ValidateResponse(Op("logout"), 204, "application/json", "{}"),
                 "declared without a body");
}

TEST(ResponseValidatorTest, ContentTypeMustBeDeclared) {
  ExpectMismatch(ValidateResponse(Op("getHealth"), 200, "text/plain", "ok"),
                 "Content-Type 'text/plain' is not declared");
  EXPECT_TRUE(
      ValidateResponse(Op("getMetrics"), 200, "text/plain; version=0.0.4", "warden_up 1\n").ok());
}

TEST(ResponseValidatorTest, ExportJsonLinesMustBeObjects) {
  EXPECT_TRUE(ValidateResponse(Op("exportHosts"), 200, "text/csv", "id,hostname\n").ok());
  EXPECT_TRUE(ValidateResponse(Op("exportHosts"), 200, "application/x-ndjson",
                               "{\"id\":\"h1\"}\n{\"id\":\"h2\"}\n")
                  .ok());
  ExpectMismatch(
      ValidateResponse(Op("exportHosts"), 200, "application/x-ndjson", "{\"id\":\"h1\"}\n[1]\n"),
      "line 2 is not a JSON object");
}

TEST(ResponseValidatorTest, BodyThatIsNotJsonIsCaught) {
  ExpectMismatch(ValidateResponse(Op("getHealth"), 200, "application/json", "ok"), "not JSON");
}

}  // namespace
}  // namespace warden::api

#include "api/api_error.h"

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "api/openapi_spec.h"
#include "testing/test_util.h"

namespace warden::api {
namespace {

TEST(ApiErrorTest, CodesAreUniqueWellFormedAndMapToErrorStatuses) {
  std::set<std::string_view> seen;
  const std::regex form("^E_[A-Z][A-Z_]*[A-Z]$");
  for (const ErrorCodeInfo& info : ErrorCodes()) {
    EXPECT_TRUE(seen.insert(info.code).second) << "duplicate code " << info.code;
    EXPECT_TRUE(std::regex_match(std::string(info.code), form)) << info.code;
    EXPECT_GE(info.http_status, 400) << info.code;
    EXPECT_LE(info.http_status, 599) << info.code;
    EXPECT_FALSE(info.meaning.empty()) << info.code;
  }
  EXPECT_GE(seen.size(), 30u);
}

TEST(ApiErrorTest, ContractCodesHaveTheirStatuses) {
  const std::pair<std::string_view, int> expected[] = {
      {"E_UNAUTHENTICATED", 401},
      {"E_NODE_REVOKED", 401},
      {"E_FORBIDDEN", 403},
      {"E_NOT_FOUND", 404},
      {"E_HOST_NOT_FOUND", 404},
      {"E_PROBLEM_NOT_FOUND", 404},
      {"E_CONFLICT", 409},
      {"E_PAYLOAD_TOO_LARGE", 413},
      {"E_VALIDATION", 422},
      {"E_RATE_LIMITED", 429},
      {"E_UNAVAILABLE", 503},
      {"E_INVALID_JSON", 400},
      {"E_UNSUPPORTED_MEDIA_TYPE", 415},
  };
  for (const auto& [code, status] : expected) {
    const ErrorCodeInfo* info = FindErrorCode(code);
    ASSERT_NE(info, nullptr) << code;
    EXPECT_EQ(info->http_status, status) << code;
  }
  EXPECT_EQ(FindErrorCode("E_NO_SUCH_CODE"), nullptr);
}

// The server's HTTP layer answers with these before any handler runs
// (src/server/http_json.h); they must stay in the one table.
TEST(ApiErrorTest, TableHoldsTheHttpLayersCodes) {
  const std::pair<std::string_view, int> server_codes[] = {
      {"E_BAD_REQUEST", 400},       {"E_INVALID_ARGUMENT", 400},  {"E_INVALID_JSON", 400},
      {"E_FORBIDDEN", 403},         {"E_NOT_FOUND", 404},         {"E_METHOD_NOT_ALLOWED", 405},
      {"E_REQUEST_TIMEOUT", 408},   {"E_PAYLOAD_TOO_LARGE", 413}, {"E_UNSUPPORTED_MEDIA_TYPE", 415},
      {"E_HEADERS_TOO_LARGE", 431}, {"E_INTERNAL", 500},          {"E_NO_RESPONSE", 500},
      {"E_OVERLOADED", 503},        {"E_UNAVAILABLE", 503},       {"E_TIMEOUT", 503},
  };
  for (const auto& [code, status] : server_codes) {
    const ErrorCodeInfo* info = FindErrorCode(code);
    ASSERT_NE(info, nullptr) << code;
    EXPECT_EQ(info->http_status, status) << code;
  }
}

TEST(ApiErrorTest, SpecErrorCodeEnumIsExactlyTheTable) {
  Result<const OpenApiSpec*> spec = OpenApiSpec::Embedded();
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  const Json* values =
      ResolveJsonPointer((*spec)->document(), "#/components/schemas/ErrorCode/enum");
  ASSERT_NE(values, nullptr);
  std::set<std::string> in_spec;
  for (const Json& v : *values) in_spec.insert(v.get<std::string>());
  std::set<std::string> in_table;
  for (const ErrorCodeInfo& info : ErrorCodes()) in_table.insert(std::string(info.code));
  for (const std::string& code : in_table)
    EXPECT_TRUE(in_spec.count(code)) << code << " missing from the spec";
  for (const std::string& code : in_spec)
    EXPECT_TRUE(in_table.count(code)) << code << " missing from the table";
}

// docs/api.md lists the codes for people; it must list all of them, each
// with its status.
TEST(ApiErrorTest, DocsListEveryCodeWithItsStatus) {
  std::ifstream in(warden::testing::SourcePath("docs/api.md"));
  ASSERT_TRUE(in.good());
  std::stringstream text;
  text << in.rdbuf();
  for (const ErrorCodeInfo& info : ErrorCodes()) {
    std::string row =
        "| `" + std::string(info.code) + "` | " + std::to_string(info.http_status) + " |";
    EXPECT_NE(text.str().find(row), std::string::npos) << "docs/api.md lacks the row " << row;
  }
}

TEST(ApiErrorTest, MakeApiErrorTakesTheStatusFromTheTable) {
  ApiError error = MakeApiError("E_HOST_NOT_FOUND", "no host 'h9'", "host_id");
  EXPECT_EQ(error.http_status, 404);
  EXPECT_EQ(error.ToJson().dump(),
            R"({"error":{"code":"E_HOST_NOT_FOUND","message":"no host 'h9'","field":"host_id"}})");
}

TEST(ApiErrorTest, ErrorJsonLeavesOutAnEmptyField) {
  EXPECT_EQ(ErrorJson("E_RATE_LIMITED", "slow down").dump(),
            R"({"error":{"code":"E_RATE_LIMITED","message":"slow down"}})");
}

}  // namespace
}  // namespace warden::api

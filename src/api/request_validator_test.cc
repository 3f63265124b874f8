#include "api/request_validator.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace warden::api {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

// A request to one operation of the embedded spec, found by method and path
// as the server's router would.
struct Call {
  std::string method;
  std::string path;
  Pairs query = {};
  Pairs headers = {};
  std::string body = {};
};

struct Outcome {
  std::optional<ApiError> error;
  ValidatedRequest request;
};

Outcome Check(const Call& call) {
  Result<const OpenApiSpec*> spec = OpenApiSpec::Embedded();
  EXPECT_TRUE(spec.ok()) << spec.status().message();
  OperationMatch match = (*spec)->Match(call.method, call.path);
  EXPECT_EQ(match.kind, OperationMatch::Kind::kFound) << call.method << " " << call.path;
  Outcome outcome;
  if (match.operation == nullptr) return outcome;
  ApiRequest request{match.path_params, call.query, call.headers, call.body};
  outcome.error = ValidateRequest(*match.operation, request, &outcome.request);
  return outcome;
}

// Expects an error with this code and field whose message contains `words`.
void ExpectError(const Outcome& o, std::string_view code, std::string_view field,
                 std::string_view words) {
  ASSERT_TRUE(o.error.has_value()) << "expected " << code << " on " << field;
  EXPECT_EQ(o.error->code, code) << o.error->message;
  EXPECT_EQ(o.error->field, field) << o.error->message;
  EXPECT_NE(o.error->message.find(words), std::string::npos) << o.error->message;
  EXPECT_EQ(o.error->http_status, FindErrorCode(code)->http_status);
}

const Pairs kJson = {{"Content-Type", "application/json"}};

TEST(RequestValidatorTest, ListParametersAreTypedAndDefaultsFilledIn) {
  Outcome o = Check({"GET",
                     "/api/v1/problems",
                     {{"limit", "50"}, {"status", "open,dismissed"}, {"min_risk_level", "high"}}});
  ASSERT_FALSE(o.error.has_value()) << o.error->message;
  const Json& p = o.request.params;
  EXPECT_EQ(p["limit"], 50);
  EXPECT_TRUE(p["limit"].is_number_integer());
  EXPECT_EQ(p["status"], Json::parse(R"(["open", "dismissed"])"));
  EXPECT_EQ(p["min_risk_level"], "high");
  EXPECT_EQ(p["sort"], "-last_detected_at");
  EXPECT_FALSE(p.contains("cursor"));
  EXPECT_FALSE(o.request.body.has_value());
}

TEST(RequestValidatorTest, IntegerParameterRefusesText) {
  ExpectError(Check({"GET", "/api/v1/hosts", {{"limit", "ten"}}}), "E_VALIDATION", "limit",
              "limit: 'ten' must be an integer");
  ExpectError(Check({"GET", "/api/v1/hosts", {{"limit", "1.5"}}}), "E_VALIDATION", "limit",
              "must be an integer");
  ExpectError(Check({"GET", "/api/v1/hosts", {{"limit", ""}}}), "E_VALIDATION", "limit",
              "must be an integer");
}

TEST(RequestValidatorTest, IntegerParameterOutsideItsRangeNamesTheLimit) {
  ExpectError(Check({"GET", "/api/v1/hosts", {{"limit", "10001"}}}), "E_VALIDATION", "limit",
              "limit: must be at most 10000");
  ExpectError(Check({"GET", "/api/v1/hosts", {{"limit", "0"}}}), "E_VALIDATION", "limit",
              "must be at least 1");
  ExpectError(Check({"GET", "/api/v1/hosts", {{"limit", "99999999999999999999"}}}), "E_VALIDATION",
              "limit", "out of range");
  EXPECT_FALSE(Check({"GET", "/api/v1/hosts", {{"limit", "10000"}}}).error.has_value());
}

TEST(RequestValidatorTest, BooleanParameterTakesOnlyTrueOrFalse) {
  Outcome ok = Check({"GET", "/api/v1/hosts", {{"duplicate_identity", "true"}}});
  ASSERT_FALSE(ok.error.has_value());
  EXPECT_EQ(ok.request.params["duplicate_identity"], true);
  ExpectError(Check({"GET", "/api/v1/hosts", {{"duplicate_identity", "yes"}}}), "E_VALIDATION",
              "duplicate_identity", "must be true or false");
}

TEST(RequestValidatorTest, NumberParameterIsChecked) {
  Outcome ok = Check({"GET", "/api/v1/vulnerabilities", {{"min_cvss", "7.5"}}});
  ASSERT_FALSE(ok.error.has_value());
  EXPECT_EQ(ok.request.params["min_cvss"], 7.5);
  ExpectError(Check({"GET", "/api/v1/vulnerabilities", {{"min_cvss", "11"}}}), "E_VALIDATION",
              "min_cvss", "at most 10");
  ExpectError(Check({"GET", "/api/v1/vulnerabilities", {{"min_cvss", "nan"}}}), "E_VALIDATION",
              "min_cvss", "must be a number");
}

TEST(RequestValidatorTest, EnumArrayNamesTheWrongItem) {
  ExpectError(Check({"GET", "/api/v1/problems", {{"status", "open,bogus"}}}), "E_VALIDATION",
              "status", "status: 'bogus' must be one of: open, resolved, dismissed");
  ExpectError(Check({"GET", "/api/v1/problems", {{"status", "open,open"}}}), "E_VALIDATION",
              "status", "must not contain duplicates");
}

TEST(RequestValidatorTest, IntegerArrayItemsAreCoerced) {
  Outcome ok = Check({"GET", "/api/v1/hosts/h1/ports", {{"port", "22,443"}, {"protocol", "tcp"}}});
  ASSERT_FALSE(ok.error.has_value()) << ok.error->message;
  EXPECT_EQ(ok.request.params["port"], Json::parse("[22, 443]"));
  ExpectError(Check({"GET", "/api/v1/hosts/h1/ports", {{"port", "22,ssh"}}}), "E_VALIDATION",
              "port", "'ssh' must be an integer");
  ExpectError(Check({"GET", "/api/v1/hosts/h1/ports", {{"port", "70000"}}}), "E_VALIDATION", "port",
              "at most 65535");
}

TEST(RequestValidatorTest, CommaSeparatedValuesMayAlsoRepeatTheKey) {
  Outcome ok = Check({"GET", "/api/v1/problems", {{"status", "open"}, {"status", "resolved"}}});
  ASSERT_FALSE(ok.error.has_value());
  EXPECT_EQ(ok.request.params["status"], Json::parse(R"(["open", "resolved"])"));
}

TEST(RequestValidatorTest, UnknownQueryParameterIsRefused) {
  ExpectError(Check({"GET", "/api/v1/problems", {{"severty", "high"}}}), "E_VALIDATION", "severty",
              "unknown query parameter 'severty'");
}

TEST(RequestValidatorTest, ScalarGivenTwiceIsRefused) {
  ExpectError(Check({"GET", "/api/v1/hosts", {{"limit", "1"}, {"limit", "2"}}}), "E_VALIDATION",
              "limit", "given more than once");
}

TEST(RequestValidatorTest, MissingRequiredParameterIsNamed) {
  ExpectError(Check({"GET", "/api/v1/hosts/export"}), "E_VALIDATION", "format",
              "format: is required");
  Outcome ok = Check({"GET", "/api/v1/hosts/export", {{"format", "csv"}, {"label", "env=prod"}}});
  ASSERT_FALSE(ok.error.has_value()) << ok.error->message;
  EXPECT_EQ(ok.request.params["label"], Json::parse(R"(["env=prod"])"));
}

TEST(RequestValidatorTest, TimestampFilterMustBeRfc3339) {
  ExpectError(Check({"GET", "/api/v1/problems", {{"last_detected_after", "yesterday"}}}),
              "E_VALIDATION", "last_detected_after", "RFC 3339");
  EXPECT_FALSE(
      Check({"GET", "/api/v1/problems", {{"last_detected_after", "2026-01-31T00:00:00Z"}}}).error);
}

TEST(RequestValidatorTest, LabelFilterRefusesCharactersOutsideItsForm) {
  ExpectError(Check({"GET", "/api/v1/hosts", {{"label", "env prod"}}}), "E_VALIDATION", "label",
              "does not have the expected form");
}

TEST(RequestValidatorTest, PathParameterThatCannotExistIsNotFound) {
  ExpectError(Check({"GET", "/api/v1/hosts/" + std::string(200, 'h')}), "E_NOT_FOUND", "host_id",
              "at most 128 characters");
  Outcome ok = Check({"GET", "/api/v1/hosts/h%201"});
  ASSERT_FALSE(ok.error.has_value());
  EXPECT_EQ(ok.request.params["host_id"], "h 1");
}

TEST(RequestValidatorTest, HeaderParameterIsValidated) {
  Outcome ok = Check({"GET", "/api/v1/agent/config", {}, {{"if-none-match", "\"c0ffee\""}}});
  ASSERT_FALSE(ok.error.has_value());
  EXPECT_EQ(ok.request.params["If-None-Match"], "\"c0ffee\"");
  ExpectError(
      Check({"GET", "/api/v1/agent/config", {}, {{"If-None-Match", std::string(300, 'e')}}}),
      "E_VALIDATION", "If-None-Match", "at most 256 characters");
}

TEST(RequestValidatorTest, BodyMemberErrorIsNamedByJsonPointer) {
  std::string body = R"({"batch_id": "b1", "records": [
      {"id": "r1", "kind": "status", "time_ms": 1, "body": {"agent": {"version": "0.1"}, "jobs": []}},
      {"id": "r2", "kind": "bogus", "time_ms": 2, "body": {}}]})";
  ExpectError(Check({"POST", "/api/v1/agent/records", {}, kJson, body}), "E_VALIDATION",
              "/records/1/kind", "/records/1/kind: must be one of: problems, results");
}

TEST(RequestValidatorTest, RecordBodyIsCheckedByItsKind) {
  std::string body = R"({"batch_id": "b1", "records": [
      {"id": "r1", "kind": "inventory", "time_ms": 1,
       "body": {"type": "ports", "items": [{"protocol": "tcp", "address": "0.0.0.0", "port": "22"}]}}]})";
  ExpectError(Check({"POST", "/api/v1/agent/records", {}, kJson, body}), "E_VALIDATION",
              "/records/0/body/items/0/port", "must be integer (got string)");
  std::string good = R"({"batch_id": "b1", "records": [
      {"id": "r1", "kind": "inventory", "time_ms": 1, "future_member": true,
       "body": {"type": "ports", "items": [{"protocol": "tcp", "address": "0.0.0.0", "port": 22}]}}]})";
  Outcome ok = Check({"POST", "/api/v1/agent/records", {}, kJson, good});
  ASSERT_FALSE(ok.error.has_value()) << ok.error->message;
  ASSERT_TRUE(ok.request.body.has_value());
  EXPECT_EQ((*ok.request.body)["records"][0]["body"]["items"][0]["port"], 22);
}

TEST(RequestValidatorTest, MissingAndUnknownBodyMembersAreNamed) {
  ExpectError(Check({"POST", "/api/v1/problems/p1/dismiss", {}, kJson, "{}"}), "E_VALIDATION",
              "/comment", "/comment: is required");
  ExpectError(Check({"POST",
                     "/api/v1/problems/p1/dismiss",
                     {},
                     kJson,
                     R"({"comment": "ok", "coment": "x"})"}),
              "E_VALIDATION", "/coment", "not an allowed member");
  ExpectError(Check({"POST", "/api/v1/problems/p1/dismiss", {}, kJson, R"({"comment": ""})"}),
              "E_VALIDATION", "/comment", "must not be empty");
  ExpectError(Check({"POST",
                     "/api/v1/problems/p1/dismiss",
                     {},
                     kJson,
                     R"({"comment": "x", "until": "soon"})"}),
              "E_VALIDATION", "/until", "RFC 3339");
}

TEST(RequestValidatorTest, ChannelConfigIsCheckedForItsType) {
  ExpectError(Check({"POST",
                     "/api/v1/channels",
                     {},
                     kJson,
                     R"({"name": "siem", "type": "webhook", "secret": "s3cret", "config": {}})"}),
              "E_VALIDATION", "/config/url", "is required");
  ExpectError(
      Check({"POST",
             "/api/v1/channels",
             {},
             kJson,
             R"({"name": "siem", "type": "webhook", "config": {"url": "https://siem.example"}})"}),
      "E_VALIDATION", "/secret", "is required");
  EXPECT_FALSE(
      Check({"POST",
             "/api/v1/channels",
             {},
             kJson,
             R"({"name": "siem", "type": "syslog", "config": {"address": "127.0.0.1:514"}})"})
          .error);
}

TEST(RequestValidatorTest, BulkActionTakesIdsOrAFilterNotBoth) {
  ExpectError(
      Check({"POST",
             "/api/v1/problems/bulk/dismiss",
             {},
             kJson,
             R"({"ids": ["p1"], "filter": {"status": ["open"]}, "comment": "accepted risk"})"}),
      "E_VALIDATION", "", "must have exactly one of: ids, filter");
  ExpectError(Check({"POST",
                     "/api/v1/problems/bulk/dismiss",
                     {},
                     kJson,
                     R"({"filter": {}, "comment": "accepted risk"})"}),
              "E_VALIDATION", "/filter", "must not be empty");
  Outcome ok = Check({"POST",
                      "/api/v1/problems/bulk/dismiss",
                      {},
                      kJson,
                      R"({"filter": {"rule_id": ["HOST-VULN"], "min_risk_level": "high"},
                        "comment": "patched in the next window", "dry_run": true})"});
  ASSERT_FALSE(ok.error.has_value()) << ok.error->message;
}

TEST(RequestValidatorTest, MalformedJsonIsABadRequest) {
  ExpectError(Check({"POST", "/api/v1/problems/p1/dismiss", {}, kJson, R"({"comment": )"}),
              "E_INVALID_JSON", "", "not valid JSON");
  ExpectError(Check({"POST", "/api/v1/problems/p1/dismiss", {}, kJson, "{\"comment\": \"\xff\"}"}),
              "E_INVALID_JSON", "", "not valid JSON");
}

TEST(RequestValidatorTest, DeeplyNestedJsonIsRefusedBeforeParsing) {
  std::string deep =
      R"({"comment": "x", "until": )" + std::string(100, '[') + std::string(100, ']') + "}";
  ExpectError(Check({"POST", "/api/v1/problems/p1/dismiss", {}, kJson, deep}), "E_INVALID_JSON", "",
              "deeper than 64");
  // Brackets inside strings do not count.
  std::string in_string = R"({"comment": ")" + std::string(100, '[') + R"("})";
  EXPECT_FALSE(Check({"POST", "/api/v1/problems/p1/dismiss", {}, kJson, in_string}).error);
}

TEST(RequestValidatorTest, BodyOfTheWrongMediaTypeIsUnsupported) {
  ExpectError(Check({"POST",
                     "/api/v1/problems/p1/dismiss",
                     {},
                     {{"Content-Type", "text/plain"}},
                     R"({"comment": "x"})"}),
              "E_UNSUPPORTED_MEDIA_TYPE", "", "must be application/json");
  ExpectError(Check({"POST", "/api/v1/problems/p1/dismiss", {}, {}, R"({"comment": "x"})"}),
              "E_UNSUPPORTED_MEDIA_TYPE", "", "no Content-Type");
  EXPECT_FALSE(Check({"POST",
                      "/api/v1/problems/p1/dismiss",
                      {},
                      {{"content-type", "Application/JSON; charset=utf-8"}},
                      R"({"comment": "x"})"})
                   .error);
}

TEST(RequestValidatorTest, BodyOverTheOperationsLimitIsTooLarge) {
  std::string big = R"({"comment": ")" + std::string(kDefaultMaxBodyBytes, 'x') + R"("})";
  ExpectError(Check({"POST", "/api/v1/problems/p1/dismiss", {}, kJson, big}), "E_PAYLOAD_TOO_LARGE",
              "", "limit of 1048576 bytes");
}

TEST(RequestValidatorTest, RequiredBodyMissingAndUnexpectedBodyAreRefused) {
  ExpectError(Check({"POST", "/api/v1/problems/p1/dismiss", {}, kJson, ""}), "E_VALIDATION", "",
              "a request body is required");
  ExpectError(Check({"POST", "/api/v1/hosts/h1/revoke", {}, kJson, "{}"}), "E_VALIDATION", "",
              "takes no request body");
  EXPECT_FALSE(Check({"POST", "/api/v1/hosts/h1/revoke"}).error);
  EXPECT_FALSE(Check({"POST", "/api/v1/problems/p1/undismiss"}).error);
}

TEST(RequestValidatorTest, NonJsonBodyIsLeftToTheHandler) {
  Outcome ok = Check({"POST",
                      "/api/v1/feeds",
                      {{"name", "tracker.json"}},
                      {{"Content-Type", "application/octet-stream"}},
                      std::string("\x00\x01{[", 4)});
  ASSERT_FALSE(ok.error.has_value()) << ok.error->message;
  EXPECT_FALSE(ok.request.body.has_value());
  EXPECT_EQ(ok.request.params["name"], "tracker.json");
  ExpectError(Check({"POST",
                     "/api/v1/feeds",
                     {{"format", "rpm"}},
                     {{"Content-Type", "application/octet-stream"}},
                     "x"}),
              "E_VALIDATION", "format", "must be one of: debian-tracker-json");
}

TEST(RequestValidatorTest, ErrorMessagesNeverCarryRawBytes) {
  Outcome o = Check({"GET", "/api/v1/hosts", {{"limit", std::string("1\n\x01\xff", 4)}}});
  ASSERT_TRUE(o.error.has_value());
  EXPECT_NE(o.error->message.find("'1\\x0a\\x01\\xff'"), std::string::npos) << o.error->message;
  Outcome key = Check({"GET", "/api/v1/hosts", {{"\xffx", "1"}}});
  ASSERT_TRUE(key.error.has_value());
  EXPECT_EQ(key.error->field, "\\xffx");
  ExpectError(Check({"POST", "/api/v1/problems/p1/dismiss", {}, kJson, "{\"comment\": \xff}"}),
              "E_INVALID_JSON", "", "not valid JSON");
  Outcome bad = Check({"POST", "/api/v1/problems/p1/dismiss", {}, kJson, "{\"comment\": \xff}"});
  ASSERT_TRUE(bad.error.has_value());
  for (unsigned char c : bad.error->message)
    EXPECT_TRUE(c >= 0x20 && c < 0x7f) << bad.error->message;
}

// Decoded path and query values can hold any bytes; the schema validator
// reads strings as UTF-8 (and read past the end of an overlong sequence).
TEST(RequestValidatorTest, ParameterThatIsNotUtf8IsRefused) {
  ExpectError(Check({"GET", "/api/v1/hosts/h%C0%C0"}), "E_NOT_FOUND", "host_id",
              "'h\\xc0\\xc0' is not valid UTF-8");
  ExpectError(Check({"GET", "/api/v1/hosts", {{"q", "caf\xc3"}}}), "E_VALIDATION", "q",
              "is not valid UTF-8");
  ExpectError(Check({"GET", "/api/v1/hosts", {{"q", "\xed\xa0\x80"}}}), "E_VALIDATION", "q",
              "is not valid UTF-8");  // a surrogate
  ExpectError(Check({"GET", "/api/v1/hosts", {{"q", "\xe0\x80\xaf"}}}), "E_VALIDATION", "q",
              "is not valid UTF-8");  // overlong '/'
  Outcome ok = Check({"GET", "/api/v1/hosts", {{"q", "caf\xc3\xa9 \xf0\x9f\x94\x92"}}});
  ASSERT_FALSE(ok.error.has_value()) << ok.error->message;
  EXPECT_EQ(ok.request.params["q"], "caf\xc3\xa9 \xf0\x9f\x94\x92");
}

TEST(RequestValidatorTest, MediaTypeIsLowerCasedWithoutParameters) {
  EXPECT_EQ(MediaTypeOf(" Application/JSON ; charset=utf-8"), "application/json");
  EXPECT_EQ(MediaTypeOf(""), "");
}

}  // namespace
}  // namespace warden::api

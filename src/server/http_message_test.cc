#include "server/http_message.h"

#include <gtest/gtest.h>

#include "server/http_json.h"

namespace warden::server {
namespace {

TEST(HttpHeadersTest, LooksUpNamesIgnoringCaseAndKeepsRepeats) {
  HttpHeaders headers;
  headers.Add("Set-Cookie", "a=1");
  headers.Add("set-cookie", "b=2");
  headers.Add("Content-Type", "text/plain");
  EXPECT_EQ(headers.Get("SET-COOKIE").value_or(""), "a=1");
  ASSERT_EQ(headers.GetAll("Set-Cookie").size(), 2u);
  EXPECT_EQ(headers.GetAll("Set-Cookie")[1], "b=2");
  headers.Set("CONTENT-type", "application/json");
  EXPECT_EQ(headers.GetAll("content-type").size(), 1u);
  EXPECT_EQ(headers.Get("Content-Type").value_or(""), "application/json");
  headers.SetIfAbsent("content-type", "x");
  EXPECT_EQ(headers.Get("Content-Type").value_or(""), "application/json");
  headers.Remove("set-cookie");
  EXPECT_FALSE(headers.Has("Set-Cookie"));
  EXPECT_FALSE(headers.Get("Missing").has_value());
}

TEST(HttpHeadersTest, ValidatesNamesAndValuesAgainstInjection) {
  EXPECT_TRUE(IsValidHeaderName("X-Request-Id"));
  EXPECT_FALSE(IsValidHeaderName("X Request"));
  EXPECT_FALSE(IsValidHeaderName("X:Y"));
  EXPECT_FALSE(IsValidHeaderName(""));
  EXPECT_TRUE(IsValidHeaderValue("text/html; charset=utf-8\tx"));
  EXPECT_FALSE(IsValidHeaderValue("a\r\nSet-Cookie: x"));
  EXPECT_FALSE(IsValidHeaderValue(std::string("a\0b", 3)));
  EXPECT_FALSE(IsValidHeaderValue("a\nb"));
}

TEST(PercentDecodeTest, DecodesEscapesAndRejectsBadOnes) {
  EXPECT_EQ(PercentDecode("a%20b%2Fc", false).value_or("?"), "a b/c");
  EXPECT_EQ(PercentDecode("a+b", false).value_or("?"), "a+b");
  EXPECT_EQ(PercentDecode("a+b", true).value_or("?"), "a b");
  EXPECT_EQ(PercentDecode("%e2%9c%93", false).value_or("?"), "\xe2\x9c\x93");
  EXPECT_FALSE(PercentDecode("%", false).has_value());
  EXPECT_FALSE(PercentDecode("%2", false).has_value());
  EXPECT_FALSE(PercentDecode("ab%", false).has_value());
  EXPECT_FALSE(PercentDecode("%zz", false).has_value());
  EXPECT_FALSE(PercentDecode("a%00b", false).has_value());
}

TEST(ParseRequestTargetTest, SplitsPathSegmentsAndQuery) {
  HttpRequest r;
  ASSERT_TRUE(ParseRequestTarget("/api/v1/hosts/a%2Fb?x=1&y=&x=2&&z", &r).ok());
  EXPECT_EQ(r.path, "/api/v1/hosts/a/b");
  ASSERT_EQ(r.raw_segments.size(), 4u);
  EXPECT_EQ(r.raw_segments[3], "a%2Fb");
  ASSERT_EQ(r.query.size(), 4u);
  EXPECT_EQ(r.QueryParams("x").size(), 2u);
  EXPECT_EQ(r.QueryParam("y").value_or("?"), "");
  EXPECT_EQ(r.QueryParam("z").value_or("?"), "");
  EXPECT_FALSE(r.QueryParam("w").has_value());

  ASSERT_TRUE(ParseRequestTarget("/", &r).ok());
  EXPECT_EQ(r.raw_segments, std::vector<std::string>{""});
  EXPECT_TRUE(r.query.empty());
}

TEST(ParseRequestTargetTest, AcceptsAbsoluteFormAndRejectsTheRest) {
  HttpRequest r;
  ASSERT_TRUE(ParseRequestTarget("http://example.com:8080/a?b=c", &r).ok());
  EXPECT_EQ(r.path, "/a");
  EXPECT_EQ(r.QueryParam("b").value_or(""), "c");
  ASSERT_TRUE(ParseRequestTarget("https://example.com", &r).ok());
  EXPECT_EQ(r.path, "/");
  EXPECT_FALSE(ParseRequestTarget("*", &r).ok());
  EXPECT_FALSE(ParseRequestTarget("a/b", &r).ok());
  EXPECT_FALSE(ParseRequestTarget("ftp://x/y", &r).ok());
  EXPECT_FALSE(ParseRequestTarget("", &r).ok());
  EXPECT_FALSE(ParseRequestTarget("/a#frag", &r).ok());
  EXPECT_FALSE(ParseRequestTarget("/a%2", &r).ok());
  EXPECT_FALSE(ParseRequestTarget("/a%00", &r).ok());
  Status bad = ParseRequestTarget("/a?x=%zz", &r);
  EXPECT_NE(bad.message().find("x=%zz"), std::string::npos) << bad.message();
}

TEST(HttpJsonTest, BuildsJsonAndTheErrorEnvelope) {
  HttpResponse ok = JsonResponse(201, Json{{"id", 7}});
  EXPECT_EQ(ok.status, 201);
  EXPECT_EQ(ok.headers.Get("Content-Type").value_or(""), "application/json");
  EXPECT_EQ(ok.body, R"({"id":7})");

  HttpResponse error = ErrorResponse(api::kErrorInvalidArgument, "bad limit", "limit");
  EXPECT_EQ(error.body,
            R"({"error":{"code":"E_INVALID_ARGUMENT","message":"bad limit","field":"limit"}})");
  EXPECT_EQ(ErrorResponse(api::kErrorNotFound, "no").body,
            R"({"error":{"code":"E_NOT_FOUND","message":"no"}})");
  // Invalid UTF-8 copied from host data does not throw.
  EXPECT_NE(JsonResponse(200, Json{{"x", std::string("\xff\xfe")}}).body, "");
}

TEST(HttpJsonTest, MapsStatusToHttpAndHidesInternalMessages) {
  EXPECT_EQ(ErrorResponseForStatus(InvalidArgument("x")).status, 400);
  EXPECT_EQ(ErrorResponseForStatus(NotFound("x")).status, 404);
  EXPECT_EQ(ErrorResponseForStatus(Status(StatusCode::kPermissionDenied, "x")).status, 403);
  EXPECT_EQ(ErrorResponseForStatus(Unavailable("x")).status, 503);
  EXPECT_EQ(ErrorResponseForStatus(Timeout("x")).status, 503);
  HttpResponse internal = ErrorResponseForStatus(IoError("/var/lib/warden/db: EIO"), "req-1");
  EXPECT_EQ(internal.status, 500);
  EXPECT_EQ(internal.body.find("/var/lib"), std::string::npos);
  EXPECT_NE(internal.body.find("req-1"), std::string::npos);
}

TEST(HttpJsonTest, ParsesJsonBodiesAndExplainsRefusals) {
  HttpRequest request;
  request.headers.Set("Content-Type", "application/json; charset=utf-8");
  request.body = R"({"a": [1, 2]})";
  HttpResponse error;
  Result<Json> parsed = ParseJsonBody(request, &error);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ((*parsed)["a"][1], 2);

  request.body = "{not json";
  EXPECT_FALSE(ParseJsonBody(request, &error).ok());
  EXPECT_EQ(error.status, 400);
  EXPECT_NE(error.body.find("E_INVALID_JSON"), std::string::npos);

  request.headers.Set("Content-Type", "text/plain");
  EXPECT_FALSE(ParseJsonBody(request, &error).ok());
  EXPECT_EQ(error.status, 415);
}

}  // namespace
}  // namespace warden::server

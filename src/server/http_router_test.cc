#include "server/http_router.h"

#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>

#include "server/http_json.h"

namespace warden::server {
namespace {

// Captures what a handler answers, without a server.
class CaptureSink : public HttpResponseSink {
 public:
  bool TryDeliver(HttpResponse delivered) override {
    if (answered) return false;
    answered = true;
    response = std::move(delivered);
    return true;
  }
  Result<std::shared_ptr<HttpStreamChannel>> TryStartStream(HttpResponse) override {
    return Unavailable("not in this test");
  }
  bool IsOpen() const override { return true; }
  void OnClientGone(std::function<void()>) override {}

  bool answered = false;
  HttpResponse response;
};

struct Dispatched {
  RequestPlan plan;
  HttpRequest request;
  HttpResponse response;
};

Dispatched Dispatch(HttpRouter& router, const std::string& method, const std::string& target) {
  Dispatched out;
  out.request.method = method;
  EXPECT_TRUE(ParseRequestTarget(target, &out.request).ok()) << target;
  out.plan = router.Plan(out.request);
  auto sink = std::make_shared<CaptureSink>();
  {
    HttpResponder responder(sink);
    out.plan.run(out.request, responder);
  }
  out.response = sink->response;
  return out;
}

HttpResponse Body(std::string text) {
  HttpResponse r;
  r.body = std::move(text);
  return r;
}

std::string ErrorCode(const HttpResponse& response) {
  return Json::parse(response.body)["error"]["code"];
}

TEST(HttpRouterTest, MatchesTemplatesAndHandsOverDecodedParameters) {
  HttpRouter router;
  ASSERT_TRUE(router
                  .Add("GET", "/api/v1/hosts/{id}/problems/{problem_id}",
                       [](HttpRequest& r) {
                         return Body(std::string(r.PathParam("id")) + "|" +
                                     std::string(r.PathParam("problem_id")));
                       })
                  .ok());
  Dispatched d = Dispatch(router, "GET", "/api/v1/hosts/web%2F1/problems/p%207");
  EXPECT_EQ(d.response.body, "web/1|p 7");
  EXPECT_EQ(d.request.path_params.size(), 2u);
  // A parameter never matches an empty segment.
  EXPECT_EQ(Dispatch(router, "GET", "/api/v1/hosts//problems/1").response.status, 404);
  EXPECT_EQ(Dispatch(router, "GET", "/api/v1/hosts/1/problems").response.status, 404);
  EXPECT_EQ(Dispatch(router, "GET", "/api/v1/hosts/1/problems/2/").response.status, 404);
}

TEST(HttpRouterTest, PrefersLiteralSegmentsOverParameters) {
  HttpRouter router;
  ASSERT_TRUE(router.Add("GET", "/hosts/{id}", [](HttpRequest&) { return Body("param"); }).ok());
  ASSERT_TRUE(
      router.Add("GET", "/hosts/search", [](HttpRequest&) { return Body("literal"); }).ok());
  ASSERT_TRUE(
      router.Add("GET", "/{kind}/search", [](HttpRequest&) { return Body("first-param"); }).ok());
  EXPECT_EQ(Dispatch(router, "GET", "/hosts/search").response.body, "literal");
  EXPECT_EQ(Dispatch(router, "GET", "/hosts/h1").response.body, "param");
  EXPECT_EQ(Dispatch(router, "GET", "/users/search").response.body, "first-param");
}

TEST(HttpRouterTest, Answers404ForUnknownPathsAnd405WithAllowForOtherMethods) {
  HttpRouter router;
  ASSERT_TRUE(router.Add("GET", "/things", [](HttpRequest&) { return Body("list"); }).ok());
  ASSERT_TRUE(router.Add("POST", "/things", [](HttpRequest&) { return Body("made"); }).ok());
  HttpResponse missing = Dispatch(router, "GET", "/nothing").response;
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(ErrorCode(missing), "E_NOT_FOUND");
  HttpResponse wrong = Dispatch(router, "DELETE", "/things").response;
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(ErrorCode(wrong), "E_METHOD_NOT_ALLOWED");
  EXPECT_EQ(wrong.headers.Get("Allow").value_or(""), "GET, HEAD, POST");
}

TEST(HttpRouterTest, ServesHeadWithTheGetHandlerUnlessHeadHasItsOwn) {
  HttpRouter router;
  ASSERT_TRUE(router.Add("GET", "/a", [](HttpRequest&) { return Body("get"); }).ok());
  ASSERT_TRUE(router.Add("GET", "/b", [](HttpRequest&) { return Body("get"); }).ok());
  ASSERT_TRUE(router.Add("HEAD", "/b", [](HttpRequest&) { return Body("head"); }).ok());
  EXPECT_EQ(Dispatch(router, "HEAD", "/a").response.body, "get");
  EXPECT_EQ(Dispatch(router, "HEAD", "/b").response.body, "head");
  EXPECT_EQ(Dispatch(router, "HEAD", "/c").response.status, 404);
}

TEST(HttpRouterTest, RejectsMalformedTemplatesAndDuplicateRoutes) {
  HttpRouter router;
  auto handler = [](HttpRequest&) { return Body(""); };
  EXPECT_FALSE(router.Add("GET", "hosts", handler).ok());
  EXPECT_FALSE(router.Add("GET", "", handler).ok());
  EXPECT_FALSE(router.Add("GET", "/hosts/{}", handler).ok());
  EXPECT_FALSE(router.Add("GET", "/hosts/{id-x}", handler).ok());
  EXPECT_FALSE(router.Add("GET", "/hosts/x{id}", handler).ok());
  EXPECT_FALSE(router.Add("GET", "/a/{id}/b/{id}", handler).ok());
  EXPECT_FALSE(router.Add("GET", "/a?b", handler).ok());
  EXPECT_FALSE(router.Add("BAD METHOD", "/a", handler).ok());
  EXPECT_FALSE(router.Add("GET", "/a", nullptr).ok());
  ASSERT_TRUE(router.Add("GET", "/hosts/{id}", handler).ok());
  Status duplicate = router.Add("GET", "/hosts/{host_id}", handler);
  EXPECT_FALSE(duplicate.ok());
  EXPECT_NE(duplicate.message().find("/hosts/{id}"), std::string::npos) << duplicate.message();
  EXPECT_TRUE(router.Add("DELETE", "/hosts/{id}", handler).ok());
}

TEST(HttpRouterTest, RunsTheBeforeHandlerFirstAndLetsItAnswerOrAnnotate) {
  HttpRouter router;
  ASSERT_TRUE(
      router
          .Add(
              "GET", "/private",
              [](HttpRequest& r) { return Body("hello " + std::any_cast<std::string>(r.context)); },
              RouteOptions{.access = "user"})
          .ok());
  ASSERT_TRUE(router
                  .Add(
                      "GET", "/public", [](HttpRequest&) { return Body("open"); },
                      RouteOptions{.access = "public"})
                  .ok());
  std::vector<std::string> seen;
  router.SetBeforeHandler(
      [&](HttpRequest& r, const RouteInfo& route) -> std::optional<HttpResponse> {
        seen.push_back(std::string(route.pattern) + ":" + std::string(route.access));
        if (route.access == "public") return std::nullopt;
        if (r.QueryParam("token") != "secret") {
          return ErrorResponse("E_UNAUTHENTICATED", "no token");
        }
        r.context = std::string("alice");
        return std::nullopt;
      });
  EXPECT_EQ(Dispatch(router, "GET", "/private").response.status, 401);
  EXPECT_EQ(Dispatch(router, "GET", "/private?token=secret").response.body, "hello alice");
  EXPECT_EQ(Dispatch(router, "GET", "/public").response.body, "open");
  EXPECT_EQ(seen, (std::vector<std::string>{"/private:user", "/private:user", "/public:public"}));
}

TEST(HttpRouterTest, FallbackServesPathsNoTemplateMatches) {
  HttpRouter router;
  ASSERT_TRUE(router.Add("POST", "/api/items", [](HttpRequest&) { return Body("api"); }).ok());
  router.SetFallback([](HttpRequest& r) { return Body("console:" + r.path); });
  EXPECT_EQ(Dispatch(router, "GET", "/hosts/1").response.body, "console:/hosts/1");
  // A known path with another method is still a 405, not the console.
  EXPECT_EQ(Dispatch(router, "GET", "/api/items").response.status, 405);
}

TEST(HttpRouterTest, PlansCarryTheRouteBodyLimitAndThread) {
  HttpRouter router;
  RouteOptions batch;
  batch.max_body_bytes = 8 << 20;
  RouteOptions poll;
  poll.run_inline = true;
  ASSERT_TRUE(router
                  .Add(
                      "POST", "/batch", [](HttpRequest&) { return Body(""); }, batch)
                  .ok());
  ASSERT_TRUE(router
                  .Add(
                      "GET", "/poll", [](HttpRequest&) { return Body(""); }, poll)
                  .ok());
  ASSERT_TRUE(router.Add("GET", "/plain", [](HttpRequest&) { return Body(""); }).ok());
  EXPECT_EQ(Dispatch(router, "POST", "/batch").plan.max_body_bytes, 8u << 20);
  EXPECT_FALSE(Dispatch(router, "POST", "/batch").plan.run_inline);
  EXPECT_TRUE(Dispatch(router, "GET", "/poll").plan.run_inline);
  EXPECT_EQ(Dispatch(router, "GET", "/plain").plan.max_body_bytes, kDefaultMaxBodyBytes);
}

TEST(HttpRouterTest, AnswersAThrowingHandlerWith500AndLogsIt) {
  HttpRouter router;
  std::string logged;
  router.SetErrorLog([&](std::string_view m) { logged = m; });
  ASSERT_TRUE(router
                  .Add("GET", "/boom",
                       [](HttpRequest&) -> HttpResponse { throw std::runtime_error("db down"); })
                  .ok());
  HttpResponse r = Dispatch(router, "GET", "/boom").response;
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body.find("db down"), std::string::npos);
  EXPECT_NE(logged.find("db down"), std::string::npos);
}

}  // namespace
}  // namespace warden::server

#include "server/console_site.h"

#include <gtest/gtest.h>

#include "testing/test_util.h"

namespace warden::server {
namespace {

using warden::testing::TempDir;

HttpRequest Get(const std::string& target) {
  HttpRequest request;
  request.method = "GET";
  EXPECT_TRUE(ParseRequestTarget(target, &request).ok()) << target;
  return request;
}

TEST(ConsoleSiteTest, ServesTheBuiltConsoleAndItsClientRoutes) {
  TempDir dir;
  dir.WriteFile("dist/index.html", "<html>console</html>");
  ConsoleSite site = ConsoleSite::Open(dir.path() + "/dist");
  ASSERT_TRUE(site.available()) << site.problem();
  EXPECT_EQ(site.Serve(Get("/")).body, "<html>console</html>");
  HttpResponse route = site.Serve(Get("/problems?status=open"));
  EXPECT_EQ(route.status, 200);
  EXPECT_EQ(route.body, "<html>console</html>");
}

TEST(ConsoleSiteTest, MissingDirectoryAnswersAPageSayingHowToBuildIt) {
  TempDir dir;
  ConsoleSite site = ConsoleSite::Open(dir.path() + "/no-such-dist");
  EXPECT_FALSE(site.available());
  EXPECT_NE(site.problem().find("no-such-dist"), std::string::npos);
  HttpResponse r = site.Serve(Get("/hosts"));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.headers.Get("Content-Type").value_or(""), "text/html; charset=utf-8");
  EXPECT_NE(r.body.find("make web"), std::string::npos);
  EXPECT_NE(r.body.find("console_dir"), std::string::npos);
  EXPECT_FALSE(r.headers.Get("Content-Security-Policy").value_or("").empty());
}

TEST(ConsoleSiteTest, ApiPathsGetJsonNotHtmlWhenTheConsoleIsMissing) {
  TempDir dir;
  ConsoleSite site = ConsoleSite::Open(dir.path() + "/missing");
  HttpResponse r = site.Serve(Get("/api/v1/no-such-thing"));
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find("E_NOT_FOUND"), std::string::npos);
}

TEST(ConsoleSiteTest, DirectoryNameInThePageIsEscaped) {
  TempDir dir;
  ConsoleSite site = ConsoleSite::Open(dir.path() + "/<script>x");
  HttpResponse r = site.Serve(Get("/"));
  EXPECT_EQ(r.body.find("<script>"), std::string::npos);
  EXPECT_NE(r.body.find("&lt;script&gt;x"), std::string::npos);
}

}  // namespace
}  // namespace warden::server

#include "server/static_files.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "server/http_router.h"
#include "server/http_server.h"
#include "server/http_test_client.h"
#include "testing/test_util.h"

namespace warden::server {
namespace {

using warden::testing::TempDir;

HttpRequest Get(const std::string& target, const std::string& method = "GET") {
  HttpRequest request;
  request.method = method;
  EXPECT_TRUE(ParseRequestTarget(target, &request).ok()) << target;
  return request;
}

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.WriteFile("console/index.html", "<html>console</html>");
    dir_.WriteFile("console/assets/app-3f2a9c1b.js", "console.log(1)");
    dir_.WriteFile("console/assets/style.css", "body{}");
    dir_.WriteFile("console/docs/index.html", "docs");
    dir_.WriteFile("console/.env", "SECRET=1");
    dir_.WriteFile("secret.txt", "TOP SECRET");
    ASSERT_EQ(::symlink((dir_.path() + "/secret.txt").c_str(),
                        (dir_.path() + "/console/link.txt").c_str()),
              0);
    ASSERT_EQ(::symlink(dir_.path().c_str(), (dir_.path() + "/console/up").c_str()), 0);
    Result<StaticFiles> files = StaticFiles::FromDirectory(dir_.path() + "/console");
    ASSERT_TRUE(files.ok()) << files.status().message();
    files_.emplace(*files);
  }

  TempDir dir_;
  std::optional<StaticFiles> files_;
};

TEST_F(StaticFilesTest, ServesIndexWithAStrictContentSecurityPolicy) {
  HttpResponse r = files_->Serve(Get("/"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "<html>console</html>");
  EXPECT_EQ(r.headers.Get("Content-Type").value_or(""), "text/html; charset=utf-8");
  EXPECT_EQ(r.headers.Get("Cache-Control").value_or(""), "no-cache");
  std::string csp(r.headers.Get("Content-Security-Policy").value_or(""));
  EXPECT_NE(csp.find("script-src 'self'"), std::string::npos);
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos);
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos);
  EXPECT_EQ(files_->Serve(Get("/docs/")).body, "docs");
}

TEST_F(StaticFilesTest, CachesHashedAssetsForAYearAndRevalidatesTheRest) {
  HttpResponse hashed = files_->Serve(Get("/assets/app-3f2a9c1b.js"));
  EXPECT_EQ(hashed.status, 200);
  EXPECT_EQ(hashed.headers.Get("Content-Type").value_or(""), "text/javascript; charset=utf-8");
  EXPECT_EQ(hashed.headers.Get("Cache-Control").value_or(""),
            "public, max-age=31536000, immutable");
  HttpResponse plain = files_->Serve(Get("/assets/style.css"));
  EXPECT_EQ(plain.headers.Get("Cache-Control").value_or(""), "no-cache");
  std::string etag(plain.headers.Get("ETag").value_or(""));
  ASSERT_FALSE(etag.empty());
  HttpRequest again = Get("/assets/style.css");
  again.headers.Set("If-None-Match", etag);
  HttpResponse not_modified = files_->Serve(again);
  EXPECT_EQ(not_modified.status, 304);
  EXPECT_TRUE(not_modified.body.empty());
}

TEST_F(StaticFilesTest, ServesIndexForClientSideRoutesOnly) {
  HttpResponse route = files_->Serve(Get("/hosts/web-1/problems"));
  EXPECT_EQ(route.status, 200);
  EXPECT_EQ(route.body, "<html>console</html>");
  EXPECT_EQ(route.headers.Get("Cache-Control").value_or(""), "no-cache");
  EXPECT_EQ(files_->Serve(Get("/assets/missing-1a2b3c4d.js")).status, 404);
  HttpResponse api = files_->Serve(Get("/api/v1/nothing"));
  EXPECT_EQ(api.status, 404);
  EXPECT_NE(api.body.find("E_NOT_FOUND"), std::string::npos);
}

TEST_F(StaticFilesTest, NeverLeavesTheRootOrShowsHiddenFiles) {
  for (std::string target : {"/../secret.txt", "/%2e%2e/secret.txt", "/assets/..%2f..%2fsecret.txt",
                             "/assets/%2e%2e/%2e%2e/secret.txt", "/assets/..%5c..%5csecret.txt",
                             "/.env", "/%2eenv", "//secret.txt", "/link.txt", "/up/secret.txt",
                             "/assets/./style.css", "/assets%2fstyle.css"}) {
    HttpResponse r = files_->Serve(Get(target));
    EXPECT_EQ(r.status, 404) << target;
    EXPECT_EQ(r.body.find("SECRET"), std::string::npos) << target;
  }
}

TEST_F(StaticFilesTest, AllowsOnlyGetAndHead) {
  EXPECT_EQ(files_->Serve(Get("/", "HEAD")).status, 200);
  HttpResponse post = files_->Serve(Get("/", "POST"));
  EXPECT_EQ(post.status, 405);
  EXPECT_EQ(post.headers.Get("Allow").value_or(""), "GET, HEAD");
}

TEST_F(StaticFilesTest, RefusesARootThatIsNotADirectory) {
  EXPECT_FALSE(StaticFiles::FromDirectory(dir_.path() + "/secret.txt").ok());
  EXPECT_FALSE(StaticFiles::FromDirectory(dir_.path() + "/missing").ok());
}

TEST_F(StaticFilesTest, ServesAnInMemoryMapTheSameWay) {
  StaticFiles files =
      StaticFiles::FromMap({{"index.html", "<p>embedded</p>"}, {"assets/app-9e8d7c6b.js", "x()"}});
  EXPECT_EQ(files.Serve(Get("/")).body, "<p>embedded</p>");
  EXPECT_EQ(files.Serve(Get("/settings")).body, "<p>embedded</p>");
  HttpResponse js = files.Serve(Get("/assets/app-9e8d7c6b.js"));
  EXPECT_EQ(js.body, "x()");
  EXPECT_EQ(js.headers.Get("Cache-Control").value_or(""), "public, max-age=31536000, immutable");
  EXPECT_EQ(files.Serve(Get("/assets/../index.html")).status, 404);
  HttpRequest cached = Get("/");
  cached.headers.Set("If-None-Match",
                     std::string(files.Serve(Get("/")).headers.Get("ETag").value()));
  EXPECT_EQ(files.Serve(cached).status, 304);
}

TEST(StaticFileNamesTest, RecognisesContentHashesAndTypes) {
  EXPECT_TRUE(IsHashedAssetName("app-3f2a9c1b.js"));
  EXPECT_TRUE(IsHashedAssetName("index.8e0b7a2c4d.css"));
  EXPECT_TRUE(IsHashedAssetName("chunk-Bd3k9QxZ.js"));
  EXPECT_FALSE(IsHashedAssetName("index.html"));
  EXPECT_FALSE(IsHashedAssetName("my-component.js"));  // no digit
  EXPECT_FALSE(IsHashedAssetName("app-12345678.js"));  // no letter
  EXPECT_FALSE(IsHashedAssetName("app-3f2a9c.js"));    // too short
  EXPECT_FALSE(IsHashedAssetName("3f2a9c1b7e.js"));    // no stem
  EXPECT_EQ(ContentTypeForFile("a.SVG"), "image/svg+xml");
  EXPECT_EQ(ContentTypeForFile("font.woff2"), "font/woff2");
  EXPECT_EQ(ContentTypeForFile("blob"), "application/octet-stream");
}

TEST_F(StaticFilesTest, KeepsTraversalOutThroughARealServer) {
  HttpRouter router;
  StaticFiles files = *files_;
  router.SetFallback([files](HttpRequest& r) { return files.Serve(r); });
  HttpServerOptions options;
  options.plaintext = true;
  Result<std::unique_ptr<HttpServer>> server = HttpServer::Start(options, &router);
  ASSERT_TRUE(server.ok());
  std::string base = "http://127.0.0.1:" + std::to_string((*server)->port());
  warden::testing::CurlClient client;
  for (std::string path : {"/../secret.txt", "/assets/../../secret.txt",
                           "/%2e%2e/%2e%2e/secret.txt", "/up/secret.txt"}) {
    warden::testing::ClientRequest request;
    request.url = base + path;
    request.path_as_is = true;
    warden::testing::ClientResponse r = client.Send(request);
    EXPECT_EQ(r.status, 404) << path;
    EXPECT_EQ(r.body.find("SECRET"), std::string::npos) << path;
  }
  warden::testing::ClientResponse index = client.Get(base + "/some/route");
  EXPECT_EQ(index.body, "<html>console</html>");
  EXPECT_NE(index.headers.Get("Content-Security-Policy").value_or(""), "");
  (*server)->Stop();
}

}  // namespace
}  // namespace warden::server

// End-to-end tests of HttpServer: a real server on 127.0.0.1 (port 0) and real
// clients, libcurl for well-behaved ones and raw sockets for the rest.
#include "server/http_server.h"

#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "server/http_json.h"
#include "server/http_router.h"
#include "server/http_test_client.h"
#include "server/tls_bootstrap.h"
#include "testing/test_util.h"

namespace warden::server {
namespace {

using namespace std::chrono_literals;
using warden::testing::ClientRequest;
using warden::testing::ClientResponse;
using warden::testing::ConnectTcp;
using warden::testing::CurlClient;
using warden::testing::Latch;
using warden::testing::ProcStatusBytes;
using warden::testing::ReadOneResponse;
using warden::testing::ReadUntilClose;
using warden::testing::SendAll;
using warden::testing::TempDir;
using warden::testing::WaitFor;

HttpResponse Text(std::string body, int status = 200) {
  HttpResponse response;
  response.status = status;
  response.headers.Set("Content-Type", "text/plain");
  response.body = std::move(body);
  return response;
}

// Memory figures mean nothing under AddressSanitizer (freed memory is held
// in quarantine, every allocation has redzones) or ThreadSanitizer (shadow
// memory and a history for every word touched); those tests skip there.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kUnderSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
constexpr bool kUnderSanitizer = true;
#else
constexpr bool kUnderSanitizer = false;
#endif
#else
constexpr bool kUnderSanitizer = false;
#endif

// The error envelope's code, or "" when the body is not one.
std::string ErrorCode(const std::string& body) {
  Json json = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object() || !json.contains("error") || !json["error"].is_object() ||
      !json["error"].contains("code")) {
    return "";
  }
  return json["error"]["code"].get<std::string>();
}

int ThreadCount() {
  int n = 0;
  for ([[maybe_unused]] const auto& entry :
       std::filesystem::directory_iterator("/proc/self/task")) {
    ++n;
  }
  return n;
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(router_.Add("GET", "/ping", [](HttpRequest&) { return Text("pong"); }).ok());
    ASSERT_TRUE(router_
                    .Add("POST", "/echo",
                         [](HttpRequest& r) { return Text(std::to_string(r.body.size())); })
                    .ok());
    RouteOptions small;
    small.max_body_bytes = 1024;
    ASSERT_TRUE(router_
                    .Add(
                        "POST", "/small",
                        [](HttpRequest& r) { return Text(std::to_string(r.body.size())); }, small)
                    .ok());
    RouteOptions batch;
    batch.max_body_bytes = 8 * 1024 * 1024;
    ASSERT_TRUE(router_
                    .Add(
                        "POST", "/batch",
                        [](HttpRequest& r) { return Text(std::to_string(r.body.size())); }, batch)
                    .ok());
  }

  void TearDown() override {
    if (server_) server_->Stop(0ms);
  }

  HttpServerOptions PlainOptions() {
    HttpServerOptions options;
    options.plaintext = true;
    options.error_log = [this](std::string_view message) {
      std::lock_guard<std::mutex> lock(log_mu_);
      errors_.emplace_back(message);
    };
    return options;
  }

  void Start(HttpServerOptions options) {
    Result<std::unique_ptr<HttpServer>> server = HttpServer::Start(std::move(options), &router_);
    ASSERT_TRUE(server.ok()) << server.status().message();
    server_ = std::move(server).value();
    ASSERT_NE(server_->port(), 0);
  }
  void StartPlain() { Start(PlainOptions()); }

  std::string Url(const std::string& path, const std::string& host = "127.0.0.1",
                  const std::string& scheme = "http") const {
    return scheme + "://" + host + ":" + std::to_string(server_->port()) + path;
  }

  // Sends raw bytes on a new connection and reads until the server closes it.
  std::string RawExchange(const std::string& bytes, std::chrono::milliseconds timeout = 20s) {
    int fd = ConnectTcp(server_->port());
    EXPECT_GE(fd, 0);
    SendAll(fd, bytes);
    bool timed_out = false;
    std::string out = ReadUntilClose(fd, timeout, &timed_out);
    EXPECT_FALSE(timed_out) << "the server did not close the connection";
    ::close(fd);
    return out;
  }

  HttpRouter router_;
  std::unique_ptr<HttpServer> server_;
  std::mutex log_mu_;
  std::vector<std::string> errors_;
};

TEST_F(ServerTest, ReportsThePortItBoundWhenAskedForPortZero) {
  StartPlain();
  CurlClient client;
  ClientResponse r = client.Get(Url("/ping"));
  ASSERT_EQ(r.code, CURLE_OK) << r.error;
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "pong");
}

TEST_F(ServerTest, RefusesToStartWithoutTlsUnlessPlaintextIsExplicit) {
  HttpServerOptions options;  // neither TLS files nor plaintext
  Result<std::unique_ptr<HttpServer>> server = HttpServer::Start(options, &router_);
  ASSERT_FALSE(server.ok());
  EXPECT_NE(server.status().message().find("plain HTTP must be asked for explicitly"),
            std::string::npos)
      << server.status().message();

  options.plaintext = true;
  options.tls_cert_chain_file = "/nonexistent.pem";
  options.tls_key_file = "/nonexistent.key";
  EXPECT_FALSE(HttpServer::Start(options, &router_).ok());
}

TEST_F(ServerTest, NamesTheAddressWhenThePortIsTaken) {
  StartPlain();
  HttpServerOptions options = PlainOptions();
  options.port = server_->port();
  options.address = "127.0.0.1";
  // SO_REUSEADDR does not allow two listeners on one port.
  Result<std::unique_ptr<HttpServer>> second = HttpServer::Start(options, &router_);
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.status().message().find("listen on 127.0.0.1:" + std::to_string(options.port)),
            std::string::npos)
      << second.status().message();
}

TEST_F(ServerTest, ReusesOneKeepAliveConnectionForManyRequests) {
  StartPlain();
  CurlClient client;
  long connections = 0;
  for (int i = 0; i < 5; ++i) {
    ClientResponse r = client.Get(Url("/ping"));
    ASSERT_EQ(r.code, CURLE_OK) << r.error;
    EXPECT_EQ(r.status, 200);
    connections += r.new_connections;
  }
  EXPECT_EQ(connections, 1);
  EXPECT_EQ(server_->stats().connections_accepted, 1u);
  EXPECT_EQ(server_->stats().requests, 5u);
}

TEST_F(ServerTest, AnswersPipelinedRequestsInOrder) {
  ASSERT_TRUE(router_
                  .Add("GET", "/slow",
                       [](HttpRequest&) {
                         std::this_thread::sleep_for(20ms);  // finishes after /ping would
                         return Text("slow");
                       })
                  .ok());
  StartPlain();
  int fd = ConnectTcp(server_->port());
  ASSERT_GE(fd, 0);
  SendAll(fd,
          "GET /slow HTTP/1.1\r\nHost: a\r\n\r\nGET /ping HTTP/1.1\r\nHost: a\r\n\r\n"
          "GET /ping HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
  std::string pending;
  std::string first = ReadOneResponse(fd, &pending);
  std::string second = ReadOneResponse(fd, &pending);
  std::string third = ReadOneResponse(fd, &pending);
  ::close(fd);
  EXPECT_NE(first.find("\r\n\r\nslow"), std::string::npos) << first;
  EXPECT_NE(second.find("\r\n\r\npong"), std::string::npos) << second;
  EXPECT_NE(third.find("Connection: close"), std::string::npos) << third;
}

TEST_F(ServerTest, RejectsBodyOverTheRouteLimitWith413) {
  StartPlain();
  CurlClient client;
  ClientRequest request;
  request.method = "POST";
  request.url = Url("/small");
  request.body = std::string(2048, 'x');
  ClientResponse r = client.Send(request);
  ASSERT_EQ(r.code, CURLE_OK) << r.error;
  EXPECT_EQ(r.status, 413);
  EXPECT_NE(r.body.find("E_PAYLOAD_TOO_LARGE"), std::string::npos) << r.body;

  request.body = std::string(1024, 'x');
  EXPECT_EQ(client.Send(request).status, 200);

  // The default limit is 1 MiB; the batch route takes 8 MiB.
  request.url = Url("/echo");
  request.body = std::string(kDefaultMaxBodyBytes + 1, 'x');
  EXPECT_EQ(client.Send(request).status, 413);
  request.url = Url("/batch");
  request.body = std::string(5 * 1024 * 1024, 'x');
  r = client.Send(request);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, std::to_string(5 * 1024 * 1024));
}

TEST_F(ServerTest, RejectsChunkedBodyOverTheLimitWhileReadingIt) {
  StartPlain();
  std::string chunk(600, 'x');
  std::string out = RawExchange(
      "POST /small HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
      "258\r\n" +
      chunk + "\r\n258\r\n" + chunk + "\r\n0\r\n\r\n");
  EXPECT_EQ(out.substr(0, 12), "HTTP/1.1 413") << out;
}

TEST_F(ServerTest, AnswersExpectContinueBeforeReadingTheBody) {
  StartPlain();
  int fd = ConnectTcp(server_->port());
  ASSERT_GE(fd, 0);
  SendAll(fd,
          "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
  std::string pending;
  std::string interim = ReadOneResponse(fd, &pending);
  EXPECT_EQ(interim, "HTTP/1.1 100 Continue\r\n\r\n");
  SendAll(fd, "hello");
  std::string final_response = ReadOneResponse(fd, &pending);
  EXPECT_EQ(final_response.substr(0, 12), "HTTP/1.1 200") << final_response;
  EXPECT_EQ(final_response.substr(final_response.size() - 1), "5");
  ::close(fd);
  // Too large: 413 at once, without waiting for a body that will not come.
  std::string out = RawExchange(
      "POST /small HTTP/1.1\r\nHost: a\r\nContent-Length: 5000\r\nExpect: 100-continue\r\n\r\n");
  EXPECT_EQ(out.substr(0, 12), "HTTP/1.1 413") << out;
}

TEST_F(ServerTest, AnswersWith503WhenTheWorkerQueueIsFull) {
  Latch entered;
  Latch release;
  ASSERT_TRUE(router_
                  .Add("GET", "/block",
                       [&](HttpRequest&) {
                         entered.Open();
                         release.Wait();
                         return Text("released");
                       })
                  .ok());
  HttpServerOptions options = PlainOptions();
  options.worker_threads = 1;
  options.max_queued_requests = 1;
  Start(options);
  std::vector<std::thread> clients;
  std::atomic<int> ok{0};
  clients.emplace_back([&] {
    CurlClient c;
    if (c.Get(Url("/block")).status == 200) ok++;
  });
  ASSERT_TRUE(entered.Wait());
  clients.emplace_back([&] {  // waits in the queue
    CurlClient c;
    if (c.Get(Url("/ping")).status == 200) ok++;
  });
  ASSERT_TRUE(WaitFor(
      "one queued request", [&] { return server_->stats().queued_requests == 1; }, 20s));
  CurlClient client;
  ClientResponse r = client.Get(Url("/ping"));
  EXPECT_EQ(r.status, 503) << r.error;
  EXPECT_EQ(ErrorCode(r.body), "E_OVERLOADED");
  release.Open();
  for (auto& t : clients) t.join();
  EXPECT_EQ(ok.load(), 2);
}

TEST_F(ServerTest, ReportsEachResponseToTheAccessLog) {
  std::mutex mu;
  std::vector<std::string> lines;
  HttpServerOptions options = PlainOptions();
  options.access_log = [&](const HttpAccessLogEntry& e) {
    std::lock_guard<std::mutex> lock(mu);
    lines.push_back(std::string(e.method) + " " + std::string(e.target) + " " +
                    std::to_string(e.status) + " " + std::to_string(e.body_bytes) + " " +
                    std::string(e.peer_address) + " " + std::string(e.request_id));
  };
  Start(options);
  CurlClient client;
  ClientRequest request;
  request.url = Url("/ping?x=1");
  request.headers = {"X-Request-Id: trace-7"};
  ASSERT_EQ(client.Send(request).status, 200);
  ASSERT_EQ(client.Get(Url("/missing")).status, 404);
  ASSERT_TRUE(WaitFor(
      "two access log lines",
      [&] {
        std::lock_guard<std::mutex> lock(mu);
        return lines.size() == 2;
      },
      20s));
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_EQ(lines[0], "GET /ping?x=1 200 4 127.0.0.1 trace-7");
  EXPECT_EQ(lines[1].substr(0, 17), "GET /missing 404 ");
}

TEST_F(ServerTest, ListensOnIpv6AndRejectsAddressesThatAreNotIps) {
  HttpServerOptions options = PlainOptions();
  options.address = "localhost";
  Result<std::unique_ptr<HttpServer>> bad = HttpServer::Start(options, &router_);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("'localhost' is not an IP address"), std::string::npos);
  options.address = "::1";
  Result<std::unique_ptr<HttpServer>> v6 = HttpServer::Start(options, &router_);
  if (!v6.ok()) GTEST_SKIP() << "no IPv6 loopback here: " << v6.status().message();
  CurlClient client;
  ClientResponse r = client.Get("http://[::1]:" + std::to_string((*v6)->port()) + "/ping");
  EXPECT_EQ(r.status, 200) << r.error;
}

TEST_F(ServerTest, RejectsHeaderOverTheLimitWith431) {
  StartPlain();
  std::string out = RawExchange(
      "GET /ping HTTP/1.1\r\nHost: a\r\nX-Big: " + std::string(10000, 'y') + "\r\n\r\n");
  EXPECT_EQ(out.substr(0, 12), "HTTP/1.1 431") << out.substr(0, 200);
  EXPECT_NE(out.find("E_HEADERS_TOO_LARGE"), std::string::npos);
}

TEST_F(ServerTest, AnswersMalformedRequestWith400AndClosesTheConnection) {
  StartPlain();
  for (const std::string& bad :
       {std::string("GARBAGE\r\n\r\n"), std::string("GET /ping HTTP/9.9\r\nHost: a\r\n\r\n"),
        std::string("GET /ping HTTP/1.1\r\n\r\n"),  // no Host
        std::string("GET ping HTTP/1.1\r\nHost: a\r\n\r\n"),
        std::string("GET /a%zz HTTP/1.1\r\nHost: a\r\n\r\n"),
        std::string("GET /ping HTTP/1.1\r\nHost: a\r\nBad Header: x\r\n\r\n"),
        std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", 15)}) {
    std::string out = RawExchange(bad);
    EXPECT_EQ(out.substr(0, 12), "HTTP/1.1 400") << "for " << bad << ":\n" << out;
    EXPECT_NE(out.find("Connection: close"), std::string::npos) << out;
  }
  // The server is still there.
  CurlClient client;
  EXPECT_EQ(client.Get(Url("/ping")).status, 200);
}

TEST_F(ServerTest, RejectsAmbiguousBodyFramingThatSmugglingRelieson) {
  StartPlain();
  for (const std::string& bad : {
           std::string("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n"
                       "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
           std::string("POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
                       "0\r\n\r\n"),
           std::string("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n"
                       "Content-Length: 4\r\n\r\nabcd"),
           std::string("POST /echo HTTP/1.1\r\nHost: a\r\nHost: b\r\nContent-Length: 1\r\n\r\na"),
       }) {
    std::string out = RawExchange(bad);
    EXPECT_EQ(out.substr(0, 12), "HTTP/1.1 400") << "for " << bad << ":\n" << out;
  }
}

TEST_F(ServerTest, TimesOutAClientThatSendsHalfARequest) {
  HttpServerOptions options = PlainOptions();
  options.request_timeout = 300ms;
  Start(options);
  auto start = std::chrono::steady_clock::now();
  std::string out = RawExchange("GET /ping HTTP/1.1\r\nHost: a\r\n");
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(out.substr(0, 12), "HTTP/1.1 408") << out;
  EXPECT_GE(elapsed, 290ms);
}

TEST_F(ServerTest, TimesOutAClientThatDripsItsRequestByteByByte) {
  HttpServerOptions options = PlainOptions();
  options.request_timeout = 400ms;
  Start(options);
  int fd = ConnectTcp(server_->port());
  ASSERT_GE(fd, 0);
  std::string request =
      "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n" + std::string(100, 'x');
  // Every byte arrives well within any per-read timeout, but the whole
  // request would take 5 s.
  auto start = std::chrono::steady_clock::now();
  size_t sent = 0;
  for (; sent < request.size(); ++sent) {
    if (!SendAll(fd, request.substr(sent, 1))) break;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 30) > 0) break;  // the server answered (and will close)
  }
  std::string out = ReadUntilClose(fd, 10s);
  ::close(fd);
  EXPECT_LT(sent, request.size());
  EXPECT_EQ(out.substr(0, 12), "HTTP/1.1 408") << out;
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
}

TEST_F(ServerTest, ClosesIdleKeepAliveConnectionsAfterTheIdleTimeout) {
  HttpServerOptions options = PlainOptions();
  options.idle_timeout = 250ms;
  Start(options);
  int fd = ConnectTcp(server_->port());
  ASSERT_GE(fd, 0);
  SendAll(fd, "GET /ping HTTP/1.1\r\nHost: a\r\n\r\n");
  std::string pending;
  ASSERT_FALSE(ReadOneResponse(fd, &pending).empty());
  auto start = std::chrono::steady_clock::now();
  bool timed_out = false;
  std::string rest = ReadUntilClose(fd, 10s, &timed_out);
  ::close(fd);
  EXPECT_FALSE(timed_out);
  EXPECT_EQ(rest, "");
  EXPECT_GE(std::chrono::steady_clock::now() - start, 200ms);
  EXPECT_TRUE(WaitFor(
      "no open connections", [&] { return server_->stats().open_connections == 0; }, 20s));
}

TEST_F(ServerTest, AnswersNotFoundAndMethodNotAllowedWithTheErrorEnvelope) {
  StartPlain();
  CurlClient client;
  ClientResponse r = client.Get(Url("/nothing/here"));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.headers.Get("Content-Type").value_or(""), "application/json");
  EXPECT_EQ(ErrorCode(r.body), "E_NOT_FOUND");

  ClientRequest request;
  request.method = "DELETE";
  request.url = Url("/ping");
  r = client.Send(request);
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.headers.Get("Allow").value_or(""), "GET, HEAD");
  EXPECT_EQ(ErrorCode(r.body), "E_METHOD_NOT_ALLOWED");
}

TEST_F(ServerTest, HeadGetsTheGetHeadersWithoutTheBody) {
  ASSERT_TRUE(
      router_.Add("GET", "/doc", [](HttpRequest&) { return Text(std::string(1234, 'd')); }).ok());
  StartPlain();
  int fd = ConnectTcp(server_->port());
  ASSERT_GE(fd, 0);
  // HEAD then GET on one connection: if the HEAD response carried a body,
  // the second response would be misread.
  SendAll(fd, "HEAD /doc HTTP/1.1\r\nHost: a\r\n\r\nGET /ping HTTP/1.1\r\nHost: a\r\n\r\n");
  std::string pending;
  std::string head = ReadOneResponse(fd, &pending, /*head_request=*/true);
  std::string get = ReadOneResponse(fd, &pending);
  ::close(fd);
  EXPECT_EQ(head.substr(0, 12), "HTTP/1.1 200") << head;
  EXPECT_NE(head.find("Content-Length: 1234"), std::string::npos) << head;
  EXPECT_EQ(head.substr(head.size() - 4), "\r\n\r\n");
  EXPECT_EQ(get.substr(get.size() - 4), "pong") << get;
}

TEST_F(ServerTest, EveryResponseCarriesTheSecurityHeadersAndARequestId) {
  StartPlain();
  CurlClient client;
  for (const std::string& path : {std::string("/ping"), std::string("/missing")}) {
    ClientResponse r = client.Get(Url(path));
    EXPECT_EQ(r.headers.Get("X-Content-Type-Options").value_or(""), "nosniff");
    EXPECT_EQ(r.headers.Get("Referrer-Policy").value_or(""), "no-referrer");
    EXPECT_EQ(r.headers.Get("Cache-Control").value_or(""), "no-store");
    EXPECT_TRUE(r.headers.Has("Date"));
    EXPECT_FALSE(r.headers.Has("Strict-Transport-Security"));  // not on plain HTTP
    EXPECT_GE(r.headers.Get("X-Request-Id").value_or("").size(), 16u);
  }
  // Even the server's own 400.
  std::string out = RawExchange("BROKEN\r\n\r\n");
  EXPECT_NE(out.find("X-Content-Type-Options: nosniff"), std::string::npos) << out;
  EXPECT_NE(out.find("X-Request-Id: "), std::string::npos) << out;
}

TEST_F(ServerTest, KeepsAWellFormedClientRequestIdAndReplacesOthers) {
  std::string seen;
  ASSERT_TRUE(router_
                  .Add("GET", "/id",
                       [&](HttpRequest& r) {
                         seen = r.id;
                         return Text("");
                       })
                  .ok());
  StartPlain();
  CurlClient client;
  ClientRequest request;
  request.url = Url("/id");
  request.headers = {"X-Request-Id: lb-1234.abc"};
  ClientResponse r = client.Send(request);
  EXPECT_EQ(r.headers.Get("X-Request-Id").value_or(""), "lb-1234.abc");
  EXPECT_EQ(seen, "lb-1234.abc");
  request.headers = {"X-Request-Id: <script>"};
  r = client.Send(request);
  EXPECT_NE(r.headers.Get("X-Request-Id").value_or(""), "<script>");
  EXPECT_EQ(r.headers.Get("X-Request-Id").value_or(""), seen);
}

TEST_F(ServerTest, DecodesPathAndQueryForHandlers) {
  HttpRequest seen;
  ASSERT_TRUE(router_
                  .Add("GET", "/hosts/{id}/problems",
                       [&](HttpRequest& r) {
                         seen = r;
                         return Text("");
                       })
                  .ok());
  StartPlain();
  CurlClient client;
  ClientRequest request;
  request.url = Url("/hosts/web%2F1/problems?state=open&state=closed&q=a+b%26c&empty");
  request.headers = {"X-Custom: One"};
  ASSERT_EQ(client.Send(request).status, 200);
  EXPECT_EQ(seen.PathParam("id"), "web/1");
  EXPECT_EQ(seen.path, "/hosts/web/1/problems");
  EXPECT_EQ(seen.target, "/hosts/web%2F1/problems?state=open&state=closed&q=a+b%26c&empty");
  ASSERT_EQ(seen.QueryParams("state").size(), 2u);
  EXPECT_EQ(seen.QueryParams("state")[1], "closed");
  EXPECT_EQ(seen.QueryParam("q").value_or(""), "a b&c");
  EXPECT_EQ(seen.QueryParam("empty").value_or("x"), "");
  EXPECT_EQ(seen.headers.Get("x-custom").value_or(""), "One");
  EXPECT_EQ(seen.peer_address, "127.0.0.1");
  EXPECT_FALSE(seen.tls);
}

TEST_F(ServerTest, ServesOtherRequestsWhileOneHandlerBlocks) {
  Latch entered;
  Latch release;
  ASSERT_TRUE(router_
                  .Add("GET", "/block",
                       [&](HttpRequest&) {
                         entered.Open();
                         release.Wait();
                         return Text("released");
                       })
                  .ok());
  HttpServerOptions options = PlainOptions();
  options.worker_threads = 4;
  Start(options);
  std::thread blocked([&] {
    CurlClient client;
    ClientResponse r = client.Get(Url("/block"));
    EXPECT_EQ(r.body, "released");
  });
  ASSERT_TRUE(entered.Wait());
  std::vector<std::thread> others;
  std::atomic<int> served{0};
  for (int i = 0; i < 8; ++i) {
    others.emplace_back([&] {
      CurlClient client;
      for (int j = 0; j < 5; ++j) {
        if (client.Get(Url("/ping")).status == 200) served++;
      }
    });
  }
  for (auto& t : others) t.join();
  EXPECT_EQ(served.load(), 40);
  EXPECT_FALSE(release.IsOpen());  // all of that happened while /block was held
  release.Open();
  blocked.join();
}

TEST_F(ServerTest, AnswersALongPollLaterFromAnotherThread) {
  std::mutex mu;
  std::optional<HttpResponder> held;
  Latch registered;
  RouteOptions inline_route;
  inline_route.run_inline = true;
  ASSERT_TRUE(router_
                  .AddAsync(
                      "GET", "/poll",
                      [&](HttpRequest&, HttpResponder responder) {
                        std::lock_guard<std::mutex> lock(mu);
                        held = std::move(responder);
                        registered.Open();
                      },
                      inline_route)
                  .ok());
  StartPlain();
  std::thread client_thread([&] {
    CurlClient client;
    ClientResponse r = client.Get(Url("/poll"));
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "nudge");
  });
  ASSERT_TRUE(registered.Wait());
  // The connection stays open while nothing answers; other clients are
  // served meanwhile.
  CurlClient other;
  EXPECT_EQ(other.Get(Url("/ping")).status, 200);
  std::thread answer([&] {
    std::lock_guard<std::mutex> lock(mu);
    EXPECT_TRUE(held->IsOpen());
    EXPECT_TRUE(held->Send(Text("nudge")));
    EXPECT_FALSE(held->Send(Text("twice")));
  });
  answer.join();
  client_thread.join();
}

TEST_F(ServerTest, ALongPollWhoseClientLeftIsReleasedAndItsSendIsANoOp) {
  std::mutex mu;
  std::optional<HttpResponder> held;
  Latch registered;
  Latch gone;
  RouteOptions inline_route;
  inline_route.run_inline = true;
  ASSERT_TRUE(router_
                  .AddAsync(
                      "GET", "/poll",
                      [&](HttpRequest&, HttpResponder responder) {
                        responder.OnClientGone([&] { gone.Open(); });
                        std::lock_guard<std::mutex> lock(mu);
                        held = std::move(responder);
                        registered.Open();
                      },
                      inline_route)
                  .ok());
  StartPlain();
  int fd = ConnectTcp(server_->port());
  ASSERT_GE(fd, 0);
  SendAll(fd, "GET /poll HTTP/1.1\r\nHost: a\r\n\r\n");
  ASSERT_TRUE(registered.Wait());
  ::close(fd);
  ASSERT_TRUE(gone.Wait());
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_FALSE(held->IsOpen());
  EXPECT_FALSE(held->Send(Text("too late")));
  EXPECT_TRUE(WaitFor(
      "no open connections", [&] { return server_->stats().open_connections == 0; }, 20s));
  // Registering after the client left runs the callback at once.
  bool ran = false;
  held->OnClientGone([&] { ran = true; });
  EXPECT_TRUE(ran);
}

TEST_F(ServerTest, AnswersForAHandlerThatMissesTheResponseTimeout) {
  std::optional<HttpResponder> held;
  std::mutex mu;
  ASSERT_TRUE(router_
                  .AddAsync("GET", "/never",
                            [&](HttpRequest&, HttpResponder responder) {
                              std::lock_guard<std::mutex> lock(mu);
                              held = std::move(responder);
                            })
                  .ok());
  HttpServerOptions options = PlainOptions();
  options.response_timeout = 200ms;
  Start(options);
  CurlClient client;
  ClientResponse r = client.Get(Url("/never"));
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(ErrorCode(r.body), "E_TIMEOUT");
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_FALSE(held->Send(Text("late")));
  // The connection is still usable.
  EXPECT_EQ(client.Get(Url("/ping")).new_connections, 0);
}

// A feed upload may take minutes to arrive and to import: its route's own
// timeout replaces the request timeout for the body and the response
// timeout for the answer; other routes keep the server's.
TEST_F(ServerTest, ASlowRouteHasItsOwnTimeoutForItsBodyAndItsAnswer) {
  RouteOptions slow;
  slow.slow_timeout = 10s;
  std::vector<std::thread> answerers;
  ASSERT_TRUE(router_
                  .AddAsync(
                      "POST", "/upload",
                      [&](HttpRequest& r, const HttpResponder& responder) {
                        // Answers after the server's response timeout: what is tested.
                        answerers.emplace_back([responder, n = r.body.size()]() mutable {
                          std::this_thread::sleep_for(400ms);
                          responder.Send(Text(std::to_string(n)));
                        });
                      },
                      slow)
                  .ok());
  HttpServerOptions options = PlainOptions();
  options.request_timeout = 300ms;
  options.response_timeout = 200ms;
  Start(options);
  // The body comes after the request timeout has passed.
  auto send_slowly = [&](const std::string& path) {
    int fd = ConnectTcp(server_->port());
    EXPECT_GE(fd, 0);
    SendAll(fd, "POST " + path +
                    " HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n"
                    "Connection: close\r\n\r\n");
    std::this_thread::sleep_for(500ms);  // longer than the request timeout: what is tested
    SendAll(fd, "data");
    bool timed_out = false;
    std::string out = ReadUntilClose(fd, 20s, &timed_out);
    ::close(fd);
    return out;
  };
  const std::string uploaded = send_slowly("/upload");
  EXPECT_EQ(uploaded.rfind("HTTP/1.1 200", 0), 0u) << uploaded;
  EXPECT_NE(uploaded.find("\r\n\r\n4"), std::string::npos) << uploaded;
  const std::string echoed = send_slowly("/echo");
  EXPECT_EQ(echoed.rfind("HTTP/1.1 408", 0), 0u) << echoed;
  for (std::thread& t : answerers) t.join();
}

TEST_F(ServerTest, AnswersForAHandlerThatDropsItsResponderOrThrows) {
  // Taking the responder by value and dropping it is what is tested.
  // NOLINTNEXTLINE(performance-unnecessary-value-param)
  ASSERT_TRUE(router_.AddAsync("GET", "/drop", [](HttpRequest&, HttpResponder) {}).ok());
  ASSERT_TRUE(router_
                  .Add("GET", "/throw",
                       [](HttpRequest&) -> HttpResponse { throw std::runtime_error("boom"); })
                  .ok());
  StartPlain();
  CurlClient client;
  ClientResponse r = client.Get(Url("/drop"));
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(ErrorCode(r.body), "E_NO_RESPONSE");
  r = client.Get(Url("/throw"));
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(ErrorCode(r.body), "E_INTERNAL");
  EXPECT_EQ(r.body.find("boom"), std::string::npos);  // internals stay in the log
}

TEST_F(ServerTest, TurnsAResponseWithAnInjectedHeaderIntoA500) {
  ASSERT_TRUE(router_
                  .Add("GET", "/inject",
                       [](HttpRequest&) {
                         HttpResponse r = Text("x");
                         r.headers.Set("X-Evil", "a\r\nSet-Cookie: stolen=1");
                         return r;
                       })
                  .ok());
  StartPlain();
  CurlClient client;
  ClientResponse r = client.Get(Url("/inject"));
  EXPECT_EQ(r.status, 500);
  EXPECT_FALSE(r.headers.Has("Set-Cookie"));
  std::lock_guard<std::mutex> lock(log_mu_);
  ASSERT_FALSE(errors_.empty());
  EXPECT_NE(errors_.back().find("X-Evil"), std::string::npos) << errors_.back();
}

TEST_F(ServerTest, RefusesConnectionsBeyondTheLimitWith503) {
  HttpServerOptions options = PlainOptions();
  options.max_connections = 2;
  Start(options);
  int a = ConnectTcp(server_->port());
  int b = ConnectTcp(server_->port());
  ASSERT_TRUE(WaitFor(
      "two open connections", [&] { return server_->stats().open_connections == 2; }, 20s));
  std::string out = RawExchange("GET /ping HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_EQ(out.substr(0, 12), "HTTP/1.1 503") << out;
  EXPECT_NE(out.find("Retry-After: 5"), std::string::npos);
  EXPECT_NE(out.find("E_OVERLOADED"), std::string::npos);
  EXPECT_EQ(server_->stats().connections_refused, 1u);
  ::close(a);
  ASSERT_TRUE(WaitFor(
      "one open connection", [&] { return server_->stats().open_connections == 1; }, 20s));
  CurlClient client;
  EXPECT_EQ(client.Get(Url("/ping")).status, 200);
  ::close(b);
}

TEST_F(ServerTest, StopFinishesTheRequestInFlightAndClosesIdleConnections) {
  Latch entered;
  Latch release;
  ASSERT_TRUE(router_
                  .Add("GET", "/work",
                       [&](HttpRequest&) {
                         entered.Open();
                         release.Wait();
                         return Text("done");
                       })
                  .ok());
  StartPlain();
  int idle = ConnectTcp(server_->port());
  SendAll(idle, "GET /ping HTTP/1.1\r\nHost: a\r\n\r\n");
  std::string pending;
  ASSERT_FALSE(ReadOneResponse(idle, &pending).empty());
  std::thread client_thread([&] {
    CurlClient client;
    ClientResponse r = client.Get(Url("/work"));
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "done");
    EXPECT_EQ(r.headers.Get("Connection").value_or(""), "close");
  });
  ASSERT_TRUE(entered.Wait());
  uint16_t port = server_->port();
  std::thread stopper([&] { server_->Stop(10s); });
  // The idle connection is closed at once.
  bool timed_out = false;
  EXPECT_EQ(ReadUntilClose(idle, 10s, &timed_out), "");
  EXPECT_FALSE(timed_out);
  ::close(idle);
  release.Open();
  stopper.join();
  client_thread.join();
  EXPECT_EQ(ConnectTcp(port), -1);
}

TEST_F(ServerTest, StopClosesHeldLongPollsAfterTheGracePeriod) {
  std::optional<HttpResponder> held;
  std::mutex mu;
  Latch registered;
  ASSERT_TRUE(router_
                  .AddAsync("GET", "/poll",
                            [&](HttpRequest&, HttpResponder responder) {
                              std::lock_guard<std::mutex> lock(mu);
                              held = std::move(responder);
                              registered.Open();
                            })
                  .ok());
  StartPlain();
  int fd = ConnectTcp(server_->port());
  SendAll(fd, "GET /poll HTTP/1.1\r\nHost: a\r\n\r\n");
  ASSERT_TRUE(registered.Wait());
  server_->Stop(100ms);
  EXPECT_EQ(ReadUntilClose(fd, 10s), "");
  ::close(fd);
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_FALSE(held->Send(Text("after stop")));
  EXPECT_FALSE(held->IsOpen());
}

// --- streaming ---

TEST_F(ServerTest, Streams100MBWithBoundedServerMemory) {
  constexpr size_t kTotal = 100 * 1024 * 1024;
  constexpr size_t kChunk = 64 * 1024;
  Status writer_status;
  Latch writer_done;
  ASSERT_TRUE(router_
                  .AddAsync("GET", "/export",
                            [&](HttpRequest&, const HttpResponder& responder) {
                              HttpResponse head;
                              head.headers.Set("Content-Type", "application/x-ndjson");
                              Result<HttpStreamWriter> writer = responder.StartStream(head);
                              ASSERT_TRUE(writer.ok());
                              std::string chunk(kChunk, 'e');
                              for (size_t sent = 0; sent < kTotal; sent += kChunk) {
                                Status st = writer->Write(chunk);
                                if (!st.ok()) {
                                  writer_status = st;
                                  writer_done.Open();
                                  return;
                                }
                              }
                              writer_status = writer->Finish();
                              writer_done.Open();
                            })
                  .ok());
  StartPlain();
  {  // warm up allocator arenas and curl
    CurlClient warm;
    ASSERT_EQ(warm.Get(Url("/ping")).status, 200);
  }
  std::ofstream("/proc/self/clear_refs") << "5";  // reset VmHWM to the current RSS
  long baseline = ProcStatusBytes("VmRSS");
  size_t received = 0;
  CurlClient client;
  ClientRequest request;
  request.url = Url("/export");
  request.timeout_ms = 120000;
  request.on_body = [&](std::string_view piece) {
    received += piece.size();
    return true;
  };
  ClientResponse r = client.Send(request);
  ASSERT_EQ(r.code, CURLE_OK) << r.error;
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(received, kTotal);
  EXPECT_EQ(r.headers.Get("Transfer-Encoding").value_or(""), "chunked");
  ASSERT_TRUE(writer_done.Wait());
  EXPECT_TRUE(writer_status.ok()) << writer_status.message();
  long peak_growth = ProcStatusBytes("VmHWM") - baseline;
  std::cout << "streaming 100 MB: peak RSS growth " << peak_growth / 1024 << " KB\n";
  if (!kUnderSanitizer) {
    EXPECT_LT(peak_growth, 16L * 1024 * 1024);
  }
  // The connection is kept alive after the last chunk.
  EXPECT_EQ(client.Get(Url("/ping")).new_connections, 0);
}

TEST_F(ServerTest, StreamWriterBlocksWhileTheClientDoesNotReadAndFailsWhenItLeaves) {
  std::atomic<size_t> written{0};
  std::optional<Status> result;
  std::mutex mu;
  Latch finished;
  ASSERT_TRUE(router_
                  .AddAsync("GET", "/export",
                            [&](HttpRequest&, const HttpResponder& responder) {
                              Result<HttpStreamWriter> writer = responder.StartStream({});
                              ASSERT_TRUE(writer.ok());
                              std::string chunk(64 * 1024, 'e');
                              Status st;
                              while (written < (200u << 20) && (st = writer->Write(chunk)).ok()) {
                                written += chunk.size();
                              }
                              std::lock_guard<std::mutex> lock(mu);
                              result = st;
                              finished.Open();
                            })
                  .ok());
  HttpServerOptions options = PlainOptions();
  options.write_timeout = 60s;
  Start(options);
  int fd = ConnectTcp(server_->port());
  int small = 4096;
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
  SendAll(fd, "GET /export HTTP/1.1\r\nHost: a\r\n\r\n");
  // The producer gets some data out (socket buffers), then Write blocks:
  // without back-pressure it would be through its 200 MB in well under a
  // second (100 MB streams in ~0.1 s here).
  ASSERT_TRUE(WaitFor(
      "256 KiB written", [&] { return written > 256 * 1024; }, 20s));
  EXPECT_FALSE(finished.Wait(1500ms)) << "Write did not wait for the client";
  EXPECT_LT(written.load(), 64u << 20);
  ::close(fd);
  ASSERT_TRUE(finished.Wait());
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_FALSE(result->ok());
}

TEST_F(ServerTest, StreamWriterFailsAfterTheWriteTimeoutWhenTheClientNeverReads) {
  std::optional<Status> result;
  std::mutex mu;
  Latch finished;
  ASSERT_TRUE(router_
                  .AddAsync("GET", "/export",
                            [&](HttpRequest&, const HttpResponder& responder) {
                              Result<HttpStreamWriter> writer = responder.StartStream({});
                              std::string chunk(256 * 1024, 'e');
                              Status st;
                              for (int i = 0; i < 4000 && (st = writer->Write(chunk)).ok(); ++i) {
                              }
                              std::lock_guard<std::mutex> lock(mu);
                              result = st;
                              finished.Open();
                            })
                  .ok());
  HttpServerOptions options = PlainOptions();
  options.write_timeout = 300ms;
  Start(options);
  int fd = ConnectTcp(server_->port());
  SendAll(fd, "GET /export HTTP/1.1\r\nHost: a\r\n\r\n");
  ASSERT_TRUE(finished.Wait());
  ::close(fd);
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_FALSE(result->ok());
}

TEST_F(ServerTest, StreamsServerSentEventsAsTheyAreWritten) {
  Latch first_seen;
  ASSERT_TRUE(router_
                  .AddAsync("GET", "/events",
                            [&](HttpRequest&, const HttpResponder& responder) {
                              HttpResponse head;
                              head.headers.Set("Content-Type", "text/event-stream");
                              Result<HttpStreamWriter> writer = responder.StartStream(head);
                              ASSERT_TRUE(writer.ok());
                              ASSERT_TRUE(writer->Write("data: one\n\n").ok());
                              // The second event is written only after the
                              // client has seen the first: nothing is held
                              // back in a buffer.
                              ASSERT_TRUE(first_seen.Wait());
                              ASSERT_TRUE(writer->Write("data: two\n\n").ok());
                              Status finished = writer->Finish();
                              EXPECT_TRUE(finished.ok()) << finished.message();
                            })
                  .ok());
  StartPlain();
  CurlClient client;
  ClientRequest request;
  request.url = Url("/events");
  std::string seen;
  request.on_body = [&](std::string_view piece) {
    seen.append(piece);
    if (seen.find("data: one") != std::string::npos) first_seen.Open();
    return true;
  };
  ClientResponse r = client.Send(request);
  ASSERT_EQ(r.code, CURLE_OK) << r.error;
  EXPECT_EQ(seen, "data: one\n\ndata: two\n\n");
  EXPECT_EQ(r.headers.Get("Content-Type").value_or(""), "text/event-stream");
}

TEST_F(ServerTest, StreamsToAnHttp10ClientUnframedAndCloses) {
  ASSERT_TRUE(router_
                  .AddAsync("GET", "/export",
                            [&](HttpRequest&, const HttpResponder& responder) {
                              Result<HttpStreamWriter> writer = responder.StartStream({});
                              ASSERT_TRUE(writer.ok());
                              EXPECT_TRUE(writer->Write("abc").ok());
                              EXPECT_TRUE(writer->Write("def").ok());
                              EXPECT_TRUE(writer->Finish().ok());
                            })
                  .ok());
  StartPlain();
  std::string out = RawExchange("GET /export HTTP/1.0\r\n\r\n");
  EXPECT_EQ(out.substr(0, 12), "HTTP/1.0 200") << out;
  EXPECT_EQ(out.find("chunked"), std::string::npos) << out;
  EXPECT_EQ(out.substr(out.size() - 10), "\r\n\r\nabcdef") << out;
}

TEST_F(ServerTest, StreamWriteOnAnIoThreadFailsInsteadOfDeadlocking) {
  std::optional<Status> result;
  RouteOptions inline_route;
  inline_route.run_inline = true;
  ASSERT_TRUE(router_
                  .AddAsync(
                      "GET", "/bad",
                      [&](HttpRequest&, const HttpResponder& responder) {
                        Result<HttpStreamWriter> writer = responder.StartStream({});
                        ASSERT_TRUE(writer.ok());
                        result = writer->Write("x");
                      },
                      inline_route)
                  .ok());
  StartPlain();
  CurlClient client;
  client.Get(Url("/bad"));  // the aborted stream ends the response early
  ASSERT_TRUE(result.has_value());
  EXPECT_FALSE(result->ok());
  EXPECT_NE(result->message().find("I/O thread"), std::string::npos);
}

// --- TLS ---

class TlsServerTest : public ServerTest {
 protected:
  void StartTls(HttpServerOptions options = {}) {
    TlsBootstrapOptions tls;
    tls.state_dir = dir_.path() + "/state";
    Result<TlsBootstrapResult> material = BootstrapTls(tls);
    ASSERT_TRUE(material.ok()) << material.status().message();
    material_ = *material;
    options.tls_cert_chain_file = material_.cert_chain_file;
    options.tls_key_file = material_.key_file;
    Start(options);
  }
  TempDir dir_;
  TlsBootstrapResult material_;
};

TEST_F(TlsServerTest, ServesHttpsVerifiedAgainstTheBootstrappedCa) {
  StartTls();
  CurlClient client;
  for (const std::string& host : {std::string("localhost"), std::string("127.0.0.1")}) {
    ClientResponse r = client.Get(Url("/ping", host, "https"), material_.ca_cert_file);
    ASSERT_EQ(r.code, CURLE_OK) << host << ": " << r.error;
    EXPECT_EQ(r.body, "pong");
    EXPECT_EQ(r.headers.Get("Strict-Transport-Security").value_or(""), "max-age=31536000");
  }
  // Keep-alive over TLS.
  long connections = 0;
  for (int i = 0; i < 3; ++i) {
    connections +=
        client.Get(Url("/ping", "localhost", "https"), material_.ca_cert_file).new_connections;
  }
  EXPECT_EQ(connections, 0);
}

TEST_F(TlsServerTest, IsRejectedByAClientThatDoesNotTrustTheCa) {
  StartTls();
  CurlClient client;
  ClientResponse r = client.Get(Url("/ping", "localhost", "https"));  // system CAs only
  EXPECT_EQ(r.code, CURLE_PEER_FAILED_VERIFICATION) << r.error;
  // And a name the certificate does not carry fails the hostname check.
  ClientRequest request;
  request.url = "https://wrong.example:" + std::to_string(server_->port()) + "/ping";
  request.ca_file = material_.ca_cert_file;
  request.resolve = {"wrong.example:" + std::to_string(server_->port()) + ":127.0.0.1"};
  r = client.Send(request);
  EXPECT_EQ(r.code, CURLE_PEER_FAILED_VERIFICATION) << r.error;
  EXPECT_NE(r.error.find("wrong.example"), std::string::npos) << r.error;
  // Plain HTTP on the TLS port is not answered as HTTP.
  std::string out = RawExchange("GET /ping HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_EQ(out.find("pong"), std::string::npos);
}

struct SslClient {
  explicit SslClient(SSL_CTX* ctx) : ssl(SSL_new(ctx)) {}
  ~SslClient() {
    SSL_shutdown(ssl);  // a session closed without close_notify is not resumable
    SSL_free(ssl);
    if (fd >= 0) ::close(fd);
  }
  bool Connect(uint16_t port, SSL_SESSION* session = nullptr) {
    fd = ConnectTcp(port);
    if (fd < 0) return false;
    SSL_set_fd(ssl, fd);
    SSL_set_tlsext_host_name(ssl, "localhost");
    if (session) SSL_set_session(ssl, session);
    return SSL_connect(ssl) == 1;
  }
  std::string Exchange(const std::string& request) {
    SSL_write(ssl, request.data(), static_cast<int>(request.size()));
    std::string out;
    char buf[4096];
    while (out.find("pong") == std::string::npos) {
      int n = SSL_read(ssl, buf, sizeof(buf));
      if (n <= 0) break;
      out.append(buf, static_cast<size_t>(n));
    }
    return out;
  }
  SSL* ssl;
  int fd = -1;
};

TEST_F(TlsServerTest, ResumesTlsSessions) {
  StartTls();
  for (int version : {TLS1_2_VERSION, TLS1_3_VERSION}) {
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_min_proto_version(ctx, version);
    SSL_CTX_set_max_proto_version(ctx, version);
    SSL_CTX_load_verify_locations(ctx, material_.ca_cert_file.c_str(), nullptr);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    SSL_SESSION* session = nullptr;
    {
      SslClient first(ctx);
      ASSERT_TRUE(first.Connect(server_->port()));
      EXPECT_FALSE(SSL_session_reused(first.ssl));
      // TLS 1.3 tickets arrive after the handshake: read a response first.
      EXPECT_NE(first.Exchange("GET /ping HTTP/1.1\r\nHost: localhost\r\n\r\n").find("pong"),
                std::string::npos);
      session = SSL_get1_session(first.ssl);
      ASSERT_NE(session, nullptr);
    }
    SslClient second(ctx);
    ASSERT_TRUE(second.Connect(server_->port(), session));
    EXPECT_TRUE(SSL_session_reused(second.ssl)) << "TLS version " << std::hex << version;
    EXPECT_NE(second.Exchange("GET /ping HTTP/1.1\r\nHost: localhost\r\n\r\n").find("pong"),
              std::string::npos);
    SSL_SESSION_free(session);
    SSL_CTX_free(ctx);
  }
}

TEST_F(TlsServerTest, RefusesTls11) {
  StartTls();
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_security_level(ctx, 0);  // let the client offer TLS 1.1 at all
  SSL_CTX_set_min_proto_version(ctx, TLS1_1_VERSION);
  SSL_CTX_set_max_proto_version(ctx, TLS1_1_VERSION);
  SSL_CTX_set_cipher_list(ctx, "ALL:@SECLEVEL=0");
  {
    SslClient client(ctx);
    EXPECT_FALSE(client.Connect(server_->port()));
  }
  ERR_clear_error();
  SSL_CTX_free(ctx);
  // The server is unaffected.
  CurlClient curl;
  EXPECT_EQ(curl.Get(Url("/ping", "localhost", "https"), material_.ca_cert_file).status, 200);
}

TEST_F(TlsServerTest, TimesOutAClientThatNeverFinishesTheHandshake) {
  HttpServerOptions options;
  options.request_timeout = 300ms;
  StartTls(options);
  int fd = ConnectTcp(server_->port());
  ASSERT_GE(fd, 0);
  bool timed_out = false;
  ReadUntilClose(fd, 10s, &timed_out);
  ::close(fd);
  EXPECT_FALSE(timed_out);
}

TEST_F(TlsServerTest, StreamsAndLongPollsOverTls) {
  ASSERT_TRUE(router_
                  .AddAsync("GET", "/export",
                            [&](HttpRequest&, const HttpResponder& responder) {
                              Result<HttpStreamWriter> writer = responder.StartStream({});
                              ASSERT_TRUE(writer.ok());
                              std::string chunk(100000, 's');
                              for (int i = 0; i < 50; ++i) ASSERT_TRUE(writer->Write(chunk).ok());
                              EXPECT_TRUE(writer->Finish().ok());
                            })
                  .ok());
  StartTls();
  CurlClient client;
  ClientResponse r = client.Get(Url("/export", "localhost", "https"), material_.ca_cert_file);
  ASSERT_EQ(r.code, CURLE_OK) << r.error;
  EXPECT_EQ(r.body.size(), 5000000u);
  ClientRequest request;
  request.method = "POST";
  request.url = Url("/batch", "localhost", "https");
  request.ca_file = material_.ca_cert_file;
  request.body = std::string(3 * 1024 * 1024, 'b');
  r = client.Send(request);
  ASSERT_EQ(r.code, CURLE_OK) << r.error;
  EXPECT_EQ(r.body, std::to_string(3 * 1024 * 1024));
}

// --- idle connections: memory ---

// Opens `count` connections in a child process (so that only the server's
// memory is in this process), sends one request on each and reads the
// answer, then holds them until told to go. Returns the child's pid; it
// writes one byte to `ready_fd` when all are open.
pid_t HoldConnectionsInChild(uint16_t port, int count, const std::string& ca_file, int ready[2],
                             int release[2]) {
  pid_t pid = ::fork();
  if (pid != 0) return pid;
  ::close(ready[0]);
  ::close(release[1]);  // so that the parent closing its end ends our read
  int ready_fd = ready[1];
  int release_fd = release[0];
  std::vector<int> fds;
  std::vector<SSL*> ssls;
  SSL_CTX* ctx = nullptr;
  if (!ca_file.empty()) {
    ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_load_verify_locations(ctx, ca_file.c_str(), nullptr);
  }
  const std::string request = "GET /ping HTTP/1.1\r\nHost: localhost\r\n\r\n";
  for (int i = 0; i < count; ++i) {
    int fd = ConnectTcp(port);
    if (fd < 0) ::_exit(2);
    fds.push_back(fd);
    if (ctx) {
      SSL* ssl = SSL_new(ctx);
      SSL_set_fd(ssl, fd);
      if (SSL_connect(ssl) != 1) ::_exit(3);
      SSL_write(ssl, request.data(), static_cast<int>(request.size()));
      std::string out;
      char buf[4096];
      while (out.find("pong") == std::string::npos) {
        int n = SSL_read(ssl, buf, sizeof(buf));
        if (n <= 0) ::_exit(4);
        out.append(buf, static_cast<size_t>(n));
      }
      ssls.push_back(ssl);
    } else {
      SendAll(fd, request);
      std::string pending;
      if (ReadOneResponse(fd, &pending).empty()) ::_exit(5);
    }
  }
  char byte = 'r';
  if (::write(ready_fd, &byte, 1) != 1) ::_exit(6);
  (void)!::read(release_fd, &byte, 1);  // returns when the parent closes its end
  ::_exit(0);
}

class IdleConnectionTest : public TlsServerTest {
 protected:
  void SetUp() override {
    if (kUnderSanitizer) GTEST_SKIP() << "memory figures are meaningless under a sanitizer";
    TlsServerTest::SetUp();
  }

  // Has a child process open `count` connections and waits until the server
  // holds them all; returns this process's RSS at that moment (-1 when the
  // child failed). `while_held` runs before the child lets go.
  long HoldAndRelease(int count, bool tls, const std::function<void()>& while_held = {}) {
    int ready[2], release[2];
    EXPECT_EQ(::pipe(ready), 0);
    EXPECT_EQ(::pipe(release), 0);
    pid_t pid = HoldConnectionsInChild(server_->port(), count, tls ? material_.ca_cert_file : "",
                                       ready, release);
    ::close(ready[1]);
    ::close(release[0]);
    char byte = 0;
    bool held = ::read(ready[0], &byte, 1) == 1;
    long rss = -1;
    if (held) {
      EXPECT_TRUE(WaitFor(
          "all connections open",
          [&] { return server_->stats().open_connections == size_t(count); }, 20s));
      rss = ProcStatusBytes("VmRSS");
      if (while_held) while_held();
    }
    ::close(release[1]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    ::close(ready[0]);
    EXPECT_TRUE(held && WIFEXITED(status) && WEXITSTATUS(status) == 0)
        << "the client process failed: status " << status;
    EXPECT_TRUE(WaitFor(
        "no open connections", [&] { return server_->stats().open_connections == 0; }, 20s));
    return rss;
  }

  // Server RSS growth per idle keep-alive connection, in bytes.
  long MeasurePerConnection(int count, bool tls) {
    rlimit limit{};
    getrlimit(RLIMIT_NOFILE, &limit);
    const rlim_t wanted = static_cast<rlim_t>(count) + 256;
    if (limit.rlim_cur < wanted) {
      limit.rlim_cur = std::min<rlim_t>(limit.rlim_max, wanted);
      setrlimit(RLIMIT_NOFILE, &limit);
    }
    HttpServerOptions options;
    options.idle_timeout = 600s;
    options.worker_threads = 2;
    if (tls) {
      StartTls(options);
    } else {
      options.plaintext = true;
      Start(options);
    }
    // Warm-up: the allocator's arenas and OpenSSL's tables are set up once.
    if (HoldAndRelease(50, tls) < 0) return -1;
    int threads_before = ThreadCount();
    long before = ProcStatusBytes("VmRSS");
    long after = HoldAndRelease(count, tls, [&] {
      EXPECT_EQ(ThreadCount(), threads_before) << "connections must not cost threads";
    });
    if (after < 0) return -1;
    return (after - before) / count;
  }
};

TEST_F(IdleConnectionTest, HoldsAThousandIdlePlainConnectionsForAFewKilobytesEach) {
  long per_connection = MeasurePerConnection(1000, /*tls=*/false);
  ASSERT_GT(per_connection, 0);
  std::cout << "idle plain keep-alive connection: " << per_connection << " bytes of RSS\n";
  EXPECT_LT(per_connection, 8 * 1024);
}

TEST_F(IdleConnectionTest, HoldsAThousandIdleTlsConnectionsForAFewKilobytesEach) {
  long per_connection = MeasurePerConnection(1000, /*tls=*/true);
  ASSERT_GT(per_connection, 0);
  std::cout << "idle TLS keep-alive connection: " << per_connection << " bytes of RSS\n";
  // asio::ssl::stream alone would be ~52 KB.
  EXPECT_LT(per_connection, 24 * 1024);
}

// --- the parse step ---

TEST(ParseHttpRequestTest, ParsesARequestWithABody) {
  size_t consumed = 0;
  std::string bytes =
      "POST /a/b%20c?x=1&x=2 HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhelloEXTRA";
  Result<HttpRequest> r = ParseHttpRequest(bytes, 8192, 1024, &consumed);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->method, "POST");
  EXPECT_EQ(r->path, "/a/b c");
  EXPECT_EQ(r->QueryParams("x").size(), 2u);
  EXPECT_EQ(r->body, "hello");
  EXPECT_EQ(consumed, bytes.size() - 5);
}

TEST(ParseHttpRequestTest, ReportsLimitsAndIncompleteInput) {
  size_t consumed = 0;
  EXPECT_NE(ParseHttpRequest("GET / HTTP/1.1\r\nHost: h\r\n", 8192, 10, &consumed)
                .status()
                .message()
                .find("incomplete"),
            std::string::npos);
  EXPECT_NE(ParseHttpRequest("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\n", 8192, 10,
                             &consumed)
                .status()
                .message()
                .find("larger than 10 bytes"),
            std::string::npos);
  EXPECT_NE(ParseHttpRequest("GET / HTTP/1.1\r\nHost: " + std::string(200, 'h') + "\r\n\r\n", 100,
                             10, &consumed)
                .status()
                .message()
                .find("header is larger"),
            std::string::npos);
  EXPECT_FALSE(ParseHttpRequest("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                                "5\r\nhello\r\n6\r\nworld!\r\n0\r\n\r\n",
                                8192, 10, &consumed)
                   .ok());
}

TEST(ParseHttpRequestTest, StopsAtATruncatedChunkInsteadOfLooping) {
  // Found by fuzz/http_request_fuzz.cc: a chunk shorter than its size line
  // made the parse loop spin without progress.
  size_t consumed = 0;
  Result<HttpRequest> r = ParseHttpRequest(
      "POST /x HTTP/1.1\r\nHost: a\r\nContent-Lengdh: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\n\r\n",
      8192, 1024, &consumed);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("incomplete request body"), std::string::npos)
      << r.status().message();
}

}  // namespace
}  // namespace warden::server

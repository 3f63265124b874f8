// Sinks against a real HTTP receiver on 127.0.0.1 started by the test.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <deque>
#include <mutex>
#include <thread>

#include "core/strings.h"
#include "notify/webhook_sink.h"

namespace warden {
namespace {

// A tiny HTTP/1.1 server: records each request, answers with the next
// scripted status (200 once the script is used up), closes the connection.
class LocalHttpReceiver {
 public:
  struct Request {
    std::string path;
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;
  };

  explicit LocalHttpReceiver(std::deque<int> statuses = {}) : statuses_(std::move(statuses)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    EXPECT_EQ(::listen(fd_, 16), 0);
    thread_ = std::thread([this] { Serve(); });
  }
  ~LocalHttpReceiver() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  std::string url(const std::string& path = "/hook") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  std::vector<Request> requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

 private:
  void Serve() {
    while (!stop_) {
      int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) return;
      std::string data;
      char buf[4096];
      size_t header_end = std::string::npos, want = 0;
      while (true) {
        ssize_t n = ::recv(c, buf, sizeof buf, 0);
        if (n <= 0) break;
        data.append(buf, static_cast<size_t>(n));
        if (header_end == std::string::npos) {
          header_end = data.find("\r\n\r\n");
          if (header_end != std::string::npos) {
            std::string lower = data.substr(0, header_end);
            for (char& ch : lower)
              ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
            size_t cl = lower.find("content-length:");
            int64_t n_body = 0;
            if (cl != std::string::npos)
              ParseInt64(TrimWhitespace(lower.substr(cl + 15, lower.find("\r\n", cl) - cl - 15)),
                         &n_body);
            want = header_end + 4 + static_cast<size_t>(n_body);
          }
        }
        if (header_end != std::string::npos && data.size() >= want) break;
      }
      Request r;
      std::vector<std::string_view> lines =
          SplitString(std::string_view(data).substr(0, header_end), '\n');
      if (!lines.empty()) {
        auto parts = SplitWhitespace(lines[0]);
        if (parts.size() > 1) r.path = std::string(parts[1]);
      }
      for (size_t i = 1; i < lines.size(); ++i) {
        size_t colon = lines[i].find(':');
        if (colon == std::string_view::npos) continue;
        std::string name(lines[i].substr(0, colon));
        for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        r.headers[name] = std::string(TrimWhitespace(lines[i].substr(colon + 1)));
      }
      if (header_end != std::string::npos) r.body = data.substr(header_end + 4);
      int status = 200;
      {
        std::lock_guard<std::mutex> lock(mu_);
        requests_.push_back(r);
        if (!statuses_.empty()) {
          status = statuses_.front();
          statuses_.pop_front();
        }
      }
      std::string reply = "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Length: 2\r\n" +
                          (status == 429 ? "Retry-After: 0\r\n" : "") +
                          "Connection: close\r\n\r\nok";
      ::send(c, reply.data(), reply.size(), MSG_NOSIGNAL);
      ::close(c);
    }
  }

  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mu_;
  std::deque<int> statuses_;
  std::vector<Request> requests_;
};

Finding SampleFinding() {
  Finding f;
  f.id = "abc";
  f.rule_id = "AWS-CLOUDTRAIL-STOPPED";
  f.title = "CloudTrail logging stopped";
  f.description = "StopLogging by <!channel> & friends";
  f.risk_level = RiskLevel::kVeryHigh;
  f.attributes["account"] = "123456789012";
  f.attributes["actor"] = "arn:aws:iam::123456789012:user/<script>`x`";
  f.attributes["event_id"] = "e-1";
  f.attributes["user_agent"] = "<https://evil.example|click me>";
  return f;
}

RetryPolicy FastRetry(int attempts = 4) {
  RetryPolicy p;
  p.max_attempts = attempts;
  p.initial_backoff = std::chrono::milliseconds(1);
  p.max_backoff = std::chrono::milliseconds(5);
  return p;
}

TEST(HmacTest, KnownVector) {
  // RFC 4231 test case 2.
  EXPECT_EQ(HmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(WebhookSinkTest, DeliversSignedFindingThatVerifies) {
  LocalHttpReceiver receiver;
  WebhookSink sink(receiver.url(), "s3cret", MakeCurlHttpPoster(), FastRetry());
  ASSERT_TRUE(sink.Send(SampleFinding()).ok());
  auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 1u);
  const auto& r = requests[0];
  EXPECT_EQ(r.path, "/hook");
  EXPECT_EQ(r.headers.at("content-type"), "application/json");
  int64_t ts = 0;
  ASSERT_TRUE(ParseInt64(r.headers.at("x-warden-timestamp"), &ts));
  EXPECT_LT(std::abs(ts - static_cast<int64_t>(std::time(nullptr))), 60);
  // Verify exactly as a receiver would: HMAC over "<timestamp>.<body>".
  EXPECT_EQ(r.headers.at("x-warden-signature"),
            "sha256=" + HmacSha256Hex("s3cret", r.headers.at("x-warden-timestamp") + "." + r.body));
  EXPECT_NE(r.headers.at("x-warden-signature"),
            "sha256=" + HmacSha256Hex("wrong", r.headers.at("x-warden-timestamp") + "." + r.body));
  Json body = Json::parse(r.body);
  EXPECT_EQ(body["rule_id"], "AWS-CLOUDTRAIL-STOPPED");
  EXPECT_EQ(body["event_id"], "e-1");
}

TEST(WebhookSinkTest, RetriesServerErrorsWithBackoff) {
  LocalHttpReceiver receiver({500, 503, 200});
  std::vector<std::chrono::milliseconds> sleeps;
  WebhookSink sink(receiver.url(), "k", MakeCurlHttpPoster(), FastRetry(),
                   [&](std::chrono::milliseconds d) { sleeps.push_back(d); });
  ASSERT_TRUE(sink.Send(SampleFinding()).ok());
  EXPECT_EQ(receiver.requests().size(), 3u);
  ASSERT_EQ(sleeps.size(), 2u);
  EXPECT_LE(sleeps[0], sleeps[1]);  // exponential, capped
  // Every attempt carries the same signed message.
  auto r = receiver.requests();
  EXPECT_EQ(r[0].headers.at("x-warden-signature"), r[2].headers.at("x-warden-signature"));
}

TEST(WebhookSinkTest, GivesUpAfterMaxAttemptsAndNamesTheHost) {
  LocalHttpReceiver receiver({500, 500, 500, 500, 500});
  WebhookSink sink(receiver.url(), "k", MakeCurlHttpPoster(), FastRetry(3), [](auto) {});
  Status st = sink.Send(SampleFinding());
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(receiver.requests().size(), 3u);
  EXPECT_NE(st.message().find("gave up after 3 attempts"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("HTTP 500"), std::string::npos) << st.message();
}

TEST(WebhookSinkTest, ClientErrorsAreNotRetried) {
  LocalHttpReceiver receiver({404});
  WebhookSink sink(receiver.url(), "k", MakeCurlHttpPoster(), FastRetry(), [](auto) {});
  EXPECT_FALSE(sink.Send(SampleFinding()).ok());
  EXPECT_EQ(receiver.requests().size(), 1u);
}

TEST(WebhookSinkTest, TooManyRequestsIsRetried) {
  LocalHttpReceiver receiver({429, 200});
  WebhookSink sink(receiver.url(), "k", MakeCurlHttpPoster(), FastRetry(), [](auto) {});
  EXPECT_TRUE(sink.Send(SampleFinding()).ok());
  EXPECT_EQ(receiver.requests().size(), 2u);
}

TEST(WebhookSinkTest, ConnectionRefusedIsRetriedThenReported) {
  int port;
  {
    LocalHttpReceiver closed;
    port = std::stoi(closed.url().substr(17, 5));
  }
  int tries = 0;
  auto poster = MakeCurlHttpPoster();
  HttpRequest req;
  req.url = "http://127.0.0.1:" + std::to_string(port) + "/x";
  auto r = PostWithRetry(
      *poster, req, FastRetry(2), [](auto) {}, &tries);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(tries, 2);
}

TEST(WebhookSinkTest, NonHttpUrlsAreRejected) {
  auto poster = MakeCurlHttpPoster();
  HttpRequest req;
  req.url = "file:///etc/passwd";
  auto r = poster->Post(req);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

TEST(SlackSinkTest, PostsBlocksAndTextWithEscapedUserData) {
  LocalHttpReceiver receiver;
  SlackSink sink(receiver.url("/services/T/B/X"), MakeCurlHttpPoster(), FastRetry());
  ASSERT_TRUE(sink.Send(SampleFinding()).ok());
  auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 1u);
  Json payload = Json::parse(requests[0].body);
  ASSERT_TRUE(payload["text"].is_string());
  EXPECT_NE(payload["text"].get<std::string>().find("Very High: CloudTrail logging stopped"),
            std::string::npos);
  ASSERT_TRUE(payload["blocks"].is_array());
  EXPECT_EQ(payload["blocks"][0]["type"], "header");
  std::string all = payload.dump();
  // No raw angle brackets from user data reach Slack: no pings, no links.
  EXPECT_EQ(all.find("<!channel>"), std::string::npos);
  EXPECT_EQ(all.find("<script>"), std::string::npos);
  EXPECT_NE(all.find("&lt;!channel&gt; &amp; friends"), std::string::npos) << all;
  EXPECT_NE(all.find("user/&lt;script&gt;'x'"), std::string::npos) << all;
}

TEST(SlackSinkTest, EscapeSlackText) {
  EXPECT_EQ(EscapeSlackText("a<b>&c"), "a&lt;b&gt;&amp;c");
  EXPECT_EQ(EscapeSlackText("plain"), "plain");
}

TEST(SinkTest, TestFindingIsDeliverable) {
  LocalHttpReceiver receiver;
  WebhookSink sink(receiver.url(), "", MakeCurlHttpPoster(), FastRetry());
  ASSERT_TRUE(sink.Send(MakeTestFinding()).ok());
  auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].headers.count("x-warden-signature"), 0u);  // no secret, no signature
  EXPECT_EQ(Json::parse(requests[0].body)["rule_id"], "WARDEN-TEST");
}

}  // namespace
}  // namespace warden

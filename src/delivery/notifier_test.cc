// The notifier's sinks (webhook with one signed request per finding, Slack)
// against a real HTTP receiver on 127.0.0.1 started by the test.
#include "delivery/notifier.h"

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
#include "delivery/slack_sink.h"
#include "delivery/webhook_sink.h"

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

std::unique_ptr<Sink> Build(const std::string& type, std::shared_ptr<const SinkSettings> settings,
                            RetryPolicy retry, Sleeper sleep) {
  SinkConfig c;
  c.name = c.type = type;
  c.records = {RecordKind::kFinding};
  c.settings = std::move(settings);
  SinkContext context;
  context.retry = retry;
  context.sleep = std::move(sleep);
  auto sink = MakeSink(c, context);
  EXPECT_TRUE(sink.ok()) << sink.status().message();
  return std::move(*sink);
}

// A webhook as the notifier builds it: one signed request per finding.
std::unique_ptr<Sink> Webhook(const std::string& url, const std::string& secret, RetryPolicy retry,
                              Sleeper sleep = SleepFor) {
  auto w = std::make_shared<WebhookSinkSettings>();
  w->url = url;
  w->secret = secret;
  w->one_request_per_record = true;
  return Build("webhook", std::move(w), retry, std::move(sleep));
}

std::unique_ptr<Sink> Slack(const std::string& url, RetryPolicy retry) {
  auto s = std::make_shared<SlackSinkSettings>();
  s->url = url;
  return Build("slack", std::move(s), retry, SleepFor);
}

Status Send(Sink& sink, const Finding& finding) {
  return sink.Deliver({sink.Prepare(FindingRecord(finding))});
}

TEST(HmacTest, KnownVector) {
  // RFC 4231 test case 2.
  EXPECT_EQ(HmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(WebhookSinkTest, DeliversSignedFindingThatVerifies) {
  LocalHttpReceiver receiver;
  auto sink = Webhook(receiver.url(), "s3cret", FastRetry());
  ASSERT_TRUE(Send(*sink, SampleFinding()).ok());
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
  auto sink = Webhook(receiver.url(), "k", FastRetry(),
                      [&](std::chrono::milliseconds d) { sleeps.push_back(d); });
  ASSERT_TRUE(Send(*sink, SampleFinding()).ok());
  EXPECT_EQ(receiver.requests().size(), 3u);
  ASSERT_EQ(sleeps.size(), 2u);
  EXPECT_LE(sleeps[0], sleeps[1]);  // exponential, capped
  // Every attempt carries the same signed message.
  auto r = receiver.requests();
  EXPECT_EQ(r[0].headers.at("x-warden-signature"), r[2].headers.at("x-warden-signature"));
}

TEST(WebhookSinkTest, GivesUpAfterMaxAttemptsAndNamesTheHost) {
  LocalHttpReceiver receiver({500, 500, 500, 500, 500});
  auto sink = Webhook(receiver.url(), "k", FastRetry(3), [](auto) {});
  Status st = Send(*sink, SampleFinding());
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(receiver.requests().size(), 3u);
  EXPECT_NE(st.message().find("gave up after 3 attempts"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("HTTP 500"), std::string::npos) << st.message();
}

TEST(WebhookSinkTest, ClientErrorsAreNotRetried) {
  LocalHttpReceiver receiver({404});
  auto sink = Webhook(receiver.url(), "k", FastRetry(), [](auto) {});
  EXPECT_FALSE(Send(*sink, SampleFinding()).ok());
  EXPECT_EQ(receiver.requests().size(), 1u);
}

TEST(WebhookSinkTest, TooManyRequestsIsRetried) {
  LocalHttpReceiver receiver({429, 200});
  auto sink = Webhook(receiver.url(), "k", FastRetry(), [](auto) {});
  EXPECT_TRUE(Send(*sink, SampleFinding()).ok());
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
  auto sink = Slack(receiver.url("/services/T/B/X"), FastRetry());
  ASSERT_TRUE(Send(*sink, SampleFinding()).ok());
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
  auto sink = Webhook(receiver.url(), "", FastRetry());
  ASSERT_TRUE(Send(*sink, MakeTestFinding()).ok());
  auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].headers.count("x-warden-signature"), 0u);  // no secret, no signature
  EXPECT_EQ(Json::parse(requests[0].body)["rule_id"], "WARDEN-TEST");
}

TEST(NotifierTest, FansOutFindingsAtOrAboveTheMinimumRiskUpToTheCap) {
  LocalHttpReceiver receiver;
  ASSERT_EQ(setenv("WARDEN_NOTIFIER_TEST_SECRET", "from-the-environment", 1), 0);
  NotifierOptions o;
  o.slack_url = receiver.url("/services/T/B/X");
  o.webhook_url = receiver.url("/hook");
  o.webhook_secret_env = "WARDEN_NOTIFIER_TEST_SECRET";
  o.min_risk = RiskLevel::kHigh;
  o.max_per_run = 2;
  std::vector<std::string> warnings;
  SinkContext context;
  context.retry = FastRetry();
  auto n = Notifier::Create(
      o, [&](const std::string& w) { warnings.push_back(w); }, context);
  ASSERT_TRUE(n.ok()) << n.status().message();
  Finding low = SampleFinding();
  low.risk_level = RiskLevel::kMedium;
  n->Notify(low);
  for (int i = 0; i < 3; ++i) n->Notify(SampleFinding());
  EXPECT_EQ(n->stats().findings, 2);
  EXPECT_EQ(n->stats().dropped, 1) << "over the cap: counted, not sent";
  EXPECT_EQ(n->stats().delivered(), 4) << "two findings acknowledged by two sinks";
  EXPECT_EQ(n->stats().failed(), 0);
  EXPECT_TRUE(warnings.empty());
  auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 4u) << "two findings to two sinks";
  int signed_hooks = 0;
  for (const auto& r : requests)
    if (r.path == "/hook")
      signed_hooks += r.headers.at("x-warden-signature") ==
                      "sha256=" + HmacSha256Hex("from-the-environment",
                                                r.headers.at("x-warden-timestamp") + "." + r.body);
  EXPECT_EQ(signed_hooks, 2);
  unsetenv("WARDEN_NOTIFIER_TEST_SECRET");
}

TEST(NotifierTest, AFailedDeliveryIsCountedOnceWithItsReasonAndNeverAsDelivered) {
  LocalHttpReceiver receiver;
  NotifierOptions o;
  o.slack_url = receiver.url("/services/T/B/X");
  o.webhook_url = "http://127.0.0.1:1/hook";  // nothing listens on port 1
  o.webhook_secret_env = "WARDEN_NOTIFIER_TEST_UNSET";
  unsetenv("WARDEN_NOTIFIER_TEST_UNSET");
  std::vector<std::string> warnings;
  SinkContext context;
  context.retry = FastRetry();
  auto n = Notifier::Create(
      o, [&](const std::string& w) { warnings.push_back(w); }, context);
  ASSERT_TRUE(n.ok()) << n.status().message();
  warnings.clear();  // the unsigned-webhook warning
  n->Notify(SampleFinding());
  n->Notify(SampleFinding());
  const NotifierStats& s = n->stats();
  EXPECT_EQ(s.findings, 2);
  ASSERT_EQ(s.sinks.size(), 2u);
  EXPECT_EQ(s.sinks[0].sink, "slack");
  EXPECT_EQ(s.sinks[0].delivered, 2);
  EXPECT_EQ(s.sinks[0].failed, 0);
  EXPECT_EQ(s.sinks[1].sink, "webhook");
  EXPECT_EQ(s.sinks[1].delivered, 0);
  EXPECT_EQ(s.sinks[1].failed, 2);
  EXPECT_NE(s.sinks[1].last_error.find("gave up after"), std::string::npos)
      << s.sinks[1].last_error;
  EXPECT_EQ(s.delivered(), 2);
  EXPECT_EQ(s.failed(), 2);
  ASSERT_EQ(warnings.size(), 1u) << "the same reason is reported once";
  EXPECT_NE(warnings[0].find("webhook notification not delivered"), std::string::npos);
}

TEST(NotifierTest, WarnsWhenTheWebhookSecretIsNotSet) {
  unsetenv("WARDEN_NOTIFIER_TEST_UNSET");
  NotifierOptions o;
  o.webhook_url = "http://127.0.0.1:9/hook";
  o.webhook_secret_env = "WARDEN_NOTIFIER_TEST_UNSET";
  std::vector<std::string> warnings;
  auto n = Notifier::Create(o, [&](const std::string& w) { warnings.push_back(w); });
  ASSERT_TRUE(n.ok());
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("WARDEN_NOTIFIER_TEST_UNSET is not set"), std::string::npos);
  NotifierOptions none;
  auto empty = Notifier::Create(none, nullptr);
  ASSERT_TRUE(empty.ok());
  if (std::getenv("WARDEN_SLACK_WEBHOOK") == nullptr) {
    EXPECT_TRUE(empty->empty());
    EXPECT_FALSE(empty->SendTest(nullptr).ok()) << "no sink: nothing to test";
  }
}

}  // namespace
}  // namespace warden

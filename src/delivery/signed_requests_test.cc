// The request shapes the server's notification channels use: webhooks of
// one record per request signed the Standard Webhooks and GitHub ways,
// Slack's channel and mention, Splunk HEC without certificate checks when
// asked, the router's delivery observer, and audit records.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "core/encoding.h"
#include "delivery/record_router.h"
#include "delivery/scripted_http_poster.h"
#include "delivery/slack_sink.h"
#include "delivery/splunk_hec_sink.h"
#include "delivery/test_http_receiver.h"
#include "delivery/webhook_sink.h"
#include "testing/test_util.h"

namespace warden {
namespace {

using testing::TestHttpReceiver;

Record AuditRecord(const std::string& id) {
  Record r;
  r.kind = RecordKind::kAudit;
  r.id = id;
  r.time_ms = 1704888000000;
  r.body = {{"action", "createUser"}, {"actor", {{"type", "user"}, {"name", "alice"}}}};
  r.summary = "audit createUser by user alice";
  return r;
}

std::unique_ptr<Sink> MakeWebhook(const std::string& url, const std::string& secret,
                                  WebhookSignature signature) {
  auto s = std::make_shared<WebhookSinkSettings>();
  s->url = url;
  s->secret = secret;
  s->one_request_per_record = true;
  s->signature = signature;
  SinkConfig c;
  c.name = "hook";
  c.type = "webhook";
  c.queued = true;
  c.settings = std::move(s);
  auto sink = MakeSink(c, {});
  EXPECT_TRUE(sink.ok()) << sink.status().message();
  return sink.ok() ? std::move(*sink) : nullptr;
}

// HMAC-SHA256 computed independently of the sink's own helpers.
std::string Hmac(std::string_view key, std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), md, &len);
  return std::string(reinterpret_cast<const char*>(md), len);
}

TEST(StandardWebhooksTest, TheKeyIsTheSecretsBase64WithOrWithoutItsPrefix) {
  const std::string raw(32, 'k');
  const std::string encoded = Base64Encode(raw);
  EXPECT_EQ(StandardWebhooksKey("whsec_" + encoded), raw);
  EXPECT_EQ(StandardWebhooksKey(encoded), raw);
  EXPECT_FALSE(StandardWebhooksKey("whsec_" + Base64Encode("too short")));
  EXPECT_FALSE(StandardWebhooksKey("whsec_not base64!"));
  EXPECT_FALSE(StandardWebhooksKey(Base64Encode(std::string(65, 'k'))));
}

TEST(StandardWebhooksTest, OneRecordPerRequestSignedAsTheSpecificationSays) {
  TestHttpReceiver receiver;
  const std::string key(32, 'k');
  auto sink = MakeWebhook(receiver.url("/hook"), "whsec_" + Base64Encode(key),
                          WebhookSignature::kStandardWebhooks);
  ASSERT_TRUE(
      sink->Deliver({sink->Prepare(AuditRecord("audit-7")), sink->Prepare(AuditRecord("audit-8"))})
          .ok());
  auto requests = receiver.accepted();
  ASSERT_EQ(requests.size(), 2u);
  const auto& r = requests[0];
  EXPECT_EQ(r.headers.at("webhook-id"), "audit-7");
  EXPECT_EQ(r.headers.at("x-warden-event"), "audit");
  EXPECT_EQ(r.headers.count("x-warden-signature"), 0u);
  const std::string& ts = r.headers.at("webhook-timestamp");
  // As a receiver checks it: v1,base64(HMAC(key, "<id>.<timestamp>.<body>")).
  EXPECT_EQ(r.headers.at("webhook-signature"),
            "v1," + Base64Encode(Hmac(key, "audit-7." + ts + "." + r.body)));
  EXPECT_EQ(Json::parse(r.body)["action"], "createUser");
  EXPECT_EQ(requests[1].headers.at("webhook-id"), "audit-8");
}

TEST(StandardWebhooksTest, GithubSignatureIsTheHmacOfTheBody) {
  TestHttpReceiver receiver;
  auto sink =
      MakeWebhook(receiver.url("/hook"), "a github secret", WebhookSignature::kGithubSha256);
  ASSERT_TRUE(sink->Deliver({sink->Prepare(AuditRecord("audit-1"))}).ok());
  auto requests = receiver.accepted();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].headers.at("x-hub-signature-256"),
            "sha256=" + HexEncode(Hmac("a github secret", requests[0].body)));
}

TEST(StandardWebhooksTest, ASecretThatIsNotAKeySendsNothing) {
  TestHttpReceiver receiver;
  auto sink = MakeWebhook(receiver.url("/hook"), "plain", WebhookSignature::kStandardWebhooks);
  EXPECT_FALSE(sink->Deliver({sink->Prepare(AuditRecord("audit-1"))}).ok());
  EXPECT_TRUE(receiver.requests().empty());
}

TEST(SlackChannelTest, ChannelAndMentionAreAddedToEveryMessage) {
  auto shared = std::make_shared<testing::ScriptedPoster::Shared>();
  shared->answers.push_back(HttpResponse{200, "ok", std::nullopt, {}});
  auto s = std::make_shared<SlackSinkSettings>();
  s->url = "https://hooks.slack.example/services/T/B/X";
  s->channel = "#security";
  s->mention = "<!here>";
  SinkConfig c;
  c.name = "chat";
  c.type = "slack";
  c.queued = true;
  c.settings = std::move(s);
  SinkContext context;
  context.http_poster = [shared] { return std::make_unique<testing::ScriptedPoster>(shared); };
  auto sink = MakeSink(c, context);
  ASSERT_TRUE(sink.ok());
  ASSERT_TRUE((*sink)->Deliver({(*sink)->Prepare(AuditRecord("audit-1"))}).ok());
  ASSERT_EQ(shared->requests.size(), 1u);
  Json payload = Json::parse(shared->requests[0].body);
  EXPECT_EQ(payload["channel"], "#security");
  EXPECT_EQ(payload["text"], "<!here> audit createUser by user alice");
}

TEST(SplunkHecTlsTest, CertificateChecksAreOffOnlyWhenAsked) {
  auto shared = std::make_shared<testing::ScriptedPoster::Shared>();
  for (int i = 0; i < 2; ++i)
    shared->answers.push_back(HttpResponse{200, R"({"code":0})", std::nullopt, {}});
  SinkContext context;
  context.http_poster = [shared] { return std::make_unique<testing::ScriptedPoster>(shared); };
  for (bool verify : {true, false}) {
    auto s = std::make_shared<SplunkHecSinkSettings>();
    s->url = "https://splunk.example:8088";
    s->token = "t";
    s->verify_tls = verify;
    SinkConfig c;
    c.name = "hec";
    c.type = "splunk_hec";
    c.queued = true;
    c.settings = std::move(s);
    auto sink = MakeSink(c, context);
    ASSERT_TRUE(sink.ok());
    ASSERT_TRUE((*sink)->Deliver({(*sink)->Prepare(AuditRecord("audit-1"))}).ok());
  }
  ASSERT_EQ(shared->requests.size(), 2u);
  EXPECT_FALSE(shared->requests[0].skip_tls_verification);
  EXPECT_TRUE(shared->requests[1].skip_tls_verification);
}

TEST(RecordRouterObserverTest, HearsEveryAttemptWithItsOutcome) {
  testing::TempDir dir;
  TestHttpReceiver receiver;
  receiver.SetStatus(500, "nope");
  auto s = std::make_shared<WebhookSinkSettings>();
  s->url = receiver.url("/hook");
  s->secret = "0123456789abcdef";
  s->one_request_per_record = true;
  SinkConfig c;
  c.name = "hook";
  c.type = "webhook";
  c.queued = true;
  c.records = {RecordKind::kAudit};
  c.queue.backoff_initial_ms = 20;
  c.queue.backoff_max_ms = 40;
  c.settings = std::move(s);
  auto router = SinkRouter::Create({c}, {}, dir.path(), nullptr);
  ASSERT_TRUE(router.ok()) << router.status().message();
  std::mutex mu;
  std::vector<DeliveryAttempt> attempts;
  (*router)->SetDeliveryObserver([&](const DeliveryAttempt& a) {
    std::lock_guard lock(mu);
    attempts.push_back(a);
  });
  (*router)->Start();
  ASSERT_TRUE((*router)->Route({AuditRecord("audit-1")}).ok());
  ASSERT_TRUE(testing::WaitFor(
      "a failed attempt",
      [&] {
        std::lock_guard lock(mu);
        return !attempts.empty();
      },
      std::chrono::seconds(10)));
  receiver.SetStatus(200, "{}");
  ASSERT_TRUE(testing::WaitFor(
      "a delivered attempt",
      [&] {
        std::lock_guard lock(mu);
        return attempts.back().ok;
      },
      std::chrono::seconds(10)));
  (*router)->Stop();
  std::lock_guard lock(mu);
  EXPECT_FALSE(attempts.front().ok);
  EXPECT_EQ(attempts.front().sink, "hook");
  EXPECT_NE(attempts.front().error.find("HTTP 500"), std::string::npos) << attempts.front().error;
  EXPECT_EQ(attempts.back().records, 1);
  EXPECT_GT(attempts.back().at_ms, 0);
}

TEST(RecordKindTest, AuditRecordsAreForTheServerOnly) {
  EXPECT_EQ(RecordKindName(RecordKind::kAudit), "audit");
  EXPECT_EQ(ParseRecordKind("audit"), RecordKind::kAudit);
}

}  // namespace
}  // namespace warden

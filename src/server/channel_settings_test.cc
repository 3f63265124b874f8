// Channel triggers and the checks of a channel's settings beyond the API
// schema, without a server.
#include "server/channel_settings.h"

#include <gtest/gtest.h>

#include "delivery/slack_sink.h"
#include "delivery/webhook_sink.h"

namespace warden::server {
namespace {

const api::OpenApiSpec& Spec() {
  auto spec = api::OpenApiSpec::Embedded();
  EXPECT_TRUE(spec.ok());
  return **spec;
}

// The refusal's field, or "" when the settings were accepted.
std::string RefusedField(std::string_view type, const Json& config,
                         const std::optional<std::string>& secret) {
  auto checked = CheckChannelSettings(Spec(), type, config, secret);
  if (auto* e = std::get_if<ChannelSettingsError>(&checked)) return e->field;
  return "";
}

const std::string kStandardSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";  // 24 bytes

TEST(ChannelTriggersTest, DefaultsTakeEveryProblemEventAndNoAuditEntries) {
  ChannelTriggers t = ParseChannelTriggers(Json::object());
  EXPECT_TRUE(t.problems);
  EXPECT_FALSE(t.audit);
  EXPECT_TRUE(TriggersMatch(t, {RiskLevel::kLow, "HOST-OPEN-PORTS", {}, "updated"}));
  EXPECT_EQ(ChannelTriggersJson(t),
            Json::parse(R"({"kinds":["problems"],"min_risk_level":null,"rule_ids":[],)"
                        R"("labels":[],"actions":[]})"));
}

TEST(ChannelTriggersTest, EveryConditionNarrows) {
  ChannelTriggers t = ParseChannelTriggers(Json::parse(
      R"({"kinds":["problems","audit"],"min_risk_level":"high","rule_ids":["HOST-VULN"],)"
      R"("labels":["env=prod","pci"],"actions":["opened","reopened"]})"));
  EXPECT_TRUE(t.audit);
  const ProblemNotice match{RiskLevel::kVeryHigh, "HOST-VULN", {"pci", "eu"}, "opened"};
  EXPECT_TRUE(TriggersMatch(t, match));
  ProblemNotice low = match;
  low.risk_level = RiskLevel::kMedium;
  EXPECT_FALSE(TriggersMatch(t, low));
  ProblemNotice other_rule = match;
  other_rule.rule_id = "HOST-OPEN-PORTS";
  EXPECT_FALSE(TriggersMatch(t, other_rule));
  ProblemNotice other_host = match;
  other_host.host_labels = {"env=dev"};
  EXPECT_FALSE(TriggersMatch(t, other_host));
  ProblemNotice resolved = match;
  resolved.action = "resolved";
  EXPECT_FALSE(TriggersMatch(t, resolved));
}

TEST(ChannelTriggersTest, AnAuditOnlyChannelTakesNoProblems) {
  ChannelTriggers t = ParseChannelTriggers(Json::parse(R"({"kinds":["audit"]})"));
  EXPECT_FALSE(TriggersMatch(t, {RiskLevel::kExtreme, "X", {}, "opened"}));
}

TEST(ChannelSettingsTest, UnknownTypeIsRefusedNamingTheType) {
  EXPECT_EQ(RefusedField("pager", Json::object(), std::nullopt), "/type");
}

TEST(ChannelSettingsTest, UrlsMustBeHttpsUnlessLoopbackOrExplicitlyInsecure) {
  EXPECT_EQ(RefusedField("webhook", {{"url", "http://siem.example/hook"}}, kStandardSecret),
            "/config/url");
  EXPECT_EQ(RefusedField("webhook", {{"url", "http://127.0.0.1:9/hook"}}, kStandardSecret), "");
  EXPECT_EQ(RefusedField("webhook", {{"url", "http://[::1]:9/hook"}}, kStandardSecret), "");
  EXPECT_EQ(RefusedField("webhook", {{"url", "http://127.evil.example/hook"}}, kStandardSecret),
            "/config/url");
  EXPECT_EQ(RefusedField("webhook", {{"url", "http://siem.example/hook"}, {"allow_insecure", true}},
                         kStandardSecret),
            "");
  EXPECT_EQ(RefusedField("webhook", {{"url", "ftp://siem.example/hook"}}, kStandardSecret),
            "/config/url");
  EXPECT_EQ(RefusedField("splunk_hec", {{"url", "http://splunk.example:8088"}}, "token"),
            "/config/url");
  // The Slack webhook URL is the secret, and checked as a URL.
  EXPECT_EQ(RefusedField("slack", Json::object(), "http://hooks.slack.example/services/x"),
            "/secret");
  EXPECT_EQ(RefusedField("slack", Json::object(), "https://hooks.slack.com/services/T/B/x"), "");
}

TEST(ChannelSettingsTest, TheConfigIsCheckedAgainstTheTypesSchema) {
  EXPECT_EQ(
      RefusedField("webhook", {{"url", "https://x.example/h"}, {"timeout_ms", 5}}, kStandardSecret),
      "/config/timeout_ms");
  EXPECT_EQ(
      RefusedField("webhook", {{"url", "https://x.example/h"}, {"colour", "red"}}, kStandardSecret),
      "/config/colour");
  EXPECT_EQ(RefusedField("file", Json::object(), std::nullopt), "/config/path");
}

TEST(ChannelSettingsTest, SecretsFitTheirTypeAndSignature) {
  const Json hook = {{"url", "https://x.example/h"}};
  EXPECT_EQ(RefusedField("webhook", hook, std::nullopt), "/secret");
  EXPECT_EQ(RefusedField("webhook", hook, "not base64 at all!"), "/secret");
  Json github = hook;
  github["signature"] = "github_sha256";
  EXPECT_EQ(RefusedField("webhook", github, "short"), "/secret");
  EXPECT_EQ(RefusedField("webhook", github, "sixteen chars ok"), "");
  EXPECT_EQ(RefusedField("syslog", {{"address", "127.0.0.1:514"}}, "unused"), "/secret");
  EXPECT_EQ(RefusedField("splunk_hec", {{"url", "https://s.example:8088"}}, std::nullopt),
            "/secret");
}

TEST(ChannelSettingsTest, HeadersCannotReplaceWhatWardenSets) {
  const Json base = {{"url", "https://x.example/h"}};
  Json sig = base;
  sig["headers"] = {{"Webhook-Signature", "v1,forged"}};
  EXPECT_EQ(RefusedField("webhook", sig, kStandardSecret), "/config/headers/Webhook-Signature");
  Json bad_name = base;
  bad_name["headers"] = {{"X Bad", "1"}};
  EXPECT_EQ(RefusedField("webhook", bad_name, kStandardSecret), "/config/headers/X Bad");
  Json injected = base;
  injected["headers"] = {{"X-Team", "a\r\nX-Evil: 1"}};
  EXPECT_EQ(RefusedField("webhook", injected, kStandardSecret), "/config/headers/X-Team");
  Json fine = base;
  fine["headers"] = {{"X-Team", "secops"}};
  EXPECT_EQ(RefusedField("webhook", fine, kStandardSecret), "");
}

TEST(ChannelSettingsTest, SyslogRefusesWhatItCannotDoAndBadAddresses) {
  EXPECT_EQ(
      RefusedField("syslog", {{"address", "10.0.0.5:6514"}, {"transport", "tls"}}, std::nullopt),
      "/config/transport");
  EXPECT_EQ(RefusedField("syslog", {{"address", "10.0.0.5:514"}, {"format", "cef"}}, std::nullopt),
            "/config/format");
  EXPECT_EQ(RefusedField("syslog", {{"address", "10.0.0.5"}}, std::nullopt), "/config/address");
  EXPECT_EQ(RefusedField("syslog", {{"address", "10.0.0.5:70000"}}, std::nullopt),
            "/config/address");
  EXPECT_EQ(RefusedField("syslog", {{"address", "dev/log"}, {"transport", "unix"}}, std::nullopt),
            "/config/address");
  EXPECT_EQ(RefusedField("syslog", {{"address", "[::1]:514"}, {"transport", "tcp"}}, std::nullopt),
            "");
}

TEST(ChannelSettingsTest, FilePathsStayInsideTheFilesDirectory) {
  for (const char* bad : {"/etc/cron.d/x", "../server.db", "a/../../x", ".", "dir/"}) {
    EXPECT_EQ(RefusedField("file", {{"path", bad}}, std::nullopt), "/config/path") << bad;
  }
  auto checked = CheckChannelSettings(Spec(), "file", {{"path", "a/./b.jsonl"}}, std::nullopt);
  ASSERT_TRUE(std::holds_alternative<Json>(checked));
  EXPECT_EQ(std::get<Json>(checked)["path"], "a/b.jsonl");
  EXPECT_EQ(std::get<Json>(checked)["max_files"], 5);
}

TEST(ChannelSettingsTest, DefaultsAreFilledIn) {
  auto checked =
      CheckChannelSettings(Spec(), "webhook", {{"url", "https://x.example/h"}}, kStandardSecret);
  ASSERT_TRUE(std::holds_alternative<Json>(checked));
  EXPECT_EQ(std::get<Json>(checked),
            Json::parse(R"({"url":"https://x.example/h","signature":"standard_webhooks",)"
                        R"("headers":{},"timeout_ms":10000,"allow_insecure":false})"));
}

TEST(ChannelSinkConfigTest, AStoredChannelBecomesItsSink) {
  store::Channel c;
  c.id = 12;
  c.name = "ops";
  c.type = "webhook";
  c.enabled = false;
  c.config_json =
      R"({"url":"https://x.example/h","signature":"github_sha256","headers":{"X-Team":"a"},)"
      R"("timeout_ms":30000,"allow_insecure":false})";
  c.secret = "sixteen chars ok";
  QueueConfig queue;
  queue.backoff_initial_ms = 50;
  auto sc = ChannelSinkConfig(c, "/state", queue, 15000);
  ASSERT_TRUE(sc.ok()) << sc.status().message();
  EXPECT_EQ(sc->name, "channel-12");
  EXPECT_TRUE(sc->enabled);  // built so its queue can be read; the channel decides
  EXPECT_TRUE(sc->queued);
  EXPECT_EQ(sc->queue.backoff_initial_ms, 50);
  const auto* s = sc->SettingsAs<WebhookSinkSettings>();
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->signature, WebhookSignature::kGithubSha256);
  EXPECT_TRUE(s->one_request_per_record);
  EXPECT_EQ(s->timeout_ms, 15000);
  EXPECT_EQ(s->headers.at("X-Team"), "a");

  store::Channel slack;
  slack.id = 3;
  slack.type = "slack";
  slack.config_json = R"({"channel":"#sec","mention":"<!here>"})";
  slack.secret = "https://hooks.slack.com/services/T/B/x";
  auto ssc = ChannelSinkConfig(slack, "/state", queue);
  ASSERT_TRUE(ssc.ok());
  const auto* ss = ssc->SettingsAs<SlackSinkSettings>();
  ASSERT_NE(ss, nullptr);
  EXPECT_EQ(ss->url, "https://hooks.slack.com/services/T/B/x");
  EXPECT_EQ(ss->channel, "#sec");
  EXPECT_EQ(ss->mention, "<!here>");
}

}  // namespace
}  // namespace warden::server

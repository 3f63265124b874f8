#include "notify/webhook_sink.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "core/encoding.h"
#include "core/time_format.h"
#include "core/version.h"

namespace warden {

std::string HmacSha256Hex(std::string_view key, std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), md, &len);
  return HexEncode(md, len);
}

std::string WardenSignature(std::string_view secret, int64_t timestamp, std::string_view body) {
  std::string message = std::to_string(timestamp);
  message += '.';
  message += body;
  return "sha256=" + HmacSha256Hex(secret, message);
}

WebhookSink::WebhookSink(std::string url, std::string secret, std::unique_ptr<HttpPoster> poster,
                         RetryPolicy retry, Sleeper sleep)
    : url_(std::move(url)),
      secret_(std::move(secret)),
      poster_(std::move(poster)),
      retry_(retry),
      sleep_(std::move(sleep)) {}

Status WebhookSink::Send(const Finding& finding) {
  HttpRequest request;
  request.url = url_;
  request.body = FindingToJson(finding).dump(-1, ' ', false, Json::error_handler_t::replace);
  // The timestamp is fixed across retries: the receiver sees one signed message.
  const int64_t timestamp = NowEpochSeconds();
  request.headers = {{"Content-Type", "application/json"},
                     {"User-Agent", std::string("warden/") + kWardenVersion},
                     {"X-Warden-Timestamp", std::to_string(timestamp)},
                     {"X-Warden-Event", "finding"}};
  if (!secret_.empty())
    request.headers.emplace_back("X-Warden-Signature",
                                 WardenSignature(secret_, timestamp, request.body));
  auto response = PostWithRetry(*poster_, request, retry_, sleep_);
  if (!response.ok()) return response.status().WithContext("webhook");
  return Status::Ok();
}

std::string EscapeSlackText(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

namespace {

// A value from an event shown verbatim: escaped, in a code span, backticks
// replaced so the span cannot be closed early, and bounded in length.
std::string Code(std::string_view value, size_t max = 300) {
  std::string v(value.substr(0, max));
  if (value.size() > max) v += "...";
  for (char& c : v)
    if (c == '`' || c == '\n' || c == '\r') c = c == '`' ? '\'' : ' ';
  if (v.empty()) return "-";
  return "`" + EscapeSlackText(v) + "`";
}

std::string Attr(const Finding& f, const char* key) {
  auto it = f.attributes.find(key);
  if (it == f.attributes.end() || it->is_null()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

}  // namespace

std::string SlackPayload(const Finding& f) {
  const std::string risk(RiskLevelDisplayName(f.risk_level));
  const std::string account = Attr(f, "account");
  std::string fallback =
      risk + ": " + EscapeSlackText(f.title) + " (" + EscapeSlackText(f.rule_id) + ")";
  if (!account.empty()) fallback += " in account " + EscapeSlackText(account);

  Json blocks = Json::array();
  std::string header = risk + ": " + f.title;
  if (header.size() > 150) header = header.substr(0, 147) + "...";
  blocks.push_back({{"type", "header"}, {"text", {{"type", "plain_text"}, {"text", header}}}});
  std::string description = f.description.substr(0, 2500);
  blocks.push_back({{"type", "section"},
                    {"text", {{"type", "mrkdwn"}, {"text", EscapeSlackText(description)}}}});
  Json fields = Json::array();
  auto field = [&](const char* label, const std::string& value) {
    if (value.empty()) return;
    fields.push_back(
        {{"type", "mrkdwn"}, {"text", std::string("*") + label + "*\n" + Code(value)}});
  };
  field("Rule", f.rule_id);
  field("Account", account);
  field("Actor", Attr(f, "actor"));
  field("Event", Attr(f, "event_name"));
  field("Region", Attr(f, "region"));
  field("Source IP", Attr(f, "source_ip"));
  field("Time", Attr(f, "event_time"));
  field("Matched rows", Attr(f, "matched_patterns"));
  while (fields.size() > 10) fields.erase(fields.end() - 1);  // Slack's limit per section
  if (!fields.empty()) blocks.push_back({{"type", "section"}, {"fields", fields}});
  if (!f.remediation.empty())
    blocks.push_back(
        {{"type", "section"},
         {"text",
          {{"type", "mrkdwn"},
           {"text", "*What to do:* " + EscapeSlackText(f.remediation.substr(0, 2000))}}}});
  std::string context =
      "event id " + Code(Attr(f, "event_id"), 100) + "  |  finding " + Code(f.id, 64);
  blocks.push_back(
      {{"type", "context"}, {"elements", Json::array({{{"type", "mrkdwn"}, {"text", context}}})}});
  Json payload = {{"text", fallback}, {"blocks", blocks}};
  return payload.dump(-1, ' ', false, Json::error_handler_t::replace);
}

SlackSink::SlackSink(std::string webhook_url, std::unique_ptr<HttpPoster> poster, RetryPolicy retry,
                     Sleeper sleep)
    : url_(std::move(webhook_url)),
      poster_(std::move(poster)),
      retry_(retry),
      sleep_(std::move(sleep)) {}

Status SlackSink::Send(const Finding& finding) {
  HttpRequest request;
  request.url = url_;
  request.body = SlackPayload(finding);
  request.headers = {{"Content-Type", "application/json"}};
  auto response = PostWithRetry(*poster_, request, retry_, sleep_);
  if (!response.ok()) return response.status().WithContext("slack");
  return Status::Ok();
}

}  // namespace warden

#include "delivery/webhook_sink.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "core/encoding.h"
#include "core/time_format.h"
#include "core/version.h"
#include "delivery/http_sink_settings.h"

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

std::optional<std::string> StandardWebhooksKey(std::string_view secret) {
  constexpr std::string_view kPrefix = "whsec_";
  if (secret.substr(0, kPrefix.size()) == kPrefix) secret.remove_prefix(kPrefix.size());
  std::optional<std::string> key = Base64Decode(secret);
  if (!key || key->size() < 24 || key->size() > 64) return std::nullopt;
  return key;
}

std::string StandardWebhooksSignature(std::string_view key, std::string_view id, int64_t timestamp,
                                      std::string_view body) {
  std::string message(id);
  message += '.';
  message += std::to_string(timestamp);
  message += '.';
  message += body;
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), md, &len);
  return "v1," + Base64Encode(std::string_view(reinterpret_cast<const char*>(md), len));
}

namespace {

std::string Dump(const Json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

class WebhookSink : public Sink {
 public:
  WebhookSink(SinkConfig config, const SinkContext& context)
      : Sink(std::move(config)),
        settings_(*this->config().SettingsAs<WebhookSinkSettings>()),
        host_(context.host_identifier),
        poster_(context.MakeHttpPoster()),
        retry_(context.retry),
        sleep_(context.sleep) {}

  std::string Render(const Record& record) const override {
    if (settings_.one_request_per_record) return RenderRecordJson(record, config().format);
    // {"id","kind","time","host","record"}, the rendered record spliced in.
    return "{\"id\":" + Dump(record.id) + ",\"kind\":" + Dump(RecordKindName(record.kind)) +
           ",\"time\":" + Dump(FormatRfc3339(record.time_ms / 1000)) + ",\"host\":" + Dump(host_) +
           ",\"record\":" + RenderRecordJson(record, config().format) + "}";
  }

  Status Deliver(const std::vector<QueuedRecord>& batch) override {
    if (settings_.one_request_per_record) {
      for (const QueuedRecord& r : batch) RETURN_IF_ERROR(PostOne(r));
      return Status::Ok();
    }
    HttpRequest req;
    req.url = settings_.url;
    req.timeout = std::chrono::milliseconds(settings_.timeout_ms);
    std::string body = "{\"host\":" + Dump(host_) + ",\"records\":[";
    for (size_t i = 0; i < batch.size(); ++i) {
      if (i) body += ',';
      body += batch[i].payload;
    }
    body += "]}";
    const int64_t ts = NowEpochSeconds();
    req.headers = {{"Content-Type", "application/json"},
                   {"User-Agent", "warden-agent"},
                   {"X-Warden-Timestamp", std::to_string(ts)},
                   {"X-Warden-Signature", WardenSignature(settings_.secret, ts, body)},
                   {"X-Warden-Records", std::to_string(batch.size())}};
    for (const auto& [k, v] : settings_.headers) req.headers.emplace_back(k, v);
    req.body = std::move(body);
    return PostOnceOrWithRetry(*poster_, req, What(), retry_ ? &*retry_ : nullptr, sleep_).status();
  }

  std::string Destination() const override { return settings_.url; }

 private:
  std::string What() const { return retry_ ? "webhook" : "webhook " + UrlHost(settings_.url); }

  Status PostOne(const QueuedRecord& r) {
    HttpRequest req;
    req.url = settings_.url;
    req.timeout = std::chrono::milliseconds(settings_.timeout_ms);
    req.body = r.payload;
    // The timestamp is fixed across retries: the receiver sees one signed message.
    const int64_t timestamp = NowEpochSeconds();
    req.headers = {
        {"Content-Type", "application/json"},
        {"User-Agent", std::string("warden/") + kWardenVersion},
        {"X-Warden-Event",
         r.kind == RecordKind::kFinding ? "finding" : std::string(RecordKindName(r.kind))}};
    switch (settings_.signature) {
      case WebhookSignature::kWarden:
        req.headers.emplace_back("X-Warden-Timestamp", std::to_string(timestamp));
        if (!settings_.secret.empty())
          req.headers.emplace_back("X-Warden-Signature",
                                   WardenSignature(settings_.secret, timestamp, req.body));
        break;
      case WebhookSignature::kStandardWebhooks: {
        req.headers.emplace_back("webhook-id", r.id);
        req.headers.emplace_back("webhook-timestamp", std::to_string(timestamp));
        // The server checks the secret when the channel is made; a key that
        // does not decode signs nothing rather than something unverifiable.
        std::optional<std::string> key = StandardWebhooksKey(settings_.secret);
        if (!key) return InvalidArgument("webhook: the secret is not a Standard Webhooks key");
        req.headers.emplace_back("webhook-signature",
                                 StandardWebhooksSignature(*key, r.id, timestamp, req.body));
        break;
      }
      case WebhookSignature::kGithubSha256:
        req.headers.emplace_back("X-Hub-Signature-256",
                                 "sha256=" + HmacSha256Hex(settings_.secret, req.body));
        break;
    }
    for (const auto& [k, v] : settings_.headers) req.headers.emplace_back(k, v);
    return PostOnceOrWithRetry(*poster_, req, What(), retry_ ? &*retry_ : nullptr, sleep_).status();
  }

  const WebhookSinkSettings& settings_;
  std::string host_;
  std::unique_ptr<HttpPoster> poster_;
  std::optional<RetryPolicy> retry_;
  Sleeper sleep_;
};

Result<std::shared_ptr<const SinkSettings>> ParseWebhookSink(const YAML::Node& n,
                                                             const std::string& key,
                                                             const SinkParseContext& c) {
  using J = YamlReader;
  const YamlReader& r = c.reader;
  auto s = std::make_shared<WebhookSinkSettings>();
  ASSIGN_OR_RETURN(s->url, ParseSinkUrl(n, key, c, "where to send records"));
  if (!n["secret"])
    return r.Error(n, J::Join(key, "secret"),
                   "missing: the HMAC-SHA256 key (use ${ENV_VAR} to keep it out of the file)");
  ASSIGN_OR_RETURN(s->secret, r.String(n["secret"], J::Join(key, "secret")));
  if (c.enabled && s->secret.size() < 16)
    return r.Error(n["secret"], J::Join(key, "secret"), "too short: use at least 16 characters");
  RETURN_IF_ERROR(ParseHttpOptions(n, key, c, &s->timeout_ms, &s->headers));
  return std::shared_ptr<const SinkSettings>(std::move(s));
}

}  // namespace

const SinkType& WebhookSinkType() {
  static const SinkType kType{
      "webhook",
      /*queued=*/true,
      {"url", "secret", "timeout", "headers", "queue"},
      {RecordFormat::kWarden, RecordFormat::kOcsf},
      ParseWebhookSink,
      [](const SinkConfig& config, const SinkContext& context) -> Result<std::unique_ptr<Sink>> {
        return std::unique_ptr<Sink>(new WebhookSink(config, context));
      }};
  return kType;
}

}  // namespace warden

#include "agent/http_record_sinks.h"

#include "core/time_format.h"
#include "notify/webhook_sink.h"

namespace warden {
namespace {

std::string Snippet(const std::string& body) {
  std::string s = body.substr(0, 200);
  for (char& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  return s;
}

Status CheckResponse(const std::string& what, const Result<HttpResponse>& r) {
  if (!r.ok()) return r.status().WithContext(what);
  if (r->status < 200 || r->status > 299)
    return Unavailable(what + ": HTTP " + std::to_string(r->status) +
                       (r->body.empty() ? "" : ": " + Snippet(r->body)));
  return Status::Ok();
}

class SplunkHecRecordSink : public RecordSink {
 public:
  SplunkHecRecordSink(SinkConfig config, std::string host, std::unique_ptr<HttpPoster> poster)
      : RecordSink(std::move(config)), host_(std::move(host)), poster_(std::move(poster)) {}

  std::string Render(const AgentRecord& record) const override {
    Json e = Json::object();
    e["time"] = static_cast<double>(record.time_ms) / 1000.0;
    e["host"] = host_;
    e["source"] = "warden";
    e["sourcetype"] = config().sourcetype;
    if (!config().index.empty()) e["index"] = config().index;
    e["event"] = Json::parse(RenderJson(record));
    e["fields"] = {{"record_id", record.id}, {"kind", RecordKindName(record.kind)}};
    return e.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }

  Status Deliver(const std::vector<QueuedRecord>& batch) override {
    HttpRequest req;
    req.url = HecEndpoint(config().url);
    req.timeout = std::chrono::milliseconds(config().timeout_ms);
    req.headers = {{"Authorization", "Splunk " + config().token},
                   {"Content-Type", "application/json"}};
    for (const auto& [k, v] : config().headers) req.headers.emplace_back(k, v);
    for (const QueuedRecord& r : batch) {
      req.body += r.payload;
      req.body += '\n';
    }
    auto resp = poster_->Post(req);
    RETURN_IF_ERROR(CheckResponse("splunk_hec " + UrlHost(config().url), resp));
    Json answer = Json::parse(resp->body, nullptr, false);
    if (answer.is_object() && answer.contains("code") && answer["code"].is_number() &&
        answer["code"] != 0)
      return Unavailable("splunk_hec " + UrlHost(config().url) + ": " + Snippet(resp->body));
    return Status::Ok();
  }

  std::string Destination() const override { return HecEndpoint(config().url); }

 private:
  std::string host_;
  std::unique_ptr<HttpPoster> poster_;
};

class WebhookRecordSink : public RecordSink {
 public:
  WebhookRecordSink(SinkConfig config, std::string host, std::unique_ptr<HttpPoster> poster)
      : RecordSink(std::move(config)), host_(std::move(host)), poster_(std::move(poster)) {}

  std::string Render(const AgentRecord& record) const override {
    Json e = Json::object();
    e["id"] = record.id;
    e["kind"] = RecordKindName(record.kind);
    e["time"] = FormatRfc3339(record.time_ms / 1000);
    e["host"] = host_;
    e["record"] = Json::parse(RenderJson(record));
    return e.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }

  Status Deliver(const std::vector<QueuedRecord>& batch) override {
    HttpRequest req;
    req.url = config().url;
    req.timeout = std::chrono::milliseconds(config().timeout_ms);
    std::string body =
        "{\"host\":" + Json(host_).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
        ",\"records\":[";
    for (size_t i = 0; i < batch.size(); ++i) {
      if (i) body += ',';
      body += batch[i].payload;
    }
    body += "]}";
    const int64_t ts = NowEpochSeconds();
    req.headers = {{"Content-Type", "application/json"},
                   {"User-Agent", "warden-agent"},
                   {"X-Warden-Timestamp", std::to_string(ts)},
                   {"X-Warden-Signature", WardenSignature(config().secret, ts, body)},
                   {"X-Warden-Records", std::to_string(batch.size())}};
    for (const auto& [k, v] : config().headers) req.headers.emplace_back(k, v);
    req.body = std::move(body);
    return CheckResponse("webhook " + UrlHost(config().url), poster_->Post(req));
  }

  std::string Destination() const override { return config().url; }

 private:
  std::string host_;
  std::unique_ptr<HttpPoster> poster_;
};

}  // namespace

std::string HecEndpoint(const std::string& url) {
  if (url.find("/services/collector") != std::string::npos) return url;
  std::string base = url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/services/collector/event";
}

Result<std::unique_ptr<RecordSink>> MakeSplunkHecRecordSink(const SinkConfig& config,
                                                            const std::string& host,
                                                            std::unique_ptr<HttpPoster> poster) {
  if (!poster) poster = MakeCurlHttpPoster();
  return std::unique_ptr<RecordSink>(new SplunkHecRecordSink(config, host, std::move(poster)));
}

Result<std::unique_ptr<RecordSink>> MakeWebhookRecordSink(const SinkConfig& config,
                                                          const std::string& host,
                                                          std::unique_ptr<HttpPoster> poster) {
  if (!poster) poster = MakeCurlHttpPoster();
  return std::unique_ptr<RecordSink>(new WebhookRecordSink(config, host, std::move(poster)));
}

}  // namespace warden

#include "delivery/splunk_hec_sink.h"

#include "delivery/http_sink_settings.h"

namespace warden {

namespace {

std::string OneLine(std::string s) {
  for (char& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  return s;
}

class SplunkHecSink : public Sink {
 public:
  SplunkHecSink(SinkConfig config, const SinkContext& context)
      : Sink(std::move(config)),
        settings_(*this->config().SettingsAs<SplunkHecSinkSettings>()),
        host_(context.host_identifier),
        poster_(context.MakeHttpPoster()),
        retry_(context.retry),
        sleep_(context.sleep) {}

  std::string Render(const Record& record) const override {
    // The rendered record is spliced in as "event": no second parse.
    Json e = Json::object();
    e["time"] = static_cast<double>(record.time_ms) / 1000.0;
    e["host"] = host_;
    e["source"] = "warden";
    e["sourcetype"] = settings_.sourcetype;
    if (!settings_.index.empty()) e["index"] = settings_.index;
    std::string head = e.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    head.pop_back();  // '}'
    Json fields = {{"record_id", record.id}, {"kind", RecordKindName(record.kind)}};
    return head + ",\"event\":" + RenderRecordJson(record, config().format) +
           ",\"fields\":" + fields.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
           "}";
  }

  Status Deliver(const std::vector<QueuedRecord>& batch) override {
    HttpRequest req;
    req.url = HecEndpoint(settings_.url);
    req.timeout = std::chrono::milliseconds(settings_.timeout_ms);
    req.skip_tls_verification = !settings_.verify_tls;
    req.headers = {{"Authorization", "Splunk " + settings_.token},
                   {"Content-Type", "application/json"}};
    for (const auto& [k, v] : settings_.headers) req.headers.emplace_back(k, v);
    for (const QueuedRecord& r : batch) {
      req.body += r.payload;
      req.body += '\n';
    }
    const std::string what = "splunk_hec " + UrlHost(settings_.url);
    ASSIGN_OR_RETURN(HttpResponse resp,
                     PostOnceOrWithRetry(*poster_, req, what, retry_ ? &*retry_ : nullptr, sleep_));
    Json answer = Json::parse(resp.body, nullptr, false);
    if (answer.is_object() && answer.contains("code") && answer["code"].is_number() &&
        answer["code"] != 0)
      return Unavailable(what + ": " + OneLine(resp.body.substr(0, 200)));
    return Status::Ok();
  }

  std::string Destination() const override { return HecEndpoint(settings_.url); }

 private:
  const SplunkHecSinkSettings& settings_;
  std::string host_;
  std::unique_ptr<HttpPoster> poster_;
  std::optional<RetryPolicy> retry_;
  Sleeper sleep_;
};

Result<std::shared_ptr<const SinkSettings>> ParseSplunkHecSink(const YAML::Node& n,
                                                               const std::string& key,
                                                               const SinkParseContext& c) {
  using J = YamlReader;
  const YamlReader& r = c.reader;
  auto s = std::make_shared<SplunkHecSinkSettings>();
  ASSIGN_OR_RETURN(s->url, ParseSinkUrl(n, key, c, "where to send records"));
  if (!n["token"])
    return r.Error(n, J::Join(key, "token"),
                   "missing: the HEC token (use ${ENV_VAR} to keep it out of the file)");
  ASSIGN_OR_RETURN(s->token, r.String(n["token"], J::Join(key, "token")));
  if (n["index"]) {
    ASSIGN_OR_RETURN(s->index, r.String(n["index"], J::Join(key, "index")));
  }
  if (n["sourcetype"]) {
    ASSIGN_OR_RETURN(s->sourcetype, r.String(n["sourcetype"], J::Join(key, "sourcetype")));
  }
  RETURN_IF_ERROR(ParseHttpOptions(n, key, c, &s->timeout_ms, &s->headers));
  return std::shared_ptr<const SinkSettings>(std::move(s));
}

}  // namespace

std::string HecEndpoint(const std::string& url) {
  if (url.find("/services/collector") != std::string::npos) return url;
  std::string base = url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/services/collector/event";
}

const SinkType& SplunkHecSinkType() {
  static const SinkType kType{
      "splunk_hec",
      /*queued=*/true,
      {"url", "token", "index", "sourcetype", "timeout", "headers", "queue"},
      {RecordFormat::kWarden, RecordFormat::kOcsf},
      ParseSplunkHecSink,
      [](const SinkConfig& config, const SinkContext& context) -> Result<std::unique_ptr<Sink>> {
        return std::unique_ptr<Sink>(new SplunkHecSink(config, context));
      }};
  return kType;
}

}  // namespace warden

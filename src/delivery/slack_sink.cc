#include "delivery/slack_sink.h"

#include "core/strings.h"
#include "delivery/http_sink_settings.h"

namespace warden {

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

namespace {

Json SlackPayloadJson(const Finding& f) {
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
  return Json{{"text", fallback}, {"blocks", blocks}};
}

std::string Dump(const Json& payload) {
  return payload.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace

std::string SlackPayload(const Finding& f) { return Dump(SlackPayloadJson(f)); }

namespace {

class SlackSink : public Sink {
 public:
  SlackSink(SinkConfig config, const SinkContext& context)
      : Sink(std::move(config)),
        settings_(*this->config().SettingsAs<SlackSinkSettings>()),
        poster_(context.MakeHttpPoster()),
        retry_(context.retry),
        sleep_(context.sleep) {}

  std::string Render(const Record& record) const override {
    Json payload;
    if (record.finding) {
      payload = SlackPayloadJson(*record.finding);
    } else if (record.problem) {
      const Problem& p = record.problem->problem;
      Finding f = p.finding;
      f.id = p.id;
      f.rule_id = p.rule_id;
      f.title = std::string(ProblemActionName(record.problem->action)) + ": " + p.title;
      f.risk_level = p.risk_level;
      payload = SlackPayloadJson(f);
    } else {
      payload = {{"text", EscapeSlackText(RenderRecord(record, RecordFormat::kText))}};
    }
    // The mention is the owner's own mrkdwn (<!here>, <@U123>): not escaped.
    if (!settings_.mention.empty())
      payload["text"] = settings_.mention + " " + payload["text"].get<std::string>();
    if (!settings_.channel.empty()) payload["channel"] = settings_.channel;
    return Dump(payload);
  }

  Status Deliver(const std::vector<QueuedRecord>& batch) override {
    for (const QueuedRecord& r : batch) {
      HttpRequest request;
      request.url = settings_.url;
      request.timeout = std::chrono::milliseconds(settings_.timeout_ms);
      request.body = r.payload;
      request.headers = {{"Content-Type", "application/json"}};
      const std::string what = retry_ ? "slack" : "slack " + UrlHost(settings_.url);
      RETURN_IF_ERROR(
          PostOnceOrWithRetry(*poster_, request, what, retry_ ? &*retry_ : nullptr, sleep_)
              .status());
    }
    return Status::Ok();
  }

  // The webhook URL is a secret: only its host is shown.
  std::string Destination() const override { return "slack " + UrlHost(settings_.url); }

 private:
  const SlackSinkSettings& settings_;
  std::unique_ptr<HttpPoster> poster_;
  std::optional<RetryPolicy> retry_;
  Sleeper sleep_;
};

Result<std::shared_ptr<const SinkSettings>> ParseSlackSink(const YAML::Node& n,
                                                           const std::string& key,
                                                           const SinkParseContext& c) {
  auto s = std::make_shared<SlackSinkSettings>();
  ASSIGN_OR_RETURN(s->url, ParseSinkUrl(n, key, c,
                                        "the incoming webhook URL (use ${ENV_VAR} to keep it out "
                                        "of the file)"));
  std::map<std::string, std::string> no_headers;
  RETURN_IF_ERROR(ParseHttpOptions(n, key, c, &s->timeout_ms, &no_headers));
  return std::shared_ptr<const SinkSettings>(std::move(s));
}

}  // namespace

const SinkType& SlackSinkType() {
  static const SinkType kType{
      "slack",
      /*queued=*/true,
      {"url", "timeout", "queue"},
      {RecordFormat::kWarden},
      ParseSlackSink,
      [](const SinkConfig& config, const SinkContext& context) -> Result<std::unique_ptr<Sink>> {
        return std::unique_ptr<Sink>(new SlackSink(config, context));
      }};
  return kType;
}

}  // namespace warden

#include "delivery/notifier.h"

#include <cstdlib>

#include "core/time_format.h"
#include "delivery/slack_sink.h"
#include "delivery/webhook_sink.h"

namespace warden {

Finding MakeTestFinding() {
  Finding f;
  f.rule_id = "WARDEN-TEST";
  f.title = "Warden test notification";
  f.description = "This is a test record sent by `warden trail notify-test`; no action is needed.";
  f.risk_level = RiskLevel::kLow;
  f.source = "warden";
  f.resource = "warden";
  f.first_seen = f.last_seen = NowEpochSeconds();
  f.id = MakeFindingId({"WARDEN-TEST", std::to_string(f.first_seen)});
  f.attributes["test"] = true;
  return f;
}

Result<Notifier> Notifier::Create(const NotifierOptions& options, const Warn& warn,
                                  SinkContext context) {
  Notifier n;
  n.options_ = options;
  n.warn_ = warn ? warn : [](const std::string&) {};
  if (!context.retry) context.retry = RetryPolicy{};
  auto add = [&](const char* type, std::shared_ptr<const SinkSettings> settings) -> Status {
    SinkConfig c;
    c.name = type;
    c.type = type;
    c.records = {RecordKind::kFinding};
    c.settings = std::move(settings);
    ASSIGN_OR_RETURN(std::unique_ptr<Sink> sink, MakeSink(c, context));
    n.sinks_.push_back(std::move(sink));
    n.stats_.sinks.emplace_back().sink = type;
    return Status::Ok();
  };
  std::string slack = options.slack_url;
  if (slack.empty()) {
    if (const char* env = std::getenv("WARDEN_SLACK_WEBHOOK")) slack = env;
  }
  if (!slack.empty()) {
    auto s = std::make_shared<SlackSinkSettings>();
    s->url = slack;
    RETURN_IF_ERROR(add("slack", std::move(s)));
  }
  if (!options.webhook_url.empty()) {
    auto s = std::make_shared<WebhookSinkSettings>();
    s->url = options.webhook_url;
    s->one_request_per_record = true;
    if (const char* env = std::getenv(options.webhook_secret_env.c_str())) s->secret = env;
    if (s->secret.empty())
      n.warn_("warning: " + options.webhook_secret_env +
              " is not set; webhook requests will not be signed");
    RETURN_IF_ERROR(add("webhook", std::move(s)));
  }
  return n;
}

void Notifier::Notify(const Finding& finding) {
  if (sinks_.empty() || finding.risk_level < options_.min_risk) return;
  if (stats_.findings >= options_.max_per_run) {
    ++stats_.dropped;
    return;
  }
  ++stats_.findings;
  const Record record = FindingRecord(finding);
  for (size_t i = 0; i < sinks_.size(); ++i) {
    Status st = sinks_[i]->Deliver({sinks_[i]->Prepare(record)});
    SinkNotifyStats& tally = stats_.sinks[i];
    if (st.ok()) {
      ++tally.delivered;
      continue;
    }
    ++tally.failed;
    if (st.message() != tally.last_error)
      warn_(tally.sink + " notification not delivered: " + st.message());
    tally.last_error = st.message();
  }
}

int NotifierStats::delivered() const {
  int n = 0;
  for (const SinkNotifyStats& s : sinks) n += s.delivered;
  return n;
}

int NotifierStats::failed() const {
  int n = 0;
  for (const SinkNotifyStats& s : sinks) n += s.failed;
  return n;
}

Status Notifier::SendTest(const std::function<void(const std::string&)>& delivered) {
  if (sinks_.empty())
    return InvalidArgument("no sink configured (use --slack-webhook or --webhook)");
  const Record record = FindingRecord(MakeTestFinding());
  for (auto& sink : sinks_) {
    RETURN_IF_ERROR(sink->Deliver({sink->Prepare(record)}));
    if (delivered) delivered(sink->config().type);
  }
  return Status::Ok();
}

}  // namespace warden

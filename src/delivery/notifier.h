// Notifier sends findings to people as they are found (`warden trail scan
// --slack-webhook URL --webhook URL`): findings below a minimum risk are
// skipped, at most `max_per_run` are sent (the rest are counted), and each
// goes to every sink (fan-out), synchronously, through the same sink types
// the agent uses (Slack; webhook with one signed request per finding), with
// retries and backoff in place of a durable queue. Secrets come from the
// environment, never from flags: the Slack URL from WARDEN_SLACK_WEBHOOK
// when no flag gives it, the webhook key from a named variable.
// A Notifier is used by one thread.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/finding.h"
#include "delivery/sink_registry.h"

namespace warden {

struct NotifierOptions {
  std::string slack_url;  // "" = $WARDEN_SLACK_WEBHOOK, if set
  std::string webhook_url;
  std::string webhook_secret_env = "WARDEN_WEBHOOK_SECRET";
  RiskLevel min_risk = RiskLevel::kHigh;
  int max_per_run = 100;
};

// What happened to the notifications of one sink. "Delivered" means the
// receiver acknowledged the request (2xx); a delivery that failed after its
// retries is counted once in `failed`, never also as delivered.
struct SinkNotifyStats {
  std::string sink;  // the sink type: "slack", "webhook"
  int delivered = 0;
  int failed = 0;
  std::string last_error;  // the reason of the latest failure
};

struct NotifierStats {
  int findings = 0;  // findings selected for notification (each to every sink)
  int dropped = 0;   // over max_per_run, not sent
  std::vector<SinkNotifyStats> sinks;
  int delivered() const;
  int failed() const;
};

class Notifier {
 public:
  using Warn = std::function<void(const std::string&)>;
  // Sinks from the options and the environment; `warn` hears of a webhook
  // without a signing secret. `context` is for tests (fake posters, sleeps).
  static Result<Notifier> Create(const NotifierOptions& options, const Warn& warn,
                                 SinkContext context = {});

  bool empty() const { return sinks_.empty(); }
  // Sends a finding at or above the minimum risk to every sink; a failed
  // delivery is counted and its reason reported through `warn` the first
  // time that sink fails with that reason (the summary has the counts).
  void Notify(const Finding& finding);
  // A test finding to every sink; the first failure is the error.
  // `delivered` hears each sink's type name once it has the record.
  Status SendTest(const std::function<void(const std::string&)>& delivered);
  const NotifierStats& stats() const { return stats_; }

 private:
  Notifier() = default;
  NotifierOptions options_;
  Warn warn_;
  std::vector<std::shared_ptr<Sink>> sinks_;
  NotifierStats stats_;
};

// A finding for "send a test record": every sink must be testable.
Finding MakeTestFinding();

}  // namespace warden

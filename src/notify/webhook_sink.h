// Notification sinks over HTTP:
//
// WebhookSink POSTs the finding as Warden JSON (core FindingToJson), signed so
// the receiver can prove it came from Warden and is fresh:
//   X-Warden-Timestamp: <unix seconds>
//   X-Warden-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>
// Receivers recompute the HMAC over the exact body bytes, compare in constant
// time, and reject timestamps older than a few minutes (replays).
//
// SlackSink POSTs to a Slack incoming webhook: `text` (the fallback shown in
// notifications) plus Block Kit `blocks`. Every value taken from an event is
// escaped for Slack mrkdwn (&, <, > become entities, so `<!channel>` or
// `<https://evil|click>` in a user agent cannot ping or phish) and put in a
// code span with backticks neutralised.
#pragma once

#include <memory>
#include <string>

#include "notify/sink.h"

namespace warden {

// Lower-case hex HMAC-SHA256 of `data` under `key`.
std::string HmacSha256Hex(std::string_view key, std::string_view data);
// The value of X-Warden-Signature for a body sent at `timestamp`.
std::string WardenSignature(std::string_view secret, int64_t timestamp, std::string_view body);

class WebhookSink : public Sink {
 public:
  WebhookSink(std::string url, std::string secret, std::unique_ptr<HttpPoster> poster,
              RetryPolicy retry = {}, Sleeper sleep = SleepFor);
  std::string_view name() const override { return "webhook"; }
  Status Send(const Finding& finding) override;

 private:
  std::string url_, secret_;
  std::unique_ptr<HttpPoster> poster_;
  RetryPolicy retry_;
  Sleeper sleep_;
};

// Slack mrkdwn escaping of user data.
std::string EscapeSlackText(std::string_view text);
// The JSON payload SlackSink posts (exposed for tests).
std::string SlackPayload(const Finding& finding);

class SlackSink : public Sink {
 public:
  SlackSink(std::string webhook_url, std::unique_ptr<HttpPoster> poster, RetryPolicy retry = {},
            Sleeper sleep = SleepFor);
  std::string_view name() const override { return "slack"; }
  Status Send(const Finding& finding) override;

 private:
  std::string url_;
  std::unique_ptr<HttpPoster> poster_;
  RetryPolicy retry_;
  Sleeper sleep_;
};

}  // namespace warden

// The `slack` sink posts records to a Slack incoming webhook: findings and
// problem events as `text` (the fallback shown in notifications) plus Block
// Kit `blocks`; other records as a one-line `text`. Every value taken from an
// event is escaped for Slack mrkdwn (&, <, > become entities, so `<!channel>`
// or `<https://evil|click>` in a user agent cannot ping or phish) and put in
// a code span with backticks neutralised. One message per record (Slack's
// webhooks take one); queued (durable) like the other network sinks.
//   - {name: chat, type: slack, url: ${SLACK_WEBHOOK_URL}, records: [problems]}
#pragma once

#include <string>
#include <string_view>

#include "delivery/sink_registry.h"

namespace warden {

struct SlackSinkSettings : SinkSettings {
  std::string url;  // the incoming webhook URL (a secret: keep it in the environment)
  int64_t timeout_ms = 10000;
  // Not YAML keys (the server's channels set them): a channel other than
  // the webhook's own, for webhooks that allow it, and mrkdwn put before
  // every message's text to notify people ("<!here>", "<@U123>").
  std::string channel;
  std::string mention;
};

// Slack mrkdwn escaping of user data.
std::string EscapeSlackText(std::string_view text);
// The JSON payload posted for a finding (exposed for tests).
std::string SlackPayload(const Finding& finding);

const SinkType& SlackSinkType();

}  // namespace warden

// The `webhook` sink POSTs records as JSON, signed so the receiver can prove
// they came from Warden and are fresh:
//   X-Warden-Timestamp: <unix seconds>
//   X-Warden-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>
// Receivers recompute the HMAC over the exact body bytes, compare in constant
// time, and reject timestamps older than a few minutes (replays).
// Two shapes of request:
//   batched (the agent's configured sinks, queued): one POST per batch,
//     {"host","records":[{"id","kind","time","host","record"}...]} with
//     X-Warden-Records; the secret is required (16 characters at least).
//   one record per request (`warden trail`'s notifications): the record's
//     JSON as the body, X-Warden-Event naming its kind; unsigned when no
//     secret is given.
// Receivers de-duplicate by record id: delivery is at-least-once.
//   - {name: hook, type: webhook, url: https://siem/hook, secret: ${HOOK_SECRET},
//      timeout: 10s, headers: {X-A: b}}
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "delivery/sink_registry.h"

namespace warden {

struct WebhookSinkSettings : SinkSettings {
  std::string url;
  std::string secret;  // HMAC-SHA256 key
  std::map<std::string, std::string> headers;
  int64_t timeout_ms = 10000;
  // Not a YAML key: the notifier's request shape.
  bool one_request_per_record = false;
};

// Lower-case hex HMAC-SHA256 of `data` under `key`.
std::string HmacSha256Hex(std::string_view key, std::string_view data);
// The value of X-Warden-Signature for a body sent at `timestamp`.
std::string WardenSignature(std::string_view secret, int64_t timestamp, std::string_view body);

const SinkType& WebhookSinkType();

}  // namespace warden

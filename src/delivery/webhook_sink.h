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
// One record per request may instead be signed the way common receivers
// check it (the server's channels offer these):
//   standard_webhooks - Standard Webhooks: webhook-id (the record id),
//     webhook-timestamp, webhook-signature: v1,<base64 HMAC-SHA256(key,
//     "<id>.<timestamp>.<body>")>, the key being the secret base64-decoded
//     (after an optional whsec_ prefix);
//   github_sha256 - X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, body)>
//     (no timestamp: the receiver cannot refuse replays).
//   - {name: hook, type: webhook, url: https://siem/hook, secret: ${HOOK_SECRET},
//      timeout: 10s, headers: {X-A: b}}
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "delivery/sink_registry.h"

namespace warden {

enum class WebhookSignature { kWarden, kStandardWebhooks, kGithubSha256 };

struct WebhookSinkSettings : SinkSettings {
  std::string url;
  std::string secret;  // HMAC-SHA256 key
  std::map<std::string, std::string> headers;
  int64_t timeout_ms = 10000;
  // Not YAML keys: the request shape of the notifier and the server's
  // channels, and how those sign (batches are always signed kWarden).
  bool one_request_per_record = false;
  WebhookSignature signature = WebhookSignature::kWarden;
};

// Lower-case hex HMAC-SHA256 of `data` under `key`.
std::string HmacSha256Hex(std::string_view key, std::string_view data);
// The value of X-Warden-Signature for a body sent at `timestamp`.
std::string WardenSignature(std::string_view secret, int64_t timestamp, std::string_view body);
// The HMAC key of a Standard Webhooks secret ("whsec_" + base64, or base64
// alone); nullopt when it is not base64 of 24 to 64 bytes.
std::optional<std::string> StandardWebhooksKey(std::string_view secret);
// The value of webhook-signature ("v1,<base64>") for message `id` sent at
// `timestamp` under `key` (StandardWebhooksKey's bytes).
std::string StandardWebhooksSignature(std::string_view key, std::string_view id, int64_t timestamp,
                                      std::string_view body);

const SinkType& WebhookSinkType();

}  // namespace warden

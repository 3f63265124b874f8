// The HTTP sinks, built on src/notify's HttpPoster (libcurl; TLS always
// verified, no redirects) and its request signing. Both are queued (durable)
// sinks: each Deliver is one POST of a whole batch, and only a 2xx answer
// acknowledges it (see record_sink.h); retries and backoff belong to the
// agent's delivery loop, so a down receiver never blocks the agent.
//   splunk_hec - POST <url>/services/collector/event, "Authorization: Splunk
//                <token>", the batch as concatenated HEC event objects:
//                {"time","host","source":"warden","sourcetype","index","event":
//                <record>,"fields":{"record_id","kind"}}. Splunk's answer must
//                be 2xx with "code": 0.
//   webhook    - POST <url> with {"host","records":[{"id","kind","time",
//                "host","record"}...]}, signed like every Warden webhook:
//                X-Warden-Timestamp and X-Warden-Signature: sha256=<hex
//                HMAC-SHA256(secret, "<timestamp>.<body>")>.
// Receivers de-duplicate by record id (fields.record_id / records[].id):
// delivery is at-least-once.
#pragma once

#include <memory>
#include <string>

#include "agent/record_sink.h"
#include "notify/http_poster.h"

namespace warden {

Result<std::unique_ptr<RecordSink>> MakeSplunkHecRecordSink(
    const SinkConfig& config, const std::string& host_identifier,
    std::unique_ptr<HttpPoster> poster = nullptr);
Result<std::unique_ptr<RecordSink>> MakeWebhookRecordSink(
    const SinkConfig& config, const std::string& host_identifier,
    std::unique_ptr<HttpPoster> poster = nullptr);

// The HEC endpoint for a configured URL: the URL itself when it already names
// /services/collector..., else <url>/services/collector/event.
std::string HecEndpoint(const std::string& url);

}  // namespace warden

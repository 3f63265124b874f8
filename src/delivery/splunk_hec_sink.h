// The `splunk_hec` sink: POST <url>/services/collector/event with
// "Authorization: Splunk <token>", the batch as concatenated HEC event
// objects: {"time","host","source":"warden","sourcetype","index","event":
// <record>,"fields":{"record_id","kind"}}. Splunk's answer must be 2xx with
// "code": 0. Queued (durable): each Deliver is one POST of a whole batch.
// Receivers de-duplicate by fields.record_id: delivery is at-least-once.
//   - {name: splunk, type: splunk_hec, url: https://splunk:8088, token: ${HEC_TOKEN},
//      index: security, sourcetype: warden, timeout: 10s, headers: {X-A: b}}
#pragma once

#include <map>
#include <string>

#include "delivery/sink_registry.h"

namespace warden {

struct SplunkHecSinkSettings : SinkSettings {
  std::string url;
  std::string token;
  std::string index;
  std::string sourcetype = "warden";
  std::map<std::string, std::string> headers;
  int64_t timeout_ms = 10000;
  // Not a YAML key: the server's channels may turn certificate checks off for
  // a HEC endpoint with a self-signed certificate (`verify_tls: false`).
  bool verify_tls = true;
};

// The HEC endpoint for a configured URL: the URL itself when it already names
// /services/collector..., else <url>/services/collector/event.
std::string HecEndpoint(const std::string& url);

const SinkType& SplunkHecSinkType();

}  // namespace warden

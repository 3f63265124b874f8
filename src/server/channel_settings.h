// What a notification channel of the API is, checked and put in the
// delivery module's terms: its triggers (which problem events and whether
// audit entries go to it) and the matching of a problem event against them,
// the check of a channel's type settings and secret beyond the API schema,
// and the SinkConfig of src/delivery that delivers for a stored channel.
//
// The checks beyond the schema: URLs are https, or http to a loopback
// address, or http with `allow_insecure: true`; a webhook's secret fits its
// signature scheme; header names are tokens and not ones the sink sets
// itself; a syslog address is host:port (a socket path for unix); a file
// channel's path stays inside <state_dir>/files (an API admin must not be
// able to write whatever file the server can); transports and formats the
// sinks do not have (syslog over TLS, CEF) are refused rather than ignored.
// Every refusal names the body member (/config/url, /secret, ...).
//
// Not here: storing channels (store/channel_repository.h), delivering or
// evaluating the fleet's events (channel_delivery.h), HTTP.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "api/openapi_spec.h"
#include "core/finding.h"  // Json
#include "core/risk_level.h"
#include "delivery/sink.h"
#include "store/channel_repository.h"

namespace warden::server {

// The spec's ChannelType values.
bool IsChannelType(std::string_view type);

struct ChannelTriggers {
  bool problems = true;  // kinds: problems
  bool audit = false;    // kinds: audit
  std::optional<RiskLevel> min_risk_level;
  std::vector<std::string> rule_ids;  // empty: any rule
  std::vector<std::string> labels;    // empty: any host; else the host has one of them
  std::vector<std::string> actions;   // empty: every lifecycle action
};

// From a ChannelTriggers object of the API (already schema-checked) or as
// stored; members it does not know are ignored, missing ones take their
// defaults (kinds [problems], nothing else narrowing).
ChannelTriggers ParseChannelTriggers(const Json& triggers);
// Every member, defaults included (what the API shows and the store keeps).
Json ChannelTriggersJson(const ChannelTriggers& triggers);

// A problem lifecycle event as triggers see it.
struct ProblemNotice {
  RiskLevel risk_level = RiskLevel::kLow;
  std::string rule_id;
  std::vector<std::string> host_labels;
  std::string action;  // the spec's ProblemAction: opened, updated, resolved, ...
};
bool TriggersMatch(const ChannelTriggers& triggers, const ProblemNotice& notice);

// A refused setting: the JSON pointer of the body member and why.
struct ChannelSettingsError {
  std::string field;
  std::string message;
};

// Checks a channel's `config` and secret for `type` (an unknown type is an
// error naming /type): the spec's schema of the type's config (an update's
// config is checked only here), then the rules above. The config with every
// default filled in, as the store keeps it and the API shows it.
std::variant<Json, ChannelSettingsError> CheckChannelSettings(
    const api::OpenApiSpec& spec, std::string_view type, const Json& config,
    const std::optional<std::string>& secret);

// True for 127.0.0.0/8, ::1 and localhost: the only hosts plain http may
// reach without allow_insecure.
bool IsLoopbackHost(std::string_view host);
// The host of an http(s) URL ("" when there is none); IPv6 without brackets.
std::string UrlHostName(std::string_view url);

// The sink name of a channel's queue and log lines ("channel-12").
std::string ChannelSinkName(int64_t channel_id);

// The delivery sink of a stored channel (checked when it was stored): its
// settings, one request per record for webhooks, `queue` for the network
// types, file paths resolved under <state_dir>/files, every network timeout
// at most `max_timeout_ms`. Routes problem and audit records (and tests).
// Always enabled: the channel's own `enabled` decides whether it delivers,
// and its queue can be read either way.
Result<SinkConfig> ChannelSinkConfig(const store::Channel& channel, const std::string& state_dir,
                                     const QueueConfig& queue, int64_t max_timeout_ms = 60000);

}  // namespace warden::server

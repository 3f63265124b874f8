// Reading the keys the HTTP sinks share (url, timeout, headers) from a
// `sinks:` entry. Internal to src/delivery.
#pragma once

#include <map>
#include <string>

#include "delivery/sink_registry.h"

namespace warden {

// url: required, http:// or https://.
Result<std::string> ParseSinkUrl(const YAML::Node& n, const std::string& key,
                                 const SinkParseContext& context, const std::string& missing);
// timeout and headers, when present.
Status ParseHttpOptions(const YAML::Node& n, const std::string& key,
                        const SinkParseContext& context, int64_t* timeout_ms,
                        std::map<std::string, std::string>* headers);

}  // namespace warden

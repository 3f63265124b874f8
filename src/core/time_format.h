// Timestamps as Warden prints them: RFC 3339 in UTC ("2026-11-23T01:17:24Z"),
// with epoch seconds kept alongside where osquery compatibility needs them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace warden {

int64_t NowEpochSeconds();
int64_t NowEpochMillis();
std::string FormatRfc3339(int64_t epoch_seconds);
// Parses "YYYY-MM-DDTHH:MM:SS[.fff](Z|+HH:MM)"; nullopt when malformed.
std::optional<int64_t> ParseRfc3339(std::string_view text);

}  // namespace warden

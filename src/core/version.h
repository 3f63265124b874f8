// Warden's own version, reported by `warden --version` and osquery_info.
#pragma once

namespace warden {
inline constexpr const char* kWardenVersion = "0.1.0";
}  // namespace warden

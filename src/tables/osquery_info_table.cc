// The osquery_info table: one row describing the running Warden, in
// osquery's terms, so fleet tooling that reads osquery_info keeps working.
//   pid            this process
//   uuid           the host identifier: /etc/machine-id (read through HostFs,
//                  so --root reports the image's) as a hyphenated UUID; else
//                  the SMBIOS product_uuid that osquery itself uses; else NULL
//   instance_id    the agent's persistent id when it provides one
//                  (warden_tables.h), otherwise a random UUID made once per
//                  process
//   version        Warden's version (core/version.h), not an osquery version
//   config_hash, config_valid   from the agent; "" and 0 without one
//   extensions     "inactive" (Warden has no extension manager)
//   build_platform "linux"; build_distro the WARDEN_BUILD_DISTRO compile
//                  definition when the build sets one, else "unknown"
//   start_time     when this process started (epoch seconds)
//   watcher        -1: there is no watchdog process
//   platform_mask  9, osquery's POSIX|LINUX bits
#include <openssl/rand.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <ctime>

#include "core/strings.h"
#include "core/version.h"
#include "tables/warden_tables.h"

#ifndef WARDEN_BUILD_DISTRO
#define WARDEN_BUILD_DISTRO "unknown"
#endif

namespace warden {
namespace {

// Taken when the program loads, i.e. at process start.
const int64_t kProcessStartTime = static_cast<int64_t>(std::time(nullptr));
constexpr int64_t kOsqueryPlatformPosix = 0x01;
constexpr int64_t kOsqueryPlatformLinux = 0x08;

// 32 hex digits as 8-4-4-4-12, lowercase; "" when text is not 32 hex digits.
std::string HyphenatedUuid(std::string_view text) {
  std::string hex;
  for (char c : text) {
    if (c == '-') continue;
    if (!std::isxdigit(static_cast<unsigned char>(c))) return "";
    hex.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  if (hex.size() != 32) return "";
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20);
}

std::string HostUuid(const HostFs& fs) {
  for (const char* path : {"/etc/machine-id", "/sys/class/dmi/id/product_uuid"}) {
    auto text = fs.ReadFile(path, 4096);
    if (!text.ok()) continue;
    std::string uuid = HyphenatedUuid(TrimWhitespace(*text));
    // An all-zero id is a placeholder (uninitialised image), not an identity.
    if (!uuid.empty() && uuid != "00000000-0000-0000-0000-000000000000") return uuid;
  }
  return "";
}

const std::string& ProcessInstanceId() {
  static const std::string id = [] {
    unsigned char b[16] = {};
    if (RAND_bytes(b, sizeof b) != 1) {
      // No entropy source: fall back to something unique enough per host.
      std::snprintf(reinterpret_cast<char*>(b), sizeof b, "%lld%d",
                    static_cast<long long>(kProcessStartTime), static_cast<int>(::getpid()));
    }
    b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);  // version 4
    b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
    char hex[33];
    for (size_t i = 0; i < 16; ++i) std::snprintf(hex + 2 * i, 3, "%02x", b[i]);
    return HyphenatedUuid(std::string_view(hex, 32));
  }();
  return id;
}

}  // namespace

void RegisterOsqueryInfoTable(TableRegistry& r) {
  r.Add(
      TableSchema{
          "osquery_info",
          "Top level information about the running Warden (as osquery).",
          {{"pid", ColumnType::kInteger, kNone, "", "Process (or thread/handle) ID"},
           {"uuid", ColumnType::kText, kNone, "nocase", "Unique ID provided by the system"},
           {"instance_id", ColumnType::kText, kNone, "", "Unique, long-lived ID per instance"},
           {"version", ColumnType::kText, kNone, "version", "Warden version"},
           {"config_hash", ColumnType::kText, kNone, "nocase",
            "Hash of the working configuration state"},
           {"config_valid", ColumnType::kInteger, kNone, "",
            "1 if the config was loaded and considered valid, else 0"},
           {"extensions", ColumnType::kText, kNone, "", "Extension manager status: inactive"},
           {"build_platform", ColumnType::kText, kNone, "", "Build platform"},
           {"build_distro", ColumnType::kText, kNone, "", "Build distribution"},
           {"start_time", ColumnType::kInteger, kNone, "",
            "UNIX time in seconds when the process started"},
           {"watcher", ColumnType::kInteger, kNone, "",
            "Process (or thread/handle) ID of optional watcher process, -1 if none"},
           {"platform_mask", ColumnType::kInteger, kNone, "", "The osquery platform bitmask"}}},
      [](const QueryContext& ctx, RowWriter& out) -> Status {
        WardenRuntimeState state = CurrentWardenRuntimeState();
        Row& row = out.Add();
        row.Set("pid", static_cast<int64_t>(::getpid()));
        if (std::string uuid = HostUuid(ctx.fs()); !uuid.empty()) row.Set("uuid", uuid);
        row.Set("instance_id", state.instance_id.empty() ? ProcessInstanceId() : state.instance_id);
        row.Set("version", kWardenVersion);
        row.Set("config_hash", state.config_hash);
        row.Set("config_valid", state.config_valid);
        row.Set("extensions", "inactive");
        row.Set("build_platform", "linux");
        row.Set("build_distro", WARDEN_BUILD_DISTRO);
        row.Set("start_time", kProcessStartTime);
        row.Set("watcher", -1);
        row.Set("platform_mask", kOsqueryPlatformPosix | kOsqueryPlatformLinux);
        return Status::Ok();
      });
}

}  // namespace warden

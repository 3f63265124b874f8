// ulimit_info: the resource limits of the querying process, from
// /proc/self/limits (read through HostFs so a fixture tree can supply one;
// on the live host it is exactly what getrlimit(2) returns). Types use
// osquery's names (cpu, fsize, data, stack, core, rss, nproc, nofile,
// memlock, as, locks, sigpending, msgqueue, nice, rtprio) in osquery's
// alphabetical order; values are text, "unlimited" when infinite. Limits the
// kernel does not list are left out; RLIMIT_RTTIME has no osquery name and is
// not reported.
#include <map>

#include "core/strings.h"
#include "sql/table.h"
#include "tables/system_tables.h"

namespace warden {
namespace {

// /proc/self/limits row titles -> osquery's type names.
const std::map<std::string_view, std::string_view>& LimitNames() {
  static const std::map<std::string_view, std::string_view> kNames = {
      {"Max cpu time", "cpu"},
      {"Max file size", "fsize"},
      {"Max data size", "data"},
      {"Max stack size", "stack"},
      {"Max core file size", "core"},
      {"Max resident set", "rss"},
      {"Max processes", "nproc"},
      {"Max open files", "nofile"},
      {"Max locked memory", "memlock"},
      {"Max address space", "as"},
      {"Max file locks", "locks"},
      {"Max pending signals", "sigpending"},
      {"Max msgqueue size", "msgqueue"},
      {"Max nice priority", "nice"},
      {"Max realtime priority", "rtprio"},
  };
  return kNames;
}

}  // namespace

void RegisterUlimitInfoTable(TableRegistry& registry) {
  registry.Add(TableSchema{"ulimit_info",
                           "Resource limits (soft and hard) of the querying process.",
                           {{"type", ColumnType::kText},
                            {"soft_limit", ColumnType::kText},
                            {"hard_limit", ColumnType::kText}}},
               [](const QueryContext& ctx, RowWriter& out) -> Status {
                 auto text = ctx.fs().ReadFile("/proc/self/limits", 1 << 16);
                 if (!text.ok()) return Status::Ok();
                 // osquery emits its std::map in key order: keep that order.
                 std::map<std::string_view, std::pair<std::string, std::string>> limits;
                 for (std::string_view line : SplitString(*text, '\n')) {
                   // Titles are padded to 26 columns, then soft, hard, units.
                   if (line.size() < 26) continue;
                   std::string_view title = TrimWhitespace(line.substr(0, 26));
                   auto it = LimitNames().find(title);
                   if (it == LimitNames().end()) continue;
                   auto values = SplitWhitespace(line.substr(26));
                   if (values.size() < 2) continue;
                   limits[it->second] = {std::string(values[0]), std::string(values[1])};
                 }
                 for (const auto& [type, soft_hard] : limits) {
                   Row& row = out.Add();
                   row.Set("type", type);
                   row.Set("soft_limit", soft_hard.first);
                   row.Set("hard_limit", soft_hard.second);
                 }
                 return Status::Ok();
               });
}

}  // namespace warden

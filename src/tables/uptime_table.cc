// uptime: time since the host booted, from /proc/uptime (the first field,
// seconds with hundredths). Whole seconds, split into days/hours/minutes/
// seconds as osquery does. A host without /proc/uptime (a mounted image)
// has no row.
#include "core/strings.h"
#include "sql/table.h"
#include "tables/system_tables.h"

namespace warden {

void RegisterUptimeTable(TableRegistry& registry) {
  registry.Add(
      TableSchema{"uptime",
                  "Time since the host last booted.",
                  {{"days", ColumnType::kInteger},
                   {"hours", ColumnType::kInteger},
                   {"minutes", ColumnType::kInteger},
                   {"seconds", ColumnType::kInteger},
                   {"total_seconds", ColumnType::kBigInt}}},
      [](const QueryContext& ctx, RowWriter& out) -> Status {
        auto text = ctx.fs().ReadFile("/proc/uptime", 4096);
        if (!text.ok()) return Status::Ok();
        auto fields = SplitWhitespace(*text);
        double up = 0;
        if (fields.empty() || !ParseDouble(fields[0], &up) || up < 0)
          return ParseError("/proc/uptime: expected seconds since boot as its first field");
        auto total = static_cast<int64_t>(up);
        Row& row = out.Add();
        row.Set("days", total / 86400);
        row.Set("hours", (total % 86400) / 3600);
        row.Set("minutes", (total % 3600) / 60);
        row.Set("seconds", total % 60);
        row.Set("total_seconds", total);
        return Status::Ok();
      });
}

}  // namespace warden

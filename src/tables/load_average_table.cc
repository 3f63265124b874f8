// load_average: the 1, 5 and 15 minute load averages from /proc/loadavg, one
// row per period ("1m", "5m", "15m"). The average is TEXT with six decimals,
// as osquery formats it ("0.410000"). No /proc/loadavg: no rows.
#include <cstdio>

#include "core/strings.h"
#include "sql/table.h"
#include "tables/system_tables.h"

namespace warden {

void RegisterLoadAverageTable(TableRegistry& registry) {
  registry.Add(TableSchema{"load_average",
                           "System load averages over 1, 5 and 15 minutes.",
                           {{"period", ColumnType::kText}, {"average", ColumnType::kText}}},
               [](const QueryContext& ctx, RowWriter& out) -> Status {
                 auto text = ctx.fs().ReadFile("/proc/loadavg", 4096);
                 if (!text.ok()) return Status::Ok();
                 auto fields = SplitWhitespace(*text);
                 static constexpr const char* kPeriods[] = {"1m", "5m", "15m"};
                 double loads[3];
                 for (size_t i = 0; i < 3; ++i) {
                   if (i >= fields.size() || !ParseDouble(fields[i], &loads[i]))
                     return ParseError("/proc/loadavg: expected three load averages");
                 }
                 for (size_t i = 0; i < 3; ++i) {
                   char buf[64];
                   std::snprintf(buf, sizeof buf, "%f", loads[i]);
                   Row& row = out.Add();
                   row.Set("period", kPeriods[i]);
                   row.Set("average", std::string(buf));
                 }
                 return Status::Ok();
               });
}

}  // namespace warden

// cpu_time: per-core CPU time from the "cpuN" lines of /proc/stat, in the
// kernel's clock ticks (USER_HZ, normally 1/100 s), exactly as the file has
// them. The aggregate "cpu" line is not a row (osquery drops it too).
// Fields older kernels lack (steal, guest, guest_nice) are 0, as in osquery.
#include "core/strings.h"
#include "sql/table.h"
#include "tables/system_tables.h"

namespace warden {

void RegisterCpuTimeTable(TableRegistry& registry) {
  registry.Add(TableSchema{"cpu_time",
                           "CPU time per core since boot, in clock ticks as in /proc/stat.",
                           {{"core", ColumnType::kInteger},
                            {"user", ColumnType::kBigInt},
                            {"nice", ColumnType::kBigInt},
                            {"system", ColumnType::kBigInt},
                            {"idle", ColumnType::kBigInt},
                            {"iowait", ColumnType::kBigInt},
                            {"irq", ColumnType::kBigInt},
                            {"softirq", ColumnType::kBigInt},
                            {"steal", ColumnType::kBigInt},
                            {"guest", ColumnType::kBigInt},
                            {"guest_nice", ColumnType::kBigInt}}},
               [](const QueryContext& ctx, RowWriter& out) -> Status {
                 auto text = ctx.fs().ReadFile("/proc/stat", 16u << 20);
                 if (!text.ok()) return Status::Ok();
                 static constexpr const char* kColumns[] = {
                     "user", "nice",    "system", "idle",  "iowait",
                     "irq",  "softirq", "steal",  "guest", "guest_nice"};
                 for (std::string_view line : SplitString(*text, '\n')) {
                   if (!StartsWith(line, "cpu")) continue;
                   auto fields = SplitWhitespace(line);
                   int64_t core = 0;
                   // "cpu" alone is the all-core total; a malformed line is skipped.
                   if (fields.size() < 8 || !ParseInt64(fields[0].substr(3), &core)) continue;
                   Row& row = out.Add();
                   row.Set("core", core);
                   for (size_t i = 0; i < std::size(kColumns); ++i) {
                     int64_t ticks = 0;
                     if (i + 1 < fields.size() && !ParseInt64(fields[i + 1], &ticks)) ticks = 0;
                     row.Set(kColumns[i], ticks);
                   }
                 }
                 return Status::Ok();
               });
}

}  // namespace warden

// memory_info: main memory and swap from /proc/meminfo, in bytes (the file
// reports kB; osquery multiplies by 1024). One row; a field missing from the
// file is NULL. No /proc/meminfo: no row.
#include "core/strings.h"
#include "sql/table.h"
#include "tables/system_tables.h"

namespace warden {
namespace {

struct MeminfoField {
  std::string_view key;  // as in /proc/meminfo, without the colon
  const char* column;
};

constexpr MeminfoField kFields[] = {
    {"MemTotal", "memory_total"}, {"MemFree", "memory_free"}, {"MemAvailable", "memory_available"},
    {"Buffers", "buffers"},       {"Cached", "cached"},       {"SwapCached", "swap_cached"},
    {"Active", "active"},         {"Inactive", "inactive"},   {"SwapTotal", "swap_total"},
    {"SwapFree", "swap_free"},
};

}  // namespace

void RegisterMemoryInfoTable(TableRegistry& registry) {
  registry.Add(TableSchema{"memory_info",
                           "Main memory and swap usage, in bytes.",
                           {{"memory_total", ColumnType::kBigInt},
                            {"memory_free", ColumnType::kBigInt},
                            {"memory_available", ColumnType::kBigInt},
                            {"buffers", ColumnType::kBigInt},
                            {"cached", ColumnType::kBigInt},
                            {"swap_cached", ColumnType::kBigInt},
                            {"active", ColumnType::kBigInt},
                            {"inactive", ColumnType::kBigInt},
                            {"swap_total", ColumnType::kBigInt},
                            {"swap_free", ColumnType::kBigInt}}},
               [](const QueryContext& ctx, RowWriter& out) -> Status {
                 auto text = ctx.fs().ReadFile("/proc/meminfo", 1 << 20);
                 if (!text.ok()) return Status::Ok();
                 Row& row = out.Add();
                 for (std::string_view line : SplitString(*text, '\n')) {
                   size_t colon = line.find(':');
                   if (colon == std::string_view::npos) continue;
                   std::string_view key = line.substr(0, colon);
                   for (const auto& field : kFields) {
                     if (key != field.key) continue;
                     auto parts = SplitWhitespace(line.substr(colon + 1));
                     int64_t kib = 0;
                     if (!parts.empty() && ParseInt64(parts[0], &kib))
                       row.Set(field.column, kib * 1024);
                     break;
                   }
                 }
                 return Status::Ok();
               });
}

}  // namespace warden

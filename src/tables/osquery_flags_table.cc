// The osquery_flags table: Warden's settings in osquery's flag shape. Warden
// has few settings, so this is a fixed list of the real ones:
//   root                 where host state is read from (--root); its value is
//                        the root this query actually reads
//   timeout_ms           the per-query time budget (--timeout-ms); its value
//                        is known only when the running program reports it
//                        through WardenRuntimeState::flag_values, else NULL
//   hash_max_file_bytes  files larger than this are not hashed by the hash
//                        table (fixed; osquery's read_max)
// Values reported in WardenRuntimeState::flag_values override these; flags
// named there but not listed here are added as type "string".
#include <set>

#include "sql/sql_engine.h"
#include "tables/file_digest.h"
#include "tables/warden_tables.h"

namespace warden {
namespace {

struct FlagSpec {
  std::string name;
  std::string type;
  std::string description;
  std::string default_value;
  std::optional<std::string> value;  // nullopt = unknown
};

std::vector<FlagSpec> KnownFlags(const QueryContext& ctx) {
  std::string default_timeout = std::to_string(QueryOptions{}.timeout.count());
  std::string hash_limit = std::to_string(kMaxHashedFileBytes);
  return {
      {"root", "string", "Read host state under this directory instead of /", "/", ctx.fs().root()},
      {"timeout_ms", "int32", "Stop a query after this many milliseconds", default_timeout,
       std::nullopt},
      {"hash_max_file_bytes", "uint64",
       "Files larger than this many bytes are not hashed by the hash table (fixed)", hash_limit,
       hash_limit},
  };
}

}  // namespace

void RegisterOsqueryFlagsTable(TableRegistry& r) {
  r.Add(TableSchema{"osquery_flags",
                    "Configurable settings of Warden, in osquery's flags shape.",
                    {{"name", ColumnType::kText, kNone, "", "Flag name"},
                     {"type", ColumnType::kText, kNone, "", "Flag type"},
                     {"description", ColumnType::kText, kNone, "", "Flag description"},
                     {"default_value", ColumnType::kText, kNone, "", "Flag default value"},
                     {"value", ColumnType::kText, kNone, "", "Flag value"},
                     {"shell_only", ColumnType::kInteger, kNone, "",
                      "Is this flag for the interactive shell only"}}},
        [](const QueryContext& ctx, RowWriter& out) -> Status {
          WardenRuntimeState state = CurrentWardenRuntimeState();
          std::vector<FlagSpec> flags = KnownFlags(ctx);
          std::set<std::string> known;
          for (FlagSpec& flag : flags) {
            known.insert(flag.name);
            if (auto it = state.flag_values.find(flag.name); it != state.flag_values.end())
              flag.value = it->second;
          }
          for (const auto& [name, value] : state.flag_values)
            if (known.count(name) == 0) flags.push_back({name, "string", "", "", value});
          for (const FlagSpec& flag : flags) {
            Row& row = out.Add();
            row.Set("name", flag.name);
            row.Set("type", flag.type);
            row.Set("description", flag.description);
            row.Set("default_value", flag.default_value);
            if (flag.value) row.Set("value", *flag.value);
            row.Set("shell_only", 0);
          }
          return Status::Ok();
        });
}

}  // namespace warden

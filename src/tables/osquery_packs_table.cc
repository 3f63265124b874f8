// The osquery_packs table: the agent's query packs, from
// WardenRuntimeState::packs (warden_tables.h). Empty until an agent
// provides packs.
#include "tables/warden_tables.h"

namespace warden {

void RegisterOsqueryPacksTable(TableRegistry& r) {
  r.Add(TableSchema{"osquery_packs",
                    "Information about the current query packs that are loaded in Warden.",
                    {{"name", ColumnType::kText, kNone, "", "The given name for this query pack"},
                     {"platform", ColumnType::kText, kNone, "",
                      "Platforms this query is supported on"},
                     {"version", ColumnType::kText, kNone, "version",
                      "Minimum version this query pack runs on"},
                     {"shard", ColumnType::kInteger, kNone, "",
                      "Shard restriction limit, 1-100, 0 meaning no restriction"},
                     {"discovery_cache_hits", ColumnType::kInteger, kNone, "",
                      "The number of times that the discovery query used cached values since the "
                      "last time the config was reloaded"},
                     {"discovery_executions", ColumnType::kInteger, kNone, "",
                      "The number of times that the discovery queries have been executed since the "
                      "last time the config was reloaded"},
                     {"active", ColumnType::kInteger, kNone, "",
                      "Whether this pack is active (the version, platform and discovery queries "
                      "match) yes=1, no=0."}}},
        [](const QueryContext&, RowWriter& out) -> Status {
          for (const QueryPackInfo& pack : CurrentWardenRuntimeState().packs) {
            Row& row = out.Add();
            row.Set("name", pack.name);
            row.Set("platform", pack.platform);
            row.Set("version", pack.version);
            row.Set("shard", pack.shard);
            row.Set("discovery_cache_hits", pack.discovery_cache_hits);
            row.Set("discovery_executions", pack.discovery_executions);
            row.Set("active", pack.active);
          }
          return Status::Ok();
        });
}

}  // namespace warden

// The osquery_events table: event publishers and subscribers, from
// WardenRuntimeState::events (warden_tables.h). Empty until an agent runs
// event sources (e.g. eBPF) and reports them.
#include "tables/warden_tables.h"

namespace warden {

void RegisterOsqueryEventsTable(TableRegistry& r) {
  r.Add(
      TableSchema{"osquery_events",
                  "Information about the event publishers and subscribers.",
                  {{"name", ColumnType::kText, kNone, "", "Event publisher or subscriber name"},
                   {"publisher", ColumnType::kText, kNone, "", "Name of the associated publisher"},
                   {"type", ColumnType::kText, kNone, "", "Either publisher or subscriber"},
                   {"subscriptions", ColumnType::kInteger, kNone, "",
                    "Number of subscriptions the publisher received or subscriber used"},
                   {"events", ColumnType::kInteger, kNone, "",
                    "Number of events emitted or received since osquery started"},
                   {"refreshes", ColumnType::kInteger, kNone, "",
                    "Publisher only: number of runloop restarts"},
                   {"active", ColumnType::kInteger, kNone, "",
                    "1 if the publisher or subscriber is active else 0"}}},
      [](const QueryContext&, RowWriter& out) -> Status {
        for (const EventSourceInfo& e : CurrentWardenRuntimeState().events) {
          Row& row = out.Add();
          row.Set("name", e.name);
          row.Set("publisher", e.publisher);
          row.Set("type", e.type);
          row.Set("subscriptions", e.subscriptions);
          row.Set("events", e.events);
          row.Set("refreshes", e.refreshes);
          row.Set("active", e.active);
        }
        return Status::Ok();
      });
}

}  // namespace warden

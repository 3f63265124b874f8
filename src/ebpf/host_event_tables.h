// The event tables of the host collector, queryable with `warden query`:
// bpf_process_events (one row per exec) and bpf_socket_events (one row per
// connect/accept/bind/listen), with osquery 5.23.1's schemas (the tables
// osquery removed) plus Warden-only columns after osquery's. They read the
// bounded event journal the collector writes (`warden events watch`, later
// the agent); with no collector ever run they are empty. Constraints on the
// hidden `time` column are pushed down: records outside the range are skipped
// before they are decoded.
#pragma once

#include <string>

#include "sql/table.h"

namespace warden {

// Registers both tables. `journal_path` empty = DefaultEventJournalPath() at
// query time (so WARDEN_EVENTS_JOURNAL set after start-up still applies).
void RegisterHostEventTables(TableRegistry& registry, std::string journal_path = {});

}  // namespace warden

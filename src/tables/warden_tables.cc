// RegisterWardenTables and the process-wide WardenRuntimeStateSource slot
// (see warden_tables.h). The slot is a mutex-guarded std::function: set once
// by the agent at start-up, read once per scan of an osquery_* table.
#include "tables/warden_tables.h"

#include <memory>
#include <mutex>

#include "tables/table_groups.h"

namespace warden {
namespace {

std::mutex& StateSourceMutex() {
  static std::mutex mu;
  return mu;
}

WardenRuntimeStateSource& StateSource() {
  static WardenRuntimeStateSource source;
  return source;
}

}  // namespace

void SetWardenRuntimeStateSource(WardenRuntimeStateSource source) {
  std::lock_guard<std::mutex> lock(StateSourceMutex());
  StateSource() = std::move(source);
}

WardenRuntimeState CurrentWardenRuntimeState() {
  WardenRuntimeStateSource source;
  {
    std::lock_guard<std::mutex> lock(StateSourceMutex());
    source = StateSource();
  }
  // Called outside the lock: the source may take its own locks.
  return source ? source() : WardenRuntimeState{};
}

void RegisterWardenTables(TableRegistry& registry) {
  RegisterOsqueryInfoTable(registry);
  RegisterOsqueryRegistryTable(registry);
  RegisterOsqueryFlagsTable(registry);
  RegisterOsqueryScheduleTable(registry);
  RegisterOsqueryPacksTable(registry);
  RegisterOsqueryExtensionsTable(registry);
  RegisterOsqueryEventsTable(registry);
}

}  // namespace warden

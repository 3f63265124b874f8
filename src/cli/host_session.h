// HostSession bundles what a command needs to run SQL over a host: the table
// registry with every built-in table, the HostFs for --root, and an engine.
#pragma once

#include <memory>
#include <string>

#include "core/host_fs.h"
#include "sql/sql_engine.h"
#include "sql/table.h"

namespace warden {

// Every table Warden has: the built-in host tables plus those of modules
// above src/tables (vulnerabilities, bpf_*_events).
void RegisterAllTables(TableRegistry& registry);

class HostSession {
 public:
  static Result<std::unique_ptr<HostSession>> Open(const std::string& root);
  SqlEngine& engine() { return *engine_; }
  const TableRegistry& registry() const { return registry_; }

 private:
  HostSession(const std::string& root) : fs_(root) {}
  TableRegistry registry_;
  HostFs fs_;
  std::unique_ptr<SqlEngine> engine_;
};

}  // namespace warden

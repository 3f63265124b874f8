// Registration functions of the PROCESS group of tables: what runs on the host
// (processes and their environment, memory maps, namespaces), what each process
// holds open (files, sockets, pipes) and what listens (listening_ports). Each
// function lives in its own <table>_table.cc; RegisterProcessTables
// (process_tables.cc) calls them all. The /proc parsing they share is in
// proc_reader.h and proc_sockets.h.
#pragma once

#include "sql/table.h"

namespace warden {

void RegisterProcessesTable(TableRegistry& registry);
void RegisterProcessEnvsTable(TableRegistry& registry);
void RegisterProcessOpenFilesTable(TableRegistry& registry);
void RegisterProcessOpenSocketsTable(TableRegistry& registry);
void RegisterProcessOpenPipesTable(TableRegistry& registry);
void RegisterProcessMemoryMapTable(TableRegistry& registry);
void RegisterProcessNamespacesTable(TableRegistry& registry);
void RegisterListeningPortsTable(TableRegistry& registry);

}  // namespace warden

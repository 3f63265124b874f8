// The embedded SQLite implementation of the server's Store (store.h): one
// database file in the server's state directory, in WAL mode so that readers
// never wait for the writer; the schema from the embedded migrations
// (sqlite_migrations.h), applied on open; one writer connection owned by a
// writer thread that commits queued writes in batches (group commit with
// synchronous=FULL: a write is acknowledged only once it is on disk); and a
// pool of read-only connections for readers. Opening a database written by
// a newer warden fails with an error saying so and leaves it untouched.
// Not here: PostgreSQL (a later implementation of the same interface).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/status.h"
#include "store/store.h"

namespace warden::store {

struct SqliteStoreOptions {
  std::string path;  // the database file; its directory must exist
  // Concurrent readers; more wait for a free connection.
  int read_connections = 4;
  // Most writes in one transaction.
  int64_t max_batch_writes = 1000;
  // Writes waiting beyond this are refused with kUnavailable (overload).
  int64_t max_queued_writes = 100'000;
  // FULL: a committed write survives power loss, not only a crash of the
  // process. Off only for benchmarks that measure everything else.
  bool synchronous_full = true;
};

// Opens (creating when missing) and migrates the database, then starts the
// writer thread. The store's destructor commits what is queued, then stops.
Result<std::unique_ptr<Store>> OpenSqliteStore(const SqliteStoreOptions& options);

}  // namespace warden::store

// The record ledger makes ingest idempotent. Agents deliver records at least
// once (they resend whatever was not acknowledged); the server claims each
// (host_id, record id) in the ledger inside the transaction that stores the
// record, and skips a record whose claim fails because it is already there.
// The acknowledgement is sent only after that transaction commits, so
// at-least-once delivery becomes exactly-once storage, across restarts.
// Reads are thread-safe; writes run inside a store transaction.
// Not here: what a record contains or where it is stored (per kind).
#pragma once

#include <cstdint>
#include <string_view>

#include "core/status.h"
#include "store/list_query.h"

namespace warden::store {

class RecordLedger {
 public:
  // Record ids are opaque text from the agent, at most this long.
  static constexpr size_t kMaxRecordIdBytes = 200;

  virtual ~RecordLedger() = default;
  virtual Result<bool> Contains(int64_t host_id, std::string_view record_id) = 0;
  virtual Result<int64_t> CountForHost(int64_t host_id) = 0;
};

class RecordLedgerWriter {
 public:
  virtual ~RecordLedgerWriter() = default;
  // True the first time (host_id, record_id) is claimed: store the record.
  // False when it was claimed before: a duplicate, skip it. InvalidArgument
  // when the id is empty or longer than kMaxRecordIdBytes.
  virtual Result<bool> Claim(int64_t host_id, std::string_view record_id, EpochMs at) = 0;
  // Retention: forgets claims made before `cutoff` (agents never resend
  // records that old); the number removed.
  virtual Result<int64_t> DeleteOlderThan(EpochMs cutoff) = 0;
};

}  // namespace warden::store

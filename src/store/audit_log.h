// The audit log: one entry per state-changing request - who (actor), what
// (the API operationId), on what (target), when, from where, under which
// request id, and the target's state before and after as JSON text where
// that is meaningful. Entries are appended, never changed; they are written
// in the same transaction as the change they describe (see store.h), so a
// change without its entry cannot be committed. Reads are thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "store/list_query.h"

namespace warden::store {

enum class ActorType { kUser, kApiToken, kNode, kSystem };
std::string_view ActorTypeName(ActorType type);  // "user", "api_token", "node", "system"
std::optional<ActorType> ParseActorType(std::string_view name);

struct AuditEntry {
  int64_t id = 0;  // assigned by the store
  EpochMs time = 0;
  ActorType actor_type = ActorType::kSystem;
  std::string actor_id;    // user id, token id, host id; "" for the system
  std::string actor_name;  // user name, token name, hostname
  std::string action;      // the operationId ("createUser", "dismissProblems")
  std::string target_type;
  std::string target_id;
  std::string source_ip;
  std::string request_id;
  std::optional<std::string> before_json;  // a JSON document, when meaningful
  std::optional<std::string> after_json;
};

// Fields: id, time (sortable, and range filters; default time, newest
// first); action, actor_type, actor_id, actor_name, target_type, target_id,
// source_ip, request_id (text, equality; each backed by an index, so a
// filtered page never scans the log).
const ListSchema& AuditListSchema();

class AuditLog {
 public:
  virtual ~AuditLog() = default;
  virtual Result<std::optional<AuditEntry>> Get(int64_t id) = 0;
  virtual Result<ListPage<AuditEntry>> List(const ListQuery& query) = 0;
  virtual Status Export(const ListQuery& query, const RowCallback<AuditEntry>& row) = 0;
};

class AuditWriter {
 public:
  virtual ~AuditWriter() = default;
  // The new entry's id. InvalidArgument when action is empty or
  // before/after is not a JSON document.
  virtual Result<int64_t> Append(const AuditEntry& entry) = 0;
  // Retention: removes entries older than `cutoff`; the number removed.
  virtual Result<int64_t> DeleteOlderThan(EpochMs cutoff) = 0;
};

}  // namespace warden::store

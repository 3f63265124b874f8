// Console sessions. The cookie carries a random id; the store keeps only its
// SHA-256, with the session's CSRF token (returned to the console at login
// and by GET /session, so it is stored as is) and its times. last_seen_at is
// written in coalesced batches (Store::TouchSession). Expiry is the
// caller's rule (idle and absolute timeouts): the store records times and
// deletes what it is told to. Reads are thread-safe; writes run inside a
// store transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/list_query.h"

namespace warden::store {

struct Session {
  std::string id_sha256;
  int64_t user_id = 0;
  std::string csrf_token;
  EpochMs created_at = 0;
  EpochMs last_seen_at = 0;
  EpochMs expires_at = 0;  // absolute expiry
};

class SessionRepository {
 public:
  virtual ~SessionRepository() = default;
  virtual Result<std::optional<Session>> FindByHash(std::string_view id_sha256) = 0;
  // Newest first.
  virtual Result<std::vector<Session>> ListForUser(int64_t user_id) = 0;
};

class SessionWriter {
 public:
  virtual ~SessionWriter() = default;
  // InvalidArgument when the hash is empty or taken, or the user is unknown.
  virtual Status Create(const Session& session) = 0;
  virtual Result<bool> Delete(std::string_view id_sha256) = 0;
  // Logs a user out everywhere; the number of sessions removed.
  virtual Result<int64_t> DeleteForUser(int64_t user_id) = 0;
  // Removes sessions past their absolute expiry at `now` or idle since
  // before `idle_cutoff`; the number removed.
  virtual Result<int64_t> DeleteExpired(EpochMs now, EpochMs idle_cutoff) = 0;
};

}  // namespace warden::store

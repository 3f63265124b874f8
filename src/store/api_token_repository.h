// API tokens: bearer tokens a user creates for scripts and SIEMs. Shown once
// at creation; the store keeps the SHA-256. A token acts with its user's
// role and is valid while not revoked, not expired and its user is enabled
// (the caller checks the user). last_used_at is written in coalesced
// batches (Store::TouchApiToken). Reads are thread-safe; writes run inside a
// store transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/status.h"
#include "store/list_query.h"

namespace warden::store {

struct ApiToken {
  int64_t id = 0;
  std::string name;
  int64_t user_id = 0;
  std::string sha256;
  EpochMs created_at = 0;
  std::optional<EpochMs> expires_at;
  std::optional<EpochMs> last_used_at;
  std::optional<EpochMs> revoked_at;
};

struct NewApiToken {
  std::string name;  // required
  int64_t user_id = 0;
  std::string sha256;  // required, unique
  EpochMs created_at = 0;
  std::optional<EpochMs> expires_at;
};

// Fields: id, name, created_at (sortable); user_id (integer), revoked
// (boolean).
const ListSchema& ApiTokenListSchema();

class ApiTokenRepository {
 public:
  virtual ~ApiTokenRepository() = default;
  virtual Result<std::optional<ApiToken>> Get(int64_t id) = 0;
  virtual Result<std::optional<ApiToken>> FindByHash(std::string_view sha256) = 0;
  virtual Result<ListPage<ApiToken>> List(const ListQuery& query) = 0;
  virtual Status Export(const ListQuery& query, const RowCallback<ApiToken>& row) = 0;
};

class ApiTokenWriter {
 public:
  virtual ~ApiTokenWriter() = default;
  // InvalidArgument when the name or hash is empty, the hash is taken or
  // the user is unknown.
  virtual Result<ApiToken> Create(const NewApiToken& token) = 0;
  // nullopt when there is no such token; an earlier revocation is kept.
  virtual Result<std::optional<ApiToken>> Revoke(int64_t id, EpochMs at) = 0;
};

}  // namespace warden::store

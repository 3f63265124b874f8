// Enrol secrets: what an agent presents to enrol. Only the SHA-256 of the
// secret is stored. A secret is usable while it is not revoked (revoked_at
// unset or in the future: rotation revokes the old secret with a grace
// period) and not expired. Its labels are applied to hosts enrolling with
// it. Reads are thread-safe; writes run inside a store transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/list_query.h"

namespace warden::store {

struct EnrolSecret {
  int64_t id = 0;
  std::string name;
  std::vector<std::string> labels;
  std::string sha256;
  std::string created_by;  // user name
  EpochMs created_at = 0;
  std::optional<EpochMs> expires_at;
  std::optional<EpochMs> revoked_at;
  std::optional<EpochMs> last_used_at;
  int64_t uses = 0;

  // Not revoked and not expired at `now`.
  bool UsableAt(EpochMs now) const;
};

struct NewEnrolSecret {
  std::string name;  // required
  std::vector<std::string> labels;
  std::string sha256;  // TokenHash of the secret; required, unique
  std::string created_by;
  EpochMs created_at = 0;
  std::optional<EpochMs> expires_at;
};

// Fields: id, name, created_at, uses (sortable); revoked (boolean).
const ListSchema& EnrolSecretListSchema();

class EnrolSecretRepository {
 public:
  virtual ~EnrolSecretRepository() = default;
  virtual Result<std::optional<EnrolSecret>> Get(int64_t id) = 0;
  virtual Result<std::optional<EnrolSecret>> FindByHash(std::string_view sha256) = 0;
  virtual Result<ListPage<EnrolSecret>> List(const ListQuery& query) = 0;
  virtual Status Export(const ListQuery& query, const RowCallback<EnrolSecret>& row) = 0;
};

class EnrolSecretWriter {
 public:
  virtual ~EnrolSecretWriter() = default;
  // InvalidArgument when the name or hash is empty or the hash is taken.
  virtual Result<EnrolSecret> Create(const NewEnrolSecret& secret) = 0;
  // Revokes as of `at` (now, or later for a grace period); a secret already
  // revoked earlier stays so. nullopt when there is no such secret.
  virtual Result<std::optional<EnrolSecret>> Revoke(int64_t id, EpochMs at) = 0;
};

}  // namespace warden::store

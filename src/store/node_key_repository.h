// Node keys: how an enrolled agent authenticates on the agent channel. Only
// the SHA-256 is stored; a key is valid while neither it nor its host is
// revoked. Keys are created and rotated by HostWriter::Enrol and revoked with
// their host; this repository finds them. Reads are thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/list_query.h"

namespace warden::store {

struct NodeKey {
  int64_t id = 0;
  int64_t host_id = 0;
  std::string sha256;
  EpochMs created_at = 0;
  std::optional<EpochMs> revoked_at;
};

class NodeKeyRepository {
 public:
  virtual ~NodeKeyRepository() = default;
  // The key with that hash, revoked or not (the caller tells "revoked" from
  // "unknown": E_NODE_REVOKED vs 401).
  virtual Result<std::optional<NodeKey>> FindByHash(std::string_view sha256) = 0;
  // Newest first.
  virtual Result<std::vector<NodeKey>> ListForHost(int64_t host_id) = 0;
};

}  // namespace warden::store

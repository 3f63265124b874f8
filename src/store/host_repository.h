// Hosts enrolled into the server, their identity and enrolment. Identity is
// (machine_id, instance_id, hostname): an agent that enrols again with the
// same three gets its host back (same id, a new node key, the old ones
// revoked); two enrolments that share a machine_id but differ in instance id
// or hostname (a cloned image) become two hosts, both flagged
// duplicate_identity, never merged. Reads (HostRepository) are thread-safe;
// writes (HostWriter) run inside a store transaction (see store.h).
// Not here: per-detector status, problems, inventory (later repositories).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/list_query.h"

namespace warden::store {

struct OsInfo {
  std::string name;      // "Debian GNU/Linux"
  std::string version;   // "12 (bookworm)"
  std::string id;        // "debian"
  std::string codename;  // "bookworm"
};

struct Host {
  int64_t id = 0;
  std::string machine_id;
  std::string instance_id;  // "" when the host has no cloud instance id
  std::string hostname;
  OsInfo os;
  std::string kernel;
  std::string arch;
  std::string agent_type;  // "warden" or "osquery"
  std::string agent_version;
  std::vector<std::string> labels;  // sorted, no duplicates
  EpochMs enrolled_at = 0;
  EpochMs last_seen_at = 0;
  bool duplicate_identity = false;
  std::optional<EpochMs> revoked_at;
};

// What an enrolling agent presents, plus what the server decided.
struct HostEnrolment {
  std::string machine_id;  // required
  std::string instance_id;
  std::string hostname;  // required
  OsInfo os;
  std::string kernel;
  std::string arch;
  std::string agent_type = "warden";
  std::string agent_version;
  int64_t enrol_secret_id = 0;  // counted as used; its labels are added
  std::string node_key_sha256;  // TokenHash of the new node key
  EpochMs now = 0;
};

struct EnrolOutcome {
  Host host;
  bool created = false;  // false: an existing host enrolled again
};

// Fields: id, hostname, machine_id, instance_id, os_id, agent_type,
// agent_version, enrolled_at, last_seen_at (sortable); duplicate_identity,
// revoked (booleans), label (equality: hosts carrying that label).
const ListSchema& HostListSchema();

class HostRepository {
 public:
  virtual ~HostRepository() = default;
  virtual Result<std::optional<Host>> Get(int64_t id) = 0;
  virtual Result<ListPage<Host>> List(const ListQuery& query) = 0;
  // Every row of the filtered list (all pages, from query.cursor on; the
  // limit is ignored), in bounded memory.
  virtual Status Export(const ListQuery& query, const RowCallback<Host>& row) = 0;
};

class HostWriter {
 public:
  virtual ~HostWriter() = default;
  virtual Result<std::optional<Host>> Get(int64_t id) = 0;
  // Finds or creates the host (see the identity rule above), flags clones,
  // adds the secret's labels, revokes the host's previous node keys and
  // stores the new one, and counts a use of the secret. PermissionDenied
  // when the secret is unknown, revoked or expired at `now`, or the host was
  // revoked; InvalidArgument when machine_id or hostname is empty.
  virtual Result<EnrolOutcome> Enrol(const HostEnrolment& enrolment) = 0;
  // Replaces the labels; false when there is no such host.
  virtual Result<bool> SetLabels(int64_t id, const std::vector<std::string>& labels) = 0;
  // Revokes the host and every node key of it at `at`; false when there is
  // no such host. A revoked host's agent is refused at once and cannot
  // enrol again under the same identity until the host is deleted.
  virtual Result<bool> Revoke(int64_t id, EpochMs at) = 0;
  // Removes the host with its labels, node keys, ledger entries and
  // everything its agent reported (problems, inventory, findings, commands).
  virtual Result<bool> Delete(int64_t id) = 0;
};

}  // namespace warden::store

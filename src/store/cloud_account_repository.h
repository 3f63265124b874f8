// Cloud organisations, their accounts and the accounts' sources: an
// organisation groups AWS accounts and OCI tenancies that share CloudTrail
// rule settings; each account adds its own, combined with the
// organisation's by its override mode (src/cloud/cloud_rule_settings.h says
// how). A source is a directory of an account's audit logs that the server
// follows; its positions (bytes consumed per file) and health counters are
// written by the follower with the problems each file raised.
//
// An organisation's name is unique; an account's (provider, identifier) is
// unique across organisations; a source's name is unique in its account.
// Deleting an account deletes its sources. Rule settings are stored as the JSON text
// the server's handlers checked (rule id -> settings object); the store
// only requires a JSON object. An organisation with accounts cannot be
// deleted.
//
// Reads are thread-safe; writes run inside a store transaction (store.h).
// Not here: checking identifiers or rule settings (the handlers and
// src/cloud), evaluating events.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/list_query.h"

namespace warden::store {

struct CloudOrganisation {
  int64_t id = 0;
  std::string name;
  std::string description;
  std::string rules_json = "{}";
  int64_t account_count = 0;
  EpochMs created_at = 0;
  EpochMs updated_at = 0;
};

struct CloudAccount {
  int64_t id = 0;
  int64_t organisation_id = 0;
  std::string provider;    // aws | oci
  std::string identifier;  // the AWS account id or OCI tenancy OCID
  std::string name;
  std::string override_mode = "fill_gaps";  // or overwrite
  std::string rules_json = "{}";
  EpochMs created_at = 0;
  EpochMs updated_at = 0;
};

struct CloudSource {
  int64_t id = 0;
  int64_t account_id = 0;
  std::string name;
  std::string kind = "directory";
  std::string path;
  bool enabled = true;
  // Health, as the follower last reported it.
  int64_t files_read = 0;
  int64_t events = 0;
  int64_t findings = 0;
  int64_t errors = 0;
  std::string last_file;
  EpochMs last_read_at = 0;  // 0: nothing read yet
  std::string last_error;    // with the file and byte offset
  EpochMs last_error_at = 0;
  EpochMs created_at = 0;
  EpochMs updated_at = 0;
};

// One file a source's follower read: stored with the problems it raised.
struct CloudSourceProgress {
  std::string file;
  uint64_t position = 0;  // bytes of the file consumed
  int64_t events = 0;
  int64_t findings = 0;
  std::vector<std::string> errors;  // malformed input, with file and offset
  EpochMs at = 0;
};

// What an update changes; members left unset keep their value.
struct CloudOrganisationChange {
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::optional<std::string> rules_json;
  EpochMs updated_at = 0;
};

struct CloudAccountChange {
  std::optional<std::string> name;
  std::optional<std::string> override_mode;
  std::optional<std::string> rules_json;
  EpochMs updated_at = 0;
};

struct CloudSourceChange {
  std::optional<std::string> name;
  std::optional<std::string> path;
  std::optional<bool> enabled;
  EpochMs updated_at = 0;
};

enum class CloudWriteOutcome { kDone, kNotFound, kNameTaken, kIdentifierTaken, kNotEmpty };

template <typename T>
struct CloudWrite {
  CloudWriteOutcome outcome = CloudWriteOutcome::kDone;
  std::optional<T> row;  // set when kDone (nullopt after a delete)
};

// Fields: id, name, created_at, updated_at (sortable; default name);
// description (text: q searches name and description).
const ListSchema& CloudOrganisationListSchema();
// Fields: id, name, identifier, created_at (sortable; default name);
// organisation_id (integer, equality: one organisation's accounts, each
// sort backed by an (organisation_id, sort, id) index); provider (text,
// equality).
const ListSchema& CloudAccountListSchema();
// Fields: id, name, created_at (sortable; default name); account_id
// (integer, equality: one account's sources).
const ListSchema& CloudSourceListSchema();

class CloudAccountRepository {
 public:
  virtual ~CloudAccountRepository() = default;
  virtual Result<std::optional<CloudOrganisation>> GetOrganisation(int64_t id) = 0;
  virtual Result<ListPage<CloudOrganisation>> ListOrganisations(const ListQuery& query) = 0;
  virtual Status ExportOrganisations(const ListQuery& query,
                                     const RowCallback<CloudOrganisation>& row) = 0;
  virtual Result<std::optional<CloudAccount>> GetAccount(int64_t id) = 0;
  virtual Result<ListPage<CloudAccount>> ListAccounts(const ListQuery& query) = 0;
  virtual Status ExportAccounts(const ListQuery& query, const RowCallback<CloudAccount>& row) = 0;
  virtual Result<std::optional<CloudSource>> GetSource(int64_t id) = 0;
  virtual Result<ListPage<CloudSource>> ListSources(const ListQuery& query) = 0;
  virtual Status ExportSources(const ListQuery& query, const RowCallback<CloudSource>& row) = 0;
  // Every enabled source, for the server's followers (a few per account).
  virtual Result<std::vector<CloudSource>> EnabledSources() = 0;
  // The bytes consumed of each file the source has read (file -> bytes).
  virtual Result<std::map<std::string, uint64_t>> SourcePositions(int64_t source_id) = 0;
};

class CloudAccountWriter {
 public:
  virtual ~CloudAccountWriter() = default;
  virtual Result<std::optional<CloudOrganisation>> GetOrganisation(int64_t id) = 0;
  virtual Result<std::optional<CloudAccount>> GetAccount(int64_t id) = 0;
  // kNameTaken when the name exists. InvalidArgument when the name is empty
  // or rules_json is not a JSON object.
  virtual Result<CloudWrite<CloudOrganisation>> CreateOrganisation(const CloudOrganisation& o) = 0;
  virtual Result<CloudWrite<CloudOrganisation>> UpdateOrganisation(
      int64_t id, const CloudOrganisationChange& change) = 0;
  // kNotEmpty while it has accounts.
  virtual Result<CloudWrite<CloudOrganisation>> DeleteOrganisation(int64_t id) = 0;
  // kNotFound when the organisation does not exist; kIdentifierTaken when
  // (provider, identifier) exists.
  virtual Result<CloudWrite<CloudAccount>> CreateAccount(const CloudAccount& a) = 0;
  virtual Result<CloudWrite<CloudAccount>> UpdateAccount(int64_t id,
                                                         const CloudAccountChange& change) = 0;
  virtual Result<CloudWrite<CloudAccount>> DeleteAccount(int64_t id) = 0;
  // kNotFound when the account does not exist; kNameTaken when the account
  // has a source of that name. InvalidArgument on an empty name or path.
  virtual Result<CloudWrite<CloudSource>> CreateSource(const CloudSource& s) = 0;
  virtual Result<CloudWrite<CloudSource>> UpdateSource(int64_t id,
                                                       const CloudSourceChange& change) = 0;
  // Deletes its positions too.
  virtual Result<CloudWrite<CloudSource>> DeleteSource(int64_t id) = 0;
  // Stores the file's position and adds to the source's counters; false
  // when the source is gone (deleted while its follower was reading).
  virtual Result<bool> RecordSourceProgress(int64_t source_id,
                                            const CloudSourceProgress& progress) = 0;
};

}  // namespace warden::store

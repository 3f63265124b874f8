// Cloud organisations and their accounts: an organisation groups AWS
// accounts and OCI tenancies that share CloudTrail rule settings; each
// account adds its own, combined with the organisation's by its override
// mode (src/cloud/cloud_rule_settings.h says how).
//
// An organisation's name is unique; an account's (provider, identifier) is
// unique across organisations. Rule settings are stored as the JSON text
// the server's handlers checked (rule id -> settings object); the store
// only requires a JSON object. An organisation with accounts cannot be
// deleted.
//
// Reads are thread-safe; writes run inside a store transaction (store.h).
// Not here: checking identifiers or rule settings (the handlers and
// src/cloud), evaluating events.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

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
};

}  // namespace warden::store

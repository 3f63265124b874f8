// Cloud organisations and their accounts.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "store/sqlite/keyset_list_sql.h"
#include "store/sqlite/sqlite_repositories.h"

namespace warden::store {
namespace {

constexpr std::string_view kOrganisationColumns =
    "id, name, description, rules_json, created_at, updated_at, (SELECT COUNT(*) FROM "
    "cloud_accounts a WHERE a.organisation_id = cloud_organisations.id)";

CloudOrganisation ReadOrganisation(SqliteStatement& st) {
  CloudOrganisation o;
  o.id = st.Int(0);
  o.name = st.Text(1);
  o.description = st.Text(2);
  o.rules_json = st.Text(3);
  o.created_at = st.Int(4);
  o.updated_at = st.Int(5);
  o.account_count = st.Int(6);
  return o;
}

constexpr std::string_view kAccountColumns =
    "id, organisation_id, provider, identifier, name, override_mode, rules_json, created_at, "
    "updated_at";

CloudAccount ReadAccount(SqliteStatement& st) {
  CloudAccount a;
  a.id = st.Int(0);
  a.organisation_id = st.Int(1);
  a.provider = st.Text(2);
  a.identifier = st.Text(3);
  a.name = st.Text(4);
  a.override_mode = st.Text(5);
  a.rules_json = st.Text(6);
  a.created_at = st.Int(7);
  a.updated_at = st.Int(8);
  return a;
}

Result<std::optional<CloudOrganisation>> LoadOrganisation(SqliteConnection& conn, int64_t id) {
  return QueryOne<CloudOrganisation>(
      conn,
      "SELECT " + std::string(kOrganisationColumns) + " FROM cloud_organisations WHERE id = ?1",
      [&](SqliteStatement& st) { st.Bind(1, id); }, ReadOrganisation);
}

Result<std::optional<CloudAccount>> LoadAccount(SqliteConnection& conn, int64_t id) {
  return QueryOne<CloudAccount>(
      conn, "SELECT " + std::string(kAccountColumns) + " FROM cloud_accounts WHERE id = ?1",
      [&](SqliteStatement& st) { st.Bind(1, id); }, ReadAccount);
}

Status CheckRulesJson(const std::string& text) {
  if (!nlohmann::json::parse(text, nullptr, false).is_object())
    return InvalidArgument("rules: expected a JSON object of rule id -> settings");
  return Status::Ok();
}

Result<bool> OrganisationNameTaken(SqliteConnection& conn, const std::string& name,
                                   int64_t except_id) {
  ASSIGN_OR_RETURN(ScopedStatement st, conn.Statement("SELECT id FROM cloud_organisations WHERE "
                                                      "name = ?1 AND id <> ?2"));
  st->Bind(1, name).Bind(2, except_id);
  return st->Step();
}

}  // namespace

const ListTable& CloudOrganisationListTable() {
  static const ListTable table{
      &CloudOrganisationListSchema(),
      "cloud_organisations",
      kOrganisationColumns,
      7,
      "id",
      {
          {"id", "id"},
          {"name", "name"},
          {"created_at", "created_at"},
          {"updated_at", "updated_at"},
          {"description", "description"},
      },
  };
  return table;
}

const ListTable& CloudAccountListTable() {
  static const ListTable table{
      &CloudAccountListSchema(),
      "cloud_accounts",
      kAccountColumns,
      9,
      "id",
      {
          {"id", "id"},
          {"name", "name"},
          {"identifier", "identifier"},
          {"created_at", "created_at"},
          {"organisation_id", "organisation_id"},
          {"provider", "provider"},
      },
  };
  return table;
}

// ---- read side

Result<std::optional<CloudOrganisation>> SqliteCloudAccountRepository::GetOrganisation(int64_t id) {
  ReadPool::Lease lease = pool_.Acquire();
  return LoadOrganisation(lease.conn(), id);
}

Result<ListPage<CloudOrganisation>> SqliteCloudAccountRepository::ListOrganisations(
    const ListQuery& query) {
  return ListFromPool<CloudOrganisation>(pool_, CloudOrganisationListTable(), query,
                                         ReadOrganisation);
}

Status SqliteCloudAccountRepository::ExportOrganisations(
    const ListQuery& query, const RowCallback<CloudOrganisation>& row) {
  return ExportFromPool<CloudOrganisation>(pool_, CloudOrganisationListTable(), query,
                                           ReadOrganisation, row);
}

Result<std::optional<CloudAccount>> SqliteCloudAccountRepository::GetAccount(int64_t id) {
  ReadPool::Lease lease = pool_.Acquire();
  return LoadAccount(lease.conn(), id);
}

Result<ListPage<CloudAccount>> SqliteCloudAccountRepository::ListAccounts(const ListQuery& query) {
  return ListFromPool<CloudAccount>(pool_, CloudAccountListTable(), query, ReadAccount);
}

Status SqliteCloudAccountRepository::ExportAccounts(const ListQuery& query,
                                                    const RowCallback<CloudAccount>& row) {
  return ExportFromPool<CloudAccount>(pool_, CloudAccountListTable(), query, ReadAccount, row);
}

// ---- write side

Result<std::optional<CloudOrganisation>> SqliteCloudAccountWriter::GetOrganisation(int64_t id) {
  return LoadOrganisation(conn_, id);
}

Result<std::optional<CloudAccount>> SqliteCloudAccountWriter::GetAccount(int64_t id) {
  return LoadAccount(conn_, id);
}

Result<CloudWrite<CloudOrganisation>> SqliteCloudAccountWriter::CreateOrganisation(
    const CloudOrganisation& o) {
  CloudWrite<CloudOrganisation> out;
  if (o.name.empty()) return InvalidArgument("name: must not be empty");
  RETURN_IF_ERROR(CheckRulesJson(o.rules_json));
  ASSIGN_OR_RETURN(bool taken, OrganisationNameTaken(conn_, o.name, 0));
  if (taken) {
    out.outcome = CloudWriteOutcome::kNameTaken;
    return out;
  }
  {
    ASSIGN_OR_RETURN(ScopedStatement ins,
                     conn_.Statement("INSERT INTO cloud_organisations (name, description, "
                                     "rules_json, created_at, updated_at) VALUES (?1, ?2, ?3, "
                                     "?4, ?4)"));
    ins->Bind(1, o.name).Bind(2, o.description).Bind(3, o.rules_json).Bind(4, o.created_at);
    RETURN_IF_ERROR(ins->Run());
  }
  ASSIGN_OR_RETURN(out.row, LoadOrganisation(conn_, InsertedId(conn_)));
  return out;
}

Result<CloudWrite<CloudOrganisation>> SqliteCloudAccountWriter::UpdateOrganisation(
    int64_t id, const CloudOrganisationChange& change) {
  CloudWrite<CloudOrganisation> out;
  ASSIGN_OR_RETURN(std::optional<CloudOrganisation> current, LoadOrganisation(conn_, id));
  if (!current) {
    out.outcome = CloudWriteOutcome::kNotFound;
    return out;
  }
  CloudOrganisation next = *current;
  if (change.name) {
    if (change.name->empty()) return InvalidArgument("name: must not be empty");
    ASSIGN_OR_RETURN(bool taken, OrganisationNameTaken(conn_, *change.name, id));
    if (taken) {
      out.outcome = CloudWriteOutcome::kNameTaken;
      return out;
    }
    next.name = *change.name;
  }
  if (change.description) next.description = *change.description;
  if (change.rules_json) {
    RETURN_IF_ERROR(CheckRulesJson(*change.rules_json));
    next.rules_json = *change.rules_json;
  }
  next.updated_at = std::max(change.updated_at, current->updated_at);
  RETURN_IF_ERROR(RunCountingChanges(conn_,
                                     "UPDATE cloud_organisations SET name = ?2, description = ?3, "
                                     "rules_json = ?4, updated_at = ?5 WHERE id = ?1",
                                     [&](SqliteStatement& st) {
                                       st.Bind(1, id)
                                           .Bind(2, next.name)
                                           .Bind(3, next.description)
                                           .Bind(4, next.rules_json)
                                           .Bind(5, next.updated_at);
                                     })
                      .status());
  ASSIGN_OR_RETURN(out.row, LoadOrganisation(conn_, id));
  return out;
}

Result<CloudWrite<CloudOrganisation>> SqliteCloudAccountWriter::DeleteOrganisation(int64_t id) {
  CloudWrite<CloudOrganisation> out;
  ASSIGN_OR_RETURN(std::optional<CloudOrganisation> current, LoadOrganisation(conn_, id));
  if (!current) {
    out.outcome = CloudWriteOutcome::kNotFound;
    return out;
  }
  if (current->account_count > 0) {
    out.outcome = CloudWriteOutcome::kNotEmpty;
    return out;
  }
  RETURN_IF_ERROR(RunCountingChanges(conn_, "DELETE FROM cloud_organisations WHERE id = ?1",
                                     [&](SqliteStatement& st) { st.Bind(1, id); })
                      .status());
  return out;
}

Result<CloudWrite<CloudAccount>> SqliteCloudAccountWriter::CreateAccount(const CloudAccount& a) {
  CloudWrite<CloudAccount> out;
  if (a.name.empty()) return InvalidArgument("name: must not be empty");
  if (a.provider != "aws" && a.provider != "oci")
    return InvalidArgument("provider: must be aws or oci");
  if (a.identifier.empty()) return InvalidArgument("identifier: must not be empty");
  if (a.override_mode != "fill_gaps" && a.override_mode != "overwrite")
    return InvalidArgument("override_mode: must be fill_gaps or overwrite");
  RETURN_IF_ERROR(CheckRulesJson(a.rules_json));
  ASSIGN_OR_RETURN(
      bool organisation,
      Exists(conn_, "SELECT 1 FROM cloud_organisations WHERE id = ?1", a.organisation_id));
  if (!organisation) {
    out.outcome = CloudWriteOutcome::kNotFound;
    return out;
  }
  {
    ASSIGN_OR_RETURN(ScopedStatement st,
                     conn_.Statement("SELECT 1 FROM cloud_accounts WHERE provider = ?1 AND "
                                     "identifier = ?2"));
    st->Bind(1, a.provider).Bind(2, a.identifier);
    ASSIGN_OR_RETURN(bool taken, st->Step());
    if (taken) {
      out.outcome = CloudWriteOutcome::kIdentifierTaken;
      return out;
    }
  }
  {
    ASSIGN_OR_RETURN(ScopedStatement ins,
                     conn_.Statement("INSERT INTO cloud_accounts (organisation_id, provider, "
                                     "identifier, name, override_mode, rules_json, created_at, "
                                     "updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)"));
    ins->Bind(1, a.organisation_id)
        .Bind(2, a.provider)
        .Bind(3, a.identifier)
        .Bind(4, a.name)
        .Bind(5, a.override_mode)
        .Bind(6, a.rules_json)
        .Bind(7, a.created_at);
    RETURN_IF_ERROR(ins->Run());
  }
  ASSIGN_OR_RETURN(out.row, LoadAccount(conn_, InsertedId(conn_)));
  return out;
}

Result<CloudWrite<CloudAccount>> SqliteCloudAccountWriter::UpdateAccount(
    int64_t id, const CloudAccountChange& change) {
  CloudWrite<CloudAccount> out;
  ASSIGN_OR_RETURN(std::optional<CloudAccount> current, LoadAccount(conn_, id));
  if (!current) {
    out.outcome = CloudWriteOutcome::kNotFound;
    return out;
  }
  CloudAccount next = *current;
  if (change.name) {
    if (change.name->empty()) return InvalidArgument("name: must not be empty");
    next.name = *change.name;
  }
  if (change.override_mode) {
    if (*change.override_mode != "fill_gaps" && *change.override_mode != "overwrite")
      return InvalidArgument("override_mode: must be fill_gaps or overwrite");
    next.override_mode = *change.override_mode;
  }
  if (change.rules_json) {
    RETURN_IF_ERROR(CheckRulesJson(*change.rules_json));
    next.rules_json = *change.rules_json;
  }
  next.updated_at = std::max(change.updated_at, current->updated_at);
  RETURN_IF_ERROR(RunCountingChanges(conn_,
                                     "UPDATE cloud_accounts SET name = ?2, override_mode = ?3, "
                                     "rules_json = ?4, updated_at = ?5 WHERE id = ?1",
                                     [&](SqliteStatement& st) {
                                       st.Bind(1, id)
                                           .Bind(2, next.name)
                                           .Bind(3, next.override_mode)
                                           .Bind(4, next.rules_json)
                                           .Bind(5, next.updated_at);
                                     })
                      .status());
  ASSIGN_OR_RETURN(out.row, LoadAccount(conn_, id));
  return out;
}

Result<CloudWrite<CloudAccount>> SqliteCloudAccountWriter::DeleteAccount(int64_t id) {
  CloudWrite<CloudAccount> out;
  // Its sources go with it.
  RETURN_IF_ERROR(RunCountingChanges(conn_,
                                     "DELETE FROM cloud_source_positions WHERE source_id IN "
                                     "(SELECT id FROM cloud_sources WHERE account_id = ?1)",
                                     [&](SqliteStatement& st) { st.Bind(1, id); })
                      .status());
  RETURN_IF_ERROR(RunCountingChanges(conn_, "DELETE FROM cloud_sources WHERE account_id = ?1",
                                     [&](SqliteStatement& st) { st.Bind(1, id); })
                      .status());
  ASSIGN_OR_RETURN(int64_t changed,
                   RunCountingChanges(conn_, "DELETE FROM cloud_accounts WHERE id = ?1",
                                      [&](SqliteStatement& st) { st.Bind(1, id); }));
  if (changed == 0) out.outcome = CloudWriteOutcome::kNotFound;
  return out;
}

}  // namespace warden::store

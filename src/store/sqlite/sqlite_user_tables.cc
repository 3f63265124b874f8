// Users, their console sessions and API tokens.
#include "store/sqlite/keyset_list_sql.h"
#include "store/sqlite/sqlite_repositories.h"

namespace warden::store {
namespace {

constexpr std::string_view kUserColumns =
    "id, name, role, password_hash, must_change_password, disabled, created_at, last_login_at";

User ReadUser(SqliteStatement& st) {
  User u;
  u.id = st.Int(0);
  u.name = st.Text(1);
  // The CHECK constraint keeps roles to the three user roles; anything else
  // would be a corrupt row, read as the least privileged role.
  auto role = auth::ParseRole(st.Text(2));
  u.role = role.ok() && auth::IsUserRole(*role) ? *role : auth::Role::kViewer;
  u.password_hash = st.Text(3);
  u.must_change_password = st.Int(4) != 0;
  u.disabled = st.Int(5) != 0;
  u.created_at = st.Int(6);
  u.last_login_at = OptionalInt(st, 7);
  return u;
}

constexpr std::string_view kSessionColumns =
    "id_sha256, user_id, csrf_token, created_at, last_seen_at, expires_at";

Session ReadSession(SqliteStatement& st) {
  Session s;
  s.id_sha256 = st.Text(0);
  s.user_id = st.Int(1);
  s.csrf_token = st.Text(2);
  s.created_at = st.Int(3);
  s.last_seen_at = st.Int(4);
  s.expires_at = st.Int(5);
  return s;
}

constexpr std::string_view kTokenColumns =
    "id, name, user_id, sha256, created_at, expires_at, last_used_at, revoked_at";

ApiToken ReadToken(SqliteStatement& st) {
  ApiToken t;
  t.id = st.Int(0);
  t.name = st.Text(1);
  t.user_id = st.Int(2);
  t.sha256 = st.Text(3);
  t.created_at = st.Int(4);
  t.expires_at = OptionalInt(st, 5);
  t.last_used_at = OptionalInt(st, 6);
  t.revoked_at = OptionalInt(st, 7);
  return t;
}

}  // namespace

const ListTable& ApiTokenListTable() {
  static const ListTable table{
      &ApiTokenListSchema(),
      "api_tokens",
      kTokenColumns,
      8,
      "id",
      {
          {"id", "id"},
          {"name", "name"},
          {"created_at", "created_at"},
          {"user_id", "user_id"},
          {"revoked", "revoked_at", ListColumn::Kind::kPresent},
      },
  };
  return table;
}

const ListTable& UserListTable() {
  static const ListTable table{
      &UserListSchema(),
      "users",
      kUserColumns,
      8,
      "id",
      {
          {"id", "id"},
          {"name", "name"},
          {"created_at", "created_at"},
          {"role", "role"},
          {"disabled", "disabled"},
      },
  };
  return table;
}

Result<std::optional<User>> LoadUser(SqliteConnection& conn, int64_t id) {
  return QueryOne<User>(
      conn, "SELECT " + std::string(kUserColumns) + " FROM users WHERE id = ?1",
      [&](SqliteStatement& st) { st.Bind(1, id); }, ReadUser);
}

Result<std::optional<ApiToken>> LoadApiToken(SqliteConnection& conn, int64_t id) {
  return QueryOne<ApiToken>(
      conn, "SELECT " + std::string(kTokenColumns) + " FROM api_tokens WHERE id = ?1",
      [&](SqliteStatement& st) { st.Bind(1, id); }, ReadToken);
}

// ---- users

Result<std::optional<User>> SqliteUserRepository::Get(int64_t id) {
  ReadPool::Lease lease = pool_.Acquire();
  return LoadUser(lease.conn(), id);
}

Result<std::optional<User>> SqliteUserRepository::FindByName(std::string_view name) {
  ReadPool::Lease lease = pool_.Acquire();
  return QueryOne<User>(
      lease.conn(), "SELECT " + std::string(kUserColumns) + " FROM users WHERE name = ?1",
      [&](SqliteStatement& st) { st.Bind(1, name); }, ReadUser);
}

Result<ListPage<User>> SqliteUserRepository::List(const ListQuery& query) {
  return ListFromPool<User>(pool_, UserListTable(), query, ReadUser);
}

Status SqliteUserRepository::Export(const ListQuery& query, const RowCallback<User>& row) {
  return ExportFromPool<User>(pool_, UserListTable(), query, ReadUser, row);
}

Result<std::optional<User>> SqliteUserWriter::Create(const NewUser& u) {
  if (u.name.empty()) return InvalidArgument("name: must not be empty");
  if (!auth::IsUserRole(u.role))
    return InvalidArgument("role: '" + std::string(auth::RoleName(u.role)) +
                           "' is not a user role");
  {
    ASSIGN_OR_RETURN(ScopedStatement taken, conn_.Statement("SELECT 1 FROM users WHERE name = ?1"));
    taken->Bind(1, u.name);
    ASSIGN_OR_RETURN(bool row, taken->Step());
    if (row) return std::optional<User>();
  }
  ASSIGN_OR_RETURN(ScopedStatement ins,
                   conn_.Statement("INSERT INTO users (name, role, password_hash, "
                                   "must_change_password, created_at) VALUES (?1, ?2, ?3, ?4, ?5) "
                                   "RETURNING id"));
  ins->Bind(1, u.name)
      .Bind(2, auth::RoleName(u.role))
      .Bind(3, u.password_hash)
      .Bind(4, int64_t{u.must_change_password ? 1 : 0})
      .Bind(5, u.created_at);
  ASSIGN_OR_RETURN(bool row, ins->Step());
  if (!row) return Internal("users: INSERT returned no id");
  int64_t id = ins->Int(0);
  ASSIGN_OR_RETURN(bool more, ins->Step());
  (void)more;
  return LoadUser(conn_, id);
}

Result<std::optional<User>> SqliteUserWriter::Update(int64_t id, const UserUpdate& update) {
  if (update.role && !auth::IsUserRole(*update.role))
    return InvalidArgument("role: '" + std::string(auth::RoleName(*update.role)) +
                           "' is not a user role");
  ASSIGN_OR_RETURN(std::optional<User> user, LoadUser(conn_, id));
  if (!user) return user;
  User u = *user;
  if (update.role) u.role = *update.role;
  if (update.password_hash) u.password_hash = *update.password_hash;
  if (update.must_change_password) u.must_change_password = *update.must_change_password;
  if (update.disabled) u.disabled = *update.disabled;
  ASSIGN_OR_RETURN(ScopedStatement st,
                   conn_.Statement("UPDATE users SET role = ?2, password_hash = ?3, "
                                   "must_change_password = ?4, disabled = ?5 WHERE id = ?1"));
  st->Bind(1, id)
      .Bind(2, auth::RoleName(u.role))
      .Bind(3, u.password_hash)
      .Bind(4, int64_t{u.must_change_password ? 1 : 0})
      .Bind(5, int64_t{u.disabled ? 1 : 0});
  RETURN_IF_ERROR(st->Run());
  return std::optional<User>(u);
}

Result<bool> SqliteUserWriter::RecordLogin(int64_t id, EpochMs at) {
  ASSIGN_OR_RETURN(int64_t changed,
                   RunCountingChanges(conn_, "UPDATE users SET last_login_at = ?2 WHERE id = ?1",
                                      [&](SqliteStatement& st) { st.Bind(1, id).Bind(2, at); }));
  return changed > 0;
}

Result<bool> SqliteUserWriter::Delete(int64_t id) {
  for (std::string_view sql :
       {"DELETE FROM sessions WHERE user_id = ?1", "DELETE FROM api_tokens WHERE user_id = ?1"}) {
    ASSIGN_OR_RETURN(int64_t n,
                     RunCountingChanges(conn_, sql, [&](SqliteStatement& st) { st.Bind(1, id); }));
    (void)n;
  }
  ASSIGN_OR_RETURN(int64_t changed,
                   RunCountingChanges(conn_, "DELETE FROM users WHERE id = ?1",
                                      [&](SqliteStatement& st) { st.Bind(1, id); }));
  return changed > 0;
}

// ---- sessions

Result<std::optional<Session>> SqliteSessionRepository::FindByHash(std::string_view id_sha256) {
  ReadPool::Lease lease = pool_.Acquire();
  return QueryOne<Session>(
      lease.conn(),
      "SELECT " + std::string(kSessionColumns) + " FROM sessions WHERE id_sha256 = ?1",
      [&](SqliteStatement& st) { st.Bind(1, id_sha256); }, ReadSession);
}

Result<std::vector<Session>> SqliteSessionRepository::ListForUser(int64_t user_id) {
  ReadPool::Lease lease = pool_.Acquire();
  ASSIGN_OR_RETURN(
      ScopedStatement st,
      lease.conn().Statement("SELECT " + std::string(kSessionColumns) +
                             " FROM sessions WHERE user_id = ?1 ORDER BY created_at DESC"));
  st->Bind(1, user_id);
  std::vector<Session> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back(ReadSession(*st));
  }
  return out;
}

Status SqliteSessionWriter::Create(const Session& s) {
  if (s.id_sha256.empty()) return InvalidArgument("session id hash: must not be empty");
  ASSIGN_OR_RETURN(bool user, Exists(conn_, "SELECT 1 FROM users WHERE id = ?1", s.user_id));
  if (!user) return InvalidArgument("session: no user " + std::to_string(s.user_id));
  {
    ASSIGN_OR_RETURN(ScopedStatement taken,
                     conn_.Statement("SELECT 1 FROM sessions WHERE id_sha256 = ?1"));
    taken->Bind(1, s.id_sha256);
    ASSIGN_OR_RETURN(bool row, taken->Step());
    if (row) return InvalidArgument("session id hash: already in use");
  }
  ASSIGN_OR_RETURN(ScopedStatement ins,
                   conn_.Statement("INSERT INTO sessions (id_sha256, user_id, csrf_token, "
                                   "created_at, last_seen_at, expires_at) VALUES (?1, ?2, ?3, ?4, "
                                   "?5, ?6)"));
  ins->Bind(1, s.id_sha256)
      .Bind(2, s.user_id)
      .Bind(3, s.csrf_token)
      .Bind(4, s.created_at)
      .Bind(5, s.last_seen_at)
      .Bind(6, s.expires_at);
  return ins->Run();
}

Result<bool> SqliteSessionWriter::Delete(std::string_view id_sha256) {
  ASSIGN_OR_RETURN(int64_t n,
                   RunCountingChanges(conn_, "DELETE FROM sessions WHERE id_sha256 = ?1",
                                      [&](SqliteStatement& st) { st.Bind(1, id_sha256); }));
  return n > 0;
}

Result<int64_t> SqliteSessionWriter::DeleteForUser(int64_t user_id) {
  return RunCountingChanges(conn_, "DELETE FROM sessions WHERE user_id = ?1",
                            [&](SqliteStatement& st) { st.Bind(1, user_id); });
}

Result<int64_t> SqliteSessionWriter::DeleteExpired(EpochMs now, EpochMs idle_cutoff) {
  return RunCountingChanges(conn_,
                            "DELETE FROM sessions WHERE expires_at <= ?1 OR last_seen_at < ?2",
                            [&](SqliteStatement& st) { st.Bind(1, now).Bind(2, idle_cutoff); });
}

// ---- API tokens

Result<std::optional<ApiToken>> SqliteApiTokenRepository::Get(int64_t id) {
  ReadPool::Lease lease = pool_.Acquire();
  return LoadApiToken(lease.conn(), id);
}

Result<std::optional<ApiToken>> SqliteApiTokenRepository::FindByHash(std::string_view sha256) {
  ReadPool::Lease lease = pool_.Acquire();
  return QueryOne<ApiToken>(
      lease.conn(), "SELECT " + std::string(kTokenColumns) + " FROM api_tokens WHERE sha256 = ?1",
      [&](SqliteStatement& st) { st.Bind(1, sha256); }, ReadToken);
}

Result<ListPage<ApiToken>> SqliteApiTokenRepository::List(const ListQuery& query) {
  return ListFromPool<ApiToken>(pool_, ApiTokenListTable(), query, ReadToken);
}

Status SqliteApiTokenRepository::Export(const ListQuery& query, const RowCallback<ApiToken>& row) {
  return ExportFromPool<ApiToken>(pool_, ApiTokenListTable(), query, ReadToken, row);
}

Result<ApiToken> SqliteApiTokenWriter::Create(const NewApiToken& t) {
  if (t.name.empty()) return InvalidArgument("name: must not be empty");
  if (t.sha256.empty()) return InvalidArgument("token hash: must not be empty");
  ASSIGN_OR_RETURN(bool user, Exists(conn_, "SELECT 1 FROM users WHERE id = ?1", t.user_id));
  if (!user) return InvalidArgument("user_id: no user " + std::to_string(t.user_id));
  {
    ASSIGN_OR_RETURN(ScopedStatement taken,
                     conn_.Statement("SELECT 1 FROM api_tokens WHERE sha256 = ?1"));
    taken->Bind(1, t.sha256);
    ASSIGN_OR_RETURN(bool row, taken->Step());
    if (row) return InvalidArgument("token hash: already in use");
  }
  ASSIGN_OR_RETURN(ScopedStatement ins,
                   conn_.Statement("INSERT INTO api_tokens (name, user_id, sha256, created_at, "
                                   "expires_at) VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id"));
  ins->Bind(1, t.name).Bind(2, t.user_id).Bind(3, t.sha256).Bind(4, t.created_at);
  BindOptional(*ins, 5, t.expires_at);
  ASSIGN_OR_RETURN(bool row, ins->Step());
  if (!row) return Internal("api_tokens: INSERT returned no id");
  int64_t id = ins->Int(0);
  ASSIGN_OR_RETURN(bool more, ins->Step());
  (void)more;
  ASSIGN_OR_RETURN(std::optional<ApiToken> created, LoadApiToken(conn_, id));
  if (!created) return Internal("API token " + std::to_string(id) + " vanished");
  return *created;
}

Result<std::optional<ApiToken>> SqliteApiTokenWriter::Revoke(int64_t id, EpochMs at) {
  ASSIGN_OR_RETURN(int64_t n,
                   RunCountingChanges(conn_,
                                      "UPDATE api_tokens SET revoked_at = ?2 WHERE id = ?1 AND "
                                      "revoked_at IS NULL",
                                      [&](SqliteStatement& st) { st.Bind(1, id).Bind(2, at); }));
  (void)n;
  return LoadApiToken(conn_, id);
}

}  // namespace warden::store

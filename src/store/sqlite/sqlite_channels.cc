// Notification channels (channel_repository.h) on SQLite.
#include "core/finding.h"  // Json
#include "store/sqlite/keyset_list_sql.h"
#include "store/sqlite/sqlite_repositories.h"

namespace warden::store {
namespace {

constexpr std::string_view kChannelColumns =
    "id, name, type, enabled, config, secret, triggers, created_at, updated_at, delivery_state, "
    "last_success_at, last_error_at, last_error, delivered, failed";

Channel ReadChannel(SqliteStatement& st) {
  Channel c;
  c.id = st.Int(0);
  c.name = st.Text(1);
  c.type = st.Text(2);
  c.enabled = st.Int(3) != 0;
  c.config_json = st.Text(4);
  c.secret = OptionalText(st, 5);
  c.triggers_json = st.Text(6);
  c.created_at = st.Int(7);
  c.updated_at = st.Int(8);
  c.delivery.state = st.Text(9);
  c.delivery.last_success_at = OptionalInt(st, 10);
  c.delivery.last_error_at = OptionalInt(st, 11);
  c.delivery.last_error = OptionalText(st, 12);
  c.delivery.delivered = st.Int(13);
  c.delivery.failed = st.Int(14);
  return c;
}

Result<std::optional<Channel>> LoadChannel(SqliteConnection& conn, int64_t id) {
  return QueryOne<Channel>(
      conn, "SELECT " + std::string(kChannelColumns) + " FROM channels WHERE id = ?1",
      [&](SqliteStatement& st) { st.Bind(1, id); }, ReadChannel);
}

Status CheckJsonObject(std::string_view what, const std::string& text) {
  Json parsed = Json::parse(text, nullptr, false);
  if (!parsed.is_object()) return InvalidArgument(std::string(what) + ": must be a JSON object");
  return Status::Ok();
}

Result<bool> NameTaken(SqliteConnection& conn, const std::string& name, int64_t except_id) {
  ASSIGN_OR_RETURN(ScopedStatement st,
                   conn.Statement("SELECT 1 FROM channels WHERE name = ?1 AND id <> ?2"));
  st->Bind(1, name).Bind(2, except_id);
  return st->Step();
}

}  // namespace

const ListTable& ChannelListTable() {
  static const ListTable table{
      &ChannelListSchema(),
      "channels",
      kChannelColumns,
      15,
      "id",
      {
          {"id", "id"},
          {"name", "name"},
          {"type", "type"},
          {"created_at", "created_at"},
          {"enabled", "enabled"},
          {"delivery_state", "delivery_state"},
      },
  };
  return table;
}

// ---- read side

Result<std::optional<Channel>> SqliteChannelRepository::Get(int64_t id) {
  ReadPool::Lease lease = pool_.Acquire();
  return LoadChannel(lease.conn(), id);
}

Result<ListPage<Channel>> SqliteChannelRepository::List(const ListQuery& query) {
  return ListFromPool<Channel>(pool_, ChannelListTable(), query, ReadChannel);
}

Status SqliteChannelRepository::Export(const ListQuery& query, const RowCallback<Channel>& row) {
  return ExportFromPool<Channel>(pool_, ChannelListTable(), query, ReadChannel, row);
}

// ---- write side

Result<std::optional<Channel>> SqliteChannelWriter::Get(int64_t id) {
  return LoadChannel(conn_, id);
}

Result<std::optional<Channel>> SqliteChannelWriter::Create(const NewChannel& c) {
  if (c.name.empty()) return InvalidArgument("name: must not be empty");
  if (c.type.empty()) return InvalidArgument("type: must not be empty");
  RETURN_IF_ERROR(CheckJsonObject("config", c.config_json));
  RETURN_IF_ERROR(CheckJsonObject("triggers", c.triggers_json));
  ASSIGN_OR_RETURN(bool taken, NameTaken(conn_, c.name, 0));
  if (taken) return std::optional<Channel>();
  ASSIGN_OR_RETURN(ScopedStatement ins,
                   conn_.Statement("INSERT INTO channels (name, type, enabled, config, secret, "
                                   "triggers, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, "
                                   "?6, ?7, ?7) RETURNING id"));
  ins->Bind(1, c.name).Bind(2, c.type).Bind(3, int64_t{c.enabled ? 1 : 0}).Bind(4, c.config_json);
  BindOptionalText(*ins, 5, c.secret);
  ins->Bind(6, c.triggers_json).Bind(7, c.created_at);
  ASSIGN_OR_RETURN(bool row, ins->Step());
  if (!row) return Internal("channels: INSERT returned no id");
  const int64_t id = ins->Int(0);
  ASSIGN_OR_RETURN(bool more, ins->Step());
  (void)more;
  return LoadChannel(conn_, id);
}

Result<ChannelUpdate> SqliteChannelWriter::Update(int64_t id, const ChannelChange& change) {
  ChannelUpdate out;
  ASSIGN_OR_RETURN(std::optional<Channel> current, LoadChannel(conn_, id));
  if (!current) return out;
  Channel next = *current;
  if (change.name) {
    if (change.name->empty()) return InvalidArgument("name: must not be empty");
    ASSIGN_OR_RETURN(bool taken, NameTaken(conn_, *change.name, id));
    if (taken) {
      out.name_taken = true;
      return out;
    }
    next.name = *change.name;
  }
  if (change.enabled) next.enabled = *change.enabled;
  if (change.config_json) {
    RETURN_IF_ERROR(CheckJsonObject("config", *change.config_json));
    next.config_json = *change.config_json;
  }
  if (change.secret) next.secret = *change.secret;
  if (change.triggers_json) {
    RETURN_IF_ERROR(CheckJsonObject("triggers", *change.triggers_json));
    next.triggers_json = *change.triggers_json;
  }
  next.updated_at = std::max(change.updated_at, current->updated_at);
  ASSIGN_OR_RETURN(ScopedStatement upd,
                   conn_.Statement("UPDATE channels SET name = ?2, enabled = ?3, config = ?4, "
                                   "secret = ?5, triggers = ?6, updated_at = ?7 WHERE id = ?1"));
  upd->Bind(1, id)
      .Bind(2, next.name)
      .Bind(3, int64_t{next.enabled ? 1 : 0})
      .Bind(4, next.config_json);
  BindOptionalText(*upd, 5, next.secret);
  upd->Bind(6, next.triggers_json).Bind(7, next.updated_at);
  RETURN_IF_ERROR(upd->Run());
  ASSIGN_OR_RETURN(out.channel, LoadChannel(conn_, id));
  return out;
}

Result<bool> SqliteChannelWriter::Delete(int64_t id) {
  ASSIGN_OR_RETURN(int64_t changed,
                   RunCountingChanges(conn_, "DELETE FROM channels WHERE id = ?1",
                                      [&](SqliteStatement& st) { st.Bind(1, id); }));
  return changed > 0;
}

Result<bool> SqliteChannelWriter::RecordDelivery(int64_t id, const DeliveryOutcome& outcome) {
  if (outcome.delivered < 0 || outcome.failed < 0)
    return InvalidArgument("delivery counts must not be negative");
  ASSIGN_OR_RETURN(std::optional<Channel> current, LoadChannel(conn_, id));
  if (!current) return false;
  ChannelDelivery d = current->delivery;
  d.delivered += outcome.delivered;
  d.failed += outcome.failed;
  const EpochMs latest = std::max(d.last_success_at.value_or(0), d.last_error_at.value_or(0));
  // An attempt older than what is stored (outcomes of two threads committed
  // out of order) only adds its counts.
  if (outcome.at >= latest) {
    if (outcome.ok) {
      d.state = "ok";
      d.last_success_at = outcome.at;
    } else {
      d.state = "failing";
      d.last_error_at = outcome.at;
      d.last_error = outcome.error;
    }
  }
  ASSIGN_OR_RETURN(ScopedStatement upd,
                   conn_.Statement("UPDATE channels SET delivery_state = ?2, last_success_at = ?3, "
                                   "last_error_at = ?4, last_error = ?5, delivered = ?6, "
                                   "failed = ?7 WHERE id = ?1"));
  upd->Bind(1, id).Bind(2, d.state);
  BindOptional(*upd, 3, d.last_success_at);
  BindOptional(*upd, 4, d.last_error_at);
  BindOptionalText(*upd, 5, d.last_error);
  upd->Bind(6, d.delivered).Bind(7, d.failed);
  RETURN_IF_ERROR(upd->Run());
  return true;
}

}  // namespace warden::store

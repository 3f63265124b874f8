// The ingest ledger and the settings table.
#include "store/sqlite/sqlite_repositories.h"

namespace warden::store {
namespace {

Setting ReadSetting(SqliteStatement& st) {
  Setting s;
  s.key = st.Text(0);
  s.value = st.Text(1);
  s.updated_at = st.Int(2);
  return s;
}

}  // namespace

// ---- record ledger

Result<bool> SqliteRecordLedger::Contains(int64_t host_id, std::string_view record_id) {
  ReadPool::Lease lease = pool_.Acquire();
  ASSIGN_OR_RETURN(
      ScopedStatement st,
      lease.conn().Statement("SELECT 1 FROM record_ledger WHERE host_id = ?1 AND record_id = ?2"));
  st->Bind(1, host_id).Bind(2, record_id);
  return st->Step();
}

Result<int64_t> SqliteRecordLedger::CountForHost(int64_t host_id) {
  ReadPool::Lease lease = pool_.Acquire();
  ASSIGN_OR_RETURN(ScopedStatement st,
                   lease.conn().Statement("SELECT COUNT(*) FROM record_ledger WHERE host_id = ?1"));
  st->Bind(1, host_id);
  ASSIGN_OR_RETURN(bool row, st->Step());
  return row ? st->Int(0) : int64_t{0};
}

Result<bool> SqliteRecordLedgerWriter::Claim(int64_t host_id, std::string_view record_id,
                                             EpochMs at) {
  if (record_id.empty()) return InvalidArgument("record id: must not be empty");
  if (record_id.size() > RecordLedger::kMaxRecordIdBytes)
    return InvalidArgument("record id: longer than " +
                           std::to_string(RecordLedger::kMaxRecordIdBytes) + " bytes");
  ASSIGN_OR_RETURN(ScopedStatement st,
                   conn_.Statement("INSERT INTO record_ledger (host_id, record_id, received_at) "
                                   "VALUES (?1, ?2, ?3) ON CONFLICT (host_id, record_id) DO "
                                   "NOTHING"));
  st->Bind(1, host_id).Bind(2, record_id).Bind(3, at);
  RETURN_IF_ERROR(st->Run());
  return conn_.db().Changes() == 1;
}

Result<int64_t> SqliteRecordLedgerWriter::DeleteOlderThan(EpochMs cutoff) {
  return RunCountingChanges(conn_, "DELETE FROM record_ledger WHERE received_at < ?1",
                            [&](SqliteStatement& st) { st.Bind(1, cutoff); });
}

// ---- settings

Result<std::optional<Setting>> SqliteSettingsRepository::Get(std::string_view key) {
  ReadPool::Lease lease = pool_.Acquire();
  return QueryOne<Setting>(
      lease.conn(), "SELECT name, value, updated_at FROM settings WHERE name = ?1",
      [&](SqliteStatement& st) { st.Bind(1, key); }, ReadSetting);
}

Result<std::vector<Setting>> SqliteSettingsRepository::All() {
  ReadPool::Lease lease = pool_.Acquire();
  ASSIGN_OR_RETURN(ScopedStatement st,
                   lease.conn().Statement("SELECT name, value, updated_at FROM settings ORDER BY "
                                          "name"));
  std::vector<Setting> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back(ReadSetting(*st));
  }
  return out;
}

Status SqliteSettingsWriter::Put(std::string_view key, std::string_view value, EpochMs at) {
  if (key.empty()) return InvalidArgument("setting: the key must not be empty");
  ASSIGN_OR_RETURN(ScopedStatement st,
                   conn_.Statement("INSERT INTO settings (name, value, updated_at) VALUES (?1, "
                                   "?2, ?3) ON CONFLICT (name) DO UPDATE SET value = "
                                   "excluded.value, updated_at = excluded.updated_at"));
  st->Bind(1, key).Bind(2, value).Bind(3, at);
  return st->Run();
}

Result<bool> SqliteSettingsWriter::Delete(std::string_view key) {
  ASSIGN_OR_RETURN(int64_t n, RunCountingChanges(conn_, "DELETE FROM settings WHERE name = ?1",
                                                 [&](SqliteStatement& st) { st.Bind(1, key); }));
  return n > 0;
}

}  // namespace warden::store

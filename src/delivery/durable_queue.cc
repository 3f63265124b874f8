#include "delivery/durable_queue.h"

#include <algorithm>

namespace warden {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS records(
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,
  record_id TEXT NOT NULL,
  time_ms INTEGER NOT NULL,
  severity INTEGER NOT NULL,
  payload BLOB NOT NULL,
  bytes INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO meta VALUES('bytes', 0), ('records', 0), ('dropped', 0), ('delivered', 0);
)sql";

}  // namespace

Result<std::unique_ptr<DurableQueue>> DurableQueue::Open(const std::string& path,
                                                         const QueueConfig& config) {
  ASSIGN_OR_RETURN(auto db, SqliteDatabase::Open(path, SqliteDatabase::Mode::kReadWriteCreate));
  RETURN_IF_ERROR(db->Exec(kSchema));
  // The counters are derived data: recompute them so they always match the
  // rows, whatever happened before (an older version, a manual edit).
  RETURN_IF_ERROR(db->Exec(
      "UPDATE meta SET value = (SELECT coalesce(sum(bytes), 0) FROM records) WHERE key = 'bytes';"
      "UPDATE meta SET value = (SELECT count(*) FROM records) WHERE key = 'records';"));
  return std::unique_ptr<DurableQueue>(new DurableQueue(std::move(db), config));
}

void DurableQueue::Reconfigure(const QueueConfig& config) {
  std::lock_guard<std::mutex> lock(mu_);
  config_ = config;
}

Result<int64_t> DurableQueue::Meta(const char* key) {
  ASSIGN_OR_RETURN(SqliteStatement st, db_->Prepare("SELECT value FROM meta WHERE key=?"));
  st.Bind(1, std::string_view(key));
  ASSIGN_OR_RETURN(bool row, st.Step());
  return row ? st.Int(0) : int64_t{0};
}

Status DurableQueue::AddMeta(const char* key, int64_t delta) {
  if (delta == 0) return Status::Ok();
  ASSIGN_OR_RETURN(SqliteStatement st,
                   db_->Prepare("UPDATE meta SET value = value + ? WHERE key=?"));
  st.Bind(1, delta).Bind(2, std::string_view(key));
  return st.Run();
}

Result<int64_t> DurableQueue::Append(const std::vector<QueuedRecord>& records) {
  if (records.empty()) return int64_t{0};
  std::lock_guard<std::mutex> lock(mu_);
  ASSIGN_OR_RETURN(auto txn, SqliteTransaction::Begin(*db_));
  ASSIGN_OR_RETURN(int64_t bytes, Meta("bytes"));
  int64_t dropped = 0, added_bytes = 0, added_records = 0, removed_bytes = 0, removed_records = 0;
  ASSIGN_OR_RETURN(
      SqliteStatement insert,
      db_->Prepare("INSERT INTO records(kind, record_id, time_ms, severity, payload, bytes) "
                   "VALUES(?,?,?,?,?,?)"));
  ASSIGN_OR_RETURN(SqliteStatement oldest,
                   db_->Prepare("SELECT seq, bytes FROM records ORDER BY seq LIMIT 64"));
  ASSIGN_OR_RETURN(SqliteStatement remove, db_->Prepare("DELETE FROM records WHERE seq=?"));
  for (const QueuedRecord& r : records) {
    const int64_t size = static_cast<int64_t>(r.payload.size());
    if (size > config_.max_bytes) {  // can never fit: dropped whatever the policy
      ++dropped;
      continue;
    }
    if (bytes + size > config_.max_bytes) {
      if (config_.drop_policy == DropPolicy::kDropNewest) {
        ++dropped;
        continue;
      }
      while (bytes + size > config_.max_bytes) {
        std::vector<std::pair<int64_t, int64_t>> victims;
        for (;;) {
          ASSIGN_OR_RETURN(bool row, oldest.Step());
          if (!row) break;
          victims.emplace_back(oldest.Int(0), oldest.Int(1));
        }
        oldest.Reset();
        if (victims.empty()) break;
        for (auto [seq, b] : victims) {
          if (bytes + size <= config_.max_bytes) break;
          remove.Bind(1, seq);
          RETURN_IF_ERROR(remove.Run());
          bytes -= b;
          removed_bytes += b;
          ++removed_records;
          ++dropped;
        }
      }
    }
    insert.Bind(1, RecordKindName(r.kind))
        .Bind(2, r.id)
        .Bind(3, r.time_ms)
        .Bind(4, int64_t{r.severity});
    insert.Bind(5, r.payload).Bind(6, size);
    RETURN_IF_ERROR(insert.Run());
    bytes += size;
    added_bytes += size;
    ++added_records;
  }
  RETURN_IF_ERROR(AddMeta("bytes", added_bytes - removed_bytes));
  RETURN_IF_ERROR(AddMeta("records", added_records - removed_records));
  RETURN_IF_ERROR(AddMeta("dropped", dropped));
  RETURN_IF_ERROR(txn->Commit());
  return dropped;
}

Result<std::vector<QueuedRecord>> DurableQueue::Peek(int max_records, int64_t max_bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  ASSIGN_OR_RETURN(SqliteStatement st,
                   db_->Prepare("SELECT seq, kind, record_id, time_ms, severity, payload FROM "
                                "records ORDER BY seq LIMIT ?"));
  st.Bind(1, int64_t{std::max(1, max_records)});
  std::vector<QueuedRecord> out;
  int64_t total = 0;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    QueuedRecord r;
    r.seq = st.Int(0);
    r.kind = ParseRecordKind(st.Text(1)).value_or(RecordKind::kResult);
    r.id = st.Text(2);
    r.time_ms = st.Int(3);
    r.severity = static_cast<int>(st.Int(4));
    r.payload = st.Text(5);
    total += static_cast<int64_t>(r.payload.size());
    if (!out.empty() && total > max_bytes) break;
    out.push_back(std::move(r));
  }
  return out;
}

Status DurableQueue::Acknowledge(int64_t first_seq, int64_t last_seq) {
  std::lock_guard<std::mutex> lock(mu_);
  ASSIGN_OR_RETURN(auto txn, SqliteTransaction::Begin(*db_));
  ASSIGN_OR_RETURN(SqliteStatement sum,
                   db_->Prepare("SELECT count(*), coalesce(sum(bytes), 0) FROM records WHERE "
                                "seq BETWEEN ? AND ?"));
  sum.Bind(1, first_seq).Bind(2, last_seq);
  ASSIGN_OR_RETURN(bool row, sum.Step());
  const int64_t n = row ? sum.Int(0) : 0, b = row ? sum.Int(1) : 0;
  sum.Reset();
  ASSIGN_OR_RETURN(SqliteStatement del,
                   db_->Prepare("DELETE FROM records WHERE seq BETWEEN ? AND ?"));
  del.Bind(1, first_seq).Bind(2, last_seq);
  RETURN_IF_ERROR(del.Run());
  RETURN_IF_ERROR(AddMeta("bytes", -b));
  RETURN_IF_ERROR(AddMeta("records", -n));
  RETURN_IF_ERROR(AddMeta("delivered", n));
  return txn->Commit();
}

Result<QueueStats> DurableQueue::Stats() {
  std::lock_guard<std::mutex> lock(mu_);
  QueueStats s;
  ASSIGN_OR_RETURN(s.records, Meta("records"));
  ASSIGN_OR_RETURN(s.bytes, Meta("bytes"));
  ASSIGN_OR_RETURN(s.dropped, Meta("dropped"));
  ASSIGN_OR_RETURN(s.delivered, Meta("delivered"));
  ASSIGN_OR_RETURN(SqliteStatement st,
                   db_->Prepare("SELECT time_ms FROM records ORDER BY seq LIMIT 1"));
  ASSIGN_OR_RETURN(bool row, st.Step());
  if (row) s.oldest_ms = st.Int(0);
  return s;
}

}  // namespace warden

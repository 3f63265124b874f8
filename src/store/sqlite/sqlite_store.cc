#include "store/sqlite/sqlite_store.h"

#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/time_format.h"
#include "store/sqlite/sqlite_backup.h"
#include "store/sqlite/sqlite_migrations.h"
#include "store/sqlite/sqlite_recipes.h"
#include "store/sqlite/sqlite_repositories.h"
#include "store/sqlite/sqlite_suppressions.h"

namespace warden::store {
namespace {

// The write side handed to each write: every repository over the writer
// connection.
class SqliteStoreWriter final : public StoreWriter {
 public:
  explicit SqliteStoreWriter(SqliteConnection& conn)
      : hosts_(conn),
        secrets_(conn),
        users_(conn),
        sessions_(conn),
        tokens_(conn),
        audit_(conn),
        ledger_(conn),
        settings_(conn),
        problems_(conn),
        inventory_(conn),
        vulnerabilities_(conn),
        commands_(conn),
        channels_(conn),
        scans_(conn),
        detector_runs_(conn),
        live_queries_(conn),
        saved_queries_(conn),
        scheduled_results_(conn),
        recipes_(conn),
        suppressions_(conn),
        cloud_accounts_(conn) {}
  HostWriter& hosts() override { return hosts_; }
  EnrolSecretWriter& enrol_secrets() override { return secrets_; }
  UserWriter& users() override { return users_; }
  SessionWriter& sessions() override { return sessions_; }
  ApiTokenWriter& api_tokens() override { return tokens_; }
  AuditWriter& audit() override { return audit_; }
  RecordLedgerWriter& ledger() override { return ledger_; }
  SettingsWriter& settings() override { return settings_; }
  FleetProblemWriter& problems() override { return problems_; }
  HostInventoryWriter& inventory() override { return inventory_; }
  VulnerabilityFindingWriter& vulnerabilities() override { return vulnerabilities_; }
  AgentCommandWriter& commands() override { return commands_; }
  ChannelWriter& channels() override { return channels_; }
  ScanWriter& scans() override { return scans_; }
  DetectorRunWriter& detector_runs() override { return detector_runs_; }
  LiveQueryWriter& live_queries() override { return live_queries_; }
  SavedQueryWriter& saved_queries() override { return saved_queries_; }
  ScheduledResultWriter& scheduled_results() override { return scheduled_results_; }
  RecipeWriter& recipes() override { return recipes_; }
  SuppressionWriter& suppressions() override { return suppressions_; }
  CloudAccountWriter& cloud_accounts() override { return cloud_accounts_; }

 private:
  SqliteHostWriter hosts_;
  SqliteEnrolSecretWriter secrets_;
  SqliteUserWriter users_;
  SqliteSessionWriter sessions_;
  SqliteApiTokenWriter tokens_;
  SqliteAuditWriter audit_;
  SqliteRecordLedgerWriter ledger_;
  SqliteSettingsWriter settings_;
  SqliteFleetProblemWriter problems_;
  SqliteHostInventoryWriter inventory_;
  SqliteVulnerabilityFindingWriter vulnerabilities_;
  SqliteAgentCommandWriter commands_;
  SqliteChannelWriter channels_;
  SqliteScanWriter scans_;
  SqliteDetectorRunWriter detector_runs_;
  SqliteLiveQueryWriter live_queries_;
  SqliteSavedQueryWriter saved_queries_;
  SqliteScheduledResultWriter scheduled_results_;
  SqliteRecipeWriter recipes_;
  SqliteSuppressionWriter suppressions_;
  SqliteCloudAccountWriter cloud_accounts_;
};

// Latest "last seen/used" time per key, waiting for the next batch.
struct Touches {
  std::unordered_map<int64_t, EpochMs> hosts;
  std::unordered_map<std::string, EpochMs> sessions;
  std::unordered_map<int64_t, EpochMs> tokens;
  bool empty() const { return hosts.empty() && sessions.empty() && tokens.empty(); }
};

template <typename Map, typename Key>
void KeepLatest(Map& map, const Key& key, EpochMs at) {
  auto [it, inserted] = map.emplace(key, at);
  if (!inserted && it->second < at) it->second = at;
}

class SqliteStore final : public Store {
 public:
  SqliteStore(const SqliteStoreOptions& options, std::unique_ptr<SqliteConnection> writer_conn,
              std::unique_ptr<ReadPool> pool)
      : options_(options),
        writer_conn_(std::move(writer_conn)),
        pool_(std::move(pool)),
        writer_(*writer_conn_),
        hosts_(*pool_),
        secrets_(*pool_),
        node_keys_(*pool_),
        users_(*pool_),
        sessions_(*pool_),
        tokens_(*pool_),
        audit_(*pool_),
        ledger_(*pool_),
        settings_(*pool_),
        problems_(*pool_),
        inventory_(*pool_),
        vulnerabilities_(*pool_),
        commands_(*pool_),
        channels_(*pool_),
        scans_(*pool_),
        detector_runs_(*pool_),
        labels_(*pool_),
        live_queries_(*pool_),
        saved_queries_(*pool_),
        scheduled_results_(*pool_),
        recipes_(*pool_),
        suppressions_(*pool_),
        cloud_accounts_(*pool_) {
    thread_ = std::thread([this] { WriterLoop(); });
  }

  ~SqliteStore() override {
    {
      std::lock_guard lock(mu_);
      closing_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

  HostRepository& hosts() override { return hosts_; }
  EnrolSecretRepository& enrol_secrets() override { return secrets_; }
  NodeKeyRepository& node_keys() override { return node_keys_; }
  UserRepository& users() override { return users_; }
  SessionRepository& sessions() override { return sessions_; }
  ApiTokenRepository& api_tokens() override { return tokens_; }
  AuditLog& audit() override { return audit_; }
  RecordLedger& ledger() override { return ledger_; }
  SettingsRepository& settings() override { return settings_; }
  FleetProblemRepository& problems() override { return problems_; }
  HostInventoryRepository& inventory() override { return inventory_; }
  VulnerabilityFindingRepository& vulnerabilities() override { return vulnerabilities_; }
  AgentCommandRepository& commands() override { return commands_; }
  ChannelRepository& channels() override { return channels_; }
  ScanRepository& scans() override { return scans_; }
  DetectorRunRepository& detector_runs() override { return detector_runs_; }
  LabelRepository& labels() override { return labels_; }
  LiveQueryRepository& live_queries() override { return live_queries_; }
  SavedQueryRepository& saved_queries() override { return saved_queries_; }
  ScheduledResultRepository& scheduled_results() override { return scheduled_results_; }
  RecipeRepository& recipes() override { return recipes_; }
  SuppressionRepository& suppressions() override { return suppressions_; }
  CloudAccountRepository& cloud_accounts() override { return cloud_accounts_; }

  void TouchHost(int64_t host_id, EpochMs at) override {
    std::lock_guard lock(mu_);
    if (closing_) return;
    KeepLatest(touches_.hosts, host_id, at);
    cv_.notify_one();
  }
  void TouchSession(const std::string& id_sha256, EpochMs at) override {
    std::lock_guard lock(mu_);
    if (closing_) return;
    KeepLatest(touches_.sessions, id_sha256, at);
    cv_.notify_one();
  }
  void TouchApiToken(int64_t token_id, EpochMs at) override {
    std::lock_guard lock(mu_);
    if (closing_) return;
    KeepLatest(touches_.tokens, token_id, at);
    cv_.notify_one();
  }

  Status Flush() override {
    return Write([](StoreWriter&) { return Status::Ok(); }).Wait().status();
  }

  StoreWriterStats writer_stats() const override {
    std::lock_guard lock(mu_);
    StoreWriterStats s = stats_;
    s.queued = static_cast<int64_t>(queue_.size());
    return s;
  }

 protected:
  void Submit(WriteJob job) override {
    Status refused;
    WriteJob rejected;  // finished outside the lock
    {
      std::lock_guard lock(mu_);
      if (closing_) {
        refused = Unavailable("store: closed");
      } else if (static_cast<int64_t>(queue_.size()) >= options_.max_queued_writes) {
        refused = Unavailable("store: " + std::to_string(queue_.size()) +
                              " writes are waiting; try again shortly");
      }
      if (refused.ok()) {
        queue_.push_back(std::move(job));
      } else {
        ++stats_.rejected_writes;
        rejected = std::move(job);
      }
    }
    if (!refused.ok()) {
      rejected.finish(refused);
      return;
    }
    cv_.notify_one();
  }

 private:
  void WriterLoop() {
    internal::on_store_writer_thread = true;
    std::vector<WriteJob> batch;
    for (;;) {
      Touches touches;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return closing_ || !queue_.empty() || !touches_.empty(); });
        if (queue_.empty() && touches_.empty()) return;  // closing, all done
        while (!queue_.empty() && static_cast<int64_t>(batch.size()) < options_.max_batch_writes) {
          batch.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
        std::swap(touches, touches_);
      }
      RunBatch(batch, touches);
      batch.clear();
    }
  }

  // Touch updates are best effort: false when one failed (the caller then
  // rolls the transaction back and redoes the group without them, leaving
  // the older times).
  bool ApplyTouches(const Touches& touches) {
    bool ok = true;
    // (Bindings copied: clang before 16 cannot capture structured bindings.)
    for (const auto& touch : touches.hosts) {
      const int64_t id = touch.first;
      const EpochMs at = touch.second;
      ok = ok && RunCountingChanges(*writer_conn_,
                                    "UPDATE hosts SET last_seen_at = ?2 WHERE id = ?1 AND "
                                    "last_seen_at < ?2",
                                    [&](SqliteStatement& st) { st.Bind(1, id).Bind(2, at); })
                     .ok();
    }
    for (const auto& touch : touches.sessions) {
      const std::string& hash = touch.first;
      const EpochMs at = touch.second;
      ok = ok && RunCountingChanges(*writer_conn_,
                                    "UPDATE sessions SET last_seen_at = ?2 WHERE id_sha256 = ?1 "
                                    "AND last_seen_at < ?2",
                                    [&](SqliteStatement& st) { st.Bind(1, hash).Bind(2, at); })
                     .ok();
    }
    for (const auto& touch : touches.tokens) {
      const int64_t id = touch.first;
      const EpochMs at = touch.second;
      ok = ok && RunCountingChanges(*writer_conn_,
                                    "UPDATE api_tokens SET last_used_at = ?2 WHERE id = ?1 AND "
                                    "(last_used_at IS NULL OR last_used_at < ?2)",
                                    [&](SqliteStatement& st) { st.Bind(1, id).Bind(2, at); })
                     .ok();
    }
    return ok;
  }

  // One transaction for the whole group, without a savepoint per write: a
  // savepoint makes SQLite copy every page a write changes into its
  // sub-journal, which cost about half the writer's time. When a write
  // fails, its changes and everyone else's are rolled back together and the
  // group is redone without it (and without any write that failed before):
  // writes are pure store work, so running one again is safe, and the ones
  // before it see the same state they saw the first time. After
  // kPassesWithoutSavepoints such passes (many failing writes), the last pass
  // falls back to a savepoint per write, which never needs another redo.
  static constexpr int kPassesWithoutSavepoints = 3;

  void RunBatch(std::vector<WriteJob>& batch, const Touches& touches) {
    const size_t n = batch.size();
    std::vector<Status> outcomes(n);
    std::vector<bool> failed_before(n, false);  // failed in an earlier pass: left out
    bool with_touches = !touches.empty();
    int64_t failed = 0;
    int64_t redone = 0;
    Status batch_status;
    for (int pass = 1;; ++pass) {
      batch_status = writer_conn_->Run("BEGIN IMMEDIATE");
      if (!batch_status.ok()) break;
      if (with_touches && !ApplyTouches(touches)) {
        (void)writer_conn_->Run("ROLLBACK");
        with_touches = false;
        ++redone;
        continue;
      }
      const bool savepoints = pass > kPassesWithoutSavepoints;
      bool redo = false;
      for (size_t i = 0; i < n && !redo; ++i) {
        if (failed_before[i]) continue;
        if (savepoints) {
          Status st = writer_conn_->Run("SAVEPOINT write");
          if (st.ok()) st = batch[i].apply(writer_);
          if (!st.ok()) {
            ++failed;
            failed_before[i] = true;
            (void)writer_conn_->Run("ROLLBACK TO write");
          }
          (void)writer_conn_->Run("RELEASE write");
          outcomes[i] = std::move(st);
          continue;
        }
        outcomes[i] = batch[i].apply(writer_);
        if (!outcomes[i].ok()) {
          ++failed;
          failed_before[i] = true;
          redo = true;
        }
      }
      if (redo) {
        (void)writer_conn_->Run("ROLLBACK");
        ++redone;
        continue;
      }
      batch_status = writer_conn_->Run("COMMIT");
      if (!batch_status.ok()) (void)writer_conn_->Run("ROLLBACK");
      break;
    }
    if (!batch_status.ok()) batch_status = batch_status.WithContext("store: batch not committed");
    {
      std::lock_guard lock(mu_);
      stats_.redone_batches += redone;
      if (batch_status.ok()) {
        ++stats_.transactions;
        stats_.writes += static_cast<int64_t>(n) - failed;
        stats_.failed_writes += failed;
        stats_.largest_batch = std::max(stats_.largest_batch, static_cast<int64_t>(n));
      } else {
        stats_.failed_writes += static_cast<int64_t>(n);
      }
    }
    // Only now, with the data on disk, do callers learn the outcome.
    for (size_t i = 0; i < n; ++i) batch[i].finish(batch_status.ok() ? outcomes[i] : batch_status);
  }

  SqliteStoreOptions options_;
  std::unique_ptr<SqliteConnection> writer_conn_;
  std::unique_ptr<ReadPool> pool_;
  SqliteStoreWriter writer_;
  SqliteHostRepository hosts_;
  SqliteEnrolSecretRepository secrets_;
  SqliteNodeKeyRepository node_keys_;
  SqliteUserRepository users_;
  SqliteSessionRepository sessions_;
  SqliteApiTokenRepository tokens_;
  SqliteAuditLog audit_;
  SqliteRecordLedger ledger_;
  SqliteSettingsRepository settings_;
  SqliteFleetProblemRepository problems_;
  SqliteHostInventoryRepository inventory_;
  SqliteVulnerabilityFindingRepository vulnerabilities_;
  SqliteAgentCommandRepository commands_;
  SqliteChannelRepository channels_;
  SqliteScanRepository scans_;
  SqliteDetectorRunRepository detector_runs_;
  SqliteLabelRepository labels_;
  SqliteLiveQueryRepository live_queries_;
  SqliteSavedQueryRepository saved_queries_;
  SqliteScheduledResultRepository scheduled_results_;
  SqliteRecipeRepository recipes_;
  SqliteSuppressionRepository suppressions_;
  SqliteCloudAccountRepository cloud_accounts_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<WriteJob> queue_;
  Touches touches_;
  bool closing_ = false;
  StoreWriterStats stats_;
  std::thread thread_;
};

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const SqliteStoreOptions& options) {
  if (options.path.empty()) return InvalidArgument("store: no database path");
  SqliteOpenOptions open;
  open.mode = SqliteOpenOptions::Mode::kReadWriteCreate;
  open.wal = true;
  open.synchronous_full = options.synchronous_full;
  ASSIGN_OR_RETURN(auto db, SqliteDatabase::Open(options.path, open));
  if (!options.synchronous_full) RETURN_IF_ERROR(db->Exec("PRAGMA synchronous=NORMAL"));
  RETURN_IF_ERROR(db->Exec("PRAGMA foreign_keys=ON"));
  // A larger page cache for the writer: ingest touches the ledger's index
  // all over.
  RETURN_IF_ERROR(db->Exec("PRAGMA cache_size=-16384"));
  {
    // A schema upgrade is preceded by a copy of the database as it was
    // (server.db.schema-NNN.bak): the way back is restoring it with the
    // previous warden (docs/deploy.md). A new or current database has none.
    ASSIGN_OR_RETURN(int64_t current, SchemaVersion(*db));
    const auto known = static_cast<int64_t>(SqliteMigrations().size());
    if (current > 0 && current < known) {
      char version[24];
      std::snprintf(version, sizeof version, "%03lld", static_cast<long long>(current));
      RETURN_IF_ERROR(BackupDatabase(*db, options.path + ".schema-" + version + ".bak"));
    }
  }
  RETURN_IF_ERROR(ApplyMigrations(*db, SqliteMigrations(), NowEpochMillis()));
  ASSIGN_OR_RETURN(auto pool, ReadPool::Open(options.path, options.read_connections));
  auto writer_conn = std::make_unique<SqliteConnection>(std::move(db));
  return std::unique_ptr<Store>(new SqliteStore(options, std::move(writer_conn), std::move(pool)));
}

}  // namespace warden::store

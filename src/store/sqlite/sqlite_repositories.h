// The SQLite implementations of the store's repositories: read sides over
// the ReadPool (each call borrows a connection), write sides over the single
// writer connection (called only on the writer thread, inside the batch
// transaction). Row mapping and single-row loads are shared by both sides.
// All SQL here is portable (see keyset_list_sql.h); only the migrations are
// SQLite's own. Internal to store/sqlite.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/sqlite/keyset_list_sql.h"
#include "store/sqlite/sqlite_connection.h"
#include "store/store.h"

namespace warden::store {

// Labels as the store keeps them: trimmed of nothing, non-empty, at most
// 128 bytes each, at most 100, sorted, no duplicates.
Result<std::vector<std::string>> NormalizeLabels(const std::vector<std::string>& labels);
std::string LabelsToJson(const std::vector<std::string>& labels);
std::vector<std::string> LabelsFromJson(std::string_view json);

std::optional<int64_t> OptionalInt(SqliteStatement& st, int column);
void BindOptional(SqliteStatement& st, int index, const std::optional<int64_t>& value);

Result<std::optional<Host>> LoadHost(SqliteConnection& conn, int64_t id);
Result<std::optional<EnrolSecret>> LoadEnrolSecret(SqliteConnection& conn, int64_t id);
Result<std::optional<User>> LoadUser(SqliteConnection& conn, int64_t id);
Result<std::optional<ApiToken>> LoadApiToken(SqliteConnection& conn, int64_t id);

// How each list maps onto its table (also checked by the query-plan test).
const ListTable& HostListTable();
const ListTable& EnrolSecretListTable();
const ListTable& UserListTable();
const ListTable& ApiTokenListTable();
const ListTable& AuditListTable();
const ListTable& FleetProblemListTable();
const ListTable& FleetProblemSummaryListTable();  // without finding and details
const ListTable& ProblemHistoryListTable();
const ListTable& HostPackageListTable();
const ListTable& HostPortListTable();
const ListTable& VulnerabilityFindingListTable();
const ListTable& AgentCommandListTable();
const ListTable& ChannelListTable();
const ListTable& ScanListTable();
const ListTable& DetectorRunListTable();
const ListTable& LabelListTable();
const ListTable& LiveQueryListTable();
const ListTable& LiveQueryTargetListTable();
const ListTable& LiveQueryRowListTable();
const ListTable& SavedQueryListTable();
const ListTable& CloudOrganisationListTable();
const ListTable& CloudAccountListTable();
const ListTable& CloudSourceListTable();
const ListTable& ScheduledResultListTable();
// The fleet-wide vulnerability views' summary tables.
const ListTable& VulnerabilitySummaryListTable();
const ListTable& VulnerablePackageListTable();
const ListTable& FixFirstListTable();

// A campaign's (or schedule's) targets as stored JSON text, and back.
std::string LiveQueryTargetSpecToJson(const LiveQueryTargetSpec& spec);
LiveQueryTargetSpec LiveQueryTargetSpecFromJson(std::string_view json);

// Optional text as NULL.
std::optional<std::string> OptionalText(SqliteStatement& st, int column);
void BindOptionalText(SqliteStatement& st, int index, const std::optional<std::string>& text);

// ---- read sides

class SqliteHostRepository final : public HostRepository {
 public:
  explicit SqliteHostRepository(ReadPool& pool) : pool_(pool) {}
  Result<std::optional<Host>> Get(int64_t id) override;
  Result<ListPage<Host>> List(const ListQuery& query) override;
  Status Export(const ListQuery& query, const RowCallback<Host>& row) override;

 private:
  ReadPool& pool_;
};

class SqliteEnrolSecretRepository final : public EnrolSecretRepository {
 public:
  explicit SqliteEnrolSecretRepository(ReadPool& pool) : pool_(pool) {}
  Result<std::optional<EnrolSecret>> Get(int64_t id) override;
  Result<std::optional<EnrolSecret>> FindByHash(std::string_view sha256) override;
  Result<ListPage<EnrolSecret>> List(const ListQuery& query) override;
  Status Export(const ListQuery& query, const RowCallback<EnrolSecret>& row) override;

 private:
  ReadPool& pool_;
};

class SqliteNodeKeyRepository final : public NodeKeyRepository {
 public:
  explicit SqliteNodeKeyRepository(ReadPool& pool) : pool_(pool) {}
  Result<std::optional<NodeKey>> FindByHash(std::string_view sha256) override;
  Result<std::vector<NodeKey>> ListForHost(int64_t host_id) override;

 private:
  ReadPool& pool_;
};

class SqliteUserRepository final : public UserRepository {
 public:
  explicit SqliteUserRepository(ReadPool& pool) : pool_(pool) {}
  Result<std::optional<User>> Get(int64_t id) override;
  Result<std::optional<User>> FindByName(std::string_view name) override;
  Result<ListPage<User>> List(const ListQuery& query) override;
  Status Export(const ListQuery& query, const RowCallback<User>& row) override;

 private:
  ReadPool& pool_;
};

class SqliteSessionRepository final : public SessionRepository {
 public:
  explicit SqliteSessionRepository(ReadPool& pool) : pool_(pool) {}
  Result<std::optional<Session>> FindByHash(std::string_view id_sha256) override;
  Result<std::vector<Session>> ListForUser(int64_t user_id) override;

 private:
  ReadPool& pool_;
};

class SqliteApiTokenRepository final : public ApiTokenRepository {
 public:
  explicit SqliteApiTokenRepository(ReadPool& pool) : pool_(pool) {}
  Result<std::optional<ApiToken>> Get(int64_t id) override;
  Result<std::optional<ApiToken>> FindByHash(std::string_view sha256) override;
  Result<ListPage<ApiToken>> List(const ListQuery& query) override;
  Status Export(const ListQuery& query, const RowCallback<ApiToken>& row) override;

 private:
  ReadPool& pool_;
};

class SqliteAuditLog final : public AuditLog {
 public:
  explicit SqliteAuditLog(ReadPool& pool) : pool_(pool) {}
  Result<std::optional<AuditEntry>> Get(int64_t id) override;
  Result<ListPage<AuditEntry>> List(const ListQuery& query) override;
  Status Export(const ListQuery& query, const RowCallback<AuditEntry>& row) override;

 private:
  ReadPool& pool_;
};

class SqliteRecordLedger final : public RecordLedger {
 public:
  explicit SqliteRecordLedger(ReadPool& pool) : pool_(pool) {}
  Result<bool> Contains(int64_t host_id, std::string_view record_id) override;
  Result<int64_t> CountForHost(int64_t host_id) override;

 private:
  ReadPool& pool_;
};

class SqliteSettingsRepository final : public SettingsRepository {
 public:
  explicit SqliteSettingsRepository(ReadPool& pool) : pool_(pool) {}
  Result<std::optional<Setting>> Get(std::string_view key) override;
  Result<std::vector<Setting>> All() override;

 private:
  ReadPool& pool_;
};

class SqliteFleetProblemRepository final : public FleetProblemRepository {
 public:
  explicit SqliteFleetProblemRepository(ReadPool& pool) : pool_(pool) {}
  Result<std::optional<FleetProblem>> Get(int64_t id) override;
  Result<std::optional<FleetProblem>> FindByAgentId(int64_t host_id,
                                                    std::string_view agent_problem_id) override;
  Result<std::optional<FleetProblem>> FindByCloudId(int64_t cloud_account_id,
                                                    std::string_view problem_id) override;
  Result<ListPage<FleetProblem>> List(const ListQuery& query) override;
  Status Export(const ListQuery& query, const RowCallback<FleetProblem>& row) override;
  Status ExportWithoutFinding(const ListQuery& query,
                              const RowCallback<FleetProblem>& row) override;
  Result<ListPage<ProblemHistoryRecord>> ListHistory(const ListQuery& query) override;
  Status ExportHistory(const ListQuery& query,
                       const RowCallback<ProblemHistoryRecord>& row) override;

 private:
  ReadPool& pool_;
};

class SqliteHostInventoryRepository final : public HostInventoryRepository {
 public:
  explicit SqliteHostInventoryRepository(ReadPool& pool) : pool_(pool) {}
  Result<ListPage<HostPackage>> ListPackages(const ListQuery& query) override;
  Status ExportPackages(const ListQuery& query, const RowCallback<HostPackage>& row) override;
  Result<ListPage<HostPort>> ListPorts(const ListQuery& query) override;
  Status ExportPorts(const ListQuery& query, const RowCallback<HostPort>& row) override;
  Result<std::vector<DetectorState>> Detectors(int64_t host_id) override;
  Result<InventoryTimes> Times(int64_t host_id) override;
  Result<HostFleetCounts> Counts(int64_t host_id) override;

 private:
  ReadPool& pool_;
};

class SqliteVulnerabilityFindingRepository final : public VulnerabilityFindingRepository {
 public:
  explicit SqliteVulnerabilityFindingRepository(ReadPool& pool) : pool_(pool) {}
  Result<ListPage<VulnerabilityFindingRow>> List(const ListQuery& query) override;
  Status Export(const ListQuery& query, const RowCallback<VulnerabilityFindingRow>& row) override;
  Result<ListPage<VulnerabilitySummary>> ListByCve(const ListQuery& query) override;
  Status ExportByCve(const ListQuery& query, const RowCallback<VulnerabilitySummary>& row) override;
  Result<ListPage<VulnerablePackageSummary>> ListByPackage(const ListQuery& query) override;
  Status ExportByPackage(const ListQuery& query,
                         const RowCallback<VulnerablePackageSummary>& row) override;
  Result<ListPage<FixFirstRow>> ListFixFirst(const ListQuery& query) override;
  Status ExportFixFirst(const ListQuery& query, const RowCallback<FixFirstRow>& row) override;
  Result<std::optional<VulnerabilityDetail>> GetCve(std::string_view cve) override;
  Result<std::vector<HostToMatch>> HostsToMatch(std::string_view feed_token,
                                                int64_t limit) override;
  Result<MatchProgress> Progress(std::string_view feed_token) override;
  Result<int64_t> StaleSummaries() override;
  Result<std::vector<VulnerabilityFeed>> Feeds() override;

 private:
  ReadPool& pool_;
};

class SqliteAgentCommandRepository final : public AgentCommandRepository {
 public:
  explicit SqliteAgentCommandRepository(ReadPool& pool) : pool_(pool) {}
  Result<std::optional<AgentCommandRow>> Get(int64_t id) override;
  Result<std::vector<AgentCommandRow>> Pending(int64_t host_id, EpochMs redeliver_before,
                                               int64_t limit) override;
  Result<ListPage<AgentCommandRow>> List(const ListQuery& query) override;

 private:
  ReadPool& pool_;
};

class SqliteChannelRepository final : public ChannelRepository {
 public:
  explicit SqliteChannelRepository(ReadPool& pool) : pool_(pool) {}
  Result<std::optional<Channel>> Get(int64_t id) override;
  Result<ListPage<Channel>> List(const ListQuery& query) override;
  Status Export(const ListQuery& query, const RowCallback<Channel>& row) override;

 private:
  ReadPool& pool_;
};

class SqliteLiveQueryRepository final : public LiveQueryRepository {
 public:
  explicit SqliteLiveQueryRepository(ReadPool& pool) : pool_(pool) {}
  Result<std::optional<LiveQuery>> Get(int64_t id) override;
  Result<ListPage<LiveQuery>> List(const ListQuery& query) override;
  Status Export(const ListQuery& query, const RowCallback<LiveQuery>& row) override;
  Result<std::optional<LiveQueryTarget>> Target(int64_t query_id, int64_t host_id) override;
  Result<std::optional<LiveQueryTarget>> TargetOfCommand(int64_t command_id) override;
  Result<ListPage<LiveQueryTarget>> ListTargets(const ListQuery& query) override;
  Status ExportTargets(const ListQuery& query, const RowCallback<LiveQueryTarget>& row) override;
  Result<std::vector<LiveQueryTarget>> TargetsChangedAfter(int64_t query_id,
                                                           int64_t after) override;
  Result<ListPage<LiveQueryRow>> ListRows(const ListQuery& query) override;
  Status ExportRows(const ListQuery& query, const RowCallback<LiveQueryRow>& row) override;
  Result<std::vector<LiveQueryRow>> RowsAfter(int64_t query_id, int64_t after_id,
                                              int64_t limit) override;
  Status HostRows(int64_t query_id, int64_t host_id,
                  const std::function<Status(const std::string& row_json)>& row) override;

 private:
  ReadPool& pool_;
};

class SqliteScanRepository final : public ScanRepository {
 public:
  explicit SqliteScanRepository(ReadPool& pool) : pool_(pool) {}
  Result<std::optional<Scan>> Get(int64_t id) override;
  Result<ListPage<Scan>> List(const ListQuery& query) override;
  Status Export(const ListQuery& query, const RowCallback<Scan>& row) override;
  Result<std::vector<ScanTarget>> Targets(int64_t scan_id) override;
  Result<int64_t> CountPendingOnHostsSeenBefore(int64_t scan_id, EpochMs seen_before) override;

 private:
  ReadPool& pool_;
};

class SqliteDetectorRunRepository final : public DetectorRunRepository {
 public:
  explicit SqliteDetectorRunRepository(ReadPool& pool) : pool_(pool) {}
  Result<ListPage<DetectorRun>> List(const ListQuery& query) override;
  Status Export(const ListQuery& query, const RowCallback<DetectorRun>& row) override;

 private:
  ReadPool& pool_;
};

class SqliteLabelRepository final : public LabelRepository {
 public:
  explicit SqliteLabelRepository(ReadPool& pool) : pool_(pool) {}
  Result<ListPage<LabelCount>> List(const ListQuery& query) override;
  Status Export(const ListQuery& query, const RowCallback<LabelCount>& row) override;

 private:
  ReadPool& pool_;
};

// ---- write sides

class SqliteHostWriter final : public HostWriter {
 public:
  explicit SqliteHostWriter(SqliteConnection& conn) : conn_(conn) {}
  Result<std::optional<Host>> Get(int64_t id) override { return LoadHost(conn_, id); }
  Result<EnrolOutcome> Enrol(const HostEnrolment& enrolment) override;
  Result<bool> SetLabels(int64_t id, const std::vector<std::string>& labels) override;
  Result<bool> Revoke(int64_t id, EpochMs at) override;
  Result<bool> Delete(int64_t id) override;

 private:
  Status WriteLabels(int64_t id, const std::vector<std::string>& labels);
  SqliteConnection& conn_;
};

class SqliteEnrolSecretWriter final : public EnrolSecretWriter {
 public:
  explicit SqliteEnrolSecretWriter(SqliteConnection& conn) : conn_(conn) {}
  Result<EnrolSecret> Create(const NewEnrolSecret& secret) override;
  Result<std::optional<EnrolSecret>> Revoke(int64_t id, EpochMs at) override;

 private:
  SqliteConnection& conn_;
};

class SqliteUserWriter final : public UserWriter {
 public:
  explicit SqliteUserWriter(SqliteConnection& conn) : conn_(conn) {}
  Result<std::optional<User>> Get(int64_t id) override { return LoadUser(conn_, id); }
  Result<std::optional<User>> Create(const NewUser& user) override;
  Result<std::optional<User>> Update(int64_t id, const UserUpdate& update) override;
  Result<bool> RecordLogin(int64_t id, EpochMs at) override;
  Result<bool> Delete(int64_t id) override;

 private:
  SqliteConnection& conn_;
};

class SqliteSessionWriter final : public SessionWriter {
 public:
  explicit SqliteSessionWriter(SqliteConnection& conn) : conn_(conn) {}
  Status Create(const Session& session) override;
  Result<bool> Delete(std::string_view id_sha256) override;
  Result<int64_t> DeleteForUser(int64_t user_id) override;
  Result<int64_t> DeleteExpired(EpochMs now, EpochMs idle_cutoff) override;

 private:
  SqliteConnection& conn_;
};

class SqliteApiTokenWriter final : public ApiTokenWriter {
 public:
  explicit SqliteApiTokenWriter(SqliteConnection& conn) : conn_(conn) {}
  Result<ApiToken> Create(const NewApiToken& token) override;
  Result<std::optional<ApiToken>> Revoke(int64_t id, EpochMs at) override;

 private:
  SqliteConnection& conn_;
};

class SqliteAuditWriter final : public AuditWriter {
 public:
  explicit SqliteAuditWriter(SqliteConnection& conn) : conn_(conn) {}
  Result<int64_t> Append(const AuditEntry& entry) override;
  Result<int64_t> DeleteOlderThan(EpochMs cutoff) override;

 private:
  SqliteConnection& conn_;
};

class SqliteRecordLedgerWriter final : public RecordLedgerWriter {
 public:
  explicit SqliteRecordLedgerWriter(SqliteConnection& conn) : conn_(conn) {}
  Result<bool> Claim(int64_t host_id, std::string_view record_id, EpochMs at) override;
  Result<int64_t> DeleteOlderThan(EpochMs cutoff) override;

 private:
  SqliteConnection& conn_;
};

class SqliteSettingsWriter final : public SettingsWriter {
 public:
  explicit SqliteSettingsWriter(SqliteConnection& conn) : conn_(conn) {}
  Status Put(std::string_view key, std::string_view value, EpochMs at) override;
  Result<bool> Delete(std::string_view key) override;

 private:
  SqliteConnection& conn_;
};

class SqliteFleetProblemWriter final : public FleetProblemWriter {
 public:
  explicit SqliteFleetProblemWriter(SqliteConnection& conn) : conn_(conn) {}
  Result<std::optional<FleetProblem>> Get(int64_t id) override;
  Result<ProblemUpsert> Upsert(const FleetProblem& problem) override;
  Result<std::optional<FleetProblem>> FindByCloudId(int64_t cloud_account_id,
                                                    std::string_view problem_id) override;
  Result<int64_t> AppendHistory(const ProblemHistoryRecord& entry) override;
  Result<std::vector<FleetProblem>> ExpiredDismissals(EpochMs now, int limit) override;

 private:
  SqliteConnection& conn_;
};

class SqliteHostInventoryWriter final : public HostInventoryWriter {
 public:
  explicit SqliteHostInventoryWriter(SqliteConnection& conn) : conn_(conn) {}
  Result<bool> ReplacePackages(int64_t host_id, const std::vector<HostPackage>& packages,
                               EpochMs at) override;
  Result<bool> ReplacePorts(int64_t host_id, const std::string& hostname,
                            const std::vector<HostPort>& ports, EpochMs at) override;
  Result<bool> TouchOs(int64_t host_id, EpochMs at) override;
  Result<bool> ReplaceDetectors(int64_t host_id, const std::vector<DetectorState>& detectors,
                                EpochMs at) override;

 private:
  // Moves the host's `column` time to `at`; false when it already is later.
  Result<bool> AdvanceSnapshot(int64_t host_id, std::string_view column, EpochMs at);
  SqliteConnection& conn_;
};

class SqliteVulnerabilityFindingWriter final : public VulnerabilityFindingWriter {
 public:
  explicit SqliteVulnerabilityFindingWriter(SqliteConnection& conn) : conn_(conn) {}
  Result<int64_t> ReplaceForHost(int64_t host_id, const std::string& hostname,
                                 const std::vector<VulnerabilityFindingRow>& findings,
                                 EpochMs at) override;
  Status RecordMatch(const HostMatchRecord& record) override;
  Result<int64_t> RefreshSummaries(int64_t max_keys, std::chrono::milliseconds budget,
                                   EpochMs at) override;
  Status ReplaceFeeds(const std::vector<VulnerabilityFeed>& feeds) override;

 private:
  SqliteConnection& conn_;
};

class SqliteAgentCommandWriter final : public AgentCommandWriter {
 public:
  explicit SqliteAgentCommandWriter(SqliteConnection& conn) : conn_(conn) {}
  Result<AgentCommandRow> Create(const NewAgentCommand& command) override;
  Status MarkDelivered(const std::vector<int64_t>& ids, EpochMs at) override;
  Result<CommandResultUpdate> RecordResult(int64_t host_id, int64_t id,
                                           const AgentCommandOutcome& outcome) override;

 private:
  SqliteConnection& conn_;
};

class SqliteChannelWriter final : public ChannelWriter {
 public:
  explicit SqliteChannelWriter(SqliteConnection& conn) : conn_(conn) {}
  Result<std::optional<Channel>> Get(int64_t id) override;
  Result<std::optional<Channel>> Create(const NewChannel& channel) override;
  Result<ChannelUpdate> Update(int64_t id, const ChannelChange& change) override;
  Result<bool> Delete(int64_t id) override;
  Result<bool> RecordDelivery(int64_t id, const DeliveryOutcome& outcome) override;

 private:
  SqliteConnection& conn_;
};

class SqliteLiveQueryWriter final : public LiveQueryWriter {
 public:
  explicit SqliteLiveQueryWriter(SqliteConnection& conn) : conn_(conn) {}
  Result<LiveQuery> Create(const NewLiveQuery& query) override;
  Status AddTarget(int64_t query_id, int64_t host_id, const std::string& hostname,
                   std::optional<int64_t> command_id, LiveQueryTargetState state,
                   EpochMs at) override;
  Result<std::optional<int64_t>> MarkCommandDelivered(int64_t command_id, EpochMs at) override;
  Result<ChunkOutcome> AppendChunk(int64_t host_id, int64_t command_id, const LiveQueryChunk& chunk,
                                   EpochMs at) override;
  Result<std::optional<int64_t>> AnswerCommand(int64_t command_id,
                                               const LiveQueryAnswer& answer) override;
  Result<std::optional<std::vector<WithdrawnCommand>>> Cancel(int64_t query_id,
                                                              EpochMs at) override;
  Result<std::vector<WithdrawnCommand>> ExpireTargets(EpochMs now) override;
  Result<int64_t> PruneResults(EpochMs before, EpochMs now) override;

 private:
  SqliteConnection& conn_;
};

class SqliteScanWriter final : public ScanWriter {
 public:
  explicit SqliteScanWriter(SqliteConnection& conn) : conn_(conn) {}
  Result<Scan> Create(const NewScan& scan) override;
  Status AddTarget(int64_t scan_id, int64_t host_id, int64_t command_id, EpochMs at) override;
  Result<std::optional<int64_t>> MoveTargetOfCommand(int64_t command_id, ScanTargetState state,
                                                     std::optional<std::string> error,
                                                     EpochMs at) override;
  Result<int64_t> FailTargetsOfHost(int64_t host_id, const std::string& error, EpochMs at) override;

 private:
  SqliteConnection& conn_;
};

class SqliteDetectorRunWriter final : public DetectorRunWriter {
 public:
  explicit SqliteDetectorRunWriter(SqliteConnection& conn) : conn_(conn) {}
  Status Record(const DetectorRun& run) override;
  Result<int64_t> PruneBefore(EpochMs before) override;

 private:
  SqliteConnection& conn_;
};

// ---- cloud organisations, accounts (sqlite_cloud_accounts.cc) and sources
// (sqlite_cloud_sources.cc)

class SqliteCloudAccountRepository final : public CloudAccountRepository {
 public:
  explicit SqliteCloudAccountRepository(ReadPool& pool) : pool_(pool) {}
  Result<std::optional<CloudOrganisation>> GetOrganisation(int64_t id) override;
  Result<ListPage<CloudOrganisation>> ListOrganisations(const ListQuery& query) override;
  Status ExportOrganisations(const ListQuery& query,
                             const RowCallback<CloudOrganisation>& row) override;
  Result<std::optional<CloudAccount>> GetAccount(int64_t id) override;
  Result<ListPage<CloudAccount>> ListAccounts(const ListQuery& query) override;
  Status ExportAccounts(const ListQuery& query, const RowCallback<CloudAccount>& row) override;
  // Sources: sqlite_cloud_sources.cc.
  Result<std::optional<CloudSource>> GetSource(int64_t id) override;
  Result<ListPage<CloudSource>> ListSources(const ListQuery& query) override;
  Status ExportSources(const ListQuery& query, const RowCallback<CloudSource>& row) override;
  Result<std::vector<CloudSource>> EnabledSources() override;
  Result<std::map<std::string, uint64_t>> SourcePositions(int64_t source_id) override;

 private:
  ReadPool& pool_;
};

class SqliteCloudAccountWriter final : public CloudAccountWriter {
 public:
  explicit SqliteCloudAccountWriter(SqliteConnection& conn) : conn_(conn) {}
  Result<std::optional<CloudOrganisation>> GetOrganisation(int64_t id) override;
  Result<std::optional<CloudAccount>> GetAccount(int64_t id) override;
  Result<CloudWrite<CloudOrganisation>> CreateOrganisation(const CloudOrganisation& o) override;
  Result<CloudWrite<CloudOrganisation>> UpdateOrganisation(
      int64_t id, const CloudOrganisationChange& change) override;
  Result<CloudWrite<CloudOrganisation>> DeleteOrganisation(int64_t id) override;
  Result<CloudWrite<CloudAccount>> CreateAccount(const CloudAccount& a) override;
  Result<CloudWrite<CloudAccount>> UpdateAccount(int64_t id,
                                                 const CloudAccountChange& change) override;
  Result<CloudWrite<CloudAccount>> DeleteAccount(int64_t id) override;
  Result<CloudWrite<CloudSource>> CreateSource(const CloudSource& s) override;
  Result<CloudWrite<CloudSource>> UpdateSource(int64_t id,
                                               const CloudSourceChange& change) override;
  Result<CloudWrite<CloudSource>> DeleteSource(int64_t id) override;
  Result<bool> RecordSourceProgress(int64_t source_id,
                                    const CloudSourceProgress& progress) override;

 private:
  SqliteConnection& conn_;
};

// ---- saved queries and scheduled results (sqlite_saved_queries.cc)

class SqliteSavedQueryRepository final : public SavedQueryRepository {
 public:
  explicit SqliteSavedQueryRepository(ReadPool& pool) : pool_(pool) {}
  Result<std::optional<SavedQuery>> Get(int64_t id) override;
  Result<std::optional<SavedQuery>> GetByName(const std::string& name) override;
  Result<ListPage<SavedQuery>> List(const ListQuery& query) override;
  Status Export(const ListQuery& query, const RowCallback<SavedQuery>& row) override;
  Result<std::vector<SavedQuery>> Scheduled() override;
  Result<std::set<int64_t>> FavouriteIds(int64_t user_id) override;

 private:
  ReadPool& pool_;
};

class SqliteSavedQueryWriter final : public SavedQueryWriter {
 public:
  explicit SqliteSavedQueryWriter(SqliteConnection& conn) : conn_(conn) {}
  Result<std::optional<SavedQuery>> Get(int64_t id) override;
  Result<std::optional<SavedQuery>> Create(const NewSavedQuery& query) override;
  Result<SavedQueryUpdate> Update(int64_t id, const SavedQueryChange& change) override;
  Result<bool> Delete(int64_t id) override;
  Result<bool> SetFavourite(int64_t user_id, int64_t saved_query_id, bool favourite,
                            EpochMs at) override;

 private:
  SqliteConnection& conn_;
};

class SqliteScheduledResultRepository final : public ScheduledResultRepository {
 public:
  explicit SqliteScheduledResultRepository(ReadPool& pool) : pool_(pool) {}
  Result<ListPage<ScheduledResultRow>> List(const ListQuery& query) override;
  Status Export(const ListQuery& query, const RowCallback<ScheduledResultRow>& row) override;
  Result<std::vector<HostQueryJob>> HostJobs(int64_t host_id) override;

 private:
  ReadPool& pool_;
};

class SqliteScheduledResultWriter final : public ScheduledResultWriter {
 public:
  explicit SqliteScheduledResultWriter(SqliteConnection& conn) : conn_(conn) {}
  Status Append(const std::vector<ScheduledResultRow>& rows) override;
  Result<bool> ReplaceHostJobs(int64_t host_id, const std::vector<HostQueryJob>& jobs,
                               EpochMs reported_at) override;
  Result<int64_t> PruneBefore(EpochMs before) override;

 private:
  SqliteConnection& conn_;
};

}  // namespace warden::store

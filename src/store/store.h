// Store is the control-plane server's storage: one interface, an embedded
// SQLite implementation (store/sqlite) and, later, PostgreSQL behind it,
// so handlers never change with the engine. It never sees HTTP or JSON
// documents beyond opaque JSON text columns.
//
// Reads go through the repositories (hosts(), users(), ...): thread-safe,
// synchronous, each on a pooled read connection, never blocked by writes.
//
// Writes go through Write(fn): `fn` runs on the store's single writer thread
// inside a transaction, with a StoreWriter whose repositories do the
// changes; whatever `fn` returns becomes the outcome of the returned
// Pending<T> once the transaction has committed (or the error, with every
// change `fn` made undone). The writer gathers the writes queued meanwhile
// into one transaction (group commit: one fsync for many writes). One
// failing write never undoes another: when a write fails, the writer rolls
// the group back and runs it again without that write. Everything that must
// change together goes into one `fn`: a change and its audit entry, an
// enrolment and its node key, a batch of records and their ledger claims.
//
//   auto done = store.Write([&](StoreWriter& w) -> Result<User> {
//     ASSIGN_OR_RETURN(auto user, w.users().Create(new_user));
//     if (!user) return InvalidArgument("name: taken");
//     RETURN_IF_ERROR(w.audit().Append(entry).status());
//     return *user;
//   });
//   Result<User> user = done.Wait();      // a worker thread may block, or
//   done.Then([](Result<User> u) {...});  // answer from the writer thread
//
// `fn` must be quick and must do nothing but store work: it holds up every
// write queued behind it. It must not wait for another write. It may run
// more than once (when another write of its group fails, the group is
// redone), so it must leave its captures as it found them (no moving out of
// them) and act on nothing outside the store; only its last run's outcome
// counts. Writes
// beyond the queue bound fail at once with kUnavailable (the API answers
// 503 + Retry-After); after the store is closed, likewise.
//
// Touch* record "last seen/used" times without a round trip: they are
// coalesced in memory (latest time per key) and written with the next
// batch, so 10,000 agents polling cost one UPDATE per host per batch, not a
// transaction each.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "core/status.h"
#include "store/agent_command_repository.h"
#include "store/api_token_repository.h"
#include "store/audit_log.h"
#include "store/channel_repository.h"
#include "store/cloud_account_repository.h"
#include "store/detector_run_repository.h"
#include "store/enrol_secret_repository.h"
#include "store/fleet_problem_repository.h"
#include "store/host_inventory_repository.h"
#include "store/host_repository.h"
#include "store/label_repository.h"
#include "store/list_query.h"
#include "store/live_query_repository.h"
#include "store/node_key_repository.h"
#include "store/pending.h"
#include "store/recipe_repository.h"
#include "store/record_ledger.h"
#include "store/saved_query_repository.h"
#include "store/scan_repository.h"
#include "store/scheduled_result_repository.h"
#include "store/session_repository.h"
#include "store/settings_repository.h"
#include "store/suppression_repository.h"
#include "store/user_repository.h"
#include "store/vulnerability_finding_repository.h"

namespace warden::store {

namespace internal {
template <typename R>
struct ResultValue;
template <typename T>
struct ResultValue<Result<T>> {
  using type = T;
};
}  // namespace internal

// The write side, valid only inside Store::Write's function, on the writer
// thread.
class StoreWriter {
 public:
  virtual ~StoreWriter() = default;
  virtual HostWriter& hosts() = 0;
  virtual EnrolSecretWriter& enrol_secrets() = 0;
  virtual UserWriter& users() = 0;
  virtual SessionWriter& sessions() = 0;
  virtual ApiTokenWriter& api_tokens() = 0;
  virtual AuditWriter& audit() = 0;
  virtual RecordLedgerWriter& ledger() = 0;
  virtual SettingsWriter& settings() = 0;
  virtual FleetProblemWriter& problems() = 0;
  virtual HostInventoryWriter& inventory() = 0;
  virtual VulnerabilityFindingWriter& vulnerabilities() = 0;
  virtual AgentCommandWriter& commands() = 0;
  virtual ChannelWriter& channels() = 0;
  virtual ScanWriter& scans() = 0;
  virtual DetectorRunWriter& detector_runs() = 0;
  virtual LiveQueryWriter& live_queries() = 0;
  virtual SavedQueryWriter& saved_queries() = 0;
  virtual ScheduledResultWriter& scheduled_results() = 0;
  virtual RecipeWriter& recipes() = 0;
  virtual SuppressionWriter& suppressions() = 0;
  virtual CloudAccountWriter& cloud_accounts() = 0;
};

// Counters of the writer, for /metrics and tests.
struct StoreWriterStats {
  int64_t transactions = 0;     // committed batches
  int64_t writes = 0;           // writes committed
  int64_t failed_writes = 0;    // writes that returned an error (rolled back alone)
  int64_t redone_batches = 0;   // groups rolled back and redone without a failed write
  int64_t rejected_writes = 0;  // refused: queue full or store closed
  int64_t largest_batch = 0;    // most writes in one transaction
  int64_t queued = 0;           // waiting now
};

class Store {
 public:
  // One queued write: `apply` runs inside the transaction; `finish` runs
  // after the commit with OK, or with the error that undid the write.
  struct WriteJob {
    std::function<Status(StoreWriter&)> apply;
    std::function<void(const Status&)> finish;
  };

  virtual ~Store() = default;

  virtual HostRepository& hosts() = 0;
  virtual EnrolSecretRepository& enrol_secrets() = 0;
  virtual NodeKeyRepository& node_keys() = 0;
  virtual UserRepository& users() = 0;
  virtual SessionRepository& sessions() = 0;
  virtual ApiTokenRepository& api_tokens() = 0;
  virtual AuditLog& audit() = 0;
  virtual RecordLedger& ledger() = 0;
  virtual SettingsRepository& settings() = 0;
  virtual FleetProblemRepository& problems() = 0;
  virtual HostInventoryRepository& inventory() = 0;
  virtual VulnerabilityFindingRepository& vulnerabilities() = 0;
  virtual AgentCommandRepository& commands() = 0;
  virtual ChannelRepository& channels() = 0;
  virtual ScanRepository& scans() = 0;
  virtual DetectorRunRepository& detector_runs() = 0;
  virtual LabelRepository& labels() = 0;
  virtual LiveQueryRepository& live_queries() = 0;
  virtual SavedQueryRepository& saved_queries() = 0;
  virtual ScheduledResultRepository& scheduled_results() = 0;
  virtual RecipeRepository& recipes() = 0;
  virtual SuppressionRepository& suppressions() = 0;
  virtual CloudAccountRepository& cloud_accounts() = 0;

  // Queues `fn`, a callable StoreWriter& -> Result<T> (giving Pending<T>) or
  // StoreWriter& -> Status (giving Pending<Committed>); see above.
  template <typename Fn>
  auto Write(Fn fn) {
    using R = std::invoke_result_t<Fn&, StoreWriter&>;
    if constexpr (std::is_same_v<R, Status>) {
      return Write([fn = std::move(fn)](StoreWriter& writer) mutable -> Result<Committed> {
        RETURN_IF_ERROR(fn(writer));
        return Committed{};
      });
    } else {
      using T = typename internal::ResultValue<R>::type;
      Pending<T> pending;
      auto slot = std::make_shared<std::optional<Result<T>>>();
      Submit(WriteJob{[fn = std::move(fn), slot](StoreWriter& writer) mutable {
                        Result<T> r = fn(writer);
                        Status status = r.status();
                        slot->emplace(std::move(r));
                        return status;
                      },
                      [pending, slot](const Status& status) {
                        if (!status.ok())
                          pending.Resolve(status);
                        else if (!slot->has_value())
                          pending.Resolve(Status(StatusCode::kInternal, "store: write lost"));
                        else
                          pending.Resolve(std::move(**slot));
                      }});
      return pending;
    }
  }

  virtual void TouchHost(int64_t host_id, EpochMs at) = 0;
  virtual void TouchSession(const std::string& id_sha256, EpochMs at) = 0;
  virtual void TouchApiToken(int64_t token_id, EpochMs at) = 0;

  // Returns once everything queued before the call (writes and touches) has
  // been committed.
  virtual Status Flush() = 0;
  virtual StoreWriterStats writer_stats() const = 0;

 protected:
  virtual void Submit(WriteJob job) = 0;
};

}  // namespace warden::store

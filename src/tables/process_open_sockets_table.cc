// process_open_sockets: every TCP, UDP (IPv4 and IPv6) and unix socket of
// every network namespace in use, with the process and descriptor holding it.
// Sockets no scanned process holds (kernel sockets, TIME_WAIT) have pid and
// fd -1, as in osquery. `WHERE pid = N` (or IN) scans only those processes'
// descriptors and namespaces and returns only their sockets; `pid = -1`
// means "all, including unowned". The descriptor scan is skipped entirely
// when neither pid nor fd is used. Constraints on family and protocol skip
// the other socket tables.
#include <string>

#include "tables/proc_sockets.h"
#include "tables/process_tables.h"

namespace warden {
namespace {

enum OpenSocketColumn : int {
  kPid,
  kFd,
  kSocket,
  kFamily,
  kProtocol,
  kLocalAddress,
  kRemoteAddress,
  kLocalPort,
  kRemotePort,
  kPath,
  kState,
  kNetNamespace,
};

Status GenerateProcessOpenSockets(const QueryContext& ctx, RowWriter& out) {
  const HostFs& fs = ctx.fs();
  const SocketScope scope = SocketScopeFor(ctx);
  const bool pid_filter = scope.pid_filter;
  const std::vector<int64_t>& pids = scope.pids;
  const unsigned kinds = SocketKindsFor(ctx);
  if (kinds == 0) return Status::Ok();
  const bool need_owner = pid_filter || ctx.IsUsed(kPid) || ctx.IsUsed(kFd);
  const ProcessSocketScan scan = ScanProcessSockets(fs, pids, need_owner, ctx);
  if (ctx.Cancelled()) return Status::Ok();  // the engine reports the time-out
  std::vector<SocketEntry> sockets = ReadSocketTables(fs, scan, kinds);
  const SocketOwnerIndex& owners = scan.owners;

  for (auto& s : sockets) {
    const SocketOwner* owner = need_owner ? owners.Find(s.inode) : nullptr;
    if (pid_filter && owner == nullptr) continue;
    Row& row = out.Add();
    row.Set(kPid, Value(owner ? owner->pid : int64_t{-1}));
    row.Set(kFd, Value(owner ? owner->fd : int64_t{-1}));
    row.Set(kSocket, Value(static_cast<int64_t>(s.inode)));
    row.Set(kFamily, Value(int64_t{s.family}));
    row.Set(kProtocol, Value(int64_t{s.protocol}));
    row.Set(kLocalAddress, Value(std::move(s.local_address)));
    row.Set(kRemoteAddress, Value(std::move(s.remote_address)));
    row.Set(kLocalPort, Value(int64_t{s.local_port}));
    row.Set(kRemotePort, Value(int64_t{s.remote_port}));
    row.Set(kPath, Value(std::move(s.path)));
    row.Set(kState, Value(std::string(s.protocol == kProtocolTcp ? TcpStateName(s.state) : "")));
    row.Set(kNetNamespace, Value(std::to_string(s.net_namespace)));
  }
  return Status::Ok();
}

}  // namespace

void RegisterProcessOpenSocketsTable(TableRegistry& r) {
  using T = ColumnType;
  r.Add(TableSchema{"process_open_sockets",
                    "TCP, UDP and unix sockets of the host with the process holding each one.",
                    {{"pid", T::kInteger, kAdditional, "", ""},
                     {"fd", T::kBigInt, kNone, "", ""},
                     {"socket", T::kBigInt, kNone, "", ""},
                     {"family", T::kInteger, kNone, "", ""},
                     {"protocol", T::kInteger, kNone, "", ""},
                     {"local_address", T::kText, kNone, "", ""},
                     {"remote_address", T::kText, kNone, "", ""},
                     {"local_port", T::kInteger, kNone, "", ""},
                     {"remote_port", T::kInteger, kNone, "", ""},
                     {"path", T::kText, kNone, "", ""},
                     {"state", T::kText, kNone, "", ""},
                     {"net_namespace", T::kText, kNone, "", ""}}},
        GenerateProcessOpenSockets);
}

}  // namespace warden

// listening_ports: what the host listens on, as `ss -l` shows it: TCP sockets
// in LISTEN, UDP sockets bound to a port and unconnected, and unix sockets
// with a path that accept connections (or, for datagram sockets, are bound),
// across every network namespace in use, with the process and descriptor
// holding each one (pid and fd -1 when none does). Unix sockets have port 0
// and no address; inet sockets no path.
//
// Cost: the socket tables are small; the price is finding owners, one
// readlink per open descriptor on the host. That scan only runs when pid or
// fd is used, runs on several threads, and with `pid = N` only looks at
// those processes.
#include <string>
#include <vector>

#include "tables/proc_sockets.h"
#include "tables/process_tables.h"

namespace warden {
namespace {

enum ListeningPortColumn : int {
  kPid,
  kPort,
  kProtocol,
  kFamily,
  kAddress,
  kFd,
  kSocket,
  kPath,
  kNetNamespace,
};

Status GenerateListeningPorts(const QueryContext& ctx, RowWriter& out) {
  const HostFs& fs = ctx.fs();
  const unsigned kinds = SocketKindsFor(ctx);
  if (kinds == 0) return Status::Ok();
  const SocketScope scope = SocketScopeFor(ctx);
  const bool need_owner = scope.pid_filter || ctx.IsUsed(kPid) || ctx.IsUsed(kFd);
  const ProcessSocketScan scan = ScanProcessSockets(fs, scope.pids, need_owner, ctx);
  if (ctx.Cancelled()) return Status::Ok();  // the engine reports the time-out
  std::vector<SocketEntry> sockets = ReadSocketTables(fs, scan, kinds);
  const SocketOwnerIndex& owners = scan.owners;

  for (auto& s : sockets) {
    if (!IsListening(s)) continue;
    const SocketOwner* owner = need_owner ? owners.Find(s.inode) : nullptr;
    if (scope.pid_filter && owner == nullptr) continue;
    Row& row = out.Add();
    row.Set(kPid, Value(owner ? owner->pid : int64_t{-1}));
    row.Set(kFd, Value(owner ? owner->fd : int64_t{-1}));
    row.Set(kProtocol, Value(int64_t{s.protocol}));
    row.Set(kFamily, Value(int64_t{s.family}));
    row.Set(kSocket, Value(static_cast<int64_t>(s.inode)));
    row.Set(kNetNamespace, Value(std::to_string(s.net_namespace)));
    if (s.family == kFamilyUnix) {
      row.Set(kPort, Value(int64_t{0}));
      row.Set(kPath, Value(std::move(s.path)));
    } else {
      row.Set(kPort, Value(int64_t{s.local_port}));
      row.Set(kAddress, Value(std::move(s.local_address)));
    }
  }
  return Status::Ok();
}

}  // namespace

void RegisterListeningPortsTable(TableRegistry& r) {
  using T = ColumnType;
  r.Add(TableSchema{"listening_ports",
                    "TCP, UDP and unix sockets the host listens on, with the owning process.",
                    {{"pid", T::kInteger, kNone, "", ""},
                     {"port", T::kInteger, kNone, "", ""},
                     {"protocol", T::kInteger, kNone, "", ""},
                     {"family", T::kInteger, kNone, "", ""},
                     {"address", T::kText, kNone, "", ""},
                     {"fd", T::kBigInt, kNone, "", ""},
                     {"socket", T::kBigInt, kNone, "", ""},
                     {"path", T::kText, kNone, "", ""},
                     {"net_namespace", T::kText, kNone, "", ""}}},
        GenerateListeningPorts);
}

}  // namespace warden

// The logged_in_users table: the sessions in /var/run/utmp (falling back to
// /run/utmp), one row per record, with osquery's type names ("user",
// "login", "dead", "boot_time", ...; "unknown" for values outside utmp.h).
// As in osquery, records of pid 1 (init's own boot/runlevel bookkeeping) are
// left out, and time is the record's epoch seconds. No utmp file (containers
// usually have none) is zero rows.
#include <string_view>

#include "tables/user_tables.h"
#include "tables/utmp_reader.h"

namespace warden {

namespace {

std::string_view LoginTypeName(int16_t type) {
  switch (type) {
    case kUtEmpty:
      return "empty";
    case kUtRunLevel:
      return "runlevel";
    case kUtBootTime:
      return "boot_time";
    case kUtNewTime:
      return "new_time";
    case kUtOldTime:
      return "old_time";
    case kUtInitProcess:
      return "init";
    case kUtLoginProcess:
      return "login";
    case kUtUserProcess:
      return "user";
    case kUtDeadProcess:
      return "dead";
    case kUtAccounting:
      return "accounting";
    default:
      return "unknown";
  }
}

}  // namespace

void RegisterLoggedInUsersTable(TableRegistry& r) {
  r.Add(TableSchema{"logged_in_users",
                    "Users with an active shell on the system (utmp).",
                    {{"type", ColumnType::kText, kNone, "", "Login type"},
                     {"user", ColumnType::kText, kNone, "", "User login name"},
                     {"tty", ColumnType::kText, kNone, "", "Device name"},
                     {"host", ColumnType::kText, kNone, "", "Remote hostname"},
                     {"time", ColumnType::kBigInt, kNone, "", "Time entry was made"},
                     {"pid", ColumnType::kInteger, kNone, "", "Process (or thread) ID"}}},
        [](const QueryContext& ctx, RowWriter& out) -> Status {
          // /var/run is a symlink to /run on current systems, but an image or
          // an old system may have either alone.
          auto bytes = ctx.fs().ReadFile("/var/run/utmp");
          if (!bytes.ok()) bytes = ctx.fs().ReadFile("/run/utmp");
          if (!bytes.ok()) return Status::Ok();
          for (const UtmpRecord& rec : ParseUtmp(*bytes)) {
            if (rec.pid == 1) continue;
            Row& row = out.Add();
            row.Set("type", LoginTypeName(rec.type));
            row.Set("user", rec.user);
            row.Set("tty", rec.line);
            row.Set("host", rec.host);
            row.Set("time", rec.time_sec);
            row.Set("pid", static_cast<int64_t>(rec.pid));
          }
          return Status::Ok();
        });
}

}  // namespace warden

// The last table: login and logout records from /var/log/wtmp, oldest first
// (file order), like osquery: only USER_PROCESS (7, a login) and
// DEAD_PROCESS (8, the matching logout) records, with the numeric type and
// its name ("user-process", "dead-process"). Rotated files (wtmp.1) are not
// read. A missing wtmp is zero rows; a partial record at the end is ignored.
#include "tables/user_tables.h"
#include "tables/utmp_reader.h"

namespace warden {

void RegisterLastTable(TableRegistry& r) {
  r.Add(TableSchema{"last",
                    "System logins and logouts (wtmp).",
                    {{"username", ColumnType::kText, kNone, "", "Entry username"},
                     {"tty", ColumnType::kText, kNone, "", "Entry terminal"},
                     {"pid", ColumnType::kInteger, kNone, "", "Process (or thread) ID"},
                     {"type", ColumnType::kInteger, kNone, "",
                      "Entry type, according to ut_type types (utmp.h)"},
                     {"type_name", ColumnType::kText, kNone, "",
                      "Entry type name, according to ut_type types (utmp.h)"},
                     {"time", ColumnType::kInteger, kNone, "", "Entry timestamp"},
                     {"host", ColumnType::kText, kNone, "", "Entry hostname"}}},
        [](const QueryContext& ctx, RowWriter& out) -> Status {
          auto bytes = ctx.fs().ReadFile("/var/log/wtmp");
          if (!bytes.ok()) return Status::Ok();
          for (const UtmpRecord& rec : ParseUtmp(*bytes)) {
            if (ctx.Cancelled()) break;
            if (rec.type != kUtUserProcess && rec.type != kUtDeadProcess) continue;
            Row& row = out.Add();
            row.Set("username", rec.user);
            row.Set("tty", rec.line);
            row.Set("pid", static_cast<int64_t>(rec.pid));
            row.Set("type", static_cast<int64_t>(rec.type));
            row.Set("type_name", rec.type == kUtUserProcess ? "user-process" : "dead-process");
            row.Set("time", rec.time_sec);
            row.Set("host", rec.host);
          }
          return Status::Ok();
        });
}

}  // namespace warden

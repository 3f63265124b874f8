// time: the current time, one row. As in osquery (whose --utc flag defaults
// to on) the calendar columns are UTC; local_timezone names the zone of the
// process's local time (TZ, /etc/localtime). timestamp is asctime's format
// with " UTC" appended ("Mon Jan  1 00:00:00 2024 UTC"); datetime and
// iso_8601 are both RFC 3339 ("2024-01-01T00:00:00Z"). Always the live
// clock: a fixture tree or mounted image has no time of its own.
#include <ctime>

#include "sql/table.h"
#include "tables/system_tables.h"

namespace warden {
namespace {

std::string Format(const char* format, const std::tm& tm) {
  char buf[128];
  size_t n = std::strftime(buf, sizeof buf, format, &tm);
  return std::string(buf, n);
}

}  // namespace

void RegisterTimeTable(TableRegistry& registry) {
  registry.Add(TableSchema{"time",
                           "The current date and time (UTC) and the local time zone.",
                           {{"weekday", ColumnType::kText},
                            {"year", ColumnType::kInteger},
                            {"month", ColumnType::kInteger},
                            {"day", ColumnType::kInteger},
                            {"hour", ColumnType::kInteger},
                            {"minutes", ColumnType::kInteger},
                            {"seconds", ColumnType::kInteger},
                            {"timezone", ColumnType::kText},
                            {"local_timezone", ColumnType::kText},
                            {"unix_time", ColumnType::kInteger},
                            {"timestamp", ColumnType::kText},
                            {"datetime", ColumnType::kText, kNone, "", "", {"date_time"}},
                            {"iso_8601", ColumnType::kText}}},
               [](const QueryContext&, RowWriter& out) -> Status {
                 std::time_t now = std::time(nullptr);
                 std::tm utc{};
                 std::tm local{};
                 if (::gmtime_r(&now, &utc) == nullptr) return Internal("time: gmtime_r failed");
                 if (::localtime_r(&now, &local) == nullptr) local = utc;
                 std::string local_zone = Format("%Z", local);
                 std::string iso = Format("%Y-%m-%dT%H:%M:%SZ", utc);
                 Row& row = out.Add();
                 row.Set("weekday", Format("%A", utc));
                 row.Set("year", utc.tm_year + 1900);
                 row.Set("month", utc.tm_mon + 1);
                 row.Set("day", utc.tm_mday);
                 row.Set("hour", utc.tm_hour);
                 row.Set("minutes", utc.tm_min);
                 row.Set("seconds", utc.tm_sec);
                 row.Set("timezone", "UTC");
                 row.Set("local_timezone", local_zone.empty() ? std::string("UTC") : local_zone);
                 row.Set("unix_time", static_cast<int64_t>(now));
                 row.Set("timestamp", Format("%a %b %e %H:%M:%S %Y", utc) + " UTC");
                 row.Set("datetime", iso);
                 row.Set("iso_8601", iso);
                 return Status::Ok();
               });
}

}  // namespace warden

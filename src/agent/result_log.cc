#include "agent/result_log.h"

#include <cmath>
#include <ctime>

namespace warden {

std::string CalendarTime(int64_t unix_time) {
  static const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  time_t t = static_cast<time_t>(unix_time);
  struct tm tm {};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s %s %2d %02d:%02d:%02d %d UTC", kDays[tm.tm_wday % 7],
                kMonths[tm.tm_mon % 12], tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                tm.tm_year + 1900);
  return buf;
}

Json RowObject(const std::vector<std::string>& columns, const std::vector<Value>& row,
               bool numerics) {
  Json j = Json::object();
  for (size_t i = 0; i < columns.size() && i < row.size(); ++i) {
    const Value& v = row[i];
    if (!numerics) {
      j[columns[i]] = ValueToText(v);
    } else if (IsNull(v)) {
      j[columns[i]] = nullptr;
    } else if (const int64_t* n = std::get_if<int64_t>(&v)) {
      j[columns[i]] = *n;
    } else if (const double* d = std::get_if<double>(&v)) {
      j[columns[i]] = std::isfinite(*d) ? Json(*d) : Json(nullptr);
    } else {
      j[columns[i]] = std::get<std::string>(v);
    }
  }
  return j;
}

namespace {
void AddHeader(Json& j, const ResultLogHeader& h) {
  j["name"] = h.name;
  j["hostIdentifier"] = h.host_identifier;
  j["calendarTime"] = CalendarTime(h.unix_time);
  j["unixTime"] = h.unix_time;
  j["epoch"] = h.epoch;
  j["counter"] = h.counter;
  j["numerics"] = h.numerics;
  j["decorations"] = h.decorations;
}
}  // namespace

Json DifferentialLine(const ResultLogHeader& header, Json columns, const char* action) {
  Json j = Json::object();
  AddHeader(j, header);
  j["columns"] = std::move(columns);
  j["action"] = action;
  return j;
}

Json SnapshotLine(const ResultLogHeader& header, Json rows) {
  Json j = Json::object();
  j["snapshot"] = std::move(rows);
  j["action"] = "snapshot";
  AddHeader(j, header);
  return j;
}

}  // namespace warden

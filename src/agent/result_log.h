// Scheduled-query results in osquery's result-log JSON shape, so SIEM parsers
// written for osquery read Warden's lines unchanged:
//   differential (one line per changed row):
//     {"name","hostIdentifier","calendarTime","unixTime","epoch","counter",
//      "numerics","decorations","columns":{...},"action":"added"|"removed"}
//   snapshot (one line per run):
//     {"snapshot":[{...},...],"action":"snapshot","name","hostIdentifier",
//      "calendarTime","unixTime","epoch","counter","numerics","decorations"}
// With numerics off every value is a string and NULL is "" (osquery's
// default); with numerics on (Warden's default) integers and doubles are JSON
// numbers and NULL is null.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/finding.h"
#include "core/value.h"

namespace warden {

struct ResultLogHeader {
  std::string name;
  std::string host_identifier;
  int64_t unix_time = 0;
  int64_t epoch = 0;
  int64_t counter = 0;
  bool numerics = true;
  Json decorations = Json::object();
};

// "Wed Jan 10 12:00:00 2024 UTC" (osquery's calendarTime).
std::string CalendarTime(int64_t unix_time);
// One row as a JSON object, typed or all-strings.
Json RowObject(const std::vector<std::string>& columns, const std::vector<Value>& row,
               bool numerics);
Json DifferentialLine(const ResultLogHeader& header, Json columns, const char* action);
Json SnapshotLine(const ResultLogHeader& header, Json rows);

}  // namespace warden

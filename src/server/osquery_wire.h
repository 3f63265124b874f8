// osquery's TLS remote API on the wire: reading the bodies an unmodified
// osquery 5.x agent posts (enroll, log, distributed write) into plain
// values, and the one error shape osquery understands. Pure functions over
// text and JSON: no store, no HTTP server, so they are unit-tested and
// fuzzed alone (fuzz/osquery_request_fuzz.cc).
//
// Facts relied on, read in osquery's source (osquery/osquery, 5.x):
//   - every request is a POST of a compact JSON object; TLSRequestHelper::go
//     (osquery/remote/utility.h) adds `node_key` to it; no credential header
//   - the client ignores the HTTP status: JSONSerializer::deserialize
//     (osquery/remote/serializers/json.cpp) takes an empty body as success,
//     and go() fails a request only when the body has `node_invalid: true`
//     (it then forgets its node key and enrols again) or an `error` member.
//     So every failure here answers {"error": "..."}: a failed log upload
//     answered with an empty body or `{}` would make osquery delete the batch
//   - enroll (plugins/remote/enroll/tls_enroll.cpp): enroll_secret,
//     host_identifier, platform_type (a decimal string of a bitmask) and
//     host_details (rows of os_version, osquery_info, system_info,
//     platform_info); the answer's `node_key` (or `id`) must be a non-empty
//     string
//   - log (plugins/logger/tls_logger.cpp): log_type "result" or "status" and
//     `data`, an array of the JSON objects of the log lines
//   - distributed write (osquery/distributed/distributed.cpp,
//     serializeResults): `queries` {id: [rows]}, `statuses` {id: integer,
//     0 = ok}, `messages` {id: text}, `stats` {id: {wall_time_ms, ...}};
//     row values are strings (QueryData), columns in the query's order
//
// Not here: authentication (authenticator.h), the store, what a query or a
// log line means for Warden (osquery_handlers.cc).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/api_error.h"
#include "core/finding.h"  // Json
#include "core/status.h"
#include "server/http_message.h"

namespace warden::server {

// {"error": message, "node_invalid": node_invalid} with `status` (which
// osquery ignores; people reading logs do not).
HttpResponse OsqueryErrorResponse(int status, std::string_view message, bool node_invalid);
// An API error in osquery's shape: node_invalid exactly for 401 (an
// unknown, revoked or missing node key), so osquery enrols again.
HttpResponse OsqueryErrorResponse(const api::ApiError& error);

// What an enrolling osquery agent says about itself.
struct OsqueryEnrollment {
  std::string enroll_secret;    // trimmed of surrounding white space
  std::string host_identifier;  // --host_identifier (hostname by default)
  std::string platform_type;    // "9" for Linux
  std::string machine_id;       // system_info.uuid (else host_identifier)
  std::string instance_id;      // osquery_info.instance_id: one per osquery install
  std::string hostname;         // system_info.hostname (else host_identifier)
  std::string os_name;          // os_version.name
  std::string os_version;       // os_version.version
  std::string os_id;            // os_version.platform ("debian", "ubuntu", ...)
  std::string os_codename;      // os_version.codename
  std::string arch;             // system_info.cpu_type
  std::string osquery_version;  // osquery_info.version
};

// InvalidArgument naming the member when the secret or the host identifier
// is missing or not a string; everything else is optional.
Result<OsqueryEnrollment> ParseOsqueryEnrollment(const Json& body);

enum class OsqueryLogType { kResult, kStatus };

struct OsqueryLogBatch {
  OsqueryLogType type = OsqueryLogType::kResult;
  std::vector<Json> lines;  // the JSON objects of `data`
  int64_t skipped = 0;      // entries of `data` that were not objects
};

// InvalidArgument for an unknown log_type or a `data` that is not an array.
Result<OsqueryLogBatch> ParseOsqueryLogBatch(const Json& body);

// The result lines of one log upload as a Warden AgentRecordBatch of
// `results` records (body: the line as osquery wrote it), the form in which
// Warden agents deliver scheduled query results. Record ids are the SHA-256
// of the line plus its occurrence among equal lines of the upload, so an
// upload osquery sends again (after an error) is counted as duplicates,
// never stored twice. time_ms is the line's unixTime (0 when absent). Lines
// without a string `name` cannot be results and are left out (`skipped`).
Json OsqueryResultRecordBatch(const std::vector<Json>& lines, int64_t* skipped);

// One query of a distributed write.
struct OsqueryQueryAnswer {
  std::string name;                  // the id the read handed out
  std::vector<std::string> columns;  // first seen first (osquery's column order)
  std::vector<std::string> rows;     // each a JSON object, column -> value
  int64_t status = 0;                // 0: ran; anything else: the query failed
  std::string message;               // osquery's error text, "" when none
  std::optional<int64_t> wall_time_ms;
};

// Reads the raw body of a distributed write, keeping each row's column
// order. Queries named in `statuses` but not in `queries` (a failed query
// with no rows) are answers too; a missing status is 0 (osquery before 3.x
// sent rows only). InvalidArgument naming the member for anything that is
// not osquery's shape.
Result<std::vector<OsqueryQueryAnswer>> ParseOsqueryDistributedWrite(std::string_view body);

// The distributed query name of Warden command `command_id` ("warden-cmd-12")
// and back (nullopt for names Warden did not hand out).
std::string OsqueryQueryName(int64_t command_id);
std::optional<int64_t> CommandIdOfOsqueryQuery(std::string_view name);

}  // namespace warden::server

// How a sink writes a record out. Every sink picks one of the formats its
// configuration allows and renders through here, so a problem event looks the
// same in a file, on syslog and at a webhook:
//   warden - Warden's JSON: the generic body, ProblemEventToJson for problem
//            events, FindingToJson for findings;
//   ocsf   - OCSF 1.1 for problem events and findings (ProblemEventToOcsf,
//            FindingToOcsf as Detection Findings); other records keep their
//            Warden JSON, OCSF having no class for them;
//   text   - one line for people.
// Invalid UTF-8 in any value is replaced, never an error.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "delivery/record.h"

namespace warden {

enum class RecordFormat { kWarden, kOcsf, kText };
std::string_view RecordFormatName(RecordFormat format);  // "warden", "ocsf", "text"
std::optional<RecordFormat> ParseRecordFormat(std::string_view name);

// The record as compact JSON (kText renders as kWarden here).
std::string RenderRecordJson(const Record& record, RecordFormat format);
// The record in `format`, kText included.
std::string RenderRecord(const Record& record, RecordFormat format);
// One line for people ("problem opened [high] HOST-OPEN-PORTS ...").
std::string RecordSummary(const Record& record);
// The syslog severity (0 emergency .. 7 debug): problems that open, reopen or
// update carry their risk level's, other problem events 5 (notice), findings
// their risk level's, generic records their own.
int RecordSyslogSeverity(const Record& record);

}  // namespace warden

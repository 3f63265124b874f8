// OCI Audit events in the CloudTrail pipeline: telling them from CloudTrail
// records, taking them out of the OCI Logging wrappers, the envelope names
// both CloudEvents versions use, and the summary a finding reports.
//
// Shapes (docs/cloudtrail.md, "OCI Audit", names the sources):
//  - an Audit event as the Audit API returns it: CloudEvents 0.1 envelope
//    (`eventType` com.oraclecloud.<service>.<action>, `eventTime`, `eventID`
//    (`eventId` in the API's JSON), `cloudEventsVersion`, `source`, `data`);
//  - the same event as OCI Logging stores it: CloudEvents 1.0 names (`type`,
//    `time`, `id`, `specversion`) plus an `oracle` block (tenantid, ...);
//  - a Logging entry `{"datetime": ..., "logContent": EVENT}`, and a Logging
//    search response `{"data": {"results": [{"data": ENTRY}, ...]}}`: the
//    events inside are taken out and evaluated one by one.
// One per line, in arrays or concatenated: the record splitter cuts them as
// it cuts CloudTrail files. Not supported: the OCI CLI's kebab-case output
// (`event-type`), whose keys are not the documented JSON names.
//
// Detection is per record: CloudTrail writes `eventVersion` first in every
// record, so a record starting with it is CloudTrail without parsing it;
// any other record is looked at once more for the OCI envelope. Not
// thread-safe: one classifier per scanner.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cloud/cloudtrail_finding.h"
#include "cloud/record_splitter.h"
#include "rules/event_fields.h"
#include "rules/json_field_extractor.h"
#include "rules/rule.h"

namespace warden {

// Which events a scan treats as OCI Audit (`--provider`).
enum class ProviderMode { kAuto, kAws, kOci };

class AuditEventClassifier {
 public:
  AuditEventClassifier();
  ~AuditEventClassifier();

  enum class Kind {
    kAws,        // a CloudTrail record (or something that is not OCI's)
    kOci,        // one OCI Audit event
    kContainer,  // OCI Logging entries or search results: see events()
  };
  // Looks at one record. In kOci mode every record that is not a container
  // is an OCI event; in kAws mode nothing is looked at.
  Kind Classify(const SplitRecord& record, ProviderMode mode);
  // The events inside the last kContainer record, as views into it with
  // the record's padding after them (valid until the next Classify).
  const std::vector<SplitRecord>& events() const { return events_; }

 private:
  FieldRegistry registry_;
  FieldId event_version_, event_type_, type_, cloud_events_version_, spec_version_;
  FieldId log_content_, search_results_;
  std::unique_ptr<JsonFieldExtractor> extractor_;
  EventFields fields_;
  std::vector<SplitRecord> events_;
};

// Whether the first key of the JSON object in `text` is CloudTrail's
// `eventVersion` (whitespace allowed).
bool StartsWithEventVersion(std::string_view text);

// The fields an OCI finding reports.
struct OciFieldIds {
  FieldId event_id, event_id_api, id, event_time, time, event_type, type, source;
  FieldId tenant, oracle_tenant, compartment_id, compartment_name, resource_name, resource_id;
  FieldId principal_name, principal_id, caller_name, auth_type, ip_address, user_agent, credentials;
  FieldId response_status, response_message, request_action;
  static OciFieldIds Intern(FieldRegistry* registry);
};

// The OCI event as findings describe it: event_name = eventType,
// event_source = the service in it (com.oraclecloud.<service>.<action>),
// account = tenancy, region = the region of the resource's OCID, actor =
// principal name (else OCID, else caller), resource = resource OCID (else
// name, else actor), error_code = the HTTP status when it is 400 or more.
CloudTrailEventSummary SummarizeOciEvent(const EventFields& fields, const OciFieldIds& ids);

// The region an OCID names (ocid1.<type>.<realm>.<region>.<unique>), or "".
std::string OcidRegion(std::string_view ocid);

// `rule` with every condition on an envelope field also reading the other
// CloudEvents version's name (eventType and type, eventTime and time,
// eventID, eventId and id, cloudEventsVersion and specversion): a rule
// written for either version reads both.
void AddOciEnvelopeAliases(Rule* rule);

}  // namespace warden

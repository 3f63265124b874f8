// libFuzzer target for the OCI Audit record path: one record (the bytes as
// the splitter would hand them over, padded) through AuditEventClassifier in
// its three modes (CloudEvents envelopes, OCI Logging entries and search
// responses taken apart), the OCI summary of every event found, and
// TrailScanner with both built-in catalogs and an OCI canary (provider
// routing, envelope aliases, Sigma's missing-field semantics). Nothing may
// crash, hang or read outside the record, whatever the bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "cloud/builtin_catalog.h"
#include "cloud/oci_audit_event.h"
#include "cloud/trail_scanner.h"
#include "rules/rule_yaml_loader.h"

namespace {

std::unique_ptr<warden::TrailScanner> MakeScanner(warden::ProviderMode mode) {
  auto rules = warden::LoadBuiltinCatalog();
  if (!rules.ok()) abort();
  warden::RuleLoadResult extra = warden::LoadRulesFromText(R"(
- id: OCI-CANARY-FUZZ
  provider: oci
  risk_level: very_high
  canary: {users: [canary-svc, 'ocid1.user.oc1..canary'], access_keys: [fp]}
- id: OCI-ANY
  provider: oci
  risk_level: low
  match:
    or:
      - {eventID: {exists: false}}
      - {data.identity.ipAddress: {cidr: [10.0.0.0/8, '::/0']}}
      - {type: {regex: '(?i)^com\.oraclecloud\.'}}
  threshold: {count: 2, window: 1m, group_by: [data.identity.principalName]}
)",
                                                           "fuzz.yaml");
  if (extra.has_errors()) abort();
  for (auto& r : extra.rules) rules->push_back(std::move(r));
  warden::TrailScanner::Options options;
  options.provider = mode;
  auto scanner = warden::TrailScanner::Create(std::move(*rules), nullptr, options);
  if (!scanner.ok()) abort();
  return std::move(*scanner);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static auto* auto_scanner = MakeScanner(warden::ProviderMode::kAuto).release();
  static auto* oci_scanner = MakeScanner(warden::ProviderMode::kOci).release();
  static auto* classifier = new warden::AuditEventClassifier();
  static warden::FieldRegistry* registry = new warden::FieldRegistry();
  static const warden::OciFieldIds ids = warden::OciFieldIds::Intern(registry);
  static auto* extractor = new warden::JsonFieldExtractor(*registry);

  std::string padded(reinterpret_cast<const char*>(data), size);
  padded.append(warden::kRecordPadding, ' ');
  warden::SplitRecord record;
  record.text = std::string_view(padded.data(), size);
  record.capacity = padded.size();

  for (auto mode :
       {warden::ProviderMode::kAuto, warden::ProviderMode::kOci, warden::ProviderMode::kAws}) {
    auto kind = classifier->Classify(record, mode);
    if (kind != warden::AuditEventClassifier::Kind::kContainer) continue;
    for (const warden::SplitRecord& event : classifier->events()) {
      // Events are views into the record with its padding after them.
      if (event.text.data() < padded.data() ||
          event.text.data() + event.capacity > padded.data() + padded.size())
        abort();
      warden::EventFields fields;
      if (extractor->Extract(event.text.data(), event.text.size(), event.capacity, &fields).ok())
        (void)warden::SummarizeOciEvent(fields, ids);
    }
  }
  warden::EventFields fields;
  if (extractor->Extract(record.text.data(), record.text.size(), record.capacity, &fields).ok())
    (void)warden::SummarizeOciEvent(fields, ids);

  const std::string source = "fuzz";
  warden::RecordOrigin origin{&source, 0, 0};
  auto_scanner->ProcessRecord(record, origin);
  oci_scanner->ProcessRecord(record, origin);
  return 0;
}

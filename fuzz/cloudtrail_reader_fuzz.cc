// libFuzzer target for the CloudTrail record path: bytes as a file (plain or
// gzip) through CloudTrailReader (gzip, splitter) into TrailScanner (simdjson
// field extraction, rule evaluation with the built-in catalog plus regex
// pattern rows and a canary, finding construction). Nothing may crash, hang
// or grow memory without bound, whatever the bytes.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <memory>

#include "cloud/builtin_catalog.h"
#include "cloud/cloudtrail_reader.h"
#include "cloud/trail_scanner.h"
#include "rules/rule_yaml_loader.h"

namespace {

std::unique_ptr<warden::TrailScanner> MakeScanner() {
  auto rules = warden::LoadBuiltinCatalog();
  if (!rules.ok()) abort();
  warden::RuleLoadResult extra = warden::LoadRulesFromText(R"(
- id: RTM-011
  risk_level: very_high
  patterns:
    - {eventName: '.*', eventSource: 'iam.amazonaws.com', userIdentityType: 'IAMUser'}
    - {eventName: '^Create*|^Delete*|^Update*|^Stop*', eventSource: '^(?!ec2).*$', userIdentityType: '.*'}
- id: CANARY
  risk_level: very_high
  canary: {users: [canary-user], access_keys: [AKIAIOSFODNN7EXAMPLE]}
- id: EVERYTHING
  risk_level: low
  match:
    or:
      - {requestParameters: {contains: 'a'}}
      - {sourceIPAddress: {cidr: [10.0.0.0/8, '::/0']}}
      - {additionalEventData.bytesTransferredOut: {gt: 10}}
  threshold: {count: 2, window: 1m, group_by: [userIdentity.arn]}
)",
                                                           "fuzz.yaml");
  if (extra.has_errors()) abort();
  for (auto& r : extra.rules) rules->push_back(std::move(r));
  auto scanner = warden::TrailScanner::Create(std::move(*rules), nullptr, {});
  if (!scanner.ok()) abort();
  return std::move(*scanner);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static std::unique_ptr<warden::TrailScanner> scanner = MakeScanner();
  int fd = memfd_create("fuzz", MFD_CLOEXEC);
  if (fd < 0) return 0;
  size_t off = 0;
  while (off < size) {
    ssize_t n = write(fd, data + off, size - off);
    if (n <= 0) break;
    off += static_cast<size_t>(n);
  }
  lseek(fd, 0, SEEK_SET);
  // Small records limit: exercises the oversized-record path too.
  warden::CloudTrailReader reader(
      [&](const warden::SplitRecord& r, const warden::RecordOrigin& o) {
        scanner->ProcessRecord(r, o);
      },
      [](const std::string&) {}, 4096);
  (void)reader.ReadDescriptor(fd, "fuzz");
  close(fd);
  return 0;
}

#include "vuln/feed_record.h"

namespace warden {

std::string_view VendorStatusName(VendorStatus status) {
  switch (status) {
    case VendorStatus::kFixed:
      return "fixed";
    case VendorStatus::kAffected:
      return "affected";
    case VendorStatus::kWillNotFix:
      return "will_not_fix";
    case VendorStatus::kDeferred:
      return "deferred";
    case VendorStatus::kNotAffected:
      return "not_affected";
    case VendorStatus::kUnderInvestigation:
      return "under_investigation";
  }
  return "affected";
}

std::optional<VendorStatus> ParseVendorStatusName(std::string_view name) {
  for (VendorStatus s :
       {VendorStatus::kFixed, VendorStatus::kAffected, VendorStatus::kWillNotFix,
        VendorStatus::kDeferred, VendorStatus::kNotAffected, VendorStatus::kUnderInvestigation}) {
    if (VendorStatusName(s) == name) return s;
  }
  return std::nullopt;
}

std::string_view DebianCodename(std::string_view version_number) {
  // Debian's release numbers never change once assigned; the tracker and the
  // host's os-release use codenames, OSV uses numbers.
  static constexpr std::pair<std::string_view, std::string_view> kReleases[] = {
      {"6", "squeeze"},   {"7", "wheezy"},    {"8", "jessie"},  {"9", "stretch"}, {"10", "buster"},
      {"11", "bullseye"}, {"12", "bookworm"}, {"13", "trixie"}, {"14", "forky"},  {"15", "duke"},
  };
  for (const auto& [number, codename] : kReleases)
    if (number == version_number) return codename;
  return {};
}

}  // namespace warden

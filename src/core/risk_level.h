// RiskLevel is the five-step scale every Warden detection uses, with its
// mappings outward (OCSF severity_id, syslog severity, CEF severity). Parsing
// accepts the display names and the snake_case names in any case.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace warden {

enum class RiskLevel { kLow = 1, kMedium = 2, kHigh = 3, kVeryHigh = 4, kExtreme = 5 };

std::string_view RiskLevelName(RiskLevel level);         // "very_high"
std::string_view RiskLevelDisplayName(RiskLevel level);  // "Very High"
// Accepts "very_high", "Very High", "very-high", "VERY_HIGH", "veryhigh".
std::optional<RiskLevel> ParseRiskLevel(std::string_view text);
// The error for a word ParseRiskLevel refused, listing the levels; when the
// word is a CVE severity ("critical", "important"...), it says so and how the
// two scales meet, since the two vocabularies are easy to mix up.
std::string UnknownRiskLevelMessage(std::string_view text);
int OcsfSeverityId(RiskLevel level);  // 5/5/4/3/2
int SyslogSeverity(RiskLevel level);  // 1/2/3/4/5
int CefSeverity(RiskLevel level);     // 10/9/7/5/3

}  // namespace warden

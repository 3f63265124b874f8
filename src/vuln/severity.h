// Severity of a vulnerability as Warden reports it and as `--min-severity`
// filters it: none < low < medium < high < critical. Vendors rate with their
// own words (Debian urgency "low**", Red Hat/Oracle "Important", Ubuntu
// "negligible"); this file maps those words onto the scale, computes a CVSS
// v3.x base score from a vector string when a feed carries only the vector, and
// bands a score into the scale (FIRST's bands) when a feed has no vendor rating.
// It does not decide which of several ratings wins: the matcher does that
// (vendor rating first, then CVSS).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/risk_level.h"

namespace warden {

// kNone doubles as "unknown": a CVE nobody has rated yet sorts lowest.
enum class Severity { kNone = 0, kLow = 1, kMedium = 2, kHigh = 3, kCritical = 4 };

std::string_view SeverityName(Severity severity);  // "none", "low", ..., "critical"
// The --min-severity words: none|low|medium|high|critical, any case.
std::optional<Severity> ParseSeverityName(std::string_view text);
// The error for a word ParseSeverityName refused, listing the severities; when
// the word is a risk level ("very_high", "extreme"), it says how they differ.
std::string UnknownSeverityMessage(std::string_view text);
// A vendor's rating word: Debian urgencies (with their "**" provisional
// marker), Red Hat/Oracle/Alma/Rocky (Critical, Important, Moderate, Low),
// Ubuntu priorities (negligible, low, medium, high, critical). nullopt when the
// word carries no rating ("not yet assigned", "end-of-life", "", "unknown").
std::optional<Severity> ParseVendorSeverity(std::string_view word);
// FIRST's CVSS v3 bands: 0 none, 0.1-3.9 low, 4-6.9 medium, 7-8.9 high, 9+ critical.
Severity SeverityFromCvssScore(double score);
// The base score of a CVSS v3.0/v3.1 vector ("CVSS:3.1/AV:N/AC:L/..."), or
// nullopt when the vector is not a complete, valid v3 base vector.
std::optional<double> CvssV3BaseScore(std::string_view vector);
// How a severity shows as a Warden risk level (critical -> very_high, none -> low).
RiskLevel SeverityRiskLevel(Severity severity);

}  // namespace warden

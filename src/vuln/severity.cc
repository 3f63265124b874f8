#include "vuln/severity.h"

#include <cctype>
#include <cmath>
#include <map>

#include "core/strings.h"

namespace warden {
namespace {

std::string Lower(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// CVSS v3.1 specification, section 7.4 "Roundup": the smallest number with one
// decimal that is >= the input, computed on integers to avoid float noise.
double RoundUp(double value) {
  auto int_input = static_cast<int64_t>(std::llround(value * 100000));
  if (int_input % 10000 == 0) return static_cast<double>(int_input) / 100000.0;
  return (std::floor(static_cast<double>(int_input) / 10000.0) + 1) / 10.0;
}

}  // namespace

std::string_view SeverityName(Severity severity) {
  switch (severity) {
    case Severity::kNone:
      return "none";
    case Severity::kLow:
      return "low";
    case Severity::kMedium:
      return "medium";
    case Severity::kHigh:
      return "high";
    case Severity::kCritical:
      return "critical";
  }
  return "none";
}

std::optional<Severity> ParseSeverityName(std::string_view text) {
  std::string key = Lower(TrimWhitespace(text));
  if (key == "none") return Severity::kNone;
  if (key == "low") return Severity::kLow;
  if (key == "medium") return Severity::kMedium;
  if (key == "high") return Severity::kHigh;
  if (key == "critical") return Severity::kCritical;
  return std::nullopt;
}

std::optional<Severity> ParseVendorSeverity(std::string_view word) {
  std::string key = Lower(TrimWhitespace(word));
  // Debian marks urgencies set by the tracker team without a maintainer's
  // confirmation with "**"; the rating itself is still the vendor's.
  while (!key.empty() && key.back() == '*') key.pop_back();
  if (key == "unimportant" || key == "negligible") return Severity::kLow;
  if (key == "low") return Severity::kLow;
  if (key == "medium" || key == "moderate") return Severity::kMedium;
  if (key == "high" || key == "important") return Severity::kHigh;
  if (key == "critical") return Severity::kCritical;
  return std::nullopt;
}

Severity SeverityFromCvssScore(double score) {
  if (!(score > 0)) return Severity::kNone;
  if (score < 4.0) return Severity::kLow;
  if (score < 7.0) return Severity::kMedium;
  if (score < 9.0) return Severity::kHigh;
  return Severity::kCritical;
}

std::optional<double> CvssV3BaseScore(std::string_view vector) {
  vector = TrimWhitespace(vector);
  if (!StartsWith(vector, "CVSS:3.0/") && !StartsWith(vector, "CVSS:3.1/")) return std::nullopt;
  std::map<std::string_view, std::string_view> metrics;
  for (std::string_view part : SplitString(vector.substr(9), '/')) {
    size_t colon = part.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    metrics[part.substr(0, colon)] = part.substr(colon + 1);
  }
  auto pick = [&](std::string_view key,
                  std::initializer_list<std::pair<std::string_view, double>> table, double* out) {
    auto it = metrics.find(key);
    if (it == metrics.end()) return false;
    for (const auto& [name, weight] : table) {
      if (it->second == name) {
        *out = weight;
        return true;
      }
    }
    return false;
  };
  auto scope_it = metrics.find("S");
  if (scope_it == metrics.end() || (scope_it->second != "U" && scope_it->second != "C"))
    return std::nullopt;
  const bool changed = scope_it->second == "C";
  double av, ac, pr, ui, c, i, a;
  if (!pick("AV", {{"N", 0.85}, {"A", 0.62}, {"L", 0.55}, {"P", 0.2}}, &av)) return std::nullopt;
  if (!pick("AC", {{"L", 0.77}, {"H", 0.44}}, &ac)) return std::nullopt;
  if (!pick("PR", {{"N", 0.85}, {"L", changed ? 0.68 : 0.62}, {"H", changed ? 0.5 : 0.27}}, &pr))
    return std::nullopt;
  if (!pick("UI", {{"N", 0.85}, {"R", 0.62}}, &ui)) return std::nullopt;
  if (!pick("C", {{"H", 0.56}, {"L", 0.22}, {"N", 0}}, &c)) return std::nullopt;
  if (!pick("I", {{"H", 0.56}, {"L", 0.22}, {"N", 0}}, &i)) return std::nullopt;
  if (!pick("A", {{"H", 0.56}, {"L", 0.22}, {"N", 0}}, &a)) return std::nullopt;
  const double iss = 1 - (1 - c) * (1 - i) * (1 - a);
  const double impact =
      changed ? 7.52 * (iss - 0.029) - 3.25 * std::pow(iss - 0.02, 15) : 6.42 * iss;
  const double exploitability = 8.22 * av * ac * pr * ui;
  if (impact <= 0) return 0.0;
  if (changed) return RoundUp(std::min(1.08 * (impact + exploitability), 10.0));
  return RoundUp(std::min(impact + exploitability, 10.0));
}

std::string UnknownSeverityMessage(std::string_view text) {
  std::string message =
      "unknown severity '" + std::string(text) + "' (use none, low, medium, high or critical)";
  auto level = ParseRiskLevel(text);
  if (level && (*level == RiskLevel::kVeryHigh || *level == RiskLevel::kExtreme))
    message += "; '" + std::string(text) +
               "' is a risk level: severities rate CVEs, and a critical CVE's problem is "
               "very_high";
  return message;
}

RiskLevel SeverityRiskLevel(Severity severity) {
  switch (severity) {
    case Severity::kCritical:
      return RiskLevel::kVeryHigh;
    case Severity::kHigh:
      return RiskLevel::kHigh;
    case Severity::kMedium:
      return RiskLevel::kMedium;
    case Severity::kLow:
    case Severity::kNone:
      return RiskLevel::kLow;
  }
  return RiskLevel::kLow;
}

}  // namespace warden

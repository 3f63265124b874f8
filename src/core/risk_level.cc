#include "core/risk_level.h"

#include <cctype>
#include <string>

namespace warden {

std::string_view RiskLevelName(RiskLevel level) {
  switch (level) {
    case RiskLevel::kExtreme:
      return "extreme";
    case RiskLevel::kVeryHigh:
      return "very_high";
    case RiskLevel::kHigh:
      return "high";
    case RiskLevel::kMedium:
      return "medium";
    case RiskLevel::kLow:
      return "low";
  }
  return "low";
}

std::string_view RiskLevelDisplayName(RiskLevel level) {
  switch (level) {
    case RiskLevel::kExtreme:
      return "Extreme";
    case RiskLevel::kVeryHigh:
      return "Very High";
    case RiskLevel::kHigh:
      return "High";
    case RiskLevel::kMedium:
      return "Medium";
    case RiskLevel::kLow:
      return "Low";
  }
  return "Low";
}

std::optional<RiskLevel> ParseRiskLevel(std::string_view text) {
  std::string key;
  for (char c : text) {
    if (c == ' ' || c == '_' || c == '-') continue;
    key += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (key == "extreme") return RiskLevel::kExtreme;
  if (key == "veryhigh") return RiskLevel::kVeryHigh;
  if (key == "high") return RiskLevel::kHigh;
  if (key == "medium") return RiskLevel::kMedium;
  if (key == "low") return RiskLevel::kLow;
  return std::nullopt;
}

std::string UnknownRiskLevelMessage(std::string_view text) {
  std::string message = "unknown risk level '" + std::string(text) +
                        "' (use extreme, very_high, high, medium or low)";
  std::string key;
  for (char c : text) key += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (key == "critical" || key == "important" || key == "moderate" || key == "negligible" ||
      key == "none")
    message += "; '" + std::string(text) +
               "' is a CVE severity: risk levels rank problems, and a vulnerability's problem "
               "takes the risk level of its severity (critical is very_high, high high, medium "
               "medium, low and none low); to filter CVEs by severity use --min-severity";
  return message;
}

int OcsfSeverityId(RiskLevel level) {
  switch (level) {
    case RiskLevel::kExtreme:
    case RiskLevel::kVeryHigh:
      return 5;
    case RiskLevel::kHigh:
      return 4;
    case RiskLevel::kMedium:
      return 3;
    case RiskLevel::kLow:
      return 2;
  }
  return 2;
}

int SyslogSeverity(RiskLevel level) {
  switch (level) {
    case RiskLevel::kExtreme:
      return 1;
    case RiskLevel::kVeryHigh:
      return 2;
    case RiskLevel::kHigh:
      return 3;
    case RiskLevel::kMedium:
      return 4;
    case RiskLevel::kLow:
      return 5;
  }
  return 5;
}

int CefSeverity(RiskLevel level) {
  switch (level) {
    case RiskLevel::kExtreme:
      return 10;
    case RiskLevel::kVeryHigh:
      return 9;
    case RiskLevel::kHigh:
      return 7;
    case RiskLevel::kMedium:
      return 5;
    case RiskLevel::kLow:
      return 3;
  }
  return 3;
}

}  // namespace warden

// Problem is the tracked, deduplicated condition a user acts on ("tcp port
// 8080 is open", "12 CVEs on this host", "a shell spawned by nginx"): one per
// finding id, with a status, a revision that grows with each lifecycle event,
// and the latest Finding that detected it (typed, not JSON text). The agent
// keeps the problems of its own host; the server will keep a fleet's.
// This file is the model only: the lifecycle rules are in problem_lifecycle.h
// (pure functions), storage behind problem_repository.h, and the JSON/OCSF
// renderings in problem_rendering.h.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/finding.h"

namespace warden {

enum class ProblemStatus { kOpen, kResolved, kDismissed };
std::string_view ProblemStatusName(ProblemStatus status);  // "open", "resolved", "dismissed"
std::optional<ProblemStatus> ParseProblemStatus(std::string_view name);

// What happened to a problem. Every action but kOccurred changes its status
// or content, bumps its revision and is kept in its history; kOccurred is one
// more sighting of an event-like problem that is already open (or dismissed),
// counted in Problem::occurrences only.
enum class ProblemAction {
  kOpened,
  kUpdated,  // open, detected again with a changed title, risk, resource or attributes
  kResolved,
  kReopened,
  kDismissed,
  kUndismissed,
  kOccurred,
};
// "opened", "updated", "resolved", "reopened", "dismissed", "undismissed", "occurred".
std::string_view ProblemActionName(ProblemAction action);
std::optional<ProblemAction> ParseProblemAction(std::string_view name);
// False for kOccurred: the problem's state and revision stay as they were.
bool IsStateChange(ProblemAction action);

struct Problem {
  std::string id;  // the finding id
  std::string rule_id;
  std::string host;
  std::string title;
  RiskLevel risk_level = RiskLevel::kLow;
  std::string resource;
  ProblemStatus status = ProblemStatus::kOpen;
  int64_t first_detected = 0;  // epoch seconds
  int64_t last_detected = 0;
  int64_t status_changed = 0;
  int64_t resolved_at = 0;  // 0 = not resolved
  int64_t times_reopened = 0;
  int64_t revision = 0;
  std::string dismissed_comment;
  int64_t dismissed_at = 0;
  int64_t dismissed_until = 0;  // 0 = no expiry
  // Sightings of an event-like problem (the runtime rules); 0 for problems
  // reconciled from states, which are not counted.
  int64_t occurrences = 0;
  // The latest detection; its first_seen is the problem's first_detected.
  Finding finding;
};

struct ProblemEvent {
  ProblemAction action = ProblemAction::kOpened;
  int64_t at = 0;
  std::string comment;
  Problem problem;  // the problem after the event
};

// The record id of a problem event, "<problem id>.<revision>": one event for ever.
std::string ProblemEventId(const ProblemEvent& event);

struct ProblemHistoryEntry {
  int64_t revision = 0;
  int64_t at = 0;
  ProblemAction action = ProblemAction::kOpened;
  ProblemStatus status = ProblemStatus::kOpen;
  std::string comment;
};

// What a detector saw on one run: each finding is one problem (finding.id is
// the problem id); `details` optionally lists drill-down findings per problem
// (the CVEs behind the host vulnerability problem).
struct Observation {
  std::vector<Finding> findings;
  std::map<std::string, std::vector<Finding>> details;
};

}  // namespace warden

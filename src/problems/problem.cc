#include "problems/problem.h"

namespace warden {

std::string_view ProblemStatusName(ProblemStatus status) {
  switch (status) {
    case ProblemStatus::kOpen:
      return "open";
    case ProblemStatus::kResolved:
      return "resolved";
    case ProblemStatus::kDismissed:
      return "dismissed";
  }
  return "open";
}

std::optional<ProblemStatus> ParseProblemStatus(std::string_view name) {
  for (ProblemStatus s :
       {ProblemStatus::kOpen, ProblemStatus::kResolved, ProblemStatus::kDismissed})
    if (ProblemStatusName(s) == name) return s;
  return std::nullopt;
}

std::string_view ProblemActionName(ProblemAction action) {
  switch (action) {
    case ProblemAction::kOpened:
      return "opened";
    case ProblemAction::kUpdated:
      return "updated";
    case ProblemAction::kResolved:
      return "resolved";
    case ProblemAction::kReopened:
      return "reopened";
    case ProblemAction::kDismissed:
      return "dismissed";
    case ProblemAction::kUndismissed:
      return "undismissed";
    case ProblemAction::kOccurred:
      return "occurred";
  }
  return "opened";
}

std::optional<ProblemAction> ParseProblemAction(std::string_view name) {
  for (ProblemAction a : {ProblemAction::kOpened, ProblemAction::kUpdated, ProblemAction::kResolved,
                          ProblemAction::kReopened, ProblemAction::kDismissed,
                          ProblemAction::kUndismissed, ProblemAction::kOccurred})
    if (ProblemActionName(a) == name) return a;
  return std::nullopt;
}

bool IsStateChange(ProblemAction action) { return action != ProblemAction::kOccurred; }

std::string ProblemEventId(const ProblemEvent& event) {
  return event.problem.id + "." + std::to_string(event.problem.revision);
}

}  // namespace warden

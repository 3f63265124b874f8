// Which suppressions cover a problem, and the store steps that follow:
// dismissing a covered open problem, and reconsidering a problem held
// dismissed when the suppressions holding it change or go.
//
// A suppression applies to the hosts its target names (the recipe
// attachments' matcher, RecipeTargetMatches) while it has not expired. It
// covers a problem of such a host when:
//   rule  the problem's rule id is the value (HOST-OPEN-PORTS);
//   port  the problem's finding has `port` equal to the value's port and,
//         when the value names one (tcp/8080), `protocol` equal to it (a
//         bare 8080 covers tcp and udp) — HOST-OPEN-PORTS' findings;
//   cve   the problem's finding lists CVEs (`cves`, HOST-VULN's one
//         problem per host) and EVERY CVE it lists is suppressed on that
//         host, by this or other CVE suppressions: a problem listing a CVE
//         nobody suppressed stays open, so suppressing one CVE never hides
//         another.
// A rule or port suppression covers alone; when several do, the one that
// lasts longest is chosen (no expiry first, then the latest, then the
// oldest). The problem is dismissed with `suppressed (#ID[, #ID...]):
// reason[; reason...]` until the earliest expiry among those chosen, and
// each chosen suppression holds it (store::SuppressionWriter::Hold).
// Not here: HTTP, the API's validation of a body (suppressions_handlers.cc).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "store/store.h"

namespace warden::server {

// Why `value` is not a suppression value of `kind`; nullopt when it is.
// cve: CVE-YYYY-NNNN (upper case, 4 to 19 digits); rule: a rule id
// (letters, digits, `-`, `_`, `.`, `:`, starting with a letter or digit,
// at most 128); port: tcp/N, udp/N or N, N in 1..65535 without a leading 0.
std::optional<std::string> SuppressionValueError(store::SuppressionKind kind,
                                                 std::string_view value);

// What covers a problem: the suppressions chosen (by id, ascending), the
// comment and the expiry of the dismissal. Empty ids: not covered.
struct SuppressionCover {
  std::vector<int64_t> ids;
  std::string comment;
  std::optional<store::EpochMs> until;
  bool covered() const { return !ids.empty(); }
};

// `active` are the suppressions that apply now (expired ones are skipped
// anyway, by `now`).
SuppressionCover CoverProblem(const store::FleetProblem& problem, const store::Host& host,
                              const std::vector<store::Suppression>& active, store::EpochMs now);

// Who suppression changes are recorded under: the history's and the
// dismissal's actor, the command's creator, the audit entry (actor, action,
// request), and the time.
struct SuppressionActor {
  store::ProblemActor actor;
  std::string command_created_by;
  store::AuditEntry audit;
  store::EpochMs now = 0;
};

// `problem` is open: when `active` covers it on `host`, it is dismissed
// (problem_dismissal.h) and held. The host whose agent was sent a command
// (0: none, nothing covered it or the host runs osquery).
Result<int64_t> SuppressIfCovered(store::StoreWriter& w, const store::FleetProblem& problem,
                                  const store::Host& host,
                                  const std::vector<store::Suppression>& active,
                                  const SuppressionActor& by);

// `problem_id` is held dismissed by a suppression that changed or is
// going: `active` (without a deleted one) still covering it re-dismisses
// it with the new comment and expiry when they differ; otherwise it is
// undismissed with `release_comment` and its holds are forgotten. The host
// whose agent was sent a command (0: none).
Result<int64_t> ReconsiderHeldProblem(store::StoreWriter& w, int64_t problem_id,
                                      const std::vector<store::Suppression>& active,
                                      const SuppressionActor& by,
                                      const std::string& release_comment);

}  // namespace warden::server

#include "server/suppression_matching.h"

#include <algorithm>
#include <map>
#include <set>

#include "core/finding.h"  // Json
#include "server/problem_dismissal.h"
#include "server/recipe_resolution.h"

namespace warden::server {
namespace {

constexpr size_t kMaxCommentBytes = 4000;  // the spec's Comment allows 4096

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A port as the value spells it: 1..65535, no leading zero; 0 when not.
int PortNumber(std::string_view s) {
  if (!AllDigits(s) || s.size() > 5 || s.front() == '0') return 0;
  const int n = std::stoi(std::string(s));
  return n <= 65535 ? n : 0;
}

struct PortValue {
  std::string protocol;  // "" = both
  int port = 0;
};

PortValue ParsePortValue(std::string_view value) {
  PortValue out;
  if (const size_t slash = value.find('/'); slash != std::string_view::npos) {
    out.protocol = std::string(value.substr(0, slash));
    value.remove_prefix(slash + 1);
  }
  out.port = PortNumber(value);
  return out;
}

// Longer-lasting first: no expiry, then the latest expiry, then the oldest.
bool LastsLonger(const store::Suppression& a, const store::Suppression& b) {
  if (a.expires_at.has_value() != b.expires_at.has_value()) return !a.expires_at.has_value();
  if (a.expires_at && *a.expires_at != *b.expires_at) return *a.expires_at > *b.expires_at;
  return a.id < b.id;
}

void Consider(const store::Suppression& s, const store::Suppression*& best) {
  if (best == nullptr || LastsLonger(s, *best)) best = &s;
}

// Cuts `text` to at most `max` bytes on a UTF-8 character boundary.
void Truncate(std::string& text, size_t max) {
  if (text.size() <= max) return;
  size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  text.resize(end);
}

SuppressionCover CoverOf(const std::vector<const store::Suppression*>& chosen) {
  SuppressionCover cover;
  std::vector<const store::Suppression*> sorted = chosen;
  std::sort(sorted.begin(), sorted.end(),
            [](const store::Suppression* a, const store::Suppression* b) { return a->id < b->id; });
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  std::string ids, reasons;
  for (const store::Suppression* s : sorted) {
    cover.ids.push_back(s->id);
    ids += (ids.empty() ? "#" : ", #") + std::to_string(s->id);
    reasons += (reasons.empty() ? "" : "; ") + s->reason;
    if (s->expires_at && (!cover.until || *s->expires_at < *cover.until))
      cover.until = s->expires_at;
  }
  cover.comment = "suppressed (" + ids + "): " + reasons;
  Truncate(cover.comment, kMaxCommentBytes);
  return cover;
}

// Epoch seconds of a dismissal's expiry, rounded up so that an expiry
// later than now stays later than now at the lifecycle's resolution.
int64_t UntilSeconds(const std::optional<store::EpochMs>& until) {
  return until ? (*until + 999) / 1000 : 0;
}

}  // namespace

std::optional<std::string> SuppressionValueError(store::SuppressionKind kind,
                                                 std::string_view value) {
  switch (kind) {
    case store::SuppressionKind::kCve: {
      // CVE-YYYY-NNNN...
      const bool ok = value.size() >= 13 && value.size() <= 28 && value.substr(0, 4) == "CVE-" &&
                      AllDigits(value.substr(4, 4)) && value[8] == '-' &&
                      AllDigits(value.substr(9));
      if (!ok) return "a CVE id such as CVE-2024-1234 (upper case)";
      return std::nullopt;
    }
    case store::SuppressionKind::kRule: {
      auto allowed = [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '_' || c == '.' || c == ':';
      };
      const bool ok = !value.empty() && value.size() <= 128 &&
                      std::all_of(value.begin(), value.end(), allowed) && value.front() != '-' &&
                      value.front() != '_' && value.front() != '.' && value.front() != ':';
      if (!ok) return "a rule id such as HOST-OPEN-PORTS (letters, digits, - _ . :)";
      return std::nullopt;
    }
    case store::SuppressionKind::kPort: {
      PortValue p = ParsePortValue(value);
      const bool has_protocol = value.find('/') != std::string_view::npos;
      if (p.port == 0 || (has_protocol && p.protocol != "tcp" && p.protocol != "udp"))
        return "a port such as tcp/8080, udp/53 or 8080 (both protocols), in 1..65535";
      return std::nullopt;
    }
  }
  return "an unknown kind";
}

SuppressionCover CoverProblem(const store::FleetProblem& problem, const store::Host& host,
                              const std::vector<store::Suppression>& active, store::EpochMs now) {
  std::vector<const store::Suppression*> applying;
  for (const store::Suppression& s : active)
    if (s.ActiveAt(now) && RecipeTargetMatches(host, s.target)) applying.push_back(&s);
  if (applying.empty()) return {};

  const store::Suppression* alone = nullptr;
  for (const store::Suppression* s : applying)
    if (s->kind == store::SuppressionKind::kRule && s->value == problem.rule_id)
      Consider(*s, alone);

  Json finding;
  bool parsed = false;
  auto finding_json = [&]() -> const Json& {
    if (!parsed) {
      finding = Json::parse(problem.finding_json, nullptr, false);
      if (!finding.is_object()) finding = Json::object();
      parsed = true;
    }
    return finding;
  };
  for (const store::Suppression* s : applying) {
    if (s->kind != store::SuppressionKind::kPort) continue;
    const Json& f = finding_json();
    auto port = f.find("port");
    if (port == f.end() || !port->is_number_integer()) continue;
    PortValue want = ParsePortValue(s->value);
    if (port->get<int64_t>() != want.port) continue;
    if (!want.protocol.empty()) {
      auto protocol = f.find("protocol");
      if (protocol == f.end() || !protocol->is_string() ||
          protocol->get<std::string>() != want.protocol)
        continue;
    }
    Consider(*s, alone);
  }
  if (alone != nullptr) return CoverOf({alone});

  // CVEs: every CVE the finding lists must be suppressed.
  std::map<std::string, const store::Suppression*> by_cve;
  for (const store::Suppression* s : applying)
    if (s->kind == store::SuppressionKind::kCve) Consider(*s, by_cve[s->value]);
  if (by_cve.empty()) return {};
  const Json& f = finding_json();
  auto cves = f.find("cves");
  if (cves == f.end() || !cves->is_array() || cves->empty()) return {};
  std::vector<const store::Suppression*> chosen;
  for (const Json& cve : *cves) {
    if (!cve.is_string()) return {};
    auto it = by_cve.find(cve.get<std::string>());
    if (it == by_cve.end()) return {};
    chosen.push_back(it->second);
  }
  return CoverOf(chosen);
}

Result<int64_t> SuppressIfCovered(store::StoreWriter& w, const store::FleetProblem& problem,
                                  const store::Host& host,
                                  const std::vector<store::Suppression>& active,
                                  const SuppressionActor& by) {
  if (problem.status != ProblemStatus::kOpen) return 0;
  SuppressionCover cover = CoverProblem(problem, host, active, by.now);
  if (!cover.covered()) return 0;
  DismissalChange change;
  change.dismiss = true;
  change.comment = cover.comment;
  change.until_seconds = UntilSeconds(cover.until);
  change.actor = by.actor;
  change.command_created_by = by.command_created_by;
  change.audit = by.audit;
  change.now = by.now;
  ASSIGN_OR_RETURN(DismissalOutcome done, ChangeProblemDismissal(w, problem.id, change));
  if (!done.after || done.refused || done.unavailable) return 0;
  RETURN_IF_ERROR(w.suppressions().Hold(problem.id, cover.ids, cover.comment));
  return done.command_host;
}

Result<int64_t> ReconsiderHeldProblem(store::StoreWriter& w, int64_t problem_id,
                                      const std::vector<store::Suppression>& active,
                                      const SuppressionActor& by,
                                      const std::string& release_comment) {
  ASSIGN_OR_RETURN(std::optional<store::FleetProblem> problem, w.problems().Get(problem_id));
  if (!problem || problem->status != ProblemStatus::kDismissed) return 0;
  ASSIGN_OR_RETURN(std::optional<store::Host> host, w.hosts().Get(problem->host_id));
  SuppressionCover cover;
  if (host) cover = CoverProblem(*problem, *host, active, by.now);
  DismissalChange change;
  change.actor = by.actor;
  change.command_created_by = by.command_created_by;
  change.audit = by.audit;
  change.now = by.now;
  if (cover.covered()) {
    const int64_t until_seconds = UntilSeconds(cover.until);
    // 0: no expiry, on both sides.
    if (problem->dismissal && problem->dismissal->comment == cover.comment &&
        problem->dismissal->until.value_or(0) == until_seconds * 1000) {
      RETURN_IF_ERROR(w.suppressions().Hold(problem_id, cover.ids, cover.comment));
      return 0;
    }
    change.dismiss = true;
    change.comment = cover.comment;
    change.until_seconds = until_seconds;
    ASSIGN_OR_RETURN(DismissalOutcome done, ChangeProblemDismissal(w, problem_id, change));
    if (!done.after || done.refused || done.unavailable) return 0;
    RETURN_IF_ERROR(w.suppressions().Hold(problem_id, cover.ids, cover.comment));
    return done.command_host;
  }
  change.dismiss = false;
  change.comment = release_comment;
  ASSIGN_OR_RETURN(DismissalOutcome done, ChangeProblemDismissal(w, problem_id, change));
  RETURN_IF_ERROR(w.suppressions().Release(problem_id));
  if (!done.after || done.refused || done.unavailable) return 0;
  return done.command_host;
}

}  // namespace warden::server

#include "server/cloud_problems.h"

#include <algorithm>

#include "cloud/cloud_rule_settings.h"

namespace warden::server {

Json StoredRulesJson(const std::string& text) {
  Json rules = Json::parse(text, nullptr, false);
  return rules.is_object() ? rules : Json::object();
}

Result<TrailProfile> StoredAccountProfile(const store::CloudOrganisation& organisation,
                                          const store::CloudAccount& account) {
  const CloudOverrideMode mode =
      ParseCloudOverrideMode(account.override_mode).value_or(CloudOverrideMode::kFillGaps);
  return BuildCloudAccountProfile(organisation.name, StoredRulesJson(organisation.rules_json),
                                  StoredRulesJson(account.rules_json), mode);
}

std::string CloudProblemId(const Finding& finding) {
  std::string subject = finding.resource;
  if (subject.empty() && finding.attributes.contains("actor") &&
      finding.attributes["actor"].is_string())
    subject = finding.attributes["actor"].get<std::string>();
  return finding.rule_id + "|" + subject;
}

Result<CloudProblemsWritten> WriteCloudFindings(store::StoreWriter& writer,
                                                const store::CloudAccount& account,
                                                const std::vector<Finding>& findings,
                                                store::EpochMs now) {
  CloudProblemsWritten out;
  for (const Finding& finding : findings) {
    const std::string id = CloudProblemId(finding);
    const store::EpochMs detected = finding.last_seen > 0 ? finding.last_seen * 1000 : now;
    std::string finding_json;
    AppendFindingJson(finding, &finding_json);
    ASSIGN_OR_RETURN(std::optional<store::FleetProblem> stored,
                     writer.problems().FindByCloudId(account.id, id));
    store::FleetProblem p;
    std::string action;
    if (!stored) {
      p.cloud_account_id = account.id;
      p.agent_problem_id = id;
      p.rule_id = finding.rule_id;
      p.resource = finding.resource;
      p.first_detected_at = detected;
      p.status = ProblemStatus::kOpen;
      p.status_changed_at = now;
      p.revision = 1;
      p.occurrences = 1;
      action = "opened";
      ++out.opened;
    } else {
      p = *stored;
      p.occurrences = stored->occurrences + 1;
      p.first_detected_at = std::min(stored->first_detected_at, detected);
      const bool expired = p.status == ProblemStatus::kDismissed && p.dismissal &&
                           p.dismissal->until && *p.dismissal->until <= now;
      if (p.status == ProblemStatus::kDismissed && !expired) {
        ++out.counted;
      } else if (p.status == ProblemStatus::kOpen) {
        ++p.revision;
        action = "updated";
        ++out.updated;
      } else {
        p.status = ProblemStatus::kOpen;
        p.status_changed_at = now;
        p.resolved_at.reset();
        p.dismissal.reset();
        ++p.times_reopened;
        ++p.revision;
        action = "reopened";
        ++out.reopened;
      }
    }
    p.hostname = account.name;
    p.title = finding.title;
    p.description = finding.description.empty() ? std::nullopt
                                                : std::optional<std::string>(finding.description);
    p.risk_level = finding.risk_level;
    p.last_detected_at = std::max(p.last_detected_at, detected);
    p.finding_json = std::move(finding_json);
    p.updated_at = now;
    ASSIGN_OR_RETURN(store::ProblemUpsert written, writer.problems().Upsert(p));
    if (action.empty()) continue;
    store::ProblemHistoryRecord h;
    h.problem_id = written.problem.id;
    h.revision = written.problem.revision;
    h.at = now;
    h.action = action;
    h.status = written.problem.status;
    h.actor.type = "system";
    RETURN_IF_ERROR(writer.problems().AppendHistory(h).status());
  }
  return out;
}

}  // namespace warden::server

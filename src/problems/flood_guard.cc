#include "problems/flood_guard.h"

namespace warden {

Finding FloodGuard::Admit(const Finding& finding, int64_t now) {
  const int64_t minute = now / 60;
  if (minute != minute_) {
    minute_ = minute;
    seen_.clear();
  }
  std::set<std::string>& ids = seen_[finding.rule_id];
  if (ids.count(finding.id) || ids.size() < limit_) {
    ids.insert(finding.id);
    return finding;
  }
  ++folded_;
  Finding summary = finding;
  const std::string limit = std::to_string(limit_);
  summary.id = MakeFindingId({"flood", finding.rule_id, finding.source});
  summary.title = finding.rule_id + " fired for more than " + limit +
                  " different subjects in a minute; the rest are counted here";
  summary.description = "Flood control: " + finding.rule_id + " (" + finding.title +
                        ") fired for more than " + limit +
                        " different subjects within one minute, so further new subjects raise "
                        "this one problem instead of one each. The latest: " +
                        finding.resource + " - " + finding.description;
  summary.resource = "more than " + limit + " subjects a minute";
  summary.attributes["flood_limit_per_minute"] = static_cast<int64_t>(limit_);
  summary.attributes["latest_subject"] = finding.resource;
  summary.attributes["latest_finding_id"] = finding.id;
  return summary;
}

}  // namespace warden

// A cloud account's CloudTrail findings as problems of the server's problem
// store, written inside the caller's Store::Write (with the source position
// that produced them, so a restart neither repeats nor skips).
//
// One problem per (account, rule, resource or principal): its id is
// CloudProblemId. A finding on a new id opens a problem; on an open one it
// updates it (occurrences + 1, last detection, the latest finding with the
// original event and the matched rows) with an `updated` history entry, so
// the channels' triggers send one message per event - never one per
// matched row, as the finding lists them all. On a dismissed problem it
// only counts (occurrences, last detection, latest finding: no message)
// until the dismissal expires, then reopens it; a resolved one reopens.
//
// Also here, for every server path that evaluates an account's events (a
// followed source, an upload): the stored rule settings read back, and the
// profile they make.
//
// Not here: evaluating events (src/cloud), suppressions, delivery.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cloud/trail_profile.h"
#include "core/finding.h"
#include "core/status.h"
#include "store/store.h"

namespace warden::server {

// "<rule id>|<resource, else actor>".
std::string CloudProblemId(const Finding& finding);

struct CloudProblemsWritten {
  int64_t opened = 0;
  int64_t updated = 0;  // open problems detected again (one history entry each)
  int64_t reopened = 0;
  int64_t counted = 0;  // dismissed problems detected again (no history entry)
};

// A stored rules_json (rule id -> settings) as JSON; an empty object for
// text that is not one (the store only keeps objects).
Json StoredRulesJson(const std::string& text);

// The profile `account`'s events are evaluated with: its organisation's and
// its own stored settings combined by its override mode.
Result<TrailProfile> StoredAccountProfile(const store::CloudOrganisation& organisation,
                                          const store::CloudAccount& account);

Result<CloudProblemsWritten> WriteCloudFindings(store::StoreWriter& writer,
                                                const store::CloudAccount& account,
                                                const std::vector<Finding>& findings,
                                                store::EpochMs now);

}  // namespace warden::server

// FloodGuard keeps one noisy event rule from burying the problem list (a
// rule that fires for every distinct command line would open hundreds of
// problems in minutes): within each minute, a rule's first `limit` distinct
// conditions (finding ids) pass as they are, and every further new
// condition of that rule is folded into one summary finding per rule and
// host, which says what happened and carries the latest folded finding as
// evidence. Conditions already seen in the minute keep passing, so their
// problems keep counting occurrences. Pure: the caller gives the time.
// Not here: raising problems (problem_lifecycle.h), per-rule limits.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "core/finding.h"

namespace warden {

class FloodGuard {
 public:
  static constexpr size_t kDefaultLimit = 20;  // distinct conditions per rule per minute

  explicit FloodGuard(size_t limit = kDefaultLimit) : limit_(limit) {}

  // `finding` as it should be raised at `now` (epoch seconds): itself, or
  // its rule's summary finding.
  Finding Admit(const Finding& finding, int64_t now);

  size_t limit() const { return limit_; }
  // Findings folded into summaries so far.
  uint64_t folded() const { return folded_; }

 private:
  size_t limit_;
  int64_t minute_ = -1;
  std::map<std::string, std::set<std::string>> seen_;  // rule id -> finding ids this minute
  uint64_t folded_ = 0;
};

}  // namespace warden

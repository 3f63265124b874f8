// Fleet-wide suppressions: a CVE, a rule or a port suppressed on a target
// (all hosts, a label, named hosts: RecipeTarget) with a reason and an
// optional expiry, and which problems each holds dismissed. A hold is the
// record that a problem was dismissed under some suppressions with a given
// comment; it counts only while the problem is still dismissed with that
// comment, so a person re-dismissing or undismissing the problem, or the
// expiry reopening it, ends the hold with no write here. The store keeps
// what it is given: checking values, matching problems and dismissing them
// are the server's (server/suppression_matching.h). Reads are thread-safe;
// writes run inside a store transaction (see store.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "store/fleet_problem_repository.h"  // ProblemActor
#include "store/list_query.h"
#include "store/recipe_repository.h"  // RecipeTarget

namespace warden::store {

enum class SuppressionKind { kCve, kRule, kPort };
std::string_view SuppressionKindName(SuppressionKind kind);  // cve | rule | port
std::optional<SuppressionKind> ParseSuppressionKind(std::string_view name);

struct Suppression {
  int64_t id = 0;
  SuppressionKind kind = SuppressionKind::kRule;
  std::string value;  // CVE-2024-1234, HOST-OPEN-PORTS, tcp/8080 or 8080
  RecipeTarget target;
  std::string reason;
  std::optional<EpochMs> expires_at;  // nullopt: never
  ProblemActor created_by;
  EpochMs created_at = 0;
  EpochMs updated_at = 0;
  int64_t dismissed = 0;  // problems it holds dismissed now (filled on reads)

  // Whether it applies at `now`: no expiry, or one still ahead.
  bool ActiveAt(EpochMs now) const { return !expires_at || *expires_at > now; }
};

struct NewSuppression {
  SuppressionKind kind = SuppressionKind::kRule;
  std::string value;  // required
  RecipeTarget target;
  std::string reason;  // required
  std::optional<EpochMs> expires_at;
  ProblemActor created_by;
  EpochMs created_at = 0;
};

// What an update changes; members left unset keep their value.
struct SuppressionChange {
  std::optional<std::string> reason;
  std::optional<std::optional<EpochMs>> expires_at;  // set to nullopt: no expiry
  EpochMs updated_at = 0;
};

// Fields: id, created_at, value (sortable; default -created_at); kind
// (text, equality); reason (text, for `contains`).
const ListSchema& SuppressionListSchema();

class SuppressionRepository {
 public:
  virtual ~SuppressionRepository() = default;
  virtual Result<std::optional<Suppression>> Get(int64_t id) = 0;
  virtual Result<ListPage<Suppression>> List(const ListQuery& query) = 0;
  virtual Status Export(const ListQuery& query, const RowCallback<Suppression>& row) = 0;
  // Every suppression that applies at `now`, by id (an installation keeps a
  // handful to a few thousand).
  virtual Result<std::vector<Suppression>> Active(EpochMs now) = 0;
};

class SuppressionWriter {
 public:
  virtual ~SuppressionWriter() = default;
  virtual Result<std::optional<Suppression>> Get(int64_t id) = 0;
  virtual Result<std::vector<Suppression>> Active(EpochMs now) = 0;
  // InvalidArgument when the value or reason is empty or the target lacks
  // its label / hosts.
  virtual Result<Suppression> Create(const NewSuppression& suppression) = 0;
  // nullopt when there is no such suppression.
  virtual Result<std::optional<Suppression>> Update(int64_t id,
                                                    const SuppressionChange& change) = 0;
  // False when there was none; its holds go with it.
  virtual Result<bool> Delete(int64_t id) = 0;
  // The problems `suppression_id` holds dismissed now, by id.
  virtual Result<std::vector<int64_t>> HeldProblems(int64_t suppression_id) = 0;
  // Records that `problem_id` is dismissed with `comment` under each of
  // `suppression_ids`, replacing its earlier holds.
  virtual Status Hold(int64_t problem_id, const std::vector<int64_t>& suppression_ids,
                      const std::string& comment) = 0;
  // Forgets every hold of `problem_id`.
  virtual Status Release(int64_t problem_id) = 0;
};

}  // namespace warden::store

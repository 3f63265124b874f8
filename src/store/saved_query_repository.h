// Saved queries: named SQL with a description, an owner and tags, each
// user's favourites among them, and each one's central schedule (which
// hosts run it, how often, in which mode, with which budgets).
//
// A saved query's name is unique. Its SQL is kept as given: nothing here
// (or anywhere) interpolates it. Its schedule is stored with it, whole, as
// the server's handlers checked it; `scheduled` is true when a schedule is
// set and enabled, i.e. when agents receive it. Deleting a saved query
// deletes its tags and favourites; campaigns it started keep its id.
//
// Reads are thread-safe; writes run inside a store transaction (store.h).
// Not here: choosing which hosts a schedule targets now (the server's
// host_scheduled_queries.h), HTTP, or the agent's side.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/fleet_problem_repository.h"  // ProblemActor
#include "store/list_query.h"
#include "store/live_query_repository.h"  // LiveQueryTargetSpec

namespace warden::store {

// When and how a scheduled saved query runs on the hosts it targets.
struct SavedQuerySchedule {
  LiveQueryTargetSpec targets;  // the same targets as a campaign's
  std::optional<int64_t> interval_seconds;
  std::vector<std::string> daily_at;  // "HH:MM", the host's local time
  int64_t splay_percent = 10;
  bool run_at_start = false;
  std::string mode = "differential";  // or "snapshot"
  bool report_removed = true;         // differential: removed rows too
  int64_t timeout_ms = 60'000;
  int64_t max_memory_bytes = 256LL << 20;
  bool enabled = true;
};

struct SavedQuery {
  int64_t id = 0;
  std::string name;
  std::string description;
  std::string sql;
  std::vector<std::string> tags;  // sorted, no duplicates
  ProblemActor owner;             // who created it
  std::optional<SavedQuerySchedule> schedule;
  EpochMs created_at = 0;
  EpochMs updated_at = 0;
};

struct NewSavedQuery {
  std::string name;  // required, unique
  std::string description;
  std::string sql;  // required
  std::vector<std::string> tags;
  ProblemActor owner;
  std::optional<SavedQuerySchedule> schedule;
  EpochMs created_at = 0;
};

// What an update changes; members left unset keep their value.
struct SavedQueryChange {
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::optional<std::string> sql;
  std::optional<std::vector<std::string>> tags;
  std::optional<std::optional<SavedQuerySchedule>> schedule;  // set to nullopt: unscheduled
  EpochMs updated_at = 0;
};

struct SavedQueryUpdate {
  std::optional<SavedQuery> query;  // nullopt: no such saved query
  bool name_taken = false;          // nothing changed: the new name is another's
};

// The name agents run a scheduled saved query under ("srv:<name>").
std::string ScheduledQueryName(std::string_view saved_query_name);

// Fields: id, name, created_at, updated_at (sortable; default name); name,
// description (text: q searches them); owner (text, equality: "user:3");
// tag (equality: saved queries carrying it); favourite_of (equality: the
// favourites of that user id); not_favourite_of (equality: the others);
// scheduled (boolean).
const ListSchema& SavedQueryListSchema();

class SavedQueryRepository {
 public:
  virtual ~SavedQueryRepository() = default;
  virtual Result<std::optional<SavedQuery>> Get(int64_t id) = 0;
  virtual Result<std::optional<SavedQuery>> GetByName(const std::string& name) = 0;
  virtual Result<ListPage<SavedQuery>> List(const ListQuery& query) = 0;
  virtual Status Export(const ListQuery& query, const RowCallback<SavedQuery>& row) = 0;
  // Every saved query whose schedule is set and enabled, by id.
  virtual Result<std::vector<SavedQuery>> Scheduled() = 0;
  // The ids of `user_id`'s favourites.
  virtual Result<std::set<int64_t>> FavouriteIds(int64_t user_id) = 0;
};

class SavedQueryWriter {
 public:
  virtual ~SavedQueryWriter() = default;
  virtual Result<std::optional<SavedQuery>> Get(int64_t id) = 0;
  // nullopt when the name is taken. InvalidArgument when the name or the
  // SQL is empty or a tag is invalid (labels' rules: 1..128 bytes, at most
  // 100).
  virtual Result<std::optional<SavedQuery>> Create(const NewSavedQuery& query) = 0;
  virtual Result<SavedQueryUpdate> Update(int64_t id, const SavedQueryChange& change) = 0;
  // False when there was no such saved query.
  virtual Result<bool> Delete(int64_t id) = 0;
  // Marks (or unmarks) the saved query as one of the user's favourites.
  // False when there is no such saved query; marking twice is no change.
  virtual Result<bool> SetFavourite(int64_t user_id, int64_t saved_query_id, bool favourite,
                                    EpochMs at) = 0;
};

}  // namespace warden::store

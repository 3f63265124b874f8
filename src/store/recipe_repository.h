// Detector recipes kept on the server: each with its rules (a JSON object in
// the shape of the agent's `recipe.rules`) and a revision that moves on with
// every change; where recipes are attached (all hosts, a label, named
// hosts), each attachment with a priority and overrides of the same shape;
// and each host's own overrides. The store keeps what it is given: checking
// rules with the detectors' readers and resolving a host's effective recipe
// are the server's (server/recipe_resolution.h). Reads are thread-safe;
// writes run inside a store transaction (see store.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/list_query.h"

namespace warden::store {

struct Recipe {
  int64_t id = 0;
  std::string name;
  std::string description;
  std::string rules_json = "{}";
  int64_t revision = 1;
  int64_t attachments = 0;  // how many attachments name it
  EpochMs created_at = 0;
  EpochMs updated_at = 0;
};

struct NewRecipe {
  std::string name;  // required, unique
  std::string description;
  std::string rules_json = "{}";  // a JSON object
  EpochMs created_at = 0;
};

// What an update changes; members left unset keep their value.
struct RecipeChange {
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::optional<std::string> rules_json;
  // When set, the change applies only to this revision (else revision_conflict).
  std::optional<int64_t> expected_revision;
  EpochMs updated_at = 0;
};

struct RecipeUpdate {
  std::optional<Recipe> recipe;  // nullopt: no such recipe, or refused below
  bool name_taken = false;
  bool revision_conflict = false;
};

enum class RecipeDeletion { kDeleted, kNotFound, kAttached };

// Which hosts an attachment targets.
struct RecipeTarget {
  enum class Kind { kAll, kLabel, kHosts };
  Kind kind = Kind::kAll;
  std::string label;              // kLabel: "env=prod"
  std::vector<int64_t> host_ids;  // kHosts: sorted, no duplicates
};
std::string_view RecipeTargetKindName(RecipeTarget::Kind kind);  // all | label | hosts

struct RecipeAttachment {
  int64_t id = 0;
  int64_t recipe_id = 0;
  std::string recipe_name;
  RecipeTarget target;
  int64_t priority = 0;
  std::string overrides_json = "{}";
  EpochMs created_at = 0;
  EpochMs updated_at = 0;
};

struct NewRecipeAttachment {
  int64_t recipe_id = 0;
  RecipeTarget target;
  int64_t priority = 0;
  std::string overrides_json = "{}";
  EpochMs created_at = 0;
};

struct RecipeAttachmentChange {
  std::optional<RecipeTarget> target;
  std::optional<int64_t> priority;
  std::optional<std::string> overrides_json;
  EpochMs updated_at = 0;
};

struct HostRecipeOverride {
  int64_t host_id = 0;
  std::string rules_json = "{}";
  std::optional<EpochMs> updated_at;  // nullopt: the host has none
};

// Fields: id, name, created_at, updated_at (sortable; default name).
const ListSchema& RecipeListSchema();
// Fields: id, created_at, priority (sortable; default created_at); recipe_id
// (integer, equality).
const ListSchema& RecipeAttachmentListSchema();

class RecipeRepository {
 public:
  virtual ~RecipeRepository() = default;
  virtual Result<std::optional<Recipe>> Get(int64_t id) = 0;
  virtual Result<ListPage<Recipe>> List(const ListQuery& query) = 0;
  virtual Status Export(const ListQuery& query, const RowCallback<Recipe>& row) = 0;
  virtual Result<std::optional<RecipeAttachment>> GetAttachment(int64_t id) = 0;
  virtual Result<ListPage<RecipeAttachment>> ListAttachments(const ListQuery& query) = 0;
  virtual Status ExportAttachments(const ListQuery& query,
                                   const RowCallback<RecipeAttachment>& row) = 0;
  // Every attachment with its recipe, by id (resolution reads them all: an
  // installation has a handful to a few hundred).
  virtual Result<std::vector<RecipeAttachment>> AllAttachments() = 0;
  // The host's overrides; rules "{}" and no updated_at when it has none.
  virtual Result<HostRecipeOverride> HostOverride(int64_t host_id) = 0;
};

class RecipeWriter {
 public:
  virtual ~RecipeWriter() = default;
  virtual Result<std::optional<Recipe>> Get(int64_t id) = 0;
  virtual Result<std::optional<Recipe>> FindByName(const std::string& name) = 0;
  // nullopt when the name is taken. InvalidArgument when the name is empty
  // or the rules are not a JSON object.
  virtual Result<std::optional<Recipe>> Create(const NewRecipe& recipe) = 0;
  // The recipe after the change (revision + 1), or, with nothing changed,
  // name_taken / revision_conflict; no recipe when there is none.
  virtual Result<RecipeUpdate> Update(int64_t id, const RecipeChange& change) = 0;
  // kAttached (nothing deleted) while an attachment names it.
  virtual Result<RecipeDeletion> Delete(int64_t id) = 0;
  virtual Result<std::optional<RecipeAttachment>> GetAttachment(int64_t id) = 0;
  // nullopt when there is no such recipe.
  virtual Result<std::optional<RecipeAttachment>> CreateAttachment(
      const NewRecipeAttachment& attachment) = 0;
  // nullopt when there is no such attachment.
  virtual Result<std::optional<RecipeAttachment>> UpdateAttachment(
      int64_t id, const RecipeAttachmentChange& change) = 0;
  virtual Result<bool> DeleteAttachment(int64_t id) = 0;
  // Replaces the host's overrides; rules "{}" removes them. The host must exist.
  virtual Result<HostRecipeOverride> SetHostOverride(int64_t host_id, const std::string& rules_json,
                                                     EpochMs at) = 0;
};

}  // namespace warden::store

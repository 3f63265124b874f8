#include "store/sqlite/sqlite_recipes.h"

#include <algorithm>

#include "core/finding.h"  // Json
#include "store/sqlite/sqlite_repositories.h"

namespace warden::store {
namespace {

constexpr std::string_view kRecipeColumns =
    "id, name, description, rules, revision, created_at, updated_at, "
    "(SELECT COUNT(*) FROM recipe_attachments ra WHERE ra.recipe_id = recipes.id)";

constexpr std::string_view kAttachmentColumns =
    "id, recipe_id, (SELECT r.name FROM recipes r WHERE r.id = recipe_attachments.recipe_id), "
    "target_kind, target_label, target_host_ids, priority, overrides, created_at, updated_at";

Recipe ReadRecipe(SqliteStatement& st) {
  Recipe r;
  r.id = st.Int(0);
  r.name = st.Text(1);
  r.description = st.Text(2);
  r.rules_json = st.Text(3);
  r.revision = st.Int(4);
  r.created_at = st.Int(5);
  r.updated_at = st.Int(6);
  r.attachments = st.Int(7);
  return r;
}

std::string HostIdsJson(const std::vector<int64_t>& ids) { return Json(ids).dump(); }

std::vector<int64_t> HostIdsFromJson(const std::string& text) {
  std::vector<int64_t> ids;
  Json parsed = Json::parse(text, nullptr, false);
  if (!parsed.is_array()) return ids;
  for (const Json& id : parsed)
    if (id.is_number_integer()) ids.push_back(id.get<int64_t>());
  return ids;
}

RecipeAttachment ReadAttachment(SqliteStatement& st) {
  RecipeAttachment a;
  a.id = st.Int(0);
  a.recipe_id = st.Int(1);
  a.recipe_name = st.Text(2);
  const std::string kind = st.Text(3);
  a.target.kind = kind == "label"   ? RecipeTarget::Kind::kLabel
                  : kind == "hosts" ? RecipeTarget::Kind::kHosts
                                    : RecipeTarget::Kind::kAll;
  a.target.label = st.Text(4);
  a.target.host_ids = HostIdsFromJson(st.Text(5));
  a.priority = st.Int(6);
  a.overrides_json = st.Text(7);
  a.created_at = st.Int(8);
  a.updated_at = st.Int(9);
  return a;
}

Result<std::optional<Recipe>> LoadRecipe(SqliteConnection& conn, int64_t id) {
  return QueryOne<Recipe>(
      conn, "SELECT " + std::string(kRecipeColumns) + " FROM recipes WHERE id = ?1",
      [&](SqliteStatement& st) { st.Bind(1, id); }, ReadRecipe);
}

Result<std::optional<RecipeAttachment>> LoadAttachment(SqliteConnection& conn, int64_t id) {
  return QueryOne<RecipeAttachment>(
      conn, "SELECT " + std::string(kAttachmentColumns) + " FROM recipe_attachments WHERE id = ?1",
      [&](SqliteStatement& st) { st.Bind(1, id); }, ReadAttachment);
}

Result<HostRecipeOverride> LoadHostOverride(SqliteConnection& conn, int64_t host_id) {
  HostRecipeOverride o;
  o.host_id = host_id;
  ASSIGN_OR_RETURN(ScopedStatement st,
                   conn.Statement("SELECT rules, updated_at FROM host_recipe_overrides "
                                  "WHERE host_id = ?1"));
  st->Bind(1, host_id);
  ASSIGN_OR_RETURN(bool row, st->Step());
  if (row) {
    o.rules_json = st->Text(0);
    o.updated_at = st->Int(1);
  }
  return o;
}

Status CheckJsonObject(std::string_view what, const std::string& text) {
  Json parsed = Json::parse(text, nullptr, false);
  if (!parsed.is_object()) return InvalidArgument(std::string(what) + ": must be a JSON object");
  return Status::Ok();
}

Status CheckTarget(const RecipeTarget& t) {
  if (t.kind == RecipeTarget::Kind::kLabel && t.label.empty())
    return InvalidArgument("target.label: a label target needs a label");
  if (t.kind == RecipeTarget::Kind::kHosts && t.host_ids.empty())
    return InvalidArgument("target.host_ids: a hosts target needs at least one host");
  return Status::Ok();
}

RecipeTarget Normalized(RecipeTarget t) {
  std::sort(t.host_ids.begin(), t.host_ids.end());
  t.host_ids.erase(std::unique(t.host_ids.begin(), t.host_ids.end()), t.host_ids.end());
  if (t.kind != RecipeTarget::Kind::kLabel) t.label.clear();
  if (t.kind != RecipeTarget::Kind::kHosts) t.host_ids.clear();
  return t;
}

Result<bool> NameTaken(SqliteConnection& conn, const std::string& name, int64_t except_id) {
  ASSIGN_OR_RETURN(ScopedStatement st,
                   conn.Statement("SELECT 1 FROM recipes WHERE name = ?1 AND id <> ?2"));
  st->Bind(1, name).Bind(2, except_id);
  return st->Step();
}

}  // namespace

const ListTable& RecipeListTable() {
  static const ListTable table{
      &RecipeListSchema(),
      "recipes",
      kRecipeColumns,
      8,
      "id",
      {
          {"id", "id"},
          {"name", "name"},
          {"created_at", "created_at"},
          {"updated_at", "updated_at"},
      },
  };
  return table;
}

const ListTable& RecipeAttachmentListTable() {
  static const ListTable table{
      &RecipeAttachmentListSchema(),
      "recipe_attachments",
      kAttachmentColumns,
      10,
      "id",
      {
          {"id", "id"},
          {"created_at", "created_at"},
          {"priority", "priority"},
          {"recipe_id", "recipe_id"},
      },
  };
  return table;
}

// ---- read side

Result<std::optional<Recipe>> SqliteRecipeRepository::Get(int64_t id) {
  ReadPool::Lease lease = pool_.Acquire();
  return LoadRecipe(lease.conn(), id);
}

Result<ListPage<Recipe>> SqliteRecipeRepository::List(const ListQuery& query) {
  return ListFromPool<Recipe>(pool_, RecipeListTable(), query, ReadRecipe);
}

Status SqliteRecipeRepository::Export(const ListQuery& query, const RowCallback<Recipe>& row) {
  return ExportFromPool<Recipe>(pool_, RecipeListTable(), query, ReadRecipe, row);
}

Result<std::optional<RecipeAttachment>> SqliteRecipeRepository::GetAttachment(int64_t id) {
  ReadPool::Lease lease = pool_.Acquire();
  return LoadAttachment(lease.conn(), id);
}

Result<ListPage<RecipeAttachment>> SqliteRecipeRepository::ListAttachments(const ListQuery& query) {
  return ListFromPool<RecipeAttachment>(pool_, RecipeAttachmentListTable(), query, ReadAttachment);
}

Status SqliteRecipeRepository::ExportAttachments(const ListQuery& query,
                                                 const RowCallback<RecipeAttachment>& row) {
  return ExportFromPool<RecipeAttachment>(pool_, RecipeAttachmentListTable(), query, ReadAttachment,
                                          row);
}

Result<std::vector<RecipeAttachment>> SqliteRecipeRepository::AllAttachments() {
  ReadPool::Lease lease = pool_.Acquire();
  ASSIGN_OR_RETURN(ScopedStatement st,
                   lease.conn().Statement("SELECT " + std::string(kAttachmentColumns) +
                                          " FROM recipe_attachments ORDER BY id"));
  std::vector<RecipeAttachment> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back(ReadAttachment(*st));
  }
  return out;
}

Result<HostRecipeOverride> SqliteRecipeRepository::HostOverride(int64_t host_id) {
  ReadPool::Lease lease = pool_.Acquire();
  return LoadHostOverride(lease.conn(), host_id);
}

// ---- write side

Result<std::optional<Recipe>> SqliteRecipeWriter::Get(int64_t id) { return LoadRecipe(conn_, id); }

Result<std::optional<Recipe>> SqliteRecipeWriter::FindByName(const std::string& name) {
  return QueryOne<Recipe>(
      conn_, "SELECT " + std::string(kRecipeColumns) + " FROM recipes WHERE name = ?1",
      [&](SqliteStatement& st) { st.Bind(1, name); }, ReadRecipe);
}

Result<std::optional<Recipe>> SqliteRecipeWriter::Create(const NewRecipe& r) {
  if (r.name.empty()) return InvalidArgument("name: must not be empty");
  RETURN_IF_ERROR(CheckJsonObject("rules", r.rules_json));
  ASSIGN_OR_RETURN(bool taken, NameTaken(conn_, r.name, 0));
  if (taken) return std::optional<Recipe>();
  ASSIGN_OR_RETURN(ScopedStatement ins,
                   conn_.Statement("INSERT INTO recipes (name, description, rules, revision, "
                                   "created_at, updated_at) VALUES (?1, ?2, ?3, 1, ?4, ?4)"));
  ins->Bind(1, r.name).Bind(2, r.description).Bind(3, r.rules_json).Bind(4, r.created_at);
  RETURN_IF_ERROR(ins->Run());
  return LoadRecipe(conn_, InsertedId(conn_));
}

Result<RecipeUpdate> SqliteRecipeWriter::Update(int64_t id, const RecipeChange& change) {
  RecipeUpdate out;
  ASSIGN_OR_RETURN(std::optional<Recipe> current, LoadRecipe(conn_, id));
  if (!current) return out;
  if (change.expected_revision && *change.expected_revision != current->revision) {
    out.revision_conflict = true;
    return out;
  }
  Recipe next = *current;
  if (change.name) {
    if (change.name->empty()) return InvalidArgument("name: must not be empty");
    ASSIGN_OR_RETURN(bool taken, NameTaken(conn_, *change.name, id));
    if (taken) {
      out.name_taken = true;
      return out;
    }
    next.name = *change.name;
  }
  if (change.description) next.description = *change.description;
  if (change.rules_json) {
    RETURN_IF_ERROR(CheckJsonObject("rules", *change.rules_json));
    next.rules_json = *change.rules_json;
  }
  next.updated_at = std::max(change.updated_at, current->updated_at);
  ASSIGN_OR_RETURN(ScopedStatement upd,
                   conn_.Statement("UPDATE recipes SET name = ?2, description = ?3, rules = ?4, "
                                   "revision = revision + 1, updated_at = ?5 WHERE id = ?1"));
  upd->Bind(1, id)
      .Bind(2, next.name)
      .Bind(3, next.description)
      .Bind(4, next.rules_json)
      .Bind(5, next.updated_at);
  RETURN_IF_ERROR(upd->Run());
  ASSIGN_OR_RETURN(out.recipe, LoadRecipe(conn_, id));
  return out;
}

Result<RecipeDeletion> SqliteRecipeWriter::Delete(int64_t id) {
  ASSIGN_OR_RETURN(std::optional<Recipe> current, LoadRecipe(conn_, id));
  if (!current) return RecipeDeletion::kNotFound;
  if (current->attachments > 0) return RecipeDeletion::kAttached;
  ASSIGN_OR_RETURN(int64_t changed,
                   RunCountingChanges(conn_, "DELETE FROM recipes WHERE id = ?1",
                                      [&](SqliteStatement& st) { st.Bind(1, id); }));
  return changed > 0 ? RecipeDeletion::kDeleted : RecipeDeletion::kNotFound;
}

Result<std::optional<RecipeAttachment>> SqliteRecipeWriter::GetAttachment(int64_t id) {
  return LoadAttachment(conn_, id);
}

Result<std::optional<RecipeAttachment>> SqliteRecipeWriter::CreateAttachment(
    const NewRecipeAttachment& a) {
  RETURN_IF_ERROR(CheckJsonObject("overrides", a.overrides_json));
  const RecipeTarget target = Normalized(a.target);
  RETURN_IF_ERROR(CheckTarget(target));
  ASSIGN_OR_RETURN(std::optional<Recipe> recipe, LoadRecipe(conn_, a.recipe_id));
  if (!recipe) return std::optional<RecipeAttachment>();
  ASSIGN_OR_RETURN(
      ScopedStatement ins,
      conn_.Statement("INSERT INTO recipe_attachments (recipe_id, target_kind, "
                      "target_label, target_host_ids, priority, overrides, "
                      "created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)"));
  ins->Bind(1, a.recipe_id)
      .Bind(2, RecipeTargetKindName(target.kind))
      .Bind(3, target.label)
      .Bind(4, HostIdsJson(target.host_ids))
      .Bind(5, a.priority)
      .Bind(6, a.overrides_json)
      .Bind(7, a.created_at);
  RETURN_IF_ERROR(ins->Run());
  return LoadAttachment(conn_, InsertedId(conn_));
}

Result<std::optional<RecipeAttachment>> SqliteRecipeWriter::UpdateAttachment(
    int64_t id, const RecipeAttachmentChange& change) {
  ASSIGN_OR_RETURN(std::optional<RecipeAttachment> current, LoadAttachment(conn_, id));
  if (!current) return current;
  RecipeAttachment next = *current;
  if (change.target) {
    next.target = Normalized(*change.target);
    RETURN_IF_ERROR(CheckTarget(next.target));
  }
  if (change.priority) next.priority = *change.priority;
  if (change.overrides_json) {
    RETURN_IF_ERROR(CheckJsonObject("overrides", *change.overrides_json));
    next.overrides_json = *change.overrides_json;
  }
  next.updated_at = std::max(change.updated_at, current->updated_at);
  ASSIGN_OR_RETURN(ScopedStatement upd,
                   conn_.Statement("UPDATE recipe_attachments SET target_kind = ?2, "
                                   "target_label = ?3, target_host_ids = ?4, priority = ?5, "
                                   "overrides = ?6, updated_at = ?7 WHERE id = ?1"));
  upd->Bind(1, id)
      .Bind(2, RecipeTargetKindName(next.target.kind))
      .Bind(3, next.target.label)
      .Bind(4, HostIdsJson(next.target.host_ids))
      .Bind(5, next.priority)
      .Bind(6, next.overrides_json)
      .Bind(7, next.updated_at);
  RETURN_IF_ERROR(upd->Run());
  return LoadAttachment(conn_, id);
}

Result<bool> SqliteRecipeWriter::DeleteAttachment(int64_t id) {
  ASSIGN_OR_RETURN(int64_t changed,
                   RunCountingChanges(conn_, "DELETE FROM recipe_attachments WHERE id = ?1",
                                      [&](SqliteStatement& st) { st.Bind(1, id); }));
  return changed > 0;
}

Result<HostRecipeOverride> SqliteRecipeWriter::SetHostOverride(int64_t host_id,
                                                               const std::string& rules_json,
                                                               EpochMs at) {
  RETURN_IF_ERROR(CheckJsonObject("rules", rules_json));
  ASSIGN_OR_RETURN(bool host, Exists(conn_, "SELECT 1 FROM hosts WHERE id = ?1", host_id));
  if (!host) return NotFound("no host " + std::to_string(host_id));
  RETURN_IF_ERROR(RunCountingChanges(conn_, "DELETE FROM host_recipe_overrides WHERE host_id = ?1",
                                     [&](SqliteStatement& st) { st.Bind(1, host_id); })
                      .status());
  if (Json::parse(rules_json, nullptr, false).empty()) return LoadHostOverride(conn_, host_id);
  ASSIGN_OR_RETURN(ScopedStatement ins,
                   conn_.Statement("INSERT INTO host_recipe_overrides (host_id, rules, "
                                   "updated_at) VALUES (?1, ?2, ?3)"));
  ins->Bind(1, host_id).Bind(2, rules_json).Bind(3, at);
  RETURN_IF_ERROR(ins->Run());
  return LoadHostOverride(conn_, host_id);
}

}  // namespace warden::store

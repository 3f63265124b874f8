// Recipes, their attachments and host overrides (recipe_repository.h) on
// SQLite: the read side over the ReadPool, the write side over the writer's
// connection. Internal to store/sqlite.
#pragma once

#include "store/recipe_repository.h"
#include "store/sqlite/keyset_list_sql.h"
#include "store/sqlite/sqlite_connection.h"

namespace warden::store {

const ListTable& RecipeListTable();
const ListTable& RecipeAttachmentListTable();

class SqliteRecipeRepository final : public RecipeRepository {
 public:
  explicit SqliteRecipeRepository(ReadPool& pool) : pool_(pool) {}
  Result<std::optional<Recipe>> Get(int64_t id) override;
  Result<ListPage<Recipe>> List(const ListQuery& query) override;
  Status Export(const ListQuery& query, const RowCallback<Recipe>& row) override;
  Result<std::optional<RecipeAttachment>> GetAttachment(int64_t id) override;
  Result<ListPage<RecipeAttachment>> ListAttachments(const ListQuery& query) override;
  Status ExportAttachments(const ListQuery& query,
                           const RowCallback<RecipeAttachment>& row) override;
  Result<std::vector<RecipeAttachment>> AllAttachments() override;
  Result<HostRecipeOverride> HostOverride(int64_t host_id) override;

 private:
  ReadPool& pool_;
};

class SqliteRecipeWriter final : public RecipeWriter {
 public:
  explicit SqliteRecipeWriter(SqliteConnection& conn) : conn_(conn) {}
  Result<std::optional<Recipe>> Get(int64_t id) override;
  Result<std::optional<Recipe>> FindByName(const std::string& name) override;
  Result<std::optional<Recipe>> Create(const NewRecipe& recipe) override;
  Result<RecipeUpdate> Update(int64_t id, const RecipeChange& change) override;
  Result<RecipeDeletion> Delete(int64_t id) override;
  Result<std::optional<RecipeAttachment>> GetAttachment(int64_t id) override;
  Result<std::optional<RecipeAttachment>> CreateAttachment(
      const NewRecipeAttachment& attachment) override;
  Result<std::optional<RecipeAttachment>> UpdateAttachment(
      int64_t id, const RecipeAttachmentChange& change) override;
  Result<bool> DeleteAttachment(int64_t id) override;
  Result<HostRecipeOverride> SetHostOverride(int64_t host_id, const std::string& rules_json,
                                             EpochMs at) override;

 private:
  SqliteConnection& conn_;
};

}  // namespace warden::store

#include "store/recipe_repository.h"

namespace warden::store {

std::string_view RecipeTargetKindName(RecipeTarget::Kind kind) {
  switch (kind) {
    case RecipeTarget::Kind::kAll:
      return "all";
    case RecipeTarget::Kind::kLabel:
      return "label";
    case RecipeTarget::Kind::kHosts:
      return "hosts";
  }
  return "all";
}

const ListSchema& RecipeListSchema() {
  static const ListSchema schema{
      "recipes",
      {
          {"id", FieldType::kInteger, true, true},
          {"name", FieldType::kText, true, true},
          {"created_at", FieldType::kTime, true, true},
          {"updated_at", FieldType::kTime, true, true},
      },
      "name",
      false,
  };
  return schema;
}

const ListSchema& RecipeAttachmentListSchema() {
  static const ListSchema schema{
      "recipe_attachments",
      {
          {"id", FieldType::kInteger, true, true},
          {"created_at", FieldType::kTime, true, true},
          {"priority", FieldType::kInteger, true, true},
          {"recipe_id", FieldType::kInteger, false, true, /*equality_only=*/true},
      },
      "created_at",
      false,
  };
  return schema;
}

}  // namespace warden::store

#include "store/saved_query_repository.h"

namespace warden::store {

std::string ScheduledQueryName(std::string_view saved_query_name) {
  return "srv:" + std::string(saved_query_name);
}

const ListSchema& SavedQueryListSchema() {
  static const ListSchema schema{
      "saved_queries",
      {
          {"id", FieldType::kInteger, true, true},
          {"name", FieldType::kText, true, true},
          {"created_at", FieldType::kTime, true, true},
          {"updated_at", FieldType::kTime, true, true},
          {"description", FieldType::kText, false, true},
          {"owner", FieldType::kText, false, true, /*equality_only=*/true},
          {"tag", FieldType::kText, false, true, /*equality_only=*/true},
          {"favourite_of", FieldType::kInteger, false, true, /*equality_only=*/true},
          {"not_favourite_of", FieldType::kInteger, false, true, /*equality_only=*/true},
          {"scheduled", FieldType::kBoolean, false, true},
      },
      "name",
      false,
  };
  return schema;
}

}  // namespace warden::store

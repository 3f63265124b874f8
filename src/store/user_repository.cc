#include "store/user_repository.h"

namespace warden::store {

const ListSchema& UserListSchema() {
  static const ListSchema schema{
      "users",
      {
          {"id", FieldType::kInteger, true, true},
          {"name", FieldType::kText, true, true},
          {"created_at", FieldType::kTime, true, true},
          {"role", FieldType::kText, false, true, /*equality_only=*/true},
          {"disabled", FieldType::kBoolean, false, true},
      },
      "name",
      false,
  };
  return schema;
}

}  // namespace warden::store

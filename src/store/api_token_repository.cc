#include "store/api_token_repository.h"

namespace warden::store {

const ListSchema& ApiTokenListSchema() {
  static const ListSchema schema{
      "api_tokens",
      {
          {"id", FieldType::kInteger, true, true},
          {"name", FieldType::kText, true, true},
          {"created_at", FieldType::kTime, true, true},
          {"user_id", FieldType::kInteger, false, true, /*equality_only=*/true},
          {"revoked", FieldType::kBoolean, false, true},
      },
      "created_at",
      true,
  };
  return schema;
}

}  // namespace warden::store

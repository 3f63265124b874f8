#include "store/label_repository.h"

namespace warden::store {

const ListSchema& LabelListSchema() {
  static const ListSchema schema{
      "labels",
      {
          {"id", FieldType::kInteger, true, true},
          {"name", FieldType::kText, true, true},
          {"host_count", FieldType::kInteger, true, true},
          {"name_contains", FieldType::kText, false, true, /*equality_only=*/true},
      },
      "name",
      false,
  };
  return schema;
}

}  // namespace warden::store

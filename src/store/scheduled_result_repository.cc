#include "store/scheduled_result_repository.h"

namespace warden::store {

const ListSchema& ScheduledResultListSchema() {
  static const ListSchema schema{
      "scheduled_results",
      {
          {"id", FieldType::kInteger, true, true},
          {"run_at", FieldType::kTime, true, true},
          {"name", FieldType::kText, false, true, /*equality_only=*/true},
          {"host_id", FieldType::kInteger, false, true, /*equality_only=*/true},
          {"action", FieldType::kText, false, true},
      },
      "run_at",
      true,
  };
  return schema;
}

}  // namespace warden::store

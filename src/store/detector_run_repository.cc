#include "store/detector_run_repository.h"

namespace warden::store {

const ListSchema& DetectorRunListSchema() {
  static const ListSchema schema{
      "detector_runs",
      {
          {"id", FieldType::kInteger, true, true},
          {"started_at", FieldType::kTime, true, true},
          {"rule_id", FieldType::kText, true, true},
          {"duration_ms", FieldType::kInteger, true, true},
          {"host_id", FieldType::kInteger, false, true, /*equality_only=*/true},
          {"outcome", FieldType::kText, false, true},
      },
      "started_at",
      true,
  };
  return schema;
}

}  // namespace warden::store

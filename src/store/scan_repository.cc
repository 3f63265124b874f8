#include "store/scan_repository.h"

namespace warden::store {

std::string_view ScanTargetStateName(ScanTargetState state) {
  switch (state) {
    case ScanTargetState::kPending:
      return "pending";
    case ScanTargetState::kRunning:
      return "running";
    case ScanTargetState::kSucceeded:
      return "succeeded";
    case ScanTargetState::kFailed:
      return "failed";
  }
  return "pending";
}

const ListSchema& ScanListSchema() {
  static const ListSchema schema{
      "scans",
      {
          {"id", FieldType::kInteger, true, true},
          {"requested_at", FieldType::kTime, true, true},
          {"state", FieldType::kText, false, true},
          {"host_id", FieldType::kInteger, false, true, /*equality_only=*/true},
      },
      "requested_at",
      true,
  };
  return schema;
}

}  // namespace warden::store

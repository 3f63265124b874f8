#include "store/fleet_problem_repository.h"

namespace warden::store {

const ListSchema& FleetProblemListSchema() {
  static const ListSchema schema{
      "problems",
      {
          {"id", FieldType::kInteger, true, true},
          {"last_detected_at", FieldType::kTime, true, true},
          {"first_detected_at", FieldType::kTime, true, true},
          {"risk_level", FieldType::kInteger, true, true},
          {"rule_id", FieldType::kText, true, true},
          {"status", FieldType::kText, true, true},
          {"title", FieldType::kText, true, true},
          {"hostname", FieldType::kText, true, true},
          {"host_id", FieldType::kInteger, false, true, /*equality_only=*/true},
          {"resource", FieldType::kText, false, true, /*equality_only=*/true},
          {"agent_problem_id", FieldType::kText, false, true, /*equality_only=*/true},
          {"label", FieldType::kText, false, true, /*equality_only=*/true},
          {"account_id", FieldType::kInteger, false, true, /*equality_only=*/true},
          {"subject", FieldType::kText, false, true, /*equality_only=*/true},
      },
      "last_detected_at",
      true,
  };
  return schema;
}

const ListSchema& ProblemHistoryListSchema() {
  static const ListSchema schema{
      "problem_history",
      {
          {"id", FieldType::kInteger, true, true},
          {"revision", FieldType::kInteger, true, true},
          {"at", FieldType::kTime, true, true},
          {"problem_id", FieldType::kInteger, false, true, /*equality_only=*/true},
          {"action", FieldType::kText, false, true, /*equality_only=*/true},
      },
      "revision",
      false,
  };
  return schema;
}

}  // namespace warden::store

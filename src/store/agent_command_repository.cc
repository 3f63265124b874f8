#include "store/agent_command_repository.h"

namespace warden::store {

const ListSchema& AgentCommandListSchema() {
  static const ListSchema schema{
      "agent_commands",
      {
          {"id", FieldType::kInteger, true, true},
          {"created_at", FieldType::kTime, true, true},
          {"host_id", FieldType::kInteger, false, true, /*equality_only=*/true},
          {"type", FieldType::kText, false, true, /*equality_only=*/true},
          {"finished", FieldType::kBoolean, false, true},
      },
      "id",
      true,
  };
  return schema;
}

}  // namespace warden::store

#include "store/audit_log.h"

namespace warden::store {

std::string_view ActorTypeName(ActorType type) {
  switch (type) {
    case ActorType::kUser:
      return "user";
    case ActorType::kApiToken:
      return "api_token";
    case ActorType::kNode:
      return "node";
    case ActorType::kSystem:
      return "system";
  }
  return "system";
}

std::optional<ActorType> ParseActorType(std::string_view name) {
  for (ActorType t : {ActorType::kUser, ActorType::kApiToken, ActorType::kNode, ActorType::kSystem})
    if (ActorTypeName(t) == name) return t;
  return std::nullopt;
}

const ListSchema& AuditListSchema() {
  static const ListSchema schema{
      "audit",
      {
          {"id", FieldType::kInteger, true, true},
          {"time", FieldType::kTime, true, true},
          {"action", FieldType::kText, false, true, /*equality_only=*/true},
          {"actor_type", FieldType::kText, false, true, /*equality_only=*/true},
          {"actor_id", FieldType::kText, false, true, /*equality_only=*/true},
          {"actor_name", FieldType::kText, false, true, /*equality_only=*/true},
          {"target_type", FieldType::kText, false, true, /*equality_only=*/true},
          {"target_id", FieldType::kText, false, true, /*equality_only=*/true},
          {"source_ip", FieldType::kText, false, true, /*equality_only=*/true},
          {"request_id", FieldType::kText, false, true, /*equality_only=*/true},
      },
      "time",
      true,
  };
  return schema;
}

}  // namespace warden::store

#include "store/host_repository.h"

namespace warden::store {

const ListSchema& HostListSchema() {
  static const ListSchema schema{
      "hosts",
      {
          {"id", FieldType::kInteger, true, true},
          {"hostname", FieldType::kText, true, true},
          {"machine_id", FieldType::kText, false, true},
          {"instance_id", FieldType::kText, false, true},
          {"os_id", FieldType::kText, false, true},
          {"agent_type", FieldType::kText, false, true},
          {"agent_version", FieldType::kText, true, true},
          {"enrolled_at", FieldType::kTime, true, true},
          {"last_seen_at", FieldType::kTime, true, true},
          {"duplicate_identity", FieldType::kBoolean, false, true},
          {"revoked", FieldType::kBoolean, false, true},
          {"label", FieldType::kText, false, true, /*equality_only=*/true},
      },
      "hostname",
      false,
  };
  return schema;
}

}  // namespace warden::store

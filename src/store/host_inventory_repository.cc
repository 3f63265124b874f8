#include "store/host_inventory_repository.h"

namespace warden::store {

const ListSchema& HostPackageListSchema() {
  static const ListSchema schema{
      "packages",
      {
          {"id", FieldType::kInteger, true, true},
          {"name", FieldType::kText, true, true},
          {"version", FieldType::kText, true, true},
          {"first_seen_at", FieldType::kTime, true, true},
          {"cve_count", FieldType::kInteger, true, true},
          {"host_id", FieldType::kInteger, false, true, /*equality_only=*/true},
          {"manager", FieldType::kText, false, true, /*equality_only=*/true},
          {"arch", FieldType::kText, false, true, /*equality_only=*/true},
      },
      "name",
      false,
  };
  return schema;
}

const ListSchema& HostPortListSchema() {
  static const ListSchema schema{
      "ports",
      {
          {"id", FieldType::kInteger, true, true},
          {"port", FieldType::kInteger, true, true},
          {"protocol", FieldType::kText, true, true},
          {"address", FieldType::kText, true, true},
          {"process", FieldType::kText, true, true},
          {"first_seen_at", FieldType::kTime, true, true},
          {"last_seen_at", FieldType::kTime, true, true},
          {"host_id", FieldType::kInteger, false, true, /*equality_only=*/true},
          {"loopback", FieldType::kBoolean, false, true},
          {"family", FieldType::kText, false, true, /*equality_only=*/true},
      },
      "port",
      false,
  };
  return schema;
}

}  // namespace warden::store

#include "store/enrol_secret_repository.h"

namespace warden::store {

bool EnrolSecret::UsableAt(EpochMs now) const {
  if (revoked_at && *revoked_at <= now) return false;
  if (expires_at && *expires_at <= now) return false;
  return true;
}

const ListSchema& EnrolSecretListSchema() {
  static const ListSchema schema{
      "enrol_secrets",
      {
          {"id", FieldType::kInteger, true, true},
          {"name", FieldType::kText, true, true},
          {"created_at", FieldType::kTime, true, true},
          {"uses", FieldType::kInteger, true, true},
          {"revoked", FieldType::kBoolean, false, true},
      },
      "created_at",
      true,
  };
  return schema;
}

}  // namespace warden::store

#include "store/cloud_account_repository.h"

namespace warden::store {

const ListSchema& CloudOrganisationListSchema() {
  static const ListSchema schema{
      "cloud_organisations",
      {
          {"id", FieldType::kInteger, true, true},
          {"name", FieldType::kText, true, true},
          {"created_at", FieldType::kTime, true, true},
          {"updated_at", FieldType::kTime, true, true},
          {"description", FieldType::kText, false, true},
      },
      "name",
      false,
  };
  return schema;
}

const ListSchema& CloudAccountListSchema() {
  static const ListSchema schema{
      "cloud_accounts",
      {
          {"id", FieldType::kInteger, true, true},
          {"name", FieldType::kText, true, true},
          {"identifier", FieldType::kText, true, true},
          {"created_at", FieldType::kTime, true, true},
          {"organisation_id", FieldType::kInteger, false, true, /*equality_only=*/true},
          {"provider", FieldType::kText, false, true, /*equality_only=*/true},
      },
      "name",
      false,
  };
  return schema;
}

const ListSchema& CloudSourceListSchema() {
  static const ListSchema schema{
      "cloud_sources",
      {
          {"id", FieldType::kInteger, true, true},
          {"name", FieldType::kText, true, true},
          {"created_at", FieldType::kTime, true, true},
          {"account_id", FieldType::kInteger, false, true, /*equality_only=*/true},
      },
      "name",
      false,
  };
  return schema;
}

}  // namespace warden::store

#include "store/channel_repository.h"

namespace warden::store {

const ListSchema& ChannelListSchema() {
  static const ListSchema schema{
      "channels",
      {
          {"id", FieldType::kInteger, true, true},
          {"name", FieldType::kText, true, true},
          {"type", FieldType::kText, true, true},
          {"created_at", FieldType::kTime, true, true},
          {"enabled", FieldType::kBoolean, false, true},
          {"delivery_state", FieldType::kText, false, true, /*equality_only=*/true},
      },
      "name",
      false,
  };
  return schema;
}

}  // namespace warden::store

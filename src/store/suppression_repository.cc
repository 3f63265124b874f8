#include "store/suppression_repository.h"

namespace warden::store {

std::string_view SuppressionKindName(SuppressionKind kind) {
  switch (kind) {
    case SuppressionKind::kCve:
      return "cve";
    case SuppressionKind::kRule:
      return "rule";
    case SuppressionKind::kPort:
      return "port";
  }
  return "rule";
}

std::optional<SuppressionKind> ParseSuppressionKind(std::string_view name) {
  if (name == "cve") return SuppressionKind::kCve;
  if (name == "rule") return SuppressionKind::kRule;
  if (name == "port") return SuppressionKind::kPort;
  return std::nullopt;
}

const ListSchema& SuppressionListSchema() {
  static const ListSchema schema{
      "suppressions",
      {
          {"id", FieldType::kInteger, true, true},
          {"created_at", FieldType::kTime, true, true},
          {"value", FieldType::kText, true, true},
          {"kind", FieldType::kText, false, true, /*equality_only=*/true},
          {"reason", FieldType::kText, false, true},
      },
      "created_at",
      true,
  };
  return schema;
}

}  // namespace warden::store

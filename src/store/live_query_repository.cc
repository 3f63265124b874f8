#include "store/live_query_repository.h"

namespace warden::store {

std::string_view LiveQueryTargetStateName(LiveQueryTargetState state) {
  switch (state) {
    case LiveQueryTargetState::kPending:
      return "pending";
    case LiveQueryTargetState::kRunning:
      return "running";
    case LiveQueryTargetState::kDone:
      return "done";
    case LiveQueryTargetState::kError:
      return "error";
    case LiveQueryTargetState::kOffline:
      return "offline";
    case LiveQueryTargetState::kCancelled:
      return "cancelled";
  }
  return "pending";
}

std::optional<LiveQueryTargetState> ParseLiveQueryTargetState(std::string_view name) {
  for (LiveQueryTargetState s :
       {LiveQueryTargetState::kPending, LiveQueryTargetState::kRunning, LiveQueryTargetState::kDone,
        LiveQueryTargetState::kError, LiveQueryTargetState::kOffline,
        LiveQueryTargetState::kCancelled}) {
    if (LiveQueryTargetStateName(s) == name) return s;
  }
  return std::nullopt;
}

bool IsFinalTargetState(LiveQueryTargetState state) {
  return state != LiveQueryTargetState::kPending && state != LiveQueryTargetState::kRunning;
}

const ListSchema& LiveQueryListSchema() {
  static const ListSchema schema{
      "live_queries",
      {
          {"id", FieldType::kInteger, true, true},
          {"created_at", FieldType::kTime, true, true},
          {"state", FieldType::kText, false, true},
          {"host_id", FieldType::kInteger, false, true, /*equality_only=*/true},
          {"created_by", FieldType::kText, false, true, /*equality_only=*/true},
          {"saved_query_id", FieldType::kInteger, false, true, /*equality_only=*/true},
      },
      "created_at",
      true,
  };
  return schema;
}

const ListSchema& LiveQueryTargetListSchema() {
  static const ListSchema schema{
      "live_query_hosts",
      {
          {"id", FieldType::kInteger, true, true},
          {"host_id", FieldType::kInteger, true, true},
          {"returned_rows", FieldType::kInteger, true, true},
          {"duration_ms", FieldType::kInteger, true, true},
          {"query_id", FieldType::kInteger, false, true, /*equality_only=*/true},
          {"state", FieldType::kText, false, true},
      },
      "host_id",
      false,
  };
  return schema;
}

const ListSchema& LiveQueryRowListSchema() {
  static const ListSchema schema{
      "live_query_results",
      {
          {"id", FieldType::kInteger, true, true},
          {"host_id", FieldType::kInteger, true, true},
          {"query_id", FieldType::kInteger, false, true, /*equality_only=*/true},
      },
      "id",
      false,
  };
  return schema;
}

}  // namespace warden::store

#include "server/handler_support.h"

#include <charconv>
#include <mutex>

#include "core/time_format.h"
#include "server/agent_config_builder.h"
#include "server/command_hub.h"

namespace warden::server {

std::optional<int64_t> ParseId(std::string_view text) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value <= 0) return std::nullopt;
  return value;
}

std::optional<int64_t> IdParam(const ApiCall& call, std::string_view name) {
  auto it = call.params.find(std::string(name));
  if (it == call.params.end()) return std::nullopt;
  if (it->is_number_integer())
    return it->get<int64_t>() > 0 ? std::optional(it->get<int64_t>()) : std::nullopt;
  if (!it->is_string()) return std::nullopt;
  return ParseId(it->get<std::string>());
}

Json TimeJson(store::EpochMs at) { return FormatRfc3339(at / 1000); }

Json TimeJson(const std::optional<store::EpochMs>& at) {
  return at ? TimeJson(*at) : Json(nullptr);
}

std::string CredentialState(const std::optional<store::EpochMs>& revoked_at,
                            const std::optional<store::EpochMs>& expires_at, store::EpochMs now) {
  if (revoked_at && *revoked_at <= now) return "revoked";
  if (expires_at && *expires_at <= now) return "expired";
  return "active";
}

Json UserJson(const store::User& user) {
  Json j = Json::object();
  j["id"] = std::to_string(user.id);
  j["name"] = user.name;
  j["role"] = std::string(auth::RoleName(user.role));
  j["disabled"] = user.disabled;
  j["must_change_password"] = user.must_change_password;
  j["created_at"] = TimeJson(user.created_at);
  j["last_login_at"] = TimeJson(user.last_login_at);
  return j;
}

HttpResponse StoreErrorResponse(const Status& status, const ApiCall& call) {
  return StoreErrorResponse(status, call.http ? std::string_view(call.http->id) : "");
}

HttpResponse StoreErrorResponse(const Status& status, std::string_view request_id) {
  if (status.code() == StatusCode::kInvalidArgument) {
    return ErrorResponse(api::kErrorValidation, status.message());
  }
  HttpResponse response = ErrorResponseForStatus(status, request_id);
  if (response.status == 503) response.headers.Set("Retry-After", "1");
  return response;
}

HttpResponse ApiErrorResponse(std::string_view code, std::string message, std::string field) {
  return ErrorResponse(api::MakeApiError(code, std::move(message), std::move(field)));
}

std::optional<std::string> AuditJson(const Json& document) {
  return document.dump(-1, ' ', false, Json::error_handler_t::replace);
}

const std::string& DummyPasswordHash(auth::PasswordHasher& hasher) {
  static std::once_flag once;
  static std::string hash;
  std::call_once(once, [&] {
    auto made = hasher.Hash("warden-dummy-password-for-unknown-users");
    hash = made.ok() ? *made : std::string();
  });
  return hash;
}

store::ProblemActor ActorOf(const Principal& principal) {
  store::ProblemActor actor;
  switch (principal.kind) {
    case Principal::Kind::kSession:
      actor.type = "user";
      actor.id = std::to_string(principal.user_id);
      break;
    case Principal::Kind::kApiToken:
      actor.type = "token";
      actor.id = std::to_string(principal.token_id);
      break;
    case Principal::Kind::kNode:
      actor.type = "node";
      actor.id = std::to_string(principal.host_id);
      break;
    case Principal::Kind::kAnonymous:
      actor.type = "system";
      break;
  }
  actor.name = principal.name;
  return actor;
}

bool HostOnline(const store::Host& host, store::EpochMs now, store::EpochMs online_window_ms) {
  const bool revoked = host.revoked_at && *host.revoked_at <= now;
  return !revoked && host.last_seen_at > 0 && now - host.last_seen_at < online_window_ms;
}

Status CollectTargetableHosts(store::Store& store, const std::optional<std::string>& label,
                              std::map<int64_t, store::Host>* out) {
  store::ListQuery q;
  q.filters.push_back({"revoked", store::FilterOp::kEq, Value(int64_t{0})});
  if (label) q.filters.push_back({"label", store::FilterOp::kEq, Value(*label)});
  return store.hosts().Export(q, [&](const store::Host& host) {
    out->emplace(host.id, host);
    return Status::Ok();
  });
}

void AgentConfigsChanged(const HandlerContext& context) {
  if (context.agent_configs) context.agent_configs->Invalidate();
  if (context.command_hub) context.command_hub->ConfigsChanged();
}

}  // namespace warden::server

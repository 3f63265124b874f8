#include "server/authenticator.h"

#include <variant>

#include "auth/secret_token.h"
#include "core/strings.h"
#include "core/time_format.h"

namespace warden::server {
namespace {

api::ApiError Unauthenticated(std::string message) {
  return api::MakeApiError(api::kErrorUnauthenticated, std::move(message));
}

api::ApiError StoreUnavailable(const Status& status) {
  return api::MakeApiError(api::kErrorUnavailable,
                           "the store could not be read: " + std::string(status.message()));
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

Clock SystemClock() {
  return [] { return NowEpochMillis(); };
}

bool IsSafeMethod(std::string_view method) {
  return method == "GET" || method == "HEAD" || method == "OPTIONS";
}

std::optional<std::string> CookieValue(const HttpRequest& request, std::string_view name) {
  for (std::string_view header : request.headers.GetAll("Cookie")) {
    while (!header.empty()) {
      size_t semi = header.find(';');
      std::string_view pair = Trim(header.substr(0, semi));
      header = semi == std::string_view::npos ? std::string_view() : header.substr(semi + 1);
      size_t eq = pair.find('=');
      if (eq == std::string_view::npos) continue;
      if (Trim(pair.substr(0, eq)) == name) return std::string(Trim(pair.substr(eq + 1)));
    }
  }
  return std::nullopt;
}

bool IsSameOriginRequest(const HttpRequest& request) {
  std::optional<std::string_view> fetch_site = request.headers.Get("Sec-Fetch-Site");
  std::optional<std::string_view> origin = request.headers.Get("Origin");
  if (!fetch_site && !origin) return false;
  if (fetch_site && *fetch_site != "same-origin") return false;
  if (origin) {
    std::optional<std::string_view> host = request.headers.Get("Host");
    if (!host || host->empty()) return false;
    std::string expected = std::string(request.tls ? "https://" : "http://") + std::string(*host);
    if (!EqualsIgnoreCase(*origin, expected)) return false;
  }
  return true;
}

Authenticator::Authenticator(store::Store* store, SessionLifetimes lifetimes, Clock clock)
    : store_(store), lifetimes_(lifetimes), clock_(std::move(clock)) {}

std::variant<Principal, api::ApiError> Authenticator::Authenticate(
    const HttpRequest& request) const {
  if (std::optional<std::string_view> authorization = request.headers.Get("Authorization")) {
    std::string_view value = Trim(*authorization);
    constexpr std::string_view kBearer = "Bearer ";
    if (value.size() <= kBearer.size() || !EqualsIgnoreCase(value.substr(0, 7), kBearer)) {
      return Unauthenticated("Authorization must be 'Bearer <token>'");
    }
    return FromBearer(Trim(value.substr(kBearer.size())));
  }
  if (std::optional<std::string> session = CookieValue(request, kSessionCookieName)) {
    return FromSession(request, *session);
  }
  return Principal{};
}

std::variant<Principal, api::ApiError> Authenticator::FromNodeKey(
    std::string_view token, std::string_view agent_type) const {
  const store::EpochMs now = clock_();
  auto key = store_->node_keys().FindByHash(auth::TokenHash(token));
  if (!key.ok()) return StoreUnavailable(key.status());
  if (!key->has_value()) return Unauthenticated("unknown node key");
  const store::NodeKey& node_key = **key;
  if (node_key.revoked_at && *node_key.revoked_at <= now) {
    return api::MakeApiError(api::kErrorNodeRevoked,
                             "the node key was revoked; enrol the agent again");
  }
  auto host = store_->hosts().Get(node_key.host_id);
  if (!host.ok()) return StoreUnavailable(host.status());
  if (!host->has_value()) return Unauthenticated("unknown node key");
  if ((*host)->revoked_at && *(*host)->revoked_at <= now) {
    return api::MakeApiError(api::kErrorNodeRevoked, "the host was revoked");
  }
  // A Warden agent's key never reaches osquery's API and the other way
  // round: each host talks the protocol of the agent that enrolled it.
  const std::string_view host_agent = (*host)->agent_type == "osquery" ? "osquery" : "warden";
  if (host_agent != agent_type) {
    return Unauthenticated("this node key belongs to a " + std::string(host_agent) +
                           " agent; it reaches only that agent's API");
  }
  Principal principal;
  principal.kind = Principal::Kind::kNode;
  principal.role = auth::Role::kNode;
  principal.host_id = node_key.host_id;
  principal.name = (*host)->hostname;
  store_->TouchHost(node_key.host_id, now);
  return principal;
}

std::variant<Principal, api::ApiError> Authenticator::AuthenticateOsqueryNode(
    const HttpRequest& request) const {
  // osquery adds `node_key` to the JSON object it posts (TLSRequestHelper::go
  // in osquery/remote/utility.h); it sends no credential header.
  Json body = Json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object()) return Unauthenticated("the body is not a JSON object with a node_key");
  auto it = body.find("node_key");
  if (it == body.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) {
    return Unauthenticated("no node_key in the body; enrol first");
  }
  const std::string& token = it->get_ref<const std::string&>();
  if (auth::ParseTokenKind(token) != auth::TokenKind::kNodeKey) {
    return Unauthenticated("unknown node key");
  }
  return FromNodeKey(token, "osquery");
}

std::variant<Principal, api::ApiError> Authenticator::FromBearer(std::string_view token) const {
  std::optional<auth::TokenKind> kind = auth::ParseTokenKind(token);
  if (!kind || *kind == auth::TokenKind::kEnrolSecret) {
    return Unauthenticated("the bearer token is not an API token or node key");
  }
  const std::string hash = auth::TokenHash(token);
  const store::EpochMs now = clock_();
  if (*kind == auth::TokenKind::kNodeKey) return FromNodeKey(token, "warden");
  auto token_row = store_->api_tokens().FindByHash(hash);
  if (!token_row.ok()) return StoreUnavailable(token_row.status());
  if (!token_row->has_value()) return Unauthenticated("unknown API token");
  const store::ApiToken& api_token = **token_row;
  if (api_token.revoked_at && *api_token.revoked_at <= now) {
    return api::MakeApiError(api::kErrorTokenExpired, "the API token was revoked");
  }
  if (api_token.expires_at && *api_token.expires_at <= now) {
    return api::MakeApiError(api::kErrorTokenExpired, "the API token has expired");
  }
  auto user = store_->users().Get(api_token.user_id);
  if (!user.ok()) return StoreUnavailable(user.status());
  if (!user->has_value() || (*user)->disabled) {
    return Unauthenticated("the API token's user is disabled or gone");
  }
  Principal principal;
  principal.kind = Principal::Kind::kApiToken;
  principal.role = (*user)->role;
  principal.user_id = (*user)->id;
  principal.token_id = api_token.id;
  principal.name = (*user)->name;
  principal.must_change_password = (*user)->must_change_password;
  store_->TouchApiToken(api_token.id, now);
  return principal;
}

std::variant<Principal, api::ApiError> Authenticator::FromSession(
    const HttpRequest& request, std::string_view session_id) const {
  const std::string hash = auth::TokenHash(session_id);
  auto session = store_->sessions().FindByHash(hash);
  if (!session.ok()) return StoreUnavailable(session.status());
  if (!session->has_value()) return Unauthenticated("unknown session; log in again");
  const store::Session& s = **session;
  const store::EpochMs now = clock_();
  if (now >= s.expires_at || now - s.last_seen_at >= lifetimes_.idle.count()) {
    return api::MakeApiError(api::kErrorSessionExpired, "the session has ended; log in again");
  }
  auto user = store_->users().Get(s.user_id);
  if (!user.ok()) return StoreUnavailable(user.status());
  if (!user->has_value() || (*user)->disabled) {
    return Unauthenticated("the session's user is disabled or gone");
  }
  if (!IsSafeMethod(request.method)) {
    std::optional<std::string_view> csrf = request.headers.Get("X-CSRF-Token");
    if (!csrf || !auth::ConstantTimeEquals(*csrf, s.csrf_token)) {
      return api::MakeApiError(api::kErrorCsrfFailed,
                               "X-CSRF-Token must carry the session's csrf_token");
    }
    if (!IsSameOriginRequest(request)) {
      return api::MakeApiError(api::kErrorCsrfFailed,
                               "a cookie-authenticated change must come from the same origin");
    }
  }
  Principal principal;
  principal.kind = Principal::Kind::kSession;
  principal.role = (*user)->role;
  principal.user_id = (*user)->id;
  principal.name = (*user)->name;
  principal.session_id_sha256 = hash;
  principal.must_change_password = (*user)->must_change_password;
  store_->TouchSession(hash, now);
  return principal;
}

}  // namespace warden::server

// Authenticator: who is calling, from the credentials of one request.
//
//   Authorization: Bearer wdn_pat_...   an API token: known, not revoked, not
//                                       expired (else 401 E_TOKEN_EXPIRED),
//                                       its user present and enabled; acts
//                                       with the user's role; last use is
//                                       recorded (Store::TouchApiToken)
//   Authorization: Bearer wdn_node_...  a node key: known and not revoked
//                                       (else 401 E_NODE_REVOKED), of a
//                                       Warden agent's host; role node
//   Cookie: __Host-warden_session=...   a console session within its idle and
//                                       absolute lifetimes (else 401
//                                       E_SESSION_EXPIRED); unsafe methods
//                                       also need X-CSRF-Token equal to the
//                                       session's token and a same-origin
//                                       request (Origin and/or Sec-Fetch-Site),
//                                       else 403 E_CSRF_FAILED
//
// Anything else in Authorization (another scheme, an enrol secret, a
// malformed or unknown token) is 401 E_UNAUTHENTICATED; with an
// Authorization header the cookie is not looked at. No credentials at all
// give an anonymous principal (the dispatcher answers 401 where an
// operation needs one). Credentials are never read from the query string.
//
// Not here: which roles an operation allows (api_dispatch.h), logging in
// (session_handlers.cc). Thread-safe: only reads the store.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "api/api_error.h"
#include "server/api_call.h"
#include "server/http_message.h"
#include "store/store.h"

namespace warden::server {

inline constexpr std::string_view kSessionCookieName = "__Host-warden_session";

struct SessionLifetimes {
  std::chrono::milliseconds idle{std::chrono::hours(12)};
  std::chrono::milliseconds absolute{std::chrono::hours(24 * 7)};
};

// Milliseconds since the epoch; injected so tests can move time.
using Clock = std::function<store::EpochMs()>;
Clock SystemClock();

class Authenticator {
 public:
  Authenticator(store::Store* store, SessionLifetimes lifetimes, Clock clock);

  // The principal, or the API error to answer with. Store failures come
  // back as 503 E_UNAVAILABLE.
  std::variant<Principal, api::ApiError> Authenticate(const HttpRequest& request) const;

  // osquery's TLS remote API: the node key is the `node_key` member of the
  // JSON body (headers are not read) and must belong to an osquery host.
  // Errors as Authenticate's; the caller answers them in osquery's shape.
  std::variant<Principal, api::ApiError> AuthenticateOsqueryNode(const HttpRequest& request) const;

  const SessionLifetimes& lifetimes() const { return lifetimes_; }
  store::EpochMs Now() const { return clock_(); }

 private:
  std::variant<Principal, api::ApiError> FromBearer(std::string_view token) const;
  // A node key of a host whose agent is `agent_type` (warden, osquery).
  std::variant<Principal, api::ApiError> FromNodeKey(std::string_view token,
                                                     std::string_view agent_type) const;
  std::variant<Principal, api::ApiError> FromSession(const HttpRequest& request,
                                                     std::string_view session_id) const;

  store::Store* store_;
  SessionLifetimes lifetimes_;
  Clock clock_;
};

// The value of cookie `name` in the request's Cookie headers; nullopt when
// absent.
std::optional<std::string> CookieValue(const HttpRequest& request, std::string_view name);

// True for GET, HEAD and OPTIONS: methods that change nothing and need no
// CSRF token.
bool IsSafeMethod(std::string_view method);

// Whether a cookie-authenticated unsafe request comes from the console's own
// origin: Sec-Fetch-Site, when sent, must be "same-origin"; Origin, when
// sent, must be this server ("https://" + Host, or http:// on plaintext);
// at least one of the two must be there.
bool IsSameOriginRequest(const HttpRequest& request);

}  // namespace warden::server

// login, getSession, logout, changePassword: console sessions. Login checks
// the password with Argon2id behind the login rate limiter (429 +
// Retry-After), answers unknown users and wrong passwords alike (and spends
// the same hashing time on both), and sets the __Host- cookie; the session's
// CSRF token comes back in the body. A user with a one-time password gets a
// session that can only change it (the dispatcher enforces that).
#include <string>

#include "auth/secret_token.h"
#include "server/rest_handlers.h"

namespace warden::server {
namespace {

std::string SessionCookie(std::string_view id, std::chrono::milliseconds max_age) {
  return std::string(kSessionCookieName) + "=" + std::string(id) +
         "; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=" +
         std::to_string(max_age.count() / 1000);
}

std::string ClearedSessionCookie() {
  return std::string(kSessionCookieName) +
         "=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0";
}

Json SessionJson(const store::User& user, const store::Session* session,
                 const SessionLifetimes& lifetimes) {
  Json j = Json::object();
  j["user"] = UserJson(user);
  j["credential"] = session ? "session" : "token";
  j["csrf_token"] = session ? Json(session->csrf_token) : Json(nullptr);
  j["expires_at"] = session ? TimeJson(session->expires_at) : Json(nullptr);
  j["idle_expires_at"] =
      session
          ? TimeJson(std::min(session->expires_at, session->last_seen_at + lifetimes.idle.count()))
          : Json(nullptr);
  j["must_change_password"] = user.must_change_password;
  return j;
}

HttpResponse RateLimited(std::chrono::seconds wait) {
  HttpResponse response =
      ApiErrorResponse(api::kErrorRateLimited,
                       "too many login attempts; retry in " + std::to_string(wait.count()) + " s");
  response.headers.Set("Retry-After", std::to_string(wait.count()));
  return response;
}

}  // namespace

void RegisterSessionHandlers(ApiHandlers& handlers, const HandlerContext& ctx) {
  handlers.Add("login", [ctx](ApiCall& call) {
    const std::string name = call.body->value("name", "");
    const std::string password = call.body->value("password", "");
    const std::string& ip = call.http->peer_address;
    if (auto wait = ctx.login_limiter->Admit(name, ip)) return RateLimited(*wait);

    auto user = ctx.store->users().FindByName(name);
    if (!user.ok()) return StoreErrorResponse(user.status(), call);
    bool verified = false;
    if (user->has_value() && !(*user)->disabled) {
      auto ok = ctx.hasher->Verify((*user)->password_hash, password);
      if (!ok.ok()) return StoreErrorResponse(ok.status(), call);
      verified = *ok;
    } else {
      (void)ctx.hasher->Verify(DummyPasswordHash(*ctx.hasher), password);
    }
    store::AuditEntry entry = call.audit;
    entry.target_type = "user";
    entry.actor_name = name;
    if (user->has_value()) {
      entry.actor_type = store::ActorType::kUser;
      entry.actor_id = std::to_string((*user)->id);
      entry.target_id = entry.actor_id;
    }
    if (!verified) {
      ctx.login_limiter->RecordFailure(name);
      entry.after_json = AuditJson(Json{{"outcome", "refused"}});
      // A failed login is recorded, but its answer does not wait for it.
      ctx.store->Write([entry](store::StoreWriter& w) { return w.audit().Append(entry).status(); });
      return ApiErrorResponse(api::kErrorInvalidCredentials, "unknown user or wrong password");
    }
    ctx.login_limiter->RecordSuccess(name);

    const store::EpochMs now = ctx.Now();
    const std::string session_id = auth::GenerateOpaqueId();
    store::Session session;
    session.id_sha256 = auth::TokenHash(session_id);
    session.user_id = (*user)->id;
    session.csrf_token = auth::GenerateOpaqueId();
    session.created_at = now;
    session.last_seen_at = now;
    session.expires_at = now + ctx.authenticator->lifetimes().absolute.count();
    std::optional<std::string> rehash;
    if (ctx.hasher->NeedsRehash((*user)->password_hash)) {
      if (auto h = ctx.hasher->Hash(password); h.ok()) rehash = *h;
    }
    entry.after_json = AuditJson(Json{{"outcome", "logged_in"}});
    const int64_t user_id = (*user)->id;
    auto done = ctx.store
                    ->Write([&](store::StoreWriter& w) -> Result<std::optional<store::User>> {
                      RETURN_IF_ERROR(w.sessions().Create(session));
                      RETURN_IF_ERROR(w.users().RecordLogin(user_id, now).status());
                      if (rehash) {
                        store::UserUpdate update;
                        update.password_hash = rehash;
                        RETURN_IF_ERROR(w.users().Update(user_id, update).status());
                      }
                      RETURN_IF_ERROR(w.audit().Append(entry).status());
                      return w.users().Get(user_id);
                    })
                    .Wait();
    if (!done.ok()) return StoreErrorResponse(done.status(), call);
    if (!done->has_value()) return ApiErrorResponse(api::kErrorInvalidCredentials, "unknown user");
    HttpResponse response =
        JsonResponse(200, SessionJson(**done, &session, ctx.authenticator->lifetimes()));
    response.headers.Add("Set-Cookie",
                         SessionCookie(session_id, ctx.authenticator->lifetimes().absolute));
    return response;
  });

  handlers.Add("getSession", [ctx](ApiCall& call) {
    auto user = ctx.store->users().Get(call.principal.user_id);
    if (!user.ok()) return StoreErrorResponse(user.status(), call);
    if (!user->has_value()) return ApiErrorResponse(api::kErrorUnauthenticated, "no such user");
    if (call.principal.kind != Principal::Kind::kSession) {
      return JsonResponse(200, SessionJson(**user, nullptr, ctx.authenticator->lifetimes()));
    }
    auto session = ctx.store->sessions().FindByHash(call.principal.session_id_sha256);
    if (!session.ok()) return StoreErrorResponse(session.status(), call);
    if (!session->has_value()) return ApiErrorResponse(api::kErrorUnauthenticated, "no session");
    store::Session s = **session;
    s.last_seen_at = std::max(s.last_seen_at, ctx.Now());  // this request counts as activity
    return JsonResponse(200, SessionJson(**user, &s, ctx.authenticator->lifetimes()));
  });

  handlers.Add("logout", [ctx](ApiCall& call) {
    if (call.principal.kind != Principal::Kind::kSession) {
      return ApiErrorResponse(api::kErrorValidation,
                              "logout ends console sessions; revoke an API token with DELETE "
                              "/api/v1/tokens/{token_id}");
    }
    store::AuditEntry entry = call.audit;
    entry.target_type = "session";
    entry.target_id = std::to_string(call.principal.user_id);
    const std::string hash = call.principal.session_id_sha256;
    auto done = ctx.store
                    ->Write([&](store::StoreWriter& w) -> Status {
                      RETURN_IF_ERROR(w.sessions().Delete(hash).status());
                      return w.audit().Append(entry).status();
                    })
                    .Wait();
    if (!done.ok()) return StoreErrorResponse(done.status(), call);
    HttpResponse response;
    response.status = 204;
    response.headers.Add("Set-Cookie", ClearedSessionCookie());
    return response;
  });

  handlers.Add("changePassword", [ctx](ApiCall& call) {
    const std::string current = call.body->value("current_password", "");
    const std::string next = call.body->value("new_password", "");
    if (auto wait = ctx.login_limiter->Admit(call.principal.name, call.http->peer_address)) {
      return RateLimited(*wait);
    }
    auto user = ctx.store->users().Get(call.principal.user_id);
    if (!user.ok()) return StoreErrorResponse(user.status(), call);
    if (!user->has_value()) return ApiErrorResponse(api::kErrorUnauthenticated, "no such user");
    auto verified = ctx.hasher->Verify((*user)->password_hash, current);
    if (!verified.ok()) return StoreErrorResponse(verified.status(), call);
    if (!*verified) {
      ctx.login_limiter->RecordFailure(call.principal.name);
      return ApiErrorResponse(api::kErrorValidation, "this is not the current password",
                              "/current_password");
    }
    ctx.login_limiter->RecordSuccess(call.principal.name);
    if (next == current) {
      return ApiErrorResponse(api::kErrorValidation,
                              "the new password must differ from the current one", "/new_password");
    }
    auto hash = ctx.hasher->Hash(next);
    if (!hash.ok()) return StoreErrorResponse(hash.status(), call);

    // Other sessions of the user end; this one stays.
    std::optional<store::Session> keep;
    if (call.principal.kind == Principal::Kind::kSession) {
      auto s = ctx.store->sessions().FindByHash(call.principal.session_id_sha256);
      if (!s.ok()) return StoreErrorResponse(s.status(), call);
      keep = *s;
    }
    store::AuditEntry entry = call.audit;
    entry.target_type = "user";
    entry.target_id = std::to_string((*user)->id);
    entry.after_json = AuditJson(Json{{"password_changed", true}});
    const int64_t user_id = (*user)->id;
    auto done = ctx.store
                    ->Write([&](store::StoreWriter& w) -> Status {
                      store::UserUpdate update;
                      update.password_hash = *hash;
                      update.must_change_password = false;
                      RETURN_IF_ERROR(w.users().Update(user_id, update).status());
                      RETURN_IF_ERROR(w.sessions().DeleteForUser(user_id).status());
                      if (keep) RETURN_IF_ERROR(w.sessions().Create(*keep));
                      return w.audit().Append(entry).status();
                    })
                    .Wait();
    if (!done.ok()) return StoreErrorResponse(done.status(), call);
    HttpResponse response;
    response.status = 204;
    return response;
  });
}

}  // namespace warden::server

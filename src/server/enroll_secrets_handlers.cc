// listEnrollSecrets, exportEnrollSecrets, createEnrollSecret,
// getEnrollSecret, rotateEnrollSecret, revokeEnrollSecret. A secret is shown
// once, at creation or rotation; the store keeps its SHA-256. Rotation
// creates a new secret with the same name, labels and expiry and revokes the
// old one after an optional grace period, in one store write with its audit
// entry. The answer carries the commands that enrol a host with the new
// secret (install_script.h), for the URL the caller reached the server at.
#include <string>

#include "auth/secret_token.h"
#include "core/time_format.h"
#include "server/install_script.h"
#include "server/list_response.h"
#include "server/rest_handlers.h"

namespace warden::server {
namespace {

const ListBinding& EnrollSecretListBinding() {
  static const ListBinding binding = [] {
    ListBinding b;
    b.sort_fields = {{"name", "name"}, {"created_at", "created_at"}, {"uses", "uses"}};
    b.filters["state"] =
        ChoiceFilter({{"revoked", {{"revoked", store::FilterOp::kEq, Value(int64_t{1})}}}});
    b.filters["q"] = TextSearchFilter({"name"});
    return b;
  }();
  return binding;
}

Json EnrollSecretJson(const store::EnrolSecret& secret, store::EpochMs now) {
  Json j = Json::object();
  j["id"] = std::to_string(secret.id);
  j["name"] = secret.name;
  j["prefix"] = std::string(auth::TokenPrefix(auth::TokenKind::kEnrolSecret));
  j["labels"] = secret.labels;
  j["state"] = CredentialState(secret.revoked_at, secret.expires_at, now);
  j["created_at"] = TimeJson(secret.created_at);
  j["created_by"] = Json{{"type", "user"}, {"id", nullptr}, {"name", secret.created_by}};
  j["expires_at"] = TimeJson(secret.expires_at);
  j["revoked_at"] = TimeJson(secret.revoked_at);
  j["last_used_at"] = TimeJson(secret.last_used_at);
  j["uses"] = secret.uses;
  return j;
}

// The commands for a new secret, with the server URL from the request's Host
// (what the caller, often the console, reached the server at); null when the
// Host is not a plain host[:port].
Json CommandsJson(const HandlerContext& ctx, const ApiCall& call, const std::string& secret) {
  std::string host;
  if (call.http != nullptr)
    if (auto h = call.http->headers.Get("Host")) host = std::string(*h);
  const bool plain = !host.empty() && host.size() <= 255 &&
                     host.find_first_not_of(
                         "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                         "0123456789.-:[]") == std::string::npos;
  if (!plain) return nullptr;
  EnrolCommands commands =
      CommandsFor({"https://" + host, ctx.ca_fingerprint, ctx.server_key_pin, secret});
  return Json{{"enroll", commands.enroll},
              {"install", commands.install.empty() ? Json(nullptr) : Json(commands.install)}};
}

HttpResponse SecretNotFound() {
  return ApiErrorResponse(api::kErrorEnrollSecretNotFound, "no such enrol secret", "secret_id");
}

}  // namespace

void RegisterEnrollSecretsHandlers(ApiHandlers& handlers, const HandlerContext& ctx) {
  handlers.Add("listEnrollSecrets", [ctx](ApiCall& call) {
    auto query = BuildListQuery(call, EnrollSecretListBinding());
    if (auto* error = std::get_if<api::ApiError>(&query)) return ErrorResponse(*error);
    auto page = ctx.store->enrol_secrets().List(std::get<store::ListQuery>(query));
    if (!page.ok()) return ListErrorResponse(page.status(), call.http->id);
    const store::EpochMs now = ctx.Now();
    return JsonResponse(200, PageJson(*page, [now](const store::EnrolSecret& s) {
                          return EnrollSecretJson(s, now);
                        }));
  });

  handlers.AddAsync("exportEnrollSecrets", [ctx](ApiCall& call, HttpResponder responder) {
    auto query = BuildListQuery(call, EnrollSecretListBinding());
    if (auto* error = std::get_if<api::ApiError>(&query)) {
      responder.Send(ErrorResponse(*error));
      return;
    }
    const store::EpochMs now = ctx.Now();
    StreamExport<store::EnrolSecret>(
        call, std::move(responder), "enroll-secrets",
        {"id", "name", "prefix", "labels", "state", "created_at", "created_by", "expires_at",
         "revoked_at", "last_used_at", "uses"},
        std::get<store::ListQuery>(query),
        [&](const store::ListQuery& q, const store::RowCallback<store::EnrolSecret>& row) {
          return ctx.store->enrol_secrets().Export(q, row);
        },
        [now](const store::EnrolSecret& s) { return EnrollSecretJson(s, now); });
  });

  handlers.Add("createEnrollSecret", [ctx](ApiCall& call) {
    const store::EpochMs now = ctx.Now();
    const Json& body = *call.body;
    store::NewEnrolSecret secret;
    secret.name = body.value("name", "");
    if (body.contains("labels")) secret.labels = body["labels"].get<std::vector<std::string>>();
    secret.created_by = call.principal.name;
    secret.created_at = now;
    if (body.contains("expires_at") && body["expires_at"].is_string()) {
      std::optional<int64_t> at = ParseRfc3339(body["expires_at"].get<std::string>());
      if (!at || *at * 1000 <= now) {
        return ApiErrorResponse(api::kErrorValidation, "expires_at must be a time in the future",
                                "/expires_at");
      }
      secret.expires_at = *at * 1000;
    }
    const std::string text = auth::GenerateToken(auth::TokenKind::kEnrolSecret);
    secret.sha256 = auth::TokenHash(text);
    store::AuditEntry entry = call.audit;
    entry.target_type = "enroll_secret";
    auto done =
        ctx.store
            ->Write([&](store::StoreWriter& w) -> Result<store::EnrolSecret> {
              ASSIGN_OR_RETURN(store::EnrolSecret created, w.enrol_secrets().Create(secret));
              entry.target_id = std::to_string(created.id);
              entry.after_json = AuditJson(EnrollSecretJson(created, now));
              RETURN_IF_ERROR(w.audit().Append(entry).status());
              return created;
            })
            .Wait();
    if (!done.ok()) return StoreErrorResponse(done.status(), call);
    return JsonResponse(201, Json{{"secret", text},
                                  {"enroll_secret", EnrollSecretJson(*done, now)},
                                  {"commands", CommandsJson(ctx, call, text)}});
  });

  handlers.Add("getEnrollSecret", [ctx](ApiCall& call) {
    std::optional<int64_t> id = IdParam(call, "secret_id");
    if (!id) return SecretNotFound();
    auto secret = ctx.store->enrol_secrets().Get(*id);
    if (!secret.ok()) return StoreErrorResponse(secret.status(), call);
    if (!secret->has_value()) return SecretNotFound();
    return JsonResponse(200, EnrollSecretJson(**secret, ctx.Now()));
  });

  handlers.Add("rotateEnrollSecret", [ctx](ApiCall& call) {
    std::optional<int64_t> id = IdParam(call, "secret_id");
    if (!id) return SecretNotFound();
    auto old = ctx.store->enrol_secrets().Get(*id);
    if (!old.ok()) return StoreErrorResponse(old.status(), call);
    if (!old->has_value()) return SecretNotFound();
    const store::EpochMs now = ctx.Now();
    const store::EnrolSecret before = **old;
    if (before.revoked_at && *before.revoked_at <= now) {
      return ApiErrorResponse(api::kErrorAlreadyRevoked,
                              "the secret is revoked; create a new one instead");
    }
    int64_t grace_seconds = 0;
    if (call.body && call.body->contains("grace_seconds")) {
      grace_seconds = (*call.body)["grace_seconds"].get<int64_t>();
    }
    store::NewEnrolSecret next;
    next.name = before.name;
    next.labels = before.labels;
    next.created_by = call.principal.name;
    next.created_at = now;
    next.expires_at = before.expires_at;
    const std::string text = auth::GenerateToken(auth::TokenKind::kEnrolSecret);
    next.sha256 = auth::TokenHash(text);
    store::AuditEntry entry = call.audit;
    entry.target_type = "enroll_secret";
    entry.target_id = std::to_string(before.id);
    entry.before_json = AuditJson(EnrollSecretJson(before, now));
    using Pair = std::pair<store::EnrolSecret, store::EnrolSecret>;
    auto done =
        ctx.store
            ->Write([&](store::StoreWriter& w) -> Result<Pair> {
              ASSIGN_OR_RETURN(store::EnrolSecret created, w.enrol_secrets().Create(next));
              ASSIGN_OR_RETURN(std::optional<store::EnrolSecret> replaced,
                               w.enrol_secrets().Revoke(before.id, now + grace_seconds * 1000));
              if (!replaced) return NotFound("no such enrol secret");
              entry.after_json = AuditJson(Json{{"replaced", EnrollSecretJson(*replaced, now)},
                                                {"new", EnrollSecretJson(created, now)}});
              RETURN_IF_ERROR(w.audit().Append(entry).status());
              return Pair{created, *replaced};
            })
            .Wait();
    if (!done.ok()) {
      if (done.status().code() == StatusCode::kNotFound) return SecretNotFound();
      return StoreErrorResponse(done.status(), call);
    }
    return JsonResponse(201, Json{{"secret", text},
                                  {"enroll_secret", EnrollSecretJson(done->first, now)},
                                  {"replaced", EnrollSecretJson(done->second, now)},
                                  {"commands", CommandsJson(ctx, call, text)}});
  });

  handlers.Add("revokeEnrollSecret", [ctx](ApiCall& call) {
    std::optional<int64_t> id = IdParam(call, "secret_id");
    if (!id) return SecretNotFound();
    auto old = ctx.store->enrol_secrets().Get(*id);
    if (!old.ok()) return StoreErrorResponse(old.status(), call);
    if (!old->has_value()) return SecretNotFound();
    const store::EpochMs now = ctx.Now();
    store::AuditEntry entry = call.audit;
    entry.target_type = "enroll_secret";
    entry.target_id = std::to_string((*old)->id);
    entry.before_json = AuditJson(EnrollSecretJson(**old, now));
    const int64_t secret_id = (*old)->id;
    auto done = ctx.store
                    ->Write([&](store::StoreWriter& w) -> Result<store::EnrolSecret> {
                      ASSIGN_OR_RETURN(std::optional<store::EnrolSecret> after,
                                       w.enrol_secrets().Revoke(secret_id, now));
                      if (!after) return NotFound("no such enrol secret");
                      entry.after_json = AuditJson(EnrollSecretJson(*after, now));
                      RETURN_IF_ERROR(w.audit().Append(entry).status());
                      return *after;
                    })
                    .Wait();
    if (!done.ok()) {
      if (done.status().code() == StatusCode::kNotFound) return SecretNotFound();
      return StoreErrorResponse(done.status(), call);
    }
    return JsonResponse(200, EnrollSecretJson(*done, now));
  });
}

}  // namespace warden::server

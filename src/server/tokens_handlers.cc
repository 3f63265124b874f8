// listTokens, exportTokens, createToken, getToken, revokeToken. A token acts
// with its user's role; the secret is in the create response only (the
// store keeps its SHA-256). Lists show the caller's own tokens; an admin
// may name any user (user_id), a non-admin naming another gets 403. Admins
// read and revoke anyone's token; to others, another user's token id is 404,
// as if it did not exist.
#include <map>
#include <string>

#include "auth/secret_token.h"
#include "core/time_format.h"
#include "server/list_response.h"
#include "server/rest_handlers.h"

namespace warden::server {
namespace {

const ListBinding& TokenListBinding() {
  static const ListBinding binding = [] {
    ListBinding b;
    b.sort_fields = {{"name", "name"}, {"created_at", "created_at"}};
    b.filters["user_id"] =
        [](std::string_view param, const Json& value,
           std::vector<store::FieldFilter>* out) -> std::optional<api::ApiError> {
      std::optional<int64_t> id =
          value.is_string() ? ParseId(value.get<std::string>()) : std::nullopt;
      // An id that names no user selects nothing.
      out->push_back({"user_id", store::FilterOp::kEq, Value(id.value_or(0))});
      (void)param;
      return std::nullopt;
    };
    b.filters["state"] =
        ChoiceFilter({{"revoked", {{"revoked", store::FilterOp::kEq, Value(int64_t{1})}}}});
    return b;
  }();
  return binding;
}

// Token rows with their user's name, looked up once per user.
class TokenRenderer {
 public:
  TokenRenderer(store::Store* store, store::EpochMs now) : store_(store), now_(now) {}
  Json operator()(const store::ApiToken& token) {
    Json j = Json::object();
    j["id"] = std::to_string(token.id);
    j["name"] = token.name;
    j["user_id"] = std::to_string(token.user_id);
    j["user_name"] = UserName(token.user_id);
    j["prefix"] = std::string(auth::TokenPrefix(auth::TokenKind::kApiToken));
    j["state"] = CredentialState(token.revoked_at, token.expires_at, now_);
    j["created_at"] = TimeJson(token.created_at);
    j["expires_at"] = TimeJson(token.expires_at);
    j["last_used_at"] = TimeJson(token.last_used_at);
    j["revoked_at"] = TimeJson(token.revoked_at);
    return j;
  }

 private:
  std::string UserName(int64_t id) {
    auto it = names_.find(id);
    if (it != names_.end()) return it->second;
    std::string name = "(deleted)";
    if (auto user = store_->users().Get(id); user.ok() && user->has_value()) name = (*user)->name;
    return names_[id] = name;
  }
  store::Store* store_;
  store::EpochMs now_;
  std::map<int64_t, std::string> names_;
};

// Lists show the caller's own tokens unless an admin names another user
// (user_id); a non-admin naming someone else gets 403.
std::optional<HttpResponse> ScopeToCaller(const ApiCall& call, store::ListQuery* query) {
  const int64_t own = call.principal.user_id;
  for (const store::FieldFilter& f : query->filters) {
    if (f.field != "user_id") continue;
    if (call.principal.role != auth::Role::kAdmin && f.value != Value(own)) {
      return ApiErrorResponse(api::kErrorForbidden, "only admins may list other users' tokens",
                              "user_id");
    }
    return std::nullopt;
  }
  query->filters.push_back({"user_id", store::FilterOp::kEq, Value(own)});
  return std::nullopt;
}

// The token if the caller may see it.
Result<std::optional<store::ApiToken>> VisibleToken(const HandlerContext& ctx,
                                                    const ApiCall& call) {
  std::optional<int64_t> id = IdParam(call, "token_id");
  if (!id) return std::optional<store::ApiToken>();
  ASSIGN_OR_RETURN(std::optional<store::ApiToken> token, ctx.store->api_tokens().Get(*id));
  if (token && call.principal.role != auth::Role::kAdmin &&
      token->user_id != call.principal.user_id) {
    return std::optional<store::ApiToken>();
  }
  return token;
}

}  // namespace

void RegisterTokensHandlers(ApiHandlers& handlers, const HandlerContext& ctx) {
  handlers.Add("listTokens", [ctx](ApiCall& call) {
    auto query = BuildListQuery(call, TokenListBinding());
    if (auto* error = std::get_if<api::ApiError>(&query)) return ErrorResponse(*error);
    store::ListQuery& q = std::get<store::ListQuery>(query);
    if (auto refused = ScopeToCaller(call, &q)) return std::move(*refused);
    auto page = ctx.store->api_tokens().List(q);
    if (!page.ok()) return ListErrorResponse(page.status(), call.http->id);
    return JsonResponse(200, PageJson(*page, TokenRenderer(ctx.store, ctx.Now())));
  });

  handlers.AddAsync("exportTokens", [ctx](ApiCall& call, HttpResponder responder) {
    auto query = BuildListQuery(call, TokenListBinding());
    if (auto* error = std::get_if<api::ApiError>(&query)) {
      responder.Send(ErrorResponse(*error));
      return;
    }
    store::ListQuery& q = std::get<store::ListQuery>(query);
    if (auto refused = ScopeToCaller(call, &q)) {
      responder.Send(std::move(*refused));
      return;
    }
    StreamExport<store::ApiToken>(
        call, std::move(responder), "tokens",
        {"id", "name", "user_id", "user_name", "prefix", "state", "created_at", "expires_at",
         "last_used_at", "revoked_at"},
        q,
        [&](const store::ListQuery& lq, const store::RowCallback<store::ApiToken>& row) {
          return ctx.store->api_tokens().Export(lq, row);
        },
        TokenRenderer(ctx.store, ctx.Now()));
  });

  handlers.Add("createToken", [ctx](ApiCall& call) {
    const store::EpochMs now = ctx.Now();
    store::NewApiToken token;
    token.name = call.body->value("name", "");
    token.user_id = call.principal.user_id;
    token.created_at = now;
    if (call.body->contains("expires_at") && (*call.body)["expires_at"].is_string()) {
      std::optional<int64_t> at = ParseRfc3339((*call.body)["expires_at"].get<std::string>());
      if (!at || *at * 1000 <= now) {
        return ApiErrorResponse(api::kErrorValidation, "expires_at must be a time in the future",
                                "/expires_at");
      }
      token.expires_at = *at * 1000;
    }
    const std::string secret = auth::GenerateToken(auth::TokenKind::kApiToken);
    token.sha256 = auth::TokenHash(secret);
    store::AuditEntry entry = call.audit;
    entry.target_type = "api_token";
    auto done = ctx.store
                    ->Write([&](store::StoreWriter& w) -> Result<store::ApiToken> {
                      ASSIGN_OR_RETURN(store::ApiToken created, w.api_tokens().Create(token));
                      entry.target_id = std::to_string(created.id);
                      entry.after_json = AuditJson(TokenRenderer(ctx.store, now)(created));
                      RETURN_IF_ERROR(w.audit().Append(entry).status());
                      return created;
                    })
                    .Wait();
    if (!done.ok()) return StoreErrorResponse(done.status(), call);
    return JsonResponse(
        201, Json{{"token", secret}, {"api_token", TokenRenderer(ctx.store, now)(*done)}});
  });

  handlers.Add("getToken", [ctx](ApiCall& call) {
    auto token = VisibleToken(ctx, call);
    if (!token.ok()) return StoreErrorResponse(token.status(), call);
    if (!token->has_value()) {
      return ApiErrorResponse(api::kErrorTokenNotFound, "no such API token", "token_id");
    }
    return JsonResponse(200, TokenRenderer(ctx.store, ctx.Now())(**token));
  });

  handlers.Add("revokeToken", [ctx](ApiCall& call) {
    auto token = VisibleToken(ctx, call);
    if (!token.ok()) return StoreErrorResponse(token.status(), call);
    if (!token->has_value()) {
      return ApiErrorResponse(api::kErrorTokenNotFound, "no such API token", "token_id");
    }
    const store::EpochMs now = ctx.Now();
    const store::ApiToken before = **token;
    store::AuditEntry entry = call.audit;
    entry.target_type = "api_token";
    entry.target_id = std::to_string(before.id);
    entry.before_json = AuditJson(TokenRenderer(ctx.store, now)(before));
    auto done = ctx.store
                    ->Write([&](store::StoreWriter& w) -> Status {
                      ASSIGN_OR_RETURN(std::optional<store::ApiToken> after,
                                       w.api_tokens().Revoke(before.id, now));
                      if (!after) return NotFound("no such API token");
                      entry.after_json = AuditJson(TokenRenderer(ctx.store, now)(*after));
                      return w.audit().Append(entry).status();
                    })
                    .Wait();
    if (!done.ok()) {
      if (done.status().code() == StatusCode::kNotFound) {
        return ApiErrorResponse(api::kErrorTokenNotFound, "no such API token", "token_id");
      }
      return StoreErrorResponse(done.status(), call);
    }
    HttpResponse response;
    response.status = 204;
    return response;
  });
}

}  // namespace warden::server

// listUsers, exportUsers, createUser, getUser, updateUser, deleteUser.
// Passwords are hashed here (Argon2id) and never leave the server; a user
// created without a password, or whose password an admin resets, gets a
// one-time password shown once that must be changed at first login. The
// last enabled admin can be neither demoted, disabled nor deleted (409
// E_LAST_ADMIN). The check reads committed state just before the write, so
// two admins demoting each other at the same instant could both pass; the
// window is one store batch.
#include <string>

#include "auth/secret_token.h"
#include "server/list_response.h"
#include "server/rest_handlers.h"

namespace warden::server {
namespace {

HttpResponse UserNotFound() {
  return ApiErrorResponse(api::kErrorUserNotFound, "no such user", "user_id");
}

const ListBinding& UserListBinding() {
  static const ListBinding binding = [] {
    ListBinding b;
    b.sort_fields = {{"name", "name"}, {"created_at", "created_at"}};
    b.filters["role"] = OneOfFilter("role", {"admin", "analyst", "viewer"});
    b.filters["disabled"] = EqualsFilter("disabled");
    b.filters["q"] = TextSearchFilter({"name"});
    return b;
  }();
  return binding;
}

// Enabled admins other than `except`.
Result<int64_t> OtherEnabledAdmins(store::Store& store, int64_t except) {
  store::ListQuery query;
  query.limit = 2;
  query.filters.push_back({"role", store::FilterOp::kEq, Value(std::string("admin"))});
  query.filters.push_back({"disabled", store::FilterOp::kEq, Value(int64_t{0})});
  query.filters.push_back({"id", store::FilterOp::kNe, Value(except)});
  ASSIGN_OR_RETURN(store::ListPage<store::User> page, store.users().List(query));
  return page.total;
}

// A one-time password: 43 random base64url characters.
std::string OneTimePassword() { return auth::GenerateOpaqueId(); }

}  // namespace

void RegisterUsersHandlers(ApiHandlers& handlers, const HandlerContext& ctx) {
  handlers.Add("listUsers", [ctx](ApiCall& call) {
    auto query = BuildListQuery(call, UserListBinding());
    if (auto* error = std::get_if<api::ApiError>(&query)) return ErrorResponse(*error);
    auto page = ctx.store->users().List(std::get<store::ListQuery>(query));
    if (!page.ok()) return ListErrorResponse(page.status(), call.http->id);
    return JsonResponse(200, PageJson(*page, UserJson));
  });

  handlers.AddAsync("exportUsers", [ctx](ApiCall& call, HttpResponder responder) {
    auto query = BuildListQuery(call, UserListBinding());
    if (auto* error = std::get_if<api::ApiError>(&query)) {
      responder.Send(ErrorResponse(*error));
      return;
    }
    StreamExport<store::User>(
        call, std::move(responder), "users",
        {"id", "name", "role", "disabled", "must_change_password", "created_at", "last_login_at"},
        std::get<store::ListQuery>(query),
        [&](const store::ListQuery& q, const store::RowCallback<store::User>& row) {
          return ctx.store->users().Export(q, row);
        },
        UserJson);
  });

  handlers.Add("createUser", [ctx](ApiCall& call) {
    const Json& body = *call.body;
    store::NewUser user;
    user.name = body.value("name", "");
    auto role = auth::ParseRole(body.value("role", ""));
    if (!role.ok() || !auth::IsUserRole(*role)) {
      return ApiErrorResponse(api::kErrorValidation, "role must be admin, analyst or viewer",
                              "/role");
    }
    user.role = *role;
    std::optional<std::string> initial;
    std::string password;
    if (body.contains("password")) {
      password = body["password"].get<std::string>();
    } else {
      initial = OneTimePassword();
      password = *initial;
      user.must_change_password = true;
    }
    auto hash = ctx.hasher->Hash(password);
    if (!hash.ok()) return StoreErrorResponse(hash.status(), call);
    user.password_hash = *hash;
    user.created_at = ctx.Now();
    store::AuditEntry entry = call.audit;
    entry.target_type = "user";
    auto done = ctx.store
                    ->Write([&](store::StoreWriter& w) -> Result<std::optional<store::User>> {
                      ASSIGN_OR_RETURN(std::optional<store::User> created, w.users().Create(user));
                      if (!created) return created;
                      entry.target_id = std::to_string(created->id);
                      entry.after_json = AuditJson(UserJson(*created));
                      RETURN_IF_ERROR(w.audit().Append(entry).status());
                      return created;
                    })
                    .Wait();
    if (!done.ok()) return StoreErrorResponse(done.status(), call);
    if (!done->has_value()) {
      return ApiErrorResponse(api::kErrorNameTaken, "a user named " + user.name + " exists",
                              "/name");
    }
    return JsonResponse(201, Json{{"user", UserJson(**done)},
                                  {"initial_password", initial ? Json(*initial) : Json(nullptr)}});
  });

  handlers.Add("getUser", [ctx](ApiCall& call) {
    std::optional<int64_t> id = IdParam(call, "user_id");
    auto user = id ? ctx.store->users().Get(*id) : Result<std::optional<store::User>>(std::nullopt);
    if (!user.ok()) return StoreErrorResponse(user.status(), call);
    if (!user->has_value()) {
      return UserNotFound();
    }
    return JsonResponse(200, UserJson(**user));
  });

  handlers.Add("updateUser", [ctx](ApiCall& call) {
    std::optional<int64_t> id = IdParam(call, "user_id");
    auto before =
        id ? ctx.store->users().Get(*id) : Result<std::optional<store::User>>(std::nullopt);
    if (!before.ok()) return StoreErrorResponse(before.status(), call);
    if (!before->has_value()) {
      return UserNotFound();
    }
    const store::User& old = **before;
    const Json& body = *call.body;
    store::UserUpdate update;
    if (body.contains("role")) {
      auto role = auth::ParseRole(body["role"].get<std::string>());
      if (!role.ok() || !auth::IsUserRole(*role)) {
        return ApiErrorResponse(api::kErrorValidation, "role must be admin, analyst or viewer",
                                "/role");
      }
      update.role = *role;
    }
    if (body.contains("disabled")) update.disabled = body["disabled"].get<bool>();
    if (body.contains("password")) {
      auto hash = ctx.hasher->Hash(body["password"].get<std::string>());
      if (!hash.ok()) return StoreErrorResponse(hash.status(), call);
      update.password_hash = *hash;
      update.must_change_password = true;
    }
    const bool loses_admin =
        old.role == auth::Role::kAdmin && !old.disabled &&
        ((update.role && *update.role != auth::Role::kAdmin) || update.disabled.value_or(false));
    if (loses_admin) {
      auto others = OtherEnabledAdmins(*ctx.store, old.id);
      if (!others.ok()) return StoreErrorResponse(others.status(), call);
      if (*others == 0) {
        return ApiErrorResponse(api::kErrorLastAdmin,
                                "this is the last enabled admin; promote another user first");
      }
    }
    store::AuditEntry entry = call.audit;
    entry.target_type = "user";
    entry.target_id = std::to_string(old.id);
    entry.before_json = AuditJson(UserJson(old));
    const bool end_sessions = update.password_hash.has_value() || update.disabled.value_or(false);
    auto done =
        ctx.store
            ->Write([&](store::StoreWriter& w) -> Result<std::optional<store::User>> {
              ASSIGN_OR_RETURN(std::optional<store::User> after, w.users().Update(old.id, update));
              if (!after) return after;
              if (end_sessions) RETURN_IF_ERROR(w.sessions().DeleteForUser(old.id).status());
              entry.after_json = AuditJson(UserJson(*after));
              RETURN_IF_ERROR(w.audit().Append(entry).status());
              return after;
            })
            .Wait();
    if (!done.ok()) return StoreErrorResponse(done.status(), call);
    if (!done->has_value()) {
      return UserNotFound();
    }
    return JsonResponse(200, UserJson(**done));
  });

  handlers.Add("deleteUser", [ctx](ApiCall& call) {
    std::optional<int64_t> id = IdParam(call, "user_id");
    auto before =
        id ? ctx.store->users().Get(*id) : Result<std::optional<store::User>>(std::nullopt);
    if (!before.ok()) return StoreErrorResponse(before.status(), call);
    if (!before->has_value()) {
      return UserNotFound();
    }
    const store::User old = **before;
    if (old.role == auth::Role::kAdmin && !old.disabled) {
      auto others = OtherEnabledAdmins(*ctx.store, old.id);
      if (!others.ok()) return StoreErrorResponse(others.status(), call);
      if (*others == 0) {
        return ApiErrorResponse(api::kErrorLastAdmin,
                                "this is the last enabled admin; promote another user first");
      }
    }
    store::AuditEntry entry = call.audit;
    entry.target_type = "user";
    entry.target_id = std::to_string(old.id);
    entry.before_json = AuditJson(UserJson(old));
    auto done = ctx.store
                    ->Write([&](store::StoreWriter& w) -> Result<bool> {
                      ASSIGN_OR_RETURN(bool deleted, w.users().Delete(old.id));
                      if (deleted) RETURN_IF_ERROR(w.audit().Append(entry).status());
                      return deleted;
                    })
                    .Wait();
    if (!done.ok()) return StoreErrorResponse(done.status(), call);
    if (!*done) return UserNotFound();
    HttpResponse response;
    response.status = 204;
    return response;
  });
}

}  // namespace warden::server

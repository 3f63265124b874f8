// Role is who a caller is to the server's authorization: a console or API
// user's role (admin, analyst, viewer) or an enrolled agent (node). MayCall
// answers "may this role call an operation whose allowed roles are S"; the
// allowed sets come from the OpenAPI contract (`x-warden-roles`), so this
// file holds the policy, not the per-operation table.
//
// Policy: user roles are ordered viewer < analyst < admin, and a user role may
// call an operation that names its own role or any role below it (an admin
// may do whatever an analyst or viewer may). The node role stands apart: it
// may call only operations that name `node`, and naming `node` grants no user
// anything. This module (src/auth) holds the server's authentication
// primitives - roles, secret tokens, password hashing, login rate limiting -
// apart from src/server so that the store, the CLI (`warden server user add`)
// and the tests use them without the HTTP layer, and apart from src/store so
// that the store stays persistence only. It never sees HTTP or SQL.
#pragma once

#include <span>
#include <string_view>

#include "core/status.h"

namespace warden::auth {

enum class Role { kAdmin, kAnalyst, kViewer, kNode };

// "admin", "analyst", "viewer", "node".
std::string_view RoleName(Role role);
// The inverse of RoleName; InvalidArgument naming the text otherwise.
Result<Role> ParseRole(std::string_view name);
// admin, analyst and viewer: the roles a user account can hold.
bool IsUserRole(Role role);
// Whether `role` may call an operation open to `allowed` (see the policy above).
bool MayCall(Role role, std::span<const Role> allowed);

}  // namespace warden::auth

#include "auth/role.h"

#include <string>

namespace warden::auth {
namespace {

// Rank of a user role; higher ranks include the rights of lower ones.
int UserRank(Role role) {
  switch (role) {
    case Role::kViewer:
      return 1;
    case Role::kAnalyst:
      return 2;
    case Role::kAdmin:
      return 3;
    case Role::kNode:
      return 0;
  }
  return 0;
}

}  // namespace

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kAdmin:
      return "admin";
    case Role::kAnalyst:
      return "analyst";
    case Role::kViewer:
      return "viewer";
    case Role::kNode:
      return "node";
  }
  return "unknown";
}

Result<Role> ParseRole(std::string_view name) {
  for (Role role : {Role::kAdmin, Role::kAnalyst, Role::kViewer, Role::kNode}) {
    if (name == RoleName(role)) return role;
  }
  return InvalidArgument("unknown role '" + std::string(name) +
                         "' (expected admin, analyst, viewer or node)");
}

bool IsUserRole(Role role) { return role != Role::kNode; }

bool MayCall(Role role, std::span<const Role> allowed) {
  for (Role a : allowed) {
    if (a == role) return true;
    if (IsUserRole(role) && IsUserRole(a) && UserRank(role) >= UserRank(a)) return true;
  }
  return false;
}

}  // namespace warden::auth

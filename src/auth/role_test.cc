#include "auth/role.h"

#include <gtest/gtest.h>

#include <vector>

namespace warden::auth {
namespace {

TEST(RoleTest, NamesRoundTrip) {
  for (Role role : {Role::kAdmin, Role::kAnalyst, Role::kViewer, Role::kNode}) {
    auto parsed = ParseRole(RoleName(role));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, role);
  }
}

TEST(RoleTest, UnknownRoleIsRefusedWithItsName) {
  auto parsed = ParseRole("root");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(parsed.status().message().find("'root'"), std::string::npos);
  EXPECT_FALSE(ParseRole("Admin").ok());
  EXPECT_FALSE(ParseRole("").ok());
}

TEST(RoleTest, HigherUserRolesInheritLowerOnes) {
  std::vector<Role> viewer_ops = {Role::kViewer};
  EXPECT_TRUE(MayCall(Role::kViewer, viewer_ops));
  EXPECT_TRUE(MayCall(Role::kAnalyst, viewer_ops));
  EXPECT_TRUE(MayCall(Role::kAdmin, viewer_ops));
  EXPECT_FALSE(MayCall(Role::kNode, viewer_ops));

  std::vector<Role> analyst_ops = {Role::kAnalyst};
  EXPECT_FALSE(MayCall(Role::kViewer, analyst_ops));
  EXPECT_TRUE(MayCall(Role::kAnalyst, analyst_ops));
  EXPECT_TRUE(MayCall(Role::kAdmin, analyst_ops));

  std::vector<Role> admin_ops = {Role::kAdmin};
  EXPECT_FALSE(MayCall(Role::kViewer, admin_ops));
  EXPECT_FALSE(MayCall(Role::kAnalyst, admin_ops));
  EXPECT_TRUE(MayCall(Role::kAdmin, admin_ops));
}

TEST(RoleTest, NodeReachesOnlyOperationsThatNameIt) {
  std::vector<Role> agent_channel = {Role::kNode};
  EXPECT_TRUE(MayCall(Role::kNode, agent_channel));
  EXPECT_FALSE(MayCall(Role::kAdmin, agent_channel));
  EXPECT_FALSE(MayCall(Role::kAnalyst, agent_channel));
  EXPECT_FALSE(MayCall(Role::kViewer, agent_channel));

  std::vector<Role> everyone = {Role::kViewer, Role::kNode};
  EXPECT_TRUE(MayCall(Role::kNode, everyone));
  EXPECT_TRUE(MayCall(Role::kAdmin, everyone));
}

TEST(RoleTest, EmptyAllowedSetAdmitsNobody) {
  for (Role role : {Role::kAdmin, Role::kAnalyst, Role::kViewer, Role::kNode})
    EXPECT_FALSE(MayCall(role, {}));
}

}  // namespace
}  // namespace warden::auth

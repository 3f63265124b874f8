#include "tables/user_home_dirs.h"

#include <algorithm>

namespace warden {

std::vector<PasswdEntry> UsersToScan(const QueryContext& ctx) {
  std::vector<PasswdEntry> users = ReadPasswd(ctx.fs());
  std::optional<std::vector<int64_t>> uids = ctx.IntegerEquals("uid");
  if (!uids) return users;
  std::vector<PasswdEntry> wanted;
  for (PasswdEntry& u : users)
    if (std::find(uids->begin(), uids->end(), static_cast<int64_t>(u.uid)) != uids->end())
      wanted.push_back(std::move(u));
  return wanted;
}

std::string HomeFilePath(std::string_view home, std::string_view relative) {
  std::string path(home);
  while (!path.empty() && path.back() == '/') path.pop_back();
  path.push_back('/');
  path.append(relative);
  return path;
}

UserArea HomeArea(const PasswdEntry& user) {
  return UserArea{user.home, static_cast<uid_t>(user.uid)};
}

std::function<bool()> CancelCheck(const QueryContext& ctx) {
  return [&ctx] { return ctx.Cancelled(); };
}

}  // namespace warden

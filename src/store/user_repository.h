// Console and API users: a unique name, a role (admin, analyst, viewer), the
// password hash string (Argon2id PHC text from auth::PasswordHasher; the
// store never sees a password), and account state. Reads are thread-safe;
// writes run inside a store transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "auth/role.h"
#include "core/status.h"
#include "store/list_query.h"

namespace warden::store {

struct User {
  int64_t id = 0;
  std::string name;
  auth::Role role = auth::Role::kViewer;
  std::string password_hash;
  bool must_change_password = false;
  bool disabled = false;
  EpochMs created_at = 0;
  std::optional<EpochMs> last_login_at;
};

struct NewUser {
  std::string name;  // required, unique
  auth::Role role = auth::Role::kViewer;
  std::string password_hash;
  bool must_change_password = false;
  EpochMs created_at = 0;
};

// Fields left unset are kept.
struct UserUpdate {
  std::optional<auth::Role> role;
  std::optional<std::string> password_hash;
  std::optional<bool> must_change_password;
  std::optional<bool> disabled;
};

// Fields: id, name, created_at (sortable); role (text), disabled (boolean).
const ListSchema& UserListSchema();

class UserRepository {
 public:
  virtual ~UserRepository() = default;
  virtual Result<std::optional<User>> Get(int64_t id) = 0;
  virtual Result<std::optional<User>> FindByName(std::string_view name) = 0;
  virtual Result<ListPage<User>> List(const ListQuery& query) = 0;
  virtual Status Export(const ListQuery& query, const RowCallback<User>& row) = 0;
};

class UserWriter {
 public:
  virtual ~UserWriter() = default;
  virtual Result<std::optional<User>> Get(int64_t id) = 0;
  // nullopt when the name is taken (the API answers 409). InvalidArgument
  // when the name is empty or the role is `node`.
  virtual Result<std::optional<User>> Create(const NewUser& user) = 0;
  // The user after the update; nullopt when there is no such user.
  virtual Result<std::optional<User>> Update(int64_t id, const UserUpdate& update) = 0;
  virtual Result<bool> RecordLogin(int64_t id, EpochMs at) = 0;
  // Removes the user with their sessions and API tokens.
  virtual Result<bool> Delete(int64_t id) = 0;
};

}  // namespace warden::store

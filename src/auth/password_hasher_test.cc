#include "auth/password_hasher.h"

#include <gtest/gtest.h>

namespace warden::auth {
namespace {

TEST(PasswordHasherTest, VerifiesTheRightPasswordAndRefusesAWrongOne) {
  PasswordHasher hasher;
  auto hash = hasher.Hash("correct horse battery staple");
  ASSERT_TRUE(hash.ok()) << hash.status().message();
  auto right = hasher.Verify(*hash, "correct horse battery staple");
  ASSERT_TRUE(right.ok()) << right.status().message();
  EXPECT_TRUE(*right);
  auto wrong = hasher.Verify(*hash, "correct horse battery stapler");
  ASSERT_TRUE(wrong.ok());
  EXPECT_FALSE(*wrong);
  auto empty = hasher.Verify(*hash, "");
  ASSERT_TRUE(empty.ok());
  EXPECT_FALSE(*empty);
}

TEST(PasswordHasherTest, HashIsArgon2idWithTheConfiguredCostAndASalt) {
  PasswordHasher hasher;
  auto a = hasher.Hash("pw");
  auto b = hasher.Hash("pw");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->rfind("$argon2id$v=19$m=19456,t=2,p=1$", 0), 0u) << *a;
  EXPECT_NE(*a, *b);  // a fresh salt each time
  EXPECT_FALSE(hasher.NeedsRehash(*a));
}

TEST(PasswordHasherTest, OtherParametersNeedRehash) {
  PasswordHasher cheap(PasswordCost{1, 8u * 1024 * 1024});
  auto old_hash = cheap.Hash("pw");
  ASSERT_TRUE(old_hash.ok());
  PasswordHasher current;
  EXPECT_TRUE(current.NeedsRehash(*old_hash));
  // Still verifiable: the string carries its own parameters.
  auto ok = current.Verify(*old_hash, "pw");
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(*ok);
  EXPECT_TRUE(current.NeedsRehash("not a hash"));
}

TEST(PasswordHasherTest, MalformedStoredHashIsAnErrorNotAMismatch) {
  PasswordHasher hasher;
  auto r = hasher.Verify("$argon2id$v=19$garbage", "pw");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(hasher.Verify("", "pw").ok());
  EXPECT_FALSE(hasher.Verify(std::string(500, 'x'), "pw").ok());
}

TEST(PasswordHasherTest, RefusesEmptyAndOverlongPasswords) {
  PasswordHasher hasher;
  EXPECT_EQ(hasher.Hash("").status().code(), StatusCode::kInvalidArgument);
  auto long_pw = hasher.Hash(std::string(PasswordHasher::kMaxPasswordBytes + 1, 'a'));
  EXPECT_EQ(long_pw.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(long_pw.status().message().find("password"), std::string::npos);
}

}  // namespace
}  // namespace warden::auth

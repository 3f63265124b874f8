// Enrolment and host identity, users, sessions, API tokens, the audit log,
// the ingest ledger and settings.
#include <gtest/gtest.h>

#include "auth/password_hasher.h"
#include "auth/secret_token.h"
#include "store/store_test_fixture.h"

namespace warden::store {
namespace {

class IdentityTest : public StoreTest {
 protected:
  EnrolSecret CreateSecret(std::vector<std::string> labels = {},
                           std::optional<EpochMs> expires = std::nullopt) {
    NewEnrolSecret s;
    s.name = "fleet";
    s.labels = std::move(labels);
    s.sha256 = auth::TokenHash(auth::GenerateToken(auth::TokenKind::kEnrolSecret));
    s.created_by = "admin";
    s.created_at = 100;
    s.expires_at = expires;
    return MustWrite([&](StoreWriter& w) { return w.enrol_secrets().Create(s); }).value();
  }

  HostEnrolment Enrolment(const EnrolSecret& secret, std::string machine, std::string instance,
                          std::string hostname, EpochMs now) {
    HostEnrolment e;
    e.machine_id = std::move(machine);
    e.instance_id = std::move(instance);
    e.hostname = std::move(hostname);
    e.os = {"Debian GNU/Linux", "12 (bookworm)", "debian", "bookworm"};
    e.kernel = "6.1.0";
    e.arch = "x86_64";
    e.agent_version = "0.1.0";
    e.enrol_secret_id = secret.id;
    node_key = auth::GenerateToken(auth::TokenKind::kNodeKey);
    e.node_key_sha256 = auth::TokenHash(node_key);
    e.now = now;
    return e;
  }

  Result<EnrolOutcome> Enrol(const HostEnrolment& e) {
    return store().Write([&](StoreWriter& w) { return w.hosts().Enrol(e); }).Wait();
  }

  User CreateUser(std::string name, auth::Role role) {
    NewUser u;
    u.name = std::move(name);
    u.role = role;
    u.password_hash = "$argon2id$placeholder";
    u.created_at = 10;
    return MustWrite([&](StoreWriter& w) { return w.users().Create(u); }).value().value();
  }

  std::string node_key;
};

TEST_F(IdentityTest, EnrolCreatesAHostWithTheSecretsLabelsAndAValidNodeKey) {
  EnrolSecret secret = CreateSecret({"prod", "eu"});
  auto out = Enrol(Enrolment(secret, "mid-1", "i-123", "web-1", 1000));
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_TRUE(out->created);
  const Host& h = out->host;
  EXPECT_EQ(h.machine_id, "mid-1");
  EXPECT_EQ(h.instance_id, "i-123");
  EXPECT_EQ(h.os.codename, "bookworm");
  EXPECT_EQ(h.labels, (std::vector<std::string>{"eu", "prod"}));
  EXPECT_EQ(h.enrolled_at, 1000);
  EXPECT_EQ(h.last_seen_at, 1000);
  EXPECT_FALSE(h.duplicate_identity);

  auto key = store().node_keys().FindByHash(auth::TokenHash(node_key));
  ASSERT_TRUE(key.ok() && key->has_value());
  EXPECT_EQ((*key)->host_id, h.id);
  EXPECT_FALSE((*key)->revoked_at);
  auto used = store().enrol_secrets().Get(secret.id).value().value();
  EXPECT_EQ(used.uses, 1);
  EXPECT_EQ(used.last_used_at, 1000);
}

TEST_F(IdentityTest, EnrollingAgainKeepsTheHostAndRotatesItsNodeKey) {
  EnrolSecret secret = CreateSecret();
  auto first = Enrol(Enrolment(secret, "mid-1", "", "web-1", 1000));
  ASSERT_TRUE(first.ok());
  std::string old_key = node_key;
  HostEnrolment again = Enrolment(secret, "mid-1", "", "web-1", 2000);
  again.agent_version = "0.2.0";
  auto second = Enrol(again);
  ASSERT_TRUE(second.ok()) << second.status().message();
  EXPECT_FALSE(second->created);
  EXPECT_EQ(second->host.id, first->host.id);
  EXPECT_EQ(second->host.agent_version, "0.2.0");
  EXPECT_EQ(second->host.enrolled_at, 1000);

  auto old = store().node_keys().FindByHash(auth::TokenHash(old_key)).value();
  ASSERT_TRUE(old.has_value());
  EXPECT_EQ(old->revoked_at, 2000);
  auto fresh = store().node_keys().FindByHash(auth::TokenHash(node_key)).value();
  ASSERT_TRUE(fresh.has_value());
  EXPECT_FALSE(fresh->revoked_at);
  EXPECT_EQ(store().node_keys().ListForHost(first->host.id).value().size(), 2u);
}

TEST_F(IdentityTest, ClonedMachineIdsBecomeTwoFlaggedHosts) {
  EnrolSecret secret = CreateSecret();
  auto a = Enrol(Enrolment(secret, "cloned", "i-a", "web-a", 1000));
  auto b = Enrol(Enrolment(secret, "cloned", "i-b", "web-b", 2000));
  auto other = Enrol(Enrolment(secret, "unique", "", "db", 3000));
  ASSERT_TRUE(a.ok() && b.ok() && other.ok());
  EXPECT_NE(a->host.id, b->host.id);
  EXPECT_TRUE(b->host.duplicate_identity);
  EXPECT_TRUE(store().hosts().Get(a->host.id).value()->duplicate_identity);
  EXPECT_FALSE(other->host.duplicate_identity);

  ListQuery dup;
  dup.filters.push_back({"duplicate_identity", FilterOp::kEq, int64_t{1}});
  EXPECT_EQ(store().hosts().List(dup).value().total, 2);
}

TEST_F(IdentityTest, RevokedOrExpiredSecretsAreRefusedAndNothingIsCreated) {
  EnrolSecret revoked = CreateSecret();
  ASSERT_TRUE(
      MustWrite([&](StoreWriter& w) { return w.enrol_secrets().Revoke(revoked.id, 500); }).ok());
  auto r = Enrol(Enrolment(revoked, "m", "", "h", 1000));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);

  EnrolSecret expired = CreateSecret({}, EpochMs{900});
  r = Enrol(Enrolment(expired, "m", "", "h", 1000));
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(store().hosts().List(ListQuery{}).value().total, 0);
  EXPECT_EQ(store().enrol_secrets().Get(expired.id).value()->uses, 0);

  // Rotation with a grace period: revoked as of later, usable until then.
  EnrolSecret rotating = CreateSecret();
  ASSERT_TRUE(
      MustWrite([&](StoreWriter& w) { return w.enrol_secrets().Revoke(rotating.id, 5000); }).ok());
  EXPECT_TRUE(Enrol(Enrolment(rotating, "m", "", "h", 4999)).ok());
  EXPECT_FALSE(Enrol(Enrolment(rotating, "m2", "", "h2", 5000)).ok());
  auto listed = store().enrol_secrets().FindByHash(rotating.sha256).value().value();
  EXPECT_FALSE(listed.UsableAt(5000));
  EXPECT_TRUE(listed.UsableAt(4999));
}

TEST_F(IdentityTest, ARevokedHostLosesItsKeysAndMustBeDeletedToEnrolAgain) {
  EnrolSecret secret = CreateSecret();
  auto h = Enrol(Enrolment(secret, "m", "", "h", 1000));
  ASSERT_TRUE(h.ok());
  std::string key = node_key;
  auto revoked = MustWrite([&](StoreWriter& w) { return w.hosts().Revoke(h->host.id, 2000); });
  ASSERT_TRUE(revoked.ok() && *revoked);
  EXPECT_EQ(store().node_keys().FindByHash(auth::TokenHash(key)).value()->revoked_at, 2000);
  auto again = Enrol(Enrolment(secret, "m", "", "h", 3000));
  EXPECT_EQ(again.status().code(), StatusCode::kPermissionDenied);

  auto deleted = MustWrite([&](StoreWriter& w) { return w.hosts().Delete(h->host.id); });
  ASSERT_TRUE(deleted.ok() && *deleted);
  auto fresh = Enrol(Enrolment(secret, "m", "", "h", 4000));
  ASSERT_TRUE(fresh.ok()) << fresh.status().message();
  EXPECT_TRUE(fresh->created);
  EXPECT_NE(fresh->host.id, h->host.id);  // ids are never reused
}

TEST_F(IdentityTest, EnrolmentNeedsAMachineIdAndHostname) {
  EnrolSecret secret = CreateSecret();
  auto r = Enrol(Enrolment(secret, "", "", "h", 1));
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("machine_id"), std::string::npos);
  r = Enrol(Enrolment(secret, "m", "", "", 1));
  EXPECT_NE(r.status().message().find("hostname"), std::string::npos);
}

TEST_F(IdentityTest, LabelsAreNormalisedAndFilterable) {
  EnrolSecret secret = CreateSecret();
  auto h = Enrol(Enrolment(secret, "m", "", "h", 1));
  ASSERT_TRUE(h.ok());
  auto set = MustWrite([&](StoreWriter& w) {
    return w.hosts().SetLabels(h->host.id, {"b", "a", "b"});
  });
  ASSERT_TRUE(set.ok() && *set);
  EXPECT_EQ(store().hosts().Get(h->host.id).value()->labels, (std::vector<std::string>{"a", "b"}));
  auto bad =
      store().Write([&](StoreWriter& w) { return w.hosts().SetLabels(h->host.id, {""}); }).Wait();
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  auto missing = MustWrite([&](StoreWriter& w) { return w.hosts().SetLabels(999, {"a"}); });
  EXPECT_FALSE(*missing);
}

TEST_F(IdentityTest, UsersHaveUniqueNamesAndUserRolesOnly) {
  auth::PasswordHasher hasher(auth::PasswordCost{1, 8u * 1024 * 1024});
  NewUser u;
  u.name = "alice";
  u.role = auth::Role::kAdmin;
  u.password_hash = hasher.Hash("s3cret-pw").value();
  u.must_change_password = true;
  u.created_at = 5;
  auto created = MustWrite([&](StoreWriter& w) { return w.users().Create(u); });
  ASSERT_TRUE(created.ok() && created->has_value());
  auto taken = MustWrite([&](StoreWriter& w) { return w.users().Create(u); });
  EXPECT_FALSE(taken->has_value());
  u.name = "agent";
  u.role = auth::Role::kNode;
  EXPECT_EQ(
      store().Write([&](StoreWriter& w) { return w.users().Create(u); }).Wait().status().code(),
      StatusCode::kInvalidArgument);

  auto alice = store().users().FindByName("alice").value().value();
  EXPECT_TRUE(alice.must_change_password);
  EXPECT_TRUE(hasher.Verify(alice.password_hash, "s3cret-pw").value());
  EXPECT_FALSE(hasher.Verify(alice.password_hash, "wrong").value());

  UserUpdate update;
  update.role = auth::Role::kViewer;
  update.must_change_password = false;
  auto updated = MustWrite([&](StoreWriter& w) { return w.users().Update(alice.id, update); });
  ASSERT_TRUE(updated.ok() && updated->has_value());
  EXPECT_EQ((*updated)->role, auth::Role::kViewer);
  EXPECT_EQ((*updated)->password_hash, alice.password_hash);  // unset: kept
  ASSERT_TRUE(MustWrite([&](StoreWriter& w) { return w.users().RecordLogin(alice.id, 77); }).ok());
  EXPECT_EQ(store().users().Get(alice.id).value()->last_login_at, 77);

  ListQuery viewers;
  viewers.filters.push_back({"role", FilterOp::kEq, std::string("viewer")});
  EXPECT_EQ(store().users().List(viewers).value().total, 1);
}

TEST_F(IdentityTest, SessionsAreFoundByHashAndExpire) {
  User alice = CreateUser("alice", auth::Role::kAnalyst);
  std::string id = auth::GenerateOpaqueId();
  Session s;
  s.id_sha256 = auth::TokenHash(id);
  s.user_id = alice.id;
  s.csrf_token = auth::GenerateOpaqueId();
  s.created_at = 1000;
  s.last_seen_at = 1000;
  s.expires_at = 10'000;
  ASSERT_TRUE(MustWrite([&](StoreWriter& w) { return w.sessions().Create(s); }).ok());
  auto found = store().sessions().FindByHash(auth::TokenHash(id)).value();
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->csrf_token, s.csrf_token);
  EXPECT_FALSE(store().sessions().FindByHash(auth::TokenHash(id + "x")).value().has_value());

  store().TouchSession(s.id_sha256, 4000);
  ASSERT_TRUE(store().Flush().ok());
  EXPECT_EQ(store().sessions().FindByHash(s.id_sha256).value()->last_seen_at, 4000);
  // Idle since before 3000? No (seen at 4000). Past absolute expiry? No.
  auto removed = MustWrite([](StoreWriter& w) { return w.sessions().DeleteExpired(5000, 3000); });
  EXPECT_EQ(*removed, 0);
  removed = MustWrite([](StoreWriter& w) { return w.sessions().DeleteExpired(10'000, 0); });
  EXPECT_EQ(*removed, 1);
  EXPECT_FALSE(store().sessions().FindByHash(s.id_sha256).value().has_value());

  Session orphan = s;
  orphan.user_id = 999;
  EXPECT_EQ(store()
                .Write([&](StoreWriter& w) { return w.sessions().Create(orphan); })
                .Wait()
                .status()
                .code(),
            StatusCode::kInvalidArgument);
}

TEST_F(IdentityTest, ApiTokensAreStoredAsHashesAndRevocable) {
  User alice = CreateUser("alice", auth::Role::kAdmin);
  std::string token = auth::GenerateToken(auth::TokenKind::kApiToken);
  NewApiToken t;
  t.name = "siem";
  t.user_id = alice.id;
  t.sha256 = auth::TokenHash(token);
  t.created_at = 100;
  t.expires_at = 99'999;
  auto created = MustWrite([&](StoreWriter& w) { return w.api_tokens().Create(t); });
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(created->sha256, auth::TokenHash(token));  // the token itself is not kept

  auto found = store().api_tokens().FindByHash(auth::TokenHash(token)).value();
  ASSERT_TRUE(found.has_value());
  EXPECT_TRUE(auth::ConstantTimeEquals(found->sha256, auth::TokenHash(token)));
  std::string other = auth::GenerateToken(auth::TokenKind::kApiToken);
  EXPECT_FALSE(store().api_tokens().FindByHash(auth::TokenHash(other)).value().has_value());

  store().TouchApiToken(found->id, 555);
  ASSERT_TRUE(store().Flush().ok());
  EXPECT_EQ(store().api_tokens().Get(found->id).value()->last_used_at, 555);

  auto revoked = MustWrite([&](StoreWriter& w) { return w.api_tokens().Revoke(found->id, 600); });
  EXPECT_EQ((*revoked)->revoked_at, 600);
  ListQuery active;
  active.filters.push_back({"revoked", FilterOp::kEq, int64_t{0}});
  active.filters.push_back({"user_id", FilterOp::kEq, alice.id});
  EXPECT_EQ(store().api_tokens().List(active).value().total, 0);

  // Deleting the user takes their tokens along.
  ASSERT_TRUE(MustWrite([&](StoreWriter& w) { return w.users().Delete(alice.id); }).ok());
  EXPECT_FALSE(store().api_tokens().Get(found->id).value().has_value());
}

TEST_F(IdentityTest, AuditEntriesKeepEveryFieldAndRefuseBadJson) {
  AuditEntry e = Entry("updateUser", 1234);
  e.actor_type = ActorType::kApiToken;
  e.before_json = R"({"role":"viewer"})";
  e.after_json = R"({"role":"admin"})";
  auto id = MustWrite([&](StoreWriter& w) { return w.audit().Append(e); });
  ASSERT_TRUE(id.ok());
  auto back = store().audit().Get(*id).value().value();
  EXPECT_EQ(back.time, 1234);
  EXPECT_EQ(back.actor_type, ActorType::kApiToken);
  EXPECT_EQ(back.action, "updateUser");
  EXPECT_EQ(back.target_id, "7");
  EXPECT_EQ(back.before_json, e.before_json);
  EXPECT_EQ(back.after_json, e.after_json);

  e.after_json = "{not json";
  auto bad = store().Write([&](StoreWriter& w) { return w.audit().Append(e); }).Wait();
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("after"), std::string::npos);

  ListQuery by_actor;
  by_actor.filters.push_back({"actor_type", FilterOp::kEq, std::string("api_token")});
  EXPECT_EQ(store().audit().List(by_actor).value().total, 1);
  auto removed = MustWrite([](StoreWriter& w) { return w.audit().DeleteOlderThan(2000); });
  EXPECT_EQ(*removed, 1);
}

TEST_F(IdentityTest, LedgerClaimsEachRecordOncePerHostAcrossRestarts) {
  auto claim = [&](int64_t host, std::string id) {
    return MustWrite([&](StoreWriter& w) { return w.ledger().Claim(host, id, 100); }).value();
  };
  EXPECT_TRUE(claim(1, "r1"));
  EXPECT_TRUE(claim(1, "r2"));
  EXPECT_FALSE(claim(1, "r1"));
  EXPECT_TRUE(claim(2, "r1"));  // another host's record with the same id
  // Twice in one write (an agent batch repeating a record).
  auto both = MustWrite([](StoreWriter& w) -> Result<int64_t> {
    int64_t fresh = 0;
    for (const char* id : {"r3", "r3", "r1"}) {
      ASSIGN_OR_RETURN(bool first, w.ledger().Claim(1, id, 200));
      fresh += first ? 1 : 0;
    }
    return fresh;
  });
  EXPECT_EQ(*both, 1);
  Open();
  EXPECT_FALSE(claim(1, "r1"));
  EXPECT_FALSE(claim(1, "r3"));
  EXPECT_TRUE(store().ledger().Contains(1, "r2").value());
  EXPECT_EQ(store().ledger().CountForHost(1).value(), 3);

  auto too_long =
      store()
          .Write([](StoreWriter& w) { return w.ledger().Claim(1, std::string(201, 'x'), 1); })
          .Wait();
  EXPECT_EQ(too_long.status().code(), StatusCode::kInvalidArgument);
  auto purged = MustWrite([](StoreWriter& w) { return w.ledger().DeleteOlderThan(150); });
  EXPECT_EQ(*purged, 3);  // r1, r2 on host 1, r1 on host 2 (r3 came at 200)
}

TEST_F(IdentityTest, SettingsAreReplacedAndListedByKey) {
  ASSERT_TRUE(MustWrite([](StoreWriter& w) { return w.settings().Put("b", "1", 10); }).ok());
  ASSERT_TRUE(MustWrite([](StoreWriter& w) { return w.settings().Put("a", "x", 10); }).ok());
  ASSERT_TRUE(MustWrite([](StoreWriter& w) { return w.settings().Put("b", "2", 20); }).ok());
  auto b = store().settings().Get("b").value().value();
  EXPECT_EQ(b.value, "2");
  EXPECT_EQ(b.updated_at, 20);
  auto all = store().settings().All().value();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].key, "a");
  EXPECT_TRUE(*MustWrite([](StoreWriter& w) { return w.settings().Delete("a"); }));
  EXPECT_FALSE(store().settings().Get("a").value().has_value());
}

}  // namespace
}  // namespace warden::store

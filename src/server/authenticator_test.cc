#include "server/authenticator.h"

#include <gtest/gtest.h>

#include <variant>

#include "auth/secret_token.h"
#include "store/store_test_fixture.h"

namespace warden::server {
namespace {

constexpr store::EpochMs kHour = 3600 * 1000;

class AuthenticatorTest : public store::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    store::NewUser u;
    u.name = "carol";
    u.role = auth::Role::kAnalyst;
    u.password_hash = "x";
    u.created_at = now_;
    auto user = MustWrite([&](store::StoreWriter& w) { return w.users().Create(u); });
    ASSERT_TRUE(user.ok() && user->has_value());
    user_id_ = (**user).id;
  }

  Authenticator Make() {
    return Authenticator(&store(), SessionLifetimes{}, [this] { return now_; });
  }

  // A session created at `now_`; its cookie value.
  std::string AddSession() {
    std::string id = auth::GenerateOpaqueId();
    store::Session s;
    s.id_sha256 = auth::TokenHash(id);
    s.user_id = user_id_;
    s.csrf_token = "csrf-1";
    s.created_at = now_;
    s.last_seen_at = now_;
    s.expires_at = now_ + 7 * 24 * kHour;
    (void)MustWrite([&](store::StoreWriter& w) { return w.sessions().Create(s); });
    return id;
  }

  static HttpRequest Request(std::string method, const std::string& cookie) {
    HttpRequest r;
    r.method = std::move(method);
    r.tls = true;
    r.headers.Set("Host", "warden.example:8443");
    if (!cookie.empty()) r.headers.Set("Cookie", "theme=dark; __Host-warden_session=" + cookie);
    return r;
  }

  static std::string CodeOf(const std::variant<Principal, api::ApiError>& outcome) {
    if (auto* e = std::get_if<api::ApiError>(&outcome)) return e->code;
    return std::get<Principal>(outcome).authenticated() ? "ok" : "anonymous";
  }

  store::EpochMs now_ = 1'800'000'000'000;
  int64_t user_id_ = 0;
};

TEST_F(AuthenticatorTest, NoCredentialsIsAnonymous) {
  EXPECT_EQ(CodeOf(Make().Authenticate(Request("GET", ""))), "anonymous");
}

TEST_F(AuthenticatorTest, SessionEndsAfterItsIdleAndAbsoluteLifetimes) {
  Authenticator a = Make();
  std::string id = AddSession();
  auto outcome = a.Authenticate(Request("GET", id));
  ASSERT_EQ(CodeOf(outcome), "ok");
  EXPECT_EQ(std::get<Principal>(outcome).role, auth::Role::kAnalyst);
  EXPECT_EQ(std::get<Principal>(outcome).kind, Principal::Kind::kSession);

  now_ += 11 * kHour;
  EXPECT_EQ(CodeOf(a.Authenticate(Request("GET", id))), "ok");  // touched now
  ASSERT_TRUE(store().Flush().ok());
  now_ += 11 * kHour;  // 11 h after the last use: still within 12 h idle
  EXPECT_EQ(CodeOf(a.Authenticate(Request("GET", id))), "ok");
  ASSERT_TRUE(store().Flush().ok());
  now_ += 13 * kHour;
  EXPECT_EQ(CodeOf(a.Authenticate(Request("GET", id))), "E_SESSION_EXPIRED");

  std::string fresh = AddSession();
  for (int i = 0; i < 16; ++i) {  // used every 11 h: never idle, but 7 days pass
    now_ += 11 * kHour;
    (void)a.Authenticate(Request("GET", fresh));
    ASSERT_TRUE(store().Flush().ok());
  }
  EXPECT_EQ(CodeOf(a.Authenticate(Request("GET", fresh))), "E_SESSION_EXPIRED");
}

TEST_F(AuthenticatorTest, UnsafeCookieRequestsNeedTheCsrfTokenFromTheSameOrigin) {
  Authenticator a = Make();
  std::string id = AddSession();
  HttpRequest post = Request("POST", id);
  EXPECT_EQ(CodeOf(a.Authenticate(post)), "E_CSRF_FAILED");
  post.headers.Set("X-CSRF-Token", "csrf-1");
  EXPECT_EQ(CodeOf(a.Authenticate(post)), "E_CSRF_FAILED");  // no Origin / Sec-Fetch-Site
  post.headers.Set("Origin", "https://warden.example:8443");
  EXPECT_EQ(CodeOf(a.Authenticate(post)), "ok");
  post.headers.Set("Sec-Fetch-Site", "cross-site");
  EXPECT_EQ(CodeOf(a.Authenticate(post)), "E_CSRF_FAILED");
  post.headers.Set("Sec-Fetch-Site", "same-origin");
  post.headers.Set("Origin", "https://evil.example");
  EXPECT_EQ(CodeOf(a.Authenticate(post)), "E_CSRF_FAILED");
  post.headers.Set("Origin", "https://warden.example:8443");
  post.headers.Set("X-CSRF-Token", "csrf-2");
  EXPECT_EQ(CodeOf(a.Authenticate(post)), "E_CSRF_FAILED");
}

TEST_F(AuthenticatorTest, BearerTokensByKind) {
  Authenticator a = Make();
  std::string token = auth::GenerateToken(auth::TokenKind::kApiToken);
  store::NewApiToken t;
  t.name = "ci";
  t.user_id = user_id_;
  t.sha256 = auth::TokenHash(token);
  t.created_at = now_;
  t.expires_at = now_ + kHour;
  auto created = MustWrite([&](store::StoreWriter& w) { return w.api_tokens().Create(t); });
  ASSERT_TRUE(created.ok());
  HttpRequest r = Request("POST", "");
  r.headers.Set("Authorization", "Bearer " + token);
  auto outcome = a.Authenticate(r);
  ASSERT_EQ(CodeOf(outcome), "ok");  // no CSRF for tokens
  EXPECT_EQ(std::get<Principal>(outcome).token_id, created->id);

  now_ += 2 * kHour;
  EXPECT_EQ(CodeOf(a.Authenticate(r)), "E_TOKEN_EXPIRED");

  r.headers.Set("Authorization", "Bearer " + auth::GenerateToken(auth::TokenKind::kApiToken));
  EXPECT_EQ(CodeOf(a.Authenticate(r)), "E_UNAUTHENTICATED");
  r.headers.Set("Authorization", "Bearer " + auth::GenerateToken(auth::TokenKind::kEnrolSecret));
  EXPECT_EQ(CodeOf(a.Authenticate(r)), "E_UNAUTHENTICATED");
  r.headers.Set("Authorization", "Basic Y2Fyb2w6eA==");
  EXPECT_EQ(CodeOf(a.Authenticate(r)), "E_UNAUTHENTICATED");
  r.headers.Set("Authorization", "Bearer " + auth::GenerateToken(auth::TokenKind::kNodeKey));
  EXPECT_EQ(CodeOf(a.Authenticate(r)), "E_UNAUTHENTICATED");
}

TEST_F(AuthenticatorTest, CookieParsingFindsTheSessionAmongOthers) {
  HttpRequest r;
  r.headers.Add("Cookie", "a=1; b = 2");
  r.headers.Add("Cookie", "__Host-warden_session=abc");
  EXPECT_EQ(CookieValue(r, "b").value_or(""), "2");
  EXPECT_EQ(CookieValue(r, kSessionCookieName).value_or(""), "abc");
  EXPECT_FALSE(CookieValue(r, "c").has_value());
}

}  // namespace
}  // namespace warden::server

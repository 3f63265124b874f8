#include "store/list_query.h"

#include <gtest/gtest.h>

#include "store/audit_log.h"
#include "store/host_repository.h"

namespace warden::store {
namespace {

TEST(ListQueryTest, CursorRoundTripsTextWithAnyBytes) {
  Cursor c;
  c.list = "hosts";
  c.sort_field = "hostname";
  c.descending = true;
  c.sort_value = std::string("web\n01|\x01\xff");
  c.id = 42;
  std::string text = EncodeCursor(c);
  EXPECT_EQ(
      text.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
      std::string::npos);
  auto back = DecodeCursor(text);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->list, "hosts");
  EXPECT_EQ(back->sort_field, "hostname");
  EXPECT_TRUE(back->descending);
  EXPECT_EQ(std::get<std::string>(back->sort_value), "web\n01|\x01\xff");
  EXPECT_EQ(back->id, 42);
}

TEST(ListQueryTest, GarbageCursorsAreRefusedNamingTheCursor) {
  for (const std::string& bad :
       std::vector<std::string>{"x", "!!!!", "YWJj", std::string(5000, 'A'), "Yz E=", "a+b/"}) {
    auto r = DecodeCursor(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(r.status().message().rfind("cursor:", 0), 0u);
  }
}

TEST(ListQueryTest, ResolvesTheDefaultSort) {
  auto r = ResolveListQuery(AuditListSchema(), ListQuery{});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->sort->name, "time");
  EXPECT_TRUE(r->descending);
  EXPECT_EQ(r->limit, 100);
}

TEST(ListQueryTest, LimitMustBeOneToTenThousand) {
  for (int64_t limit : {int64_t{0}, int64_t{-1}, int64_t{10'001}}) {
    ListQuery q;
    q.limit = limit;
    auto r = ResolveListQuery(HostListSchema(), q);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().message().rfind("limit:", 0), 0u);
  }
  ListQuery q;
  q.limit = 10'000;
  EXPECT_TRUE(ResolveListQuery(HostListSchema(), q).ok());
}

TEST(ListQueryTest, UnknownSortAndFilterFieldsAreNamed) {
  ListQuery q;
  q.sort = SortOrder{"password", false};
  auto r = ResolveListQuery(HostListSchema(), q);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("sort: 'password'"), std::string::npos);
  EXPECT_NE(r.status().message().find("hostname"), std::string::npos);  // lists the allowed

  ListQuery f;
  f.filters.push_back({"nope", FilterOp::kEq, std::string("x")});
  r = ResolveListQuery(HostListSchema(), f);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().rfind("filter nope:", 0), 0u);
}

TEST(ListQueryTest, FilterValuesMustHaveTheFieldsType) {
  ListQuery q;
  q.filters.push_back({"enrolled_at", FilterOp::kGe, std::string("yesterday")});
  auto r = ResolveListQuery(HostListSchema(), q);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("filter enrolled_at"), std::string::npos);

  ListQuery b;
  b.filters.push_back({"revoked", FilterOp::kEq, int64_t{2}});
  EXPECT_FALSE(ResolveListQuery(HostListSchema(), b).ok());
  b.filters[0].op = FilterOp::kLt;
  b.filters[0].value = int64_t{1};
  EXPECT_FALSE(ResolveListQuery(HostListSchema(), b).ok());

  ListQuery label;
  label.filters.push_back({"label", FilterOp::kNe, std::string("prod")});
  EXPECT_FALSE(ResolveListQuery(HostListSchema(), label).ok());
  label.filters[0].op = FilterOp::kEq;
  EXPECT_TRUE(ResolveListQuery(HostListSchema(), label).ok());
}

TEST(ListQueryTest, CursorMustMatchListAndSort) {
  Cursor c;
  c.list = "hosts";
  c.sort_field = "hostname";
  c.sort_value = std::string("a");
  c.id = 1;
  ListQuery q;
  q.cursor = EncodeCursor(c);
  EXPECT_TRUE(ResolveListQuery(HostListSchema(), q).ok());
  q.sort = SortOrder{"hostname", true};  // other direction
  EXPECT_FALSE(ResolveListQuery(HostListSchema(), q).ok());
  q.sort = SortOrder{"enrolled_at", false};
  EXPECT_FALSE(ResolveListQuery(HostListSchema(), q).ok());
  q.sort.reset();
  EXPECT_FALSE(ResolveListQuery(AuditListSchema(), q).ok());  // another list
}

}  // namespace
}  // namespace warden::store

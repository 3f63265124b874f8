// Lists: keyset paging, sort and filters, export.
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "store/store_test_fixture.h"

namespace warden::store {
namespace {

class PagingTest : public StoreTest {
 protected:
  // `count` audit entries in writes of up to 1000; entry i has time
  // time_of(i) and action "a<i % 7>".
  void AddAudit(int count, const std::function<EpochMs(int)>& time_of,
                const std::string& after_json = "") {
    for (int start = 0; start < count; start += 1000) {
      int end = std::min(count, start + 1000);
      (void)MustWrite([&](StoreWriter& w) -> Status {
        for (int i = start; i < end; ++i) {
          AuditEntry e = Entry("a" + std::to_string(i % 7), time_of(i));
          if (!after_json.empty()) e.after_json = after_json;
          auto id = w.audit().Append(e);
          if (!id.ok()) return id.status();
        }
        return Status::Ok();
      });
    }
  }

  int64_t CreateSecret(std::vector<std::string> labels = {}) {
    NewEnrolSecret s;
    s.name = "default";
    s.labels = std::move(labels);
    s.sha256 = "secret-hash-" + std::to_string(++secrets_);
    s.created_at = 1;
    auto created = MustWrite([&](StoreWriter& w) { return w.enrol_secrets().Create(s); });
    return created.ok() ? created->id : 0;
  }

  Host Enrol(int64_t secret, std::string machine, std::string hostname, EpochMs now) {
    HostEnrolment e;
    e.machine_id = std::move(machine);
    e.hostname = std::move(hostname);
    e.enrol_secret_id = secret;
    e.node_key_sha256 = "node-" + e.machine_id + "-" + e.hostname + "-" + std::to_string(now);
    e.now = now;
    auto r = MustWrite([&](StoreWriter& w) { return w.hosts().Enrol(e); });
    return r.ok() ? r->host : Host{};
  }

  // Walks all pages of the audit list; ids in the order seen.
  std::vector<int64_t> WalkAudit(ListQuery q) {
    std::vector<int64_t> ids;
    for (int pages = 0; pages < 100'000; ++pages) {
      auto page = store().audit().List(q);
      EXPECT_TRUE(page.ok()) << page.status().message();
      if (!page.ok()) break;
      for (const AuditEntry& e : page->items) ids.push_back(e.id);
      if (!page->next_cursor) break;
      q.cursor = *page->next_cursor;
    }
    return ids;
  }

  int secrets_ = 0;
};

TEST_F(PagingTest, PagesVisitEveryRowOnceInOrderWithTies) {
  AddAudit(1000, [](int i) { return 1000 + i % 13; });  // many equal times
  ListQuery q;
  q.limit = 37;
  q.sort = SortOrder{"time", false};
  std::vector<int64_t> ids = WalkAudit(q);
  ASSERT_EQ(ids.size(), 1000u);
  EXPECT_EQ(std::set<int64_t>(ids.begin(), ids.end()).size(), 1000u);
  // Ascending by (time, id).
  for (size_t i = 1; i < ids.size(); ++i) {
    auto a = store().audit().Get(ids[i - 1]).value().value();
    auto b = store().audit().Get(ids[i]).value().value();
    ASSERT_TRUE(a.time < b.time || (a.time == b.time && a.id < b.id)) << i;
  }
}

TEST_F(PagingTest, TotalCountsTheFilteredRowsOnEveryPage) {
  AddAudit(500, [](int i) { return i; });
  ListQuery q;
  q.limit = 10;
  q.filters.push_back({"action", FilterOp::kEq, std::string("a3")});
  auto first = store().audit().List(q);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->total, 71);  // i % 7 == 3 for i < 500
  EXPECT_EQ(first->items.size(), 10u);
  q.cursor = *first->next_cursor;
  auto second = store().audit().List(q);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->total, 71);
  for (const auto& e : second->items) EXPECT_EQ(e.action, "a3");
}

TEST_F(PagingTest, KeysetWalkSeesEveryExistingRowExactlyOnceDuringConcurrentInserts) {
  AddAudit(3000, [](int i) { return (i * 7919) % 500; });  // shuffled times, ties
  std::set<int64_t> before;
  {
    ListQuery all;
    all.limit = 10'000;
    auto page = store().audit().List(all);
    ASSERT_TRUE(page.ok());
    for (const auto& e : page->items) before.insert(e.id);
  }
  ASSERT_EQ(before.size(), 3000u);

  std::atomic<bool> stop{false};
  std::atomic<int> inserted{0};
  std::thread writer([&] {
    int n = 0;
    while (!stop) {
      // New rows land before, inside and after the walk's position.
      auto r =
          store()
              .Write([&](StoreWriter& w) -> Status {
                for (int k = 0; k < 5; ++k)
                  RETURN_IF_ERROR(w.audit().Append(Entry("new", (n * 31 + k * 97) % 600)).status());
                return Status::Ok();
              })
              .Wait();
      if (r.ok()) inserted += 5;
      ++n;
    }
  });
  for (bool descending : {false, true}) {
    ListQuery q;
    q.limit = 50;
    q.sort = SortOrder{"time", descending};
    std::vector<int64_t> ids = WalkAudit(q);
    std::map<int64_t, int> seen;
    for (int64_t id : ids) ++seen[id];
    for (const auto& [id, times] : seen) ASSERT_EQ(times, 1) << "row " << id << " seen twice";
    for (int64_t id : before) ASSERT_EQ(seen.count(id), 1u) << "row " << id << " skipped";
  }
  stop = true;
  writer.join();
  EXPECT_GT(inserted.load(), 0);
}

TEST_F(PagingTest, TextSortWalksHostsByHostnameBothWays) {
  int64_t secret = CreateSecret();
  // 60 hosts, hostnames repeat (different machines), so ids break ties.
  for (int i = 0; i < 60; ++i)
    Enrol(secret, "machine-" + std::to_string(i), "web-" + std::to_string(i % 9), 1000 + i);
  for (bool descending : {false, true}) {
    ListQuery q;
    q.limit = 7;
    q.sort = SortOrder{"hostname", descending};
    std::vector<Host> hosts;
    for (;;) {
      auto page = store().hosts().List(q);
      ASSERT_TRUE(page.ok()) << page.status().message();
      EXPECT_EQ(page->total, 60);
      hosts.insert(hosts.end(), page->items.begin(), page->items.end());
      if (!page->next_cursor) break;
      q.cursor = *page->next_cursor;
    }
    ASSERT_EQ(hosts.size(), 60u);
    for (size_t i = 1; i < hosts.size(); ++i) {
      const Host& a = descending ? hosts[i] : hosts[i - 1];
      const Host& b = descending ? hosts[i - 1] : hosts[i];
      ASSERT_TRUE(a.hostname < b.hostname || (a.hostname == b.hostname && a.id < b.id)) << i;
    }
  }
}

TEST_F(PagingTest, HostFiltersCombine) {
  int64_t plain = CreateSecret();
  int64_t prod = CreateSecret({"prod", "eu"});
  for (int i = 0; i < 10; ++i)
    Enrol(i % 2 ? prod : plain, "m" + std::to_string(i), "h" + std::to_string(i), 100 * i);
  ASSERT_TRUE(MustWrite([&](StoreWriter& w) { return w.hosts().Revoke(2, 5000); }).ok());

  ListQuery labelled;
  labelled.filters.push_back({"label", FilterOp::kEq, std::string("prod")});
  auto page = store().hosts().List(labelled);
  ASSERT_TRUE(page.ok()) << page.status().message();
  EXPECT_EQ(page->total, 5);
  for (const Host& h : page->items) EXPECT_EQ(h.labels, (std::vector<std::string>{"eu", "prod"}));

  ListQuery q;
  q.filters.push_back({"label", FilterOp::kEq, std::string("prod")});
  q.filters.push_back({"enrolled_at", FilterOp::kGe, int64_t{300}});
  q.filters.push_back({"enrolled_at", FilterOp::kLt, int64_t{800}});
  q.filters.push_back({"revoked", FilterOp::kEq, int64_t{0}});
  q.sort = SortOrder{"enrolled_at", true};
  page = store().hosts().List(q);
  ASSERT_TRUE(page.ok()) << page.status().message();
  std::vector<std::string> names;
  for (const Host& h : page->items) names.push_back(h.hostname);
  EXPECT_EQ(names, (std::vector<std::string>{"h7", "h5", "h3"}));

  ListQuery revoked;
  revoked.filters.push_back({"revoked", FilterOp::kEq, int64_t{1}});
  page = store().hosts().List(revoked);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->total, 1);
  EXPECT_EQ(page->items[0].id, 2);
}

TEST_F(PagingTest, AnyOfAndTextSearchNarrowTheList) {
  int64_t plain = CreateSecret();
  int64_t prod = CreateSecret({"prod"});
  int64_t lab = CreateSecret({"lab"});
  Enrol(plain, "m1", "web-1.example", 100);
  Enrol(prod, "m2", "WEB-2.example", 200);
  Enrol(lab, "m3", "db_1.example", 300);
  Enrol(lab, "m4", "db%1.example", 400);

  auto names = [&](const ListQuery& q) {
    std::set<std::string> out;
    auto page = store().hosts().List(q);
    EXPECT_TRUE(page.ok()) << page.status().message();
    if (page.ok()) {
      EXPECT_EQ(page->total, static_cast<int64_t>(page->items.size()));
      for (const Host& h : page->items) out.insert(h.hostname);
    }
    return out;
  };
  ListQuery labels;
  labels.filters.push_back(AnyOf({{"label", FilterOp::kEq, std::string("prod")},
                                  {"label", FilterOp::kEq, std::string("lab")}}));
  EXPECT_EQ(names(labels),
            (std::set<std::string>{"WEB-2.example", "db_1.example", "db%1.example"}));

  ListQuery search;  // ignores case, in any of the fields
  search.filters.push_back(AnyOf({{"hostname", FilterOp::kContains, std::string("web")},
                                  {"machine_id", FilterOp::kContains, std::string("m3")}}));
  EXPECT_EQ(names(search),
            (std::set<std::string>{"web-1.example", "WEB-2.example", "db_1.example"}));

  ListQuery literal;  // % and _ are text, not patterns
  literal.filters.push_back({"hostname", FilterOp::kContains, std::string("db%")});
  EXPECT_EQ(names(literal), (std::set<std::string>{"db%1.example"}));
  literal.filters[0].value = std::string("b_1");
  EXPECT_EQ(names(literal), (std::set<std::string>{"db_1.example"}));

  ListQuery both;  // and with the other filters
  both.filters.push_back(labels.filters[0]);
  both.filters.push_back({"hostname", FilterOp::kContains, std::string("DB")});
  both.filters.push_back({"enrolled_at", FilterOp::kGe, int64_t{350}});
  EXPECT_EQ(names(both), (std::set<std::string>{"db%1.example"}));

  ListQuery nested;
  nested.filters.push_back(AnyOf({labels.filters[0], search.filters[0]}));
  EXPECT_EQ(store().hosts().List(nested).status().code(), StatusCode::kInvalidArgument);
  ListQuery numeric;
  numeric.filters.push_back({"enrolled_at", FilterOp::kContains, std::string("1")});
  EXPECT_EQ(store().hosts().List(numeric).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(PagingTest, BadQueriesAreRefusedBeforeTouchingTheDatabase) {
  ListQuery q;
  q.sort = SortOrder{"before_json", false};
  auto page = store().audit().List(q);
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.status().code(), StatusCode::kInvalidArgument);
  q = ListQuery{};
  q.cursor = "not-a-cursor";
  EXPECT_EQ(store().audit().List(q).status().code(), StatusCode::kInvalidArgument);
}

// Peak resident memory since the last ResetPeakRss, in KiB.
int64_t PeakRssKb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stoll(line.substr(6));
  return -1;
}
int64_t CurrentRssKb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6));
  return -1;
}
bool ResetPeakRss() {
  std::ofstream clear("/proc/self/clear_refs");
  clear << "5";
  clear.flush();
  return static_cast<bool>(clear);
}

TEST_F(PagingTest, ExportStreamsOneHundredThousandRowsInBoundedMemory) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer keeps freed memory in quarantine: RSS says nothing here";
#elif defined(__SANITIZE_THREAD__)
  // Six minutes there, too: the race detector sees every byte of 100,000 rows.
  GTEST_SKIP() << "ThreadSanitizer's shadow memory grows with every byte touched: RSS says "
                  "nothing here";
#endif
  SqliteStoreOptions fast;  // durability is not what this test is about
  fast.synchronous_full = false;
  Open(fast);
  // About 60 MB if every row were held at once.
  std::string after = "{\"note\":\"" + std::string(400, 'x') + "\"}";
  AddAudit(
      100'000, [](int i) { return i; }, after);
  ListQuery q;
  q.filters.push_back({"time", FilterOp::kGe, int64_t{10}});
  ASSERT_TRUE(ResetPeakRss());
  int64_t base = CurrentRssKb();
  int64_t rows = 0;
  int64_t last_time = -1;
  bool ordered = true;
  Status st = store().audit().Export(q, [&](const AuditEntry& e) {
    ++rows;
    if (e.time > last_time && last_time != -1) ordered = false;  // newest first
    last_time = e.time;
    return Status::Ok();
  });
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(rows, 100'000 - 10);
  EXPECT_TRUE(ordered);
  int64_t peak = PeakRssKb();
  EXPECT_LT(peak - base, 16 * 1024) << "export grew RSS by " << (peak - base) << " KiB";
  RecordProperty("rss_growth_kb", std::to_string(peak - base));
}

TEST_F(PagingTest, ExportStopsAtTheCallersError) {
  AddAudit(3000, [](int i) { return i; });
  int64_t rows = 0;
  Status st = store().audit().Export(ListQuery{}, [&](const AuditEntry&) {
    return ++rows == 1500 ? IoError("client went away") : Status::Ok();
  });
  EXPECT_EQ(st.message(), "client went away");
  EXPECT_EQ(rows, 1500);
}

}  // namespace
}  // namespace warden::store

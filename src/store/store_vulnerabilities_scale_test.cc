// How the fleet-wide vulnerability views behave at about a million findings
// (2,000 hosts x 500 findings over 2,000 CVEs in 400 packages). Disabled by
// default (it takes minutes); run it by hand to measure:
//   build/store_test --gtest_also_run_disabled_tests --gtest_filter='*AtScale*'
// With WARDEN_SCALE_DIR=DIR the database is kept in DIR and reused by the
// next run (then only the queries are measured).
// It prints what each step costs and fails only when a page takes longer
// than a generous bound, so a plan regression (a full aggregation per page)
// shows.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "store/store_test_fixture.h"

namespace warden::store {
namespace {

using Clock = std::chrono::steady_clock;

double MsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

class VulnerabilityViewsAtScale : public StoreTest {};

TEST_F(VulnerabilityViewsAtScale, DISABLED_PagesStayFastAtAMillionFindings) {
  constexpr int kHosts = 2000;
  constexpr int kPerHost = 500;
  constexpr int kCves = 2000;
  constexpr int kHostsPerWrite = 20;
  bool reuse = false;
  if (const char* keep = std::getenv("WARDEN_SCALE_DIR"); keep != nullptr && *keep != '\0') {
    SqliteStoreOptions options;
    options.path = std::string(keep) + "/server.db";
    reuse = std::filesystem::exists(options.path);
    store_.reset();
    auto opened = OpenSqliteStore(options);
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    store_ = std::move(*opened);
  }
  int64_t secret_id = 0;
  if (!reuse) {
    NewEnrolSecret s;
    s.name = "default";
    s.sha256 = "secret-hash";
    s.created_at = 1;
    auto secret = MustWrite([&](StoreWriter& w) { return w.enrol_secrets().Create(s); });
    ASSERT_TRUE(secret.ok());
    secret_id = secret->id;
  }

  auto finding = [](int cve, int host) {
    VulnerabilityFindingRow f;
    const int pkg = cve % 400;
    f.cve = "CVE-2024-" + std::to_string(10000 + cve);
    f.package = "pkg-" + std::to_string(pkg);
    f.source_package = "src-" + std::to_string(pkg / 2);
    f.installed_version = "1.0-" + std::to_string(host % 3);
    if (cve % 5 != 0) {
      f.fixed_version = "1.0-" + std::to_string(3 + cve % 7);
      f.vendor_status = "fixed";
      f.upgrade_command = "apt-get install --only-upgrade " + f.package;
    }
    f.severity = cve % 5;
    f.cvss_score = (cve % 100) / 10.0;
    f.nvd_link = "https://nvd.nist.gov/vuln/detail/" + f.cve;
    f.vendor_links = {"https://security-tracker.debian.org/tracker/" + f.cve};
    f.release = "debian 12";
    f.title = "a description of " + f.cve;
    f.feeds = {"debian-tracker"};
    return f;
  };

  auto start = Clock::now();
  std::vector<int64_t> hosts;
  for (int h = 0; h < kHosts && !reuse; ++h) {
    HostEnrolment e;
    e.machine_id = "m-" + std::to_string(h);
    e.hostname = "host-" + std::to_string(h);
    e.enrol_secret_id = secret_id;
    e.node_key_sha256 = "node-" + std::to_string(h);
    e.now = 10;
    auto r = MustWrite([&](StoreWriter& w) -> Result<int64_t> {
      ASSIGN_OR_RETURN(EnrolOutcome out, w.hosts().Enrol(e));
      if (h % 10 == 0) RETURN_IF_ERROR(w.hosts().SetLabels(out.host.id, {"canary"}).status());
      return out.host.id;
    });
    ASSERT_TRUE(r.ok());
    hosts.push_back(*r);
  }
  for (int first = 0; first < kHosts && !reuse; first += kHostsPerWrite) {
    auto r = store_
                 ->Write([&](StoreWriter& w) -> Status {
                   for (int h = first; h < first + kHostsPerWrite; ++h) {
                     std::vector<VulnerabilityFindingRow> rows;
                     for (int k = 0; k < kPerHost; ++k)
                       rows.push_back(finding((h * 7 + k * 3) % kCves, h));
                     RETURN_IF_ERROR(
                         w.vulnerabilities()
                             .ReplaceForHost(hosts[h], "host-" + std::to_string(h), rows, 100)
                             .status());
                   }
                   return Status::Ok();
                 })
                 .Wait();
    ASSERT_TRUE(r.ok()) << r.status().message();
  }
  if (!reuse) {
    std::printf("write %d findings on %d hosts, %d hosts per write: %.0f ms\n", kHosts * kPerHost,
                kHosts, kHostsPerWrite, MsSince(start));
    start = Clock::now();
    int writes = 0;
    double longest = 0;
    for (;;) {
      auto one = Clock::now();
      auto left =
          store_
              ->Write([](StoreWriter& w) {
                return w.vulnerabilities().RefreshSummaries(500, std::chrono::milliseconds(100), 1);
              })
              .Wait();
      ASSERT_TRUE(left.ok()) << left.status().message();
      longest = std::max(longest, MsSince(one));
      ++writes;
      if (*left == 0) break;
    }
    std::printf("recompute every summary row: %.0f ms in %d writes (longest %.0f ms)\n",
                MsSince(start), writes, longest);
  } else {
    ListQuery all;
    all.limit = kHosts;
    all.sort = SortOrder{"id", false};
    auto listed = store().hosts().List(all);
    ASSERT_TRUE(listed.ok());
    for (const Host& h : listed->items) hosts.push_back(h.id);
    ASSERT_EQ(hosts.size(), static_cast<size_t>(kHosts));
  }

  // One host's rematch: unchanged, then 10 findings different.
  {
    std::vector<VulnerabilityFindingRow> rows;
    for (int k = 0; k < kPerHost; ++k) rows.push_back(finding((7 + k * 3) % kCves, 1));
    start = Clock::now();
    ASSERT_TRUE(store_
                    ->Write([&](StoreWriter& w) {
                      return w.vulnerabilities().ReplaceForHost(hosts[1], "host-1", rows, 200);
                    })
                    .Wait()
                    .ok());
    std::printf("rematch one host, nothing changed: %.1f ms\n", MsSince(start));
    for (int k = 0; k < 10; ++k) rows[k].severity = 4;
    start = Clock::now();
    ASSERT_TRUE(store_
                    ->Write([&](StoreWriter& w) {
                      return w.vulnerabilities().ReplaceForHost(hosts[1], "host-1", rows, 300);
                    })
                    .Wait()
                    .ok());
    std::printf("rematch one host, 10 findings changed: %.1f ms\n", MsSince(start));
    start = Clock::now();
    ASSERT_TRUE(store_
                    ->Write([](StoreWriter& w) {
                      return w.vulnerabilities().RefreshSummaries(500, std::chrono::seconds(60), 2);
                    })
                    .Wait()
                    .ok());
    std::printf("  and recompute the summary rows it changed: %.1f ms\n", MsSince(start));
  }

  auto timed = [&](const char* what, auto fn, double bound_ms) {
    auto t = Clock::now();
    auto page = fn();
    const double ms = MsSince(t);
    EXPECT_TRUE(page.ok()) << what << ": " << page.status().message();
    if (page.ok())
      std::printf("%-58s %8.1f ms  (%zu rows, total %lld)\n", what, ms, page->items.size(),
                  static_cast<long long>(page->total));
    EXPECT_LT(ms, bound_ms) << what;
    return page.ok() ? page->next_cursor : std::nullopt;
  };
  auto query = [](std::string sort, bool desc, std::vector<FieldFilter> filters = {}) {
    ListQuery q;
    q.sort = SortOrder{std::move(sort), desc};
    q.filters = std::move(filters);
    return q;
  };
  VulnerabilityFindingRepository& v = store().vulnerabilities();
  std::optional<std::string> first = timed(
      "by CVE, -host_count, first page of 100",
      [&] { return v.ListByCve(query("host_count", true)); }, 100);
  ASSERT_TRUE(first);
  ListQuery next = query("host_count", true);
  next.cursor = *first;
  timed(
      "by CVE, -host_count, next page", [&] { return v.ListByCve(next); }, 100);
  timed(
      "by CVE, -severity, min_severity=high",
      [&] {
        return v.ListByCve(query("severity", true, {{"severity", FilterOp::kGe, int64_t{3}}}));
      },
      100);
  timed(
      "by CVE, label=canary (200 hosts, 100k findings)",
      [&] {
        return v.ListByCve(
            query("host_count", true, {{"label", FilterOp::kEq, std::string("canary")}}));
      },
      5000);
  timed(
      "by CVE, one host",
      [&] {
        return v.ListByCve(query("severity", true, {{"host_id", FilterOp::kEq, hosts[5]}}));
      },
      200);
  timed(
      "by package, -host_count", [&] { return v.ListByPackage(query("host_count", true)); }, 100);
  timed(
      "fix-first, -impact", [&] { return v.ListFixFirst(query("impact", true)); }, 100);
  timed(
      "fix-first, label=canary",
      [&] {
        return v.ListFixFirst(
            query("impact", true, {{"label", FilterOp::kEq, std::string("canary")}}));
      },
      10000);
  timed(
      "fix-first, one host",
      [&] {
        return v.ListFixFirst(query("impact", true, {{"host_id", FilterOp::kEq, hosts[5]}}));
      },
      500);
  timed(
      "one CVE's hosts, by hostname",
      [&] {
        return v.List(
            query("hostname", false, {{"cve", FilterOp::kEq, std::string("CVE-2024-10003")}}));
      },
      200);
  timed(
      "all findings, -severity", [&] { return v.List(query("severity", true)); }, 500);
  auto t = Clock::now();
  auto detail = v.GetCve("CVE-2024-10003");
  ASSERT_TRUE(detail.ok() && detail->has_value());
  std::printf("%-58s %8.1f ms  (%lld hosts)\n", "one CVE in detail", MsSince(t),
              static_cast<long long>((*detail)->summary.host_count));
}

}  // namespace
}  // namespace warden::store

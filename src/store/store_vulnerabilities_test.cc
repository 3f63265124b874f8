// The fleet-wide vulnerability views: by CVE, by package and fix-first, from
// their summary rows and narrowed to some hosts (host_id, label), kept in
// step with the findings; and the matching bookkeeping (hosts to match,
// progress, feeds).
#include <gtest/gtest.h>

#include "store/store_test_fixture.h"

namespace warden::store {
namespace {

class VulnerabilityViewsTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    NewEnrolSecret s;
    s.name = "default";
    s.sha256 = "secret-hash";
    s.created_at = 1;
    auto created = MustWrite([&](StoreWriter& w) { return w.enrol_secrets().Create(s); });
    ASSERT_TRUE(created.ok());
    secret_ = created->id;
  }

  int64_t Enrol(const std::string& hostname, std::vector<std::string> labels = {}) {
    HostEnrolment e;
    e.machine_id = "m-" + hostname;
    e.hostname = hostname;
    e.enrol_secret_id = secret_;
    e.node_key_sha256 = "node-" + hostname;
    e.now = 10;
    auto r = MustWrite([&](StoreWriter& w) { return w.hosts().Enrol(e); });
    if (!r.ok()) return 0;
    if (!labels.empty()) {
      EXPECT_TRUE(
          MustWrite([&](StoreWriter& w) { return w.hosts().SetLabels(r->host.id, labels); }).ok());
    }
    return r->host.id;
  }

  // A Debian 12 finding; `fixed` empty: no fix.
  static VulnerabilityFindingRow Finding(const std::string& cve, const std::string& package,
                                         const std::string& source, const std::string& installed,
                                         const std::string& fixed, int severity) {
    VulnerabilityFindingRow f;
    f.cve = cve;
    f.package = package;
    f.source_package = source;
    f.installed_version = installed;
    if (!fixed.empty()) {
      f.fixed_version = fixed;
      f.vendor_status = "fixed";
      f.upgrade_command = "apt-get install --only-upgrade " + package;
    }
    f.severity = severity;
    f.cvss_score = 5.0 + severity;
    f.nvd_link = "https://nvd.nist.gov/vuln/detail/" + cve;
    f.vendor_links = {"https://security-tracker.debian.org/tracker/" + cve};
    f.release = "debian 12";
    f.title = cve + " in " + source;
    f.feeds = {"debian-tracker"};
    return f;
  }

  void Replace(int64_t host, const std::vector<VulnerabilityFindingRow>& findings,
               EpochMs at = 100) {
    ASSERT_TRUE(MustWrite([&](StoreWriter& w) {
                  return w.vulnerabilities().ReplaceForHost(host, "host-" + std::to_string(host),
                                                            findings, at);
                }).ok());
  }

  // Recomputes every stale summary row.
  void Refresh() {
    for (int i = 0; i < 100; ++i) {
      auto left = MustWrite([](StoreWriter& w) {
        return w.vulnerabilities().RefreshSummaries(3, std::chrono::seconds(10), 1);
      });
      ASSERT_TRUE(left.ok());
      if (*left == 0) return;
    }
    FAIL() << "summaries never settled";
  }

  // Three hosts: web-1 and web-2 (label prod) on old openssl (two CVEs
  // fixed in two versions, on libssl3 and openssl) and zlib (no fix);
  // db-1 has one openssl CVE only.
  void ThreeHosts() {
    web1_ = Enrol("web-1", {"prod"});
    web2_ = Enrol("web-2", {"prod"});
    db1_ = Enrol("db-1");
    std::vector<VulnerabilityFindingRow> web = {
        Finding("CVE-2023-5678", "libssl3", "openssl", "3.0.11-1~deb12u1", "3.0.11-1~deb12u2", 2),
        Finding("CVE-2023-5678", "openssl", "openssl", "3.0.11-1~deb12u1", "3.0.11-1~deb12u2", 2),
        Finding("CVE-2024-0727", "libssl3", "openssl", "3.0.11-1~deb12u1", "3.0.13-1~deb12u1", 1),
        Finding("CVE-2024-0727", "openssl", "openssl", "3.0.11-1~deb12u1", "3.0.13-1~deb12u1", 1),
        Finding("CVE-2023-45853", "zlib1g", "zlib", "1:1.2.13.dfsg-1", "", 3),
    };
    Replace(web1_, web);
    Replace(web2_, web);
    Replace(db1_,
            {Finding("CVE-2024-0727", "libssl3", "openssl", "3.0.9-1", "3.0.13-1~deb12u1", 1)});
    Refresh();
  }

  ListQuery Query(std::string sort, bool descending, std::vector<FieldFilter> filters = {}) {
    ListQuery q;
    q.sort = SortOrder{std::move(sort), descending};
    q.filters = std::move(filters);
    return q;
  }

  int64_t secret_ = 0;
  int64_t web1_ = 0, web2_ = 0, db1_ = 0;
};

TEST_F(VulnerabilityViewsTest, ByCveCountsHostsAndPackagesAcrossTheFleet) {
  ThreeHosts();
  auto page = store().vulnerabilities().ListByCve(Query("host_count", true));
  ASSERT_TRUE(page.ok()) << page.status().message();
  ASSERT_EQ(page->items.size(), 3u);
  EXPECT_EQ(page->total, 3);
  const VulnerabilitySummary& top = page->items[0];
  EXPECT_EQ(top.cve, "CVE-2024-0727");
  EXPECT_EQ(top.host_count, 3);
  EXPECT_EQ(top.package_count, 2);
  EXPECT_TRUE(top.fix_available);
  EXPECT_EQ(top.severity, 1);
  EXPECT_EQ(top.cvss_score, 6.0);
  EXPECT_EQ(top.nvd_link, "https://nvd.nist.gov/vuln/detail/CVE-2024-0727");
  EXPECT_EQ(top.vendor_links.size(), 1u);
  EXPECT_EQ(top.title, "CVE-2024-0727 in openssl");

  // Default order: most severe first; zlib's CVE has no fix.
  auto by_severity = store().vulnerabilities().ListByCve(ListQuery{});
  ASSERT_TRUE(by_severity.ok());
  EXPECT_EQ(by_severity->items[0].cve, "CVE-2023-45853");
  EXPECT_FALSE(by_severity->items[0].fix_available);
  EXPECT_EQ(by_severity->items[0].host_count, 2);

  // Filters on the CVE's own values, and keyset pages.
  auto fixable = store().vulnerabilities().ListByCve(
      Query("cve", false, {{"fix_available", FilterOp::kEq, int64_t{1}}}));
  ASSERT_TRUE(fixable.ok());
  EXPECT_EQ(fixable->total, 2);
  ListQuery first = Query("cve", false);
  first.limit = 2;
  auto p1 = store().vulnerabilities().ListByCve(first);
  ASSERT_TRUE(p1.ok() && p1->next_cursor);
  first.cursor = *p1->next_cursor;
  auto p2 = store().vulnerabilities().ListByCve(first);
  ASSERT_TRUE(p2.ok());
  ASSERT_EQ(p2->items.size(), 1u);
  EXPECT_EQ(p2->items[0].cve, "CVE-2024-0727");
  EXPECT_FALSE(p2->next_cursor);
}

TEST_F(VulnerabilityViewsTest, ByPackageCountsCvesHostsAndInstalledVersions) {
  ThreeHosts();
  auto page = store().vulnerabilities().ListByPackage(Query("host_count", true));
  ASSERT_TRUE(page.ok()) << page.status().message();
  ASSERT_EQ(page->items.size(), 3u);
  const VulnerablePackageSummary& libssl = page->items[0];
  EXPECT_EQ(libssl.package, "libssl3");
  EXPECT_EQ(libssl.source_package, "openssl");
  EXPECT_EQ(libssl.cve_count, 2);
  EXPECT_EQ(libssl.host_count, 3);
  EXPECT_EQ(libssl.installed_versions, (std::vector<std::string>{"3.0.11-1~deb12u1", "3.0.9-1"}));
  EXPECT_TRUE(libssl.fix_available);
  EXPECT_EQ(libssl.max_severity, 2);
  EXPECT_EQ(libssl.max_cvss, 7.0);

  auto severe = store().vulnerabilities().ListByPackage(
      Query("package", false, {{"max_severity", FilterOp::kGe, int64_t{3}}}));
  ASSERT_TRUE(severe.ok());
  ASSERT_EQ(severe->items.size(), 1u);
  EXPECT_EQ(severe->items[0].package, "zlib1g");
  EXPECT_FALSE(severe->items[0].fix_available);
}

TEST_F(VulnerabilityViewsTest, FixFirstIsTheNewestFixOfEachPackageRankedByWhatItClears) {
  ThreeHosts();
  auto page = store().vulnerabilities().ListFixFirst(ListQuery{});  // default -impact
  ASSERT_TRUE(page.ok()) << page.status().message();
  // zlib has no fix: no upgrade to offer.
  ASSERT_EQ(page->items.size(), 1u);
  const FixFirstRow& openssl = page->items[0];
  EXPECT_EQ(openssl.package, "openssl");
  EXPECT_EQ(openssl.release, "debian 12");
  // 3.0.13-1~deb12u1 is newer than 3.0.11-1~deb12u2 (dpkg order): it clears both.
  EXPECT_EQ(openssl.fixed_version, "3.0.13-1~deb12u1");
  EXPECT_EQ(openssl.upgrade_command, "apt-get install --only-upgrade libssl3 openssl");
  EXPECT_EQ(openssl.cves, (std::vector<std::string>{"CVE-2023-5678", "CVE-2024-0727"}));
  EXPECT_EQ(openssl.cves_cleared, 2);
  EXPECT_EQ(openssl.host_count, 3);
  EXPECT_EQ(openssl.impact, 5);  // web-1 and web-2: two CVEs each; db-1: one
  EXPECT_EQ(openssl.max_severity, 2);
  EXPECT_EQ(openssl.max_cvss, 7.0);
}

TEST_F(VulnerabilityViewsTest, FixFirstRanksUpgradesByImpact) {
  ThreeHosts();
  // A second upgrade that clears less: one CVE on one host.
  int64_t other = Enrol("app-1");
  Replace(other, {Finding("CVE-2024-9999", "curl", "curl", "7.88.1-10", "7.88.1-10+deb12u5", 4)});
  Refresh();
  auto page = store().vulnerabilities().ListFixFirst(ListQuery{});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->items.size(), 2u);
  EXPECT_EQ(page->items[0].package, "openssl");
  EXPECT_EQ(page->items[1].package, "curl");
  EXPECT_EQ(page->items[1].impact, 1);
  auto by_severity = store().vulnerabilities().ListFixFirst(Query("max_severity", true));
  ASSERT_TRUE(by_severity.ok());
  EXPECT_EQ(by_severity->items[0].package, "curl");
}

TEST_F(VulnerabilityViewsTest, LabelAndHostFiltersCountOnlyThoseHosts) {
  ThreeHosts();
  auto prod = store().vulnerabilities().ListByCve(
      Query("host_count", true, {{"label", FilterOp::kEq, std::string("prod")}}));
  ASSERT_TRUE(prod.ok()) << prod.status().message();
  ASSERT_EQ(prod->items.size(), 3u);
  EXPECT_EQ(prod->total, 3);
  for (const VulnerabilitySummary& s : prod->items) EXPECT_EQ(s.host_count, 2) << s.cve;

  auto db =
      store().vulnerabilities().ListByCve(Query("cve", false, {{"host_id", FilterOp::kEq, db1_}}));
  ASSERT_TRUE(db.ok());
  ASSERT_EQ(db->items.size(), 1u);
  EXPECT_EQ(db->items[0].cve, "CVE-2024-0727");
  EXPECT_EQ(db->items[0].host_count, 1);
  EXPECT_EQ(db->items[0].package_count, 1);

  auto zlib = store().vulnerabilities().ListByCve(
      Query("cve", false, {{"package", FilterOp::kEq, std::string("zlib")}}));  // the source
  ASSERT_TRUE(zlib.ok());
  ASSERT_EQ(zlib->items.size(), 1u);
  EXPECT_EQ(zlib->items[0].cve, "CVE-2023-45853");

  auto fix = store().vulnerabilities().ListFixFirst(
      Query("impact", true, {{"label", FilterOp::kEq, std::string("prod")}}));
  ASSERT_TRUE(fix.ok()) << fix.status().message();
  ASSERT_EQ(fix->items.size(), 1u);
  EXPECT_EQ(fix->items[0].impact, 4);
  EXPECT_EQ(fix->items[0].host_count, 2);
  EXPECT_EQ(fix->items[0].fixed_version, "3.0.13-1~deb12u1");
  EXPECT_EQ(fix->items[0].upgrade_command, "apt-get install --only-upgrade libssl3 openssl");
  EXPECT_EQ(fix->items[0].cves.size(), 2u);

  auto db_fix = store().vulnerabilities().ListFixFirst(
      Query("impact", true, {{"host_id", FilterOp::kEq, db1_}}));
  ASSERT_TRUE(db_fix.ok());
  ASSERT_EQ(db_fix->items.size(), 1u);
  EXPECT_EQ(db_fix->items[0].impact, 1);
  EXPECT_EQ(db_fix->items[0].upgrade_command, "apt-get install --only-upgrade libssl3");

  auto db_packages = store().vulnerabilities().ListByPackage(
      Query("package", false, {{"host_id", FilterOp::kEq, db1_}}));
  ASSERT_TRUE(db_packages.ok());
  ASSERT_EQ(db_packages->items.size(), 1u);
  EXPECT_EQ(db_packages->items[0].installed_versions, std::vector<std::string>{"3.0.9-1"});

  // The findings list takes the label too.
  auto findings =
      store().vulnerabilities().List(Query("hostname", false,
                                           {{"label", FilterOp::kEq, std::string("prod")},
                                            {"cve", FilterOp::kEq, std::string("CVE-2024-0727")}}));
  ASSERT_TRUE(findings.ok()) << findings.status().message();
  EXPECT_EQ(findings->total, 4);

  std::vector<VulnerabilitySummary> exported;
  ASSERT_TRUE(store()
                  .vulnerabilities()
                  .ExportByCve(Query("cve", false, {{"label", FilterOp::kEq, std::string("prod")}}),
                               [&](const VulnerabilitySummary& s) {
                                 exported.push_back(s);
                                 return Status::Ok();
                               })
                  .ok());
  EXPECT_EQ(exported.size(), 3u);
}

TEST_F(VulnerabilityViewsTest, SummariesFollowChangedAndDeletedHosts) {
  ThreeHosts();
  // web-2 upgraded openssl: only zlib is left there.
  Replace(web2_, {Finding("CVE-2023-45853", "zlib1g", "zlib", "1:1.2.13.dfsg-1", "", 3)}, 200);
  auto stale = store().vulnerabilities().StaleSummaries();
  ASSERT_TRUE(stale.ok());
  EXPECT_GT(*stale, 0);
  Refresh();
  auto fix = store().vulnerabilities().ListFixFirst(ListQuery{});
  ASSERT_TRUE(fix.ok());
  ASSERT_EQ(fix->items.size(), 1u);
  EXPECT_EQ(fix->items[0].host_count, 2);
  EXPECT_EQ(fix->items[0].impact, 3);

  ASSERT_TRUE(MustWrite([&](StoreWriter& w) { return w.hosts().Delete(web1_); }).ok());
  ASSERT_TRUE(MustWrite([&](StoreWriter& w) { return w.hosts().Delete(db1_); }).ok());
  Refresh();
  auto left = store().vulnerabilities().ListByCve(ListQuery{});
  ASSERT_TRUE(left.ok());
  ASSERT_EQ(left->items.size(), 1u);
  EXPECT_EQ(left->items[0].cve, "CVE-2023-45853");
  EXPECT_EQ(left->items[0].host_count, 1);
  auto no_fix = store().vulnerabilities().ListFixFirst(ListQuery{});
  ASSERT_TRUE(no_fix.ok());
  EXPECT_TRUE(no_fix->items.empty());
}

TEST_F(VulnerabilityViewsTest, ReplacingWithTheSameFindingsLeavesSummariesFresh) {
  ThreeHosts();
  auto before =
      store().vulnerabilities().List(Query("cve", false, {{"host_id", FilterOp::kEq, web1_}}));
  ASSERT_TRUE(before.ok());
  std::vector<VulnerabilityFindingRow> same;
  for (const VulnerabilityFindingRow& f : before->items) same.push_back(f);
  Replace(web1_, same, 300);
  auto stale = store().vulnerabilities().StaleSummaries();
  ASSERT_TRUE(stale.ok());
  EXPECT_EQ(*stale, 0);
  auto after =
      store().vulnerabilities().List(Query("cve", false, {{"host_id", FilterOp::kEq, web1_}}));
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after->items.size(), before->items.size());
  for (size_t i = 0; i < after->items.size(); ++i) {
    EXPECT_EQ(after->items[i].id, before->items[i].id);
    EXPECT_EQ(after->items[i].first_seen_at, 100);
    EXPECT_EQ(after->items[i].last_seen_at, 300);
    EXPECT_EQ(after->items[i].title, before->items[i].title);
    EXPECT_EQ(after->items[i].feeds, std::vector<std::string>{"debian-tracker"});
    EXPECT_EQ(after->items[i].release, "debian 12");
  }
}

TEST_F(VulnerabilityViewsTest, OneCveInDetailHasItsPackagesPerRelease) {
  ThreeHosts();
  auto detail = store().vulnerabilities().GetCve("CVE-2024-0727");
  ASSERT_TRUE(detail.ok()) << detail.status().message();
  ASSERT_TRUE(detail->has_value());
  const VulnerabilityDetail& d = **detail;
  EXPECT_EQ(d.summary.host_count, 3);
  EXPECT_EQ(d.feeds, std::vector<std::string>{"debian-tracker"});
  ASSERT_EQ(d.packages.size(), 2u);
  EXPECT_EQ(d.packages[0].package, "libssl3");
  EXPECT_EQ(d.packages[0].release, "debian 12");
  EXPECT_EQ(d.packages[0].fixed_version, "3.0.13-1~deb12u1");
  EXPECT_EQ(d.packages[0].vendor_status, "fixed");
  EXPECT_EQ(d.packages[0].host_count, 3);
  EXPECT_EQ(d.packages[1].host_count, 2);
  auto missing = store().vulnerabilities().GetCve("CVE-1999-0001");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
}

TEST_F(VulnerabilityViewsTest, HostsToMatchAreThoseWithNewerPackagesOrAnotherFeed) {
  int64_t a = Enrol("a");
  int64_t b = Enrol("b");
  Enrol("no-packages");
  HostPackage p;
  p.name = "openssl";
  p.version = "3.0.11-1~deb12u1";
  for (int64_t host : {a, b})
    ASSERT_TRUE(MustWrite([&](StoreWriter& w) {
                  return w.inventory().ReplacePackages(host, {p}, 1000);
                }).ok());
  auto todo = store().vulnerabilities().HostsToMatch("feed-1", 10);
  ASSERT_TRUE(todo.ok());
  ASSERT_EQ(todo->size(), 2u);
  EXPECT_EQ((*todo)[0].host_id, a);
  EXPECT_EQ((*todo)[0].packages_at, 1000);

  HostMatchRecord r;
  r.host_id = a;
  r.matched_at = 2000;
  r.packages_at = 1000;
  r.feed_token = "feed-1";
  r.findings = 3;
  ASSERT_TRUE(MustWrite([&](StoreWriter& w) { return w.vulnerabilities().RecordMatch(r); }).ok());
  todo = store().vulnerabilities().HostsToMatch("feed-1", 10);
  ASSERT_TRUE(todo.ok());
  ASSERT_EQ(todo->size(), 1u);
  EXPECT_EQ((*todo)[0].host_id, b);
  HostMatchRecord skipped = r;
  skipped.host_id = b;
  skipped.outcome = "skipped";
  skipped.message = "no vendor vulnerability feed for this OS";
  ASSERT_TRUE(
      MustWrite([&](StoreWriter& w) { return w.vulnerabilities().RecordMatch(skipped); }).ok());
  auto progress = store().vulnerabilities().Progress("feed-1");
  ASSERT_TRUE(progress.ok());
  EXPECT_EQ(progress->matched_at, 2000);
  EXPECT_EQ(progress->hosts_matched, 1);  // b was looked at, not matched

  // A newer snapshot, or another feed: matched again.
  EXPECT_TRUE(store().vulnerabilities().HostsToMatch("feed-1", 10)->empty());
  ASSERT_TRUE(
      MustWrite([&](StoreWriter& w) { return w.inventory().ReplacePackages(a, {p}, 3000); }).ok());
  todo = store().vulnerabilities().HostsToMatch("feed-1", 10);
  ASSERT_TRUE(todo.ok());
  ASSERT_EQ(todo->size(), 1u);
  EXPECT_EQ((*todo)[0].host_id, a);
  r.packages_at = 3000;
  ASSERT_TRUE(MustWrite([&](StoreWriter& w) { return w.vulnerabilities().RecordMatch(r); }).ok());
  todo = store().vulnerabilities().HostsToMatch("feed-2", 10);
  ASSERT_TRUE(todo.ok());
  EXPECT_EQ(todo->size(), 2u);
  progress = store().vulnerabilities().Progress("feed-2");
  ASSERT_TRUE(progress.ok());
  EXPECT_EQ(progress->hosts_matched, 0);
}

TEST_F(VulnerabilityViewsTest, FeedsKeepTheirChecksumUntilReimportedWithoutOne) {
  VulnerabilityFeed tracker{
      "debian-tracker", "debian-tracker-json", "tracker.json", "abc", 1000, 10, 4};
  ASSERT_TRUE(
      MustWrite([&](StoreWriter& w) { return w.vulnerabilities().ReplaceFeeds({tracker}); }).ok());
  VulnerabilityFeed osv{"osv-debian", "osv-json", "DSA.json", "", 2000, 1, 1};
  tracker.sha256.clear();
  ASSERT_TRUE(MustWrite([&](StoreWriter& w) {
                return w.vulnerabilities().ReplaceFeeds({tracker, osv});
              }).ok());
  auto feeds = store().vulnerabilities().Feeds();
  ASSERT_TRUE(feeds.ok());
  ASSERT_EQ(feeds->size(), 2u);
  EXPECT_EQ((*feeds)[0].sha256, "abc");  // same import
  tracker.imported_at = 3000;            // imported again, by another way
  ASSERT_TRUE(
      MustWrite([&](StoreWriter& w) { return w.vulnerabilities().ReplaceFeeds({tracker}); }).ok());
  feeds = store().vulnerabilities().Feeds();
  ASSERT_TRUE(feeds.ok());
  ASSERT_EQ(feeds->size(), 1u);
  EXPECT_EQ((*feeds)[0].sha256, "");
  EXPECT_EQ((*feeds)[0].records, 10);
}

}  // namespace
}  // namespace warden::store

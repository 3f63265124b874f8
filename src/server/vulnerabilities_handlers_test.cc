// The vulnerability views and the feed operations on a real server, every
// answer validated against the API contract: lists and exports by CVE, by
// package and fix-first (with label and host filters), one CVE and its
// hosts, 404s, refused filters; feed imports refused with a reason and the
// feeds kept, the status of an import, its audit entry.
#include <gtest/gtest.h>

#include <string>

#include "core/encoding.h"
#include "server/server_test_support.h"

namespace warden::server::testing {
namespace {

const std::string kPassword = "correct horse battery";

Json Body(const ClientResponse& r) { return Json::parse(r.body, nullptr, false); }

#define EXPECT_MATCHES_SPEC(operation_id, response)                          \
  do {                                                                       \
    Status valid_ = ValidateAgainstSpec(operation_id, response);             \
    EXPECT_TRUE(valid_.ok()) << valid_.message() << "\n" << (response).body; \
  } while (0)

store::VulnerabilityFindingRow Finding(const std::string& cve, const std::string& package,
                                       const std::string& fixed, int severity) {
  store::VulnerabilityFindingRow f;
  f.cve = cve;
  f.package = package;
  f.source_package = "openssl";
  f.installed_version = "3.0.11-1~deb12u1";
  if (!fixed.empty()) {
    f.fixed_version = fixed;
    f.vendor_status = "fixed";
    f.upgrade_command = "apt-get install --only-upgrade " + package;
  }
  f.severity = severity;
  f.cvss_score = 7.5;
  f.nvd_link = "https://nvd.nist.gov/vuln/detail/" + cve;
  f.release = "debian 12";
  f.title = "=HYPERLINK(\"x\")\nsecond line";
  f.feeds = {"debian-tracker"};
  return f;
}

class VulnerabilityHandlersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.ok());
    store::User admin = server_.AddUser("alice", auth::Role::kAdmin, kPassword);
    admin_ = server_.AddToken(admin.id);
    server_.AddUser("victor", auth::Role::kViewer, kPassword);
    viewer_ = server_.Login("victor", kPassword);
  }

  // Two hosts with findings written as the matcher writes them, one labelled
  // prod; the summary rows recomputed.
  void Seed() {
    server_.AddNodeKey("web-1");
    web1_ = server_.last_host_id();
    server_.AddNodeKey("db-1");
    db1_ = server_.last_host_id();
    auto done =
        server_.store()
            .Write([&](store::StoreWriter& w) -> Status {
              RETURN_IF_ERROR(w.hosts().SetLabels(web1_, {"prod"}).status());
              RETURN_IF_ERROR(
                  w.vulnerabilities()
                      .ReplaceForHost(web1_, "web-1",
                                      {Finding("CVE-2023-5678", "libssl3", "3.0.11-1~deb12u2", 2),
                                       Finding("CVE-2024-0727", "libssl3", "3.0.13-1~deb12u1", 1),
                                       Finding("CVE-2023-45853", "openssl", "", 3)},
                                      1000)
                      .status());
              return w.vulnerabilities()
                  .ReplaceForHost(db1_, "db-1",
                                  {Finding("CVE-2024-0727", "libssl3", "3.0.13-1~deb12u1", 1)},
                                  1000)
                  .status();
            })
            .Wait();
    ASSERT_TRUE(done.ok()) << done.status().message();
    for (;;) {
      auto left =
          server_.store()
              .Write([](store::StoreWriter& w) {
                return w.vulnerabilities().RefreshSummaries(100, std::chrono::seconds(10), 1);
              })
              .Wait();
      ASSERT_TRUE(left.ok());
      if (*left == 0) break;
    }
  }

  ClientResponse Get(const std::string& operation_id, const std::string& target) {
    ClientResponse r = server_.Call("GET", target, viewer_);
    EXPECT_MATCHES_SPEC(operation_id, r);
    return r;
  }

  TestServer server_;
  Credentials admin_;
  Credentials viewer_;
  int64_t web1_ = 0;
  int64_t db1_ = 0;
};

TEST_F(VulnerabilityHandlersTest, ByCveListsCountHostsAndPackagesAndExport) {
  Seed();
  ClientResponse list = Get("listVulnerabilities", "/api/v1/vulnerabilities?sort=-host_count");
  ASSERT_EQ(list.status, 200) << list.body;
  Json page = Body(list);
  ASSERT_EQ(page["total"], 3) << list.body;
  EXPECT_EQ(page["items"][0]["cve"], "CVE-2024-0727");
  EXPECT_EQ(page["items"][0]["host_count"], 2);
  EXPECT_EQ(page["items"][0]["title"], "=HYPERLINK(\"x\")");  // the first line
  EXPECT_EQ(page["items"][0]["cvss_score"], 7.5);
  EXPECT_TRUE(page["items"][0]["published_at"].is_null());

  ClientResponse prod =
      Get("listVulnerabilities", "/api/v1/vulnerabilities?label=prod&min_severity=medium");
  ASSERT_EQ(prod.status, 200) << prod.body;
  Json prod_page = Body(prod);
  EXPECT_EQ(prod_page["total"], 2) << prod.body;
  for (const Json& item : prod_page["items"]) EXPECT_EQ(item["host_count"], 1);
  ClientResponse one_host =
      Get("listVulnerabilities",
          "/api/v1/vulnerabilities?host_id=" + std::to_string(db1_) + "&fix_available=true");
  EXPECT_EQ(Body(one_host)["total"], 1) << one_host.body;

  ClientResponse csv = Get("exportVulnerabilities", "/api/v1/vulnerabilities/export?format=csv");
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_EQ(csv.body.rfind("cve,title,severity,cvss_score", 0), 0u) << csv.body;
  EXPECT_NE(csv.body.find("'=HYPERLINK"), std::string::npos) << csv.body;
  ClientResponse jsonl =
      Get("exportVulnerabilities", "/api/v1/vulnerabilities/export?format=jsonl&label=prod");
  ASSERT_EQ(jsonl.status, 200);
  EXPECT_EQ(std::count(jsonl.body.begin(), jsonl.body.end(), '\n'), 3);

  // What the store cannot apply is refused, never ignored.
  EXPECT_EQ(Get("listVulnerabilities", "/api/v1/vulnerabilities?q=ssl").status, 422);
  EXPECT_EQ(Get("listVulnerabilities", "/api/v1/vulnerabilities?sort=published_at").status, 422);
  // Several labels: hosts with any of them.
  ClientResponse either = Get("listVulnerabilities", "/api/v1/vulnerabilities?label=nope,prod");
  ASSERT_EQ(either.status, 200) << either.body;
  EXPECT_EQ(Body(either)["total"], 3) << either.body;
  EXPECT_EQ(Body(Get("listVulnerabilities", "/api/v1/vulnerabilities?label=nope"))["total"], 0);
}

TEST_F(VulnerabilityHandlersTest, OneCveWithItsPackagesAndHosts) {
  Seed();
  ClientResponse detail = Get("getVulnerability", "/api/v1/vulnerabilities/CVE-2024-0727");
  ASSERT_EQ(detail.status, 200) << detail.body;
  Json d = Body(detail);
  EXPECT_EQ(d["description"], "=HYPERLINK(\"x\")\nsecond line");
  EXPECT_EQ(d["host_count"], 2);
  ASSERT_EQ(d["packages"].size(), 1u);
  EXPECT_EQ(d["packages"][0]["host_count"], 2);
  EXPECT_EQ(d["packages"][0]["fixed_version"], "3.0.13-1~deb12u1");
  ClientResponse missing = Get("getVulnerability", "/api/v1/vulnerabilities/CVE-1999-0001");
  EXPECT_EQ(missing.status, 404);
  EXPECT_NE(missing.body.find("E_VULNERABILITY_NOT_FOUND"), std::string::npos);

  ClientResponse hosts =
      Get("listVulnerabilityHosts", "/api/v1/vulnerabilities/CVE-2024-0727/hosts?sort=hostname");
  ASSERT_EQ(hosts.status, 200) << hosts.body;
  EXPECT_EQ(Body(hosts)["total"], 2);
  EXPECT_EQ(Body(hosts)["items"][0]["hostname"], "db-1");
  ClientResponse prod =
      Get("listVulnerabilityHosts", "/api/v1/vulnerabilities/CVE-2024-0727/hosts?label=prod");
  EXPECT_EQ(Body(prod)["total"], 1) << prod.body;
  ClientResponse exported = Get("exportVulnerabilityHosts",
                                "/api/v1/vulnerabilities/CVE-2024-0727/hosts/export?format=csv");
  ASSERT_EQ(exported.status, 200);
  EXPECT_NE(exported.body.find("db-1"), std::string::npos) << exported.body;
  EXPECT_EQ(Get("listVulnerabilityHosts", "/api/v1/vulnerabilities/CVE-1999-0001/hosts").status,
            404);
  EXPECT_EQ(Get("exportVulnerabilityHosts",
                "/api/v1/vulnerabilities/CVE-1999-0001/hosts/export?format=jsonl")
                .status,
            404);
}

TEST_F(VulnerabilityHandlersTest, PackagesAndFixFirstRankWhatToUpgrade) {
  Seed();
  ClientResponse packages = Get("listVulnerablePackages", "/api/v1/vulnerabilities/packages");
  ASSERT_EQ(packages.status, 200) << packages.body;
  Json p = Body(packages);
  ASSERT_EQ(p["total"], 2);
  EXPECT_EQ(p["items"][0]["package"], "openssl");  // -max_severity: high first
  EXPECT_FALSE(p["items"][0]["fix_available"].get<bool>());
  EXPECT_EQ(p["items"][1]["cve_count"], 2);
  EXPECT_EQ(p["items"][1]["installed_versions"], Json::array({"3.0.11-1~deb12u1"}));
  ClientResponse export_packages =
      Get("exportVulnerablePackages",
          "/api/v1/vulnerabilities/packages/export?format=jsonl&label=prod");
  EXPECT_EQ(export_packages.status, 200);

  ClientResponse fix = Get("listFixFirst", "/api/v1/vulnerabilities/fix-first");
  ASSERT_EQ(fix.status, 200) << fix.body;
  Json f = Body(fix);
  ASSERT_EQ(f["total"], 1) << fix.body;
  EXPECT_EQ(f["items"][0]["summary"],
            "upgrade openssl to 3.0.13-1~deb12u1: clears 2 CVEs on 2 hosts");
  EXPECT_EQ(f["items"][0]["impact"], 3);
  EXPECT_EQ(f["items"][0]["cves"], Json::array({"CVE-2023-5678", "CVE-2024-0727"}));
  ClientResponse db =
      Get("listFixFirst", "/api/v1/vulnerabilities/fix-first?host_id=" + std::to_string(db1_));
  ASSERT_EQ(db.status, 200) << db.body;
  EXPECT_EQ(Body(db)["items"][0]["summary"],
            "upgrade openssl to 3.0.13-1~deb12u1: clears 1 CVE on 1 host");
  ClientResponse csv = Get("exportFixFirst", "/api/v1/vulnerabilities/fix-first/export?format=csv");
  ASSERT_EQ(csv.status, 200);
  EXPECT_NE(csv.body.find("apt-get install --only-upgrade libssl3"), std::string::npos) << csv.body;
  EXPECT_EQ(Get("listFixFirst", "/api/v1/vulnerabilities/fix-first?q=x").status, 422);
}

TEST_F(VulnerabilityHandlersTest, ABadFeedIsRefusedNamingWhatIsWrongAndTheFeedsStay) {
  auto import = [&](const std::string& query, const std::string& body) {
    ClientResponse r =
        server_.Call("POST", "/api/v1/feeds" + query, admin_, body, "application/octet-stream");
    EXPECT_MATCHES_SPEC("importFeed", r);
    return r;
  };
  ClientResponse unknown = import("?name=notes.txt", "these are not the feeds you are looking for");
  EXPECT_EQ(unknown.status, 422) << unknown.body;
  EXPECT_NE(unknown.body.find("E_FEED_FORMAT"), std::string::npos);
  EXPECT_NE(unknown.body.find("notes.txt"), std::string::npos) << unknown.body;

  const std::string tracker = warden::testing::ReadFileText(
      warden::testing::FixturePath("vuln/feeds/tracker-bookworm.json"));
  ClientResponse not_osv = import("?format=osv-json", tracker);
  EXPECT_EQ(not_osv.status, 422) << not_osv.body;
  EXPECT_NE(not_osv.body.find("debian-tracker-json, not osv-json"), std::string::npos)
      << not_osv.body;

  ClientResponse ok = import("?name=tracker.json", tracker);
  ASSERT_EQ(ok.status, 200) << ok.body;
  ClientResponse status = server_.Call("GET", "/api/v1/feeds", viewer_);
  EXPECT_MATCHES_SPEC("getFeedStatus", status);
  const Json before = Body(status)["feeds"];
  ASSERT_EQ(before.size(), 1u) << status.body;
  EXPECT_EQ(before[0]["sha256"], Sha256Hex(tracker));

  // A tracker file cut short: detected as a tracker, then fails part way.
  ClientResponse cut = import("?name=cut.json", tracker.substr(0, tracker.size() / 2));
  EXPECT_EQ(cut.status, 422) << cut.body;
  EXPECT_NE(cut.body.find("cut.json"), std::string::npos) << cut.body;
  EXPECT_EQ(cut.body.find(".feed-upload"), std::string::npos) << "the temporary file leaked";
  status = server_.Call("GET", "/api/v1/feeds", viewer_);
  EXPECT_EQ(Body(status)["feeds"], before) << status.body;

  // Only admins import; viewers read the status.
  ClientResponse refused =
      server_.Call("POST", "/api/v1/feeds", viewer_, tracker, "application/octet-stream");
  EXPECT_EQ(refused.status, 403);

  ClientResponse audit = server_.Call("GET", "/api/v1/audit?action=importFeed", admin_);
  ASSERT_EQ(audit.status, 200) << audit.body;
  ASSERT_EQ(Body(audit)["total"], 1) << audit.body;
  EXPECT_EQ(Body(audit)["items"][0]["after"]["file_name"], "tracker.json") << audit.body;
}

}  // namespace
}  // namespace warden::server::testing

// Tests of the dpkg database reader: the fixture status file under
// tests/fixtures/package/root, damaged input, the updates/ journal, and the
// live host cross-checked against dpkg-query itself.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <tuple>

#include "core/strings.h"
#include "inventory/package_inventory.h"
#include "testing/test_util.h"

namespace warden {
namespace {

using testing::FixturePath;

const DebPackage* Find(const std::vector<DebPackage>& pkgs, std::string_view name,
                       std::string_view arch = "") {
  for (const DebPackage& p : pkgs)
    if (p.name == name && (arch.empty() || p.arch == arch)) return &p;
  return nullptr;
}

std::vector<DebPackage> ReadFixture(std::string_view admindir = kDpkgAdminDir) {
  HostFs fs(FixturePath("package/root"));
  auto pkgs = ReadDpkgStatus(fs, admindir);
  EXPECT_TRUE(pkgs.ok()) << pkgs.status().message();
  return pkgs.ok() ? *pkgs : std::vector<DebPackage>();
}

std::string FixtureStatusText() {
  HostFs fs(FixturePath("package/root"));
  auto text = fs.ReadFile("/var/lib/dpkg/status");
  EXPECT_TRUE(text.ok());
  return text.ok() ? *text : std::string();
}

// One package as dpkg-query and the reader both describe it.
using PackageKey = std::tuple<std::string, std::string, std::string, std::string, std::string,
                              std::string>;  // name, arch, version, status, source, source_version

std::set<PackageKey> KeysOf(const std::vector<DebPackage>& pkgs) {
  std::set<PackageKey> out;
  for (const DebPackage& p : pkgs)
    out.emplace(p.name, p.arch, p.version, p.status, p.source, p.source_version);
  return out;
}

// Runs dpkg-query -W on an admin directory (a real path) and returns what it
// lists; the format has one field per PackageKey member.
std::set<PackageKey> DpkgQueryKeys(const std::string& admindir) {
  auto r = testing::RunCommand({"dpkg-query", "--admindir=" + admindir, "-W",
                                "-f=${Package}\\t${Architecture}\\t${Version}\\t${Status}\\t${"
                                "source:Package}\\t${source:Version}\\n"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::set<PackageKey> out;
  for (std::string_view line : SplitString(r.out, '\n')) {
    if (line.empty()) continue;
    auto f = SplitString(line, '\t');
    EXPECT_EQ(f.size(), 6u) << line;
    if (f.size() != 6) continue;
    out.emplace(std::string(f[0]), std::string(f[1]), std::string(f[2]), std::string(f[3]),
                std::string(f[4]), std::string(f[5]));
  }
  return out;
}

TEST(DpkgStatusTest, ReadsEveryPackageOfAMultiParagraphFile) {
  auto pkgs = ReadFixture();
  std::multiset<std::string> names;
  for (const DebPackage& p : pkgs) names.insert(p.name + ":" + p.arch);
  EXPECT_EQ(names, (std::multiset<std::string>{"openssl:amd64", "libssl3:amd64", "libssl3:i386",
                                               "libc6:amd64", "bsdutils:amd64", "tzdata:all",
                                               "nano:amd64", "vim-tiny:amd64", "local-tool:all"}));
}

TEST(DpkgStatusTest, ReadsTheFieldsOfAnInstalledPackage) {
  auto pkgs = ReadFixture();
  const DebPackage* p = Find(pkgs, "openssl");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->version, "3.0.15-1~deb12u1");
  EXPECT_EQ(p->revision, "1~deb12u1");
  EXPECT_EQ(p->arch, "amd64");
  EXPECT_EQ(p->status, "install ok installed");
  EXPECT_EQ(p->maintainer, "Debian OpenSSL Team <pkg-openssl-devel@alioth-lists.debian.net>");
  EXPECT_EQ(p->section, "utils");
  EXPECT_EQ(p->priority, "optional");
  EXPECT_EQ(p->installed_size, 2291);
  EXPECT_EQ(p->description, "Secure Sockets Layer toolkit - cryptographic utility");
  EXPECT_TRUE(p->IsUnpacked());
}

TEST(DpkgStatusTest, SourceWithVersionGivesSourceNameAndVersion) {
  auto pkgs = ReadFixture();
  const DebPackage* p = Find(pkgs, "bsdutils");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->source, "util-linux");
  EXPECT_EQ(p->source_version, "2.38.1-5");
  EXPECT_EQ(p->source_field, "util-linux (2.38.1-5)");
  EXPECT_EQ(p->version, "1:2.38.1-5+deb12u3");
  EXPECT_EQ(p->revision, "5+deb12u3");  // the epoch is not part of the revision
}

TEST(DpkgStatusTest, SourceWithoutVersionTakesTheBinaryVersion) {
  auto pkgs = ReadFixture();
  const DebPackage* p = Find(pkgs, "libssl3", "i386");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->source, "openssl");
  EXPECT_EQ(p->source_version, "3.0.15-1~deb12u1");
  EXPECT_EQ(p->multi_arch, "same");
  EXPECT_EQ(p->installed_size, 5820);
}

TEST(DpkgStatusTest, NoSourceFieldMeansTheSourceIsTheBinaryPackage) {
  auto pkgs = ReadFixture();
  const DebPackage* p = Find(pkgs, "tzdata");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->source, "tzdata");
  EXPECT_EQ(p->source_version, "2025b-0+deb12u1");
  EXPECT_EQ(p->source_field, "");
}

TEST(DpkgStatusTest, MissingFieldsAreEmpty) {
  auto pkgs = ReadFixture();
  const DebPackage* p = Find(pkgs, "local-tool");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->priority, "");
  EXPECT_EQ(p->section, "");
  EXPECT_EQ(p->installed_size, 0);
  EXPECT_EQ(p->revision, "");  // "0.1" has no Debian revision
  EXPECT_EQ(p->status, "install ok unpacked");
}

TEST(DpkgStatusTest, NotInstalledIsDroppedAndConfigFilesIsKeptButNotUnpacked) {
  auto pkgs = ReadFixture();
  EXPECT_EQ(Find(pkgs, "telnet"), nullptr);
  const DebPackage* nano = Find(pkgs, "nano");
  ASSERT_NE(nano, nullptr);
  EXPECT_EQ(nano->State(), "config-files");
  EXPECT_FALSE(nano->IsUnpacked());
  const DebPackage* vim = Find(pkgs, "vim-tiny");
  ASSERT_NE(vim, nullptr);
  EXPECT_EQ(vim->status, "install reinstreq half-installed");
  EXPECT_TRUE(vim->IsUnpacked());
}

TEST(DpkgStatusTest, ContinuationLinesNeverBecomePackagesOrFields) {
  auto pkgs = ParseDpkgStatus(
      "Package: a\nStatus: install ok installed\nVersion: 1\nDescription: x\n"
      " Package: evil\n Status: install ok installed\nConffiles:\n /etc/a 123\n",
      "text");
  ASSERT_TRUE(pkgs.ok());
  ASSERT_EQ(pkgs->size(), 1u);
  EXPECT_EQ((*pkgs)[0].name, "a");
  EXPECT_EQ((*pkgs)[0].status, "install ok installed");
}

TEST(DpkgStatusTest, TruncatedFileYieldsOnlyCompleteRecordsAndNeverFails) {
  std::string text = FixtureStatusText();
  ASSERT_FALSE(text.empty());
  size_t full = ParseDpkgStatus(text, "status")->size();
  size_t previous = 0;
  for (size_t cut = 0; cut <= text.size(); ++cut) {
    auto pkgs = ParseDpkgStatus(std::string_view(text).substr(0, cut), "status");
    ASSERT_TRUE(pkgs.ok()) << "cut at " << cut;
    // A longer prefix never loses packages, and no prefix invents any.
    EXPECT_GE(pkgs->size(), previous) << "cut at " << cut;
    EXPECT_LE(pkgs->size(), full) << "cut at " << cut;
    previous = pkgs->size();
  }
  EXPECT_EQ(previous, full);
}

TEST(DpkgStatusTest, StatusCutMidWordDropsThatPackage) {
  auto pkgs = ParseDpkgStatus(
      "Package: a\nStatus: install ok installed\nVersion: 1\n\nPackage: b\nStatus: install ok inst",
      "status");
  ASSERT_TRUE(pkgs.ok());
  ASSERT_EQ(pkgs->size(), 1u);
  EXPECT_EQ((*pkgs)[0].name, "a");
}

TEST(DpkgStatusTest, BinaryDataIsAnErrorNamingTheFile) {
  std::string junk = "Package: a\nStatus: install ok installed\n";
  junk += std::string(
      "\x7f"
      "ELF\0\0\x01",
      7);
  auto pkgs = ParseDpkgStatus(junk, "/var/lib/dpkg/status");
  ASSERT_FALSE(pkgs.ok());
  EXPECT_EQ(pkgs.status().code(), StatusCode::kParseError);
  EXPECT_NE(pkgs.status().message().find("/var/lib/dpkg/status"), std::string::npos);
}

TEST(DpkgStatusTest, NoDpkgDatabaseIsZeroPackages) {
  testing::TempDir dir;
  HostFs fs(dir.path());
  auto pkgs = ReadDpkgStatus(fs);
  ASSERT_TRUE(pkgs.ok()) << pkgs.status().message();
  EXPECT_TRUE(pkgs->empty());
}

TEST(DpkgStatusTest, UnreadableStatusFileIsAnError) {
  testing::TempDir dir;
  std::filesystem::create_directories(dir.path() + "/var/lib/dpkg/status");  // a directory
  HostFs fs(dir.path());
  auto pkgs = ReadDpkgStatus(fs);
  ASSERT_FALSE(pkgs.ok());
  EXPECT_NE(pkgs.status().message().find("/var/lib/dpkg/status"), std::string::npos);
}

TEST(DpkgStatusTest, JournalUpdatesAreAppliedInOrder) {
  auto pkgs = ReadFixture("/srv/dpkg-journal");
  const DebPackage* curl = Find(pkgs, "curl");
  ASSERT_NE(curl, nullptr);
  EXPECT_EQ(curl->version, "7.88.1-10+deb12u8");   // updates/0000 replaced the status record
  EXPECT_EQ(Find(pkgs, "wget"), nullptr);          // updates/0001 purged it
  ASSERT_NE(Find(pkgs, "jq"), nullptr);            // updates/0002 added it
  EXPECT_EQ(Find(pkgs, "ignored-temp"), nullptr);  // updates/tmp.i is not a journal entry
  EXPECT_EQ(pkgs.size(), 2u);
}

TEST(DpkgStatusTest, FixtureMatchesDpkgQueryExactly) {
  EXPECT_EQ(KeysOf(ReadFixture()), DpkgQueryKeys(FixturePath("package/root/var/lib/dpkg")));
}

TEST(DpkgStatusTest, JournalFixtureMatchesDpkgQueryExactly) {
  EXPECT_EQ(KeysOf(ReadFixture("/srv/dpkg-journal")),
            DpkgQueryKeys(FixturePath("package/root/srv/dpkg-journal")));
}

// The live cross-check: the same packages, versions, states and source
// packages as dpkg-query -W reports on this host.
TEST(DpkgStatusTest, LiveHostMatchesDpkgQueryExactly) {
  HostFs fs;
  auto pkgs = ReadDpkgStatus(fs);
  ASSERT_TRUE(pkgs.ok()) << pkgs.status().message();
  ASSERT_FALSE(pkgs->empty()) << "this test expects a Debian host";
  EXPECT_EQ(KeysOf(*pkgs), DpkgQueryKeys("/var/lib/dpkg"));
}

TEST(DpkgFileListTest, ReadsThePlainListOfAPackage) {
  HostFs fs(FixturePath("package/root"));
  auto pkgs = ReadFixture();
  auto files = ReadDpkgFileList(fs, *Find(pkgs, "openssl"));
  ASSERT_TRUE(files.ok()) << files.status().message();
  EXPECT_EQ(*files,
            (std::vector<std::string>{"/.", "/etc", "/etc/ssl", "/etc/ssl/openssl.cnf", "/usr",
                                      "/usr/bin", "/usr/bin/c_rehash", "/usr/bin/openssl"}));
}

TEST(DpkgFileListTest, MultiArchSamePackagesUseTheArchQualifiedList) {
  HostFs fs(FixturePath("package/root"));
  auto pkgs = ReadFixture();
  auto files = ReadDpkgFileList(fs, *Find(pkgs, "libssl3", "i386"));
  ASSERT_TRUE(files.ok());
  ASSERT_FALSE(files->empty());
  EXPECT_EQ(files->back(), "/usr/lib/i386-linux-gnu/libssl.so.3");
}

TEST(DpkgFileListTest, PackageWithoutListHasNoFiles) {
  HostFs fs(FixturePath("package/root"));
  auto pkgs = ReadFixture();
  auto files = ReadDpkgFileList(fs, *Find(pkgs, "nano"));
  ASSERT_TRUE(files.ok());
  EXPECT_TRUE(files->empty());
}

TEST(DpkgFileListTest, LiveListsMatchDpkgQuery) {
  HostFs fs;
  auto pkgs = ReadDpkgStatus(fs);
  ASSERT_TRUE(pkgs.ok());
  for (const char* name : {"bash", "coreutils", "libc6"}) {
    const DebPackage* p = Find(*pkgs, name);
    ASSERT_NE(p, nullptr) << name;
    auto files = ReadDpkgFileList(fs, *p);
    ASSERT_TRUE(files.ok()) << files.status().message();
    auto r = testing::RunCommand({"dpkg-query", "-L", p->name + ":" + p->arch});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::set<std::string> expected;
    for (std::string_view line : SplitString(r.out, '\n'))
      if (StartsWith(line, "/")) expected.emplace(line);  // skip diversion notes
    EXPECT_EQ(std::set<std::string>(files->begin(), files->end()), expected) << name;
  }
}

}  // namespace
}  // namespace warden

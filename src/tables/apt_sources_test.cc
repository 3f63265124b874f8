#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "core/strings.h"
#include "testing/sql_test_util.h"
#include "testing/test_util.h"

namespace warden::testing {
namespace {

std::vector<std::string> TextColumn(const QueryResult& r, const std::string& name) {
  std::vector<std::string> out;
  for (size_t i = 0; i < r.rows.size(); ++i) out.push_back(ValueToText(Cell(r, i, name)));
  return out;
}

// The fixture mixes valid entries with deb-src lines, comments, a cdrom:
// source, an incomplete line, a disabled and a deb-src-only deb822 stanza
// and a file without a .list/.sources suffix; only the deb sources remain,
// in file order (sources.list, *.list, *.sources) and URI x suite order.
TEST(AptSourcesTableTest, ListsDebSourcesFromBothFormatsInFileOrder) {
  SqlFixture db(FixturePath("package/root"));
  auto r = db.Query("SELECT name, source, base_uri FROM apt_sources");
  EXPECT_EQ(
      TextColumn(r, "name"),
      (std::vector<std::string>{
          "deb.debian.org/debian bookworm", "download.docker.com/linux/debian bookworm",
          "user:secret@repo.example.com/apt stable_release",
          "deb.debian.org/debian-security bookworm-security",
          "mirror-a.example.org/debian bookworm", "mirror-a.example.org/debian bookworm-updates",
          "mirror-b.example.org/debian bookworm", "mirror-b.example.org/debian bookworm-updates"}));
  EXPECT_EQ(
      TextColumn(r, "source"),
      (std::vector<std::string>{
          "/etc/apt/sources.list", "/etc/apt/sources.list", "/etc/apt/sources.list.d/extra.list",
          "/etc/apt/sources.list.d/debian.sources", "/etc/apt/sources.list.d/debian.sources",
          "/etc/apt/sources.list.d/debian.sources", "/etc/apt/sources.list.d/debian.sources",
          "/etc/apt/sources.list.d/debian.sources"}));
  EXPECT_EQ(ValueToText(Cell(r, 1, "base_uri")), "https://download.docker.com/linux/debian");
  EXPECT_EQ(ValueToText(Cell(r, 6, "base_uri")), "http://mirror-b.example.org/debian");
}

TEST(AptSourcesTableTest, ReleaseColumnsComeFromTheSignedInRelease) {
  SqlFixture db(FixturePath("package/root"));
  auto r = db.Query("SELECT * FROM apt_sources WHERE name = 'deb.debian.org/debian bookworm'");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(ValueToText(Cell(r, 0, "release")), "bookworm");
  EXPECT_EQ(ValueToText(Cell(r, 0, "version")), "12.11");
  EXPECT_EQ(ValueToText(Cell(r, 0, "maintainer")), "Debian");
  EXPECT_EQ(ValueToText(Cell(r, 0, "components")), "main contrib non-free-firmware non-free");
  EXPECT_EQ(ValueToText(Cell(r, 0, "architectures")),
            "all amd64 arm64 armel armhf i386 mips64el mipsel ppc64el s390x");
}

TEST(AptSourcesTableTest, ReleaseColumnsComeFromAPlainRelease) {
  SqlFixture db(FixturePath("package/root"));
  auto r = db.Query(
      "SELECT release, version FROM apt_sources WHERE base_uri = "
      "'http://deb.debian.org/debian-security'");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(ValueToText(Cell(r, 0, "release")), "bookworm-security");
  EXPECT_EQ(ValueToText(Cell(r, 0, "version")), "12");
}

TEST(AptSourcesTableTest, CacheFileNameEscapesLikeAptAndDropsCredentials) {
  // "stable_release" is cached as ..._stable%5frelease_InRelease, without user:secret@.
  SqlFixture db(FixturePath("package/root"));
  auto r = db.Query(
      "SELECT release, maintainer FROM apt_sources WHERE base_uri LIKE '%repo.example.com%'");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(ValueToText(Cell(r, 0, "release")), "stable_release");
  EXPECT_EQ(ValueToText(Cell(r, 0, "maintainer")), "Example Corp");
}

TEST(AptSourcesTableTest, SourceWithoutCachedReleaseIsARowWithNullReleaseColumns) {
  SqlFixture db(FixturePath("package/root"));
  auto r = db.Query(
      "SELECT release, version, components FROM apt_sources WHERE name LIKE "
      "'download.docker.com%'");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_TRUE(IsNull(Cell(r, 0, "release")));
  EXPECT_TRUE(IsNull(Cell(r, 0, "version")));
  EXPECT_TRUE(IsNull(Cell(r, 0, "components")));
}

TEST(AptSourcesTableTest, NoAptConfigurationIsZeroRows) {
  TempDir empty;
  SqlFixture db(empty.path());
  EXPECT_TRUE(db.Query("SELECT * FROM apt_sources").rows.empty());
}

// Live: the same (URI, suite) pairs apt itself resolves for binary packages.
TEST(AptSourcesLiveTest, MatchesAptIndexTargets) {
  CommandResult q =
      RunCommand({"apt-get", "indextargets", "--format", "$(REPO_URI) $(RELEASE) $(TARGET_OF)"});
  ASSERT_EQ(q.exit_code, 0) << q.err;
  std::set<std::string> expected;
  for (std::string_view line : SplitString(q.out, '\n')) {
    auto f = SplitWhitespace(line);
    if (f.size() != 3 || f[2] != "deb") continue;
    std::string uri(f[0]);
    while (!uri.empty() && uri.back() == '/') uri.pop_back();
    expected.insert(uri + " " + std::string(f[1]));
  }
  SqlFixture db;
  auto got = TextColumn(
      db.Query(
          "SELECT base_uri || ' ' || substr(name, instr(name, ' ') + 1) AS k FROM apt_sources"),
      "k");
  EXPECT_EQ(std::set<std::string>(got.begin(), got.end()), expected);
}

}  // namespace
}  // namespace warden::testing

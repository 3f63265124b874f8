// rpm_packages over an rpm database the test builds under a temporary root
// (rpmbuild + rpm --initdb + rpm -i --justdb, from Debian's "rpm" package),
// queried through SqlFixture(root) and cross-checked with the rpm CLI.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/strings.h"
#include "testing/sql_test_util.h"
#include "testing/test_util.h"

namespace warden::testing {
namespace {

constexpr const char* kSpecs[][2] = {{"modular", R"(Name: wt-modular
Epoch: 2
Version: 18.19.1
Release: 1.module_el9.3.0+40+aaaa
Summary: Table test package with an epoch
License: MIT
Group: Development/Languages
Vendor: Warden Tests
BuildArch: noarch
ModularityLabel: nodejs:18:9030020231120081800:rhel9

%description
Table test.

%files
)"},
                                     {"plain", R"(Name: wt-plain
Version: 2.5
Release: 3.el9
Summary: Table test package without an epoch
License: MIT
BuildArch: x86_64

%description
Table test.

%install
mkdir -p %{buildroot}/usr/share/wt-plain
echo data > %{buildroot}/usr/share/wt-plain/data.txt

%files
/usr/share/wt-plain/data.txt
)"}};

class RpmPackagesTableTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    work_ = std::make_unique<TempDir>();
    std::string top = work_->path() + "/rpmbuild";
    std::vector<std::string> install = {"rpm",          "--root", Root(),     "--dbpath",
                                        "/var/lib/rpm", "-i",     "--nodeps", "--justdb"};
    for (const auto& spec : kSpecs) {
      std::string path = work_->WriteFile(std::string(spec[0]) + ".spec", spec[1]);
      auto r = RunCommand({"rpmbuild", "-bb", "--define", "_topdir " + top, path});
      if (r.exit_code != 0) {
        error_ = "rpmbuild (Debian package rpm) failed: " + r.err.substr(0, 2000);
        return;
      }
    }
    for (const auto& e : std::filesystem::recursive_directory_iterator(top + "/RPMS"))
      if (e.path().extension() == ".rpm") install.push_back(e.path().string());
    std::filesystem::create_directories(Root() + "/var/lib/rpm");
    auto init = RunCommand({"rpm", "--root", Root(), "--dbpath", "/var/lib/rpm", "--initdb"});
    auto r = RunCommand(install);
    if (init.exit_code != 0 || r.exit_code != 0) error_ = "rpm failed: " + init.err + r.err;
  }
  static void TearDownTestSuite() { work_.reset(); }
  void SetUp() override { ASSERT_EQ(error_, ""); }
  static std::string Root() { return work_->path() + "/root"; }

  static std::unique_ptr<TempDir> work_;
  static std::string error_;
};

std::unique_ptr<TempDir> RpmPackagesTableTest::work_;
std::string RpmPackagesTableTest::error_;

TEST_F(RpmPackagesTableTest, ReadsTheDatabaseBuiltByRpm) {
  SqlFixture db(Root());
  auto r = db.Query("SELECT name, version, release, arch, epoch FROM rpm_packages ORDER BY name");
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(ValueToText(Cell(r, 0, "name")), "wt-modular");
  EXPECT_EQ(ValueToText(Cell(r, 0, "version")), "18.19.1");
  EXPECT_EQ(ValueToText(Cell(r, 0, "release")), "1.module_el9.3.0+40+aaaa");
  EXPECT_EQ(ValueToText(Cell(r, 0, "arch")), "noarch");
  EXPECT_EQ(Cell(r, 0, "epoch"), Value(int64_t{2}));
  EXPECT_EQ(ValueToText(Cell(r, 1, "name")), "wt-plain");
  EXPECT_EQ(ValueToText(Cell(r, 1, "arch")), "x86_64");
  EXPECT_TRUE(IsNull(Cell(r, 1, "epoch")));  // no epoch is NULL, not 0
}

TEST_F(RpmPackagesTableTest, ColumnsMatchTheRpmCli) {
  auto q = RunCommand({"rpm", "--root", Root(), "--dbpath", "/var/lib/rpm", "-q", "--qf",
                       "%{SOURCERPM}|%{LONGSIZE}|%{SHA1HEADER}|%{INSTALLTIME}|%{VENDOR}|%{GROUP}",
                       "wt-modular"});
  ASSERT_EQ(q.exit_code, 0) << q.err;
  auto f = SplitString(q.out, '|');
  ASSERT_EQ(f.size(), 6u) << q.out;
  SqlFixture db(Root());
  auto r = db.Query("SELECT * FROM rpm_packages WHERE name = 'wt-modular'");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(ValueToText(Cell(r, 0, "source")), f[0]);
  EXPECT_EQ(ValueToText(Cell(r, 0, "size")), f[1]);
  EXPECT_TRUE(std::holds_alternative<int64_t>(Cell(r, 0, "size")));
  EXPECT_EQ(ValueToText(Cell(r, 0, "sha1")), f[2]);
  EXPECT_EQ(ValueToText(Cell(r, 0, "install_time")), f[3]);
  EXPECT_TRUE(std::holds_alternative<int64_t>(Cell(r, 0, "install_time")));
  EXPECT_EQ(ValueToText(Cell(r, 0, "vendor")), f[4]);
  EXPECT_EQ(ValueToText(Cell(r, 0, "package_group")), f[5]);
  EXPECT_EQ(ValueToText(Cell(r, 0, "module_stream")), "nodejs:18");
}

TEST_F(RpmPackagesTableTest, NameConstraintSelectsOnePackage) {
  SqlFixture db(Root());
  auto r = db.Query("SELECT name FROM rpm_packages WHERE name = 'wt-plain'");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_TRUE(db.Query("SELECT * FROM rpm_packages WHERE name = 'absent'").rows.empty());
}

TEST_F(RpmPackagesTableTest, VersionColumnComparesAsRpmVersions) {
  SqlFixture db(Root());
  // As rpm versions 18.19.1 > 9.0; as text it would not be.
  auto r = db.Query("SELECT name FROM rpm_packages WHERE version > '9.0'");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(ValueToText(Cell(r, 0, "name")), "wt-modular");
}

TEST(RpmPackagesNoDatabaseTest, HostWithoutRpmDatabaseHasZeroRows) {
  SqlFixture db(FixturePath("package/root"));
  EXPECT_TRUE(db.Query("SELECT * FROM rpm_packages").rows.empty());
}

TEST(RpmPackagesNoDatabaseTest, CorruptDatabaseIsAQueryErrorNamingThePath) {
  TempDir root;
  root.WriteFile("var/lib/rpm/rpmdb.sqlite", std::string(4096, '\x01'));
  SqlFixture db(root.path());
  EXPECT_NE(db.QueryError("SELECT * FROM rpm_packages").find(root.path() + "/var/lib/rpm"),
            std::string::npos);
}

}  // namespace
}  // namespace warden::testing

// rpm_package_files over an rpm database the test builds (see
// rpm_packages_test.cc): a package with a config file, an executable and a
// directory, whose owners, modes and digests the test sets in the spec.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "core/strings.h"
#include "testing/sql_test_util.h"
#include "testing/test_util.h"

namespace warden::testing {
namespace {

constexpr const char* kSpec = R"(Name: wt-files
Version: 1.0
Release: 1
Summary: Table test package with files
License: MIT
BuildArch: noarch

%description
Table test.

%install
mkdir -p %{buildroot}/usr/bin %{buildroot}/etc/wt-files
printf '#!/bin/sh\necho wt\n' > %{buildroot}/usr/bin/wt-files
printf 'secret=1\n' > %{buildroot}/etc/wt-files/wt.conf

%files
%attr(0755,root,root) /usr/bin/wt-files
%config(noreplace) %attr(0640,root,daemon) /etc/wt-files/wt.conf
%dir %attr(0750,root,root) /etc/wt-files
)";

class RpmPackageFilesTableTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    work_ = std::make_unique<TempDir>();
    std::string top = work_->path() + "/rpmbuild";
    std::string spec = work_->WriteFile("wt-files.spec", kSpec);
    auto build = RunCommand({"rpmbuild", "-bb", "--define", "_topdir " + top, spec});
    if (build.exit_code != 0) {
      error_ = "rpmbuild (Debian package rpm) failed: " + build.err.substr(0, 2000);
      return;
    }
    std::string root = work_->path() + "/root";
    std::filesystem::create_directories(root + "/var/lib/rpm");
    auto init = RunCommand({"rpm", "--root", root, "--dbpath", "/var/lib/rpm", "--initdb"});
    auto install = RunCommand({"rpm", "--root", root, "--dbpath", "/var/lib/rpm", "-i", "--nodeps",
                               "--justdb", top + "/RPMS/noarch/wt-files-1.0-1.noarch.rpm"});
    if (init.exit_code != 0 || install.exit_code != 0)
      error_ = "rpm failed: " + init.err + install.err;
  }
  static void TearDownTestSuite() { work_.reset(); }
  void SetUp() override { ASSERT_EQ(error_, ""); }

  static std::unique_ptr<TempDir> work_;
  static std::string error_;
};

std::unique_ptr<TempDir> RpmPackageFilesTableTest::work_;
std::string RpmPackageFilesTableTest::error_;

TEST_F(RpmPackageFilesTableTest, ListsOwnersModesSizesAndDigests) {
  SqlFixture db(work_->path() + "/root");
  auto r = db.Query("SELECT * FROM rpm_package_files WHERE package = 'wt-files' ORDER BY path");
  ASSERT_EQ(r.rows.size(), 3u);
  // /etc/wt-files (directory), /etc/wt-files/wt.conf, /usr/bin/wt-files
  EXPECT_EQ(ValueToText(Cell(r, 0, "path")), "/etc/wt-files");
  EXPECT_EQ(ValueToText(Cell(r, 0, "mode")), "0750");
  EXPECT_TRUE(IsNull(Cell(r, 0, "sha256")));  // directories have no digest

  EXPECT_EQ(ValueToText(Cell(r, 1, "path")), "/etc/wt-files/wt.conf");
  EXPECT_EQ(ValueToText(Cell(r, 1, "username")), "root");
  EXPECT_EQ(ValueToText(Cell(r, 1, "groupname")), "daemon");
  EXPECT_EQ(ValueToText(Cell(r, 1, "mode")), "0640");
  EXPECT_EQ(Cell(r, 1, "size"), Value(int64_t{9}));
  CommandResult sum = RunShell("printf 'secret=1\\n' | sha256sum");
  ASSERT_EQ(sum.exit_code, 0);
  EXPECT_EQ(ValueToText(Cell(r, 1, "sha256")), sum.out.substr(0, 64));

  EXPECT_EQ(ValueToText(Cell(r, 2, "path")), "/usr/bin/wt-files");
  EXPECT_EQ(ValueToText(Cell(r, 2, "mode")), "0755");
}

TEST_F(RpmPackageFilesTableTest, UnknownPackageHasNoRows) {
  SqlFixture db(work_->path() + "/root");
  EXPECT_TRUE(db.Query("SELECT * FROM rpm_package_files WHERE package = 'absent'").rows.empty());
}

TEST(RpmPackageFilesNoDatabaseTest, HostWithoutRpmDatabaseHasZeroRows) {
  SqlFixture db(FixturePath("package/root"));
  EXPECT_TRUE(db.Query("SELECT * FROM rpm_package_files").rows.empty());
}

}  // namespace
}  // namespace warden::testing

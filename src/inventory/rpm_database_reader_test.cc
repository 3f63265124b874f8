// Tests of the rpm database reader against real rpm databases that the test
// builds itself: rpmbuild makes two tiny packages from specs written here,
// `rpm --initdb` creates a SQLite rpmdb under a temporary root, and
// `rpm -i --justdb` records the packages in it. The rpm CLI (Debian package
// "rpm", which provides rpmbuild too) then serves as the reference.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <thread>

#include "core/strings.h"
#include "inventory/package_inventory.h"
#include "testing/test_util.h"

namespace warden {
namespace {

using testing::RunCommand;

constexpr const char* kModularSpec = R"(Name: wardentest-modular
Epoch: 3
Version: 1.2.3
Release: 4.el9
Summary: Warden test package with an epoch and a module stream
License: MIT
Group: Applications/System
Vendor: Warden Tests
BuildArch: noarch
ModularityLabel: nodejs:18:8090020230809101105:bd1311ed

%description
A package for the rpm reader tests.

%install
mkdir -p %{buildroot}/usr/share/wardentest
echo hello > %{buildroot}/usr/share/wardentest/hello.txt

%files
%attr(0640,root,root) /usr/share/wardentest/hello.txt
)";

constexpr const char* kPlainSpec = R"(Name: wardentest-plain
Version: 0.9
Release: 1
Summary: Warden test package without an epoch
License: MIT
BuildArch: x86_64

%description
A package for the rpm reader tests.

%install
mkdir -p %{buildroot}/usr/bin %{buildroot}/etc/wardentest
printf '#!/bin/sh\necho plain\n' > %{buildroot}/usr/bin/wardentest-plain
printf 'key=value\n' > %{buildroot}/etc/wardentest/plain.conf

%files
%attr(0755,root,root) /usr/bin/wardentest-plain
%config(noreplace) %attr(0600,root,daemon) /etc/wardentest/plain.conf
%dir /etc/wardentest
)";

// Builds the packages once for the whole suite; root() holds an rpmdb at
// /var/lib/rpm with both installed.
class RpmDatabaseTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    work_ = std::make_unique<testing::TempDir>();
    setup_error_ = BuildDatabase(work_->path() + "/root", "/var/lib/rpm");
  }
  static void TearDownTestSuite() { work_.reset(); }
  void SetUp() override { ASSERT_EQ(setup_error_, "") << "building the test rpmdb failed"; }

  static std::string Root() { return work_->path() + "/root"; }

  // Runs the rpm CLI against the database under root.
  static testing::CommandResult Rpm(const std::string& root, std::vector<std::string> args,
                                    const std::string& dbpath = "/var/lib/rpm") {
    std::vector<std::string> argv = {"rpm", "--root", root, "--dbpath", dbpath};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunCommand(argv);
  }

  // Builds both packages (once) and installs them into a new database.
  static std::string BuildDatabase(const std::string& root, const std::string& dbpath) {
    std::string top = work_->path() + "/rpmbuild";
    if (!std::filesystem::exists(top)) {
      for (const auto& [name, spec] :
           {std::pair{"modular", kModularSpec}, std::pair{"plain", kPlainSpec}}) {
        std::string spec_path = work_->WriteFile(std::string("specs/") + name + ".spec", spec);
        auto r = RunCommand({"rpmbuild", "-bb", "--define", "_topdir " + top, spec_path});
        if (r.exit_code != 0)
          return "rpmbuild (Debian package rpm) failed: " + r.err.substr(0, 2000);
      }
    }
    std::filesystem::create_directories(root + dbpath);
    auto init = Rpm(root, {"--initdb"}, dbpath);
    if (init.exit_code != 0) return "rpm --initdb failed: " + init.err;
    std::vector<std::string> install = {"-i", "--nodeps", "--justdb"};
    for (const auto& e : std::filesystem::recursive_directory_iterator(top + "/RPMS"))
      if (e.path().extension() == ".rpm") install.push_back(e.path().string());
    auto r = Rpm(root, install, dbpath);
    if (r.exit_code != 0) return "rpm -i --justdb failed: " + r.err;
    return "";
  }

  static std::vector<RpmPackage> ReadAll(const std::string& root) {
    HostFs fs(root);
    auto pkgs = ReadRpmDatabase(fs);
    EXPECT_TRUE(pkgs.ok()) << pkgs.status().message();
    return pkgs.ok() ? *pkgs : std::vector<RpmPackage>();
  }

  static const RpmPackage* Find(const std::vector<RpmPackage>& pkgs, std::string_view name) {
    for (const RpmPackage& p : pkgs)
      if (p.name == name) return &p;
    return nullptr;
  }

  static std::unique_ptr<testing::TempDir> work_;
  static std::string setup_error_;
};

std::unique_ptr<testing::TempDir> RpmDatabaseTest::work_;
std::string RpmDatabaseTest::setup_error_;

TEST_F(RpmDatabaseTest, ReadsEpochVersionReleaseArchExactly) {
  auto pkgs = ReadAll(Root());
  ASSERT_EQ(pkgs.size(), 2u);
  const RpmPackage* modular = Find(pkgs, "wardentest-modular");
  ASSERT_NE(modular, nullptr);
  EXPECT_EQ(modular->epoch, 3);
  EXPECT_EQ(modular->version, "1.2.3");
  EXPECT_EQ(modular->release, "4.el9");
  EXPECT_EQ(modular->arch, "noarch");
  EXPECT_EQ(modular->Evr(), "3:1.2.3-4.el9");
  const RpmPackage* plain = Find(pkgs, "wardentest-plain");
  ASSERT_NE(plain, nullptr);
  EXPECT_EQ(plain->epoch, -1);
  EXPECT_EQ(plain->version, "0.9");
  EXPECT_EQ(plain->release, "1");
  EXPECT_EQ(plain->arch, "x86_64");
  EXPECT_EQ(plain->Evr(), "0.9-1");
}

TEST_F(RpmDatabaseTest, ModuleStreamIsNameAndStreamOfTheModularityLabel) {
  auto pkgs = ReadAll(Root());
  ASSERT_NE(Find(pkgs, "wardentest-modular"), nullptr);
  EXPECT_EQ(Find(pkgs, "wardentest-modular")->module_stream, "nodejs:18");
  ASSERT_NE(Find(pkgs, "wardentest-plain"), nullptr);
  EXPECT_EQ(Find(pkgs, "wardentest-plain")->module_stream, "");
}

TEST_F(RpmDatabaseTest, EveryFieldMatchesTheRpmCli) {
  auto r = Rpm(Root(), {"-qa", "--qf",
                        "%{NAME}|%{EPOCH}|%{VERSION}|%{RELEASE}|%{ARCH}|%{SOURCERPM}|%{VENDOR}|"
                        "%{GROUP}|%{SUMMARY}|%{SHA1HEADER}|%{LONGSIZE}|%{INSTALLTIME}\\n"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto pkgs = ReadAll(Root());
  size_t lines = 0;
  for (std::string_view line : SplitString(r.out, '\n')) {
    if (line.empty()) continue;
    ++lines;
    auto f = SplitString(line, '|');
    ASSERT_EQ(f.size(), 12u) << line;
    const RpmPackage* p = Find(pkgs, f[0]);
    ASSERT_NE(p, nullptr) << f[0];
    EXPECT_EQ(p->epoch >= 0 ? std::to_string(p->epoch) : "(none)", f[1]);
    EXPECT_EQ(p->version, f[2]);
    EXPECT_EQ(p->release, f[3]);
    EXPECT_EQ(p->arch, f[4]);
    EXPECT_EQ(p->source_rpm, f[5]);
    EXPECT_EQ(p->vendor.empty() ? "(none)" : p->vendor, f[6]);
    EXPECT_EQ(p->package_group, f[7]);
    EXPECT_EQ(p->summary, f[8]);
    EXPECT_EQ(p->sha1, f[9]);
    EXPECT_EQ(std::to_string(p->size), f[10]);
    EXPECT_EQ(std::to_string(p->install_time), f[11]);
    EXPECT_EQ(p->sha1.size(), 40u);
  }
  EXPECT_EQ(lines, pkgs.size());
}

TEST_F(RpmDatabaseTest, NameFilterReadsOnlyThoseNames) {
  HostFs fs(Root());
  auto pkgs = ReadRpmDatabase(fs, {"wardentest-plain", "no-such-package"});
  ASSERT_TRUE(pkgs.ok()) << pkgs.status().message();
  ASSERT_EQ(pkgs->size(), 1u);
  EXPECT_EQ((*pkgs)[0].name, "wardentest-plain");
}

TEST_F(RpmDatabaseTest, FilesMatchTheRpmDump) {
  HostFs fs(Root());
  auto files = ReadRpmFiles(fs, {"wardentest-plain"});
  ASSERT_TRUE(files.ok()) << files.status().message();
  auto r = Rpm(Root(), {"-q", "--dump", "wardentest-plain"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // --dump: path size mtime digest mode owner group isconfig isdoc rdev symlink
  std::map<std::string, std::vector<std::string_view>> dump;
  for (std::string_view line : SplitString(r.out, '\n'))
    if (!line.empty()) dump[std::string(SplitWhitespace(line)[0])] = SplitWhitespace(line);
  ASSERT_EQ(files->size(), dump.size());
  for (const RpmFile& f : *files) {
    SCOPED_TRACE(f.path);
    ASSERT_EQ(dump.count(f.path), 1u);
    const auto& d = dump[f.path];
    EXPECT_EQ(f.package, "wardentest-plain");
    EXPECT_EQ(std::to_string(f.size), d[1]);
    bool no_digest = std::all_of(d[3].begin(), d[3].end(), [](char c) { return c == '0'; });
    EXPECT_EQ(f.digest, no_digest ? "" : std::string(d[3]));
    int64_t mode = 0;
    ASSERT_TRUE(ParseInt64(d[4], &mode, 8));
    EXPECT_EQ(static_cast<int64_t>(f.mode), mode);
    EXPECT_EQ(f.username, d[5]);
    EXPECT_EQ(f.groupname, d[6]);
  }
  auto conf = std::find_if(files->begin(), files->end(),
                           [](const RpmFile& f) { return f.path == "/etc/wardentest/plain.conf"; });
  ASSERT_NE(conf, files->end());
  EXPECT_EQ(conf->digest_algo, "sha256");
  EXPECT_EQ(conf->groupname, "daemon");
  EXPECT_EQ(conf->mode & 07777, 0600u);
}

TEST_F(RpmDatabaseTest, DatabaseUnderSysimageIsFound) {
  std::string root = work_->path() + "/sysimage-root";
  ASSERT_EQ(BuildDatabase(root, "/usr/lib/sysimage/rpm"), "");
  HostFs fs(root);
  EXPECT_EQ(FindRpmDatabaseDir(fs), "/usr/lib/sysimage/rpm");
  EXPECT_EQ(ReadAll(root).size(), 2u);
}

TEST_F(RpmDatabaseTest, ConcurrentReadsAllSucceed) {
  std::vector<std::thread> threads;
  std::vector<size_t> counts(4, 0);
  for (size_t t = 0; t < counts.size(); ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        HostFs fs(Root());
        auto pkgs = ReadRpmDatabase(fs);
        if (pkgs.ok()) counts[t] += pkgs->size();
      }
    });
  for (auto& th : threads) th.join();
  for (size_t c : counts) EXPECT_EQ(c, 10u);
}

TEST(RpmDatabaseMissingTest, NoDatabaseDirectoryIsZeroPackages) {
  testing::TempDir dir;
  HostFs fs(dir.path());
  auto pkgs = ReadRpmDatabase(fs);
  ASSERT_TRUE(pkgs.ok()) << pkgs.status().message();
  EXPECT_TRUE(pkgs->empty());
}

TEST(RpmDatabaseMissingTest, EmptyDatabaseDirectoryIsZeroPackages) {
  // Debian's rpm package ships an empty /var/lib/rpm: that is no database.
  testing::TempDir dir;
  std::filesystem::create_directories(dir.path() + "/var/lib/rpm");
  HostFs fs(dir.path());
  auto pkgs = ReadRpmDatabase(fs);
  ASSERT_TRUE(pkgs.ok()) << pkgs.status().message();
  EXPECT_TRUE(pkgs->empty());
  EXPECT_EQ(FindRpmDatabaseDir(fs), "");
}

TEST(RpmDatabaseMissingTest, CorruptDatabaseIsAnErrorNamingThePath) {
  testing::TempDir dir;
  dir.WriteFile("var/lib/rpm/rpmdb.sqlite", std::string(8192, '\x5a') + "not a database");
  HostFs fs(dir.path());
  auto pkgs = ReadRpmDatabase(fs);
  ASSERT_FALSE(pkgs.ok());
  EXPECT_NE(pkgs.status().message().find(dir.path() + "/var/lib/rpm"), std::string::npos)
      << pkgs.status().message();
}

TEST(RpmDatabaseMissingTest, NdbDatabaseIsReportedAsUnreadable) {
  testing::TempDir dir;
  dir.WriteFile("usr/lib/sysimage/rpm/Packages.db", "RpmP");
  HostFs fs(dir.path());
  auto pkgs = ReadRpmDatabase(fs);
  ASSERT_FALSE(pkgs.ok());
  EXPECT_EQ(pkgs.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(pkgs.status().message().find("usr/lib/sysimage/rpm"), std::string::npos);
  EXPECT_NE(pkgs.status().message().find("NDB"), std::string::npos);
}

}  // namespace
}  // namespace warden

// The install script's text and command, and the package folder behind them.
// The script itself runs for real in tests/package/package_test.sh (a fresh
// Debian root, a real server); here: it parses in sh, refuses bad arguments
// before touching anything, and carries what AgentPackages chose.
#include "server/install_script.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>

#include "server/agent_packages.h"
#include "testing/test_util.h"

namespace warden::server {
namespace {

TEST(AgentPackagesTest, FileNamesAreNameVersionArch) {
  AgentPackage p;
  ASSERT_TRUE(ParsePackageFileName("warden-agent_0.1.0+upgrade1_amd64.deb", &p));
  EXPECT_EQ(p.package, "warden-agent");
  EXPECT_EQ(p.version, "0.1.0+upgrade1");
  EXPECT_EQ(p.arch, "amd64");
  EXPECT_TRUE(ParsePackageFileName("warden_1%3a2.0~rc1-3_arm64.deb", &p));
  for (const char* bad :
       {"warden.deb", "warden_1.0.deb", "warden_1.0_amd64.rpm", "../warden_1.0_amd64.deb",
        "warden_1.0_amd64.deb/x", "Warden_1.0_amd64.deb", "warden_1 0_amd64.deb", "_1.0_amd64.deb",
        "warden__amd64.deb", "warden_1.0_.deb"})
    EXPECT_FALSE(ParsePackageFileName(bad, &p)) << bad;
}

TEST(AgentPackagesTest, OnlyDebianPackagesGoInAndNothingOutsideComesOut) {
  testing::TempDir dir;
  AgentPackages packages(dir.path() + "/packages");
  EXPECT_TRUE(packages.Newest()->empty());  // no folder yet: no packages
  const std::string text = dir.path() + "/warden_1.0_amd64.deb";
  std::ofstream(text) << "#!/bin/sh\necho not a package\n";
  auto refused = packages.Add(text);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("not a Debian package"), std::string::npos);
  EXPECT_NE(refused.status().message().find(text), std::string::npos);
  const std::string misnamed = dir.path() + "/warden.deb";
  std::ofstream(misnamed) << "!<arch>\ndebian-binary   ";
  EXPECT_FALSE(packages.Add(misnamed).ok());

  const std::string good = dir.path() + "/warden_1.0_amd64.deb";
  std::ofstream(good, std::ios::trunc) << "!<arch>\ndebian-binary   one";
  auto added = packages.Add(good);
  ASSERT_TRUE(added.ok()) << added.status().message();
  const std::string first_digest = added->sha256;
  std::ofstream(dir.path() + "/secret.txt") << "not served";
  EXPECT_FALSE(packages.Read("../secret.txt").ok());
  EXPECT_FALSE(packages.Read("secret.txt").ok());
  ASSERT_TRUE(packages.Read("warden_1.0_amd64.deb").ok());

  // Replaced under the same name: a new digest, never the cached one.
  std::ofstream(good, std::ios::trunc) << "!<arch>\ndebian-binary   two, longer";
  ASSERT_TRUE(packages.Add(good).ok());
  auto newest = packages.Newest();
  ASSERT_TRUE(newest.ok());
  ASSERT_EQ(newest->size(), 1u);
  EXPECT_NE((*newest)[0].sha256, first_digest);
}

// Runs the script with sh and these arguments; exit code and stderr.
std::pair<int, std::string> RunScript(const std::string& script, const std::string& args) {
  testing::TempDir dir;
  const std::string file = dir.path() + "/install.sh";
  const std::string err = dir.path() + "/stderr";
  std::ofstream(file) << script;
  const int status = std::system(("sh " + file + " " + args + " 2>" + err + " >/dev/null").c_str());
  std::ifstream in(err);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, text};
}

TEST(InstallScriptTest, ParsesInShAndRefusesBadArgumentsFirst) {
  AgentPackage p{"warden_1.0_amd64.deb", "warden", "1.0", "amd64", 10, std::string(64, 'a')};
  const std::string script = InstallScript({p});
  EXPECT_NE(script.find("\namd64 warden_1.0_amd64.deb " + std::string(64, 'a') + " warden 1.0\n"),
            std::string::npos);
  {
    testing::TempDir dir;
    const std::string file = dir.path() + "/s.sh";
    std::ofstream(file) << script;
    EXPECT_EQ(std::system(("sh -n " + file).c_str()), 0);
  }
  const std::string fp = "sha256:" + std::string(64, '0');
  const struct {
    std::string args, says;
  } cases[] = {
      {"--server", "--server needs a value"},
      {"--bogus x", "unknown argument '--bogus'"},
      {"--ca-fingerprint " + fp + " --secret s", "--server https://HOST:PORT is required"},
      {"--server http://h:1 --ca-fingerprint " + fp + " --secret s", "must be an https:// URL"},
      {"--server https://h:1 --secret s", "--ca-fingerprint sha256:HEX is required"},
      {"--server https://h:1 --ca-fingerprint " + fp, "--secret (or $WARDEN_ENROLL_SECRET)"},
  };
  for (const auto& c : cases) {
    auto [code, err] = RunScript(script, c.args);
    EXPECT_EQ(code, 2) << c.args << ": " << err;
    EXPECT_NE(err.find(c.says), std::string::npos) << c.args << ": " << err;
  }
}

TEST(InstallScriptTest, TheCommandQuotesWhatAShellWouldRead) {
  EXPECT_EQ(InstallCommand({"https://w:8443/", "sha256:ab", "sha256//AB+/=", "wdn_enr_x"}),
            "curl -fsS --insecure --pinnedpubkey sha256//AB+/= "
            "https://w:8443/api/v1/agent/install.sh | sudo sh -s -- --server https://w:8443 "
            "--ca-fingerprint sha256:ab --secret wdn_enr_x");
  EXPECT_NE(InstallCommand({"https://w", "fp", "pin", "it's $(x)"}).find("'it'\\''s $(x)'"),
            std::string::npos);
}

TEST(InstallScriptTest, WithoutAPrivateCaThereIsOnlyTheEnrolCommand) {
  EnrolCommands pinned = CommandsFor({"https://w:8443", "sha256:ab", "sha256//AB=", "wdn_enr_x"});
  EXPECT_EQ(pinned.enroll,
            "warden agent enroll --server https://w:8443 --secret wdn_enr_x --ca-fingerprint "
            "sha256:ab");
  EXPECT_EQ(pinned.install,
            InstallCommand({"https://w:8443", "sha256:ab", "sha256//AB=", "wdn_enr_x"}));
  EnrolCommands own_certificate = CommandsFor({"https://w:8443", "", "sha256//AB=", "wdn_enr_x"});
  EXPECT_EQ(own_certificate.enroll,
            "warden agent enroll --server https://w:8443 --secret wdn_enr_x");
  EXPECT_TRUE(own_certificate.install.empty());
}

}  // namespace
}  // namespace warden::server

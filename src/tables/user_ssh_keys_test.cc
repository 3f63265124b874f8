// Tests of user_ssh_keys over fixture keys in every format ssh-keygen writes,
// robustness on truncated keys, and a live cross-check against ssh-keygen -l.
#include <gtest/gtest.h>
#include <unistd.h>

#include <map>
#include <string>
#include <vector>

#include "core/strings.h"
#include "tables/home_trap_test_util.h"
#include "tables/query_rows_test_util.h"
#include "tables/ssh_private_key.h"
#include "testing/sql_test_util.h"
#include "testing/test_util.h"

namespace warden::testing {
namespace {

struct KeyRow {
  int64_t encrypted;
  std::string type, group;
  int64_t length, security_bits;
  bool operator==(const KeyRow&) const = default;
};

std::ostream& operator<<(std::ostream& os, const KeyRow& k) {
  return os << "{" << k.encrypted << ", " << k.type << ", " << k.group << ", " << k.length << ", "
            << k.security_bits << "}";
}

std::map<std::string, KeyRow> KeysByPath(const QueryResult& r) {
  std::map<std::string, KeyRow> out;
  for (size_t i = 0; i < r.rows.size(); ++i)
    out[TextCell(r, i, "path")] = {IntCell(r, i, "encrypted"), TextCell(r, i, "key_type"),
                                   TextCell(r, i, "key_group_name"), IntCell(r, i, "key_length"),
                                   IntCell(r, i, "key_security_bits")};
  return out;
}

// The fixture keys were made with ssh-keygen (-t ed25519; -t rsa -b 1024 -m
// PEM; -t ecdsa -b 384 with a passphrase; -t rsa -m PEM with a passphrase)
// and openssl genpkey -algorithm ed25519; sizes are those ssh-keygen -l
// prints, security bits NIST SP800-57's for those sizes.
TEST(UserSshKeysTableTest, DescribesEachPrivateKeyFormat) {
  SqlFixture db(FixturePath("user/root"));
  auto r = db.Query("SELECT * FROM user_ssh_keys");
  const std::string dir = "/home/alice/.ssh/";
  std::map<std::string, KeyRow> want{
      {dir + "id_ecdsa_encrypted", {1, "ec", "secp384r1", 384, 192}},
      {dir + "id_ed25519", {0, "ed25519", "", 256, 128}},
      {dir + "id_pkcs8_ed25519", {0, "ed25519", "", 256, 128}},
      {dir + "id_rsa_legacy_encrypted", {1, "rsa", "", -1, -1}},
      {dir + "id_rsa_pem", {0, "rsa", "", 1024, 80}},
  };
  EXPECT_EQ(KeysByPath(r), want);
  for (size_t i = 0; i < r.rows.size(); ++i) EXPECT_EQ(IntCell(r, i, "uid"), 1000);
}

TEST(UserSshKeysTableTest, PublicKeysConfigsAndJunkAreNotKeys) {
  EXPECT_FALSE(InspectSshPrivateKey("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA x\n"));
  EXPECT_FALSE(InspectSshPrivateKey("Host *\n  ForwardAgent no\n"));
  EXPECT_FALSE(
      InspectSshPrivateKey("-----BEGIN RSA PRIVATE KEY-----\nnot base64 !!!\n"
                           "-----END RSA PRIVATE KEY-----\n"));
  // Truncated OpenSSH containers, down to nothing, never read out of bounds.
  EXPECT_FALSE(
      InspectSshPrivateKey("-----BEGIN OPENSSH PRIVATE KEY-----\n"
                           "-----END OPENSSH PRIVATE KEY-----\n"));
  EXPECT_FALSE(
      InspectSshPrivateKey("-----BEGIN OPENSSH PRIVATE KEY-----\n"
                           "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAA/w==\n"
                           "-----END OPENSSH PRIVATE KEY-----\n"));
}

TEST(UserSshKeysTableTest, TruncatedOpenSshKeyNeverReadsPastItsData) {
  auto full = FixturePath("user/root/home/alice/.ssh/id_ed25519");
  HostFs fs;
  auto text = fs.ReadFile(full);
  ASSERT_TRUE(text.ok());
  std::string body = *text;
  size_t start = body.find('\n') + 1;
  size_t end = body.find("-----END");
  for (size_t cut = start; cut < end; cut += 7) {
    std::string truncated = body.substr(0, cut) + "\n-----END OPENSSH PRIVATE KEY-----\n";
    (void)InspectSshPrivateKey(truncated);  // must not crash; any answer is fine
  }
}

TEST(UserSshKeysTableTest, UidConstraintLimitsToThatUser) {
  SqlFixture db(FixturePath("user/root"));
  EXPECT_TRUE(db.Query("SELECT * FROM user_ssh_keys WHERE uid = 1001").rows.empty());
  EXPECT_EQ(db.Query("SELECT * FROM user_ssh_keys WHERE uid = 1000").rows.size(), 5u);
}

// Keys made now by ssh-keygen, described by ssh-keygen -l: bits and type.
TEST(UserSshKeysTableLiveTest, MatchesSshKeygenForFreshKeys) {
  if (RunShell("command -v ssh-keygen >/dev/null").exit_code != 0) GTEST_SKIP() << "no ssh-keygen";
  TempDir root;
  root.WriteFile("etc/passwd", "k:x:" + std::to_string(getuid()) + ":0::/home/k:/bin/sh\n");
  root.WriteFile("home/k/.ssh/placeholder", "");
  std::string dir = root.path() + "/home/k/.ssh/";
  struct Spec {
    std::string file;
    std::vector<std::string> args;
    std::string passphrase;
  };
  std::vector<Spec> specs{{"rsa3072", {"-t", "rsa", "-b", "3072"}, ""},
                          {"rsa2048_pem", {"-t", "rsa", "-b", "2048", "-m", "PEM"}, ""},
                          {"ecdsa521", {"-t", "ecdsa", "-b", "521"}, "pass phrase"},
                          {"ecdsa256_pem", {"-t", "ecdsa", "-b", "256", "-m", "PEM"}, ""},
                          {"ed25519", {"-t", "ed25519"}, "pw"}};
  const std::map<std::string, std::string> type_names{
      {"(RSA)", "rsa"}, {"(ECDSA)", "ec"}, {"(ED25519)", "ed25519"}, {"(DSA)", "dsa"}};
  std::map<std::string, std::pair<std::string, std::string>> expected;  // path -> bits, type
  for (const Spec& s : specs) {
    std::vector<std::string> argv{"ssh-keygen", "-q", "-N", s.passphrase,
                                  "-C",         "t",  "-f", dir + s.file};
    argv.insert(argv.end(), s.args.begin(), s.args.end());
    CommandResult gen = RunCommand(argv);
    ASSERT_EQ(gen.exit_code, 0) << s.file << ": " << gen.err;
    CommandResult fp = RunCommand({"ssh-keygen", "-l", "-f", dir + s.file + ".pub"});
    ASSERT_EQ(fp.exit_code, 0) << fp.err;
    auto words = SplitWhitespace(fp.out);
    ASSERT_GE(words.size(), 3u) << fp.out;
    expected["/home/k/.ssh/" + s.file] = {std::string(words[0]),
                                          type_names.at(std::string(words.back()))};
  }
  SqlFixture db(root.path());
  auto r = db.Query("SELECT path, key_length, key_type, encrypted FROM user_ssh_keys");
  std::map<std::string, std::pair<std::string, std::string>> actual;
  for (size_t i = 0; i < r.rows.size(); ++i)
    actual[TextCell(r, i, "path")] = {std::to_string(IntCell(r, i, "key_length")),
                                      TextCell(r, i, "key_type")};
  EXPECT_EQ(actual, expected);
  for (size_t i = 0; i < r.rows.size(); ++i) {
    std::string path = TextCell(r, i, "path");
    bool has_passphrase = EndsWith(path, "ecdsa521") || EndsWith(path, "ed25519");
    EXPECT_EQ(IntCell(r, i, "encrypted"), has_passphrase ? 1 : 0) << path;
  }
}

TEST(UserSshKeysTableTest, KeysSymlinkedOutOfTheHomeAreNotRead) {
  HomeTrapRoot root;
  auto key = HostFs(FixturePath("user/root")).ReadFile("/home/alice/.ssh/id_ed25519");
  ASSERT_TRUE(key.ok()) << key.status().message();
  root.Write("etc/ssh/ssh_host_ed25519_key", *key);
  root.Write("home/u/.ssh/.keep", "");
  root.Symlink("/etc/ssh/ssh_host_ed25519_key", "home/u/.ssh/id_ed25519");
  root.Symlink("../../../etc/ssh/ssh_host_ed25519_key", "home/u/.ssh/id_other");
  root.Fifo("home/u/.ssh/id_fifo");
  EXPECT_TRUE(root.QueryWithoutHanging("SELECT path FROM user_ssh_keys").rows.empty());
  HomeTrapRoot dir_link;
  dir_link.Write("etc/ssh/ssh_host_ed25519_key", *key);
  dir_link.Symlink("/etc/ssh", "home/u/.ssh");
  EXPECT_TRUE(dir_link.QueryWithoutHanging("SELECT path FROM user_ssh_keys").rows.empty());
}

}  // namespace
}  // namespace warden::testing

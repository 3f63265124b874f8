// Tests of the iptables table on the live host: a rule added in a chain of
// this test's own shows up with osquery's values, and disappears with it.
// Needs the iptables package (skipped without it) and root. The chain is
// not referenced from any built-in chain, so it never sees a packet.
#include <gtest/gtest.h>
#include <unistd.h>

#include "testing/sql_test_util.h"
#include "testing/test_util.h"

namespace warden {
namespace {

using ::warden::testing::Cell;
using ::warden::testing::FixturePath;
using ::warden::testing::RunCommand;
using ::warden::testing::SqlFixture;

std::string IptablesBinary() {
  for (const char* path : {"/usr/sbin/iptables", "/sbin/iptables"})
    if (::access(path, X_OK) == 0) return path;
  return "";
}

// Creates a user chain holding one rule; flushes and deletes it on scope exit.
class ScratchChain {
 public:
  ScratchChain(std::string iptables, std::string name)
      : iptables_(std::move(iptables)), name_(std::move(name)) {
    created_ = RunCommand({iptables_, "-w", "-N", name_}).exit_code == 0;
  }
  ~ScratchChain() {
    if (!created_) return;
    RunCommand({iptables_, "-w", "-F", name_});
    RunCommand({iptables_, "-w", "-X", name_});
  }
  ScratchChain(const ScratchChain&) = delete;
  ScratchChain& operator=(const ScratchChain&) = delete;
  bool created() const { return created_; }
  bool Append(const std::vector<std::string>& rule) {
    std::vector<std::string> argv = {iptables_, "-w", "-A", name_};
    argv.insert(argv.end(), rule.begin(), rule.end());
    return RunCommand(argv).exit_code == 0;
  }

 private:
  std::string iptables_;
  std::string name_;
  bool created_ = false;
};

TEST(IptablesTableTest, NotLiveRootHasNoRows) {
  SqlFixture sql(FixturePath("network/root"));
  EXPECT_TRUE(sql.Query("SELECT * FROM iptables").rows.empty());
}

TEST(IptablesTableTest, LiveRuleAddedByIptablesIsListedThenGone) {
  std::string iptables = IptablesBinary();
  if (iptables.empty()) GTEST_SKIP() << "the iptables package is not installed";
  const std::string chain = "WARDEN_T" + std::to_string(::getpid());
  const std::string query =
      "SELECT * FROM iptables WHERE filter_name = 'filter' AND chain = '" + chain + "'";
  {
    ScratchChain scratch(iptables, chain);
    if (!scratch.created())
      GTEST_SKIP() << "iptables cannot create chains here (no kernel support?)";
    ASSERT_TRUE(scratch.Append({"-s", "198.51.100.7/32", "-i", "eth+", "-p", "tcp", "-m", "tcp",
                                "--dport", "4242", "-j", "DROP"}));
    SqlFixture sql;
    auto r = sql.Query(query);
    ASSERT_EQ(r.rows.size(), 2u);  // the rule, then the chain itself
    EXPECT_EQ(ValueToText(Cell(r, 0, "target")), "DROP");
    EXPECT_EQ(ValueToText(Cell(r, 0, "policy")), "");
    EXPECT_EQ(ValueToText(Cell(r, 0, "protocol")), "6");
    EXPECT_EQ(ValueToText(Cell(r, 0, "src_ip")), "198.51.100.7");
    EXPECT_EQ(ValueToText(Cell(r, 0, "src_mask")), "255.255.255.255");
    EXPECT_EQ(ValueToText(Cell(r, 0, "dst_ip")), "0.0.0.0");
    EXPECT_EQ(ValueToText(Cell(r, 0, "dst_port")), "4242:4242");
    EXPECT_EQ(ValueToText(Cell(r, 0, "src_port")), "0:65535");
    EXPECT_EQ(ValueToText(Cell(r, 0, "iniface")), "eth+");
    EXPECT_EQ(ValueToText(Cell(r, 0, "iniface_mask")), "FFFFFF");
    EXPECT_EQ(ValueToText(Cell(r, 0, "outiface")), "all");
    EXPECT_EQ(ValueToText(Cell(r, 0, "match")), "yes");
    EXPECT_EQ(ValueToText(Cell(r, 0, "packets")), "0");
    EXPECT_TRUE(IsNull(Cell(r, 1, "target")));
    EXPECT_EQ(ValueToText(Cell(r, 1, "chain")), chain);
  }
  SqlFixture sql;
  EXPECT_TRUE(sql.Query(query).rows.empty()) << "the scratch chain was not removed";
}

TEST(IptablesTableTest, LiveBuiltinChainsCarryTheirPolicy) {
  std::string iptables = IptablesBinary();
  if (iptables.empty()) GTEST_SKIP() << "the iptables package is not installed";
  auto listing = RunCommand({iptables, "-w", "-S", "INPUT"});  // "-P INPUT ACCEPT" first
  if (listing.exit_code != 0) GTEST_SKIP() << "iptables cannot list rules here";
  std::string policy;
  if (listing.out.rfind("-P INPUT ", 0) == 0)
    policy = listing.out.substr(9, listing.out.find('\n') - 9);
  SqlFixture sql;
  auto r = sql.Query(
      "SELECT policy FROM iptables WHERE filter_name = 'filter' AND "
      "chain = 'INPUT' AND target IS NULL");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(ValueToText(Cell(r, 0, "policy")), policy);
}

}  // namespace
}  // namespace warden

// Tests of the iptables-save text parser over a fixture dump that exercises
// negation, masks, wildcard interfaces, ports, multiport, quoting and
// user-defined chains.
#include "tables/iptables_save_parser.h"

#include <gtest/gtest.h>

#include "core/host_fs.h"
#include "testing/test_util.h"

namespace warden {
namespace {

using ::warden::testing::FixturePath;

std::vector<IptablesChain> ParseFixture() {
  HostFs fs;
  auto text = fs.ReadFile(FixturePath("network/iptables/iptables-save.txt"));
  EXPECT_TRUE(text.ok());
  return ParseIptablesSave(text.ok() ? *text : "", [](std::string_view name) {
    return name == "gre" ? std::optional<int64_t>(47) : std::nullopt;
  });
}

const IptablesChain& Chain(const std::vector<IptablesChain>& chains, const std::string& table,
                           const std::string& name) {
  for (const auto& c : chains)
    if (c.table == table && c.name == name) return c;
  static const IptablesChain kMissing;
  ADD_FAILURE() << table << "/" << name << " not parsed";
  return kMissing;
}

std::string Text(const Value& v) { return ValueToText(v); }

TEST(IptablesSaveParserTest, ChainsKeepDeclarationOrderPerTable) {
  auto chains = ParseFixture();
  std::vector<std::string> names;
  for (const auto& c : chains) names.push_back(c.table + "/" + c.name);
  EXPECT_EQ(names, (std::vector<std::string>{"filter/INPUT", "filter/FORWARD", "filter/OUTPUT",
                                             "filter/SSH_GUARD", "nat/PREROUTING", "nat/INPUT",
                                             "nat/OUTPUT", "nat/POSTROUTING"}));
}

TEST(IptablesSaveParserTest, ChainPolicyAndCounters) {
  auto chains = ParseFixture();
  const auto& input = Chain(chains, "filter", "INPUT");
  EXPECT_EQ(input.policy, "DROP");
  EXPECT_EQ(input.packets, 1024);
  EXPECT_EQ(input.bytes, 65536);
  EXPECT_EQ(input.rules.size(), 8u);
  EXPECT_EQ(Chain(chains, "filter", "SSH_GUARD").policy, "");  // user chain: "-"
}

TEST(IptablesSaveParserTest, RuleWithoutOptionsMatchesEverything) {
  const auto chains = ParseFixture();
  const auto& rule = Chain(chains, "filter", "INPUT").rules.at(0);  // -i lo -j ACCEPT
  EXPECT_EQ(rule.target, "ACCEPT");
  EXPECT_EQ(Text(rule.protocol), "0");
  EXPECT_EQ(rule.src_ip, "0.0.0.0");
  EXPECT_EQ(rule.src_mask, "0.0.0.0");
  EXPECT_EQ(rule.dst_ip, "0.0.0.0");
  EXPECT_EQ(rule.outiface, "all");
  EXPECT_EQ(rule.outiface_mask, "");
  EXPECT_EQ(rule.iniface, "lo");
  EXPECT_EQ(rule.iniface_mask, "FFFFFF");  // "lo" and its NUL
  EXPECT_EQ(rule.src_port, "");
  EXPECT_EQ(rule.match, "no");
  EXPECT_EQ(rule.packets, 310);
  EXPECT_EQ(rule.bytes, 18600);
}

TEST(IptablesSaveParserTest, TcpRuleWithSourceNetworkWildcardInterfaceAndPort) {
  // -s 10.0.0.0/8 -i eth+ -p tcp -m tcp --dport 22 -j SSH_GUARD
  const auto chains = ParseFixture();
  const auto& rule = Chain(chains, "filter", "INPUT").rules.at(2);
  EXPECT_EQ(rule.src_ip, "10.0.0.0");
  EXPECT_EQ(rule.src_mask, "255.0.0.0");
  EXPECT_EQ(rule.iniface, "eth+");
  EXPECT_EQ(rule.iniface_mask, "FFFFFF");  // "eth", the '+' is a wildcard
  EXPECT_EQ(Text(rule.protocol), "6");
  EXPECT_TRUE(std::holds_alternative<int64_t>(rule.protocol));
  EXPECT_EQ(rule.dst_port, "22:22");
  EXPECT_EQ(rule.src_port, "0:65535");
  EXPECT_EQ(rule.target, "SSH_GUARD");
  EXPECT_EQ(rule.match, "yes");
}

TEST(IptablesSaveParserTest, NegationsArePrefixedWithBang) {
  // ! -s 192.168.0.0/255.255.0.0 ! -i eth0 -p udp -m udp --sport 53 --dport 1024:65535 -j DROP
  const auto chains = ParseFixture();
  const auto& rule = Chain(chains, "filter", "INPUT").rules.at(3);
  EXPECT_EQ(rule.src_ip, "!192.168.0.0");
  EXPECT_EQ(rule.src_mask, "255.255.0.0");
  EXPECT_EQ(rule.iniface, "!eth0");
  EXPECT_EQ(rule.iniface_mask, "FFFFFFFFFF");
  EXPECT_EQ(Text(rule.protocol), "17");
  EXPECT_EQ(rule.src_port, "53:53");
  EXPECT_EQ(rule.dst_port, "1024:65535");
  // -o tun0 -p tcp -m tcp ! --dport 25 -j ACCEPT
  const auto& output = Chain(chains, "filter", "OUTPUT").rules.at(0);
  EXPECT_EQ(output.dst_port, "!25:25");
  EXPECT_EQ(output.outiface, "tun0");
}

TEST(IptablesSaveParserTest, InvertedProtocolIsTextAndHasNoPorts) {
  // ! -p tcp -d 203.0.113.5/32 -j REJECT --reject-with icmp-port-unreachable
  const auto chains = ParseFixture();
  const auto& rule = Chain(chains, "filter", "INPUT").rules.at(6);
  EXPECT_EQ(Text(rule.protocol), "!6");
  EXPECT_EQ(rule.dst_ip, "203.0.113.5");
  EXPECT_EQ(rule.dst_mask, "255.255.255.255");
  EXPECT_EQ(rule.dst_port, "");
  EXPECT_EQ(rule.target, "REJECT");
}

TEST(IptablesSaveParserTest, QuotedValuesDoNotLeakOptions) {
  // -m multiport --dports 80,443 -m comment --comment "web \"front\" -j NOTME" -j ACCEPT
  const auto chains = ParseFixture();
  const auto& rule = Chain(chains, "filter", "INPUT").rules.at(5);
  EXPECT_EQ(rule.dst_port, "80,443");
  EXPECT_EQ(rule.target, "ACCEPT");
}

TEST(IptablesSaveParserTest, ProtocolNamesResolveThroughTheGivenTable) {
  const auto chains = ParseFixture();
  EXPECT_EQ(Text(Chain(chains, "filter", "INPUT").rules.at(7).protocol), "47");  // gre
  EXPECT_EQ(Text(Chain(chains, "filter", "INPUT").rules.at(4).protocol), "1");   // icmp, built in
}

TEST(IptablesSaveParserTest, RuleWithoutTargetHasEmptyTarget) {
  const auto chains = ParseFixture();
  const auto& rule = Chain(chains, "filter", "SSH_GUARD").rules.at(0);
  EXPECT_EQ(rule.target, "");
  EXPECT_EQ(rule.match, "yes");
  EXPECT_EQ(rule.packets, 3);
}

TEST(IptablesSaveParserTest, SameChainNameInAnotherTableIsAnotherChain) {
  auto chains = ParseFixture();
  EXPECT_TRUE(Chain(chains, "nat", "INPUT").rules.empty());
  const auto& masquerade = Chain(chains, "nat", "POSTROUTING").rules.at(0);
  EXPECT_EQ(masquerade.outiface, "!docker0");
  EXPECT_EQ(masquerade.target, "MASQUERADE");
}

TEST(IptablesSaveParserTest, JunkAndTruncatedInputNeverCrash) {
  const char* inputs[] = {
      "",
      "*filter\n:INPUT\n[1:2] -A\n[x:y] -A INPUT -j DROP\n-A INPUT -s\nCOMMIT\n",
      "-A INPUT -j DROP\n",  // outside a table
      "*filter\n[0:0] -A INPUT -m comment --comment \"unterminated\n",
      "*filter\n\x01\x02\xff\xfe\n[99999999999999999999:1] -A INPUT -j ACCEPT\n",
  };
  for (const char* text : inputs) {
    auto chains = ParseIptablesSave(text, nullptr);
    for (const auto& c : chains) EXPECT_FALSE(c.name.empty());
  }
  auto chains =
      ParseIptablesSave("*filter\n:INPUT ACCEPT [0:0]\n[1:2] -A INPUT -j DROP\n", nullptr);
  ASSERT_EQ(chains.size(), 1u);
  ASSERT_EQ(chains[0].rules.size(), 1u);
  EXPECT_EQ(chains[0].rules[0].target, "DROP");
}

}  // namespace
}  // namespace warden

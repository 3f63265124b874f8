// iptables: the IPv4 packet filter rules, one row per rule and one per chain
// (carrying the chain's policy counters), grouped per table and chain in
// osquery's order.
//
// Source, and why: osquery reads the legacy x_tables through libiptc. Debian
// 12's iptables is iptables-nft, whose rules live in nftables where libiptc
// sees nothing, while hosts that still use iptables-legacy keep rules in the
// x_tables. Both front ends print the same `iptables-save -c` text, so Warden
// runs iptables-nft-save and iptables-legacy-save (whichever are installed,
// from /usr/sbin or /sbin; plain iptables-save when neither variant is) and
// parses their output (iptables_save_parser.h). That covers both kernels'
// rule sets without linking libiptc or libnftnl. Consequences:
//   - needs the iptables package; without it the table has zero rows (as it
//     also does on a --root image or fixture tree: a program describes the
//     live host only);
//   - native nftables rule sets (`nft list ruleset`, firewalld's inet tables)
//     are not iptables rules and are not shown; nor are ip6tables rules,
//     which osquery's table does not show either.
// Values follow osquery (see IptablesRule), with two deliberate differences:
// a rule row's packets/bytes are that rule's own counters (osquery repeats
// the chain policy's), and match is "yes" only for rules with a match
// extension (osquery says "yes" for every rule).
#include <sys/stat.h>

#include <map>

#include "core/strings.h"
#include "tables/command_capture.h"
#include "tables/iptables_save_parser.h"
#include "tables/network_tables.h"

namespace warden {
namespace {

constexpr auto kSaveTimeout = std::chrono::seconds(15);
constexpr size_t kMaxSaveOutput = 32u << 20;

std::optional<std::string> FindProgram(const HostFs& fs, std::string_view name) {
  for (std::string_view dir : {"/usr/sbin/", "/sbin/"}) {
    std::string path = std::string(dir) + std::string(name);
    auto st = fs.Stat(path);
    if (st.ok() && S_ISREG(st->st_mode) && (st->st_mode & S_IXUSR)) return path;
  }
  return std::nullopt;
}

// Protocol names from /etc/protocols, for the names iptables looked up there.
std::map<std::string, int64_t, std::less<>> ReadProtocolNumbers(const HostFs& fs) {
  std::map<std::string, int64_t, std::less<>> numbers;
  (void)fs.ForEachLine("/etc/protocols", [&](std::string_view line) {
    auto words = SplitWhitespace(line.substr(0, line.find('#')));
    int64_t number = 0;
    if (words.size() < 2 || !ParseInt64(words[1], &number)) return true;
    for (size_t i = 0; i < words.size(); ++i)
      if (i != 1) numbers.emplace(std::string(words[i]), number);
    return true;
  });
  return numbers;
}

void WriteChains(const std::vector<IptablesChain>& chains, RowWriter& out) {
  for (const auto& chain : chains) {
    for (const auto& rule : chain.rules) {
      Row& row = out.Add();
      row.Set("filter_name", chain.table);
      row.Set("chain", chain.name);
      row.Set("policy", chain.policy);
      row.Set("target", rule.target);
      row.Set("protocol", rule.protocol);
      row.Set("src_port", rule.src_port);
      row.Set("dst_port", rule.dst_port);
      row.Set("src_ip", rule.src_ip);
      row.Set("src_mask", rule.src_mask);
      row.Set("iniface", rule.iniface);
      row.Set("iniface_mask", rule.iniface_mask);
      row.Set("dst_ip", rule.dst_ip);
      row.Set("dst_mask", rule.dst_mask);
      row.Set("outiface", rule.outiface);
      row.Set("outiface_mask", rule.outiface_mask);
      row.Set("match", rule.match);
      row.Set("packets", rule.packets);
      row.Set("bytes", rule.bytes);
    }
    Row& row = out.Add();
    row.Set("filter_name", chain.table);
    row.Set("chain", chain.name);
    row.Set("policy", chain.policy);
    row.Set("packets", chain.packets);
    row.Set("bytes", chain.bytes);
  }
}

Status GenerateIptables(const QueryContext& ctx, RowWriter& out) {
  if (!ctx.fs().is_live()) return Status::Ok();
  std::vector<std::string> programs;
  for (std::string_view variant : {"iptables-nft-save", "iptables-legacy-save"})
    if (auto path = FindProgram(ctx.fs(), variant)) programs.push_back(*path);
  if (programs.empty()) {
    if (auto path = FindProgram(ctx.fs(), "iptables-save")) programs.push_back(*path);
  }
  if (programs.empty()) return Status::Ok();

  auto protocols = ReadProtocolNumbers(ctx.fs());
  auto resolve = [&](std::string_view name) -> std::optional<int64_t> {
    auto it = protocols.find(name);
    return it == protocols.end() ? std::nullopt : std::optional<int64_t>(it->second);
  };
  for (const auto& program : programs) {
    auto saved = CaptureCommandOutput({program, "-c"}, kSaveTimeout, kMaxSaveOutput,
                                      [&ctx] { return ctx.Cancelled(); });
    if (!saved.ok()) {
      if (saved.status().code() == StatusCode::kTimeout) {
        return saved.status().WithContext("iptables");
      }
      continue;  // this variant cannot run here (no kernel support): the other may
    }
    // A failing variant (no nf_tables or ip_tables in the kernel) prints
    // nothing useful; its partial output still parses to nothing wrong.
    WriteChains(ParseIptablesSave(saved->out, resolve), out);
  }
  return Status::Ok();
}

}  // namespace

void RegisterIptablesTable(TableRegistry& r) {
  r.Add(
      TableSchema{
          "iptables",
          "IPv4 packet filter (iptables) chains and rules.",
          {{"filter_name", ColumnType::kText, kNone, "", "Packet matching filter table name."},
           {"chain", ColumnType::kText, kNone, "", "Name of the chain."},
           {"policy", ColumnType::kText, kNone, "", "Policy that applies for this rule."},
           {"target", ColumnType::kText, kNone, "", "Target that applies for this rule."},
           {"protocol", ColumnType::kInteger, kNone, "", "Protocol number identification."},
           {"src_port", ColumnType::kText, kNone, "", "Protocol source port(s)."},
           {"dst_port", ColumnType::kText, kNone, "", "Protocol destination port(s)."},
           {"src_ip", ColumnType::kText, kNone, "", "Source IP address."},
           {"src_mask", ColumnType::kText, kNone, "", "Source IP address mask."},
           {"iniface", ColumnType::kText, kNone, "", "Input interface for the rule."},
           {"iniface_mask", ColumnType::kText, kNone, "", "Input interface mask for the rule."},
           {"dst_ip", ColumnType::kText, kNone, "", "Destination IP address."},
           {"dst_mask", ColumnType::kText, kNone, "", "Destination IP address mask."},
           {"outiface", ColumnType::kText, kNone, "", "Output interface for the rule."},
           {"outiface_mask", ColumnType::kText, kNone, "", "Output interface mask for the rule."},
           {"match", ColumnType::kText, kNone, "", "Matching rule that applies."},
           {"packets", ColumnType::kInteger, kNone, "",
            "Number of matching packets for this rule."},
           {"bytes", ColumnType::kInteger, kNone, "", "Number of matching bytes for this rule."}}},
      GenerateIptables);
}

}  // namespace warden

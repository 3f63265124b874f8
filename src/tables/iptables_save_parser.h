// Parser for the text `iptables-save -c` prints, turned into the fields of
// osquery's iptables table (which osquery reads from the kernel's binary rule
// blobs through libiptc). Grammar, one item per line:
//   # comment                      ignored
//   *<table>                       starts a table ("filter", "nat", ...)
//   :<chain> <policy|-> [<packets>:<bytes>]
//   [<packets>:<bytes>] -A <chain> <options...>
//   COMMIT                         ends the table
// Options are iptables' own (-s, -d, -i, -o, -p, -m, -j, -g, --dport, ...),
// each optionally preceded by "!"; values containing blanks are double-quoted
// with \" and \\ escapes. Options this table has no column for (match and
// target parameters) are skipped. Malformed lines are skipped, never fatal.
// Pure function over text: running the program is the table's business.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/value.h"

namespace warden {

struct IptablesRule {
  std::string target;    // -j/-g value, "" without one
  Value protocol;        // number (0 = all); text "!6" when inverted, or a
                         // protocol name no table could number
  std::string src_port;  // "lo:hi", multiport list, "" when not applicable
  std::string dst_port;
  std::string src_ip;        // "0.0.0.0" when any; "!" prefix when inverted
  std::string src_mask;      // dotted
  std::string iniface;       // "all" when any; "!" prefix when inverted
  std::string iniface_mask;  // libiptc's mask bytes as hex ("FFFFFFFFFF" for eth0)
  std::string dst_ip;
  std::string dst_mask;
  std::string outiface;
  std::string outiface_mask;
  std::string match;  // "yes" when the rule uses a match extension (-m)
  int64_t packets = 0;
  int64_t bytes = 0;
};

struct IptablesChain {
  std::string table;  // filter_name
  std::string name;
  std::string policy;   // "" for user-defined chains
  int64_t packets = 0;  // policy counters
  int64_t bytes = 0;
  std::vector<IptablesRule> rules;
};

// Resolves a protocol name iptables printed ("tcp", "gre") to its number;
// nullopt when unknown. Numbers are accepted by the parser itself.
using ProtocolResolver = std::function<std::optional<int64_t>(std::string_view name)>;

// Chains in the order they were declared, tables in the order they appear.
std::vector<IptablesChain> ParseIptablesSave(std::string_view text,
                                             const ProtocolResolver& resolve_protocol);

// The names iptables itself knows without /etc/protocols (xtables_chain_protos).
std::optional<int64_t> BuiltinProtocolNumber(std::string_view name);

}  // namespace warden

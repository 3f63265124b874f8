#include "tables/iptables_save_parser.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "core/strings.h"
#include "tables/network_address_text.h"

namespace warden {
namespace {

constexpr size_t kInterfaceNameBytes = 16;  // IFNAMSIZ

// Splits an option line into words; a double-quoted word keeps its blanks and
// loses its quotes and backslash escapes.
std::vector<std::string> SplitRuleWords(std::string_view line) {
  std::vector<std::string> words;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (i >= line.size()) break;
    std::string word;
    if (line[i] == '"') {
      for (++i; i < line.size() && line[i] != '"'; ++i) {
        if (line[i] == '\\' && i + 1 < line.size()) ++i;
        word += line[i];
      }
      ++i;  // closing quote (or end of a truncated line)
    } else {
      while (i < line.size() && line[i] != ' ' && line[i] != '\t') word += line[i++];
    }
    words.push_back(std::move(word));
  }
  return words;
}

// "[123:4567]" -> packets, bytes.
bool ParseCounters(std::string_view text, int64_t* packets, int64_t* bytes) {
  if (text.size() < 5 || text.front() != '[' || text.back() != ']') return false;
  text = text.substr(1, text.size() - 2);
  size_t colon = text.find(':');
  if (colon == std::string_view::npos) return false;
  return ParseInt64(text.substr(0, colon), packets) && ParseInt64(text.substr(colon + 1), bytes);
}

// "10.0.0.0/8", "10.0.0.0/255.0.0.0", "1.2.3.4" -> address and dotted mask.
void SetAddressAndMask(std::string_view text, bool inverted, std::string* ip, std::string* mask) {
  size_t slash = text.find('/');
  std::string_view address_text = text.substr(0, slash);
  auto address = ParseIpAddressText(address_text);
  IpAddress mask_value = PrefixToMask(32, false);
  if (slash != std::string_view::npos) {
    std::string_view mask_text = text.substr(slash + 1);
    int64_t prefix = 0;
    if (ParseInt64(mask_text, &prefix) && prefix >= 0 && prefix <= 32) {
      mask_value = PrefixToMask(static_cast<int>(prefix), false);
    } else if (auto dotted = ParseIpAddressText(mask_text); dotted && !dotted->is_v6) {
      mask_value = *dotted;
    }
  }
  *ip = (inverted ? "!" : "") + (address ? IpAddressText(*address) : std::string(address_text));
  *mask = IpAddressText(mask_value);
}

// libiptc keeps an interface as its name plus a byte mask: 0xFF for every
// byte that must match, including the terminating NUL, except that a trailing
// '+' (prefix wildcard) and what follows are not compared. osquery prints the
// mask bytes up to the first zero as hex.
std::string InterfaceMaskHex(std::string_view name) {
  size_t bytes = name.empty() ? 0 : (name.back() == '+' ? name.size() - 1 : name.size() + 1);
  bytes = std::min(bytes, kInterfaceNameBytes);
  std::string hex;
  for (size_t i = 0; i < bytes; ++i) hex += "FF";
  return hex;
}

// "22" -> "22:22"; "1000:2000" kept; ":1024" -> "0:1024"; "1024:" ->
// "1024:65535"; multiport lists ("80,443") kept as written.
std::string PortRange(std::string_view text, bool inverted) {
  std::string range;
  size_t colon = text.find(':');
  if (text.find(',') != std::string_view::npos) {
    range = std::string(text);
  } else if (colon == std::string_view::npos) {
    range = std::string(text) + ":" + std::string(text);
  } else {
    std::string_view low = text.substr(0, colon);
    std::string_view high = text.substr(colon + 1);
    range = std::string(low.empty() ? "0" : low) + ":" + std::string(high.empty() ? "65535" : high);
  }
  return inverted ? "!" + range : range;
}

struct ParsedRule {
  std::string chain;
  IptablesRule rule;
};

std::optional<ParsedRule> ParseRuleWords(const std::vector<std::string>& words,
                                         const ProtocolResolver& resolve_protocol) {
  ParsedRule parsed;
  IptablesRule& rule = parsed.rule;
  rule.protocol = int64_t{0};
  rule.src_ip = rule.dst_ip = "0.0.0.0";
  rule.src_mask = rule.dst_mask = "0.0.0.0";
  rule.iniface = rule.outiface = "all";
  rule.match = "no";
  int64_t protocol = 0;
  bool protocol_inverted = false;
  std::optional<std::string> unknown_protocol;
  std::optional<std::string> src_port, dst_port;

  bool inverted = false;
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& word = words[i];
    if (word == "!") {
      inverted = true;
      continue;
    }
    const bool has_value = i + 1 < words.size();
    const std::string value = has_value ? words[i + 1] : std::string();
    bool consumed_value = true;
    if (word == "-A" || word == "--append") {
      parsed.chain = value;
    } else if (word == "-s" || word == "--source" || word == "--src") {
      SetAddressAndMask(value, inverted, &rule.src_ip, &rule.src_mask);
    } else if (word == "-d" || word == "--destination" || word == "--dst") {
      SetAddressAndMask(value, inverted, &rule.dst_ip, &rule.dst_mask);
    } else if (word == "-i" || word == "--in-interface") {
      rule.iniface = (inverted ? "!" : "") + value;
      rule.iniface_mask = InterfaceMaskHex(value);
    } else if (word == "-o" || word == "--out-interface") {
      rule.outiface = (inverted ? "!" : "") + value;
      rule.outiface_mask = InterfaceMaskHex(value);
    } else if (word == "-p" || word == "--protocol") {
      std::string lower = value;
      std::transform(lower.begin(), lower.end(), lower.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      int64_t number = 0;
      if (ParseInt64(lower, &number))
        protocol = number;
      else if (auto builtin = BuiltinProtocolNumber(lower))
        protocol = *builtin;
      else if (auto known = resolve_protocol ? resolve_protocol(lower) : std::nullopt)
        protocol = *known;
      else
        unknown_protocol = value;  // a name this host cannot number: kept as text
      protocol_inverted = inverted;
    } else if (word == "-m" || word == "--match") {
      rule.match = "yes";
    } else if (word == "-j" || word == "--jump" || word == "-g" || word == "--goto") {
      rule.target = value;
    } else if (word == "--dport" || word == "--destination-port" || word == "--dports" ||
               word == "--destination-ports") {
      dst_port = PortRange(value, inverted);
    } else if (word == "--sport" || word == "--source-port" || word == "--sports" ||
               word == "--source-ports") {
      src_port = PortRange(value, inverted);
    } else {
      consumed_value = false;  // a flag, a parameter of a match or target, or its value
    }
    if (consumed_value) {
      if (!has_value) return std::nullopt;  // truncated line
      ++i;
    }
    inverted = false;
  }
  if (parsed.chain.empty()) return std::nullopt;

  const std::string protocol_text = unknown_protocol ? *unknown_protocol : std::to_string(protocol);
  if (protocol_inverted)
    rule.protocol = "!" + protocol_text;
  else if (unknown_protocol)
    rule.protocol = *unknown_protocol;
  else
    rule.protocol = protocol;
  // osquery fills ports for TCP and UDP rules (0:65535 when unrestricted).
  const bool ports_apply =
      !protocol_inverted && !unknown_protocol && (protocol == 6 || protocol == 17);
  rule.src_port = src_port.value_or(ports_apply ? "0:65535" : "");
  rule.dst_port = dst_port.value_or(ports_apply ? "0:65535" : "");
  return parsed;
}

}  // namespace

std::optional<int64_t> BuiltinProtocolNumber(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, int64_t>, 13> kProtocols = {{
      {"tcp", 6},
      {"sctp", 132},
      {"udp", 17},
      {"udplite", 136},
      {"icmp", 1},
      {"ipv6-icmp", 58},
      {"icmpv6", 58},
      {"esp", 50},
      {"ah", 51},
      {"mobility-header", 135},
      {"ipv6-mh", 135},
      {"mh", 135},
      {"all", 0},
  }};
  for (const auto& [known, number] : kProtocols)
    if (known == name) return number;
  return std::nullopt;
}

std::vector<IptablesChain> ParseIptablesSave(std::string_view text,
                                             const ProtocolResolver& resolve_protocol) {
  std::vector<IptablesChain> chains;
  std::string table;
  size_t table_start = 0;  // index of the current table's first chain
  auto find_chain = [&](std::string_view name) -> IptablesChain* {
    for (size_t i = table_start; i < chains.size(); ++i)
      if (chains[i].name == name) return &chains[i];
    return nullptr;
  };

  for (std::string_view line : SplitString(text, '\n')) {
    line = TrimWhitespace(line);
    if (line.empty() || line.front() == '#') continue;
    if (line.front() == '*') {
      table = std::string(line.substr(1));
      table_start = chains.size();
      continue;
    }
    if (line == "COMMIT") {
      table.clear();
      continue;
    }
    if (table.empty()) continue;  // chains and rules only count inside a table

    if (line.front() == ':') {
      auto words = SplitWhitespace(line.substr(1));
      if (words.empty() || find_chain(words[0]) != nullptr) continue;
      IptablesChain chain;
      chain.table = table;
      chain.name = std::string(words[0]);
      if (words.size() > 1 && words[1] != "-") chain.policy = std::string(words[1]);
      if (words.size() > 2) ParseCounters(words[2], &chain.packets, &chain.bytes);
      chains.push_back(std::move(chain));
      continue;
    }

    int64_t packets = 0, bytes = 0;
    std::string_view rule_text = line;
    if (line.front() == '[') {
      size_t close = line.find(']');
      if (close == std::string_view::npos ||
          !ParseCounters(line.substr(0, close + 1), &packets, &bytes)) {
        continue;
      }
      rule_text = line.substr(close + 1);
    }
    auto parsed = ParseRuleWords(SplitRuleWords(rule_text), resolve_protocol);
    if (!parsed) continue;
    parsed->rule.packets = packets;
    parsed->rule.bytes = bytes;
    IptablesChain* chain = find_chain(parsed->chain);
    if (chain == nullptr) {  // a rule in an undeclared chain: keep it anyway
      IptablesChain added;
      added.table = table;
      added.name = parsed->chain;
      chains.push_back(std::move(added));
      chain = &chains.back();
    }
    chain->rules.push_back(std::move(parsed->rule));
  }
  return chains;
}

}  // namespace warden

// dns_resolvers: the stub resolver configuration glibc builds from
// /etc/resolv.conf, one row per nameserver, sortlist entry and search domain,
// as osquery shows it (osquery calls res_init() and reads _res). Warden parses
// the file through HostFs with glibc 2.36's rules instead, so --root images
// and fixtures work and the process's own resolver state is never touched:
//   - keywords must start the line and be followed by a blank; lines starting
//     with '#' or ';' are comments;
//   - at most 3 nameservers (MAXNS) and 10 sortlist pairs are used;
//   - "domain" and "search" replace each other, the last one wins; with
//     neither, the search list is the domain part of the host name
//     (/proc/sys/kernel/hostname);
//   - options: the RES_* bit mask of _res.options, starting from RES_INIT |
//     RES_DEFAULT (705) plus each recognised option's bit; the same value is
//     on every row, as in osquery. RES_OPTIONS/LOCALDOMAIN in Warden's own
//     environment are ignored: they are not the host's configuration.
// Rows: id is the position within its type; netmask is "32" / "128" for
// nameservers (osquery hard-codes "32"), the prefix length of a sortlist mask
// (dotted when the mask is not contiguous), NULL for search domains.
// Deliberate difference: every search domain is its own row with its own name
// (osquery repeats the first domain on every search row).
// pid_with_namespace = N reads /proc/N/root/etc/resolv.conf, the file as that
// process's mount namespace sees it; otherwise the column is 0 as in osquery.
#include <array>

#include "core/strings.h"
#include "tables/network_address_text.h"
#include "tables/network_tables.h"
#include "tables/pid_namespace_roots.h"

namespace warden {
namespace {

constexpr size_t kMaxNameservers = 3;  // glibc MAXNS
constexpr size_t kMaxSortlist = 10;    // glibc MAXRESOLVSORT
// glibc 2.36 resolv.h values.
constexpr int64_t kResInitAndDefault =
    0x1 | 0x40 | 0x80 | 0x200;  // RES_INIT|RECURSE|DEFNAMES|DNSRCH

// Option words and their _res.options bits, in glibc's matching order (a
// word matches by prefix, so the longer of two similar names comes first).
constexpr std::array<std::pair<std::string_view, int64_t>, 10> kOptionBits = {{
    {"rotate", 0x4000},                   // RES_ROTATE
    {"edns0", 0x100000},                  // RES_USE_EDNS0
    {"single-request-reopen", 0x400000},  // RES_SNGLKUPREOP
    {"single-request", 0x200000},         // RES_SNGLKUP
    {"no_tld_query", 0x1000000},          // RES_NOTLDQUERY
    {"no-tld-query", 0x1000000},
    {"no-reload", 0x2000000},  // RES_NORELOAD
    {"use-vc", 0x8},           // RES_USEVC
    {"trust-ad", 0x4000000},   // RES_TRUSTAD
    {"no-aaaa", 0x8000000},    // RES_NOAAAA
}};

struct SortlistEntry {
  std::string address;
  std::string netmask;
};

struct ResolverConfig {
  std::vector<std::string> nameservers;
  std::vector<SortlistEntry> sortlist;
  std::vector<std::string> search;
  bool search_given = false;
  int64_t options = kResInitAndDefault;
};

// The rest of the line when it starts with `keyword` and a blank.
std::optional<std::string_view> KeywordArguments(std::string_view line, std::string_view keyword) {
  if (!StartsWith(line, keyword) || line.size() <= keyword.size()) return std::nullopt;
  char next = line[keyword.size()];
  if (next != ' ' && next != '\t') return std::nullopt;
  return line.substr(keyword.size());
}

// "1.1.1.1", "2001:db8::1", "fe80::1%eth0" (the scope kept as written).
std::optional<std::string> NormalizeNameserver(std::string_view text) {
  size_t percent = text.find('%');
  auto address = ParseIpAddressText(text.substr(0, percent));
  if (!address) return std::nullopt;
  std::string normalized = IpAddressText(*address);
  if (percent != std::string_view::npos && address->is_v6) normalized += text.substr(percent);
  return normalized;
}

// glibc's net_mask(): the classful default when a sortlist entry has none.
IpAddress ClassfulMask(const IpAddress& address) {
  if ((address.bytes[0] & 0x80) == 0) return PrefixToMask(8, false);
  if ((address.bytes[0] & 0xc0) == 0x80) return PrefixToMask(16, false);
  return PrefixToMask(24, false);
}

// "130.155.160.0/255.255.240.0" or "130.155.160.0&255.255.240.0" or a bare
// address.
std::optional<SortlistEntry> ParseSortlistPair(std::string_view pair) {
  size_t separator = pair.find_first_of("/&");
  auto address = ParseIpAddressText(pair.substr(0, separator));
  if (!address || address->is_v6) return std::nullopt;
  IpAddress mask = ClassfulMask(*address);
  if (separator != std::string_view::npos) {
    auto given = ParseIpAddressText(pair.substr(separator + 1));
    if (given && !given->is_v6) mask = *given;
  }
  SortlistEntry entry;
  entry.address = IpAddressText(*address);
  auto prefix = MaskToPrefix(mask);
  entry.netmask = prefix ? std::to_string(*prefix) : IpAddressText(mask);
  return entry;
}

// Words up to an inline comment.
std::vector<std::string_view> Words(std::string_view arguments) {
  std::vector<std::string_view> words;
  for (auto word : SplitWhitespace(arguments)) {
    if (word.front() == '#' || word.front() == ';') break;
    words.push_back(word);
  }
  return words;
}

void ParseResolvConfLine(std::string_view line, ResolverConfig& config) {
  if (line.empty() || line.front() == '#' || line.front() == ';') return;
  if (auto args = KeywordArguments(line, "nameserver")) {
    auto words = Words(*args);
    if (words.empty() || config.nameservers.size() >= kMaxNameservers) return;
    if (auto address = NormalizeNameserver(words[0])) config.nameservers.push_back(*address);
  } else if (auto domain_args = KeywordArguments(line, "domain")) {
    auto words = Words(*domain_args);
    if (words.empty()) return;
    config.search.assign(1, std::string(words[0]));
    config.search_given = true;
  } else if (auto search_args = KeywordArguments(line, "search")) {
    auto words = Words(*search_args);
    if (words.empty()) return;
    config.search.assign(words.begin(), words.end());
    config.search_given = true;
  } else if (auto sort_args = KeywordArguments(line, "sortlist")) {
    for (auto pair : Words(*sort_args)) {
      if (config.sortlist.size() >= kMaxSortlist) break;
      if (auto entry = ParseSortlistPair(pair)) config.sortlist.push_back(*entry);
    }
  } else if (auto option_args = KeywordArguments(line, "options")) {
    for (auto word : Words(*option_args)) {
      for (const auto& [name, bit] : kOptionBits) {
        if (StartsWith(word, name)) {
          config.options |= bit;
          break;
        }
      }
    }
  }
}

void WriteRows(const ResolverConfig& config, int64_t pid_with_namespace, RowWriter& out) {
  auto add = [&](size_t id, std::string_view type, std::string_view address,
                 std::optional<std::string> netmask) {
    Row& row = out.Add();
    row.Set("id", static_cast<int64_t>(id));
    row.Set("type", type);
    row.Set("address", address);
    row.Set("netmask", std::move(netmask));
    row.Set("options", config.options);
    row.Set("pid_with_namespace", pid_with_namespace);
  };
  for (size_t i = 0; i < config.nameservers.size(); ++i) {
    bool v6 = config.nameservers[i].find(':') != std::string::npos;
    add(i, "nameserver", config.nameservers[i], v6 ? "128" : "32");
  }
  for (size_t i = 0; i < config.sortlist.size(); ++i)
    add(i, "sortlist", config.sortlist[i].address, config.sortlist[i].netmask);
  for (size_t i = 0; i < config.search.size(); ++i)
    add(i, "search", config.search[i], std::nullopt);
}

void GenerateForRoot(const QueryContext& ctx, const NamespaceRoot& root, RowWriter& out) {
  ResolverConfig config;
  Status read = ForEachLineInRoot(ctx, root, "/etc/resolv.conf", [&](std::string_view line) {
    ParseResolvConfLine(line, config);
    return true;
  });
  if (!read.ok()) return;  // no resolv.conf: no resolver rows
  if (!config.search_given) {
    auto hostname = ctx.fs().ReadFile("/proc/sys/kernel/hostname", 4096);
    if (hostname.ok()) {
      std::string_view name = TrimWhitespace(*hostname);
      size_t dot = name.find('.');
      if (dot != std::string_view::npos && dot + 1 < name.size())
        config.search.emplace_back(name.substr(dot + 1));
    }
  }
  WriteRows(config, root.pid, out);
}

Status GenerateDnsResolvers(const QueryContext& ctx, RowWriter& out) {
  for (const auto& root : NamespaceRootsToRead(ctx)) GenerateForRoot(ctx, root, out);
  return Status::Ok();
}

}  // namespace

void RegisterDnsResolversTable(TableRegistry& r) {
  r.Add(TableSchema{"dns_resolvers",
                    "Resolver configuration: nameservers, search domains, sortlist.",
                    {{"id", ColumnType::kInteger, kNone, "", "Address type index or order"},
                     {"type", ColumnType::kText, kNone, "",
                      "Address type: sortlist, nameserver, search"},
                     {"address", ColumnType::kText, kNone, "", "Resolver IP/IPv6 address"},
                     {"netmask", ColumnType::kText, kNone, "", "Address (sortlist) netmask length"},
                     {"options", ColumnType::kBigInt, kNone, "", "Resolver options"},
                     {"pid_with_namespace", ColumnType::kInteger,
                      kHidden | kAdditional | kEchoInput, "", "Pids that contain a namespace"}}},
        GenerateDnsResolvers);
}

}  // namespace warden

#include "tables/passwd_reader.h"

#include <algorithm>

#include "core/strings.h"

namespace warden {

namespace {

// Lines the files backend ignores: blank, comments, NIS compat entries.
bool IsIgnoredLine(std::string_view line) {
  std::string_view trimmed = TrimWhitespace(line);
  return trimmed.empty() || trimmed.front() == '#' || trimmed.front() == '+' ||
         trimmed.front() == '-';
}

template <typename Fn>
void ForEachTextLine(std::string_view text, Fn&& fn) {
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    // nss_files skips leading blanks (and keeps trailing ones: they belong to
    // the shell field).
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    fn(line);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
}

}  // namespace

std::optional<uint32_t> ParseId(std::string_view text) {
  // Digits only: ParseUint64 would also accept surrounding blanks, which the
  // files backend rejects.
  if (text.empty() || text.size() > 10) return std::nullopt;
  if (!std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  uint64_t v = 0;
  if (!ParseUint64(text, &v) || v > UINT32_MAX) return std::nullopt;
  return static_cast<uint32_t>(v);
}

std::vector<PasswdEntry> ParsePasswd(std::string_view text) {
  std::vector<PasswdEntry> out;
  ForEachTextLine(text, [&out](std::string_view line) {
    if (IsIgnoredLine(line)) return;
    std::vector<std::string_view> f = SplitString(line, ':');
    if (f.size() != 7 || f[0].empty()) return;
    std::optional<uint32_t> uid = ParseId(f[2]);
    std::optional<uint32_t> gid = ParseId(f[3]);
    if (!uid || !gid) return;
    PasswdEntry e;
    e.name = std::string(f[0]);
    e.uid = *uid;
    e.gid = *gid;
    e.gecos = std::string(f[4]);
    e.home = std::string(f[5]);
    e.shell = std::string(f[6]);
    out.push_back(std::move(e));
  });
  return out;
}

std::vector<GroupEntry> ParseGroup(std::string_view text) {
  std::vector<GroupEntry> out;
  ForEachTextLine(text, [&out](std::string_view line) {
    if (IsIgnoredLine(line)) return;
    std::vector<std::string_view> f = SplitString(line, ':');
    if (f.size() != 4 || f[0].empty()) return;
    std::optional<uint32_t> gid = ParseId(f[2]);
    if (!gid) return;
    GroupEntry g;
    g.name = std::string(f[0]);
    g.gid = *gid;
    for (std::string_view m : SplitString(f[3], ',')) {
      m = TrimWhitespace(m);
      if (!m.empty()) g.members.emplace_back(m);
    }
    out.push_back(std::move(g));
  });
  return out;
}

std::vector<PasswdEntry> ReadPasswd(const HostFs& fs) {
  auto text = fs.ReadFile("/etc/passwd");
  if (!text.ok()) return {};
  return ParsePasswd(*text);
}

std::vector<GroupEntry> ReadGroup(const HostFs& fs) {
  auto text = fs.ReadFile("/etc/group");
  if (!text.ok()) return {};
  return ParseGroup(*text);
}

const PasswdEntry* FindUserByUid(const std::vector<PasswdEntry>& users, uint32_t uid) {
  for (const auto& u : users)
    if (u.uid == uid) return &u;
  return nullptr;
}

const PasswdEntry* FindUserByName(const std::vector<PasswdEntry>& users, std::string_view name) {
  for (const auto& u : users)
    if (u.name == name) return &u;
  return nullptr;
}

const GroupEntry* FindGroupByGid(const std::vector<GroupEntry>& groups, uint32_t gid) {
  for (const auto& g : groups)
    if (g.gid == gid) return &g;
  return nullptr;
}

std::vector<uint32_t> GroupIdsOfUser(const PasswdEntry& user,
                                     const std::vector<GroupEntry>& groups) {
  std::vector<uint32_t> gids{user.gid};
  for (const auto& g : groups) {
    if (std::find(gids.begin(), gids.end(), g.gid) != gids.end()) continue;
    if (std::find(g.members.begin(), g.members.end(), user.name) != g.members.end())
      gids.push_back(g.gid);
  }
  return gids;
}

}  // namespace warden

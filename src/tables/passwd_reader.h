// PasswdReader parses the local account databases, /etc/passwd and
// /etc/group, read through HostFs so a mounted image or a fixture tree is read
// the same way as the live host. It understands the files format only, as
// glibc's nss_files module does: accounts that come from LDAP, SSSD or
// systemd's dynamic users are deliberately not seen (there is no NSS call
// here; those sources cannot be read from an image or a fixture anyway).
//
// Malformed lines (wrong field count, empty name, a uid/gid that is not a
// 32-bit unsigned number) and NIS compat lines ("+", "-") are skipped, never
// fatal. A missing or unreadable file is an empty list: "no accounts" is data.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/host_fs.h"

namespace warden {

struct PasswdEntry {
  std::string name;
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::string gecos;  // the comment field: full name, room, phone...
  std::string home;
  std::string shell;
};

struct GroupEntry {
  std::string name;
  uint32_t gid = 0;
  std::vector<std::string> members;  // supplementary members, by user name
};

// Parses the text of a passwd(5) file, in file order (duplicates are kept).
std::vector<PasswdEntry> ParsePasswd(std::string_view text);
// Parses the text of a group(5) file, in file order (duplicates are kept).
std::vector<GroupEntry> ParseGroup(std::string_view text);

// /etc/passwd and /etc/group of the host behind fs; empty when missing.
std::vector<PasswdEntry> ReadPasswd(const HostFs& fs);
std::vector<GroupEntry> ReadGroup(const HostFs& fs);

// The first account with this uid / this name, as getpwuid/getpwnam answer.
const PasswdEntry* FindUserByUid(const std::vector<PasswdEntry>& users, uint32_t uid);
const PasswdEntry* FindUserByName(const std::vector<PasswdEntry>& users, std::string_view name);
// The first group with this gid, as getgrgid answers.
const GroupEntry* FindGroupByGid(const std::vector<GroupEntry>& groups, uint32_t gid);

// The gids a user belongs to, as getgrouplist(3) answers with the files
// backend: the primary gid first, then every group listing the user as a
// member, in file order, without duplicates.
std::vector<uint32_t> GroupIdsOfUser(const PasswdEntry& user,
                                     const std::vector<GroupEntry>& groups);

// Parses a uid/gid field: a decimal number that fits uid_t.
std::optional<uint32_t> ParseId(std::string_view text);

}  // namespace warden

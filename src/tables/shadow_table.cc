// The shadow table: password aging and status from /etc/shadow, one row per
// well-formed line. The hash itself is never returned; password_status
// classifies it as osquery does:
//   "!!"                      not_set  (account created without a password)
//   starts with '!', '*', 'x' locked   ('!' prefixed to a hash by passwd -l)
//   ""                        empty    (login without a password!)
//   anything else             active
// hash_alg is the id of a crypt(3) "$id$..." hash ("1", "5", "6", "y",
// "2b"...), NULL otherwise (so also for "!$6$...": as osquery's anchored
// match). Empty numeric fields are -1, as getspent reports them.
//
// /etc/shadow is root-only: when it cannot be read (not root, or no file)
// the table has zero rows rather than failing, like osquery, so joins with it
// keep working for unprivileged users. Lines with non-numeric aging fields
// are skipped, as glibc's parser skips them.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/strings.h"
#include "tables/user_tables.h"

namespace warden {

namespace {

std::string_view PasswordStatus(std::string_view hash) {
  if (hash == "!!") return "not_set";
  if (hash.empty()) return "empty";
  if (hash.front() == '!' || hash.front() == '*' || hash.front() == 'x') return "locked";
  return "active";
}

// "$6$salt$hash" -> "6"; the id is word characters (osquery's ^\$(\w+)\$).
std::optional<std::string> HashAlgorithm(std::string_view hash) {
  if (hash.size() < 3 || hash.front() != '$') return std::nullopt;
  size_t end = hash.find('$', 1);
  if (end == std::string_view::npos || end == 1) return std::nullopt;
  std::string_view id = hash.substr(1, end - 1);
  for (char c : id) {
    bool word =
        (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!word) return std::nullopt;
  }
  return std::string(id);
}

// An aging field: empty is -1 (unset), otherwise a decimal number.
bool ParseAgingField(std::string_view text, int64_t* out) {
  if (text.empty()) {
    *out = -1;
    return true;
  }
  return ParseInt64(text, out);
}

}  // namespace

void RegisterShadowTable(TableRegistry& r) {
  r.Add(TableSchema{"shadow",
                    "Local account password status and aging from /etc/shadow (root only).",
                    {{"password_status", ColumnType::kText, kNone, "", "Password status"},
                     {"hash_alg", ColumnType::kText, kNone, "", "Password hashing algorithm"},
                     {"last_change", ColumnType::kBigInt, kNone, "",
                      "Date of last password change (starting from UNIX epoch date)"},
                     {"min", ColumnType::kBigInt, kNone, "",
                      "Minimal number of days between password changes"},
                     {"max", ColumnType::kBigInt, kNone, "",
                      "Maximum number of days between password changes"},
                     {"warning", ColumnType::kBigInt, kNone, "",
                      "Number of days before password expires to warn user about it"},
                     {"inactive", ColumnType::kBigInt, kNone, "",
                      "Number of days after password expires until account is blocked"},
                     {"expire", ColumnType::kBigInt, kNone, "",
                      "Number of days since UNIX epoch date until account is disabled"},
                     {"flag", ColumnType::kBigInt, kNone, "", "Reserved"},
                     {"username", ColumnType::kText, kIndex | kOptimized, "", "Username"}}},
        [](const QueryContext& ctx, RowWriter& out) -> Status {
          auto text = ctx.fs().ReadFile("/etc/shadow");
          if (!text.ok()) return Status::Ok();
          std::optional<std::vector<std::string>> wanted = ctx.TextEquals("username");
          static constexpr const char* kAgingColumns[] = {"last_change", "min",    "max", "warning",
                                                          "inactive",    "expire", "flag"};
          for (std::string_view line : SplitString(*text, '\n')) {
            if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
            std::string_view trimmed = TrimWhitespace(line);
            if (trimmed.empty() || trimmed.front() == '#' || trimmed.front() == '+' ||
                trimmed.front() == '-')
              continue;
            std::vector<std::string_view> f = SplitString(trimmed, ':');
            // Nine fields; a bare "name:hash" is the old format glibc still
            // accepts, with every aging field unset.
            if ((f.size() != 9 && f.size() != 2) || f[0].empty()) continue;
            if (wanted && std::find(wanted->begin(), wanted->end(), f[0]) == wanted->end())
              continue;
            int64_t aging[7];
            bool ok = true;
            for (size_t i = 0; i < 7; ++i)
              ok = ok && ParseAgingField(f.size() == 9 ? f[i + 2] : std::string_view(), &aging[i]);
            if (!ok) continue;
            Row& row = out.Add();
            row.Set("username", f[0]);
            row.Set("password_status", PasswordStatus(f[1]));
            if (auto alg = HashAlgorithm(f[1])) row.Set("hash_alg", *alg);
            for (size_t i = 0; i < 7; ++i) row.Set(kAgingColumns[i], aging[i]);
          }
          return Status::Ok();
        });
}

}  // namespace warden

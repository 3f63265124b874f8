#include "tables/sysfs_attributes.h"

#include <algorithm>

#include "core/strings.h"

namespace warden {

std::optional<std::string> ReadAttribute(const HostFs& fs, std::string_view path,
                                         size_t max_bytes) {
  auto text = fs.ReadFile(path, max_bytes);
  if (!text.ok()) return std::nullopt;
  return std::string(TrimWhitespace(*text));
}

std::optional<int64_t> ReadIntegerAttribute(const HostFs& fs, std::string_view path, int base) {
  auto text = ReadAttribute(fs, path, 256);
  if (!text) return std::nullopt;
  std::string_view digits = *text;
  if (base == 16 && (StartsWith(digits, "0x") || StartsWith(digits, "0X"))) digits.remove_prefix(2);
  int64_t value = 0;
  if (!ParseInt64(digits, &value, base)) return std::nullopt;
  return value;
}

std::optional<std::string> ReadLinkBasename(const HostFs& fs, std::string_view path) {
  auto target = fs.ReadLink(path);
  if (!target.ok()) return std::nullopt;
  std::string_view t = *target;
  while (!t.empty() && t.back() == '/') t.remove_suffix(1);
  size_t slash = t.rfind('/');
  std::string_view base = slash == std::string_view::npos ? t : t.substr(slash + 1);
  if (base.empty()) return std::nullopt;
  return std::string(base);
}

std::vector<std::string> ListDirSorted(const HostFs& fs, std::string_view path) {
  auto names = fs.ListDir(path);
  if (!names.ok()) return {};
  std::vector<std::string> sorted = std::move(names).value();
  std::sort(sorted.begin(), sorted.end());
  return sorted;
}

std::map<std::string, std::string> ParseKeyValueLines(std::string_view text) {
  std::map<std::string, std::string> values;
  for (std::string_view line : SplitString(text, '\n')) {
    size_t eq = line.find('=');
    if (eq == std::string_view::npos || eq == 0) continue;
    values[std::string(TrimWhitespace(line.substr(0, eq)))] =
        std::string(TrimWhitespace(line.substr(eq + 1)));
  }
  return values;
}

}  // namespace warden

#include "inventory/os_release.h"

#include "core/strings.h"

namespace warden {
namespace {

std::string Unquote(std::string_view v) {
  v = TrimWhitespace(v);
  if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front()) {
    char q = v.front();
    v = v.substr(1, v.size() - 2);
    std::string out;
    for (size_t i = 0; i < v.size(); ++i) {
      if (q == '"' && v[i] == '\\' && i + 1 < v.size()) ++i;
      out += v[i];
    }
    return out;
  }
  return std::string(v);
}

}  // namespace

OsRelease ParseOsRelease(std::string_view text) {
  OsRelease os;
  for (std::string_view line : SplitString(text, '\n')) {
    line = TrimWhitespace(line);
    if (line.empty() || line.front() == '#') continue;
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    os.fields[std::string(TrimWhitespace(line.substr(0, eq)))] = Unquote(line.substr(eq + 1));
  }
  auto get = [&](const char* k) {
    auto it = os.fields.find(k);
    return it == os.fields.end() ? std::string() : it->second;
  };
  os.id = get("ID");
  os.id_like = get("ID_LIKE");
  os.name = get("NAME");
  os.pretty_name = get("PRETTY_NAME");
  os.version = get("VERSION");
  os.version_id = get("VERSION_ID");
  os.version_codename = get("VERSION_CODENAME");
  os.platform_id = get("PLATFORM_ID");
  os.build_id = get("BUILD_ID");
  return os;
}

Result<OsRelease> ReadOsRelease(const HostFs& fs) {
  auto text = fs.ReadFile("/etc/os-release", 1 << 20);
  if (!text.ok()) text = fs.ReadFile("/usr/lib/os-release", 1 << 20);
  if (!text.ok()) return text.status();
  return ParseOsRelease(*text);
}

}  // namespace warden

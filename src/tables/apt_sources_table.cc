// apt_sources: the binary ("deb") repositories apt is configured with, from
// /etc/apt/sources.list, /etc/apt/sources.list.d/*.list (one-line format) and
// /etc/apt/sources.list.d/*.sources (deb822 format), one row per URI and
// suite, in that file order. deb-src entries and disabled deb822 stanzas are
// not repositories packages come from and are skipped, as in osquery.
//
// release, version, maintainer, components and architectures come from the
// repository's Release file in apt's cache (/var/lib/apt/lists, named as
// apt's URItoFileName does). Unlike osquery, a source whose cache is missing
// (never `apt update`d, or lists cleaned as container images do) is still a
// row, with those columns NULL: the source is configured either way.
#include <algorithm>
#include <cstdio>
#include <optional>

#include "core/strings.h"
#include "inventory/deb822_parser.h"
#include "tables/package_tables.h"

namespace warden {
namespace {

constexpr std::string_view kAptListsDir = "/var/lib/apt/lists";
constexpr size_t kMaxSourcesFileBytes = 16u << 20;
constexpr size_t kMaxReleaseFileBytes = 64u << 20;

struct AptSource {
  std::string file;      // where it is configured
  std::string base_uri;  // without trailing slashes
  std::string suite;
};

std::string StripTrailingSlashes(std::string_view uri) {
  while (!uri.empty() && uri.back() == '/') uri.remove_suffix(1);
  return std::string(uri);
}

// One line of the one-line format: "deb [options] uri suite [component...]".
std::optional<AptSource> ParseSourcesListLine(std::string_view line) {
  line = line.substr(0, line.find('#'));
  std::vector<std::string_view> tokens = SplitWhitespace(line);
  if (tokens.size() < 3 || tokens[0] != "deb") return std::nullopt;
  size_t i = 1;
  if (StartsWith(tokens[i], "[")) {
    while (i < tokens.size() && tokens[i].find(']') == std::string_view::npos) ++i;
    ++i;  // past the token that closes the options
  }
  if (i + 1 >= tokens.size()) return std::nullopt;
  if (tokens[i].find("://") == std::string_view::npos) return std::nullopt;  // cdrom:, mirror+file:
  std::string base = StripTrailingSlashes(tokens[i]);
  if (base.find("://") + 3 >= base.size()) return std::nullopt;
  return AptSource{"", std::move(base), std::string(tokens[i + 1])};
}

bool IsDisabled(std::string_view value) {
  std::string v;
  for (char c : TrimWhitespace(value))
    v.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c));
  return v == "no" || v == "false" || v == "off" || v == "0";
}

// One deb822 stanza: every URI times every suite, when it is an enabled
// "deb" source.
std::vector<AptSource> ParseSourcesStanza(const Deb822Paragraph& p) {
  std::vector<AptSource> out;
  std::vector<std::string_view> types = SplitWhitespace(p.Get("Types"));
  if (std::find(types.begin(), types.end(), "deb") == types.end()) return out;
  if (const std::string* enabled = p.Find("Enabled"); enabled != nullptr && IsDisabled(*enabled))
    return out;
  std::string uris = p.Get("URIs");
  std::string suites = p.Get("Suites");
  for (std::string_view uri : SplitWhitespace(uris)) {
    if (uri.find("://") == std::string_view::npos) continue;
    std::string base = StripTrailingSlashes(uri);
    if (base.find("://") + 3 >= base.size()) continue;
    for (std::string_view suite : SplitWhitespace(suites))
      out.push_back({"", base, std::string(suite)});
  }
  return out;
}

// apt's URItoFileName: the URI without scheme and credentials, characters
// apt considers unsafe %-escaped, "/" turned into "_".
std::string AptCacheName(std::string_view uri) {
  uri.remove_prefix(std::min(uri.size(), uri.find("://") + 3));
  size_t slash = uri.find('/');
  size_t at = uri.substr(0, slash).rfind('@');
  if (at != std::string_view::npos) uri.remove_prefix(at + 1);
  constexpr std::string_view kUnsafe = "\\|{}[]<>\"^~_=!@#$%^&*";
  std::string out;
  for (char c : uri) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || kUnsafe.find(c) != std::string_view::npos) {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02x", u);
      out += buf;
    } else {
      out.push_back(c == '/' ? '_' : c);
    }
  }
  return out;
}

// The cache file prefix of a source's Release files: "<uri>/dists/<suite>/",
// or "<uri>/<suite>" for a flat repository (suite ending in "/").
std::string ReleaseCachePrefix(const AptSource& s) {
  std::string dist_uri = s.base_uri + "/";
  if (!s.suite.empty() && s.suite.back() == '/') {
    if (s.suite != "/") dist_uri += s.suite;
  } else {
    dist_uri += "dists/" + s.suite + "/";
  }
  return AptCacheName(dist_uri);
}

// The header fields of a Release or InRelease file (the clearsign armor of
// InRelease is skipped).
std::optional<Deb822Paragraph> ReadReleaseFields(const HostFs& fs, const AptSource& s) {
  std::string prefix = JoinHostPath(kAptListsDir, ReleaseCachePrefix(s));
  for (const char* suffix : {"InRelease", "Release"}) {
    auto text = fs.ReadFile(prefix + suffix, kMaxReleaseFileBytes);
    if (!text.ok()) continue;
    std::string_view body = *text;
    if (StartsWith(body, "-----BEGIN PGP SIGNED MESSAGE-----")) {
      size_t blank = body.find("\n\n");
      body = blank == std::string_view::npos ? std::string_view() : body.substr(blank + 2);
    }
    body = body.substr(0, body.find("-----BEGIN PGP SIGNATURE-----"));
    auto paragraphs = ParseDeb822(body);
    if (!paragraphs.empty()) return paragraphs.front();
  }
  return std::nullopt;
}

std::vector<std::string> FilesWithSuffix(const HostFs& fs, std::string_view dir,
                                         std::string_view suffix) {
  std::vector<std::string> out;
  auto names = fs.ListDir(dir);
  if (!names.ok()) return out;
  for (const std::string& n : *names)
    if (EndsWith(n, suffix) && n.size() > suffix.size()) out.push_back(JoinHostPath(dir, n));
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<AptSource> ConfiguredSources(const HostFs& fs) {
  std::vector<AptSource> sources;
  std::vector<std::string> list_files = {"/etc/apt/sources.list"};
  for (std::string& f : FilesWithSuffix(fs, "/etc/apt/sources.list.d", ".list"))
    list_files.push_back(std::move(f));
  for (const std::string& file : list_files) {
    auto text = fs.ReadFile(file, kMaxSourcesFileBytes);
    if (!text.ok()) continue;
    for (std::string_view line : SplitString(*text, '\n')) {
      if (auto s = ParseSourcesListLine(line)) {
        s->file = file;
        sources.push_back(std::move(*s));
      }
    }
  }
  for (const std::string& file : FilesWithSuffix(fs, "/etc/apt/sources.list.d", ".sources")) {
    auto text = fs.ReadFile(file, kMaxSourcesFileBytes);
    if (!text.ok()) continue;
    for (const Deb822Paragraph& p : ParseDeb822(*text)) {
      for (AptSource& s : ParseSourcesStanza(p)) {
        s.file = file;
        sources.push_back(std::move(s));
      }
    }
  }
  return sources;
}

}  // namespace

void RegisterAptSourcesTable(TableRegistry& r) {
  r.Add(
      TableSchema{
          "apt_sources",
          "Repositories apt installs Debian packages from.",
          {{"name", ColumnType::kText, kNone, "", "Repository host and path, then the suite"},
           {"source", ColumnType::kText, kNone, "", "File the source is configured in"},
           {"base_uri", ColumnType::kText, kNone, "", "Repository base URI"},
           {"release", ColumnType::kText, kNone, "", "Codename from the Release file"},
           {"version", ColumnType::kText, kNone, "version_dpkg", "Version from the Release file"},
           {"maintainer", ColumnType::kText, kNone, "", "Origin from the Release file"},
           {"components", ColumnType::kText, kNone, "", "Components from the Release file"},
           {"architectures", ColumnType::kText, kNone, "", "Architectures from the Release file"},
           {"pid_with_namespace", ColumnType::kInteger, kHidden | kAdditional | kEchoInput, "",
            "Accepted for osquery compatibility; always NULL"}}},
      [](const QueryContext& ctx, RowWriter& out) -> Status {
        for (const AptSource& s : ConfiguredSources(ctx.fs())) {
          Row& row = out.Add();
          row.Set("name", s.base_uri.substr(s.base_uri.find("://") + 3) + " " + s.suite);
          row.Set("source", s.file);
          row.Set("base_uri", s.base_uri);
          if (auto release = ReadReleaseFields(ctx.fs(), s)) {
            auto set = [&](const char* column, const char* field) {
              if (const std::string* v = release->Find(field))
                row.Set(column, v->substr(0, v->find('\n')));
            };
            set("release", "Codename");
            set("version", "Version");
            set("maintainer", "Origin");
            set("components", "Components");
            set("architectures", "Architectures");
          }
        }
        return Status::Ok();
      });
}

}  // namespace warden

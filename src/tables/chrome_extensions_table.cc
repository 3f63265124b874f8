// chrome_extensions: extensions of Chromium-based browsers (Chrome, Chrome
// beta/dev, Chromium, Brave, Opera, Vivaldi, Yandex, Island) in every
// account's profiles; WHERE uid = N reads one home only. Zero rows when no
// profile exists.
//
// A profile is a directory under the browser's config directory holding
// "Preferences" or "Secure Preferences". Its extensions are the unpacked
// copies under <profile>/Extensions/<id>/<version>/ plus those the
// preferences reference elsewhere (extensions.settings.<id>.path, e.g.
// unpacked developer extensions); `referenced` says whether the preferences
// know the extension, and only then are state, from_webstore and install
// time known. Manifest strings of the form __MSG_name__ are localized from
// _locales/<default_locale>/messages.json. `identifier` is computed from
// the manifest "key" as Chrome does (SHA-256 of the decoded key, first 32
// hex digits mapped to a-p); "" when the manifest has no key. Values follow
// osquery: permissions joined with ", ", persistent 0/1, install_timestamp
// converted from WebKit time (0 when unknown), manifest_hash the SHA-256 of
// manifest.json. "locale" is osquery's deprecated alias of default_locale.
//
// Everything here is the user's to write, so it is read under HostFs's
// user-area rule: profiles and their Extensions directories within the home
// (no symlink out of it, the user's own regular files); an extension that
// the preferences place outside the home is read only when its directory
// and files belong to the profile's user (the path came from the user's
// own file, so it is not trusted to name root's files).
#include <openssl/evp.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>

#include "core/encoding.h"
#include "core/strings.h"
#include "tables/package_tables.h"
#include "tables/user_home_dirs.h"

namespace warden {
namespace {

using nlohmann::json;

constexpr size_t kMaxJsonBytes = 32u << 20;
constexpr int64_t kWebkitToUnixSeconds = 11644473600LL;

struct BrowserDir {
  const char* type;      // browser_type column
  const char* relative;  // under the home directory
};

const BrowserDir kBrowserDirs[] = {
    {"chrome", ".config/google-chrome"},
    {"chrome_beta", ".config/google-chrome-beta"},
    {"chrome_dev", ".config/google-chrome-unstable"},
    {"brave", ".config/BraveSoftware/Brave-Browser"},
    {"chromium", ".config/chromium"},
    {"chromium", "snap/chromium/common/chromium"},
    {"yandex", ".config/yandex-browser-beta"},
    {"opera", ".config/opera"},
    {"vivaldi", ".config/vivaldi"},
    {"island", ".config/island"},
};

// A directory of the user's and how to read inside it: the area it lies in
// and its path relative to the area's directory.
struct UserLocation {
  UserArea area;
  std::string relative;  // "" for the area's directory itself
  std::string Below(std::string_view name) const {
    return relative.empty() ? std::string(name) : relative + "/" + std::string(name);
  }
};

std::optional<json> ReadJson(const QueryContext& ctx, const UserLocation& dir,
                             std::string_view name, std::string* raw = nullptr) {
  auto text = ctx.fs().ReadUserFile(dir.area, dir.Below(name), kMaxJsonBytes,
                                    [&ctx] { return ctx.Cancelled(); });
  if (!text.ok()) return std::nullopt;
  json doc = json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return std::nullopt;
  if (raw != nullptr) *raw = std::move(*text);
  return doc;
}

// Compact JSON text; never throws (bytes that are not UTF-8 are replaced).
std::string CompactJson(const json& v) {
  return v.dump(-1, ' ', false, json::error_handler_t::replace);
}

// A JSON scalar as osquery's property tree prints it.
std::optional<std::string> ScalarText(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return std::string(v.get<bool>() ? "true" : "false");
  if (v.is_number()) return CompactJson(v);
  return std::nullopt;
}

const json* Child(const json& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

// Chrome's extension id: the first 128 bits of SHA-256(public key), each hex
// digit 0-f written as a letter a-p.
std::string ExtensionIdFromKey(std::string_view key) {
  auto der = Base64Decode(key);
  if (!der || der->empty()) return {};
  std::string hex = Sha256Hex(*der);
  if (hex.size() < 32) return {};
  std::string id;
  for (char c : hex.substr(0, 32))
    id.push_back(static_cast<char>('a' + (c <= '9' ? c - '0' : c - 'a' + 10)));
  return id;
}

std::string NormalPath(const std::string& p) {
  std::string n = std::filesystem::path(p).lexically_normal().string();
  while (n.size() > 1 && n.back() == '/') n.pop_back();
  return n;
}

// Finds a messages.json entry by name, case-insensitively as Chrome does.
std::optional<std::string> LookupMessage(const json& messages, std::string_view name) {
  for (auto it = messages.begin(); it != messages.end(); ++it) {
    const std::string& k = it.key();
    if (k.size() != name.size()) continue;
    bool same = std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
      return std::tolower(static_cast<unsigned char>(a)) ==
             std::tolower(static_cast<unsigned char>(b));
    });
    if (!same) continue;
    if (const json* m = Child(it.value(), "message"); m != nullptr && m->is_string())
      return m->get<std::string>();
  }
  return std::nullopt;
}

struct ExtensionSettings {
  std::string id;
  std::map<std::string, std::string> values;  // state, from_webstore, install_time
};

struct Profile {
  std::string type;
  std::string path;       // host path (the profile_path column)
  UserLocation location;  // the same directory, inside the user's home
  std::string name;
  int64_t uid = 0;
  std::vector<json> preferences;  // Preferences, Secure Preferences (those that parse)
};

const json* ExtensionSettingsNode(const json& prefs) {
  const json* ext = Child(prefs, "extensions");
  if (ext == nullptr) return nullptr;
  const json* settings = Child(*ext, "settings");
  if (settings == nullptr) settings = Child(*ext, "opsettings");  // Opera
  return settings != nullptr && settings->is_object() ? settings : nullptr;
}

// Extension directory -> its settings, for every extension the profile's
// preferences reference by path.
std::map<std::string, ExtensionSettings> ReferencedExtensions(const Profile& profile) {
  std::map<std::string, ExtensionSettings> out;
  for (const json& prefs : profile.preferences) {
    const json* settings = ExtensionSettingsNode(prefs);
    if (settings == nullptr) continue;
    for (auto it = settings->begin(); it != settings->end(); ++it) {
      const json* path = Child(it.value(), "path");
      if (path == nullptr || !path->is_string()) continue;
      std::string p = path->get<std::string>();
      if (p.empty()) continue;
      if (p.front() != '/') p = JoinHostPath(JoinHostPath(profile.path, "Extensions"), p);
      p = NormalPath(p);
      if (out.count(p) != 0) continue;  // Preferences wins over Secure Preferences
      ExtensionSettings s;
      s.id = it.key();
      for (const char* key : {"state", "from_webstore", "install_time"})
        if (const json* v = Child(it.value(), key))
          if (auto text = ScalarText(*v)) s.values[key] = *text;
      out.emplace(std::move(p), std::move(s));
    }
  }
  return out;
}

// Where an extension directory named by a host path is read: inside the
// profile owner's home, under the home's area; elsewhere, as a directory
// named by the user's own preferences.
UserLocation LocateExtension(const Profile& profile, const std::string& host_path) {
  const UserArea& home = profile.location.area;
  std::string path = NormalPath(host_path);
  std::string home_prefix = NormalPath(home.dir) + "/";
  if (StartsWith(path, home_prefix)) return UserLocation{home, path.substr(home_prefix.size())};
  return UserLocation{UserArea{path, home.uid, /*dir_named_by_user=*/true}, ""};
}

std::vector<Profile> FindProfiles(const QueryContext& ctx) {
  std::vector<Profile> profiles;
  for (const PasswdEntry& user : UsersToScan(ctx)) {
    if (user.home.empty() || user.home == "/") continue;
    const UserArea home = HomeArea(user);
    auto is_file = [&](const std::string& relative) {
      auto st = ctx.fs().StatUserPath(home, relative);
      return st.ok() && S_ISREG(st->st_mode);
    };
    auto is_profile = [&](const std::string& relative) {
      return is_file(relative + "/Preferences") || is_file(relative + "/Secure Preferences");
    };
    for (const BrowserDir& browser : kBrowserDirs) {
      std::string base = browser.relative;
      std::vector<std::string> dirs;  // relative to the home
      if (is_profile(base)) {
        dirs.push_back(base);
      } else if (auto names = ctx.fs().ListUserDir(home, base); names.ok()) {
        std::sort(names->begin(), names->end());
        for (const std::string& n : *names) {
          std::string d = base + "/" + n;
          auto st = ctx.fs().StatUserPath(home, d);
          if (st.ok() && S_ISDIR(st->st_mode) && is_profile(d)) dirs.push_back(std::move(d));
        }
      }
      for (std::string& d : dirs) {
        Profile p;
        p.type = browser.type;
        p.path = HomeFilePath(user.home, d);
        p.location = UserLocation{home, std::move(d)};
        p.uid = user.uid;
        for (const char* file : {"Preferences", "Secure Preferences"})
          if (auto prefs = ReadJson(ctx, p.location, file))
            p.preferences.push_back(std::move(*prefs));
        for (const json& prefs : p.preferences) {
          const json* prof = Child(prefs, "profile");
          const json* name = prof == nullptr ? nullptr : Child(*prof, "name");
          if (name != nullptr && name->is_string() && !name->get<std::string>().empty()) {
            p.name = name->get<std::string>();
            break;
          }
        }
        profiles.push_back(std::move(p));
      }
    }
  }
  return profiles;
}

// The string properties of a manifest, localized.
std::map<std::string, std::string> ManifestStrings(const QueryContext& ctx,
                                                   const UserLocation& ext_dir,
                                                   const json& manifest) {
  std::map<std::string, std::string> props;
  for (const char* key : {"name", "update_url", "version", "author", "default_locale",
                          "current_locale", "description", "key"})
    if (const json* v = Child(manifest, key))
      if (auto text = ScalarText(*v)) props[key] = *text;
  bool needs_localization = std::any_of(
      props.begin(), props.end(), [](const auto& kv) { return StartsWith(kv.second, "__MSG_"); });
  if (!needs_localization) return props;
  std::string locale = props.count("default_locale")   ? props["default_locale"]
                       : props.count("current_locale") ? props["current_locale"]
                                                       : "en";
  auto messages = ReadJson(ctx, ext_dir, "_locales/" + locale + "/messages.json");
  if (!messages) return props;
  for (auto& [key, value] : props) {
    if (!StartsWith(value, "__MSG_") || !EndsWith(value, "__") || value.size() < 9) continue;
    std::string_view name = std::string_view(value).substr(6, value.size() - 8);
    if (auto localized = LookupMessage(*messages, name)) value = *localized;
  }
  return props;
}

// permissions / optional_permissions: the string entries joined with ", ",
// and the array as JSON.
void SetPermissions(Row& row, const json& manifest, const char* key) {
  const json* list = Child(manifest, key);
  std::string json_column = std::string(key) + "_json";
  if (list == nullptr) {
    row.Set(key, "");
    row.Set(json_column, "{}");  // osquery's value when the manifest has none
    return;
  }
  std::string joined;
  if (list->is_array()) {
    for (const json& p : *list) {
      if (!p.is_string()) continue;
      if (!joined.empty()) joined += ", ";
      joined += p.get<std::string>();
    }
  }
  row.Set(key, joined);
  row.Set(json_column, CompactJson(*list));
}

void EmitExtension(const QueryContext& ctx, const Profile& profile, const std::string& ext_dir,
                   const ExtensionSettings* settings, RowWriter& out) {
  std::string raw;
  const UserLocation location = LocateExtension(profile, ext_dir);
  auto manifest = ReadJson(ctx, location, "manifest.json", &raw);
  if (!manifest) return;  // not an extension, or a built-in one without a manifest
  std::map<std::string, std::string> props = ManifestStrings(ctx, location, *manifest);
  auto prop = [&](const char* k) {
    auto it = props.find(k);
    return it == props.end() ? std::string() : it->second;
  };
  Row& row = out.Add();
  row.Set("browser_type", profile.type);
  row.Set("uid", profile.uid);
  row.Set("name", prop("name"));
  row.Set("profile", profile.name);
  row.Set("profile_path", profile.path);
  row.Set("referenced_identifier", settings != nullptr ? settings->id : std::string());
  row.Set("identifier", props.count("key") ? ExtensionIdFromKey(props["key"]) : std::string());
  row.Set("version", prop("version"));
  row.Set("description", prop("description"));
  row.Set("default_locale", prop("default_locale"));
  row.Set("current_locale", prop("current_locale"));
  row.Set("update_url", prop("update_url"));
  row.Set("author", prop("author"));
  const json* background = Child(*manifest, "background");
  const json* persistent = background == nullptr ? nullptr : Child(*background, "persistent");
  row.Set("persistent", persistent != nullptr && ScalarText(*persistent) == "true");
  row.Set("path", ext_dir);
  SetPermissions(row, *manifest, "permissions");
  SetPermissions(row, *manifest, "optional_permissions");
  row.Set("manifest_hash", Sha256Hex(raw));
  row.Set("referenced", settings != nullptr);
  auto setting = [&](const char* k) {
    if (settings == nullptr) return std::string();
    auto it = settings->values.find(k);
    return it == settings->values.end() ? std::string() : it->second;
  };
  row.Set("from_webstore", setting("from_webstore"));
  row.Set("state", setting("state"));
  std::string install_time = setting("install_time");
  row.Set("install_time", install_time);
  int64_t webkit_us = 0;
  int64_t unix_time = 0;
  if (ParseInt64(install_time, &webkit_us) && webkit_us / 1000000 - kWebkitToUnixSeconds >= 0)
    unix_time = webkit_us / 1000000 - kWebkitToUnixSeconds;
  row.Set("install_timestamp", unix_time);
  row.Set("manifest_json", CompactJson(*manifest));
  row.Set("key", prop("key"));
}

}  // namespace

void RegisterChromeExtensionsTable(TableRegistry& r) {
  r.Add(
      TableSchema{
          "chrome_extensions",
          "Extensions of Chromium-based browsers in users' profiles.",
          {{"browser_type", ColumnType::kText, kNone, "", "chrome, chromium, brave, opera, ..."},
           {"uid", ColumnType::kBigInt, kIndex | kOptimized, "", "Owner of the profile"},
           {"name", ColumnType::kText, kNone, "", "Extension name"},
           {"profile", ColumnType::kText, kNone, "", "Profile name"},
           {"profile_path", ColumnType::kText, kNone, "", "Profile directory"},
           {"referenced_identifier", ColumnType::kText, kNone, "",
            "Extension id as the profile preferences reference it"},
           {"identifier", ColumnType::kText, kNone, "",
            "Extension id computed from the manifest key"},
           {"version", ColumnType::kText, kNone, "version", "Extension version"},
           {"description", ColumnType::kText, kNone, "", "Extension description"},
           {"default_locale", ColumnType::kText, kNone, "", "Default locale", {"locale"}},
           {"current_locale", ColumnType::kText, kNone, "", "Current locale"},
           {"update_url", ColumnType::kText, kNone, "", "Update URL"},
           {"author", ColumnType::kText, kNone, "", "Author"},
           {"persistent", ColumnType::kInteger, kNone, "",
            "1 when the background page is persistent"},
           {"path", ColumnType::kText, kNone, "", "Extension directory"},
           {"permissions", ColumnType::kText, kNone, "", "Permissions, comma separated"},
           {"permissions_json", ColumnType::kText, kHidden, "", "Permissions as JSON"},
           {"optional_permissions", ColumnType::kText, kNone, "",
            "Optional permissions, comma separated"},
           {"optional_permissions_json", ColumnType::kText, kHidden, "",
            "Optional permissions as JSON"},
           {"manifest_hash", ColumnType::kText, kNone, "nocase", "SHA-256 of manifest.json"},
           {"referenced", ColumnType::kBigInt, kNone, "",
            "1 when the profile preferences reference it"},
           {"from_webstore", ColumnType::kText, kNone, "",
            "Installed from the web store (true/false)"},
           {"state", ColumnType::kText, kNone, "", "1 enabled, 0 disabled"},
           {"install_time", ColumnType::kText, kNone, "", "Install time, WebKit microseconds"},
           {"install_timestamp", ColumnType::kBigInt, kNone, "", "Install time, Unix seconds"},
           {"manifest_json", ColumnType::kText, kHidden, "", "The manifest, compact JSON"},
           {"key", ColumnType::kText, kHidden, "", "The manifest's public key"}}},
      [](const QueryContext& ctx, RowWriter& out) -> Status {
        for (const Profile& profile : FindProfiles(ctx)) {
          if (ctx.Cancelled()) return Status::Ok();
          std::map<std::string, ExtensionSettings> referenced = ReferencedExtensions(profile);
          // Unpacked copies in the profile, referenced or not.
          const UserArea& home = profile.location.area;
          std::string ext_root = JoinHostPath(profile.path, "Extensions");
          std::string ext_root_relative = profile.location.Below("Extensions");
          std::vector<std::string> on_disk;
          if (auto ids = ctx.fs().ListUserDir(home, ext_root_relative); ids.ok()) {
            std::sort(ids->begin(), ids->end());
            for (const std::string& id : *ids) {
              std::string id_dir = JoinHostPath(ext_root, id);
              auto versions = ctx.fs().ListUserDir(home, ext_root_relative + "/" + id);
              if (!versions.ok()) continue;
              std::sort(versions->begin(), versions->end());
              for (const std::string& v : *versions) on_disk.push_back(JoinHostPath(id_dir, v));
            }
          }
          for (const std::string& dir : on_disk) {
            auto it = referenced.find(NormalPath(dir));
            EmitExtension(ctx, profile, dir, it == referenced.end() ? nullptr : &it->second, out);
            if (it != referenced.end()) referenced.erase(it);
          }
          // Referenced from elsewhere (unpacked developer extensions).
          for (const auto& [dir, settings] : referenced)
            EmitExtension(ctx, profile, dir, &settings, out);
        }
        return Status::Ok();
      });
}

}  // namespace warden

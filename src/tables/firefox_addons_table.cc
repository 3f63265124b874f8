// firefox_addons: add-ons (extensions, themes, language packs, dictionaries)
// of every Firefox profile of every account, from the profile's
// extensions.json; profiles are the directories under ~/.mozilla/firefox/
// and, for the snap package, ~/snap/firefox/common/.mozilla/firefox/.
// WHERE uid = N reads one home only; zero rows when no profile exists.
// Columns follow osquery: name/creator/description from defaultLocale,
// source_url from sourceURI, autoupdate from applyBackgroundUpdates,
// booleans as 0/1, and disabled = 1 when any of softDisabled, appDisabled or
// userDisabled is true. Profiles are the user's: they are listed and read
// under HostFs's user-area rule (nothing outside the home, the user's own
// regular files, at most kMaxExtensionsJsonBytes).
#include <sys/stat.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "tables/package_tables.h"
#include "tables/user_home_dirs.h"

namespace warden {
namespace {

using nlohmann::json;

constexpr size_t kMaxExtensionsJsonBytes = 64u << 20;
const char* const kProfileParents[] = {".mozilla/firefox", "snap/firefox/common/.mozilla/firefox"};

const json* Child(const json& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return it == obj.end() || it->is_null() ? nullptr : &*it;
}

void SetText(Row& row, const char* column, const json* v) {
  if (v == nullptr) return;
  if (v->is_string())
    row.Set(column, v->get<std::string>());
  else if (v->is_number() || v->is_boolean())
    row.Set(column, v->dump(-1, ' ', false, json::error_handler_t::replace));
}

// JSON booleans become 0/1 and numbers stay numbers, as osquery's
// jsonBoolAsInt does for these INTEGER columns.
void SetInteger(Row& row, const char* column, const json* v) {
  if (v == nullptr) return;
  if (v->is_boolean())
    row.Set(column, v->get<bool>());
  else if (v->is_number_integer())
    row.Set(column, v->get<int64_t>());
}

bool IsTrue(const json& addon, const char* key) {
  const json* v = Child(addon, key);
  return v != nullptr && v->is_boolean() && v->get<bool>();
}

// profile is relative to the user's home.
void EmitProfile(const QueryContext& ctx, const PasswdEntry& user, const std::string& profile,
                 RowWriter& out) {
  auto text = ctx.fs().ReadUserFile(HomeArea(user), profile + "/extensions.json",
                                    kMaxExtensionsJsonBytes, CancelCheck(ctx));
  if (!text.ok()) return;
  const int64_t uid = user.uid;
  json doc = json::parse(*text, nullptr, /*allow_exceptions=*/false);
  const json* addons = doc.is_discarded() ? nullptr : Child(doc, "addons");
  if (addons == nullptr || !addons->is_array()) return;
  for (const json& addon : *addons) {
    if (!addon.is_object()) continue;
    const json* locale = Child(addon, "defaultLocale");
    static const json kEmpty = json::object();
    if (locale == nullptr) locale = &kEmpty;
    Row& row = out.Add();
    row.Set("uid", uid);
    SetText(row, "name", Child(*locale, "name"));
    SetText(row, "identifier", Child(addon, "id"));
    SetText(row, "creator", Child(*locale, "creator"));
    SetText(row, "type", Child(addon, "type"));
    SetText(row, "version", Child(addon, "version"));
    SetText(row, "description", Child(*locale, "description"));
    SetText(row, "source_url", Child(addon, "sourceURI"));
    SetInteger(row, "visible", Child(addon, "visible"));
    SetInteger(row, "active", Child(addon, "active"));
    row.Set("disabled", IsTrue(addon, "softDisabled") || IsTrue(addon, "appDisabled") ||
                            IsTrue(addon, "userDisabled"));
    SetInteger(row, "autoupdate", Child(addon, "applyBackgroundUpdates"));
    SetText(row, "location", Child(addon, "location"));
    SetText(row, "path", Child(addon, "path"));
  }
}

}  // namespace

void RegisterFirefoxAddonsTable(TableRegistry& r) {
  r.Add(
      TableSchema{
          "firefox_addons",
          "Add-ons installed in users' Firefox profiles.",
          {{"uid", ColumnType::kBigInt, kAdditional | kOptimized, "", "Owner of the profile"},
           {"name", ColumnType::kText, kNone, "", "Add-on name"},
           {"identifier", ColumnType::kText, kIndex, "", "Add-on id"},
           {"creator", ColumnType::kText, kNone, "", "Add-on author"},
           {"type", ColumnType::kText, kNone, "", "extension, theme, locale, dictionary, ..."},
           {"version", ColumnType::kText, kNone, "version", "Add-on version"},
           {"description", ColumnType::kText, kNone, "", "Add-on description"},
           {"source_url", ColumnType::kText, kNone, "", "Where it was installed from"},
           {"visible", ColumnType::kInteger, kNone, "", "1 when shown in the add-ons manager"},
           {"active", ColumnType::kInteger, kNone, "", "1 when active"},
           {"disabled", ColumnType::kInteger, kNone, "", "1 when disabled by the user or the app"},
           {"autoupdate", ColumnType::kInteger, kNone, "", "Background update setting"},
           {"location", ColumnType::kText, kNone, "",
            "Install location (app-profile, app-system-defaults, ...)"},
           {"path", ColumnType::kText, kNone, "", "Path to the add-on"}}},
      [](const QueryContext& ctx, RowWriter& out) -> Status {
        for (const PasswdEntry& user : UsersToScan(ctx)) {
          if (user.home.empty() || user.home == "/") continue;
          const UserArea home = HomeArea(user);
          for (const char* parent : kProfileParents) {
            auto names = ctx.fs().ListUserDir(home, parent);
            if (!names.ok()) continue;
            std::sort(names->begin(), names->end());
            for (const std::string& n : *names) {
              if (ctx.Cancelled()) return Status::Ok();
              std::string profile = std::string(parent) + "/" + n;
              auto st = ctx.fs().StatUserPath(home, profile);
              if (st.ok() && S_ISDIR(st->st_mode)) EmitProfile(ctx, user, profile, out);
            }
          }
        }
        return Status::Ok();
      });
}

}  // namespace warden

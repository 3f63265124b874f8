// The osquery_extensions table. Like osquery, it always has the "core" row
// (uuid 0, type "core"), here carrying Warden's version; real extensions, if
// an agent ever loads any, come from WardenRuntimeState::extensions
// (warden_tables.h). Warden has no extension SDK, so sdk_version is "0.0.0".
#include "core/version.h"
#include "tables/warden_tables.h"

namespace warden {

void RegisterOsqueryExtensionsTable(TableRegistry& r) {
  r.Add(TableSchema{"osquery_extensions",
                    "List of active Warden extensions (always the core).",
                    {{"uuid", ColumnType::kBigInt, kNone, "",
                      "The transient ID assigned for communication"},
                     {"name", ColumnType::kText, kNone, "", "Extension's name"},
                     {"version", ColumnType::kText, kNone, "version", "Extension's version"},
                     {"sdk_version", ColumnType::kText, kNone, "version",
                      "osquery SDK version used to build the extension"},
                     {"path", ColumnType::kText, kNone, "",
                      "Path of the extension's Thrift connection or library path"},
                     {"type", ColumnType::kText, kNone, "",
                      "SDK extension type: core, extension, or module"}}},
        [](const QueryContext&, RowWriter& out) -> Status {
          std::vector<ExtensionInfo> extensions = {
              ExtensionInfo{0, "core", kWardenVersion, "0.0.0", "core", "core"}};
          for (ExtensionInfo& e : CurrentWardenRuntimeState().extensions)
            extensions.push_back(std::move(e));
          for (const ExtensionInfo& e : extensions) {
            Row& row = out.Add();
            row.Set("uuid", e.uuid);
            row.Set("name", e.name);
            row.Set("version", e.version);
            row.Set("sdk_version", e.sdk_version);
            row.Set("path", e.path);
            row.Set("type", e.type);
          }
          return Status::Ok();
        });
}

}  // namespace warden

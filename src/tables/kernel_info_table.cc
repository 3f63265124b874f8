// kernel_info: the running kernel's version (from /proc/version, the third
// word of "Linux version 6.1.0-18-amd64 (...)") and its command line from
// /proc/cmdline, split as osquery does: BOOT_IMAGE= gives path, root= gives
// device, every other argument stays in arguments (space-separated). One
// row, with NULL for what the host does not expose.
#include "core/strings.h"
#include "sql/table.h"
#include "tables/system_tables.h"

namespace warden {

void RegisterKernelInfoTable(TableRegistry& registry) {
  registry.Add(
      TableSchema{"kernel_info",
                  "The running kernel's version, boot image, root device and command line.",
                  {{"version", ColumnType::kText, kNone, "version"},
                   {"arguments", ColumnType::kText},
                   {"path", ColumnType::kText},
                   {"device", ColumnType::kText}}},
      [](const QueryContext& ctx, RowWriter& out) -> Status {
        auto cmdline = ctx.fs().ReadFile("/proc/cmdline", 1 << 20);
        auto version = ctx.fs().ReadFile("/proc/version", 1 << 16);
        if (!cmdline.ok() && !version.ok()) return Status::Ok();
        Row& row = out.Add();
        if (cmdline.ok()) {
          std::string arguments;
          for (std::string_view arg : SplitWhitespace(*cmdline)) {
            if (StartsWith(arg, "BOOT_IMAGE=")) {
              row.Set("path", arg.substr(11));
            } else if (StartsWith(arg, "root=")) {
              row.Set("device", arg.substr(5));
            } else {
              if (!arguments.empty()) arguments += ' ';
              arguments.append(arg);
            }
          }
          row.Set("arguments", arguments);
        }
        if (version.ok()) {
          auto words = SplitWhitespace(*version);
          if (words.size() > 2 && words[1] == "version") row.Set("version", words[2]);
        }
        return Status::Ok();
      });
}

}  // namespace warden

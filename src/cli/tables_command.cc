// `warden tables`: lists every table with its columns and types, as JSON for
// tooling or as a table for people.
#include <iostream>

#include "cli/host_session.h"
#include "cli/warden_cli.h"
#include "core/finding.h"
#include "sql/table.h"

namespace warden {

void AddTablesCommand(CLI::App& app, CommandAction* action) {
  auto format = std::make_shared<std::string>();
  CLI::App* cmd =
      app.add_subcommand("tables", "List every table with its columns and types")
          ->footer("Examples:\n  warden tables\n  warden tables --format json | jq '.[].name'");
  AddFormatOption(*cmd, format.get(), "table|json");
  cmd->callback([format, action]() {
    *action = [format]() -> int {
      std::string f = format->empty() ? DefaultFormat() : *format;
      if (f != "json" && f != "table")
        return ReportError(
            InvalidArgument("--format: unknown format '" + f + "' (use table or json)"));
      TableRegistry registry;
      RegisterAllTables(registry);
      if (f == "json") {
        Json out = Json::array();
        for (const TableDef* def : registry.All()) {
          Json t;
          t["name"] = def->schema.name;
          t["description"] = def->schema.description;
          t["aliases"] = def->schema.aliases;
          Json cols = Json::array();
          for (const Column& c : def->schema.columns) {
            cols.push_back({{"name", c.name},
                            {"type", ColumnTypeName(c.type)},
                            {"hidden", (c.options & kHidden) != 0},
                            {"required", (c.options & kRequired) != 0},
                            {"index", (c.options & kIndex) != 0},
                            {"description", c.description}});
          }
          t["columns"] = std::move(cols);
          out.push_back(std::move(t));
        }
        std::cout << out.dump(2) << "\n";
        return 0;
      }
      auto printer = MakeRowPrinter(OutputFormat::kTable, std::cout);
      printer->Begin({"table", "columns", "description"});
      for (const TableDef* def : registry.All()) {
        std::string cols;
        for (const Column& c : def->schema.columns) {
          if (!cols.empty()) cols += ", ";
          cols += c.name + " " + std::string(ColumnTypeName(c.type));
          if (c.options & kRequired) cols += " (required)";
          if (c.options & kHidden) cols += " (hidden)";
        }
        printer->Row({Value(def->schema.name), Value(cols), Value(def->schema.description)});
      }
      printer->End();
      return 0;
    };
  });
}

}  // namespace warden

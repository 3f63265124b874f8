// `warden tables [NAME]`: the tables `warden query` knows. Without NAME, one
// line per table (name, number of columns, description) for people, or every
// table with its columns as JSON for tooling; with NAME, that table's schema
// (columns, types, required/hidden/index, descriptions). A misspelled NAME
// gets "did you mean".
#include <iostream>

#include "cli/host_session.h"
#include "cli/terminal_table.h"
#include "cli/warden_cli.h"
#include "core/finding.h"
#include "core/strings.h"
#include "sql/table.h"

namespace warden {
namespace {

Json TableToJson(const TableDef& def) {
  Json t;
  t["name"] = def.schema.name;
  t["description"] = def.schema.description;
  t["aliases"] = def.schema.aliases;
  Json cols = Json::array();
  for (const Column& c : def.schema.columns) {
    cols.push_back({{"name", c.name},
                    {"type", ColumnTypeName(c.type)},
                    {"hidden", (c.options & kHidden) != 0},
                    {"required", (c.options & kRequired) != 0},
                    {"index", (c.options & kIndex) != 0},
                    {"description", c.description}});
  }
  t["columns"] = std::move(cols);
  return t;
}

// Text broken at spaces into lines of at most `width` display columns (0:
// one line), for prose that should wrap on a terminal rather than be cut.
std::string WrapWords(const std::string& text, size_t width) {
  if (width == 0) return text + "\n";
  std::string out, line;
  for (std::string_view word : SplitWhitespace(text)) {
    if (!line.empty() && DisplayWidth(line) + 1 + DisplayWidth(word) > width) {
      out += line + "\n";
      line.clear();
    }
    line += (line.empty() ? "" : " ") + std::string(word);
  }
  return out + line + "\n";
}

int PrintSchema(const TableDef& def, bool json) {
  if (json) {
    std::cout << TableToJson(def).dump(2) << "\n";
    return 0;
  }
  std::cout << WrapWords(def.schema.name + ": " + def.schema.description, StdoutFitWidth());
  if (!def.schema.aliases.empty()) {
    std::string aliases;
    for (const std::string& a : def.schema.aliases) aliases += (aliases.empty() ? "" : ", ") + a;
    std::cout << "Also named: " << aliases << "\n";
  }
  auto printer =
      MakeRowPrinter(OutputFormat::kTable, std::cout,
                     StdoutTableFit({{"column", 2}, {"type", 2}, {"description", 0, 20}}));
  printer->Begin({"column", "type", "flags", "description"});
  bool any_required = false;
  for (const Column& c : def.schema.columns) {
    std::string flags;
    auto add = [&](const char* flag) { flags += (flags.empty() ? "" : ",") + std::string(flag); };
    if (c.options & kRequired) add("required");
    if (c.options & kHidden) add("hidden");
    if (c.options & kIndex) add("index");
    any_required = any_required || (c.options & kRequired);
    printer->Row({Value(c.name), Value(std::string(ColumnTypeName(c.type))), Value(flags),
                  Value(c.description)});
  }
  printer->End();
  if (any_required)
    std::cout << WrapWords(
        "A query must constrain a required column in its WHERE clause; hidden columns are not "
        "in SELECT * but can be named.",
        StdoutFitWidth());
  return 0;
}

}  // namespace

void AddTablesCommand(CLI::App& app, CommandAction* action) {
  struct Opts {
    std::string format;
    std::string name;
  };
  auto opts = std::make_shared<Opts>();
  CLI::App* cmd =
      app.add_subcommand("tables", "List the tables, or show one table's columns and types")
          ->footer(
              "Examples:\n  warden tables\n  warden tables processes\n"
              "  warden tables --format json | jq '.[].name'");
  cmd->add_option("name", opts->name, "A table: print its columns, types and descriptions");
  AddFormatOption(*cmd, &opts->format, "table|json");
  cmd->callback([opts, action]() {
    *action = [opts]() -> int {
      std::string f = opts->format.empty() ? DefaultFormat() : opts->format;
      if (f != "json" && f != "table")
        return ReportError(
            InvalidArgument("--format: unknown format '" + f + "' (use table or json)"));
      TableRegistry registry;
      RegisterAllTables(registry);
      if (!opts->name.empty()) {
        if (const TableDef* def = registry.Find(opts->name)) return PrintSchema(*def, f == "json");
        std::vector<std::string> names;
        for (const TableDef* def : registry.All()) {
          names.push_back(def->schema.name);
          for (const std::string& a : def->schema.aliases) names.push_back(a);
        }
        auto near = ClosestMatch(opts->name, names);
        return ReportError(
            NotFound("no table named '" + opts->name + "'" +
                     (near ? "; did you mean '" + *near + "'?" : " (warden tables lists them)")));
      }
      if (f == "json") {
        Json out = Json::array();
        for (const TableDef* def : registry.All()) out.push_back(TableToJson(*def));
        std::cout << out.dump(2) << "\n";
        return 0;
      }
      auto printer = MakeRowPrinter(OutputFormat::kTable, std::cout,
                                    StdoutTableFit({{"table", 2}, {"description", 0, 20}}));
      printer->Begin({"table", "columns", "description"});
      for (const TableDef* def : registry.All())
        printer->Row({Value(def->schema.name),
                      Value(static_cast<int64_t>(def->schema.columns.size())),
                      Value(def->schema.description)});
      printer->End();
      std::cerr << registry.All().size()
                << " tables; `warden tables NAME` prints one table's columns.\n";
      return 0;
    };
  });
}

}  // namespace warden

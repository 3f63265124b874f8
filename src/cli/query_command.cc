// `warden query "SQL"`: runs SQL over live host state (or --root) and prints
// the rows. Rows are streamed for json/jsonl/csv, so large results start
// printing at once and memory stays flat.
#include <iostream>

#include "cli/host_session.h"
#include "cli/warden_cli.h"

namespace warden {

void AddQueryCommand(CLI::App& app, CommandAction* action) {
  struct Opts {
    std::string sql;
    std::string format;
    std::string root = "/";
    int timeout_ms = 60000;
  };
  auto opts = std::make_shared<Opts>();
  CLI::App* cmd =
      app.add_subcommand("query", "Run SQL over host state and print the rows")
          ->footer(
              "Examples:\n"
              "  warden query \"SELECT pid, name FROM processes WHERE pid = 1\"\n"
              "  warden query -f csv \"SELECT * FROM deb_packages\" > packages.csv\n"
              "  warden query \"SELECT path, sha256 FROM hash WHERE path = '/bin/ls'\"");
  cmd->add_option("sql", opts->sql, "SQL (SQLite dialect, osquery tables); - reads stdin")
      ->required();
  AddFormatOption(*cmd, &opts->format);
  cmd->add_option("--root", opts->root, "Read host state under this directory instead of /");
  cmd->add_option("--timeout-ms", opts->timeout_ms, "Stop the query after this many milliseconds")
      ->check(CLI::PositiveNumber);
  cmd->callback([opts, action]() {
    *action = [opts]() -> int {
      std::string format_name = opts->format.empty() ? DefaultFormat() : opts->format;
      auto format = ParseOutputFormat(format_name);
      if (!format)
        return ReportError(InvalidArgument("--format: unknown format '" + format_name +
                                           "' (use table, json, jsonl or csv)"));
      std::string sql = opts->sql;
      if (sql == "-") sql.assign(std::istreambuf_iterator<char>(std::cin), {});
      auto session = HostSession::Open(opts->root);
      if (!session.ok()) return ReportError(session.status());
      auto printer = MakeRowPrinter(*format, std::cout);
      bool begun = false;
      QueryOptions qo;
      qo.timeout = std::chrono::milliseconds(opts->timeout_ms);
      Status st = (*session)->engine().QueryStream(
          sql, qo,
          [&](const std::vector<std::string>& cols) {
            if (begun) printer->End();
            printer->Begin(cols);
            begun = true;
          },
          [&](std::vector<Value>&& row) { printer->Row(row); });
      if (!st.ok()) {
        std::cout.flush();
        return ReportError(st);
      }
      if (begun) printer->End();
      return 0;
    };
  });
}

}  // namespace warden

// `warden query "SQL"`: runs SQL over live host state (or --root) and prints
// the rows. Rows are streamed in every format (table measures its widths on
// the first rows, see core/output_format.h), so large results start printing
// at once and memory stays flat.
// When stdout goes away (`| head -1`) the query stops at once: SIGPIPE ends
// the process as it ends any filter, and when SIGPIPE is ignored the first
// failed write (EPIPE) stops the query and the process ends by SIGPIPE all
// the same; any other write error is reported. When the query fails part way,
// what was printed is closed off so it stays well formed (json: nothing if no
// row came, else a closed array of the rows before the error) and the error
// goes to stderr with exit status 2.
// With --server the SQL runs on the fleet instead (cli/fleet_query.h).
#include <signal.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <iostream>

#include "cli/fleet_query.h"
#include "cli/host_session.h"
#include "cli/terminal_table.h"
#include "cli/warden_cli.h"

namespace warden {

void AddQueryCommand(CLI::App& app, CommandAction* action) {
  struct Opts {
    std::string sql;
    std::string format;
    std::string root = "/";
    int timeout_ms = 60000;
    FleetQueryOptions fleet;
  };
  auto opts = std::make_shared<Opts>();
  CLI::App* cmd =
      app.add_subcommand("query", "Run SQL over host state and print the rows")
          ->footer(
              "Examples:\n"
              "  warden query \"SELECT pid, name FROM processes WHERE pid = 1\"\n"
              "  warden query -f csv \"SELECT * FROM deb_packages\" > packages.csv\n"
              "  warden query \"SELECT path, sha256 FROM hash WHERE path = '/bin/ls'\"\n"
              "  WARDEN_TOKEN=wdn_pat_... warden query --server https://warden:8443 \\\n"
              "    --ca-file ca.pem --hosts label:env=prod \"SELECT name FROM processes\"");
  cmd->add_option("sql", opts->sql, "SQL (SQLite dialect, osquery tables); - reads stdin")
      ->required();
  AddFormatOption(*cmd, &opts->format);
  cmd->add_option("--root", opts->root, "Read host state under this directory instead of /");
  cmd->add_option("--timeout-ms", opts->timeout_ms, "Stop the query after this many milliseconds")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--server", opts->fleet.server,
                  "Run it on the fleet: the control-plane server's URL (https://host:port)");
  cmd->add_option("--hosts", opts->fleet.hosts,
                  "With --server: all, label:NAME, host:ID, os:ID (several: comma-separated)")
      ->delimiter(',');
  cmd->add_option("--token", opts->fleet.token,
                  "With --server: an API token (default $WARDEN_TOKEN)");
  cmd->add_option("--ca-file", opts->fleet.ca_file, "With --server: the server's CA (PEM)");
  cmd->add_option("--ca-fingerprint", opts->fleet.ca_fingerprint,
                  "With --server: pin the server's CA by its sha256 fingerprint");
  cmd->add_option("--wait", opts->fleet.wait_seconds,
                  "With --server: seconds to wait for the hosts (default 300)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--offline-wait", opts->fleet.offline_wait_seconds,
                  "With --server: offline hosts run it if they return within this many seconds")
      ->check(CLI::PositiveNumber);
  cmd->callback([opts, action]() {
    *action = [opts]() -> int {
      if (!opts->fleet.server.empty()) {
        if (opts->root != "/")
          return ReportError(
              InvalidArgument("--root: not with --server (the agents read their own hosts)"));
        FleetQueryOptions fleet = opts->fleet;
        fleet.sql = opts->sql;
        if (fleet.sql == "-") fleet.sql.assign(std::istreambuf_iterator<char>(std::cin), {});
        fleet.format = opts->format;
        if (fleet.hosts.empty())
          return ReportError(InvalidArgument("--hosts: name the hosts (all, label:NAME, host:ID)"));
        return RunFleetQuery(fleet);
      }
      std::string format_name = opts->format.empty() ? DefaultFormat() : opts->format;
      auto format = ParseOutputFormat(format_name);
      if (!format)
        return ReportError(InvalidArgument("--format: unknown format '" + format_name +
                                           "' (use table, json, jsonl or csv)"));
      std::string sql = opts->sql;
      if (sql == "-") sql.assign(std::istreambuf_iterator<char>(std::cin), {});
      auto session = HostSession::Open(opts->root);
      if (!session.ok()) return ReportError(session.status());
      auto printer = MakeRowPrinter(*format, std::cout, StdoutTableFit());
      bool begun = false;
      std::atomic<bool> stop{false};
      int write_errno = 0;  // set when stdout stopped taking output
      auto check_output = [&] {
        if (write_errno == 0 && std::cout.fail()) {
          write_errno = errno != 0 ? errno : EIO;
          stop.store(true);
        }
        return write_errno == 0;
      };
      QueryOptions qo;
      qo.timeout = std::chrono::milliseconds(opts->timeout_ms);
      qo.interrupt = &stop;
      Status st = (*session)->engine().QueryStream(
          sql, qo,
          [&](const std::vector<std::string>& cols) {
            if (!check_output()) return;
            if (begun) printer->End();
            printer->Begin(cols);
            begun = true;
          },
          [&](std::vector<Value>&& row) {
            if (!check_output()) return;
            printer->Row(row);
            check_output();
          });
      if (write_errno == 0 && begun) {
        if (st.ok())
          printer->End();
        else
          printer->Abort();
        check_output();
      }
      if (write_errno == EPIPE) {
        // The reader is gone: end as a filter killed by SIGPIPE does.
        signal(SIGPIPE, SIG_DFL);
        raise(SIGPIPE);
        return 141;
      }
      if (write_errno != 0)
        return ReportError(
            IoError(std::string("writing the output: ") + std::strerror(write_errno)));
      if (!st.ok()) return ReportError(st);
      return 0;
    };
  });
}

}  // namespace warden

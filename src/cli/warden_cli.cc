#include "cli/warden_cli.h"

#include <unistd.h>

#include <iostream>
#include <vector>

#include "core/version.h"

namespace warden {

std::string DefaultFormat() { return isatty(STDOUT_FILENO) ? "table" : "json"; }

void AddFormatOption(CLI::App& cmd, std::string* format, const std::string& choices) {
  *format = "";
  cmd.add_option("-f,--format", *format,
                 "Output format: " + choices + " (default: table on a terminal, json when piped)");
}

int ReportError(const Status& status, int exit_code) {
  std::cerr << "warden: " << status.message() << std::endl;
  return exit_code;
}

int RunWardenCli(int argc, char** argv) {
  CLI::App app{
      "Warden: SQL over live host state, vulnerability scanning and cloud audit-log detection.\n"
      "Examples:\n"
      "  warden query \"SELECT pid, name, path FROM processes WHERE pid = 1\"\n"
      "  warden query --format csv \"SELECT * FROM listening_ports\"\n"
      "  warden tables --format json\n"
      "  warden shell",
      "warden"};
  app.set_version_flag("-V,--version", std::string("warden ") + kWardenVersion);
  app.require_subcommand(1);

  CommandAction action;
  AddQueryCommand(app, &action);
  AddShellCommand(app, &action);
  AddTablesCommand(app, &action);
  AddFeedCommand(app, &action);
  AddScanCommand(app, &action);
  AddTrailCommand(app, &action);
  AddRulesCommand(app, &action);
  AddAgentCommand(app, &action);
  AddEventsCommand(app, &action);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "warden: " << e.what() << " (see warden --help)" << std::endl;
    return 2;
  }
  if (!action) return 2;
  return action();
}

}  // namespace warden

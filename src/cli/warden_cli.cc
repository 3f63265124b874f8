#include "cli/warden_cli.h"

#include <unistd.h>

#include <iostream>
#include <vector>

#include "cli/terminal_table.h"
#include "core/strings.h"
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

namespace {

// The subcommand the parse had reached ("warden trail scan"): the deepest
// one selected.
CLI::App* SelectedCommand(CLI::App& app) {
  CLI::App* cmd = &app;
  for (;;) {
    std::vector<CLI::App*> subs = cmd->get_subcommands();
    if (subs.empty()) return cmd;
    cmd = subs.front();
  }
}

std::string CommandPath(const CLI::App* cmd) {
  std::string path = cmd->get_name();
  for (const CLI::App* p = cmd->get_parent(); p != nullptr; p = p->get_parent())
    path = p->get_name() + " " + path;
  return path;
}

// A parse error, said for people: "warden query: unknown option '--formt';
// did you mean '--format'?" for a mistyped option (instead of "arguments
// were not expected"), then the command's usage line and where to find more.
int ReportParseError(CLI::App& app, const CLI::ParseError& e) {
  CLI::App* cmd = SelectedCommand(app);
  const std::string path = CommandPath(cmd);
  std::string message = e.what();
  if (dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr) {
    std::vector<std::string> extras;
    for (CLI::App* c = cmd; c != nullptr; c = c->get_parent())
      for (const std::string& x : c->remaining()) extras.push_back(x);
    std::vector<std::string> names;
    for (const CLI::Option* opt : cmd->get_options()) {
      for (const std::string& l : opt->get_lnames()) names.push_back("--" + l);
      for (const std::string& s : opt->get_snames()) names.push_back("-" + s);
    }
    std::string unknown_options, stray;
    for (const std::string& x : extras) {
      if (x.size() > 1 && x[0] == '-' && x != "--") {
        const std::string flag = x.substr(0, x.find('='));
        if (!unknown_options.empty()) unknown_options += "; ";
        unknown_options += "unknown option '" + flag + "'";
        if (auto near = ClosestMatch(flag, names))
          unknown_options += ", did you mean '" + *near + "'?";
      } else {
        stray += (stray.empty() ? "'" : ", '") + x + "'";
      }
    }
    // A stray word after a mistyped option is usually that option's value:
    // name the option only.
    message = !unknown_options.empty() ? unknown_options
              : extras.size() > 1      ? "unexpected arguments " + stray
                                       : "unexpected argument " + stray;
  }
  auto formatter = std::dynamic_pointer_cast<CLI::Formatter>(cmd->get_formatter());
  const std::string usage =
      formatter ? formatter->make_usage(cmd, path) : "Usage: " + path + " [OPTIONS]\n";
  std::cerr << path << ": " << message << "\n"
            << usage << "Run '" << path << " --help' for every option and examples." << std::endl;
  return 2;
}

}  // namespace

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
  AddServerCommand(app, &action);
  AddWideFlag(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return ReportParseError(app, e);
  }
  if (!action) return 2;
  return action();
}

}  // namespace warden

// The `warden` command line: one binary, subcommands registered by the files
// of this folder (one file per subcommand). Exit codes: 0 success, 1 findings
// at or above a threshold (commands that gate pipelines), 2 usage or input
// error. Errors are one line on stderr naming what and where.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

#include "core/output_format.h"
#include "core/status.h"

namespace warden {

int RunWardenCli(int argc, char** argv);

// Options every host-reading command shares.
struct HostOptions {
  std::string root = "/";  // --root: read a mounted image or fixture tree instead of the live host
};

// Each subcommand file provides one of these; RunWardenCli calls them all.
// The command sets `*action` when it is selected; the action returns the exit code.
using CommandAction = std::function<int()>;
void AddQueryCommand(CLI::App& app, CommandAction* action);
void AddShellCommand(CLI::App& app, CommandAction* action);
void AddTablesCommand(CLI::App& app, CommandAction* action);
void AddFeedCommand(CLI::App& app, CommandAction* action);  // feed import/status (src/vuln)
void AddScanCommand(CLI::App& app, CommandAction* action);  // scan vulns (src/vuln)
void AddTrailCommand(CLI::App& app,
                     CommandAction* action);  // trail scan/watch/iam-check (src/cloud)
void AddRulesCommand(CLI::App& app, CommandAction* action);  // rules test/lint (src/rules)
void AddAgentCommand(CLI::App& app, CommandAction* action);  // the host agent (src/agent)
// `warden agent enroll`, under the agent command.
void AddAgentEnrollCommand(CLI::App& agent, CommandAction* action);
void AddEventsCommand(CLI::App& app,
                      CommandAction* action);  // events watch/status/rules (src/ebpf)
void AddServerCommand(CLI::App& app, CommandAction* action);  // the control plane (src/server)

// Shared helpers for subcommands.
// --format with the given choices; default "table" on a terminal, json when piped.
void AddFormatOption(CLI::App& cmd, std::string* format,
                     const std::string& choices = "table|json|jsonl|csv");
std::string DefaultFormat();
// Prints "warden: <message>" on stderr and returns 2 (or the given code).
int ReportError(const Status& status, int exit_code = 2);

}  // namespace warden

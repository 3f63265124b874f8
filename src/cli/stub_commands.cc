// Subcommands whose modules are being written; each moves to its own file
// (feed_command.cc, scan_command.cc, trail_command.cc, rules_command.cc).
#include "cli/warden_cli.h"

namespace warden {

void AddFeedCommand(CLI::App&, CommandAction*) {}
void AddScanCommand(CLI::App&, CommandAction*) {}
void AddTrailCommand(CLI::App&, CommandAction*) {}
void AddRulesCommand(CLI::App&, CommandAction*) {}

}  // namespace warden

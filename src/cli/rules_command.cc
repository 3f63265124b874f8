// Placeholder: `warden rules` is being written (src/rules).
#include "cli/warden_cli.h"

namespace warden {
void AddRulesCommand(CLI::App&, CommandAction*) {}
}  // namespace warden

// Placeholder: `warden trail` is being written (src/cloud).
#include "cli/warden_cli.h"

namespace warden {
void AddTrailCommand(CLI::App&, CommandAction*) {}
}  // namespace warden

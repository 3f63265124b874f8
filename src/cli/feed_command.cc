// Placeholder: `warden feed` is being written (src/vuln).
#include "cli/warden_cli.h"

namespace warden {
void AddFeedCommand(CLI::App&, CommandAction*) {}
}  // namespace warden

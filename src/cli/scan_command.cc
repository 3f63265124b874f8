// Placeholder: `warden scan` is being written (src/vuln).
#include "cli/warden_cli.h"

namespace warden {
void AddScanCommand(CLI::App&, CommandAction*) {}
}  // namespace warden

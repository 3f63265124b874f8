// The `warden` binary: everything is a subcommand (src/cli/).
#include "cli/warden_cli.h"

int main(int argc, char** argv) { return warden::RunWardenCli(argc, argv); }

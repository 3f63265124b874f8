// `warden agent enroll --server URL --secret S [--ca-fingerprint sha256:HEX]
// [--config FILE] [--state-dir DIR]`: enrols this host with the control-plane
// server (src/agent/server_enrolment.h does the work) and says what it wrote.
// The config file is --config, else $WARDEN_AGENT_CONFIG, else
// /etc/warden/agent.yaml (created when missing); the state directory is
// --state-dir, else the config's state_dir, else the default one. The secret
// may come from $WARDEN_ENROLL_SECRET instead of the command line (which other
// users can read in /proc). Exit codes: 0 enrolled, 2 refused or failed.
#include <cstdlib>
#include <iostream>

#include "agent/agent_config.h"
#include "agent/server_enrolment.h"
#include "cli/warden_cli.h"

namespace warden {

namespace {

struct EnrollOptions {
  std::string server;
  std::string secret;
  std::string fingerprint;
  std::string config;
  std::string state_dir;
};

int RunEnroll(const EnrollOptions& o) {
  EnrolmentOptions e;
  e.server_url = o.server;
  e.secret = o.secret;
  if (e.secret.empty())
    if (const char* env = std::getenv("WARDEN_ENROLL_SECRET"); env && *env) e.secret = env;
  if (e.secret.empty())
    return ReportError(
        InvalidArgument("--secret: give the enrol secret (or set $WARDEN_ENROLL_SECRET)"));
  e.ca_fingerprint = o.fingerprint;
  e.config_path = o.config;
  if (e.config_path.empty())
    if (const char* env = std::getenv("WARDEN_AGENT_CONFIG"); env && *env) e.config_path = env;
  if (e.config_path.empty()) e.config_path = "/etc/warden/agent.yaml";
  e.state_dir = o.state_dir;
  if (e.state_dir.empty()) {
    auto where = LoadAgentLocation(e.config_path);
    e.state_dir = where.ok() ? where->state_dir : DefaultStateDir();
  }
  auto result = EnrolAgent(e);
  if (!result.ok()) return ReportError(result.status());
  std::cout << "enrolled with " << o.server << " as host " << result->host_id << "\n"
            << "  server CA   " << result->ca_fingerprint
            << (result->ca_file.empty() ? " (verified by the system's CAs)"
                                        : " pinned in " + result->ca_file)
            << "\n"
            << "  node key    " << result->node_key_file << " (0600)\n"
            << "  config      " << result->config_path
            << (result->config_created ? " (created)" : " (server section written)") << "\n";
  if (result->duplicate_identity)
    std::cout << "warning: the server saw this machine id on another host too (a cloned "
                 "image?); both are flagged duplicate_identity until one gets a new "
                 "/etc/machine-id\n";
  auto check = LoadAgentConfig(result->config_path);
  if (!check.ok()) {
    std::cerr << "warden: warning: the config does not load as it is: " << check.status().message()
              << "\n";
    return 2;
  }
  std::cout << "A running agent connects after `warden agent reload --config "
            << result->config_path << "` (or a restart).\n";
  return 0;
}

}  // namespace

void AddAgentEnrollCommand(CLI::App& agent, CommandAction* action) {
  auto o = std::make_shared<EnrollOptions>();
  CLI::App* enroll =
      agent.add_subcommand("enroll", "Enrol this host with a Warden server")
          ->footer(
              "Fetches the server's CA (checked against --ca-fingerprint, printed by `warden "
              "server`),\n"
              "enrols with the secret, stores the node key in the state directory and writes "
              "the\n"
              "server section of the agent's config. Enrolling again is allowed.\n"
              "Examples:\n"
              "  warden agent enroll --server https://warden.example.com:8443 \\\n"
              "      --secret wdn_enr_... --ca-fingerprint sha256:3b1f...\n"
              "  WARDEN_ENROLL_SECRET=wdn_enr_... warden agent enroll --server https://w:8443 "
              "--config agent.yaml");
  enroll->add_option("--server", o->server, "The server's URL (https://host:port)")->required();
  enroll->add_option("--secret", o->secret, "The enrol secret (default: $WARDEN_ENROLL_SECRET)");
  enroll->add_option("--ca-fingerprint", o->fingerprint,
                     "sha256:HEX of the server's CA, as `warden server` prints it (without it "
                     "the server's certificate must verify against the system's CAs)");
  enroll->add_option("-c,--config", o->config,
                     "The agent's config file (default: $WARDEN_AGENT_CONFIG, then "
                     "/etc/warden/agent.yaml)");
  enroll->add_option("--state-dir", o->state_dir,
                     "Where the node key and CA go (default: the config's state_dir)");
  enroll->callback([o, action]() { *action = [o]() { return RunEnroll(*o); }; });
}

}  // namespace warden

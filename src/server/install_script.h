// The one-command install of a host (docs/deploy.md): the shell script the
// server serves at /api/v1/agent/install.sh and the command that runs it.
//
// The command fetches the script with curl pinned to the server's public key
// (so no CA need be trusted yet) and pipes it to sh with the server URL, the
// CA fingerprint and the enrol secret. The script then
//   1. fetches the server's CA and refuses to go on unless its SHA-256 is the
//      fingerprint given (nothing is installed or written before);
//   2. installs the newest warden and warden-agent packages the server holds
//      for this architecture (AgentPackages), each download checked against
//      the digest written into the script; without server packages it uses
//      an installed warden-agent or the host's apt sources;
//   3. enrols (warden agent enroll, the secret passed in the environment);
//   4. enables and restarts warden-agent.service.
// Run again it changes nothing but the node key (enrolment is idempotent per
// machine identity). Pure text: not here are the files and the HTTP.
#pragma once

#include <string>
#include <vector>

#include "server/agent_packages.h"

namespace warden::server {

// The script, with `packages` (AgentPackages::Newest) written into it.
std::string InstallScript(const std::vector<AgentPackage>& packages);

struct InstallCommandParts {
  std::string server_url;      // https://host:8443
  std::string ca_fingerprint;  // sha256:<hex>
  std::string key_pin;         // sha256//<base64> (PublicKeyPin)
  std::string secret;          // wdn_enr_...
};

// `curl -fsS --insecure --pinnedpubkey PIN URL/api/v1/agent/install.sh |
// sudo sh -s -- --server URL --ca-fingerprint FP --secret S`, every value
// shell-quoted.
std::string InstallCommand(const InstallCommandParts& parts);

// What a new enrol secret is shown with (the API's EnrolCommands, `warden
// server enroll-secret create`): `warden agent enroll ...` for a host that
// has warden, and the install command for one that has not. Without a CA
// fingerprint (a server certificate of the operator's own, which hosts verify
// against their CAs) there is no install command and the enrol command has
// no --ca-fingerprint.
struct EnrolCommands {
  std::string enroll;
  std::string install;  // "" when there is none
};
EnrolCommands CommandsFor(const InstallCommandParts& parts);

}  // namespace warden::server

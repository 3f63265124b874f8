// Enrolment of this host with the control-plane server (`warden agent enroll
// --server URL --secret S [--ca-fingerprint sha256:HEX]`):
//   1. GET URL/api/v1/agent/ca. With a pinned fingerprint the TLS connection
//      is not verified (the CA is what is being learnt) and the SHA-256 of the
//      CA certificate's DER encoding must equal the pin; without one the
//      server's certificate must verify against the system's CAs, else
//      enrolment is refused with a hint to pass --ca-fingerprint.
//   2. POST URL/api/v1/agent/enroll {secret, identity}, verified against the
//      pinned CA (or the system's CAs), which answers {host_id, node_key}.
//   3. Writes <state>/server-ca.pem (when pinned), <state>/node-key (0600)
//      and the `server:` section of the agent's config file; the rest of the
//      file stays byte for byte as it was.
// Nothing is written before the server accepted the enrolment, and nothing at
// all when the CA does not match the pin. Enrolling again is allowed: the
// server keeps the host id for the same machine identity and issues a new
// node key; the files are replaced. Not here: running the channel
// (server_link.h), sending records (delivery/server_sink.h).
#pragma once

#include <sys/types.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/finding.h"
#include "core/host_fs.h"
#include "core/status.h"
#include "delivery/http_poster.h"

namespace warden {

// What the server is told about this host (AgentIdentity in the contract).
struct HostIdentity {
  std::string machine_id;   // /etc/machine-id
  std::string instance_id;  // cloud instance id read locally ("" = none)
  std::string hostname;
  std::string os_name, os_version, os_id, os_codename;  // /etc/os-release
  std::string kernel;                                   // uname release
  std::string arch;                                     // uname machine
  std::string agent_version;
  Json ToJson() const;
};

// machine-id, instance id and os-release through `fs`; hostname, kernel and
// arch from uname(2). The instance id is the EC2 instance id that Nitro
// hosts expose in /sys/class/dmi/id/board_asset_tag ("i-0abc..."); nothing
// is asked of the network. An error when there is no machine id.
Result<HostIdentity> ReadHostIdentity(const HostFs& fs);

struct EnrolmentOptions {
  std::string server_url;      // https://host:port
  std::string secret;          // wdn_enr_...
  std::string ca_fingerprint;  // "sha256:<64 hex>" or ""; colons between bytes are allowed
  std::string config_path;     // the agent's config file (created when missing)
  std::string state_dir;       // where server-ca.pem and node-key go
  // Test seams: the identity to present, and the HTTP client.
  std::optional<HostIdentity> identity;
  std::function<std::unique_ptr<HttpPoster>()> http_poster;
};

struct EnrolmentResult {
  std::string host_id;
  bool duplicate_identity = false;
  int poll_wait_seconds = 0;
  std::string ca_fingerprint;  // of the server's CA, as fetched
  std::string ca_file;         // "" when the system's CAs are used
  std::string node_key_file;
  std::string config_path;
  bool config_created = false;
};

Result<EnrolmentResult> EnrolAgent(const EnrolmentOptions& options);

// Writes `data` to `path` through a temporary file in the same directory,
// fsync and a rename, with `mode`: a reader sees the old file or the new one.
Status WriteFileAtomically(const std::string& path, const std::string& data, mode_t mode);

// "sha256:<64 lowercase hex>" of the DER encoding of the first certificate
// in `pem`, and that certificate as PEM.
struct CaCertificate {
  std::string pem;
  std::string fingerprint;
};
Result<CaCertificate> ParseCaCertificate(std::string_view pem);
// "SHA256:AB:CD..." or "sha256:abcd..." -> "sha256:abcd..."; an error when
// it is not 32 bytes of hex.
Result<std::string> NormaliseFingerprint(std::string_view text);

// The `server:` section for a config file (YAML, ends with a newline).
std::string ServerSectionYaml(const std::string& url, const std::string& ca_file,
                              const std::string& node_key_file);
// `config_text` with its top-level `server:` block (the key line and the
// indented, blank and comment lines under it) replaced by `section`, or with
// `section` appended when there is none. Every other byte is kept.
std::string WithServerSection(const std::string& config_text, const std::string& section);

}  // namespace warden

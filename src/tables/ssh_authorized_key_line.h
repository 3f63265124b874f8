// Parsing one line of an OpenSSH authorized_keys file (sshd(8) "AUTHORIZED_KEYS
// FILE FORMAT"): [options] keytype base64-key [comment]. The options field is
// a comma-separated list whose values may be double-quoted and contain
// blanks, so it is scanned quote-aware rather than split on spaces. Protocol 1
// keys (bits exponent modulus) and lines whose key type is not an SSH
// public-key algorithm are rejected (nullopt), as are comments and blanks.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace warden {

struct AuthorizedKey {
  std::optional<std::string> options;  // nullopt when the line has none
  std::string algorithm;               // "ssh-ed25519", "ecdsa-sha2-nistp256", ...
  std::string key;                     // the base64 blob
  std::optional<std::string> comment;  // the rest of the line, when present
};

std::optional<AuthorizedKey> ParseAuthorizedKeyLine(std::string_view line);

// Whether a token names an SSH public-key algorithm: ssh-rsa, ssh-dss,
// ssh-ed25519, ecdsa-sha2-*, the FIDO sk-* types and their certificates.
bool IsSshKeyAlgorithm(std::string_view token);

}  // namespace warden

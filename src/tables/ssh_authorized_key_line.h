// Parsing one line of an OpenSSH authorized_keys file (sshd(8) "AUTHORIZED_KEYS
// FILE FORMAT"): [options] keytype base64-key [comment]. The options field is
// a comma-separated list whose values may be double-quoted and contain
// blanks, so it is scanned quote-aware rather than split on spaces. Protocol 1
// keys (bits exponent modulus) and lines whose key type is not an SSH
// public-key algorithm are rejected (nullopt), as are comments and blanks.
// Pure functions of the text: they read nothing, so they can be unit-tested
// and fuzzed (fuzz/authorized_keys_fuzz.cc).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace warden {

struct AuthorizedKey {
  std::optional<std::string> options;  // nullopt when the line has none
  std::string algorithm;               // "ssh-ed25519", "ecdsa-sha2-nistp256", ...
  std::string key;                     // the base64 blob
  std::optional<std::string> comment;  // the rest of the line, when present
};

std::optional<AuthorizedKey> ParseAuthorizedKeyLine(std::string_view line);

// Every key of a whole authorized_keys file, in file order; lines that are
// not keys are skipped.
std::vector<AuthorizedKey> ParseAuthorizedKeys(std::string_view text);

// Whether a token names an SSH public-key algorithm: ssh-rsa, ssh-dss,
// ssh-ed25519, ecdsa-sha2-*, the FIDO sk-* types and their certificates.
bool IsSshKeyAlgorithm(std::string_view token);

}  // namespace warden

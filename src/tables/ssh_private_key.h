// InspectSshPrivateKey tells whether a file's contents are an SSH private key
// and describes it without decrypting it: algorithm, size, strength and
// whether a passphrase protects it. It reads the two formats ssh-keygen
// writes:
//   - PEM (PKCS#1 "RSA PRIVATE KEY", "EC PRIVATE KEY", "DSA PRIVATE KEY",
//     PKCS#8 "PRIVATE KEY" / "ENCRYPTED PRIVATE KEY"), through OpenSSL;
//   - OpenSSH's own "OPENSSH PRIVATE KEY" (openssh-key-v1, the default since
//     OpenSSH 7.8), decoded here: its public half is stored in clear, so the
//     algorithm and size are known even when the key is encrypted.
// The numbers come from OpenSSL in both cases (EVP_PKEY_bits,
// EVP_PKEY_security_bits, EVP_PKEY_get_group_name) so the same key reports
// the same values in either format; the one exception is Ed25519's length,
// 256 as ssh-keygen reports it rather than OpenSSL's 253. osquery itself
// reports OpenSSH-format keys with key_type "" and -1 sizes: we report more. Nothing is ever
// decrypted: an encrypted PEM key (whose public half is encrypted too) reports what its PEM label
// says and -1 sizes. Never throws; leaves OpenSSL's error queue empty.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace warden {

struct SshPrivateKeyInfo {
  bool encrypted = false;
  std::string key_type;        // "rsa", "dsa", "ec", "ed25519", "ec-sk", "ed25519-sk", or ""
  std::string key_group_name;  // the curve for EC keys ("prime256v1"), else ""
  int key_length = -1;         // bits (RSA modulus, DSA p, curve size); -1 unknown
  int key_security_bits = -1;  // NIST SP800-57 security bits; -1 unknown
};

// nullopt when the contents are not a private key (public keys, configs...).
std::optional<SshPrivateKeyInfo> InspectSshPrivateKey(std::string_view contents);

}  // namespace warden

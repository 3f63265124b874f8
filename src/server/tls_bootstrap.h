// TLS without setup: when no certificate is configured, the server makes its
// own private CA (ECDSA P-256, valid 10 years) on first start and a server
// certificate signed by it, keeps both in <state_dir>/tls/, and reuses them on
// later starts. Agents pin the CA by its fingerprint, printed by the server as
// "sha256:<64 hex>" and computed over the CA certificate's DER encoding; they
// fetch the CA PEM and check it against the pin.
//
// Files in <state_dir>/tls/ (directory 0700):
//   ca.pem       the CA certificate            ca.key      its key (0600)
//   server.pem   server certificate + CA       server.key  its key (0600)
//
// The CA is never replaced: a CA file that is missing its key, unreadable,
// or has a key readable by group or others is an error to fix by hand,
// because agents trust that exact CA. The server certificate is reissued
// (new key, same CA) when it is missing, broken, not signed by the CA,
// within 30 days of expiry, or lacks a requested name; it is valid for 825
// days, the longest Apple platforms accept. Its names: localhost, 127.0.0.1,
// ::1, the host name, and `extra_names` (DNS names or IP addresses).
//
// Concurrent starts on the same state directory are serialised with a lock
// file; files are written to a temporary name and renamed into place.
// Built on OpenSSL 3 (EVP_PKEY, X509); nothing is run in a shell.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace warden::server {

struct TlsBootstrapOptions {
  std::string state_dir;
  // More names for the server certificate: "warden.example.com", "10.0.0.5".
  std::vector<std::string> extra_names;
  // The host name to include; empty: gethostname(). Skipped when it is not a
  // valid DNS name.
  std::string hostname;
};

struct TlsBootstrapResult {
  std::string cert_chain_file;  // for HttpServerOptions::tls_cert_chain_file
  std::string key_file;         // for HttpServerOptions::tls_key_file
  std::string ca_cert_file;
  std::string ca_cert_pem;
  std::string ca_fingerprint;  // "sha256:<64 lowercase hex>"
  bool created_ca = false;
  bool issued_server_certificate = false;
};

Result<TlsBootstrapResult> BootstrapTls(const TlsBootstrapOptions& options);

// "sha256:<64 hex>" over the DER encoding of the first certificate in `pem`.
Result<std::string> CertificateFingerprint(std::string_view pem);

// "sha256//<base64>": the SHA-256 of the first certificate's public key
// (SubjectPublicKeyInfo, DER), as curl's --pinnedpubkey takes it. The
// install command pins the server's key with it, so the install script is
// fetched from this server before any CA is trusted.
Result<std::string> PublicKeyPin(std::string_view pem);
// PublicKeyPin of the first certificate in the PEM file at `path`.
Result<std::string> PublicKeyPinOfFile(const std::string& path);

}  // namespace warden::server

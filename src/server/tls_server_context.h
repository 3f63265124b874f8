// The server's TLS settings in one place: an OpenSSL SSL_CTX loaded from a
// PEM certificate chain and private key (ECDSA P-256 or RSA), TLS 1.2 and
// 1.3 only, forward-secret AEAD cipher suites (Mozilla's "intermediate"
// profile), session resumption (TLS 1.3 tickets, TLS 1.2 tickets and a
// session cache) and ALPN "http/1.1". Buffers of idle connections are
// released (SSL_MODE_RELEASE_BUFFERS), which is most of what an idle TLS
// connection would otherwise cost.
// Does not create certificates (tls_bootstrap.h) or do any I/O.
#pragma once

#include <memory>
#include <string>

#include "core/status.h"

struct ssl_ctx_st;  // OpenSSL's SSL_CTX

namespace warden::server {

struct SslCtxDeleter {
  void operator()(ssl_ctx_st* ctx) const;
};
using SslCtxPtr = std::unique_ptr<ssl_ctx_st, SslCtxDeleter>;

// Errors name the file and OpenSSL's reason (unreadable, not PEM, key does
// not match the certificate).
Result<SslCtxPtr> MakeServerTlsContext(const std::string& cert_chain_file,
                                       const std::string& key_file);

// The oldest queued OpenSSL error as text ("" when none), clearing the queue.
std::string TakeOpensslError();

}  // namespace warden::server

#include "server/tls_server_context.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cstring>

namespace warden::server {
namespace {

// TLS 1.2 suites of Mozilla's intermediate configuration: ECDHE key exchange
// and AEAD ciphers only. TLS 1.3 suites are OpenSSL's defaults (all AEAD).
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

int SelectAlpn(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
               unsigned int inlen, void*) {
  static const unsigned char kHttp11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  unsigned char* selected = nullptr;
  if (SSL_select_next_proto(&selected, outlen, kHttp11, sizeof(kHttp11), in, inlen) !=
      OPENSSL_NPN_NEGOTIATED) {
    // The client offers only protocols we do not speak (h2 alone): go on
    // without ALPN rather than failing; the client decides.
    return SSL_TLSEXT_ERR_NOACK;
  }
  *out = selected;
  return SSL_TLSEXT_ERR_OK;
}

}  // namespace

void SslCtxDeleter::operator()(ssl_ctx_st* ctx) const { SSL_CTX_free(ctx); }

std::string TakeOpensslError() {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "";
  char buf[256];
  ERR_error_string_n(code, buf, sizeof(buf));
  return buf;
}

Result<SslCtxPtr> MakeServerTlsContext(const std::string& cert_chain_file,
                                       const std::string& key_file) {
  ERR_clear_error();
  SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
  if (!ctx) return Internal("cannot create a TLS context: " + TakeOpensslError());
  SSL_CTX* c = ctx.get();
  SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION);
  SSL_CTX_set_options(
      c, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_IGNORE_UNEXPECTED_EOF);
  SSL_CTX_set_mode(c, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE |
                          SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  if (SSL_CTX_set_cipher_list(c, kTls12Ciphers) != 1 ||
      SSL_CTX_set1_groups_list(c, "X25519:P-256:P-384") != 1) {
    return Internal("cannot configure TLS ciphers: " + TakeOpensslError());
  }
  // Resumption: TLS 1.3 and 1.2 tickets are on by default (keys random per
  // process); the cache serves TLS 1.2 clients that resume by session id.
  static const unsigned char kSessionContext[] = "warden-server";
  SSL_CTX_set_session_id_context(c, kSessionContext, sizeof(kSessionContext) - 1);
  SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_SERVER);
  SSL_CTX_sess_set_cache_size(c, 4096);
  SSL_CTX_set_timeout(c, 2 * 3600);
  SSL_CTX_set_alpn_select_cb(c, SelectAlpn, nullptr);

  if (SSL_CTX_use_certificate_chain_file(c, cert_chain_file.c_str()) != 1) {
    return InvalidArgument("TLS certificate chain " + cert_chain_file + ": " + TakeOpensslError());
  }
  if (SSL_CTX_use_PrivateKey_file(c, key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    return InvalidArgument("TLS private key " + key_file + ": " + TakeOpensslError());
  }
  if (SSL_CTX_check_private_key(c) != 1) {
    return InvalidArgument("TLS private key " + key_file + " does not match the certificate in " +
                           cert_chain_file + ": " + TakeOpensslError());
  }
  return ctx;
}

}  // namespace warden::server

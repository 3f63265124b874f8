#include "auth/secret_token.h"

#include <sodium.h>

#include "auth/sodium_init.h"
#include "core/encoding.h"

namespace warden::auth {
namespace {

constexpr size_t kRandomBytes = 32;
// sodium_base64_ENCODED_LEN(32, URLSAFE_NO_PADDING) without the final NUL.
constexpr size_t kEncodedLength = 43;

bool IsBase64UrlChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

std::string RandomBase64Url() {
  EnsureSodiumInitialised();
  unsigned char bytes[kRandomBytes];
  randombytes_buf(bytes, sizeof bytes);
  char text[kEncodedLength + 1];
  sodium_bin2base64(text, sizeof text, bytes, sizeof bytes,
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero(bytes, sizeof bytes);
  return std::string(text, kEncodedLength);
}

}  // namespace

std::string_view TokenPrefix(TokenKind kind) {
  switch (kind) {
    case TokenKind::kEnrolSecret:
      return "wdn_enr_";
    case TokenKind::kNodeKey:
      return "wdn_node_";
    case TokenKind::kApiToken:
      return "wdn_pat_";
  }
  return "";
}

std::string GenerateToken(TokenKind kind) {
  return std::string(TokenPrefix(kind)) + RandomBase64Url();
}

std::string GenerateOpaqueId() { return RandomBase64Url(); }

std::optional<TokenKind> ParseTokenKind(std::string_view token) {
  for (TokenKind kind : {TokenKind::kEnrolSecret, TokenKind::kNodeKey, TokenKind::kApiToken}) {
    std::string_view prefix = TokenPrefix(kind);
    if (token.size() != prefix.size() + kEncodedLength || token.substr(0, prefix.size()) != prefix)
      continue;
    for (char c : token.substr(prefix.size())) {
      if (!IsBase64UrlChar(c)) return std::nullopt;
    }
    return kind;
  }
  return std::nullopt;
}

std::string TokenHash(std::string_view token) {
  EnsureSodiumInitialised();
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(token.data()), token.size());
  return HexEncode(digest, sizeof digest);
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace warden::auth

// Secret tokens the server hands out and later recognises: enrol secrets
// (`wdn_enr_`), agents' node keys (`wdn_node_`) and API tokens (`wdn_pat_`),
// each a type prefix followed by 32 random bytes from libsodium's
// randombytes in unpadded base64url (43 characters). The prefix lets secret
// scanners find a leaked token and lets the server tell a node key from an
// API token before any lookup. The server stores only TokenHash (SHA-256,
// lowercase hex) of a token: a 256-bit random secret needs no slow key
// derivation, and lookup by hash is one index hit with no secret compared
// byte by byte. Console session ids and CSRF tokens are the same 32 random
// bytes without a prefix (GenerateOpaqueId). Thread-safe.
// Not here: where tokens are stored, their expiry or revocation (src/store),
// or reading them from requests (src/server).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace warden::auth {

enum class TokenKind { kEnrolSecret, kNodeKey, kApiToken };

// "wdn_enr_", "wdn_node_", "wdn_pat_".
std::string_view TokenPrefix(TokenKind kind);
// Prefix + 43 base64url characters (32 random bytes).
std::string GenerateToken(TokenKind kind);
// 43 base64url characters (32 random bytes): session ids, CSRF tokens.
std::string GenerateOpaqueId();
// The kind of a well-formed token (known prefix, then exactly 43 base64url
// characters); nullopt for anything else, so malformed input never reaches a
// lookup.
std::optional<TokenKind> ParseTokenKind(std::string_view token);
// SHA-256 of the whole token text as 64 lowercase hex digits: what the store
// keeps and looks tokens up by.
std::string TokenHash(std::string_view token);
// Compares in time that depends only on the lengths, never on where the
// first difference is (libsodium's sodium_memcmp).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace warden::auth

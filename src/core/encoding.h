// Byte encodings every module needs: lowercase hex, base64, and a digest
// rendered as hex. One implementation each, on OpenSSL where it has one.
// Not here: hashing of streams (file_digest reads files in chunks) or any
// other text escaping.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

struct evp_md_st;  // OpenSSL's EVP_MD

namespace warden {

// Lowercase hex, two digits per byte.
std::string HexEncode(const unsigned char* data, size_t size);
std::string HexEncode(std::string_view bytes);

// Hex of the digest `md` (EVP_sha256(), EVP_md5(), ...) of `data`; "" when
// OpenSSL refuses.
std::string DigestHex(const evp_md_st* md, std::string_view data);
std::string Sha256Hex(std::string_view data);

// Standard base64 with padding.
std::string Base64Encode(std::string_view bytes);
// Standard base64; whitespace anywhere (line-wrapped PEM bodies, CSV cells)
// is skipped and the trailing '=' padding may be missing. nullopt when any
// other character is not of the alphabet or the length is impossible.
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace warden

// The non-regex string predicates rules use: ASCII case-insensitive compare
// and search, Sigma-style wildcard globs, and CIDR membership for IPv4 and
// IPv6. All of them work on views and never allocate while matching.
// Case folding is ASCII only: CloudTrail names, ARNs and services are ASCII,
// and a full Unicode fold per event would cost more than it buys.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/strings.h"

namespace warden {

// Unaligned fixed-size loads (memcpy of a constant size compiles to one
// move; a variable-size memcpy into a word is a call and a store-forwarding
// stall, which on per-event paths was measurable).
inline uint64_t Load64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
inline uint32_t Load32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

// The first min(8, n) bytes of `p` as a zero-padded word (byte i in bits
// 8i..8i+7 on little-endian machines), with fixed-size loads and no read past
// p[n-1]: a cheap key for comparing and hashing short strings.
inline uint64_t PrefixWord(const char* p, size_t n) {
  if (n >= 8) return Load64(p);
  if (n >= 4) return Load32(p) | uint64_t{Load32(p + n - 4)} << (8 * (n - 4));  // overlap agrees
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v |= uint64_t{static_cast<uint8_t>(p[i])} << (8 * i);
  return v;
}

// Byte equality of two equally long buffers, inlined for the short keys and
// values of CloudTrail (a library memcmp call costs more than the compare).
// Fixed-size, overlapping loads: no byte loop for the tail.
inline bool SameBytes(const char* a, const char* b, size_t n) {
  if (n >= 8) {
    for (size_t i = 0; i + 8 < n; i += 8)
      if (Load64(a + i) != Load64(b + i)) return false;
    return Load64(a + n - 8) == Load64(b + n - 8);
  }
  if (n >= 4) return Load32(a) == Load32(b) && Load32(a + n - 4) == Load32(b + n - 4);
  for (size_t i = 0; i < n; ++i)
    if (a[i] != b[i]) return false;
  return true;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b);
bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix);
bool EndsWithIgnoreCase(std::string_view s, std::string_view suffix);
bool ContainsIgnoreCase(std::string_view haystack, std::string_view needle);
bool Contains(std::string_view haystack, std::string_view needle);

// A wildcard pattern: `*` matches any run of characters, `?` exactly one.
// Sigma escaping: `\*` and `\?` are literal, `\\` is one backslash, any other
// backslash is literal. Matching is the whole value (anchored both ends).
class GlobPattern {
 public:
  static GlobPattern Parse(std::string_view sigma_text, bool ignore_case);
  // A pattern from literal text with no wildcard processing.
  static GlobPattern Literal(std::string_view text, bool ignore_case);
  bool Matches(std::string_view value) const;
  bool has_wildcards() const { return has_wildcards_; }

  // Pieces of the pattern, for callers that want the fast paths below.
  enum class Shape { kExact, kPrefix, kSuffix, kContains, kGeneral };
  Shape shape() const { return shape_; }
  // The literal of the fast shapes (text between the wildcards).
  const std::string& core() const { return core_; }
  // Wraps the pattern with leading/trailing `*` (Sigma contains/startswith/endswith).
  GlobPattern WithLeadingStar() const;
  GlobPattern WithTrailingStar() const;

 private:
  void Classify();
  // Tokens: literal runs and wildcards; kStar/kAny are sentinels in `kinds_`.
  enum class Token : uint8_t { kLiteral, kStar, kAny };
  std::vector<Token> kinds_;
  std::vector<std::string> literals_;  // one per kLiteral token, in order
  bool ignore_case_ = false;
  bool has_wildcards_ = false;
  Shape shape_ = Shape::kExact;
  std::string core_;
};

// An IPv4 or IPv6 network in CIDR notation ("10.0.0.0/8", "::/0"); a bare
// address is a /32 or /128.
class CidrRange {
 public:
  static Result<CidrRange> Parse(std::string_view text);
  // False for anything that is not an IP address ("AWS Internal", hostnames).
  bool Contains(std::string_view address) const;

 private:
  std::array<uint8_t, 16> network_{};
  int prefix_bits_ = 0;
  bool v6_ = false;
};

// Parses an IPv4 or IPv6 address; returns false when text is not one.
bool ParseIpAddress(std::string_view text, std::array<uint8_t, 16>* bytes, bool* v6);

}  // namespace warden

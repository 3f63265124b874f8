#include "rules/string_match.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

#include "core/strings.h"

namespace warden {

namespace {

inline char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

bool EqualAt(std::string_view s, size_t pos, std::string_view lit, bool ignore_case) {
  if (pos + lit.size() > s.size()) return false;
  if (!ignore_case) return std::memcmp(s.data() + pos, lit.data(), lit.size()) == 0;
  for (size_t i = 0; i < lit.size(); ++i)
    if (Lower(s[pos + i]) != Lower(lit[i])) return false;
  return true;
}

size_t Find(std::string_view s, size_t from, std::string_view lit, bool ignore_case) {
  if (from > s.size()) return std::string_view::npos;
  if (!ignore_case) return s.find(lit, from);
  if (lit.empty()) return from;
  if (lit.size() > s.size()) return std::string_view::npos;
  // Candidates start with either case of the first letter: find them with
  // memchr (vectorised) instead of comparing at every offset. The next
  // position of each case is kept, so each is scanned for once per
  // occurrence (re-scanning both after every candidate is quadratic on long
  // texts such as a request's JSON).
  const char lower = Lower(lit[0]);
  const char upper = (lower >= 'a' && lower <= 'z') ? static_cast<char>(lower - 32) : lower;
  const char* const begin = s.data();
  const char* const end = begin + (s.size() - lit.size()) + 1;  // candidates start before it
  auto next = [end](const char* at, char c) -> const char* {
    if (at >= end) return nullptr;
    return static_cast<const char*>(std::memchr(at, c, static_cast<size_t>(end - at)));
  };
  const char* a = next(begin + from, lower);
  const char* b = upper == lower ? nullptr : next(begin + from, upper);
  while (a != nullptr || b != nullptr) {
    const bool take_a = b == nullptr || (a != nullptr && a < b);
    const char* p = take_a ? a : b;
    const size_t pos = static_cast<size_t>(p - begin);
    if (EqualAt(s, pos, lit, true)) return pos;
    if (take_a)
      a = next(p + 1, lower);
    else
      b = next(p + 1, upper);
  }
  return std::string_view::npos;
}

}  // namespace

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && EqualAt(a, 0, b, true);
}
bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  return EqualAt(s, 0, prefix, true);
}
bool EndsWithIgnoreCase(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && EqualAt(s, s.size() - suffix.size(), suffix, true);
}
bool ContainsIgnoreCase(std::string_view haystack, std::string_view needle) {
  return Find(haystack, 0, needle, true) != std::string_view::npos;
}
bool Contains(std::string_view haystack, std::string_view needle) {
  if (needle.empty()) return true;
  if (needle.size() > haystack.size()) return false;
  return memmem(haystack.data(), haystack.size(), needle.data(), needle.size()) != nullptr;
}
GlobPattern GlobPattern::Parse(std::string_view text, bool ignore_case) {
  GlobPattern g;
  g.ignore_case_ = ignore_case;
  std::string lit;
  auto flush = [&] {
    if (!lit.empty()) {
      g.kinds_.push_back(Token::kLiteral);
      g.literals_.push_back(std::move(lit));
      lit.clear();
    }
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\\' && i + 1 < text.size() &&
        (text[i + 1] == '*' || text[i + 1] == '?' || text[i + 1] == '\\')) {
      lit += text[++i];
    } else if (c == '*') {
      flush();
      // Consecutive stars are one star.
      if (g.kinds_.empty() || g.kinds_.back() != Token::kStar) g.kinds_.push_back(Token::kStar);
      g.has_wildcards_ = true;
    } else if (c == '?') {
      flush();
      g.kinds_.push_back(Token::kAny);
      g.has_wildcards_ = true;
    } else {
      lit += c;
    }
  }
  flush();
  g.Classify();
  return g;
}

GlobPattern GlobPattern::Literal(std::string_view text, bool ignore_case) {
  GlobPattern g;
  g.ignore_case_ = ignore_case;
  if (!text.empty()) {
    g.kinds_.push_back(Token::kLiteral);
    g.literals_.emplace_back(text);
  }
  g.Classify();
  return g;
}

GlobPattern GlobPattern::WithLeadingStar() const {
  GlobPattern g = *this;
  if (g.kinds_.empty() || g.kinds_.front() != Token::kStar)
    g.kinds_.insert(g.kinds_.begin(), Token::kStar);
  g.has_wildcards_ = true;
  g.Classify();
  return g;
}

GlobPattern GlobPattern::WithTrailingStar() const {
  GlobPattern g = *this;
  if (g.kinds_.empty() || g.kinds_.back() != Token::kStar) g.kinds_.push_back(Token::kStar);
  g.has_wildcards_ = true;
  g.Classify();
  return g;
}

void GlobPattern::Classify() {
  // Fast shapes: at most one literal, optionally surrounded by stars.
  size_t literal_count = 0, any_count = 0;
  for (Token t : kinds_) {
    if (t == Token::kLiteral) ++literal_count;
    if (t == Token::kAny) ++any_count;
  }
  core_ = literals_.empty() ? std::string() : literals_.front();
  shape_ = Shape::kGeneral;
  if (any_count != 0 || literal_count > 1) return;
  bool lead = !kinds_.empty() && kinds_.front() == Token::kStar;
  bool trail = !kinds_.empty() && kinds_.back() == Token::kStar;
  if (literal_count == 0) {
    // "" is exact-empty; "*" matches everything (contains "").
    shape_ = kinds_.empty() ? Shape::kExact : Shape::kContains;
    return;
  }
  if (lead && trail)
    shape_ = Shape::kContains;
  else if (lead)
    shape_ = Shape::kSuffix;
  else if (trail)
    shape_ = Shape::kPrefix;
  else
    shape_ = Shape::kExact;
}

bool GlobPattern::Matches(std::string_view s) const {
  switch (shape_) {
    case Shape::kExact:
      return s.size() == core_.size() && EqualAt(s, 0, core_, ignore_case_);
    case Shape::kPrefix:
      return EqualAt(s, 0, core_, ignore_case_);
    case Shape::kSuffix:
      return s.size() >= core_.size() && EqualAt(s, s.size() - core_.size(), core_, ignore_case_);
    case Shape::kContains:
      return ignore_case_ ? ContainsIgnoreCase(s, core_) : Contains(s, core_);
    case Shape::kGeneral:
      break;
  }
  // General glob: greedy with single-star backtracking, O(n*m) worst case and
  // no recursion, so no input can blow the stack.
  size_t ti = 0, si = 0, lit = 0;
  size_t star_ti = SIZE_MAX, star_si = 0, star_lit = 0;
  while (true) {
    if (ti < kinds_.size()) {
      Token t = kinds_[ti];
      if (t == Token::kStar) {
        star_ti = ti++;
        star_si = si;
        star_lit = lit;
        continue;
      }
      if (t == Token::kAny && si < s.size()) {
        ++ti;
        ++si;
        continue;
      }
      if (t == Token::kLiteral && EqualAt(s, si, literals_[lit], ignore_case_)) {
        si += literals_[lit].size();
        ++lit;
        ++ti;
        continue;
      }
    } else if (si == s.size()) {
      return true;
    }
    if (star_ti == SIZE_MAX || star_si >= s.size()) return false;
    // Let the last star swallow one more character and retry from there.
    ti = star_ti + 1;
    si = ++star_si;
    lit = star_lit;
  }
}

bool ParseIpAddress(std::string_view text, std::array<uint8_t, 16>* bytes, bool* v6) {
  char buf[64];
  if (text.empty() || text.size() >= sizeof buf) return false;
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  bytes->fill(0);
  if (inet_pton(AF_INET, buf, bytes->data()) == 1) {
    *v6 = false;
    return true;
  }
  if (inet_pton(AF_INET6, buf, bytes->data()) == 1) {
    *v6 = true;
    return true;
  }
  return false;
}

Result<CidrRange> CidrRange::Parse(std::string_view text) {
  text = TrimWhitespace(text);
  std::string_view addr = text;
  int64_t bits = -1;
  if (size_t slash = text.find('/'); slash != std::string_view::npos) {
    addr = text.substr(0, slash);
    if (!ParseInt64(text.substr(slash + 1), &bits)) {
      return InvalidArgument("invalid CIDR '" + std::string(text) + "': bad prefix length");
    }
  }
  CidrRange r;
  if (!ParseIpAddress(addr, &r.network_, &r.v6_)) {
    return InvalidArgument("invalid CIDR '" + std::string(text) + "': not an IP address");
  }
  int max_bits = r.v6_ ? 128 : 32;
  if (bits < 0) bits = max_bits;
  if (bits > max_bits) {
    return InvalidArgument("invalid CIDR '" + std::string(text) + "': prefix longer than " +
                           std::to_string(max_bits) + " bits");
  }
  r.prefix_bits_ = static_cast<int>(bits);
  return r;
}

bool CidrRange::Contains(std::string_view address) const {
  std::array<uint8_t, 16> ip;
  bool v6 = false;
  if (!ParseIpAddress(address, &ip, &v6) || v6 != v6_) return false;
  int full = prefix_bits_ / 8, rest = prefix_bits_ % 8;
  if (std::memcmp(ip.data(), network_.data(), static_cast<size_t>(full)) != 0) return false;
  if (rest == 0) return true;
  auto mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (ip[static_cast<size_t>(full)] & mask) == (network_[static_cast<size_t>(full)] & mask);
}

}  // namespace warden

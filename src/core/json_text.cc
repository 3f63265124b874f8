#include "core/json_text.h"

#include <charconv>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace warden {

namespace {

// Length of the strictly valid UTF-8 sequence at s[i] (no overlongs, no
// surrogates, nothing above U+10FFFF), or 0.
size_t Utf8Length(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const unsigned char c = b(0);
  const size_t left = s.size() - i;
  auto cont = [&](size_t k) { return k < left && (b(k) & 0xc0) == 0x80; };
  if (c < 0x80) return 1;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef) {
    if (!cont(1) || !cont(2)) return 0;
    if (c == 0xe0 && b(1) < 0xa0) return 0;   // overlong
    if (c == 0xed && b(1) >= 0xa0) return 0;  // surrogates
    return 3;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    if (c == 0xf0 && b(1) < 0x90) return 0;   // overlong
    if (c == 0xf4 && b(1) >= 0x90) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

const char* ShortEscape(unsigned char c) {
  switch (c) {
    case '"':
      return "\\\"";
    case '\\':
      return "\\\\";
    case '\b':
      return "\\b";
    case '\f':
      return "\\f";
    case '\n':
      return "\\n";
    case '\r':
      return "\\r";
    case '\t':
      return "\\t";
    default:
      return nullptr;
  }
}

// Bytes a JSON string cannot hold as they are, or that need a closer look:
// the quote, the backslash, control characters and non-ASCII.
struct SpecialBytes {
  bool table[256] = {};
  constexpr SpecialBytes() {
    for (int c = 0; c < 0x20; ++c) table[c] = true;
    for (int c = 0x80; c < 0x100; ++c) table[c] = true;
    table[static_cast<int>('"')] = true;
    table[static_cast<int>('\\')] = true;
  }
};
constexpr SpecialBytes kSpecial;

// The end of the run of plain bytes (no special byte) that starts at `p`,
// sixteen bytes at a time with SSE2 where the machine has it: a byte is
// special when, read as signed, it is below 0x20 (control characters and
// everything from 0x80 up), or when it is a quote or a backslash.
size_t SkipPlain(std::string_view s, size_t p) {
#if defined(__SSE2__)
  const __m128i space = _mm_set1_epi8(0x20);
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  while (p + 16 <= s.size()) {
    const __m128i w = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + p));
    const __m128i special =
        _mm_or_si128(_mm_cmplt_epi8(w, space),
                     _mm_or_si128(_mm_cmpeq_epi8(w, quote), _mm_cmpeq_epi8(w, backslash)));
    const unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(special));
    if (mask != 0) return p + static_cast<size_t>(__builtin_ctz(mask));
    p += 16;
  }
#endif
  while (p < s.size() && !kSpecial.table[static_cast<unsigned char>(s[p])]) ++p;
  return p;
}

}  // namespace

void AppendJsonText(std::string_view s, std::string* out) {
  out->push_back('"');
  size_t plain = 0;  // start of the run of bytes copied as they are
  for (size_t i = 0; i < s.size();) {
    i = SkipPlain(s, i);
    if (i >= s.size()) break;
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      const size_t len = Utf8Length(s, i);
      if (len == 0) {
        // Invalid UTF-8: nlohmann's own replacement, for identical output.
        out->resize(out->size() - 1);
        out->append(nlohmann::json(std::string(s))
                        .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
        return;
      }
      i += len;
      continue;
    }
    if (c >= 0x20 && c != '"' && c != '\\') {
      ++i;
      continue;
    }
    out->append(s.data() + plain, i - plain);
    if (const char* e = ShortEscape(c)) {
      out->append(e);
    } else {
      static const char kHex[] = "0123456789abcdef";
      const char u[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
      out->append(u, sizeof u);
    }
    plain = ++i;
  }
  out->append(s.data() + plain, s.size() - plain);
  out->push_back('"');
}

bool IsCanonicalJson(std::string_view s, int max_depth) {
  // A value grammar walked with an explicit stack: no recursion, so any
  // nesting is safe to check.
  enum class Expect { kValue, kValueOrClose, kKey, kKeyOrClose, kColon, kCommaOrClose };
  std::string stack;  // '{' or '['
  Expect expect = Expect::kValue;
  size_t i = 0;
  const size_t n = s.size();
  auto string_at = [&](size_t& p) -> bool {  // p at the opening quote
    ++p;
    while (p < n) {
      p = SkipPlain(s, p);
      if (p >= n) return false;
      const auto c = static_cast<unsigned char>(s[p]);
      if (c == '"') {
        ++p;
        return true;
      }
      if (c < 0x20) return false;
      if (c == '\\') {
        if (p + 1 >= n) return false;
        const char e = s[p + 1];
        if (e == '"' || e == '\\' || e == 'b' || e == 'f' || e == 'n' || e == 'r' || e == 't') {
          p += 2;
          continue;
        }
        // Only \u00xx for control characters without a short form, in lower case.
        if (e != 'u' || p + 5 >= n || s[p + 2] != '0' || s[p + 3] != '0') return false;
        const char h = s[p + 4], l = s[p + 5];
        if (h != '0' && h != '1') return false;
        const bool lower_hex = (l >= '0' && l <= '9') || (l >= 'a' && l <= 'f');
        if (!lower_hex) return false;
        const int code = (h - '0') * 16 + (l <= '9' ? l - '0' : l - 'a' + 10);
        if (ShortEscape(static_cast<unsigned char>(code)) != nullptr) return false;
        p += 6;
        continue;
      }
      if (c >= 0x80) {
        const size_t len = Utf8Length(s, p);
        if (len == 0) return false;
        p += len;
        continue;
      }
      ++p;
    }
    return false;
  };
  auto after_value = [&]() { expect = stack.empty() ? Expect::kKey : Expect::kCommaOrClose; };
  bool done = false;
  while (i < n) {
    if (done) return false;  // text after the top-level value
    const char c = s[i];
    switch (expect) {
      case Expect::kKey:
      case Expect::kKeyOrClose:
        if (stack.empty()) return false;
        if (c == '}' && expect == Expect::kKeyOrClose) {
          stack.pop_back();
          ++i;
          after_value();
          if (stack.empty()) done = true;
          continue;
        }
        if (c != '"' || !string_at(i)) return false;
        expect = Expect::kColon;
        continue;
      case Expect::kColon:
        if (c != ':') return false;
        ++i;
        expect = Expect::kValue;
        continue;
      case Expect::kCommaOrClose:
        if (c == ',') {
          ++i;
          expect = stack.back() == '{' ? Expect::kKey : Expect::kValue;
          continue;
        }
        if ((c == '}' && stack.back() == '{') || (c == ']' && stack.back() == '[')) {
          stack.pop_back();
          ++i;
          after_value();
          if (stack.empty()) done = true;
          continue;
        }
        return false;
      case Expect::kValue:
      case Expect::kValueOrClose:
        if (c == ']' && expect == Expect::kValueOrClose) {
          stack.pop_back();
          ++i;
          after_value();
          if (stack.empty()) done = true;
          continue;
        }
        if (c == '{' || c == '[') {
          if (static_cast<int>(stack.size()) >= max_depth) return false;
          stack.push_back(c);
          ++i;
          expect = c == '{' ? Expect::kKeyOrClose : Expect::kValueOrClose;
          continue;
        }
        if (c == '"') {
          if (!string_at(i)) return false;
        } else if (c == 't' && s.substr(i, 4) == "true") {
          i += 4;
        } else if (c == 'f' && s.substr(i, 5) == "false") {
          i += 5;
        } else if (c == 'n' && s.substr(i, 4) == "null") {
          i += 4;
        } else if (c == '-' || (c >= '0' && c <= '9')) {
          // Integers that fit int64 print back as they are; "-0", leading
          // zeros, fractions and exponents do not.
          size_t start = i;
          if (s[i] == '-') ++i;
          const size_t digits = i;
          while (i < n && s[i] >= '0' && s[i] <= '9') ++i;
          const size_t count = i - digits;
          if (count == 0 || count > 18) return false;
          if (s[digits] == '0' && (count > 1 || digits != start)) return false;
          if (i < n && (s[i] == '.' || s[i] == 'e' || s[i] == 'E')) return false;
        } else {
          return false;
        }
        if (stack.empty()) {
          done = true;
          continue;
        }
        expect = Expect::kCommaOrClose;
        continue;
    }
  }
  return done;
}

void AppendJsonDocument(const nlohmann::ordered_json& v, std::string* out) {
  using Type = nlohmann::ordered_json::value_t;
  char digits[24];
  switch (v.type()) {
    case Type::null:
      out->append("null");
      return;
    case Type::boolean:
      out->append(v.get<bool>() ? "true" : "false");
      return;
    case Type::number_integer: {
      auto r = std::to_chars(digits, digits + sizeof digits, v.get<int64_t>());
      out->append(digits, r.ptr);
      return;
    }
    case Type::number_unsigned: {
      auto r = std::to_chars(digits, digits + sizeof digits, v.get<uint64_t>());
      out->append(digits, r.ptr);
      return;
    }
    case Type::string:
      AppendJsonText(v.get_ref<const std::string&>(), out);
      return;
    case Type::array: {
      out->push_back('[');
      bool first = true;
      for (const auto& item : v) {
        if (!first) out->push_back(',');
        first = false;
        AppendJsonDocument(item, out);
      }
      out->push_back(']');
      return;
    }
    case Type::object: {
      out->push_back('{');
      bool first = true;
      for (const auto& [key, item] : v.items()) {
        if (!first) out->push_back(',');
        first = false;
        AppendJsonText(key, out);
        out->push_back(':');
        AppendJsonDocument(item, out);
      }
      out->push_back('}');
      return;
    }
    default:  // floating point, binary, discarded
      out->append(v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
      return;
  }
}

}  // namespace warden

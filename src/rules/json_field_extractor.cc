#include "rules/json_field_extractor.h"

#include <simdjson.h>

#include <bit>
#include <cstring>
#include <deque>
#include <string>
#include <vector>

#include "core/strings.h"
#include "rules/string_match.h"

namespace warden {

namespace od = simdjson::ondemand;

static_assert(kJsonPadding == simdjson::SIMDJSON_PADDING);

namespace {

// Nested arrays on one path deeper than this are not descended (a JSON value
// like [[[[...]]]] cannot drive the recursion).
constexpr int kMaxArrayNesting = 16;

// Binds `var` to the value of a simdjson_result in place, returning its
// error. simdjson's get(out) copies the value out through memory; on every
// member of every event that copy stalled on store forwarding (measured: a
// fifth of the walk).
#define WD_TAKE(var, expr)                               \
  auto var##_result = (expr);                            \
  if (var##_result.error()) return var##_result.error(); \
  auto& var = var##_result.value_unsafe()

struct TrieNode {
  FieldId field = kNoField;
  // Children of the root only: read by the lazy pass (Mode::kLazy) unless
  // met before the eager walk stopped.
  bool lazy = false;
  // Children by key. A key's length and first eight bytes (zero-padded) are
  // compared before the rest of its bytes. Nodes with few children are
  // scanned in order; larger ones through `table`, an open-addressing table
  // indexed by a hash of the same (length, head).
  struct Child {
    std::string key;
    uint64_t head = 0;  // PrefixWord(key)
    uint32_t node = 0;
  };
  std::vector<Child> children;
  std::vector<int32_t> table;
  uint32_t mask = 0;
};

constexpr size_t kMaxScannedChildren = 6;

inline uint32_t KeyHash(uint64_t head, size_t size) {
  uint64_t h = (head ^ (size * 0x9E3779B97F4A7C15ull)) * 0xbf58476d1ce4e5b9ull;
  return static_cast<uint32_t>(h >> 32);
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

bool Hex4(const char* p, const char* end, uint32_t* value) {
  if (end - p < 4) return false;
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) {
    const char c = p[i];
    v <<= 4;
    if (c >= '0' && c <= '9')
      v |= static_cast<uint32_t>(c - '0');
    else if (c >= 'a' && c <= 'f')
      v |= static_cast<uint32_t>(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F')
      v |= static_cast<uint32_t>(c - 'A' + 10);
    else
      return false;
  }
  *value = v;
  return true;
}

// Unescapes the JSON string that starts at `p` (just past its opening quote)
// like simdjson, except that a lone UTF-16 surrogate escape (\ud800 with no
// low surrogate after it, or a low one alone) becomes U+FFFD instead of an
// error: simdjson 3.0 rejects the whole record then, and CloudTrail copies
// such escapes from request parameters. Any other bad escape, or no closing
// quote before `end`, is still an error (false).
bool UnescapeReplacingLoneSurrogates(const char* p, const char* end, std::string* out) {
  while (p < end) {
    const char c = *p;
    if (c == '"') return true;
    if (c != '\\') {
      out->push_back(c);
      ++p;
      continue;
    }
    if (end - p < 2) return false;
    const char e = p[1];
    p += 2;
    switch (e) {
      case '"':
      case '\\':
      case '/':
        out->push_back(e);
        break;
      case 'b':
        out->push_back('\b');
        break;
      case 'f':
        out->push_back('\f');
        break;
      case 'n':
        out->push_back('\n');
        break;
      case 'r':
        out->push_back('\r');
        break;
      case 't':
        out->push_back('\t');
        break;
      case 'u': {
        uint32_t cp = 0;
        if (!Hex4(p, end, &cp)) return false;
        p += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          uint32_t low = 0;
          if (end - p >= 6 && p[0] == '\\' && p[1] == 'u' && Hex4(p + 2, end, &low) &&
              low >= 0xDC00 && low <= 0xDFFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            p += 6;
          } else {
            cp = 0xFFFD;
          }
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
          cp = 0xFFFD;
        }
        AppendUtf8(cp, out);
        break;
      }
      default:
        return false;
    }
  }
  return false;
}

}  // namespace

struct JsonFieldExtractor::Impl {
  od::parser parser;
  od::document doc;
  std::vector<uint8_t> lazy_field;  // by field id
  bool has_lazy = false;
  std::vector<TrieNode> nodes;           // nodes[0]: the root (eager and lazy top-level keys)
  size_t eager_keys = 0, lazy_keys = 0;  // root children of each kind
  size_t field_count = 0;
  EventFields* out = nullptr;
  // The top-level walk of the current event. The lazy pass continues it
  // where the eager walk stopped (same document, no second stage 1), so it
  // stays valid until the next Extract. `top_started`: `top` points at the
  // member the eager walk stopped on (the lazy pass steps past it first).
  od::object_iterator top, top_end;
  bool top_started = false;
  size_t lazy_remaining = 0;  // lazy top-level keys not met yet
  // Strings simdjson refused for a lone surrogate escape, unescaped here
  // (rare; a deque keeps earlier views valid) until the next Extract.
  std::deque<std::string> replaced;
  const char* record_end = nullptr;

  simdjson::error_code Replaced(const char* p, const char* end, std::string_view* s) {
    std::string text;
    if (!UnescapeReplacingLoneSurrogates(p, end, &text)) return simdjson::STRING_ERROR;
    replaced.push_back(std::move(text));
    *s = replaced.back();
    return simdjson::SUCCESS;
  }

  static int32_t Lookup(const TrieNode& node, std::string_view key) {
    const uint64_t head = PrefixWord(key.data(), key.size());
    auto same = [&](const TrieNode::Child& c) {
      return c.head == head && c.key.size() == key.size() &&
             (key.size() <= 8 || SameBytes(c.key.data() + 8, key.data() + 8, key.size() - 8));
    };
    if (node.table.empty()) {
      for (const TrieNode::Child& c : node.children)
        if (same(c)) return static_cast<int32_t>(c.node);
      return -1;
    }
    for (uint32_t i = KeyHash(head, key.size()) & node.mask;; i = (i + 1) & node.mask) {
      int32_t slot = node.table[i];
      if (slot < 0) return -1;
      const TrieNode::Child& c = node.children[static_cast<size_t>(slot)];
      if (same(c)) return static_cast<int32_t>(c.node);
    }
  }

  // The first '"' or '\\' from `p`, eight bytes at a time (keys are short;
  // the padded input makes reading past the closing quote safe).
  static const char* FindQuoteOrBackslash(const char* p) {
    if constexpr (std::endian::native == std::endian::little) {
      constexpr uint64_t kOnes = 0x0101010101010101ull, kHigh = 0x8080808080808080ull;
      while (true) {
        const uint64_t w = Load64(p);
        uint64_t q = w ^ (kOnes * '"'), b = w ^ (kOnes * '\\');
        // Lowest set high bit = first zero byte of q or b (exact for the
        // lowest one, which is all that is used).
        uint64_t hit = ((q - kOnes) & ~q & kHigh) | ((b - kOnes) & ~b & kHigh);
        if (hit != 0) return p + (std::countr_zero(hit) >> 3);
        p += 8;
      }
    }
    while (*p != '"' && *p != '\\') ++p;
    return p;
  }

  // The key of a field without unescaping when it has no escapes (the common
  // case); falls back to unescaped_key() otherwise.
  simdjson::error_code KeyOf(od::field& f, std::string_view* key) {
    const char* raw = f.key().raw();
    const char* p = FindQuoteOrBackslash(raw);
    if (*p == '"') {
      *key = std::string_view(raw, static_cast<size_t>(p - raw));
      return simdjson::SUCCESS;
    }
    simdjson::error_code e = f.unescaped_key().get(*key);
    if (e == simdjson::STRING_ERROR) return Replaced(raw, record_end, key);
    return e;
  }

  // Strings are unescaped by simdjson into the parser's string buffer (its
  // SIMD copy measured as fast as finding the closing quote and checking for
  // backslashes to point into the record instead). The buffer is only reset
  // by the next Extract: the lazy pass continues the same iteration, so the
  // eager fields' views stay valid.
  // `token` is v.raw_json_token(), taken before: the fallback for a lone
  // surrogate unescapes it again.
  simdjson::error_code StringOf(od::value& v, std::string_view token, std::string_view* s) {
    auto text = v.get_string();
    if (text.error() == simdjson::SUCCESS) {
      *s = text.value_unsafe();
      return simdjson::SUCCESS;
    }
    if (text.error() != simdjson::STRING_ERROR || token.empty() || token[0] != '"')
      return text.error();
    return Replaced(token.data() + 1, token.data() + token.size(), s);
  }

  simdjson::error_code RecordScalar(od::value& v, std::string_view token, FieldId field) {
    switch (token.empty() ? '\0' : token[0]) {
      case '"': {
        std::string_view s;
        SIMDJSON_TRY(StringOf(v, token, &s));
        out->Add(field, s, ValueKind::kString);
        return simdjson::SUCCESS;
      }
      case 't':
      case 'f': {
        bool b = false;
        SIMDJSON_TRY(v.get_bool().get(b));  // validates true/false
        out->Add(field, b ? std::string_view("true") : std::string_view("false"), ValueKind::kBool);
        return simdjson::SUCCESS;
      }
      case 'n': {
        bool is_null = false;
        SIMDJSON_TRY(v.is_null().get(is_null));
        if (!is_null) return simdjson::INCORRECT_TYPE;
        out->Add(field, std::string_view(), ValueKind::kNull);
        return simdjson::SUCCESS;
      }
      default: {
        WD_TAKE(type, v.type());
        if (type != od::json_type::number) return simdjson::INCORRECT_TYPE;
        // Recorded as its text, not converted; the parent's iterator steps
        // over the unread value.
        out->Add(field, TrimWhitespace(token), ValueKind::kNumber);
        return simdjson::SUCCESS;
      }
    }
  }

  // A trie leaf: record the whole value (objects as text, arrays per element).
  simdjson::error_code RecordLeaf(od::value& v, FieldId field, int array_depth) {
    std::string_view token = v.raw_json_token();
    if (!token.empty() && token[0] == '"') {  // most leaves: no type query needed
      std::string_view s;
      SIMDJSON_TRY(StringOf(v, token, &s));
      out->Add(field, s, ValueKind::kString);
      return simdjson::SUCCESS;
    }
    if (!token.empty() && token[0] == '{') {
      WD_TAKE(obj, v.get_object());
      std::string_view raw;
      SIMDJSON_TRY(obj.raw_json().get(raw));
      out->Add(field, TrimWhitespace(raw), ValueKind::kObject);
      return simdjson::SUCCESS;
    }
    if (!token.empty() && token[0] == '[') {
      WD_TAKE(arr, v.get_array());
      if (array_depth >= kMaxArrayNesting) {
        std::string_view raw;
        SIMDJSON_TRY(arr.raw_json().get(raw));
        out->Add(field, TrimWhitespace(raw), ValueKind::kArray);
        return simdjson::SUCCESS;
      }
      for (auto element : arr) {
        WD_TAKE(ev, std::move(element));
        SIMDJSON_TRY(RecordLeaf(ev, field, array_depth + 1));
      }
      return simdjson::SUCCESS;
    }
    return RecordScalar(v, token, field);
  }

  // Visits the keys of `obj` on the trie. Stops as soon as every key the
  // trie wants here was seen: the rest of the object is skipped unread (the
  // caller's iterator jumps over it), which is most of a CloudTrail event.
  simdjson::error_code WalkObject(od::object& obj, const TrieNode& node, bool* stopped_early) {
    size_t remaining = node.children.size();
    for (auto member : obj) {
      WD_TAKE(f, member);  // not copied: see WD_TAKE
      std::string_view key;
      SIMDJSON_TRY(KeyOf(f, &key));
      int32_t child = Lookup(node, key);
      if (child < 0) continue;  // the value is skipped by the iterator
      SIMDJSON_TRY(Walk(f.value(), nodes[static_cast<size_t>(child)], 0));
      if (--remaining == 0) {
        if (stopped_early) *stopped_early = true;
        return simdjson::SUCCESS;
      }
    }
    return simdjson::SUCCESS;
  }

  simdjson::error_code Walk(od::value& v, const TrieNode& node, int array_depth) {
    if (node.children.empty()) return RecordLeaf(v, node.field, array_depth);
    WD_TAKE(type, v.type());
    if (type == od::json_type::object) {
      WD_TAKE(obj, v.get_object());
      if (node.field != kNoField) {
        // Both a field itself and a prefix of others: take the text, rewind.
        std::string_view raw;
        SIMDJSON_TRY(obj.raw_json().get(raw));
        out->Add(node.field, TrimWhitespace(raw), ValueKind::kObject);
        bool nonempty = false;
        SIMDJSON_TRY(obj.reset().get(nonempty));
      }
      return WalkObject(obj, node, nullptr);
    }
    if (type == od::json_type::array) {
      WD_TAKE(arr, v.get_array());
      if (node.field != kNoField) {
        std::string_view raw;
        SIMDJSON_TRY(arr.raw_json().get(raw));
        out->Add(node.field, TrimWhitespace(raw), ValueKind::kArray);
        bool nonempty = false;
        SIMDJSON_TRY(arr.reset().get(nonempty));
      }
      if (array_depth >= kMaxArrayNesting) return simdjson::SUCCESS;
      for (auto element : arr) {
        WD_TAKE(ev, std::move(element));
        SIMDJSON_TRY(Walk(ev, node, array_depth + 1));
      }
      return simdjson::SUCCESS;
    }
    if (node.field != kNoField) return RecordScalar(v, v.raw_json_token(), node.field);
    return simdjson::SUCCESS;
  }

  // The top-level walk, over `top`. The eager phase visits eager keys and,
  // when a lazy key comes first (not CloudTrail's order, but valid JSON),
  // that key too: the lazy phase continues from where the eager one stopped
  // and would never see it again. Stops once every wanted key of the phase
  // was seen, leaving `top` on the last member read (*stopped = true).
  simdjson::error_code WalkTop(bool lazy_phase, bool* stopped) {
    const TrieNode& root = nodes[0];
    size_t eager_remaining = eager_keys;
    // A local copy keeps the iterator in registers; it is stored back when
    // the walk stops early.
    od::object_iterator it = top;
    for (; it != top_end; ++it) {
      WD_TAKE(f, *it);
      std::string_view key;
      SIMDJSON_TRY(KeyOf(f, &key));
      int32_t child = Lookup(root, key);
      if (child < 0) continue;  // the value is skipped by the iterator
      const TrieNode& node = nodes[static_cast<size_t>(child)];
      // Past the eager phase, eager keys are duplicates: ignored, as the
      // first occurrence of a key counts.
      if (lazy_phase && !node.lazy) continue;
      SIMDJSON_TRY(Walk(f.value(), node, 0));
      bool done;
      if (node.lazy) {
        if (lazy_remaining > 0) --lazy_remaining;
        done = lazy_phase && lazy_remaining == 0;
      } else {
        done = --eager_remaining == 0;
      }
      if (done) {
        top = it;
        *stopped = true;
        return simdjson::SUCCESS;
      }
    }
    top = it;
    return simdjson::SUCCESS;
  }
};

namespace {
// CloudTrail writes these keys first in every record, before the large
// request/response objects. With lazy extraction, fields under them are read
// for every event; fields under any other top-level key only when a rule
// asks for them (after its cheaper conditions passed).
bool IsEagerTopLevelKey(std::string_view key) {
  for (std::string_view k : {"eventVersion", "userIdentity", "eventTime", "eventSource",
                             "eventName", "awsRegion", "sourceIPAddress", "userAgent"})
    if (k == key) return true;
  return false;
}
}  // namespace

JsonFieldExtractor::JsonFieldExtractor(const FieldRegistry& registry, Mode mode)
    : impl_(std::make_unique<Impl>()) {
  impl_->field_count = registry.size();
  impl_->nodes.emplace_back();  // root
  impl_->lazy_field.assign(registry.size(), 0);
  for (FieldId id = 0; id < registry.size(); ++id) {
    std::vector<std::string_view> parts = SplitString(registry.path(id), '.');
    bool lazy = mode == Mode::kLazy && !IsEagerTopLevelKey(parts[0]);
    impl_->lazy_field[id] = lazy ? 1 : 0;
    impl_->has_lazy |= lazy;
    uint32_t node = 0;
    for (std::string_view part : parts) {
      uint32_t next = UINT32_MAX;
      for (const TrieNode::Child& c : impl_->nodes[node].children)
        if (c.key == part) next = c.node;
      if (next == UINT32_MAX) {
        next = static_cast<uint32_t>(impl_->nodes.size());
        impl_->nodes[node].children.push_back(
            {std::string(part), PrefixWord(part.data(), part.size()), next});
        impl_->nodes.emplace_back();
        if (node == 0) {
          impl_->nodes[next].lazy = lazy;
          ++(lazy ? impl_->lazy_keys : impl_->eager_keys);
        }
      }
      node = next;
    }
    impl_->nodes[node].field = id;
  }
  for (TrieNode& n : impl_->nodes) {
    if (n.children.size() <= kMaxScannedChildren) continue;
    size_t size = 4;
    while (size < n.children.size() * 4) size *= 2;
    n.table.assign(size, -1);
    n.mask = static_cast<uint32_t>(size - 1);
    for (size_t c = 0; c < n.children.size(); ++c) {
      uint32_t i = KeyHash(n.children[c].head, n.children[c].key.size()) & n.mask;
      while (n.table[i] >= 0) i = (i + 1) & n.mask;
      n.table[i] = static_cast<int32_t>(c);
    }
  }
}

JsonFieldExtractor::~JsonFieldExtractor() = default;

Status JsonFieldExtractor::Extract(const char* data, size_t len, size_t capacity,
                                   EventFields* out) {
  out->Reset(impl_->field_count);
  out->set_raw_event(std::string_view(data, len));
  Impl& m = *impl_;
  m.out = out;
  m.replaced.clear();
  m.record_end = data + len;
  m.top_started = false;
  m.lazy_remaining = m.lazy_keys;
  auto fail = [](simdjson::error_code e) {
    return ParseError(std::string("invalid JSON: ") + simdjson::error_message(e));
  };
  od::document& doc = m.doc;
  if (auto e = m.parser.iterate(data, len, capacity).get(doc)) return fail(e);
  od::object obj;
  if (auto e = doc.get_object().get(obj)) {
    if (e == simdjson::INCORRECT_TYPE) return ParseError("not a JSON object");
    return fail(e);
  }
  if (auto e = obj.begin().get(m.top)) return fail(e);
  if (auto e = obj.end().get(m.top_end)) return fail(e);
  bool stopped_early = false;
  if (m.eager_keys > 0) {
    if (auto e = m.WalkTop(false, &stopped_early)) return fail(e);
    m.top_started = true;
  } else {
    stopped_early = true;  // nothing wanted eagerly: the lazy pass reads the record if needed
  }
  // At the end of the input current_location() reports OUT_OF_BOUNDS. When
  // the walk stopped early the rest was not read, so there is nothing to check.
  if (!stopped_early && doc.current_location().error() != simdjson::OUT_OF_BOUNDS)
    return ParseError("invalid JSON: trailing content after the object");
  // The walk read the whole object: every lazy key present was met (and
  // read) on the way, so there is no lazy pass to run.
  if (m.has_lazy && stopped_early && m.lazy_remaining > 0) out->SetLazyLoader(this, &m.lazy_field);
  return Status::Ok();
}

void JsonFieldExtractor::LoadLazyFields(EventFields* out) {
  // Continues the eager walk's iteration of the top-level object: the
  // record is not parsed again, and the eager fields' views stay valid.
  Impl& m = *impl_;
  m.out = out;
  bool stopped = false;
  // Past the member the eager walk ended on; an error there (damage right
  // after it) is reported by the next step of the walk.
  if (m.top_started && m.top != m.top_end) ++m.top;
  if (m.WalkTop(true, &stopped) != simdjson::SUCCESS) out->set_lazy_error(true);
}

#undef WD_TAKE

}  // namespace warden

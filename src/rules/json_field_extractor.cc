#include "rules/json_field_extractor.h"

#include <simdjson.h>

#include <cstring>
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

struct TrieNode {
  FieldId field = kNoField;
  std::vector<std::pair<std::string, uint32_t>> children;  // key -> node index
  // Open-addressing table over `children` for lookups by key.
  std::vector<int32_t> table;
  uint32_t mask = 0;
};

inline uint32_t KeyHash(std::string_view k) {
  // Length and a few bytes separate CloudTrail's keys well and cost little.
  uint32_t h = static_cast<uint32_t>(k.size()) * 0x9e3779b1u;
  if (!k.empty()) {
    h ^= static_cast<uint8_t>(k[0]) * 0x85ebca6bu;
    h ^= static_cast<uint8_t>(k[k.size() - 1]) * 0xc2b2ae35u;
    h ^= static_cast<uint8_t>(k[k.size() / 2]) * 0x27d4eb2fu;
  }
  return h ^ (h >> 15);
}

}  // namespace

struct JsonFieldExtractor::Impl {
  od::parser parser;
  od::parser lazy_parser;
  od::document doc;
  const char* data = nullptr;  // the current event, for the lazy pass
  size_t len = 0, capacity = 0;
  std::vector<uint8_t> lazy_field;  // by field id
  bool has_lazy = false;
  std::vector<TrieNode> nodes;  // nodes[0]: eager root, nodes[1]: lazy root
  size_t field_count = 0;
  EventFields* out = nullptr;

  int32_t Lookup(const TrieNode& node, std::string_view key) const {
    if (node.table.empty()) return -1;
    uint32_t i = KeyHash(key) & node.mask;
    while (true) {
      int32_t c = node.table[i];
      if (c < 0) return -1;
      const auto& [k, idx] = node.children[static_cast<size_t>(c)];
      if (k.size() == key.size() && SameBytes(k.data(), key.data(), key.size()))
        return static_cast<int32_t>(idx);
      i = (i + 1) & node.mask;
    }
  }

  // The key of a field without unescaping when it has no escapes (the common
  // case); falls back to unescaped_key() otherwise.
  static simdjson::error_code KeyOf(od::field& f, std::string_view* key) {
    const char* raw = f.key().raw();
    const char* p = raw;
    while (*p != '"' && *p != '\\') ++p;  // padded input: a quote always follows
    if (*p == '"') {
      *key = std::string_view(raw, static_cast<size_t>(p - raw));
      return simdjson::SUCCESS;
    }
    return f.unescaped_key().get(*key);
  }

  simdjson::error_code RecordScalar(od::value& v, od::json_type type, FieldId field) {
    switch (type) {
      case od::json_type::string: {
        std::string_view s;
        SIMDJSON_TRY(v.get_string().get(s));
        out->Add(field, {s, ValueKind::kString});
        return simdjson::SUCCESS;
      }
      case od::json_type::number:
      case od::json_type::boolean: {
        std::string_view raw;
        raw = TrimWhitespace(v.raw_json_token());
        if (type == od::json_type::boolean) {
          bool b = false;
          SIMDJSON_TRY(v.get_bool().get(b));  // validates true/false
          raw = b ? "true" : "false";
        }
        out->Add(field,
                 {raw, type == od::json_type::number ? ValueKind::kNumber : ValueKind::kBool});
        return simdjson::SUCCESS;
      }
      case od::json_type::null: {
        bool is_null = false;
        SIMDJSON_TRY(v.is_null().get(is_null));
        if (!is_null) return simdjson::INCORRECT_TYPE;
        out->Add(field, {std::string_view(), ValueKind::kNull});
        return simdjson::SUCCESS;
      }
      default:
        return simdjson::INCORRECT_TYPE;
    }
  }

  // A trie leaf: record the whole value (objects as text, arrays per element).
  simdjson::error_code RecordLeaf(od::value& v, FieldId field, int array_depth) {
    // Most leaves are strings: try that first, without asking for the type.
    std::string_view s;
    if (v.get_string().get(s) == simdjson::SUCCESS) {
      out->Add(field, {s, ValueKind::kString});
      return simdjson::SUCCESS;
    }
    od::json_type type;
    SIMDJSON_TRY(v.type().get(type));
    if (type == od::json_type::object) {
      od::object obj;
      SIMDJSON_TRY(v.get_object().get(obj));
      std::string_view raw;
      SIMDJSON_TRY(obj.raw_json().get(raw));
      out->Add(field, {TrimWhitespace(raw), ValueKind::kObject});
      return simdjson::SUCCESS;
    }
    if (type == od::json_type::array) {
      od::array arr;
      SIMDJSON_TRY(v.get_array().get(arr));
      if (array_depth >= kMaxArrayNesting) {
        std::string_view raw;
        SIMDJSON_TRY(arr.raw_json().get(raw));
        out->Add(field, {TrimWhitespace(raw), ValueKind::kArray});
        return simdjson::SUCCESS;
      }
      for (auto element : arr) {
        od::value ev;
        SIMDJSON_TRY(std::move(element).get(ev));
        SIMDJSON_TRY(RecordLeaf(ev, field, array_depth + 1));
      }
      return simdjson::SUCCESS;
    }
    return RecordScalar(v, type, field);
  }

  // Visits the keys of `obj` on the trie. Stops as soon as every key the
  // trie wants here was seen: the rest of the object is skipped unread (the
  // caller's iterator jumps over it), which is most of a CloudTrail event.
  simdjson::error_code WalkObject(od::object& obj, const TrieNode& node, bool* stopped_early) {
    size_t remaining = node.children.size();
    for (auto member : obj) {
      od::field f;
      SIMDJSON_TRY(std::move(member).get(f));
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

  simdjson::error_code Walk(od::value v, const TrieNode& node, int array_depth) {
    if (node.children.empty()) return RecordLeaf(v, node.field, array_depth);
    od::json_type type;
    SIMDJSON_TRY(v.type().get(type));
    if (type == od::json_type::object) {
      od::object obj;
      SIMDJSON_TRY(v.get_object().get(obj));
      if (node.field != kNoField) {
        // Both a field itself and a prefix of others: take the text, rewind.
        std::string_view raw;
        SIMDJSON_TRY(obj.raw_json().get(raw));
        out->Add(node.field, {TrimWhitespace(raw), ValueKind::kObject});
        bool nonempty = false;
        SIMDJSON_TRY(obj.reset().get(nonempty));
      }
      return WalkObject(obj, node, nullptr);
    }
    if (type == od::json_type::array) {
      od::array arr;
      SIMDJSON_TRY(v.get_array().get(arr));
      if (node.field != kNoField) {
        std::string_view raw;
        SIMDJSON_TRY(arr.raw_json().get(raw));
        out->Add(node.field, {TrimWhitespace(raw), ValueKind::kArray});
        bool nonempty = false;
        SIMDJSON_TRY(arr.reset().get(nonempty));
      }
      if (array_depth >= kMaxArrayNesting) return simdjson::SUCCESS;
      for (auto element : arr) {
        od::value ev;
        SIMDJSON_TRY(std::move(element).get(ev));
        SIMDJSON_TRY(Walk(ev, node, array_depth + 1));
      }
      return simdjson::SUCCESS;
    }
    if (node.field != kNoField) return RecordScalar(v, type, node.field);
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
  impl_->nodes.emplace_back();  // eager root
  impl_->nodes.emplace_back();  // lazy root
  impl_->lazy_field.assign(registry.size(), 0);
  for (FieldId id = 0; id < registry.size(); ++id) {
    std::vector<std::string_view> parts = SplitString(registry.path(id), '.');
    bool lazy = mode == Mode::kLazy && !IsEagerTopLevelKey(parts[0]);
    impl_->lazy_field[id] = lazy ? 1 : 0;
    impl_->has_lazy |= lazy;
    uint32_t node = lazy ? 1 : 0;
    for (std::string_view part : parts) {
      uint32_t next = UINT32_MAX;
      for (const auto& [k, idx] : impl_->nodes[node].children)
        if (k == part) next = idx;
      if (next == UINT32_MAX) {
        next = static_cast<uint32_t>(impl_->nodes.size());
        impl_->nodes[node].children.emplace_back(std::string(part), next);
        impl_->nodes.emplace_back();
      }
      node = next;
    }
    impl_->nodes[node].field = id;
  }
  for (TrieNode& n : impl_->nodes) {
    if (n.children.empty()) continue;
    size_t size = 4;
    while (size < n.children.size() * 4) size *= 2;
    n.table.assign(size, -1);
    n.mask = static_cast<uint32_t>(size - 1);
    for (size_t c = 0; c < n.children.size(); ++c) {
      uint32_t i = KeyHash(n.children[c].first) & n.mask;
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
  impl_->out = out;
  impl_->data = data;
  impl_->len = len;
  impl_->capacity = capacity;
  auto fail = [](simdjson::error_code e) {
    return ParseError(std::string("invalid JSON: ") + simdjson::error_message(e));
  };
  od::document& doc = impl_->doc;
  if (auto e = impl_->parser.iterate(data, len, capacity).get(doc)) return fail(e);
  od::object obj;
  if (auto e = doc.get_object().get(obj)) {
    if (e == simdjson::INCORRECT_TYPE) return ParseError("not a JSON object");
    return fail(e);
  }
  const TrieNode& root = impl_->nodes[0];
  bool stopped_early = false;
  if (!root.children.empty()) {
    if (auto e = impl_->WalkObject(obj, root, &stopped_early)) return fail(e);
  } else {
    stopped_early = true;  // nothing wanted eagerly: the lazy pass reads the record if needed
  }
  // At the end of the input current_location() reports OUT_OF_BOUNDS. When
  // the walk stopped early the rest was not read, so there is nothing to check.
  if (!stopped_early && doc.current_location().error() != simdjson::OUT_OF_BOUNDS)
    return ParseError("invalid JSON: trailing content after the object");
  if (impl_->has_lazy) out->SetLazyLoader(this, &impl_->lazy_field);
  return Status::Ok();
}

void JsonFieldExtractor::LoadLazyFields(EventFields* out) {
  // A second parser: rewinding the first would reuse its string buffer and
  // overwrite the eager fields' unescaped strings.
  impl_->out = out;
  od::document doc;
  od::object obj;
  bool stopped_early = false;
  if (impl_->lazy_parser.iterate(impl_->data, impl_->len, impl_->capacity).get(doc) !=
          simdjson::SUCCESS ||
      doc.get_object().get(obj) != simdjson::SUCCESS ||
      impl_->WalkObject(obj, impl_->nodes[1], &stopped_early) != simdjson::SUCCESS) {
    out->set_lazy_error(true);
  }
}

}  // namespace warden

// The evaluator's view of one event: the values of only the fields that loaded
// rules use, in a flat array indexed by FieldId, as string views into the
// event's text or the JSON parser's string buffer. FieldRegistry interns the
// dotted paths once at rule-compile time so evaluation never hashes a path.
//
// Lifetime: the views in EventFields are valid until the next event is
// extracted into it (they point into the parser's buffers). EventFields is
// reused across events; after warm-up it does not allocate.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace warden {

class JsonFieldExtractor;
using FieldId = uint32_t;
inline constexpr FieldId kNoField = UINT32_MAX;

class FieldRegistry {
 public:
  // Returns the id of `path`, adding it when new. Paths are dotted
  // ("userIdentity.sessionContext.sessionIssuer.userName").
  FieldId Intern(std::string_view path);
  FieldId Find(std::string_view path) const;  // kNoField when unknown
  const std::string& path(FieldId id) const { return paths_[id]; }
  size_t size() const { return paths_.size(); }

 private:
  std::vector<std::string> paths_;
  std::unordered_map<std::string, FieldId> ids_;
};

enum class ValueKind : uint8_t { kMissing, kNull, kString, kNumber, kBool, kObject, kArray };

// One value of a field: strings are unescaped; numbers, booleans and null are
// their JSON text; objects and arrays are their raw JSON text.
struct FieldValue {
  std::string_view text;
  ValueKind kind = ValueKind::kMissing;
};

class EventFields {
 public:
  // Forgets the previous event's values; keeps capacity.
  void Reset(size_t field_count);
  // Text and kind as separate arguments (not a FieldValue): they travel in
  // registers, on the hot path of every extracted value.
  void Add(FieldId id, std::string_view text, ValueKind kind) {
    Slot& s = slots_[id];
    if (s.count++ == 0)
      s.first = FieldValue{text, kind};
    else
      AddOverflow(id, text, kind);  // out of line: keeps this inlined
  }

  // Number of values the field has in this event (0 = missing).
  uint32_t count(FieldId id) const {
    Touch(id);
    return slots_[id].count;
  }
  // The first value; a missing field is {"", kMissing} (matched as "").
  const FieldValue& first(FieldId id) const {
    Touch(id);
    return slots_[id].first;
  }
  // Calls fn(const FieldValue&) for each value until it returns true; returns
  // whether any call did. A missing field is visited once as {"", kMissing}.
  template <typename Fn>
  bool AnyValue(FieldId id, Fn&& fn) const {
    Touch(id);
    const Slot& s = slots_[id];
    if (fn(s.first)) return true;
    if (s.count <= 1) return false;
    for (const auto& [fid, v] : overflow_)
      if (fid == id && fn(v)) return true;
    return false;
  }
  template <typename Fn>
  bool AllValues(FieldId id, Fn&& fn) const {
    return !AnyValue(id, [&](const FieldValue& v) { return !fn(v); });
  }

  // The whole event as JSON text (for keyword search and evidence).
  std::string_view raw_event() const { return raw_event_; }
  void set_raw_event(std::string_view raw) { raw_event_ = raw; }

  // Lazily extracted fields (JsonFieldExtractor::Mode::kLazy): the first read
  // of a field flagged in `lazy` runs the loader's second pass. Reading is
  // logically const; the lazy state is mutable for that reason.
  void SetLazyLoader(JsonFieldExtractor* loader, const std::vector<uint8_t>* lazy) {
    loader_ = loader;
    lazy_ = lazy;
  }
  bool lazy_error() const { return lazy_error_; }
  // True when reading `id` would run the lazy pass now.
  bool lazy_pending(FieldId id) const { return loader_ != nullptr && (*lazy_)[id]; }
  void set_lazy_error(bool e) { lazy_error_ = e; }

 private:
  void Touch(FieldId id) const {
    if (loader_ != nullptr && (*lazy_)[id]) LoadLazy();
  }
  void LoadLazy() const;
  void AddOverflow(FieldId id, std::string_view text, ValueKind kind);

  struct Slot {
    FieldValue first;
    uint32_t count = 0;
  };
  std::vector<Slot> slots_;
  std::vector<std::pair<FieldId, FieldValue>> overflow_;  // values after the first
  std::string_view raw_event_;
  mutable JsonFieldExtractor* loader_ = nullptr;  // set while the lazy pass is pending
  const std::vector<uint8_t>* lazy_ = nullptr;
  bool lazy_error_ = false;
};

}  // namespace warden

#include "rules/event_fields.h"

#include "rules/json_field_extractor.h"

namespace warden {

FieldId FieldRegistry::Intern(std::string_view path) {
  auto it = ids_.find(std::string(path));
  if (it != ids_.end()) return it->second;
  auto id = static_cast<FieldId>(paths_.size());
  paths_.emplace_back(path);
  ids_.emplace(std::string(path), id);
  return id;
}

FieldId FieldRegistry::Find(std::string_view path) const {
  auto it = ids_.find(std::string(path));
  return it == ids_.end() ? kNoField : it->second;
}

void EventFields::Reset(size_t field_count) {
  if (slots_.size() != field_count) slots_.resize(field_count);
  for (Slot& s : slots_) {
    s.first = FieldValue{};
    s.count = 0;
  }
  overflow_.clear();
  raw_event_ = {};
  loader_ = nullptr;
  lazy_ = nullptr;
  lazy_error_ = false;
}

void EventFields::LoadLazy() const {
  JsonFieldExtractor* loader = loader_;
  loader_ = nullptr;  // once per event
  // The object is never truly const: EventFields are owned by the scanner.
  loader->LoadLazyFields(const_cast<EventFields*>(this));
}

void EventFields::AddOverflow(FieldId id, std::string_view text, ValueKind kind) {
  overflow_.emplace_back(id, FieldValue{text, kind});
}

}  // namespace warden

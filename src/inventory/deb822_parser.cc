#include "inventory/deb822_parser.h"

#include "core/strings.h"

namespace warden {

bool Deb822NameEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

const std::string* Deb822Paragraph::Find(std::string_view name) const {
  for (const auto& [field, value] : fields)
    if (Deb822NameEquals(field, name)) return &value;
  return nullptr;
}

std::string Deb822Paragraph::Get(std::string_view name) const {
  const std::string* v = Find(name);
  return v == nullptr ? std::string() : *v;
}

std::string Deb822Paragraph::FirstLine(std::string_view name) const {
  const std::string* v = Find(name);
  if (v == nullptr) return {};
  return v->substr(0, v->find('\n'));
}

std::vector<Deb822Paragraph> ParseDeb822(std::string_view text) {
  std::vector<Deb822Paragraph> paragraphs;
  Deb822Paragraph current;
  // Whether the previous line was a field (or its continuation) of the
  // current paragraph; a continuation after a skipped line is dropped too.
  bool in_field = false;
  size_t line_number = 0;

  auto finish_paragraph = [&] {
    if (!current.fields.empty()) paragraphs.push_back(std::move(current));
    current = Deb822Paragraph();
    in_field = false;
  };

  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);

    if (TrimWhitespace(line).empty()) {
      finish_paragraph();
      continue;
    }
    if (line.front() == '#') continue;  // comments do not end a field's continuation
    if (line.front() == ' ' || line.front() == '\t') {
      if (!in_field) continue;
      std::string_view cont = line.substr(1);
      std::string& value = current.fields.back().second;
      value.push_back('\n');
      if (TrimWhitespace(cont) != ".") value.append(cont.data(), cont.size());
      continue;
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      in_field = false;  // not a field: skip it and any continuation lines
      continue;
    }
    if (current.fields.empty()) current.line = line_number;
    current.fields.emplace_back(std::string(TrimWhitespace(line.substr(0, colon))),
                                std::string(TrimWhitespace(line.substr(colon + 1))));
    in_field = true;
  }
  finish_paragraph();
  return paragraphs;
}

}  // namespace warden

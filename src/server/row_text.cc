#include "server/row_text.h"

#include <charconv>

#include "core/time_format.h"

namespace warden::server {

RowText::RowText(Mode mode, std::vector<std::string> columns)
    : mode_(mode), columns_(std::move(columns)), cells_(columns_.size()) {}

void RowText::Begin(std::string& out) {
  out_ = &out;
  first_ = true;
  call_ = 0;
  if (mode_ == Mode::kJson) {
    out.push_back('{');
  } else {
    for (std::string& cell : cells_) cell.clear();
  }
}

int RowText::Slot(std::string_view key) {
  const size_t call = call_++;
  if (call < slot_of_call_.size() && slot_of_call_[call].first == key)
    return slot_of_call_[call].second;
  int slot = -1;
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (columns_[i] == key) {
      slot = static_cast<int>(i);
      break;
    }
  }
  if (call < slot_of_call_.size()) {
    slot_of_call_[call] = {std::string(key), slot};
  } else if (call == slot_of_call_.size()) {
    slot_of_call_.emplace_back(std::string(key), slot);
  }
  return slot;
}

std::string* RowText::Field(std::string_view key) {
  if (mode_ == Mode::kCsv) {
    int slot = Slot(key);
    return slot < 0 ? nullptr : &cells_[static_cast<size_t>(slot)];
  }
  if (!first_) out_->push_back(',');
  first_ = false;
  AppendJsonString(*out_, key);
  out_->push_back(':');
  return out_;
}

bool RowText::Wants(std::string_view key) {
  if (mode_ == Mode::kJson) return true;
  // Peek without consuming the call: the field's own call follows.
  int slot = Slot(key);
  --call_;
  return slot >= 0;
}

RowText& RowText::String(std::string_view key, std::string_view value) {
  std::string* out = Field(key);
  if (out == nullptr) return *this;
  if (mode_ == Mode::kJson)
    AppendJsonString(*out, value);
  else
    AppendCsvField(*out, value);
  return *this;
}

RowText& RowText::String(std::string_view key, const std::optional<std::string>& value) {
  return value ? String(key, std::string_view(*value)) : Null(key);
}

RowText& RowText::Int(std::string_view key, int64_t value) {
  std::string* out = Field(key);
  if (out == nullptr) return *this;
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
  (void)ec;
  std::string_view text(digits, static_cast<size_t>(end - digits));
  if (mode_ == Mode::kJson)
    out->append(text);
  else
    AppendCsvField(*out, text);  // a negative number gets its leading '
  return *this;
}

RowText& RowText::Bool(std::string_view key, bool value) {
  std::string* out = Field(key);
  if (out != nullptr) out->append(value ? "true" : "false");
  return *this;
}

RowText& RowText::Null(std::string_view key) {
  std::string* out = Field(key);
  if (out != nullptr && mode_ == Mode::kJson) out->append("null");
  return *this;
}

RowText& RowText::Time(std::string_view key, store::EpochMs at) {
  std::string* out = Field(key);
  if (out == nullptr) return *this;
  std::string text = FormatRfc3339(at / 1000);
  if (mode_ == Mode::kJson)
    AppendJsonString(*out, text);
  else
    AppendCsvField(*out, text);
  return *this;
}

RowText& RowText::Time(std::string_view key, const std::optional<store::EpochMs>& at) {
  return at ? Time(key, *at) : Null(key);
}

RowText& RowText::RawJson(std::string_view key, std::string_view json) {
  std::string* out = Field(key);
  if (out == nullptr) return *this;
  if (mode_ == Mode::kJson)
    out->append(json);
  else
    AppendCsvField(*out, json);
  return *this;
}

RowText& RowText::Value(std::string_view key, const Json& value) {
  std::string* out = Field(key);
  if (out == nullptr) return *this;
  if (mode_ == Mode::kJson) {
    out->append(value.dump(-1, ' ', false, Json::error_handler_t::replace));
  } else if (value.is_string()) {
    AppendCsvField(*out, value.get_ref<const std::string&>());
  } else if (!value.is_null()) {
    AppendCsvField(*out, value.dump(-1, ' ', false, Json::error_handler_t::replace));
  }
  return *this;
}

void RowText::End() {
  if (mode_ == Mode::kJson) {
    out_->push_back('}');
    return;
  }
  for (size_t i = 0; i < cells_.size(); ++i) {
    if (i > 0) out_->push_back(',');
    out_->append(cells_[i]);
  }
  out_->append("\r\n");
}

void RowText::AppendJsonString(std::string& out, std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) {
      // UTF-8 (or not): nlohmann decides, replacing invalid bytes.
      out.append(Json(std::string(s)).dump(-1, ' ', false, Json::error_handler_t::replace));
      return;
    }
  }
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  size_t run = 0;  // start of the bytes not yet copied
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.substr(run, i - run));
    run = i + 1;
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\b':
        out.append("\\b");
        break;
      case '\f':
        out.append("\\f");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      default:
        out.append("\\u00");
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0xF]);
    }
  }
  out.append(s.substr(run));
  out.push_back('"');
}

void RowText::AppendCsvField(std::string& out, std::string_view s) {
  const bool formula = !s.empty() && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' ||
                                      s[0] == '\t' || s[0] == '\r');
  bool plain = true;  // (find_first_of calls memchr once per byte)
  for (char c : s) {
    if (c == ',' || c == '"' || c == '\r' || c == '\n') {
      plain = false;
      break;
    }
  }
  if (plain) {
    if (formula) out.push_back('\'');
    out.append(s);
    return;
  }
  out.push_back('"');
  if (formula) out.push_back('\'');
  for (char c : s) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

}  // namespace warden::server

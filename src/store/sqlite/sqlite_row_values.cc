// Conversions between the store's value types and their columns: optional
// times as NULL, label lists as JSON text.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "store/sqlite/sqlite_repositories.h"

namespace warden::store {

Result<std::vector<std::string>> NormalizeLabels(const std::vector<std::string>& labels) {
  constexpr size_t kMaxLabels = 100;
  constexpr size_t kMaxLabelBytes = 128;
  std::vector<std::string> out;
  for (const std::string& label : labels) {
    if (label.empty()) return InvalidArgument("labels: a label is empty");
    if (label.size() > kMaxLabelBytes)
      return InvalidArgument("labels: '" + label.substr(0, 32) + "...' is longer than " +
                             std::to_string(kMaxLabelBytes) + " bytes");
    out.push_back(label);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  if (out.size() > kMaxLabels)
    return InvalidArgument("labels: more than " + std::to_string(kMaxLabels));
  return out;
}

std::string LabelsToJson(const std::vector<std::string>& labels) {
  return nlohmann::json(labels).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::vector<std::string> LabelsFromJson(std::string_view json) {
  nlohmann::json parsed = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  std::vector<std::string> out;
  if (!parsed.is_array()) return out;
  for (const auto& item : parsed)
    if (item.is_string()) out.push_back(item.get<std::string>());
  return out;
}

std::optional<int64_t> OptionalInt(SqliteStatement& st, int column) {
  if (st.IsNull(column)) return std::nullopt;
  return st.Int(column);
}

void BindOptional(SqliteStatement& st, int index, const std::optional<int64_t>& value) {
  if (value)
    st.Bind(index, *value);
  else
    st.BindNull(index);
}

std::optional<std::string> OptionalText(SqliteStatement& st, int column) {
  if (st.IsNull(column)) return std::nullopt;
  return st.Text(column);
}

void BindOptionalText(SqliteStatement& st, int index, const std::optional<std::string>& text) {
  if (text)
    st.Bind(index, std::string_view(*text));
  else
    st.BindNull(index);
}

}  // namespace warden::store

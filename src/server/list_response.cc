#include "server/list_response.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "core/output_format.h"  // CsvField
#include "core/time_format.h"
#include "server/handler_support.h"

namespace warden::server {
namespace {

api::ApiError Unsupported(std::string_view param, const std::string& what) {
  return api::MakeApiError(api::kErrorValidation, what, std::string(param));
}

std::optional<Value> ScalarValue(const Json& value) {
  if (value.is_string()) return Value(value.get<std::string>());
  if (value.is_boolean()) return Value(static_cast<int64_t>(value.get<bool>() ? 1 : 0));
  if (value.is_number_integer()) return Value(value.get<int64_t>());
  return std::nullopt;
}

std::vector<std::string> StringItems(const Json& value) {
  std::vector<std::string> items;
  if (value.is_array()) {
    for (const Json& v : value)
      if (v.is_string()) items.push_back(v.get<std::string>());
  } else if (value.is_string()) {
    items.push_back(value.get<std::string>());
  }
  return items;
}

std::string CellText(const Json& value) {
  if (value.is_null()) return "";
  if (value.is_string()) return value.get<std::string>();
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace

FilterMapper EqualsFilter(std::string field) {
  return [field = std::move(field)](
             std::string_view param, const Json& value,
             std::vector<store::FieldFilter>* out) -> std::optional<api::ApiError> {
    std::optional<Value> v = ScalarValue(value);
    if (!v) return Unsupported(param, std::string(param) + ": expected one value");
    out->push_back({field, store::FilterOp::kEq, std::move(*v)});
    return std::nullopt;
  };
}

namespace {

// Wanted values of an enum-like field: every value → no filter; every value
// but one → ne that one (an index-friendly form); else eq one or any of them.
template <typename T>
void AppendOneOf(const std::string& field, const std::vector<T>& wanted,
                 const std::vector<T>& left_out, std::vector<store::FieldFilter>* out) {
  if (wanted.empty() || left_out.empty()) return;
  if (left_out.size() == 1 && wanted.size() > 1) {
    out->push_back({field, store::FilterOp::kNe, Value(left_out.front())});
    return;
  }
  std::vector<store::FieldFilter> any;
  for (const T& v : wanted) any.push_back({field, store::FilterOp::kEq, Value(v)});
  out->push_back(store::AnyOf(std::move(any)));
}

// Every item of a list parameter as `field eq item`, any of them.
std::optional<api::ApiError> AppendEachEqual(std::string_view param, const std::string& field,
                                             std::vector<Value> values,
                                             std::vector<store::FieldFilter>* out) {
  if (values.empty()) return Unsupported(param, std::string(param) + ": expected a value");
  if (values.size() > store::FieldFilter::kMaxAlternatives) {
    return Unsupported(param, std::string(param) + ": at most " +
                                  std::to_string(store::FieldFilter::kMaxAlternatives) + " values");
  }
  std::vector<store::FieldFilter> any;
  for (Value& v : values) any.push_back({field, store::FilterOp::kEq, std::move(v)});
  out->push_back(store::AnyOf(std::move(any)));
  return std::nullopt;
}

}  // namespace

FilterMapper OneOfFilter(std::string field, std::vector<std::string> domain) {
  return [field = std::move(field), domain = std::move(domain)](
             std::string_view, const Json& value,
             std::vector<store::FieldFilter>* out) -> std::optional<api::ApiError> {
    std::set<std::string> chosen;
    for (std::string& v : StringItems(value)) chosen.insert(std::move(v));
    std::vector<std::string> wanted(chosen.begin(), chosen.end());
    std::vector<std::string> left_out;
    for (const std::string& d : domain)
      if (!chosen.count(d)) left_out.push_back(d);
    AppendOneOf(field, wanted, left_out, out);
    return std::nullopt;
  };
}

FilterMapper ChoiceFilter(
    std::map<std::string, std::vector<store::FieldFilter>, std::less<>> choices) {
  return [choices = std::move(choices)](
             std::string_view param, const Json& value,
             std::vector<store::FieldFilter>* out) -> std::optional<api::ApiError> {
    std::vector<std::string> items = StringItems(value);
    if (items.size() != 1) {
      return Unsupported(param, std::string(param) + ": this list takes one value here");
    }
    auto it = choices.find(items.front());
    if (it == choices.end()) {
      return Unsupported(
          param, std::string(param) + "=" + items.front() + " is not supported by this list yet");
    }
    out->insert(out->end(), it->second.begin(), it->second.end());
    return std::nullopt;
  };
}

FilterMapper TimeFilter(std::string field, store::FilterOp op) {
  return [field = std::move(field), op](
             std::string_view param, const Json& value,
             std::vector<store::FieldFilter>* out) -> std::optional<api::ApiError> {
    std::optional<int64_t> seconds =
        value.is_string() ? ParseRfc3339(value.get<std::string>()) : std::nullopt;
    if (!seconds) return Unsupported(param, std::string(param) + ": expected an RFC 3339 time");
    out->push_back({field, op, Value(*seconds * 1000)});
    return std::nullopt;
  };
}

FilterMapper AnyValueFilter(std::string field) {
  return [field = std::move(field)](
             std::string_view param, const Json& value,
             std::vector<store::FieldFilter>* out) -> std::optional<api::ApiError> {
    std::vector<Value> values;
    for (std::string& item : StringItems(value)) values.emplace_back(std::move(item));
    return AppendEachEqual(param, field, std::move(values), out);
  };
}

FilterMapper IdFilter(std::string field) {
  return [field = std::move(field)](
             std::string_view param, const Json& value,
             std::vector<store::FieldFilter>* out) -> std::optional<api::ApiError> {
    std::vector<Value> ids;
    for (const std::string& text : StringItems(value)) {
      std::optional<int64_t> id = ParseId(text);
      if (!id) return Unsupported(param, std::string(param) + ": " + text + " is not an id");
      ids.emplace_back(*id);
    }
    return AppendEachEqual(param, field, std::move(ids), out);
  };
}

FilterMapper RankOneOfFilter(std::string field, std::map<std::string, int64_t, std::less<>> ranks) {
  return [field = std::move(field), ranks = std::move(ranks)](
             std::string_view param, const Json& value,
             std::vector<store::FieldFilter>* out) -> std::optional<api::ApiError> {
    std::set<std::string> chosen;
    for (std::string& v : StringItems(value)) {
      if (!ranks.count(v)) return Unsupported(param, std::string(param) + ": unknown value " + v);
      chosen.insert(std::move(v));
    }
    std::vector<int64_t> wanted;
    std::vector<int64_t> left_out;
    for (const auto& [name, rank] : ranks) (chosen.count(name) ? wanted : left_out).push_back(rank);
    AppendOneOf(field, wanted, left_out, out);
    return std::nullopt;
  };
}

FilterMapper MinRankFilter(std::string field, std::map<std::string, int64_t, std::less<>> ranks) {
  return [field = std::move(field), ranks = std::move(ranks)](
             std::string_view param, const Json& value,
             std::vector<store::FieldFilter>* out) -> std::optional<api::ApiError> {
    auto it = value.is_string() ? ranks.find(value.get<std::string>()) : ranks.end();
    if (it == ranks.end()) return Unsupported(param, std::string(param) + ": unknown value");
    out->push_back({field, store::FilterOp::kGe, Value(it->second)});
    return std::nullopt;
  };
}

FilterMapper AnyIntegerFilter(std::string field) {
  return [field = std::move(field)](
             std::string_view param, const Json& value,
             std::vector<store::FieldFilter>* out) -> std::optional<api::ApiError> {
    std::vector<Value> values;
    for (const Json& one : value.is_array() ? value : Json::array({value})) {
      if (!one.is_number_integer()) {
        return Unsupported(param, std::string(param) + ": expected an integer");
      }
      values.emplace_back(one.get<int64_t>());
    }
    return AppendEachEqual(param, field, std::move(values), out);
  };
}

FilterMapper TextSearchFilter(std::vector<std::string> fields) {
  return [fields = std::move(fields)](
             std::string_view param, const Json& value,
             std::vector<store::FieldFilter>* out) -> std::optional<api::ApiError> {
    if (!value.is_string() || value.get<std::string>().empty()) {
      return Unsupported(param, std::string(param) + ": expected text to search for");
    }
    std::vector<store::FieldFilter> any;
    for (const std::string& f : fields)
      any.push_back({f, store::FilterOp::kContains, Value(value.get<std::string>())});
    out->push_back(store::AnyOf(std::move(any)));
    return std::nullopt;
  };
}

FilterMapper MinTenthsFilter(std::string field) {
  return [field = std::move(field)](
             std::string_view param, const Json& value,
             std::vector<store::FieldFilter>* out) -> std::optional<api::ApiError> {
    if (!value.is_number()) return Unsupported(param, std::string(param) + ": expected a number");
    const auto tenths = static_cast<int64_t>(std::ceil(value.get<double>() * 10.0 - 1e-9));
    out->push_back({field, store::FilterOp::kGe, Value(tenths)});
    return std::nullopt;
  };
}

std::variant<store::ListQuery, api::ApiError> BuildListQuery(const ApiCall& call,
                                                             const ListBinding& binding) {
  store::ListQuery query;
  for (const auto& [name, value] : call.params.items()) {
    if (name == "format") continue;
    if (name == "limit") {
      if (value.is_number_integer()) query.limit = value.get<int64_t>();
      continue;
    }
    if (name == "cursor") {
      if (value.is_string()) query.cursor = value.get<std::string>();
      continue;
    }
    if (name == "sort") {
      std::string sort = value.is_string() ? value.get<std::string>() : "";
      bool descending = !sort.empty() && sort.front() == '-';
      if (descending) sort.erase(0, 1);
      auto it = binding.sort_fields.find(sort);
      if (it == binding.sort_fields.end()) {
        return api::MakeApiError(api::kErrorValidation,
                                 "sorting this list by " + sort + " is not supported yet", "sort");
      }
      query.sort = store::SortOrder{it->second, descending};
      continue;
    }
    auto mapper = binding.filters.find(name);
    if (mapper == binding.filters.end()) {
      return api::MakeApiError(api::kErrorValidation,
                               "the filter " + name + " is not supported by this list yet", name);
    }
    if (std::optional<api::ApiError> error = mapper->second(name, value, &query.filters)) {
      return std::move(*error);
    }
  }
  query.limit = std::clamp<int64_t>(query.limit, 1, store::ListQuery::kMaxLimit);
  return query;
}

HttpResponse ListErrorResponse(const Status& status, std::string_view request_id) {
  if (status.code() != StatusCode::kInvalidArgument) {
    return ErrorResponseForStatus(status, request_id);
  }
  std::string_view message = status.message();
  std::string field;
  for (std::string_view name : {"limit", "sort", "cursor"}) {
    if (message.find(name) != std::string_view::npos) {
      field = std::string(name);
      break;
    }
  }
  return ErrorResponse(api::kErrorValidation, message, field);
}

ExportWriter::ExportWriter(HttpResponder responder, Format format, std::string file_name,
                           std::vector<std::string> columns)
    : responder_(std::move(responder)),
      format_(format),
      file_name_(std::move(file_name)),
      columns_(std::move(columns)) {}

std::string ExportWriter::CsvLine(const std::vector<std::string>& columns, const Json& row) {
  std::string line;
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i > 0) line += ',';
    auto it = row.find(columns[i]);
    if (it != row.end()) line += CsvField(CellText(*it));
  }
  line += "\r\n";
  return line;
}

void ExportWriter::WriteHeader() {
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (i > 0) buffer_ += ',';
    buffer_ += CsvField(columns_[i]);
  }
  buffer_ += "\r\n";
  header_written_ = true;
}

Status ExportWriter::TextRow(const std::function<void(RowText&)>& fill) {
  if (!text_) {
    text_.emplace(format_ == Format::kCsv ? RowText::Mode::kCsv : RowText::Mode::kJson, columns_);
  }
  if (format_ == Format::kCsv && !header_written_) WriteHeader();
  text_->Begin(buffer_);
  fill(*text_);
  text_->End();
  if (format_ == Format::kJsonl) buffer_ += '\n';
  if (buffer_.size() >= kChunkBytes) return Flush();
  return Status::Ok();
}

Status ExportWriter::Row(const Json& row) {
  if (format_ == Format::kCsv) {
    if (!header_written_) {
      if (columns_.empty() && row.is_object()) {
        for (const auto& [key, value] : row.items()) columns_.push_back(key);
      }
      WriteHeader();
    }
    buffer_ += CsvLine(columns_, row);
  } else {
    buffer_ += row.dump(-1, ' ', false, Json::error_handler_t::replace);
    buffer_ += '\n';
  }
  if (buffer_.size() >= kChunkBytes) return Flush();
  return Status::Ok();
}

Status ExportWriter::Flush() {
  if (!writer_) {
    HttpResponse head;
    head.status = 200;
    head.headers.Set("Content-Type",
                     format_ == Format::kCsv ? "text/csv; charset=utf-8" : "application/x-ndjson");
    head.headers.Set("Content-Disposition", "attachment; filename=\"" + file_name_ + "\"");
    Result<HttpStreamWriter> started = responder_.StartStream(std::move(head));
    if (!started.ok()) return started.status();
    writer_.emplace(std::move(started).value());
  }
  if (buffer_.empty()) return Status::Ok();
  Status written = writer_->Write(buffer_);
  buffer_.clear();
  return written;
}

Status ExportWriter::Finish() {
  if (format_ == Format::kCsv && !header_written_ && !columns_.empty()) WriteHeader();
  RETURN_IF_ERROR(Flush());
  return writer_->Finish();
}

void ExportWriter::Fail(HttpResponse error) {
  if (!writer_) {
    responder_.Send(std::move(error));
    return;
  }
  // Destroying an unfinished writer aborts the body.
  writer_.reset();
}

}  // namespace warden::server

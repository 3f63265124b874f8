// How every list operation of the API reads its store list and answers:
//
//   BuildListQuery  the validated parameters (ApiCall::params) → a
//                   store::ListQuery: `limit` (default 100, 1..10000 — the
//                   spec's bounds), `cursor` as given, `sort=field|-field`
//                   mapped to the store's field names, and every other
//                   parameter through the list's FilterMapper. A parameter the
//                   list cannot map yet (a sort field or filter the store does
//                   not index) is refused with 422 naming it, never ignored:
//                   an ignored filter would widen a list or an export.
//   PageJson        a store page as {"items": [...], "next_cursor", "total"}
//                   with a row → JSON function (generic over the row type)
//   PageResponse    the same page as a 200 answer; with a row → RowText
//                   renderer (a function of (row, RowText&)) the body is
//                   written as text, never as a document (a 10,000-row page
//                   of problems would be ~90 MB of JSON nodes)
//   StreamExport    `/export?format=csv|jsonl`: every row of the filtered
//                   list, streamed through HttpResponder in chunks of about
//                   64 KiB while the store walks its pages, so memory stays at
//                   one store page plus one chunk however long the list is.
//                   CSV has a header row; each cell is CsvField (RFC 4180,
//                   and a cell starting with = + - @ TAB or CR gets a leading
//                   ' so spreadsheets never evaluate it); nested values are
//                   JSON text. JSON lines: one item object per line, the same
//                   JSON as in a page. A RowText renderer writes each row
//                   straight to the chunk (server/row_text.h).
//
// Errors of the store's list (a cursor of another list or sort) become 422
// E_VALIDATION naming the parameter. Not here: which lists exist (handlers)
// or SQL (the store).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "api/api_error.h"
#include "core/finding.h"  // Json
#include "core/status.h"
#include "server/api_call.h"
#include "server/http_json.h"
#include "server/http_responder.h"
#include "server/row_text.h"
#include "store/list_query.h"

namespace warden::server {

// Turns one parameter's typed value into store filters (appended to `out`);
// returns the error to answer with when it cannot.
using FilterMapper = std::function<std::optional<api::ApiError>(
    std::string_view param, const Json& value, std::vector<store::FieldFilter>* out)>;

struct ListBinding {
  // Sort names of the spec ("hostname") → the store's field ("hostname");
  // a spec sort field missing here is refused (422) until the store has it.
  std::map<std::string, std::string, std::less<>> sort_fields;
  // Filter parameters by name.
  std::map<std::string, FilterMapper, std::less<>> filters;
};

// `param=value` → field eq value (strings, integers; booleans as 0/1).
FilterMapper EqualsFilter(std::string field);
// A list of enum values (`?state=active,revoked`): one value → eq; every
// value but one → ne that one; every value → no filter; otherwise any of
// them (eq each).
FilterMapper OneOfFilter(std::string field, std::vector<std::string> domain);
// A list whose values each map to a conjunction of filters (the state of a
// credential is a combination of revoked/expired conditions): one value
// only, else 422 naming the parameter.
FilterMapper ChoiceFilter(
    std::map<std::string, std::vector<store::FieldFilter>, std::less<>> choices);
// An RFC 3339 time → field `op` epoch milliseconds.
FilterMapper TimeFilter(std::string field, store::FilterOp op);
// A list of text values (label, action, rule id): any of them (eq each).
FilterMapper AnyValueFilter(std::string field);
// Ids of the API (decimal strings) over an integer field: any of them; an id
// that is not a positive integer → 422 naming the parameter.
FilterMapper IdFilter(std::string field);
// Enum values stored as integer ranks (risk level, severity), as
// OneOfFilter does with their ranks.
FilterMapper RankOneOfFilter(std::string field, std::map<std::string, int64_t, std::less<>> ranks);
// One enum value → field ge its rank (min_risk_level, min_severity).
FilterMapper MinRankFilter(std::string field, std::map<std::string, int64_t, std::less<>> ranks);
// A list of integers (ports): any of them.
FilterMapper AnyIntegerFilter(std::string field);
// `q`: the text anywhere in any of `fields` (text fields), ignoring case.
FilterMapper TextSearchFilter(std::vector<std::string> fields);
// A number with one decimal (a CVSS score) over a field that keeps it
// times ten as an integer: field ge the value's tenths, rounded up.
FilterMapper MinTenthsFilter(std::string field);

// The store query for a list or export call; the error to answer otherwise.
std::variant<store::ListQuery, api::ApiError> BuildListQuery(const ApiCall& call,
                                                             const ListBinding& binding);

// A store error of List/Export as the API error to answer with:
// InvalidArgument → 422 E_VALIDATION naming limit/sort/cursor/filter;
// anything else → ErrorResponseForStatus's mapping.
HttpResponse ListErrorResponse(const Status& status, std::string_view request_id);

template <typename T, typename ToJson>
Json PageJson(const store::ListPage<T>& page, ToJson&& to_json) {
  Json items = Json::array();
  for (const T& item : page.items) items.push_back(to_json(item));
  Json body = Json::object();
  body["items"] = std::move(items);
  body["next_cursor"] = page.next_cursor ? Json(*page.next_cursor) : Json(nullptr);
  body["total"] = page.total;
  return body;
}

// Whether `render` writes a row of type T into a RowText (else it returns Json).
template <typename T, typename Render>
inline constexpr bool kRendersText = std::is_invocable_v<Render&, const T&, RowText&>;

// A page's body as text: {"items":[...],"next_cursor":...,"total":N}.
template <typename T, typename Render>
std::string PageText(const store::ListPage<T>& page, Render&& render) {
  std::string body = "{\"items\":[";
  RowText row(RowText::Mode::kJson);
  for (size_t i = 0; i < page.items.size(); ++i) {
    if (i > 0) body += ',';
    row.Begin(body);
    render(page.items[i], row);
    row.End();
  }
  body += "],\"next_cursor\":";
  if (page.next_cursor)
    RowText::AppendJsonString(body, *page.next_cursor);
  else
    body += "null";
  body += ",\"total\":" + std::to_string(page.total) + "}";
  return body;
}

// 200 with the page: rendered as text for a RowText renderer, else as PageJson.
template <typename T, typename Render>
HttpResponse PageResponse(const store::ListPage<T>& page, Render&& render) {
  if constexpr (kRendersText<T, Render>) {
    HttpResponse response;
    response.status = 200;
    response.headers.Set("Content-Type", "application/json");
    response.body = PageText(page, render);
    return response;
  } else {
    return JsonResponse(200, PageJson(page, render));
  }
}

// Writes an export's body: the header row or nothing, then rows, buffered
// into chunks; starts the chunked response with the first chunk, so an error
// before any row can still be answered as an error. Worker threads only.
class ExportWriter {
 public:
  enum class Format { kCsv, kJsonl };
  static constexpr size_t kChunkBytes = 64 * 1024;

  // `columns`: the CSV header; empty = the keys of the first row.
  ExportWriter(HttpResponder responder, Format format, std::string file_name,
               std::vector<std::string> columns);
  // Fails once the client is gone: stop producing rows then.
  Status Row(const Json& row);
  // A row rendered by `fill` into a RowText (needs the columns for CSV).
  Status TextRow(const std::function<void(RowText&)>& fill);
  // Sends what is buffered and ends the body (an empty list gets a 200 with
  // the CSV header, or nothing for JSON lines).
  Status Finish();
  // Before any byte went out: answers with the error instead. After: cuts
  // the body short (the client sees a truncated transfer, never a 200 that
  // looks complete).
  void Fail(HttpResponse error);
  bool started() const { return writer_.has_value(); }

  // One CSV line (with "\r\n") of `row`'s values under `columns`.
  static std::string CsvLine(const std::vector<std::string>& columns, const Json& row);

 private:
  Status Flush();

  HttpResponder responder_;
  Format format_;
  std::string file_name_;
  std::vector<std::string> columns_;
  bool header_written_ = false;
  void WriteHeader();

  std::string buffer_;
  std::optional<RowText> text_;
  std::optional<HttpStreamWriter> writer_;
};

// Streams every row of the list `query` selects (its limit is ignored) in
// the call's `format`. `export_rows` is the repository's Export.
template <typename T, typename ExportFn, typename ToJson>
void StreamExport(const ApiCall& call, HttpResponder responder, const std::string& file_base,
                  std::vector<std::string> columns, const store::ListQuery& query,
                  ExportFn&& export_rows, ToJson&& to_json) {
  const bool csv = call.params.value("format", std::string("csv")) == "csv";
  ExportWriter out(std::move(responder),
                   csv ? ExportWriter::Format::kCsv : ExportWriter::Format::kJsonl,
                   file_base + (csv ? ".csv" : ".jsonl"), std::move(columns));
  Status status = export_rows(query, [&](const T& row) {
    if constexpr (kRendersText<T, ToJson>) {
      return out.TextRow([&](RowText& text) { to_json(row, text); });
    } else {
      return out.Row(to_json(row));
    }
  });
  if (!status.ok()) {
    out.Fail(ListErrorResponse(status, call.http != nullptr ? call.http->id : ""));
    return;
  }
  (void)out.Finish();
}

}  // namespace warden::server

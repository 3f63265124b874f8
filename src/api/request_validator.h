// ValidateRequest checks one request against its operation in the spec and
// hands back typed values, or the API error to answer with:
//
//   path parameters   each against its schema; a value that cannot exist
//                     (too long, wrong form) is 404 E_NOT_FOUND naming it
//   query parameters  unknown names are refused (422, so a misspelt filter
//                     never widens a list or a bulk action); strings are
//                     coerced to the declared type (integer, number,
//                     boolean true/false, arrays comma-separated or
//                     repeated as the spec's `explode` says) and validated;
//                     a scalar given twice is refused; defaults filled in
//   header parameters the first value, coerced and validated likewise
//   body              size limit (413), Content-Type among the declared
//                     media types (415), JSON syntax and nesting <= 64
//                     levels (400 E_INVALID_JSON), then the schema (422
//                     E_VALIDATION with `field` the JSON pointer); a body on
//                     an operation that takes none is 422
//
// Every E_VALIDATION names the field (parameter name or JSON pointer) and
// says what is wrong. Authentication and authorisation are not checked here
// (the server does that before, with Operation::roles), nor is anything that
// needs the store (does the host exist).
//
// The request is described by ApiRequest, a view over the server's own
// request type (strings and lists of pairs), so src/api needs nothing from
// src/server. Thread-safe: only reads the spec.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "api/api_error.h"
#include "api/openapi_spec.h"
#include "core/finding.h"  // Json

namespace warden::api {

using StringPairs = std::span<const std::pair<std::string, std::string>>;

// A view of one request; nothing is copied. Values are as the server's
// HttpRequest has them.
struct ApiRequest {
  // Decoded {name} values of the matched template (router or
  // OpenApiSpec::Match).
  StringPairs path_params;
  // Decoded query parameters in order; a repeated key once per value.
  StringPairs query;
  // Header fields; names compare case-insensitively.
  StringPairs headers;
  std::string_view body;
};

struct ValidatedRequest {
  // Parameter name → typed value (integer, number, boolean, string or an
  // array of them) for every parameter given or having a default; absent
  // optional parameters without a default are not in it.
  Json params = Json::object();
  // The parsed JSON body; nullopt when none was sent or the media type is
  // not JSON (the handler reads the raw body then).
  std::optional<Json> body;
};

// nullopt when the request is valid (then `*out` is filled); otherwise the
// error to answer with.
[[nodiscard]] std::optional<ApiError> ValidateRequest(const Operation& operation,
                                                      const ApiRequest& request,
                                                      ValidatedRequest* out);

// JSON nesting (arrays and objects) deeper than this is refused before
// parsing: handlers and the store serialise bodies recursively.
inline constexpr int kMaxJsonDepth = 64;

// The media type of a Content-Type value, lower-cased, without parameters:
// "Application/JSON; charset=utf-8" → "application/json".
std::string MediaTypeOf(std::string_view content_type);

}  // namespace warden::api

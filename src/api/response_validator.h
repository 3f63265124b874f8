// ValidateResponse checks that an answer matches the contract: the status is
// one the operation declares, the Content-Type is one declared for it, and a
// JSON body validates against that status's schema (JSON lines: every line is
// a JSON object). For tests, which run every response of the end-to-end suite
// through it; the server does not check its own answers at run time.
#pragma once

#include <string_view>

#include "api/openapi_spec.h"
#include "core/finding.h"  // Json
#include "core/status.h"

namespace warden::api {

// OK when the response matches; InvalidArgument naming the operation, the
// status and the first mismatch ("getHost 200: /counts/open_problems: must
// be integer (got string)") otherwise.
Status ValidateResponse(const Operation& operation, int status, std::string_view content_type,
                        std::string_view body);

// The same for a JSON body already parsed (Content-Type application/json).
Status ValidateResponseJson(const Operation& operation, int status, const Json& body);

}  // namespace warden::api

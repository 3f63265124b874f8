// LintOpenApiSpec checks the rules the API contract keeps, beyond what
// loading it needs. The test runs it on the embedded spec, so a change that
// breaks a rule fails the build's tests with the rule and the place named.
//
// Document: `openapi` is 3.1.x; every $ref is local and resolves, none is
// recursive; every tag an operation uses is declared; paths are under
// /api/v1/ (or /healthz, /readyz, /metrics).
//
// Operations: a unique camelCase operationId, tags and a summary;
// x-warden-roles a list of admin/analyst/viewer/node without repeats; no
// roles exactly when `security: []`; node only alone, only with the nodeKey
// scheme and only under /api/v1/agent/; every unsafe method states
// x-warden-audit, no safe method is audited; every {name} of the path is a
// declared required path parameter and every declared path parameter is in
// the path; parameter names unique; at least one 2xx response; every 4xx/5xx
// answers the Error schema; authenticated operations declare 401 and 403,
// operations with path parameters 404, with query parameters, a body or an
// unsafe method 422, with a body 415 (and 400 for JSON), with
// x-warden-max-body-bytes 413.
//
// Lists and exports: an operation answering {items, next_cursor, total} takes
// limit (integer 1..10000, default 100), cursor and sort (an enum with every
// field both ways and a default), and has a GET <path>/export twin taking the
// same filters and sort plus format, answering text/csv and
// application/x-ndjson; every /export has its list.
//
// Schemas: only keywords valijson's draft 7 and OpenAPI 3.1 read alike (no
// nullable, prefixItems, $defs, dependentRequired, unevaluated*,
// discriminator, example, patternProperties); `type` is a type name or a list
// of them ("null" only in a list); format and pattern only on strings with a
// maxLength of at most 2048, patterns valid ECMAScript; only annotations
// beside a $ref; `required` names declared properties when
// additionalProperties is false; a default is one of its enum's values.
#pragma once

#include <string>
#include <vector>

#include "core/finding.h"  // Json

namespace warden::api {

// Every broken rule as "<where>: <what>"; empty when the spec keeps them all.
std::vector<std::string> LintOpenApiSpec(const Json& document);

}  // namespace warden::api

// JsonSchema: one compiled JSON Schema (draft 7, the subset the OpenAPI spec
// uses) and validation of JSON values against it, with the first violation
// named by JSON pointer and said in words. valijson does the validation; it is
// confined to json_schema.cc (its headers are heavy, it throws, and by default
// it aborts on errors).
//
// Two guards make validation safe on untrusted values:
// - valijson checks `format` and `pattern` with std::regex, whose recursion
//   overflows the stack on long strings (a 100,000-digit "date-time" crashes
//   it). Compile therefore insists that every schema with `format` or
//   `pattern` also has a `maxLength`, and rewrites it so that the regex only
//   runs on strings that passed the length check (if: {type: string,
//   maxLength} then: {format, pattern}).
// - Validation first runs without collecting errors (stops at the first
//   failing constraint); only a failing value is validated again to explain
//   why.
//
// Not done here: $ref resolution (the caller inlines references first; a
// schema that still has a $ref is refused) and type coercion of query strings
// (request_validator.cc). A JsonSchema is immutable after Compile and may be
// used from any thread.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "core/finding.h"  // Json
#include "core/status.h"

namespace warden::api {

struct SchemaViolation {
  std::string pointer;  // JSON pointer of the offending value ("" = the value itself)
  std::string message;  // what is wrong, without the pointer: "must be an integer"
};

class JsonSchema {
 public:
  ~JsonSchema();
  JsonSchema(const JsonSchema&) = delete;
  JsonSchema& operator=(const JsonSchema&) = delete;

  // InvalidArgument naming the schema location for a schema valijson cannot
  // read, a $ref left in it, or a format/pattern without maxLength (or with a
  // pattern std::regex rejects).
  static Result<std::shared_ptr<const JsonSchema>> Compile(const Json& schema);

  // nullopt when `value` is valid. Otherwise the most specific violation:
  // the deepest pointer, so a wrong member of an item of an array is named
  // rather than the array. Strings in `value` must be valid UTF-8: valijson's
  // length checks read past the end of a truncated sequence. nlohmann's
  // parser guarantees it for bodies; request_validator checks parameters.
  // Must not be called on a value that is being modified.
  std::optional<SchemaViolation> Validate(const Json& value) const;

  // The schema as given to Compile (before the format/pattern rewrite).
  const Json& schema() const { return schema_; }

 private:
  struct Compiled;
  JsonSchema(Json schema, std::unique_ptr<Compiled> compiled);

  Json schema_;
  std::unique_ptr<Compiled> compiled_;
};

// The pointer token form of a member name (RFC 6901: '~' → "~0", '/' → "~1").
std::string EscapeJsonPointerToken(std::string_view token);

}  // namespace warden::api

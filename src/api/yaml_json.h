// YAML text to JSON, for documents that are JSON written as YAML (the OpenAPI
// spec). Plain scalars are typed by the YAML 1.2 core schema: null, ~ and an
// empty value are null; true/false (any case of the first letter) booleans;
// decimal, 0x and 0o integers; decimal floats, .inf and .nan numbers; anything
// else a string. Quoted and block scalars are always strings, so "200" and
// "null" stay strings. Mapping keys must be scalars and are strings; a
// duplicated key is an error (YAML forbids it and JSON would keep only one).
// Aliases are expanded; merge keys (<<) are not supported.
//
// Meant for trusted, moderate input (files in this repository): nesting is
// limited to 256 levels, but there is no size limit and no bounded reader.
#pragma once

#include <string_view>

#include "core/finding.h"  // Json
#include "core/status.h"

namespace warden::api {

// ParseError naming line:column for malformed YAML, duplicate keys, non-scalar
// keys and nesting beyond the limit; `source` names the text in messages.
Result<Json> YamlToJson(std::string_view text, std::string_view source);

}  // namespace warden::api

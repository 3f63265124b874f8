// OpenApiSpec: the API contract (api/openapi.yaml) loaded into an operation
// table the server routes, authorises and validates with, and tests check
// responses against.
//
// Where the spec comes from: the YAML text is compiled into the binary at
// build time (cmake/embed_text.cmake writes it into a generated .cc as string
// literals) and parsed with yaml-cpp at first use. The alternative, turning
// it into JSON or C++ tables at build time, needs a generator program built
// and run for the build machine before warden_api (and again for every
// preset); embedding the text needs only CMake and keeps the YAML file the
// one source. The price is paid once per process, at first use: about 0.3 s
// of CPU on the 2-vCPU development VM (yaml-cpp's parse of the 160 KB file
// about half, compiling its ~800 schemas the rest). The spec is converted to
// JSON once (document()/json_text(), served as /api/v1/openapi.json).
//
// Loading resolves every $ref (parameters, request bodies, responses,
// schemas) into self-contained schemas and compiles each with JsonSchema:
// query, path and header parameter schemas, the JSON request body schema,
// and each response's JSON schema by status. It fails on what would make the
// table wrong (a $ref that does not resolve or is recursive, a malformed path
// template, two templates for the same requests, a missing operationId, an
// unknown role); style rules are spec_lint.h's job.
//
// An OpenApiSpec is immutable after loading; any thread may read it.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/json_schema.h"
#include "api/path_template.h"
#include "auth/role.h"
#include "core/finding.h"  // Json
#include "core/status.h"

namespace warden::api {

// Who may call an operation: the three user roles and a host's node key.
// The one Role type is src/auth's, with its policy (auth::MayCall).
using auth::Role;

// Bodies larger than this get 413 unless the operation sets
// x-warden-max-body-bytes (the server's default route limit).
inline constexpr size_t kDefaultMaxBodyBytes = 1024 * 1024;

enum class ParameterLocation { kPath, kQuery, kHeader };

struct Parameter {
  std::string name;
  ParameterLocation in = ParameterLocation::kQuery;
  bool required = false;
  // Query arrays: true = one value per repeated key (?a=1&a=2, OpenAPI's
  // default), false = comma-separated (?a=1,2).
  bool explode = true;
  // The JSON type strings are coerced to: "string", "integer", "number",
  // "boolean" or "array" (then `item_type` is one of the scalar four).
  std::string type;
  std::string item_type;
  std::shared_ptr<const JsonSchema> schema;  // resolved; never null
};

// One media type of a request or response body. `schema` is null for
// non-JSON media (text/csv, application/octet-stream, ...), which are not
// validated beyond their type.
struct MediaSchema {
  std::string media_type;
  std::shared_ptr<const JsonSchema> schema;
};

struct Operation {
  std::string method;        // "GET", "POST", ...
  std::string path;          // the template: "/api/v1/hosts/{host_id}"
  std::string operation_id;  // "getHost"
  std::vector<std::string> tags;
  std::string summary;
  // x-warden-roles. Empty for unauthenticated operations.
  std::vector<Role> roles;
  // False when the operation sets `security: []` (no credentials at all).
  bool authenticated = true;
  // osquery's TLS remote API (tag `osquery`): failures answer osquery's
  // shape, {"error": "...", "node_invalid": ...}, never the error envelope.
  bool osquery = false;
  // security: [{osqueryNodeKey: []}]: the credential is the `node_key`
  // member of the JSON body, as osquery sends it; headers are not read.
  bool node_key_in_body = false;
  // x-warden-audit: recorded in the audit log.
  bool audit = false;
  size_t max_body_bytes = kDefaultMaxBodyBytes;
  // x-warden-timeout-seconds: how long the body may take to arrive and the
  // handler to answer (a feed upload); 0 = the server's request and
  // response timeouts.
  int64_t timeout_seconds = 0;
  std::vector<Parameter> parameters;
  bool body_required = false;
  std::vector<MediaSchema> body;  // empty: the operation takes no body
  // Status → the media types answered with it (empty: no body, e.g. 204).
  std::map<int, std::vector<MediaSchema>> responses;

  // auth::MayCall over `roles`: an admin may do what an analyst may; a
  // node key reaches only operations naming `node`.
  bool Allows(Role role) const;
  const Parameter* FindParameter(std::string_view name) const;
  // The media type entry of a response status, or nullptr.
  const MediaSchema* FindResponse(int status, std::string_view media_type) const;
};

// The result of looking up a request's method and path.
struct OperationMatch {
  enum class Kind { kFound, kNoSuchPath, kMethodNotAllowed };
  Kind kind = Kind::kNoSuchPath;
  const Operation* operation = nullptr;      // set when kFound
  PathParams path_params;                    // decoded, in template order
  std::vector<std::string> allowed_methods;  // set when kMethodNotAllowed
};

class OpenApiSpec {
 public:
  // Parses and loads a spec; `source` names it in error messages.
  static Result<std::unique_ptr<OpenApiSpec>> FromYaml(std::string_view text,
                                                       std::string_view source);
  static Result<std::unique_ptr<OpenApiSpec>> FromJson(Json document);
  // The spec compiled into this binary, loaded once on first call (thread
  // safe); the same pointer every time. An error here is a build defect:
  // tests load the embedded spec, so it never ships broken.
  static Result<const OpenApiSpec*> Embedded();

  // The whole document as JSON, and serialised compactly.
  const Json& document() const { return document_; }
  const std::string& json_text() const { return json_text_; }

  const std::vector<Operation>& operations() const { return operations_; }
  const Operation* FindById(std::string_view operation_id) const;

  // The operation for `method` and a raw (percent-encoded, no query) path.
  // Exact (literal) segments beat {parameters}; HEAD falls back to GET.
  OperationMatch Match(std::string_view method, std::string_view raw_path) const;

 private:
  // Only default-constructs its members; the check sees the allocations
  // of std::string and Json, where bad_alloc ends the process anyway.
  OpenApiSpec() = default;  // NOLINT(bugprone-exception-escape)
  Status Build();

  struct PathEntry {
    PathTemplate path;
    std::vector<size_t> operations;  // indexes into operations_
  };

  Json document_;
  std::string json_text_;
  std::vector<Operation> operations_;
  std::vector<PathEntry> paths_;
};

// The JSON value at `pointer` ("#/components/schemas/Host" or
// "/components/schemas/Host") in `document`, or nullptr.
const Json* ResolveJsonPointer(const Json& document, std::string_view pointer);

// `node` with every {"$ref": "#/..."} replaced by a copy of its (resolved)
// target, recursively. InvalidArgument naming the reference for one that
// does not resolve, is not local or is recursive. Members beside a $ref are
// dropped (OpenAPI allows only annotations there; spec_lint checks that).
Result<Json> InlineRefs(const Json& node, const Json& document);

}  // namespace warden::api

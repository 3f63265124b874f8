#include "api/spec_lint.h"

#include <algorithm>
#include <cctype>
#include <exception>
#include <initializer_list>
#include <map>
#include <regex>
#include <set>
#include <string_view>

#include "api/json_schema.h"  // EscapeJsonPointerToken
#include "api/openapi_spec.h"
#include "api/path_template.h"
#include "auth/role.h"

namespace warden::api {
namespace {

constexpr const char* kMethods[] = {"get", "put", "post", "delete", "patch", "head", "options"};

const std::set<std::string_view>& AllowedSchemaKeywords() {
  static const std::set<std::string_view> kAllowed = {
      "type",
      "enum",
      "const",
      "properties",
      "required",
      "additionalProperties",
      "items",
      "minItems",
      "maxItems",
      "uniqueItems",
      "minLength",
      "maxLength",
      "minimum",
      "maximum",
      "exclusiveMinimum",
      "exclusiveMaximum",
      "multipleOf",
      "minProperties",
      "maxProperties",
      "pattern",
      "format",
      "allOf",
      "anyOf",
      "oneOf",
      "not",
      "if",
      "then",
      "else",
      "$ref",
      "description",
      "title",
      "default",
      "examples",
      "deprecated",
      "readOnly",
      "writeOnly",
      "contentMediaType",
      "contentEncoding",
      "contains",
  };
  return kAllowed;
}

// Why a keyword is refused, for the ones people reach for.
std::string WhyRefused(std::string_view keyword) {
  if (keyword == "nullable") return "use type: [T, \"null\"] (nullable is OpenAPI 3.0)";
  if (keyword == "example") return "use examples (example is OpenAPI 3.0)";
  if (keyword == "patternProperties") {
    return "its regexes would run on unbounded member names (std::regex recursion)";
  }
  return "the validator (valijson, draft 7) does not read it the way OpenAPI 3.1 does";
}

const std::set<std::string_view>& RefSiblingAnnotations() {
  static const std::set<std::string_view> kAnnotations = {"description", "title",     "deprecated",
                                                          "readOnly",    "writeOnly", "examples"};
  return kAnnotations;
}

const std::set<std::string_view>& TypeNames() {
  static const std::set<std::string_view> kTypes = {"string", "integer", "number", "boolean",
                                                    "object", "array",   "null"};
  return kTypes;
}

// The member at `path` below `node`, or nullptr when any step is missing.
const Json* Get(const Json& node, std::initializer_list<const char*> path) {
  const Json* current = &node;
  for (const char* key : path) {
    if (!current->is_object()) return nullptr;
    auto it = current->find(key);
    if (it == current->end()) return nullptr;
    current = &*it;
  }
  return current;
}

bool IsTrue(const Json& node, const char* key) {
  const Json* v = Get(node, {key});
  return v != nullptr && v->is_boolean() && v->get<bool>();
}

bool IsUnsafe(std::string_view method) { return method != "get" && method != "head"; }

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

class Linter {
 public:
  explicit Linter(const Json& document) : doc_(document) {}

  std::vector<std::string> Run() {
    if (!doc_.is_object()) {
      Problem("document", "is not an object");
      return problems_;
    }
    std::string version =
        doc_.value("openapi", Json()).is_string() ? doc_["openapi"].get<std::string>() : "";
    if (version.rfind("3.1", 0) != 0) Problem("openapi", "must be 3.1.x (got '" + version + "')");
    CheckRefs(doc_, "#");
    if (doc_.contains("tags") && doc_["tags"].is_array()) {
      for (const Json& tag : doc_["tags"]) {
        if (tag.is_object() && tag.contains("name") && tag["name"].is_string()) {
          declared_tags_.insert(tag["name"].get<std::string>());
        }
      }
    }
    CheckComponentSchemas();
    if (!doc_.contains("paths") || !doc_["paths"].is_object()) {
      Problem("paths", "missing");
      return problems_;
    }
    const Json& paths = doc_["paths"];
    for (auto it = paths.begin(); it != paths.end(); ++it) CheckPath(it.key(), it.value());
    CheckListsAndExports();
    return problems_;
  }

 private:
  // Only strings, Json and maps, whose default constructors allocate at
  // most (bad_alloc ends the process anyway).
  struct OperationInfo {  // NOLINT(bugprone-exception-escape)
    std::string where;
    std::string path;
    Json resolved;                       // the operation with $refs inlined
    std::map<std::string, Json> params;  // name → resolved parameter
  };

  void Problem(const std::string& where, const std::string& what) {
    problems_.push_back(where + ": " + what);
  }

  // $refs anywhere: local and resolving.
  void CheckRefs(const Json& node, const std::string& pointer) {
    if (node.is_object()) {
      for (auto it = node.begin(); it != node.end(); ++it) {
        std::string child = pointer + "/" + EscapeJsonPointerToken(it.key());
        if (it.key() == "$ref") {
          if (!it.value().is_string()) {
            Problem(pointer, "$ref must be a string");
          } else {
            std::string target = it.value().get<std::string>();
            if (target.rfind("#/", 0) != 0) {
              Problem(pointer, "$ref '" + target + "' is not local (#/...)");
            } else if (ResolveJsonPointer(doc_, target) == nullptr) {
              Problem(pointer, "$ref '" + target + "' does not resolve");
            }
          }
        } else {
          CheckRefs(it.value(), child);
        }
      }
    } else if (node.is_array()) {
      for (size_t i = 0; i < node.size(); ++i)
        CheckRefs(node[i], pointer + "/" + std::to_string(i));
    }
  }

  // Schemas of components: schemas themselves, and those inside parameters,
  // headers, responses and request bodies.
  void CheckComponentSchemas() {
    const Json* components = Get(doc_, {"components"});
    if (components == nullptr || !components->is_object()) return;
    if (const Json* schemas = Get(*components, {"schemas"})) {
      for (auto it = schemas->begin(); it != schemas->end(); ++it) {
        std::string where = "#/components/schemas/" + EscapeJsonPointerToken(it.key());
        CheckSchema(it.value(), where);
        Result<Json> inlined = InlineRefs(it.value(), doc_);
        if (!inlined.ok()) Problem(where, inlined.status().message());
      }
    }
    for (const char* kind : {"parameters", "headers"}) {
      const Json* entries = Get(*components, {kind});
      if (entries == nullptr || !entries->is_object()) continue;
      for (auto it = entries->begin(); it != entries->end(); ++it) {
        if (const Json* schema = Get(it.value(), {"schema"})) {
          CheckSchema(*schema, std::string("#/components/") + kind + "/" +
                                   EscapeJsonPointerToken(it.key()) + "/schema");
        }
      }
    }
    for (const char* kind : {"responses", "requestBodies"}) {
      const Json* entries = Get(*components, {kind});
      if (entries == nullptr || !entries->is_object()) continue;
      for (auto it = entries->begin(); it != entries->end(); ++it) {
        CheckContentSchemas(it.value(), std::string("#/components/") + kind + "/" +
                                            EscapeJsonPointerToken(it.key()));
      }
    }
  }

  // One schema and its subschemas (not following $refs: components are
  // checked on their own).
  void CheckSchema(const Json& schema, const std::string& where) {
    if (schema.is_boolean()) return;
    if (!schema.is_object()) {
      Problem(where, "a schema must be an object");
      return;
    }
    if (schema.contains("$ref")) {
      for (auto it = schema.begin(); it != schema.end(); ++it) {
        if (it.key() != "$ref" && !RefSiblingAnnotations().count(it.key())) {
          Problem(where, "'" + it.key() +
                             "' beside $ref is ignored by the validator; only annotations may be "
                             "there");
        }
      }
      return;
    }
    for (auto it = schema.begin(); it != schema.end(); ++it) {
      if (!AllowedSchemaKeywords().count(it.key()) && it.key().rfind("x-", 0) != 0) {
        Problem(where, "keyword '" + it.key() + "' is not allowed: " + WhyRefused(it.key()));
      }
    }
    bool allows_string = false;
    if (schema.contains("type")) {
      const Json& type = schema["type"];
      if (type.is_string()) {
        std::string t = type.get<std::string>();
        if (t == "null") Problem(where, "type \"null\" alone; use const: null or a type list");
        if (!TypeNames().count(t)) Problem(where, "unknown type '" + t + "'");
        allows_string = t == "string";
      } else if (type.is_array() && !type.empty()) {
        for (const Json& t : type) {
          if (!t.is_string() || !TypeNames().count(t.get<std::string>())) {
            Problem(where, "unknown type " + t.dump() + " (a YAML null must be quoted: \"null\")");
          } else if (t.get<std::string>() == "string") {
            allows_string = true;
          }
        }
      } else {
        Problem(where, "type must be a type name or a non-empty list of them");
      }
    }
    if (schema.contains("format") || schema.contains("pattern")) {
      const Json max = schema.value("maxLength", Json());
      if (!allows_string) Problem(where, "format/pattern on a schema that is not a string");
      if (!max.is_number_integer() || max.get<int64_t>() > 2048) {
        Problem(where,
                "format/pattern needs maxLength of at most 2048 (the validator's regexes "
                "recurse per character)");
      }
      if (schema.contains("pattern")) {
        try {
          std::regex check(schema["pattern"].get<std::string>());
        } catch (const std::exception& e) {
          Problem(where, std::string("pattern is not a valid ECMAScript regex: ") + e.what());
        }
      }
    }
    if (schema.contains("required") && schema.value("additionalProperties", Json()) == false) {
      const Json properties = schema.value("properties", Json::object());
      for (const Json& name : schema["required"]) {
        if (name.is_string() && !properties.contains(name.get<std::string>())) {
          Problem(where, "requires '" + name.get<std::string>() +
                             "', which additionalProperties: false does not allow");
        }
      }
    }
    if (schema.contains("enum")) {
      if (!schema["enum"].is_array() || schema["enum"].empty()) {
        Problem(where, "enum must be a non-empty list");
      } else if (schema.contains("default") && !schema["default"].is_array()) {
        const Json& values = schema["enum"];
        if (std::find(values.begin(), values.end(), schema["default"]) == values.end()) {
          Problem(where, "default " + schema["default"].dump() + " is not one of the enum values");
        }
      }
    }
    if (schema.contains("properties") && schema["properties"].is_object()) {
      const Json& properties = schema["properties"];
      for (auto p = properties.begin(); p != properties.end(); ++p) {
        CheckSchema(p.value(), where + "/properties/" + EscapeJsonPointerToken(p.key()));
      }
    }
    for (const char* k :
         {"additionalProperties", "items", "not", "if", "then", "else", "contains"}) {
      if (schema.contains(k) && (schema[k].is_object() || schema[k].is_boolean())) {
        CheckSchema(schema[k], where + "/" + k);
      }
    }
    for (const char* k : {"allOf", "anyOf", "oneOf"}) {
      if (!schema.contains(k)) continue;
      if (!schema[k].is_array() || schema[k].empty()) {
        Problem(where, std::string(k) + " must be a non-empty list");
        continue;
      }
      for (size_t i = 0; i < schema[k].size(); ++i) {
        CheckSchema(schema[k][i], where + "/" + k + "/" + std::to_string(i));
      }
    }
  }

  // Schemas inside content maps and parameters of an operation (raw, not
  // inlined: component schemas are checked on their own).
  void CheckContentSchemas(const Json& holder, const std::string& where) {
    const Json* resolved = &holder;
    if (holder.contains("$ref") && holder["$ref"].is_string()) {
      resolved = ResolveJsonPointer(doc_, holder["$ref"].get<std::string>());
      if (resolved == nullptr) return;
    }
    if (!resolved->is_object() || !resolved->contains("content")) return;
    const Json& content = (*resolved)["content"];
    if (!content.is_object()) return;
    for (auto it = content.begin(); it != content.end(); ++it) {
      if (it.value().is_object() && it.value().contains("schema")) {
        CheckSchema(it.value()["schema"], where + " " + it.key());
      }
    }
  }

  void CheckPath(const std::string& path, const Json& item) {
    const std::string path_where = "path " + path;
    if (path.rfind("/api/v1/", 0) != 0 && path != "/healthz" && path != "/readyz" &&
        path != "/metrics") {
      Problem(path_where, "must be under /api/v1/ (or be /healthz, /readyz, /metrics)");
    }
    Result<PathTemplate> parsed = PathTemplate::Parse(path);
    if (!parsed.ok()) {
      Problem(path_where, parsed.status().message());
      return;
    }
    if (!item.is_object()) {
      Problem(path_where, "is not an object");
      return;
    }
    for (auto it = item.begin(); it != item.end(); ++it) {
      const std::string& key = it.key();
      bool known = key == "parameters" || key == "summary" || key == "description" ||
                   std::find(std::begin(kMethods), std::end(kMethods), key) != std::end(kMethods);
      if (!known) Problem(path_where, "unknown member '" + key + "'");
    }
    for (const char* method : kMethods) {
      if (item.contains(method)) CheckOperation(path, *parsed, item, method);
    }
  }

  void CheckOperation(const std::string& path, const PathTemplate& path_template, const Json& item,
                      const std::string& method) {
    const Json& op = item[method];
    std::string where = Upper(method) + " " + path;
    if (!op.is_object()) {
      Problem(where, "is not an object");
      return;
    }
    // Identity.
    std::string id =
        op.value("operationId", Json()).is_string() ? op["operationId"].get<std::string>() : "";
    if (id.empty()) {
      Problem(where, "no operationId");
    } else {
      where += " (" + id + ")";
      static const std::regex kCamel("^[a-z][A-Za-z0-9]*$");
      if (!std::regex_match(id, kCamel)) Problem(where, "operationId must be camelCase");
      if (!ids_.insert(id).second) Problem(where, "operationId is used by another operation");
    }
    if (!op.contains("tags") || !op["tags"].is_array() || op["tags"].empty()) {
      Problem(where, "no tags");
    } else {
      for (const Json& tag : op["tags"]) {
        if (!tag.is_string() || !declared_tags_.count(tag.get<std::string>())) {
          Problem(where, "tag " + tag.dump() + " is not declared in the top-level tags");
        }
      }
    }
    if (!op.value("summary", Json()).is_string() || op["summary"].get<std::string>().empty()) {
      Problem(where, "no summary");
    }

    // Roles, security, audit.
    std::vector<std::string> roles;
    if (!op.contains("x-warden-roles") || !op["x-warden-roles"].is_array()) {
      Problem(where,
              "x-warden-roles must be a list (use [] with security: [] for public operations)");
    } else {
      for (const Json& r : op["x-warden-roles"]) {
        if (!r.is_string() || !auth::ParseRole(r.get<std::string>()).ok()) {
          Problem(where, "unknown role " + r.dump() + " (admin, analyst, viewer, node)");
          continue;
        }
        if (std::find(roles.begin(), roles.end(), r.get<std::string>()) != roles.end()) {
          Problem(where, "role '" + r.get<std::string>() + "' listed twice");
        }
        roles.push_back(r.get<std::string>());
      }
    }
    const bool explicit_public =
        op.contains("security") && op["security"].is_array() && op["security"].empty();
    if (roles.empty() && !explicit_public) {
      Problem(where, "no roles but no `security: []`: say explicitly that it is public");
    }
    if (!roles.empty() && explicit_public) {
      Problem(where, "`security: []` (public) but x-warden-roles is not empty");
    }
    const bool node = std::find(roles.begin(), roles.end(), "node") != roles.end();
    const bool uses_node_key =
        op.contains("security") && op["security"].dump().find("\"nodeKey\"") != std::string::npos;
    // osquery's TLS remote API: the node key travels in the body.
    const bool uses_osquery_node_key =
        op.contains("security") &&
        op["security"].dump().find("\"osqueryNodeKey\"") != std::string::npos;
    if (node) {
      if (roles.size() != 1) Problem(where, "the node role reaches only the agent channel: alone");
      if (uses_osquery_node_key) {
        if (path.rfind("/api/v1/osquery/", 0) != 0)
          Problem(where, "osquery node operations live under /api/v1/osquery/");
      } else {
        if (!uses_node_key) Problem(where, "node operations need security: [{nodeKey: []}]");
        if (path.rfind("/api/v1/agent/", 0) != 0)
          Problem(where, "node operations live under /api/v1/agent/");
      }
    } else if (uses_node_key || uses_osquery_node_key) {
      Problem(where, "the nodeKey schemes are only for x-warden-roles: [node]");
    }
    if (IsUnsafe(method)) {
      if (!op.contains("x-warden-audit") || !op["x-warden-audit"].is_boolean()) {
        Problem(where, "unsafe method without x-warden-audit: true or false");
      }
    } else if (IsTrue(op, "x-warden-audit")) {
      Problem(where, "a safe method is not audited");
    }

    // Parameters (path-level merged with the operation's, resolved).
    OperationInfo info;
    info.where = where;
    info.path = path;
    Result<Json> resolved = InlineRefs(op, doc_);
    if (!resolved.ok()) {
      Problem(where, resolved.status().message());
      return;
    }
    info.resolved = std::move(resolved).value();
    std::vector<Json> params;
    if (item.contains("parameters")) {
      Result<Json> shared = InlineRefs(item["parameters"], doc_);
      if (shared.ok() && shared->is_array()) {
        for (const Json& p : *shared) params.push_back(p);
      }
    }
    if (info.resolved.contains("parameters") && info.resolved["parameters"].is_array()) {
      for (const Json& p : info.resolved["parameters"]) params.push_back(p);
    }
    std::set<std::string> path_params;
    bool has_query = false;
    for (const Json& p : params) {
      std::string name = p.value("name", Json()).is_string() ? p["name"].get<std::string>() : "";
      std::string in = p.value("in", Json()).is_string() ? p["in"].get<std::string>() : "";
      if (name.empty()) {
        Problem(where, "a parameter without a name");
        continue;
      }
      if (!p.contains("schema")) Problem(where, "parameter '" + name + "' has no schema");
      if (info.params.count(name)) Problem(where, "parameter '" + name + "' declared twice");
      info.params[name] = p;
      if (in == "path") {
        path_params.insert(name);
        if (!IsTrue(p, "required")) {
          Problem(where, "path parameter '" + name + "' must be required: true");
        }
      } else if (in == "query") {
        has_query = true;
      } else if (in != "header") {
        Problem(where, "parameter '" + name + "' is in '" + in + "' (path, query or header)");
      }
    }
    for (const std::string& name : path_template.ParameterNames()) {
      if (!path_params.count(name)) Problem(where, "path parameter {" + name + "} is not declared");
    }
    for (const std::string& name : path_params) {
      std::vector<std::string> names = path_template.ParameterNames();
      if (std::find(names.begin(), names.end(), name) == names.end()) {
        Problem(where, "declares path parameter '" + name + "' that is not in the path");
      }
    }
    // Raw schemas of this operation's own parameters, bodies and responses.
    if (op.contains("parameters") && op["parameters"].is_array()) {
      for (const Json& p : op["parameters"]) {
        if (p.is_object() && p.contains("schema")) CheckSchema(p["schema"], where + " parameter");
      }
    }
    if (op.contains("requestBody")) CheckContentSchemas(op["requestBody"], where + " body");
    if (op.contains("responses") && op["responses"].is_object()) {
      for (auto r = op["responses"].begin(); r != op["responses"].end(); ++r) {
        CheckContentSchemas(r.value(), where + " response " + r.key());
      }
    }

    // Responses.
    if (!info.resolved.contains("responses") || !info.resolved["responses"].is_object()) {
      Problem(where, "no responses");
      return;
    }
    const Json& responses = info.resolved["responses"];
    // osquery's API answers osquery's error shape, not the envelope.
    const bool osquery_wire =
        op.contains("tags") && op["tags"].dump().find("\"osquery\"") != std::string::npos;
    bool success = false;
    for (auto r = responses.begin(); r != responses.end(); ++r) {
      const std::string& code = r.key();
      if (code.size() != 3 || code.find_first_not_of("0123456789") != std::string::npos) {
        Problem(where, "response '" + code + "' is not a three-digit status");
        continue;
      }
      if (code[0] == '2') success = true;
      if (code[0] == '4' || code[0] == '5')
        CheckErrorResponse(where + " " + code, r.value(), osquery_wire);
    }
    if (!success) Problem(where, "no 2xx response");
    auto need = [&](const char* code, const std::string& why) {
      if (!responses.contains(code))
        Problem(where, std::string("must declare ") + code + " (" + why + ")");
    };
    const bool authenticated = !explicit_public;
    if (authenticated) {
      need("401", "authenticated");
      need("403", "authenticated");
    }
    if (!path_params.empty()) need("404", "path parameters");
    if (has_query) need("422", "query parameters");
    if (IsUnsafe(method)) need("422", "unsafe method: a body it does not take is refused");
    if (info.resolved.contains("requestBody")) {
      need("415", "request body");
      need("422", "request body");
      if (Get(info.resolved, {"requestBody", "content", "application/json"}) != nullptr) {
        need("400", "JSON request body");
      }
    }
    if (op.contains("x-warden-max-body-bytes")) need("413", "x-warden-max-body-bytes");
    operations_[Upper(method) + " " + path] = std::move(info);
  }

  void CheckErrorResponse(const std::string& where, const Json& response, bool osquery_wire) {
    const char* pointer =
        osquery_wire ? "#/components/schemas/OsqueryError" : "#/components/schemas/Error";
    const Json* error_schema = ResolveJsonPointer(doc_, pointer);
    if (error_schema == nullptr) {
      Problem(pointer, "missing (every error answers it)");
      return;
    }
    const Json* schema = Get(response, {"content", "application/json", "schema"});
    if (schema == nullptr) {
      Problem(where, "an error response must be application/json with the Error schema");
      return;
    }
    Result<Json> expected = InlineRefs(*error_schema, doc_);
    if (expected.ok() && *schema != *expected) {
      Problem(where, std::string("an error response must use ") + pointer);
    }
  }

  static bool IsListSchema(const Json& schema) {
    if (!schema.is_object() || !schema.contains("properties")) return false;
    const Json& p = schema["properties"];
    return p.contains("items") && p.contains("next_cursor") && p.contains("total");
  }

  void CheckListsAndExports() {
    for (const auto& [key, info] : operations_) {
      const Json* schema =
          Get(info.resolved, {"responses", "200", "content", "application/json", "schema"});
      const bool is_export =
          info.path.size() > 7 && info.path.substr(info.path.size() - 7) == "/export";
      if (is_export) {
        std::string list_key = "GET " + info.path.substr(0, info.path.size() - 7);
        auto list = operations_.find(list_key);
        if (list == operations_.end() || !IsListSchemaOf(list->second)) {
          Problem(info.where, "an export without its list (" + list_key + ")");
        }
        CheckExportResponse(info);
        continue;
      }
      if (schema == nullptr || !IsListSchema(*schema)) continue;
      CheckListParameters(info);
      auto exp = operations_.find("GET " + info.path + "/export");
      if (exp == operations_.end()) {
        Problem(info.where, "a list without its export (GET " + info.path + "/export)");
        continue;
      }
      std::map<std::string, Json> list_filters = info.params;
      list_filters.erase("limit");
      list_filters.erase("cursor");
      std::map<std::string, Json> export_filters = exp->second.params;
      if (!export_filters.count("format")) Problem(exp->second.where, "an export needs format");
      export_filters.erase("format");
      for (const auto& [name, p] : list_filters) {
        auto e = export_filters.find(name);
        if (e == export_filters.end()) {
          Problem(exp->second.where, "does not take the list's parameter '" + name + "'");
        } else if (e->second != p) {
          Problem(exp->second.where, "parameter '" + name + "' differs from the list's");
        }
      }
      for (const auto& [name, p] : export_filters) {
        if (!list_filters.count(name)) {
          Problem(exp->second.where, "takes '" + name + "', which the list does not");
        }
      }
    }
  }

  static bool IsListSchemaOf(const OperationInfo& info) {
    const Json* schema =
        Get(info.resolved, {"responses", "200", "content", "application/json", "schema"});
    return schema != nullptr && IsListSchema(*schema);
  }

  void CheckExportResponse(const OperationInfo& info) {
    const Json* content = Get(info.resolved, {"responses", "200", "content"});
    if (content == nullptr || !content->is_object() || !content->contains("text/csv") ||
        !content->contains("application/x-ndjson")) {
      Problem(info.where, "an export answers 200 with text/csv and application/x-ndjson");
    }
  }

  void CheckListParameters(const OperationInfo& info) {
    auto limit = info.params.find("limit");
    if (limit == info.params.end()) {
      Problem(info.where, "a list takes limit");
    } else {
      const Json s = limit->second.value("schema", Json::object());
      if (s.value("type", Json()) != "integer" || s.value("minimum", Json()) != 1 ||
          s.value("maximum", Json()) != 10000 || s.value("default", Json()) != 100) {
        Problem(info.where, "limit must be an integer 1..10000 with default 100");
      }
    }
    if (!info.params.count("cursor")) Problem(info.where, "a list takes cursor");
    auto sort = info.params.find("sort");
    if (sort == info.params.end()) {
      Problem(info.where, "a list takes sort");
      return;
    }
    const Json s = sort->second.value("schema", Json::object());
    if (!s.contains("enum") || !s["enum"].is_array() || !s.contains("default")) {
      Problem(info.where, "sort must be an enum with a default");
      return;
    }
    std::set<std::string> values;
    for (const Json& v : s["enum"]) {
      if (v.is_string()) values.insert(v.get<std::string>());
    }
    for (const std::string& v : values) {
      std::string twin = v.rfind('-', 0) == 0 ? v.substr(1) : "-" + v;
      if (!values.count(twin)) Problem(info.where, "sort has '" + v + "' but not '" + twin + "'");
    }
  }

  const Json& doc_;
  std::vector<std::string> problems_;
  std::set<std::string> declared_tags_;
  std::set<std::string> ids_;
  std::map<std::string, OperationInfo> operations_;  // "GET /path" → info
};

}  // namespace

std::vector<std::string> LintOpenApiSpec(const Json& document) {
  try {
    return Linter(document).Run();
  } catch (const std::exception& e) {
    // A member of an unexpected JSON type somewhere the checks did not guard.
    return {std::string("document: malformed (") + e.what() + ")"};
  }
}

}  // namespace warden::api

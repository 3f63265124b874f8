#include "api/openapi_spec.h"

#include <algorithm>
#include <cctype>
#include <exception>
#include <set>
#include <utility>

#include "api/embedded_spec.h"
#include "api/yaml_json.h"

namespace warden::api {
namespace {

constexpr const char* kMethods[] = {"get", "put", "post", "delete", "patch", "head", "options"};

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool IsJsonMediaType(std::string_view media) {
  return media == "application/json" ||
         (media.size() > 5 && media.substr(media.size() - 5) == "+json");
}

Result<Json> InlineRefsImpl(const Json& node, const Json& document,
                            std::vector<std::string>* stack) {
  if (stack->size() > 64) return InvalidArgument("$ref chain deeper than 64 references");
  if (node.is_object()) {
    auto ref = node.find("$ref");
    if (ref != node.end()) {
      if (!ref->is_string()) return InvalidArgument("$ref must be a string");
      const std::string target = ref->get<std::string>();
      if (target.rfind("#/", 0) != 0) {
        return InvalidArgument("$ref '" + target + "' is not local (#/...)");
      }
      if (std::find(stack->begin(), stack->end(), target) != stack->end()) {
        return InvalidArgument("$ref '" + target + "' is recursive");
      }
      const Json* resolved = ResolveJsonPointer(document, target);
      if (resolved == nullptr) return InvalidArgument("$ref '" + target + "' does not resolve");
      stack->push_back(target);
      Result<Json> inlined = InlineRefsImpl(*resolved, document, stack);
      stack->pop_back();
      if (!inlined.ok()) return inlined.status();
      return std::move(inlined).value();
    }
    Json out = Json::object();
    for (auto it = node.begin(); it != node.end(); ++it) {
      ASSIGN_OR_RETURN(out[it.key()], InlineRefsImpl(it.value(), document, stack));
    }
    return out;
  }
  if (node.is_array()) {
    Json out = Json::array();
    for (const Json& item : node) {
      ASSIGN_OR_RETURN(Json value, InlineRefsImpl(item, document, stack));
      out.push_back(std::move(value));
    }
    return out;
  }
  return node;
}

std::string ScalarType(const Json& schema) {
  if (!schema.is_object() || !schema.contains("type") || !schema["type"].is_string()) return "";
  std::string type = schema["type"].get<std::string>();
  if (type == "string" || type == "integer" || type == "number" || type == "boolean") return type;
  return "";
}

Result<Parameter> LoadParameter(const Json& raw, const std::string& where) {
  if (!raw.is_object()) return InvalidArgument(where + ": a parameter must be an object");
  Parameter p;
  if (!raw.contains("name") || !raw["name"].is_string() || raw["name"].get<std::string>().empty()) {
    return InvalidArgument(where + ": a parameter needs a name");
  }
  p.name = raw["name"].get<std::string>();
  std::string at = where + ": parameter '" + p.name + "'";
  std::string in = raw.value("in", "");
  if (in == "path") {
    p.in = ParameterLocation::kPath;
  } else if (in == "query") {
    p.in = ParameterLocation::kQuery;
  } else if (in == "header") {
    p.in = ParameterLocation::kHeader;
  } else {
    return InvalidArgument(at + ": 'in' must be path, query or header (got '" + in + "')");
  }
  p.required =
      raw.contains("required") && raw["required"].is_boolean() && raw["required"].get<bool>();
  std::string style = raw.value("style", p.in == ParameterLocation::kQuery ? "form" : "simple");
  if (p.in == ParameterLocation::kQuery && style != "form") {
    return InvalidArgument(at + ": only style form is supported for query parameters");
  }
  p.explode = raw.contains("explode") ? raw["explode"].is_boolean() && raw["explode"].get<bool>()
                                      : style == "form";
  if (!raw.contains("schema")) return InvalidArgument(at + ": no schema");
  const Json& schema = raw["schema"];
  p.type = ScalarType(schema);
  if (p.type.empty() && schema.is_object() && schema.value("type", Json()) == "array") {
    p.type = "array";
    p.item_type = schema.contains("items") ? ScalarType(schema["items"]) : "";
    if (p.item_type.empty()) {
      return InvalidArgument(at + ": array items need one scalar type");
    }
  }
  if (p.type.empty()) {
    return InvalidArgument(at +
                           ": schema type must be one of string, integer, number, boolean, "
                           "array");
  }
  Result<std::shared_ptr<const JsonSchema>> compiled = JsonSchema::Compile(schema);
  if (!compiled.ok()) return compiled.status().WithContext(at);
  p.schema = std::move(compiled).value();
  return p;
}

Result<std::vector<MediaSchema>> LoadContent(const Json& holder, const std::string& where) {
  std::vector<MediaSchema> media;
  if (!holder.contains("content")) return media;
  const Json& content = holder["content"];
  if (!content.is_object()) return InvalidArgument(where + ": content must be an object");
  for (auto it = content.begin(); it != content.end(); ++it) {
    MediaSchema m;
    m.media_type = it.key();
    if (IsJsonMediaType(m.media_type)) {
      if (!it.value().is_object() || !it.value().contains("schema")) {
        return InvalidArgument(where + ": " + m.media_type + " has no schema");
      }
      Result<std::shared_ptr<const JsonSchema>> compiled =
          JsonSchema::Compile(it.value()["schema"]);
      if (!compiled.ok()) return compiled.status().WithContext(where + ": " + m.media_type);
      m.schema = std::move(compiled).value();
    }
    media.push_back(std::move(m));
  }
  return media;
}

}  // namespace

bool Operation::Allows(Role role) const { return auth::MayCall(role, roles); }

const Parameter* Operation::FindParameter(std::string_view name) const {
  for (const Parameter& p : parameters) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

const MediaSchema* Operation::FindResponse(int status, std::string_view media_type) const {
  auto it = responses.find(status);
  if (it == responses.end()) return nullptr;
  for (const MediaSchema& m : it->second) {
    if (m.media_type == media_type) return &m;
  }
  return nullptr;
}

const Json* ResolveJsonPointer(const Json& document, std::string_view pointer) {
  if (pointer.rfind('#', 0) == 0) pointer.remove_prefix(1);
  if (pointer.empty()) return &document;
  if (pointer.front() != '/') return nullptr;
  const Json* node = &document;
  pointer.remove_prefix(1);
  while (true) {
    size_t slash = pointer.find('/');
    std::string_view raw = pointer.substr(0, slash);
    std::string token;
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '~' && i + 1 < raw.size() && (raw[i + 1] == '0' || raw[i + 1] == '1')) {
        token += raw[i + 1] == '0' ? '~' : '/';
        ++i;
      } else {
        token += raw[i];
      }
    }
    if (node->is_object()) {
      auto it = node->find(token);
      if (it == node->end()) return nullptr;
      node = &*it;
    } else if (node->is_array()) {
      if (token.empty() || token.find_first_not_of("0123456789") != std::string::npos ||
          token.size() > 9) {
        return nullptr;
      }
      size_t index = std::stoul(token);
      if (index >= node->size()) return nullptr;
      node = &(*node)[index];
    } else {
      return nullptr;
    }
    if (slash == std::string_view::npos) break;
    pointer.remove_prefix(slash + 1);
  }
  return node;
}

Result<Json> InlineRefs(const Json& node, const Json& document) {
  std::vector<std::string> stack;
  return InlineRefsImpl(node, document, &stack);
}

Result<std::unique_ptr<OpenApiSpec>> OpenApiSpec::FromYaml(std::string_view text,
                                                           std::string_view source) {
  ASSIGN_OR_RETURN(Json document, YamlToJson(text, source));
  Result<std::unique_ptr<OpenApiSpec>> spec = FromJson(std::move(document));
  if (!spec.ok()) return spec.status().WithContext(std::string(source));
  return spec;
}

Result<std::unique_ptr<OpenApiSpec>> OpenApiSpec::FromJson(Json document) {
  std::unique_ptr<OpenApiSpec> spec(new OpenApiSpec());
  spec->document_ = std::move(document);
  try {
    RETURN_IF_ERROR(spec->Build());
  } catch (const std::exception& e) {
    // nlohmann's type errors for members of an unexpected JSON type.
    return InvalidArgument(std::string("malformed spec: ") + e.what());
  }
  spec->json_text_ = spec->document_.dump(-1, ' ', false, Json::error_handler_t::replace);
  return spec;
}

Result<const OpenApiSpec*> OpenApiSpec::Embedded() {
  // Built once and kept for the life of the process (never destroyed, so
  // threads still using it at exit are safe).
  static const auto* loaded = new Result<std::unique_ptr<OpenApiSpec>>(
      FromYaml(EmbeddedOpenApiYaml(), "api/openapi.yaml (embedded)"));
  if (!loaded->ok()) return loaded->status();
  return loaded->value().get();
}

Status OpenApiSpec::Build() {
  if (!document_.is_object()) return InvalidArgument("the document is not an object");
  if (!document_.contains("paths") || !document_["paths"].is_object()) {
    return InvalidArgument("the document has no paths object");
  }
  const Json global_security = document_.value("security", Json::array());
  std::set<std::string> ids;
  const Json& paths = document_["paths"];
  for (auto path_it = paths.begin(); path_it != paths.end(); ++path_it) {
    const std::string& path_text = path_it.key();
    ASSIGN_OR_RETURN(PathTemplate path, PathTemplate::Parse(path_text));
    for (const PathEntry& existing : paths_) {
      if (existing.path.SameShape(path)) {
        return InvalidArgument("paths '" + existing.path.text() + "' and '" + path_text +
                               "' name the same requests");
      }
    }
    const Json& item = path_it.value();
    if (!item.is_object()) return InvalidArgument("path '" + path_text + "' is not an object");
    std::vector<Json> shared_params;
    if (item.contains("parameters")) {
      ASSIGN_OR_RETURN(Json params, InlineRefs(item["parameters"], document_));
      if (!params.is_array()) {
        return InvalidArgument("path '" + path_text + "': parameters must be a list");
      }
      for (const Json& p : params) shared_params.push_back(p);
    }
    PathEntry entry{std::move(path), {}};
    for (const char* method : kMethods) {
      if (!item.contains(method)) continue;
      std::string where = Upper(method) + " " + path_text;
      Result<Json> inlined = InlineRefs(item[method], document_);
      if (!inlined.ok()) return inlined.status().WithContext(where);
      const Json& raw = inlined.value();
      if (!raw.is_object()) return InvalidArgument(where + ": not an object");
      Operation op;
      op.method = Upper(method);
      op.path = path_text;
      op.operation_id = raw.value("operationId", "");
      if (op.operation_id.empty()) return InvalidArgument(where + ": no operationId");
      if (!ids.insert(op.operation_id).second) {
        return InvalidArgument(where + ": operationId '" + op.operation_id + "' is used twice");
      }
      where += " (" + op.operation_id + ")";
      op.summary = raw.value("summary", "");
      if (raw.contains("tags") && raw["tags"].is_array()) {
        for (const Json& t : raw["tags"]) {
          if (t.is_string()) op.tags.push_back(t.get<std::string>());
        }
      }
      const Json security = raw.contains("security") ? raw["security"] : global_security;
      op.authenticated = security.is_array() && !security.empty();
      op.node_key_in_body = security.dump().find("\"osqueryNodeKey\"") != std::string::npos;
      op.osquery = std::find(op.tags.begin(), op.tags.end(), "osquery") != op.tags.end();
      if (!raw.contains("x-warden-roles") || !raw["x-warden-roles"].is_array()) {
        return InvalidArgument(where + ": x-warden-roles must be a list");
      }
      for (const Json& r : raw["x-warden-roles"]) {
        std::optional<Role> role;
        if (r.is_string()) {
          if (auto parsed = auth::ParseRole(r.get<std::string>()); parsed.ok()) role = *parsed;
        }
        if (!role) return InvalidArgument(where + ": unknown role " + r.dump());
        op.roles.push_back(*role);
      }
      if (raw.contains("x-warden-audit")) {
        if (!raw["x-warden-audit"].is_boolean()) {
          return InvalidArgument(where + ": x-warden-audit must be true or false");
        }
        op.audit = raw["x-warden-audit"].get<bool>();
      }
      if (raw.contains("x-warden-max-body-bytes")) {
        const Json& limit = raw["x-warden-max-body-bytes"];
        if (!limit.is_number_integer() || limit.get<int64_t>() <= 0) {
          return InvalidArgument(where + ": x-warden-max-body-bytes must be a positive integer");
        }
        op.max_body_bytes = static_cast<size_t>(limit.get<int64_t>());
      }
      if (raw.contains("x-warden-timeout-seconds")) {
        const Json& timeout = raw["x-warden-timeout-seconds"];
        if (!timeout.is_number_integer() || timeout.get<int64_t>() <= 0 ||
            timeout.get<int64_t>() > 3600) {
          return InvalidArgument(where + ": x-warden-timeout-seconds must be 1..3600");
        }
        op.timeout_seconds = timeout.get<int64_t>();
      }
      // Operation parameters override path-level ones of the same name and
      // location.
      std::vector<Json> params;
      std::vector<Json> own;
      if (raw.contains("parameters")) {
        if (!raw["parameters"].is_array())
          return InvalidArgument(where + ": parameters must be a list");
        for (const Json& p : raw["parameters"]) own.push_back(p);
      }
      for (const Json& p : shared_params) {
        bool overridden = std::any_of(own.begin(), own.end(), [&](const Json& o) {
          return o.value("name", "") == p.value("name", "") &&
                 o.value("in", "") == p.value("in", "");
        });
        if (!overridden) params.push_back(p);
      }
      params.insert(params.end(), own.begin(), own.end());
      for (const Json& p : params) {
        ASSIGN_OR_RETURN(Parameter parameter, LoadParameter(p, where));
        op.parameters.push_back(std::move(parameter));
      }
      if (raw.contains("requestBody")) {
        const Json& body = raw["requestBody"];
        op.body_required = body.is_object() && body.value("required", false);
        ASSIGN_OR_RETURN(op.body, LoadContent(body, where + ": request body"));
        if (op.body.empty()) return InvalidArgument(where + ": request body without content");
      }
      if (!raw.contains("responses") || !raw["responses"].is_object()) {
        return InvalidArgument(where + ": no responses");
      }
      const Json& responses = raw["responses"];
      for (auto r = responses.begin(); r != responses.end(); ++r) {
        const std::string& code = r.key();
        if (code.size() != 3 || code.find_first_not_of("0123456789") != std::string::npos) {
          return InvalidArgument(where + ": response status '" + code +
                                 "' is not a three-digit code");
        }
        ASSIGN_OR_RETURN(std::vector<MediaSchema> media,
                         LoadContent(r.value(), where + ": response " + code));
        op.responses[std::stoi(code)] = std::move(media);
      }
      entry.operations.push_back(operations_.size());
      operations_.push_back(std::move(op));
    }
    paths_.push_back(std::move(entry));
  }
  return Status::Ok();
}

const Operation* OpenApiSpec::FindById(std::string_view operation_id) const {
  for (const Operation& op : operations_) {
    if (op.operation_id == operation_id) return &op;
  }
  return nullptr;
}

OperationMatch OpenApiSpec::Match(std::string_view method, std::string_view raw_path) const {
  OperationMatch result;
  std::optional<std::vector<std::string>> segments = SplitRawPath(raw_path);
  if (!segments) return result;
  const PathEntry* best = nullptr;
  const Operation* best_op = nullptr;
  const PathEntry* best_get = nullptr;
  const Operation* best_get_op = nullptr;
  std::set<std::string> allowed;
  for (const PathEntry& entry : paths_) {
    if (!entry.path.Match(*segments)) continue;
    for (size_t index : entry.operations) {
      const Operation& op = operations_[index];
      allowed.insert(op.method);
      if (op.method == method) {
        if (best == nullptr || entry.path.MoreSpecificThan(best->path)) {
          best = &entry;
          best_op = &op;
        }
      } else if (method == "HEAD" && op.method == "GET") {
        if (best_get == nullptr || entry.path.MoreSpecificThan(best_get->path)) {
          best_get = &entry;
          best_get_op = &op;
        }
      }
    }
  }
  if (best == nullptr) {
    best = best_get;
    best_op = best_get_op;
  }
  if (best != nullptr) {
    result.kind = OperationMatch::Kind::kFound;
    result.operation = best_op;
    result.path_params = *best->path.Match(*segments);
    return result;
  }
  if (!allowed.empty()) {
    if (allowed.count("GET")) allowed.insert("HEAD");
    result.kind = OperationMatch::Kind::kMethodNotAllowed;
    result.allowed_methods.assign(allowed.begin(), allowed.end());
  }
  return result;
}

}  // namespace warden::api

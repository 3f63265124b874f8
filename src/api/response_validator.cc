#include "api/response_validator.h"

#include <exception>
#include <string>

#include "api/request_validator.h"  // MediaTypeOf

namespace warden::api {
namespace {

std::string Where(const Operation& op, int status) {
  return op.operation_id + " " + std::to_string(status);
}

Status CheckJson(const Operation& op, int status, const MediaSchema& media, const Json& body) {
  if (media.schema == nullptr) return Status::Ok();
  if (std::optional<SchemaViolation> v = media.schema->Validate(body)) {
    return InvalidArgument(Where(op, status) + ": " + (v->pointer.empty() ? "body" : v->pointer) +
                           ": " + v->message);
  }
  return Status::Ok();
}

}  // namespace

Status ValidateResponse(const Operation& op, int status, std::string_view content_type,
                        std::string_view body) {
  auto it = op.responses.find(status);
  if (it == op.responses.end()) {
    return InvalidArgument(Where(op, status) + ": status not declared for the operation");
  }
  if (it->second.empty()) {
    if (!body.empty()) {
      return InvalidArgument(Where(op, status) + ": declared without a body, but has " +
                             std::to_string(body.size()) + " bytes");
    }
    return Status::Ok();
  }
  std::string media = MediaTypeOf(content_type);
  const MediaSchema* declared = op.FindResponse(status, media);
  if (declared == nullptr) {
    std::string accepted;
    for (const MediaSchema& m : it->second)
      accepted += (accepted.empty() ? "" : ", ") + m.media_type;
    return InvalidArgument(Where(op, status) + ": Content-Type '" + std::string(content_type) +
                           "' is not declared (declared: " + accepted + ")");
  }
  if (declared->schema != nullptr) {
    Json parsed;
    try {
      parsed = Json::parse(body);
    } catch (const std::exception& e) {
      return InvalidArgument(Where(op, status) + ": body is not JSON: " + e.what());
    }
    return CheckJson(op, status, *declared, parsed);
  }
  if (media == "application/x-ndjson") {
    size_t line_no = 0;
    std::string_view rest = body;
    while (!rest.empty()) {
      ++line_no;
      size_t newline = rest.find('\n');
      std::string_view line = rest.substr(0, newline);
      rest.remove_prefix(newline == std::string_view::npos ? rest.size() : newline + 1);
      if (line.empty()) continue;
      Json parsed = Json::parse(line, nullptr, /*allow_exceptions=*/false);
      if (parsed.is_discarded() || !parsed.is_object()) {
        return InvalidArgument(Where(op, status) + ": JSON lines: line " + std::to_string(line_no) +
                               " is not a JSON object");
      }
    }
  }
  return Status::Ok();
}

Status ValidateResponseJson(const Operation& op, int status, const Json& body) {
  auto it = op.responses.find(status);
  if (it == op.responses.end()) {
    return InvalidArgument(Where(op, status) + ": status not declared for the operation");
  }
  const MediaSchema* declared = op.FindResponse(status, "application/json");
  if (declared == nullptr) {
    return InvalidArgument(Where(op, status) + ": no application/json body declared");
  }
  return CheckJson(op, status, *declared, body);
}

}  // namespace warden::api

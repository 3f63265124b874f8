// listAuditEvents, exportAuditEvents, getAuditEvent: the audit log, newest
// first by default. Entries are written by the handlers that change state,
// in the same store write as the change. The HTTP status of an entry is the
// success status of its operation in the spec (entries are written only
// when the change committed); a refused login is recorded with 401. Pages
// and exports write entries as text (AuditEventText), the same JSON as
// AuditEventJson without a document per entry.
#include <string>

#include "server/list_response.h"
#include "server/rest_handlers.h"

namespace warden::server {
namespace {

// The spec's actor types (`token` is the store's `api_token`).
std::string ApiActorType(store::ActorType type) {
  return type == store::ActorType::kApiToken ? "token" : std::string(store::ActorTypeName(type));
}

const ListBinding& AuditListBinding() {
  static const ListBinding binding = [] {
    ListBinding b;
    b.sort_fields = {{"time", "time"}};
    b.filters["actor_type"] =
        [](std::string_view param, const Json& value,
           std::vector<store::FieldFilter>* out) -> std::optional<api::ApiError> {
      if (!value.is_array() || value.size() != 1) {
        return api::MakeApiError(api::kErrorValidation, "actor_type: this list takes one value",
                                 std::string(param));
      }
      std::string type = value[0].get<std::string>();
      if (type == "token") type = "api_token";
      out->push_back({"actor_type", store::FilterOp::kEq, Value(type)});
      return std::nullopt;
    };
    b.filters["actor_id"] = EqualsFilter("actor_id");
    b.filters["action"] = AnyValueFilter("action");
    b.filters["target_type"] = EqualsFilter("target_type");
    b.filters["target_id"] = EqualsFilter("target_id");
    b.filters["source_ip"] = EqualsFilter("source_ip");
    b.filters["since"] = TimeFilter("time", store::FilterOp::kGe);
    b.filters["until"] = TimeFilter("time", store::FilterOp::kLt);
    return b;
  }();
  return binding;
}

Json DocumentOrNull(const std::optional<std::string>& text) {
  if (!text) return nullptr;
  Json parsed = Json::parse(*text, nullptr, false);
  if (parsed.is_discarded() || parsed.is_null()) return nullptr;
  if (!parsed.is_object()) return Json{{"value", parsed}};
  return parsed;
}

int SuccessStatus(const api::OpenApiSpec& spec, const store::AuditEntry& entry) {
  if (entry.action == "login") {
    Json after = DocumentOrNull(entry.after_json);
    if (after.is_object() && after.value("outcome", "") == "refused") return 401;
  }
  if (const api::Operation* op = spec.FindById(entry.action)) {
    for (const auto& [status, media] : op->responses) {
      if (status >= 200 && status < 300) return status;
    }
  }
  return 200;
}

}  // namespace

Json AuditEventJson(const api::OpenApiSpec& spec, const store::AuditEntry& entry) {
  Json j = Json::object();
  j["id"] = std::to_string(entry.id);
  j["time"] = TimeJson(entry.time);
  j["actor"] = Json{{"type", ApiActorType(entry.actor_type)},
                    {"id", entry.actor_id.empty() ? Json(nullptr) : Json(entry.actor_id)},
                    {"name", entry.actor_name.empty() ? Json(nullptr) : Json(entry.actor_name)}};
  j["action"] = entry.action;
  j["target"] = entry.target_type.empty()
                    ? Json(nullptr)
                    : Json{{"type", entry.target_type},
                           {"id", entry.target_id.empty() ? Json(nullptr) : Json(entry.target_id)}};
  j["source_ip"] = entry.source_ip.empty() ? Json(nullptr) : Json(entry.source_ip);
  j["request_id"] = entry.request_id.empty() ? Json(nullptr) : Json(entry.request_id);
  j["status"] = SuccessStatus(spec, entry);
  j["before"] = DocumentOrNull(entry.before_json);
  j["after"] = DocumentOrNull(entry.after_json);
  return j;
}

namespace {

// {"type":...,"id":...[,"name":...]} with null for empty strings.
std::string ActorOrTargetText(std::string_view type, const std::string& id,
                              const std::string* name) {
  std::string text = "{\"type\":";
  RowText::AppendJsonString(text, type);
  text += ",\"id\":";
  if (id.empty())
    text += "null";
  else
    RowText::AppendJsonString(text, id);
  if (name != nullptr) {
    text += ",\"name\":";
    if (name->empty())
      text += "null";
    else
      RowText::AppendJsonString(text, *name);
  }
  return text + "}";
}

// AuditEventJson written as text (pages and exports): only before/after,
// stored as JSON text, are parsed, and only when shown.
void AuditEventText(const api::OpenApiSpec& spec, const store::AuditEntry& entry, RowText& out) {
  out.String("id", std::to_string(entry.id)).Time("time", entry.time);
  if (out.Wants("actor")) {
    out.RawJson("actor", ActorOrTargetText(ApiActorType(entry.actor_type), entry.actor_id,
                                           &entry.actor_name));
  } else {
    out.Null("actor");
  }
  out.String("action", entry.action);
  if (entry.target_type.empty()) {
    out.Null("target");
  } else if (out.Wants("target")) {
    out.RawJson("target", ActorOrTargetText(entry.target_type, entry.target_id, nullptr));
  } else {
    out.Null("target");
  }
  auto optional = [&](std::string_view key, const std::string& value) {
    if (value.empty())
      out.Null(key);
    else
      out.String(key, value);
  };
  optional("source_ip", entry.source_ip);
  optional("request_id", entry.request_id);
  out.Int("status", SuccessStatus(spec, entry));
  for (auto [key, text] : {std::pair<std::string_view, const std::optional<std::string>*>{
                               "before", &entry.before_json},
                           {"after", &entry.after_json}}) {
    if (out.Wants(key))
      out.Value(key, DocumentOrNull(*text));
    else
      out.Null(key);
  }
}

}  // namespace

void RegisterAuditHandlers(ApiHandlers& handlers, const HandlerContext& ctx) {
  auto render = [spec = ctx.spec](const store::AuditEntry& e) { return AuditEventJson(*spec, e); };
  auto render_text = [spec = ctx.spec](const store::AuditEntry& e, RowText& out) {
    AuditEventText(*spec, e, out);
  };

  handlers.Add("listAuditEvents", [ctx, render_text](ApiCall& call) {
    auto query = BuildListQuery(call, AuditListBinding());
    if (auto* error = std::get_if<api::ApiError>(&query)) return ErrorResponse(*error);
    auto page = ctx.store->audit().List(std::get<store::ListQuery>(query));
    if (!page.ok()) return ListErrorResponse(page.status(), call.http->id);
    return PageResponse(*page, render_text);
  });

  handlers.AddAsync(
      "exportAuditEvents", [ctx, render_text](ApiCall& call, HttpResponder responder) {
        auto query = BuildListQuery(call, AuditListBinding());
        if (auto* error = std::get_if<api::ApiError>(&query)) {
          responder.Send(ErrorResponse(*error));
          return;
        }
        StreamExport<store::AuditEntry>(
            call, std::move(responder), "audit",
            {"id", "time", "actor", "action", "target", "source_ip", "request_id", "status",
             "before", "after"},
            std::get<store::ListQuery>(query),
            [&](const store::ListQuery& q, const store::RowCallback<store::AuditEntry>& row) {
              return ctx.store->audit().Export(q, row);
            },
            render_text);
      });

  handlers.Add("getAuditEvent", [ctx, render](ApiCall& call) {
    std::optional<int64_t> id = IdParam(call, "event_id");
    auto entry =
        id ? ctx.store->audit().Get(*id) : Result<std::optional<store::AuditEntry>>(std::nullopt);
    if (!entry.ok()) return StoreErrorResponse(entry.status(), call);
    if (!entry->has_value()) {
      return ApiErrorResponse(api::kErrorAuditEventNotFound, "no such audit event", "event_id");
    }
    return JsonResponse(200, render(**entry));
  });
}

}  // namespace warden::server

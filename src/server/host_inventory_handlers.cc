// What a host has, from its agent's inventory snapshots: listHostPorts /
// exportHostPorts (every listener) and listHostPackages /
// exportHostPackages (installed packages). Each answers 404 for a host the
// store does not know, and 422 for a filter or sort the store cannot apply.
//
// Not here: vulnerability findings (vulnerability_findings_handlers.cc),
// free-text `q` (answered 422 until the store indexes it).
#include <string>

#include "server/list_response.h"
#include "server/rest_handlers.h"

namespace warden::server {
namespace {

ListBinding PortListBinding() {
  ListBinding b;
  for (const char* field :
       {"port", "protocol", "address", "process", "first_seen_at", "last_seen_at"}) {
    b.sort_fields[field] = field;
  }
  b.filters["host_id"] = IdFilter("host_id");
  b.filters["protocol"] = OneOfFilter("protocol", {"tcp", "udp"});
  b.filters["port"] = AnyIntegerFilter("port");
  b.filters["q"] = TextSearchFilter({"process", "address"});
  b.filters["loopback"] = EqualsFilter("loopback");
  return b;
}

ListBinding PackageListBinding() {
  ListBinding b;
  for (const char* field : {"name", "version", "first_seen_at", "cve_count"}) {
    b.sort_fields[field] = field;
  }
  b.filters["host_id"] = IdFilter("host_id");
  b.filters["q"] = TextSearchFilter({"name", "version"});
  b.filters["vulnerable"] =
      [](std::string_view param, const Json& value,
         std::vector<store::FieldFilter>* out) -> std::optional<api::ApiError> {
    if (!value.is_boolean()) {
      return api::MakeApiError(api::kErrorValidation, "expected true or false", std::string(param));
    }
    out->push_back({"cve_count", value.get<bool>() ? store::FilterOp::kGt : store::FilterOp::kEq,
                    Value(int64_t{0})});
    return std::nullopt;
  };
  return b;
}

Json Nullable(const std::optional<std::string>& s) { return s ? Json(*s) : Json(nullptr); }

Json PortJson(const store::HostPort& p) {
  return {{"host_id", std::to_string(p.host_id)},
          {"hostname", p.hostname},
          {"protocol", p.protocol},
          {"family", p.family},
          {"address", p.address},
          {"port", p.port},
          {"pid", p.pid ? Json(*p.pid) : Json(nullptr)},
          {"process", Nullable(p.process)},
          {"path", Nullable(p.path)},
          {"user", Nullable(p.user)},
          {"loopback", p.loopback},
          {"first_seen_at", TimeJson(p.first_seen_at)},
          {"last_seen_at", TimeJson(p.last_seen_at)}};
}

Json PackageJson(const store::HostPackage& p) {
  return {{"host_id", std::to_string(p.host_id)},
          {"name", p.name},
          {"version", p.version},
          {"arch", p.arch.empty() ? Json(nullptr) : Json(p.arch)},
          {"source", Nullable(p.source)},
          {"source_version", Nullable(p.source_version)},
          {"manager", p.manager},
          {"cve_count", p.cve_count},
          {"first_seen_at", TimeJson(p.first_seen_at)}};
}

}  // namespace

std::optional<HttpResponse> CheckHostExists(const HandlerContext& ctx, const ApiCall& call) {
  auto not_found = [] {
    return ApiErrorResponse(api::kErrorHostNotFound, "no such host", "host_id");
  };
  std::optional<int64_t> id = IdParam(call, "host_id");
  if (!id) return not_found();
  auto host = ctx.store->hosts().Get(*id);
  if (!host.ok()) return StoreErrorResponse(host.status(), call);
  if (!host->has_value()) return not_found();
  return std::nullopt;
}

void RegisterHostInventoryHandlers(ApiHandlers& handlers, const HandlerContext& ctx) {
  auto ports = std::make_shared<const ListBinding>(PortListBinding());
  auto packages = std::make_shared<const ListBinding>(PackageListBinding());

  handlers.Add("listHostPorts", [ctx, ports](ApiCall& call) {
    if (auto refused = CheckHostExists(ctx, call)) return *refused;
    auto query = BuildListQuery(call, *ports);
    if (auto* error = std::get_if<api::ApiError>(&query)) return ErrorResponse(*error);
    auto page = ctx.store->inventory().ListPorts(std::get<store::ListQuery>(query));
    if (!page.ok()) return ListErrorResponse(page.status(), call.http->id);
    return JsonResponse(200, PageJson(*page, PortJson));
  });
  handlers.AddAsync("exportHostPorts", [ctx, ports](ApiCall& call, HttpResponder responder) {
    if (auto refused = CheckHostExists(ctx, call)) {
      responder.Send(*refused);
      return;
    }
    auto query = BuildListQuery(call, *ports);
    if (auto* error = std::get_if<api::ApiError>(&query)) {
      responder.Send(ErrorResponse(*error));
      return;
    }
    StreamExport<store::HostPort>(
        call, std::move(responder), "host-ports",
        {"host_id", "hostname", "protocol", "family", "address", "port", "pid", "process", "path",
         "user", "loopback", "first_seen_at", "last_seen_at"},
        std::get<store::ListQuery>(query),
        [&](const store::ListQuery& q, const store::RowCallback<store::HostPort>& row) {
          return ctx.store->inventory().ExportPorts(q, row);
        },
        PortJson);
  });

  handlers.Add("listHostPackages", [ctx, packages](ApiCall& call) {
    if (auto refused = CheckHostExists(ctx, call)) return *refused;
    auto query = BuildListQuery(call, *packages);
    if (auto* error = std::get_if<api::ApiError>(&query)) return ErrorResponse(*error);
    auto page = ctx.store->inventory().ListPackages(std::get<store::ListQuery>(query));
    if (!page.ok()) return ListErrorResponse(page.status(), call.http->id);
    return JsonResponse(200, PageJson(*page, PackageJson));
  });
  handlers.AddAsync("exportHostPackages", [ctx, packages](ApiCall& call, HttpResponder responder) {
    if (auto refused = CheckHostExists(ctx, call)) {
      responder.Send(*refused);
      return;
    }
    auto query = BuildListQuery(call, *packages);
    if (auto* error = std::get_if<api::ApiError>(&query)) {
      responder.Send(ErrorResponse(*error));
      return;
    }
    StreamExport<store::HostPackage>(
        call, std::move(responder), "host-packages",
        {"host_id", "name", "version", "arch", "source", "source_version", "manager", "cve_count",
         "first_seen_at"},
        std::get<store::ListQuery>(query),
        [&](const store::ListQuery& q, const store::RowCallback<store::HostPackage>& row) {
          return ctx.store->inventory().ExportPackages(q, row);
        },
        PackageJson);
  });
}

}  // namespace warden::server

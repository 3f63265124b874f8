// getHealth, getReadiness, getMetrics, getOpenApi, getVersion: the meta
// operations. Health is constant and cheap; readiness reads the store once.
#include <string>

#include "core/version.h"
#include "server/rest_handlers.h"

namespace warden::server {

void RegisterSystemHandlers(ApiHandlers& handlers, const HandlerContext& ctx) {
  handlers.Add("getHealth", [](ApiCall&) { return JsonResponse(200, Json{{"status", "ok"}}); });

  handlers.Add("getReadiness", [ctx](ApiCall&) {
    std::vector<ReadinessCheck> checks;
    auto probe = ctx.store->settings().Get("server.ready_probe");
    checks.push_back(
        {"store", probe.ok(), probe.ok() ? "" : std::string(probe.status().message())});
    if (ctx.readiness) {
      for (ReadinessCheck& check : ctx.readiness()) checks.push_back(std::move(check));
    }
    Json list = Json::array();
    bool ready = true;
    for (const ReadinessCheck& check : checks) {
      ready = ready && check.ok;
      list.push_back({{"name", check.name},
                      {"ok", check.ok},
                      {"message", check.ok ? Json(nullptr) : Json(check.message)}});
    }
    if (!ready) {
      HttpResponse response = ApiErrorResponse(api::kErrorUnavailable, "not ready: " + list.dump());
      response.headers.Set("Retry-After", "5");
      return response;
    }
    return JsonResponse(200, Json{{"status", "ready"}, {"checks", list}});
  });

  handlers.Add("getMetrics", [ctx](ApiCall&) {
    HttpResponse response;
    response.headers.Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    response.body = ctx.metrics_text ? ctx.metrics_text() : std::string();
    return response;
  });

  handlers.Add("getOpenApi", [ctx](ApiCall&) {
    HttpResponse response;
    response.headers.Set("Content-Type", "application/json");
    response.body = ctx.spec->json_text();
    return response;
  });

  handlers.Add("getVersion", [](ApiCall&) {
    return JsonResponse(200, Json{{"version", kWardenVersion}, {"api_version", "v1"}});
  });
}

void RegisterRestHandlers(ApiHandlers& handlers, const HandlerContext& context) {
  RegisterSystemHandlers(handlers, context);
  RegisterSessionHandlers(handlers, context);
  RegisterUsersHandlers(handlers, context);
  RegisterTokensHandlers(handlers, context);
  RegisterEnrollSecretsHandlers(handlers, context);
  RegisterHostsHandlers(handlers, context);
  RegisterAuditHandlers(handlers, context);
  RegisterHostInventoryHandlers(handlers, context);
  RegisterProblemsHandlers(handlers, context);
  RegisterVulnerabilityFindingsHandlers(handlers, context);
  RegisterChannelsHandlers(handlers, context);
  RegisterScansHandlers(handlers, context);
  RegisterLabelsHandlers(handlers, context);
  RegisterVulnerabilitiesHandlers(handlers, context);
  RegisterFeedHandlers(handlers, context);
  RegisterLiveQueriesHandlers(handlers, context);
  RegisterSavedQueriesHandlers(handlers, context);
  RegisterRecipesHandlers(handlers, context);
  RegisterSuppressionsHandlers(handlers, context);
  RegisterCloudHandlers(handlers, context);
}

}  // namespace warden::server

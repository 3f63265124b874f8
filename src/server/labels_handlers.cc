// listLabels, exportLabels: every label in use with how many hosts carry it
// (store/label_repository.h), sorted by name or host count, narrowed by `q`
// (names containing it, case-insensitively). Labels are set on hosts by
// their enrol secret and by updateHostLabels (hosts_handlers.cc).
#include <string>

#include "server/list_response.h"
#include "server/rest_handlers.h"

namespace warden::server {
namespace {

ListBinding LabelListBinding() {
  ListBinding b;
  b.sort_fields["name"] = "name";
  b.sort_fields["host_count"] = "host_count";
  b.filters["q"] = EqualsFilter("name_contains");
  return b;
}

Json LabelJson(const store::LabelCount& label) {
  return {{"name", label.name}, {"host_count", label.host_count}};
}

}  // namespace

void RegisterLabelsHandlers(ApiHandlers& handlers, const HandlerContext& ctx) {
  auto labels = std::make_shared<const ListBinding>(LabelListBinding());

  handlers.Add("listLabels", [ctx, labels](ApiCall& call) {
    auto query = BuildListQuery(call, *labels);
    if (auto* error = std::get_if<api::ApiError>(&query)) return ErrorResponse(*error);
    auto page = ctx.store->labels().List(std::get<store::ListQuery>(query));
    if (!page.ok()) return ListErrorResponse(page.status(), call.http->id);
    return JsonResponse(200, PageJson(*page, LabelJson));
  });

  handlers.AddAsync("exportLabels", [ctx, labels](ApiCall& call, HttpResponder responder) {
    auto query = BuildListQuery(call, *labels);
    if (auto* error = std::get_if<api::ApiError>(&query)) {
      responder.Send(ErrorResponse(*error));
      return;
    }
    StreamExport<store::LabelCount>(
        call, std::move(responder), "labels", {"name", "host_count"},
        std::get<store::ListQuery>(query),
        [&](const store::ListQuery& q, const store::RowCallback<store::LabelCount>& row) {
          return ctx.store->labels().Export(q, row);
        },
        LabelJson);
  });
}

}  // namespace warden::server

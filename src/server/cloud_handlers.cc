// Cloud organisations and accounts: listCloudOrganisations,
// exportCloudOrganisations, createCloudOrganisation, getCloudOrganisation,
// updateCloudOrganisation, deleteCloudOrganisation, listCloudAccounts,
// exportCloudAccounts, createCloudAccount, getCloudAccount,
// updateCloudAccount, deleteCloudAccount, getCloudAccountEffectiveRules.
//
// Rule settings are checked with the trail profile's parser
// (src/cloud/cloud_rule_settings.h) before they are stored, so a bad regex
// is refused naming the rule, row and cell; a PATCH's `rules` is merged per
// rule id (null removes one). Account identifiers are checked against the
// provider: 12 digits for AWS, a tenancy OCID for OCI. Each change and its
// audit entry are one Store::Write.
//
// Not here: following an account's sources or evaluating its events.
#include <string>
#include <vector>

#include "cloud/cloud_rule_settings.h"
#include "server/list_response.h"
#include "server/rest_handlers.h"

namespace warden::server {
namespace {

constexpr std::string_view kErrorOrganisationNotFound = "E_CLOUD_ORGANISATION_NOT_FOUND";
constexpr std::string_view kErrorAccountNotFound = "E_CLOUD_ACCOUNT_NOT_FOUND";
constexpr std::string_view kErrorOrganisationNotEmpty = "E_CLOUD_ORGANISATION_NOT_EMPTY";

HttpResponse OrganisationNotFound() {
  return ApiErrorResponse(kErrorOrganisationNotFound, "no such cloud organisation",
                          "organisation_id");
}

HttpResponse AccountNotFound() {
  return ApiErrorResponse(kErrorAccountNotFound, "no such cloud account", "account_id");
}

HttpResponse NoContent() {
  HttpResponse r;
  r.status = 204;
  return r;
}

Json RulesJson(const std::string& text) {
  Json rules = Json::parse(text, nullptr, false);
  return rules.is_object() ? rules : Json::object();
}

Json OrganisationJson(const store::CloudOrganisation& o) {
  return {{"id", std::to_string(o.id)},          {"name", o.name},
          {"description", o.description},        {"rules", RulesJson(o.rules_json)},
          {"account_count", o.account_count},    {"created_at", TimeJson(o.created_at)},
          {"updated_at", TimeJson(o.updated_at)}};
}

Json AccountJson(const store::CloudAccount& a) {
  return {{"id", std::to_string(a.id)},
          {"organisation_id", std::to_string(a.organisation_id)},
          {"provider", a.provider},
          {"identifier", a.identifier},
          {"name", a.name},
          {"override_mode", a.override_mode},
          {"rules", RulesJson(a.rules_json)},
          {"created_at", TimeJson(a.created_at)},
          {"updated_at", TimeJson(a.updated_at)}};
}

const std::vector<std::string>& OrganisationColumns() {
  static const std::vector<std::string> columns = {
      "id", "name", "description", "rules", "account_count", "created_at", "updated_at"};
  return columns;
}

const std::vector<std::string>& AccountColumns() {
  static const std::vector<std::string> columns = {
      "id",    "organisation_id", "provider",  "identifier", "name", "override_mode",
      "rules", "created_at",      "updated_at"};
  return columns;
}

ListBinding OrganisationListBinding() {
  ListBinding b;
  b.sort_fields = {{"name", "name"}, {"created_at", "created_at"}, {"updated_at", "updated_at"}};
  b.filters["q"] = TextSearchFilter({"name", "description"});
  return b;
}

ListBinding AccountListBinding() {
  ListBinding b;
  b.sort_fields = {{"name", "name"}, {"identifier", "identifier"}, {"created_at", "created_at"}};
  b.filters["q"] = TextSearchFilter({"name", "identifier"});
  b.filters["provider"] = EqualsFilter("provider");
  // The path parameter of listCloudAccounts and exportCloudAccounts.
  b.filters["organisation_id"] = IdFilter("organisation_id");
  return b;
}

bool AllOf(std::string_view text, bool (*ok)(char)) {
  for (char c : text)
    if (!ok(c)) return false;
  return true;
}

// Why `identifier` is not an identifier of `provider`; empty when it is.
std::string IdentifierProblem(const std::string& provider, const std::string& identifier) {
  if (provider == "aws") {
    if (identifier.size() == 12 && AllOf(identifier, [](char c) { return c >= '0' && c <= '9'; }))
      return {};
    return "an AWS account id is 12 digits (123456789012)";
  }
  // ocid1.tenancy.<realm>..<unique id>: a tenancy has no region part.
  constexpr std::string_view kPrefix = "ocid1.tenancy.";
  const std::string_view id(identifier);
  const size_t dots = id.find("..");
  if (id.substr(0, kPrefix.size()) == kPrefix && dots != std::string_view::npos) {
    const std::string_view realm = id.substr(kPrefix.size(), dots - kPrefix.size());
    const std::string_view unique = id.substr(dots + 2);
    const bool realm_ok = realm.size() >= 3 && realm.substr(0, 2) == "oc" &&
                          AllOf(realm.substr(2), [](char c) { return c >= '0' && c <= '9'; });
    const bool unique_ok = unique.size() >= 20 && unique.size() <= 200 && AllOf(unique, [](char c) {
                             return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
                           });
    if (realm_ok && unique_ok) return {};
  }
  return "an OCI tenancy OCID looks like ocid1.tenancy.oc1..<lower-case letters and digits>";
}

// The body's `rules` checked, merged over `stored` (null removes a rule's
// settings), as the text to store; or the 422.
std::variant<std::string, HttpResponse> MergeRules(const Json& body, const std::string& stored) {
  auto it = body.find("rules");
  Json merged = RulesJson(stored);
  if (it == body.end()) return merged.dump();
  std::string field;
  Status checked = CheckCloudRuleSettings(*it, CloudRuleCatalog(), "/rules", &field);
  if (!checked.ok()) return ApiErrorResponse(api::kErrorValidation, checked.message(), field);
  for (auto r = it->begin(); r != it->end(); ++r) {
    if (r->is_null())
      merged.erase(r.key());
    else
      merged[r.key()] = *r;
  }
  return merged.dump();
}

class CloudApi {
 public:
  explicit CloudApi(const HandlerContext& ctx) : ctx_(ctx) {}

  const HandlerContext& ctx() const { return ctx_; }

  std::variant<store::CloudOrganisation, HttpResponse> FindOrganisation(const ApiCall& call) const {
    std::optional<int64_t> id = IdParam(call, "organisation_id");
    if (!id) return OrganisationNotFound();
    auto found = ctx_.store->cloud_accounts().GetOrganisation(*id);
    if (!found.ok()) return StoreErrorResponse(found.status(), call);
    if (!found->has_value()) return OrganisationNotFound();
    return **found;
  }

  std::variant<store::CloudAccount, HttpResponse> FindAccount(const ApiCall& call) const {
    std::optional<int64_t> id = IdParam(call, "account_id");
    if (!id) return AccountNotFound();
    auto found = ctx_.store->cloud_accounts().GetAccount(*id);
    if (!found.ok()) return StoreErrorResponse(found.status(), call);
    if (!found->has_value()) return AccountNotFound();
    return **found;
  }

  // Runs `change` on the cloud-account writer in one store write and, when
  // it produced a row, appends `entry` with the row's id and after-image in
  // the same write (a refusal - name taken, not found - writes no audit).
  template <typename Row, typename Change, typename ToJson>
  Result<store::CloudWrite<Row>> WriteAudited(store::AuditEntry entry, const Change& change,
                                              const ToJson& to_json) const {
    return ctx_.store
        ->Write([&](store::StoreWriter& w) -> Result<store::CloudWrite<Row>> {
          ASSIGN_OR_RETURN(store::CloudWrite<Row> written, change(w.cloud_accounts()));
          if (!written.row) return written;
          entry.target_id = std::to_string(written.row->id);
          entry.after_json = AuditJson(to_json(*written.row));
          RETURN_IF_ERROR(w.audit().Append(entry).status());
          return written;
        })
        .Wait();
  }

  HttpResponse CreateOrganisation(ApiCall& call) const {
    const Json& body = *call.body;
    store::CloudOrganisation o;
    o.name = body.value("name", std::string());
    o.description = body.value("description", std::string());
    o.created_at = ctx_.Now();
    auto rules = MergeRules(body, "{}");
    if (auto* refused = std::get_if<HttpResponse>(&rules)) return std::move(*refused);
    o.rules_json = std::get<std::string>(rules);
    store::AuditEntry entry = call.audit;
    entry.target_type = "cloud_organisation";
    auto done = WriteAudited<store::CloudOrganisation>(
        entry, [&](store::CloudAccountWriter& w) { return w.CreateOrganisation(o); },
        OrganisationJson);
    if (!done.ok()) return StoreErrorResponse(done.status(), call);
    if (done->outcome == store::CloudWriteOutcome::kNameTaken)
      return ApiErrorResponse(api::kErrorNameTaken, "an organisation named '" + o.name + "' exists",
                              "/name");
    return JsonResponse(201, OrganisationJson(*done->row));
  }

  HttpResponse UpdateOrganisation(ApiCall& call) const {
    auto found = FindOrganisation(call);
    if (auto* refused = std::get_if<HttpResponse>(&found)) return std::move(*refused);
    const store::CloudOrganisation before = std::get<store::CloudOrganisation>(found);
    const Json& body = *call.body;
    store::CloudOrganisationChange change;
    change.updated_at = ctx_.Now();
    if (auto it = body.find("name"); it != body.end()) change.name = it->get<std::string>();
    if (auto it = body.find("description"); it != body.end())
      change.description = it->get<std::string>();
    if (body.contains("rules")) {
      auto rules = MergeRules(body, before.rules_json);
      if (auto* refused = std::get_if<HttpResponse>(&rules)) return std::move(*refused);
      change.rules_json = std::get<std::string>(rules);
    }
    store::AuditEntry entry = call.audit;
    entry.target_type = "cloud_organisation";
    entry.target_id = std::to_string(before.id);
    entry.before_json = AuditJson(OrganisationJson(before));
    auto done = WriteAudited<store::CloudOrganisation>(
        entry,
        [&](store::CloudAccountWriter& w) { return w.UpdateOrganisation(before.id, change); },
        OrganisationJson);
    if (!done.ok()) return StoreErrorResponse(done.status(), call);
    if (done->outcome == store::CloudWriteOutcome::kNameTaken)
      return ApiErrorResponse(api::kErrorNameTaken,
                              "an organisation named '" + change.name.value_or("") + "' exists",
                              "/name");
    if (!done->row) return OrganisationNotFound();
    return JsonResponse(200, OrganisationJson(*done->row));
  }

  HttpResponse DeleteOrganisation(ApiCall& call) const {
    auto found = FindOrganisation(call);
    if (auto* refused = std::get_if<HttpResponse>(&found)) return std::move(*refused);
    const store::CloudOrganisation before = std::get<store::CloudOrganisation>(found);
    store::AuditEntry entry = call.audit;
    entry.target_type = "cloud_organisation";
    entry.target_id = std::to_string(before.id);
    entry.before_json = AuditJson(OrganisationJson(before));
    auto done =
        ctx_.store
            ->Write(
                [&](store::StoreWriter& w) -> Result<store::CloudWrite<store::CloudOrganisation>> {
                  ASSIGN_OR_RETURN(auto deleted, w.cloud_accounts().DeleteOrganisation(before.id));
                  if (deleted.outcome != store::CloudWriteOutcome::kDone) return deleted;
                  RETURN_IF_ERROR(w.audit().Append(entry).status());
                  return deleted;
                })
            .Wait();
    if (!done.ok()) return StoreErrorResponse(done.status(), call);
    if (done->outcome == store::CloudWriteOutcome::kNotFound) return OrganisationNotFound();
    if (done->outcome == store::CloudWriteOutcome::kNotEmpty)
      return ApiErrorResponse(kErrorOrganisationNotEmpty,
                              "the organisation still has accounts; delete them first");
    return NoContent();
  }

  HttpResponse CreateAccount(ApiCall& call) const {
    auto found = FindOrganisation(call);
    if (auto* refused = std::get_if<HttpResponse>(&found)) return std::move(*refused);
    const store::CloudOrganisation& organisation = std::get<store::CloudOrganisation>(found);
    const Json& body = *call.body;
    store::CloudAccount a;
    a.organisation_id = organisation.id;
    a.provider = body.value("provider", std::string());
    a.identifier = body.value("identifier", std::string());
    a.name = body.value("name", std::string());
    a.override_mode = body.value("override_mode", std::string("fill_gaps"));
    a.created_at = ctx_.Now();
    if (std::string problem = IdentifierProblem(a.provider, a.identifier); !problem.empty())
      return ApiErrorResponse(
          api::kErrorValidation,
          "identifier: " + a.identifier.substr(0, 128) + " is not valid: " + problem,
          "/identifier");
    auto rules = MergeRules(body, "{}");
    if (auto* refused = std::get_if<HttpResponse>(&rules)) return std::move(*refused);
    a.rules_json = std::get<std::string>(rules);
    store::AuditEntry entry = call.audit;
    entry.target_type = "cloud_account";
    auto done = WriteAudited<store::CloudAccount>(
        entry, [&](store::CloudAccountWriter& w) { return w.CreateAccount(a); }, AccountJson);
    if (!done.ok()) return StoreErrorResponse(done.status(), call);
    if (done->outcome == store::CloudWriteOutcome::kNotFound) return OrganisationNotFound();
    if (done->outcome == store::CloudWriteOutcome::kIdentifierTaken)
      return ApiErrorResponse(
          api::kErrorConflict,
          "the " + a.provider + " account " + a.identifier + " is already registered",
          "/identifier");
    return JsonResponse(201, AccountJson(*done->row));
  }

  HttpResponse UpdateAccount(ApiCall& call) const {
    auto found = FindAccount(call);
    if (auto* refused = std::get_if<HttpResponse>(&found)) return std::move(*refused);
    const store::CloudAccount before = std::get<store::CloudAccount>(found);
    const Json& body = *call.body;
    store::CloudAccountChange change;
    change.updated_at = ctx_.Now();
    if (auto it = body.find("name"); it != body.end()) change.name = it->get<std::string>();
    if (auto it = body.find("override_mode"); it != body.end())
      change.override_mode = it->get<std::string>();
    if (body.contains("rules")) {
      auto rules = MergeRules(body, before.rules_json);
      if (auto* refused = std::get_if<HttpResponse>(&rules)) return std::move(*refused);
      change.rules_json = std::get<std::string>(rules);
    }
    store::AuditEntry entry = call.audit;
    entry.target_type = "cloud_account";
    entry.target_id = std::to_string(before.id);
    entry.before_json = AuditJson(AccountJson(before));
    auto done = WriteAudited<store::CloudAccount>(
        entry, [&](store::CloudAccountWriter& w) { return w.UpdateAccount(before.id, change); },
        AccountJson);
    if (!done.ok()) return StoreErrorResponse(done.status(), call);
    if (!done->row) return AccountNotFound();
    return JsonResponse(200, AccountJson(*done->row));
  }

  HttpResponse DeleteAccount(ApiCall& call) const {
    auto found = FindAccount(call);
    if (auto* refused = std::get_if<HttpResponse>(&found)) return std::move(*refused);
    const store::CloudAccount before = std::get<store::CloudAccount>(found);
    store::AuditEntry entry = call.audit;
    entry.target_type = "cloud_account";
    entry.target_id = std::to_string(before.id);
    entry.before_json = AuditJson(AccountJson(before));
    auto done =
        ctx_.store
            ->Write([&](store::StoreWriter& w) -> Result<store::CloudWrite<store::CloudAccount>> {
              ASSIGN_OR_RETURN(auto deleted, w.cloud_accounts().DeleteAccount(before.id));
              if (deleted.outcome != store::CloudWriteOutcome::kDone) return deleted;
              RETURN_IF_ERROR(w.audit().Append(entry).status());
              return deleted;
            })
            .Wait();
    if (!done.ok()) return StoreErrorResponse(done.status(), call);
    if (done->outcome == store::CloudWriteOutcome::kNotFound) return AccountNotFound();
    return NoContent();
  }

  HttpResponse EffectiveRules(ApiCall& call) const {
    auto found = FindAccount(call);
    if (auto* refused = std::get_if<HttpResponse>(&found)) return std::move(*refused);
    const store::CloudAccount& account = std::get<store::CloudAccount>(found);
    auto organisation = ctx_.store->cloud_accounts().GetOrganisation(account.organisation_id);
    if (!organisation.ok()) return StoreErrorResponse(organisation.status(), call);
    const Json organisation_rules =
        organisation->has_value() ? RulesJson((*organisation)->rules_json) : Json::object();
    const CloudOverrideMode mode =
        ParseCloudOverrideMode(account.override_mode).value_or(CloudOverrideMode::kFillGaps);
    // The rules that run on this account's events: its provider's.
    std::vector<Rule> catalog;
    for (const Rule& rule : CloudRuleCatalog())
      if (account.provider == EventProviderName(rule.provider)) catalog.push_back(rule);
    Json items = Json::array();
    Json needs = Json::array();
    for (const EffectiveCloudRule& r :
         EffectiveCloudRules(catalog, organisation_rules, RulesJson(account.rules_json), mode)) {
      Json exceptions = Json::array();
      for (const auto& [match, from] : r.exceptions)
        exceptions.push_back({{"match", match}, {"from", from}});
      items.push_back(
          {{"rule_id", r.rule_id},
           {"title", r.title},
           {"enabled", {{"value", r.enabled}, {"from", r.enabled_from}}},
           {"risk_level",
            {{"value", std::string(RiskLevelName(r.risk_level))}, {"from", r.risk_level_from}}},
           {"patterns", {{"value", r.patterns}, {"from", r.patterns_from}}},
           {"canary", {{"value", r.canary}, {"from", r.canary_from}}},
           {"exceptions", std::move(exceptions)},
           {"needs_configuration", r.needs.has_value()},
           {"needs", r.needs ? Json(*r.needs) : Json(nullptr)}});
      if (r.needs) needs.push_back(r.rule_id);
    }
    return JsonResponse(200, Json{{"account_id", std::to_string(account.id)},
                                  {"organisation_id", std::to_string(account.organisation_id)},
                                  {"override_mode", std::string(CloudOverrideModeName(mode))},
                                  {"items", std::move(items)},
                                  {"needs_configuration", std::move(needs)}});
  }

 private:
  HandlerContext ctx_;
};

}  // namespace

void RegisterCloudHandlers(ApiHandlers& handlers, const HandlerContext& ctx) {
  auto api = std::make_shared<const CloudApi>(ctx);

  handlers.Add("createCloudOrganisation",
               [api](ApiCall& call) { return api->CreateOrganisation(call); });
  handlers.Add("updateCloudOrganisation",
               [api](ApiCall& call) { return api->UpdateOrganisation(call); });
  handlers.Add("deleteCloudOrganisation",
               [api](ApiCall& call) { return api->DeleteOrganisation(call); });
  handlers.Add("createCloudAccount", [api](ApiCall& call) { return api->CreateAccount(call); });
  handlers.Add("updateCloudAccount", [api](ApiCall& call) { return api->UpdateAccount(call); });
  handlers.Add("deleteCloudAccount", [api](ApiCall& call) { return api->DeleteAccount(call); });
  handlers.Add("getCloudAccountEffectiveRules",
               [api](ApiCall& call) { return api->EffectiveRules(call); });

  handlers.Add("getCloudOrganisation", [api](ApiCall& call) {
    auto found = api->FindOrganisation(call);
    if (auto* refused = std::get_if<HttpResponse>(&found)) return std::move(*refused);
    return JsonResponse(200, OrganisationJson(std::get<store::CloudOrganisation>(found)));
  });

  handlers.Add("getCloudAccount", [api](ApiCall& call) {
    auto found = api->FindAccount(call);
    if (auto* refused = std::get_if<HttpResponse>(&found)) return std::move(*refused);
    return JsonResponse(200, AccountJson(std::get<store::CloudAccount>(found)));
  });

  handlers.Add("listCloudOrganisations", [api](ApiCall& call) {
    auto query = BuildListQuery(call, OrganisationListBinding());
    if (auto* error = std::get_if<api::ApiError>(&query)) return ErrorResponse(*error);
    auto page =
        api->ctx().store->cloud_accounts().ListOrganisations(std::get<store::ListQuery>(query));
    if (!page.ok()) return ListErrorResponse(page.status(), call.http->id);
    return JsonResponse(200, PageJson(*page, OrganisationJson));
  });

  handlers.AddAsync("exportCloudOrganisations", [api](ApiCall& call, HttpResponder responder) {
    auto query = BuildListQuery(call, OrganisationListBinding());
    if (auto* error = std::get_if<api::ApiError>(&query)) {
      responder.Send(ErrorResponse(*error));
      return;
    }
    StreamExport<store::CloudOrganisation>(
        call, std::move(responder), "cloud-organisations", OrganisationColumns(),
        std::get<store::ListQuery>(query),
        [&](const store::ListQuery& q, const store::RowCallback<store::CloudOrganisation>& row) {
          return api->ctx().store->cloud_accounts().ExportOrganisations(q, row);
        },
        OrganisationJson);
  });

  // One organisation's accounts: the path's organisation, which must exist.
  auto account_query = [api](const ApiCall& call) -> std::variant<store::ListQuery, HttpResponse> {
    auto found = api->FindOrganisation(call);
    if (auto* refused = std::get_if<HttpResponse>(&found)) return std::move(*refused);
    auto query = BuildListQuery(call, AccountListBinding());
    if (auto* error = std::get_if<api::ApiError>(&query)) return ErrorResponse(*error);
    return std::get<store::ListQuery>(query);
  };

  handlers.Add("listCloudAccounts", [api, account_query](ApiCall& call) {
    auto query = account_query(call);
    if (auto* refused = std::get_if<HttpResponse>(&query)) return std::move(*refused);
    auto page = api->ctx().store->cloud_accounts().ListAccounts(std::get<store::ListQuery>(query));
    if (!page.ok()) return ListErrorResponse(page.status(), call.http->id);
    return JsonResponse(200, PageJson(*page, AccountJson));
  });

  handlers.AddAsync(
      "exportCloudAccounts", [api, account_query](ApiCall& call, HttpResponder responder) {
        auto query = account_query(call);
        if (auto* refused = std::get_if<HttpResponse>(&query)) {
          responder.Send(std::move(*refused));
          return;
        }
        StreamExport<store::CloudAccount>(
            call, std::move(responder), "cloud-accounts", AccountColumns(),
            std::get<store::ListQuery>(query),
            [&](const store::ListQuery& q, const store::RowCallback<store::CloudAccount>& row) {
              return api->ctx().store->cloud_accounts().ExportAccounts(q, row);
            },
            AccountJson);
      });
}

}  // namespace warden::server

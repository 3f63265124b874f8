// Cloud organisations and accounts: listCloudOrganisations,
// exportCloudOrganisations, createCloudOrganisation, getCloudOrganisation,
// updateCloudOrganisation, deleteCloudOrganisation, listCloudAccounts,
// exportCloudAccounts, createCloudAccount, getCloudAccount,
// updateCloudAccount, deleteCloudAccount, getCloudAccountEffectiveRules,
// listCloudSources, exportCloudSources, createCloudSource, getCloudSource,
// updateCloudSource, deleteCloudSource, uploadCloudEvents.
//
// Rule settings are checked with the trail profile's parser
// (src/cloud/cloud_rule_settings.h) before they are stored, so a bad regex
// is refused naming the rule, row and cell; a PATCH's `rules` is merged per
// rule id (null removes one). Account identifiers are checked against the
// provider: 12 digits for AWS, a tenancy OCID for OCI. Each change and its
// audit entry are one Store::Write. After a change to a source, an account
// or an organisation the source runner reconciles at once, so followers
// use the new rules and directories from the next file on.
//
// Not here: following sources (cloud_source_runner.h), evaluating events.
#include <sys/mman.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "cloud/cloud_rule_settings.h"
#include "cloud/cloudtrail_reader.h"
#include "cloud/trail_scanner.h"
#include "server/cloud_problems.h"
#include "server/cloud_source_runner.h"
#include "server/list_response.h"
#include "server/rest_handlers.h"

namespace warden::server {
namespace {

constexpr std::string_view kErrorOrganisationNotFound = "E_CLOUD_ORGANISATION_NOT_FOUND";
constexpr std::string_view kErrorAccountNotFound = "E_CLOUD_ACCOUNT_NOT_FOUND";
constexpr std::string_view kErrorSourceNotFound = "E_CLOUD_SOURCE_NOT_FOUND";
// An upload's answer lists this many of its malformed records (all are counted).
constexpr int64_t kMaxUploadErrorsShown = 100;
constexpr std::string_view kErrorOrganisationNotEmpty = "E_CLOUD_ORGANISATION_NOT_EMPTY";

HttpResponse OrganisationNotFound() {
  return ApiErrorResponse(kErrorOrganisationNotFound, "no such cloud organisation",
                          "organisation_id");
}

HttpResponse AccountNotFound() {
  return ApiErrorResponse(kErrorAccountNotFound, "no such cloud account", "account_id");
}

HttpResponse SourceNotFound() {
  return ApiErrorResponse(kErrorSourceNotFound, "no such cloud source", "source_id");
}

HttpResponse NoContent() {
  HttpResponse r;
  r.status = 204;
  return r;
}

Json OrganisationJson(const store::CloudOrganisation& o) {
  return {{"id", std::to_string(o.id)},          {"name", o.name},
          {"description", o.description},        {"rules", StoredRulesJson(o.rules_json)},
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
          {"rules", StoredRulesJson(a.rules_json)},
          {"created_at", TimeJson(a.created_at)},
          {"updated_at", TimeJson(a.updated_at)}};
}

Json SourceJson(const store::CloudSource& s) {
  return {{"id", std::to_string(s.id)},
          {"account_id", std::to_string(s.account_id)},
          {"name", s.name},
          {"kind", s.kind},
          {"path", s.path},
          {"enabled", s.enabled},
          {"health",
           {{"files_read", s.files_read},
            {"events", s.events},
            {"findings", s.findings},
            {"errors", s.errors},
            {"last_file", s.last_file},
            {"last_read_at", s.last_read_at > 0 ? TimeJson(s.last_read_at) : Json(nullptr)},
            {"last_error", s.last_error},
            {"last_error_at", s.last_error_at > 0 ? TimeJson(s.last_error_at) : Json(nullptr)}}},
          {"created_at", TimeJson(s.created_at)},
          {"updated_at", TimeJson(s.updated_at)}};
}

const std::vector<std::string>& SourceColumns() {
  static const std::vector<std::string> columns = {
      "id", "account_id", "name", "kind", "path", "enabled", "health", "created_at", "updated_at"};
  return columns;
}

ListBinding SourceListBinding() {
  ListBinding b;
  b.sort_fields = {{"name", "name"}, {"created_at", "created_at"}};
  // The path parameter of listCloudSources and exportCloudSources.
  b.filters["account_id"] = IdFilter("account_id");
  return b;
}

// Why `path` cannot be a source's directory; empty when it can.
std::string SourcePathProblem(const std::string& path) {
  const std::filesystem::path p(path);
  if (!p.is_absolute()) return "must be an absolute path";
  for (const auto& part : p)
    if (part == "..") return "must not contain ..";
  std::error_code ec;
  if (!std::filesystem::is_directory(p, ec)) return "is not a directory on the server's machine";
  return {};
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
  Json merged = StoredRulesJson(stored);
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

// The list query of one parent's children (an organisation's accounts, an
// account's sources): `parent` is the path's parent as found, which must
// exist.
template <typename Parent>
std::variant<store::ListQuery, HttpResponse> ChildListQuery(
    std::variant<Parent, HttpResponse> parent, const ApiCall& call, const ListBinding& binding) {
  if (auto* refused = std::get_if<HttpResponse>(&parent)) return std::move(*refused);
  auto query = BuildListQuery(call, binding);
  if (auto* error = std::get_if<api::ApiError>(&query)) return ErrorResponse(*error);
  return std::get<store::ListQuery>(query);
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

  std::variant<store::CloudSource, HttpResponse> FindSource(const ApiCall& call) const {
    std::optional<int64_t> id = IdParam(call, "source_id");
    if (!id) return SourceNotFound();
    auto found = ctx_.store->cloud_accounts().GetSource(*id);
    if (!found.ok()) return StoreErrorResponse(found.status(), call);
    if (!found->has_value()) return SourceNotFound();
    return **found;
  }

  // Followers pick up a change to a source, an account's or an
  // organisation's rules now rather than at the runner's next round.
  void SourcesChanged() const {
    if (ctx_.cloud_sources) (void)ctx_.cloud_sources->Reconcile();
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
    SourcesChanged();
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
    SourcesChanged();
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
    SourcesChanged();  // its sources went with it
    return NoContent();
  }

  HttpResponse CreateSource(ApiCall& call) const {
    auto found = FindAccount(call);
    if (auto* refused = std::get_if<HttpResponse>(&found)) return std::move(*refused);
    const store::CloudAccount& account = std::get<store::CloudAccount>(found);
    const Json& body = *call.body;
    store::CloudSource source;
    source.account_id = account.id;
    source.name = body.value("name", std::string());
    source.kind = body.value("kind", std::string("directory"));
    source.path = body.value("path", std::string());
    source.enabled = body.value("enabled", true);
    source.created_at = ctx_.Now();
    if (std::string problem = SourcePathProblem(source.path); !problem.empty())
      return ApiErrorResponse(api::kErrorValidation,
                              "path: " + source.path.substr(0, 256) + " " + problem, "/path");
    store::AuditEntry entry = call.audit;
    entry.target_type = "cloud_source";
    auto done = WriteAudited<store::CloudSource>(
        entry, [&](store::CloudAccountWriter& w) { return w.CreateSource(source); }, SourceJson);
    if (!done.ok()) return StoreErrorResponse(done.status(), call);
    if (done->outcome == store::CloudWriteOutcome::kNotFound) return AccountNotFound();
    if (done->outcome == store::CloudWriteOutcome::kNameTaken)
      return ApiErrorResponse(api::kErrorNameTaken,
                              "the account has a source named '" + source.name + "'", "/name");
    SourcesChanged();
    return JsonResponse(201, SourceJson(*done->row));
  }

  HttpResponse UpdateSource(ApiCall& call) const {
    auto found = FindSource(call);
    if (auto* refused = std::get_if<HttpResponse>(&found)) return std::move(*refused);
    const store::CloudSource before = std::get<store::CloudSource>(found);
    const Json& body = *call.body;
    store::CloudSourceChange change;
    change.updated_at = ctx_.Now();
    if (auto it = body.find("name"); it != body.end()) change.name = it->get<std::string>();
    if (auto it = body.find("enabled"); it != body.end()) change.enabled = it->get<bool>();
    if (auto it = body.find("path"); it != body.end()) {
      change.path = it->get<std::string>();
      if (std::string problem = SourcePathProblem(*change.path); !problem.empty())
        return ApiErrorResponse(api::kErrorValidation,
                                "path: " + change.path->substr(0, 256) + " " + problem, "/path");
    }
    store::AuditEntry entry = call.audit;
    entry.target_type = "cloud_source";
    entry.target_id = std::to_string(before.id);
    entry.before_json = AuditJson(SourceJson(before));
    auto done = WriteAudited<store::CloudSource>(
        entry, [&](store::CloudAccountWriter& w) { return w.UpdateSource(before.id, change); },
        SourceJson);
    if (!done.ok()) return StoreErrorResponse(done.status(), call);
    if (done->outcome == store::CloudWriteOutcome::kNameTaken)
      return ApiErrorResponse(api::kErrorNameTaken,
                              "the account has a source named '" + change.name.value_or("") + "'",
                              "/name");
    if (!done->row) return SourceNotFound();
    SourcesChanged();
    return JsonResponse(200, SourceJson(*done->row));
  }

  HttpResponse DeleteSource(ApiCall& call) const {
    auto found = FindSource(call);
    if (auto* refused = std::get_if<HttpResponse>(&found)) return std::move(*refused);
    const store::CloudSource before = std::get<store::CloudSource>(found);
    store::AuditEntry entry = call.audit;
    entry.target_type = "cloud_source";
    entry.target_id = std::to_string(before.id);
    entry.before_json = AuditJson(SourceJson(before));
    auto done =
        ctx_.store
            ->Write([&](store::StoreWriter& w) -> Result<store::CloudWrite<store::CloudSource>> {
              ASSIGN_OR_RETURN(auto deleted, w.cloud_accounts().DeleteSource(before.id));
              if (deleted.outcome != store::CloudWriteOutcome::kDone) return deleted;
              RETURN_IF_ERROR(w.audit().Append(entry).status());
              return deleted;
            })
            .Wait();
    if (!done.ok()) return StoreErrorResponse(done.status(), call);
    if (done->outcome == store::CloudWriteOutcome::kNotFound) return SourceNotFound();
    SourcesChanged();
    return NoContent();
  }

  // A file of the account's events evaluated now with its effective rules:
  // the findings become its problems, in one write with the audit entry.
  HttpResponse Upload(ApiCall& call) const {
    auto found = FindAccount(call);
    if (auto* refused = std::get_if<HttpResponse>(&found)) return std::move(*refused);
    const store::CloudAccount& account = std::get<store::CloudAccount>(found);
    auto organisation = ctx_.store->cloud_accounts().GetOrganisation(account.organisation_id);
    if (!organisation.ok()) return StoreErrorResponse(organisation.status(), call);
    if (!organisation->has_value()) return OrganisationNotFound();
    const std::string name = call.params.value("name", std::string("upload"));
    const std::string& body = call.http->body;
    if (body.empty())
      return ApiErrorResponse(api::kErrorValidation, name + ": the file is empty", "body");

    auto profile = StoredAccountProfile(**organisation, account);
    if (!profile.ok()) return StoreErrorResponse(profile.status(), call);
    auto scanner = TrailScanner::Create(CloudRuleCatalogFor(account.provider), &*profile,
                                        TrailScanner::Options{});
    if (!scanner.ok()) return StoreErrorResponse(scanner.status(), call);
    std::vector<Finding> findings;
    Json errors = Json::array();
    int64_t error_count = 0;
    auto on_problem = [&](const std::string& message) {
      if (++error_count <= kMaxUploadErrorsShown) errors.push_back(message);
    };
    (*scanner)->set_on_finding([&](Finding&& f, bool suppressed) {
      if (!suppressed) findings.push_back(std::move(f));
    });
    (*scanner)->set_on_problem(on_problem);
    CloudTrailReader reader(
        [&](const SplitRecord& record, const RecordOrigin& origin) {
          (*scanner)->ProcessRecord(record, origin);
        },
        on_problem);
    // The reader takes descriptors (gzip is known by its magic bytes): the
    // body, already in memory, through an anonymous in-memory file.
    const int fd = ::memfd_create("warden-upload", MFD_CLOEXEC);
    if (fd < 0)
      return StoreErrorResponse(Status(StatusCode::kInternal, "memfd_create failed"), call);
    size_t written = 0;
    while (written < body.size()) {
      const ssize_t n = ::write(fd, body.data() + written, body.size() - written);
      if (n <= 0) break;
      written += static_cast<size_t>(n);
    }
    Status read = written == body.size() && ::lseek(fd, 0, SEEK_SET) == 0
                      ? reader.ReadDescriptor(fd, name)
                      : Status(StatusCode::kInternal, "could not buffer the upload");
    ::close(fd);
    if (!read.ok())
      return ApiErrorResponse(api::kErrorValidation, name + ": " + read.message(), "body");

    store::AuditEntry entry = call.audit;
    entry.target_type = "cloud_account";
    entry.target_id = std::to_string(account.id);
    const int64_t events = static_cast<int64_t>((*scanner)->stats().events);
    auto done = ctx_.store
                    ->Write([&](store::StoreWriter& w) -> Result<CloudProblemsWritten> {
                      ASSIGN_OR_RETURN(CloudProblemsWritten out,
                                       WriteCloudFindings(w, account, findings, ctx_.Now()));
                      entry.after_json = AuditJson(Json{{"upload", name},
                                                        {"bytes", body.size()},
                                                        {"events", events},
                                                        {"findings", findings.size()}});
                      RETURN_IF_ERROR(w.audit().Append(entry).status());
                      return out;
                    })
                    .Wait();
    if (!done.ok()) return StoreErrorResponse(done.status(), call);
    return JsonResponse(200,
                        Json{{"events", events},
                             {"findings", findings.size()},
                             {"problems_opened", done->opened},
                             {"problems_updated", done->updated + done->reopened + done->counted},
                             {"errors", error_count},
                             {"error_messages", std::move(errors)}});
  }

  HttpResponse EffectiveRules(ApiCall& call) const {
    auto found = FindAccount(call);
    if (auto* refused = std::get_if<HttpResponse>(&found)) return std::move(*refused);
    const store::CloudAccount& account = std::get<store::CloudAccount>(found);
    auto organisation = ctx_.store->cloud_accounts().GetOrganisation(account.organisation_id);
    if (!organisation.ok()) return StoreErrorResponse(organisation.status(), call);
    const Json organisation_rules =
        organisation->has_value() ? StoredRulesJson((*organisation)->rules_json) : Json::object();
    const CloudOverrideMode mode =
        ParseCloudOverrideMode(account.override_mode).value_or(CloudOverrideMode::kFillGaps);
    // The rules that run on this account's events: its provider's.
    const std::vector<Rule> catalog = CloudRuleCatalogFor(account.provider);
    Json items = Json::array();
    Json needs = Json::array();
    for (const EffectiveCloudRule& r : EffectiveCloudRules(
             catalog, organisation_rules, StoredRulesJson(account.rules_json), mode)) {
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
  auto account_query = [api](const ApiCall& call) {
    return ChildListQuery(api->FindOrganisation(call), call, AccountListBinding());
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
  handlers.Add("uploadCloudEvents", [api](ApiCall& call) { return api->Upload(call); });
  handlers.Add("createCloudSource", [api](ApiCall& call) { return api->CreateSource(call); });
  handlers.Add("updateCloudSource", [api](ApiCall& call) { return api->UpdateSource(call); });
  handlers.Add("deleteCloudSource", [api](ApiCall& call) { return api->DeleteSource(call); });
  handlers.Add("getCloudSource", [api](ApiCall& call) {
    auto found = api->FindSource(call);
    if (auto* refused = std::get_if<HttpResponse>(&found)) return std::move(*refused);
    return JsonResponse(200, SourceJson(std::get<store::CloudSource>(found)));
  });

  // One account's sources: the path's account, which must exist.
  auto source_query = [api](const ApiCall& call) {
    return ChildListQuery(api->FindAccount(call), call, SourceListBinding());
  };

  handlers.Add("listCloudSources", [api, source_query](ApiCall& call) {
    auto query = source_query(call);
    if (auto* refused = std::get_if<HttpResponse>(&query)) return std::move(*refused);
    auto page = api->ctx().store->cloud_accounts().ListSources(std::get<store::ListQuery>(query));
    if (!page.ok()) return ListErrorResponse(page.status(), call.http->id);
    return JsonResponse(200, PageJson(*page, SourceJson));
  });

  handlers.AddAsync(
      "exportCloudSources", [api, source_query](ApiCall& call, HttpResponder responder) {
        auto query = source_query(call);
        if (auto* refused = std::get_if<HttpResponse>(&query)) {
          responder.Send(std::move(*refused));
          return;
        }
        StreamExport<store::CloudSource>(
            call, std::move(responder), "cloud-sources", SourceColumns(),
            std::get<store::ListQuery>(query),
            [&](const store::ListQuery& q, const store::RowCallback<store::CloudSource>& row) {
              return api->ctx().store->cloud_accounts().ExportSources(q, row);
            },
            SourceJson);
      });
}

}  // namespace warden::server

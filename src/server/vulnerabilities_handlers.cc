// The fleet-wide vulnerability views: listVulnerabilities /
// exportVulnerabilities (by CVE, with host and package counts),
// getVulnerability (one CVE with its NVD and vendor links, feeds and the
// packages it affects per release), listVulnerablePackages /
// exportVulnerablePackages, and listFixFirst / exportFixFirst (one row per
// upgrade, "upgrade openssl to 3.0.15-1~deb12u1: clears 7 CVEs on 40 hosts",
// ranked by the (host, CVE) pairs it clears, with the command).
//
// Severity filters pick CVEs by their own (highest) severity, packages and
// upgrades by their worst CVE; host_id, label and package narrow which
// findings are counted. Not here: the per-finding lists
// (vulnerability_findings_handlers.cc), the matching
// (fleet_vulnerability_matcher.h), free-text `q` and sorting by
// published_at (the feeds Warden reads carry no publication date): refused
// with 422.
#include <cmath>
#include <string>

#include "server/list_response.h"
#include "server/rest_handlers.h"
#include "store/vulnerability_finding_repository.h"

namespace warden::server {
namespace {

Json Nullable(const std::optional<std::string>& s) { return s ? Json(*s) : Json(nullptr); }
Json Score(const std::optional<double>& s) { return s ? Json(*s) : Json(nullptr); }

// The first line of a feed's text, at most 200 bytes (cut on a character).
Json ShortTitle(const std::optional<std::string>& text) {
  if (!text || text->empty()) return nullptr;
  std::string line = text->substr(0, text->find('\n'));
  constexpr size_t kMax = 200;
  if (line.size() > kMax) {
    size_t cut = kMax;
    while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
    line = line.substr(0, cut) + "…";
  }
  return line;
}

Json LinksJson(const std::optional<std::string>& nvd, const std::vector<std::string>& vendor) {
  return {{"nvd", Nullable(nvd)}, {"vendor", vendor}};
}

Json VulnerabilityJson(const store::VulnerabilitySummary& s) {
  return {{"cve", s.cve},
          {"title", ShortTitle(s.title)},
          {"severity", store::SeverityName(s.severity)},
          {"cvss_score", Score(s.cvss_score)},
          {"cvss_vector", Nullable(s.cvss_vector)},
          {"published_at", nullptr},
          {"host_count", s.host_count},
          {"package_count", s.package_count},
          {"fix_available", s.fix_available},
          {"links", LinksJson(s.nvd_link, s.vendor_links)}};
}

Json VulnerabilityDetailJson(const store::VulnerabilityDetail& d) {
  Json j = VulnerabilityJson(d.summary);
  j["description"] = Nullable(d.description);
  j["feeds"] = d.feeds;
  Json packages = Json::array();
  for (const auto& p : d.packages) {
    packages.push_back({{"package", p.package},
                        {"release", p.release},
                        {"fixed_version", Nullable(p.fixed_version)},
                        {"vendor_status", p.vendor_status},
                        {"host_count", p.host_count}});
  }
  j["packages"] = std::move(packages);
  return j;
}

Json VulnerablePackageJson(const store::VulnerablePackageSummary& p) {
  return {{"package", p.package},
          {"source_package", Nullable(p.source_package)},
          {"installed_versions", p.installed_versions},
          {"cve_count", p.cve_count},
          {"host_count", p.host_count},
          {"max_severity", store::SeverityName(p.max_severity)},
          {"max_cvss", Score(p.max_cvss)},
          {"fix_available", p.fix_available}};
}

std::string Plural(int64_t n, const std::string& one, const std::string& many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

Json FixFirstJson(const store::FixFirstRow& f) {
  return {{"package", f.package},
          {"release", f.release},
          {"fixed_version", f.fixed_version},
          {"upgrade_command", f.upgrade_command},
          {"cves_cleared", f.cves_cleared},
          {"cves", f.cves},
          {"host_count", f.host_count},
          {"impact", f.impact},
          {"max_severity", store::SeverityName(f.max_severity)},
          {"max_cvss", Score(f.max_cvss)},
          {"summary", "upgrade " + f.package + " to " + f.fixed_version + ": clears " +
                          Plural(f.cves_cleared, "CVE", "CVEs") + " on " +
                          Plural(f.host_count, "host", "hosts")}};
}

// Filters that narrow which findings a view counts.
void AddScopeFilters(ListBinding& b) {
  b.filters["host_id"] = IdFilter("host_id");
  b.filters["label"] = AnyValueFilter("label");
}

ListBinding VulnerabilityBinding() {
  ListBinding b;
  for (const char* field : {"cve", "severity", "cvss_score", "host_count"})
    b.sort_fields[field] = field;
  b.filters["cve"] = AnyValueFilter("cve");
  b.filters["severity"] = RankOneOfFilter("severity", store::SeverityRanks());
  b.filters["min_severity"] = MinRankFilter("severity", store::SeverityRanks());
  b.filters["min_cvss"] = MinTenthsFilter("cvss_score");
  b.filters["fix_available"] = EqualsFilter("fix_available");
  b.filters["package"] = EqualsFilter("package");
  AddScopeFilters(b);
  return b;
}

ListBinding VulnerablePackageBinding() {
  ListBinding b;
  for (const char* field : {"package", "cve_count", "host_count", "max_severity"})
    b.sort_fields[field] = field;
  b.filters["severity"] = RankOneOfFilter("max_severity", store::SeverityRanks());
  b.filters["min_severity"] = MinRankFilter("max_severity", store::SeverityRanks());
  b.filters["fix_available"] = EqualsFilter("fix_available");
  AddScopeFilters(b);
  return b;
}

ListBinding FixFirstBinding() {
  ListBinding b;
  for (const char* field : {"impact", "cves_cleared", "host_count", "max_severity", "package"})
    b.sort_fields[field] = field;
  b.filters["severity"] = RankOneOfFilter("max_severity", store::SeverityRanks());
  b.filters["min_severity"] = MinRankFilter("max_severity", store::SeverityRanks());
  AddScopeFilters(b);
  return b;
}

// Registers a list and its export over one repository view.
template <typename T>
void AddView(ApiHandlers& handlers, const HandlerContext& ctx, const std::string& list_id,
             const std::string& export_id, const std::string& file_base, ListBinding binding,
             std::vector<std::string> columns,
             Result<store::ListPage<T>> (store::VulnerabilityFindingRepository::*list)(
                 const store::ListQuery&),
             Status (store::VulnerabilityFindingRepository::*export_rows)(
                 const store::ListQuery&, const store::RowCallback<T>&),
             Json (*to_json)(const T&)) {
  auto shared = std::make_shared<const ListBinding>(std::move(binding));
  handlers.Add(list_id, [ctx, shared, list, to_json](ApiCall& call) {
    auto query = BuildListQuery(call, *shared);
    if (auto* error = std::get_if<api::ApiError>(&query)) return ErrorResponse(*error);
    auto page = (ctx.store->vulnerabilities().*list)(std::get<store::ListQuery>(query));
    if (!page.ok()) return ListErrorResponse(page.status(), call.http->id);
    return JsonResponse(200, PageJson(*page, to_json));
  });
  handlers.AddAsync(export_id, [ctx, shared, export_rows, to_json, file_base, columns](
                                   ApiCall& call, HttpResponder responder) {
    auto query = BuildListQuery(call, *shared);
    if (auto* error = std::get_if<api::ApiError>(&query)) {
      responder.Send(ErrorResponse(*error));
      return;
    }
    StreamExport<T>(
        call, std::move(responder), file_base, columns, std::get<store::ListQuery>(query),
        [&](const store::ListQuery& q, const store::RowCallback<T>& row) {
          return (ctx.store->vulnerabilities().*export_rows)(q, row);
        },
        to_json);
  });
}

}  // namespace

void RegisterVulnerabilitiesHandlers(ApiHandlers& handlers, const HandlerContext& ctx) {
  AddView<store::VulnerabilitySummary>(
      handlers, ctx, "listVulnerabilities", "exportVulnerabilities", "vulnerabilities",
      VulnerabilityBinding(),
      {"cve", "title", "severity", "cvss_score", "cvss_vector", "published_at", "host_count",
       "package_count", "fix_available", "links"},
      &store::VulnerabilityFindingRepository::ListByCve,
      &store::VulnerabilityFindingRepository::ExportByCve, VulnerabilityJson);
  AddView<store::VulnerablePackageSummary>(
      handlers, ctx, "listVulnerablePackages", "exportVulnerablePackages", "vulnerable-packages",
      VulnerablePackageBinding(),
      {"package", "source_package", "installed_versions", "cve_count", "host_count", "max_severity",
       "max_cvss", "fix_available"},
      &store::VulnerabilityFindingRepository::ListByPackage,
      &store::VulnerabilityFindingRepository::ExportByPackage, VulnerablePackageJson);
  AddView<store::FixFirstRow>(
      handlers, ctx, "listFixFirst", "exportFixFirst", "fix-first", FixFirstBinding(),
      {"package", "release", "fixed_version", "upgrade_command", "cves_cleared", "cves",
       "host_count", "impact", "max_severity", "max_cvss", "summary"},
      &store::VulnerabilityFindingRepository::ListFixFirst,
      &store::VulnerabilityFindingRepository::ExportFixFirst, FixFirstJson);

  handlers.Add("getVulnerability", [ctx](ApiCall& call) {
    const std::string cve = call.params.value("cve", "");
    auto detail = ctx.store->vulnerabilities().GetCve(cve);
    if (!detail.ok()) return StoreErrorResponse(detail.status(), call);
    if (!detail->has_value()) {
      return ApiErrorResponse("E_VULNERABILITY_NOT_FOUND",
                              "no host in the fleet has a finding of " + cve.substr(0, 64), "cve");
    }
    return JsonResponse(200, VulnerabilityDetailJson(**detail));
  });
}

}  // namespace warden::server

#include "vuln/osv_importer.h"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/strings.h"
#include "core/time_format.h"
#include "vuln/json_shape.h"
#include "vuln/severity.h"

namespace warden {
namespace {

using nlohmann::json;

const json* Member(const json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

// Where an ecosystem string points: which distribution, release and flavour.
struct EcosystemTarget {
  std::string distro;
  std::string release;
  std::string flavour;
  PackageScheme scheme = PackageScheme::kDebSource;
};

std::string MajorVersion(std::string_view v) {
  size_t dot = v.find('.');
  return std::string(dot == std::string_view::npos ? v : v.substr(0, dot));
}

bool IsVersionNumber(std::string_view v) {
  if (v.empty()) return false;
  for (char c : v)
    if (!((c >= '0' && c <= '9') || c == '.')) return false;
  return true;
}

std::optional<EcosystemTarget> ParseEcosystem(std::string_view ecosystem) {
  std::vector<std::string_view> parts = SplitString(ecosystem, ':');
  if (parts.size() < 2) return std::nullopt;
  EcosystemTarget t;
  if (parts[0] == "Debian") {
    if (parts[1].empty()) return std::nullopt;
    t.distro = "debian";
    std::string_view codename = DebianCodename(parts[1]);
    t.release = codename.empty() ? std::string(parts[1]) : std::string(codename);
    return t;
  }
  if (parts[0] == "Ubuntu") {
    t.distro = "ubuntu";
    for (size_t i = 1; i < parts.size(); ++i) {
      if (IsVersionNumber(parts[i])) {
        t.release = std::string(parts[i]);
      } else if (parts[i] == "Pro") {
        if (t.flavour.empty()) t.flavour = "pro";
      } else if (StartsWith(parts[i], "FIPS")) {
        t.flavour = "fips";
      }
    }
    if (t.release.empty()) return std::nullopt;
    return t;
  }
  t.scheme = PackageScheme::kRpmBinary;
  if (parts[0] == "AlmaLinux")
    t.distro = "almalinux";
  else if (parts[0] == "Rocky Linux")
    t.distro = "rocky";
  else if (parts[0] == "Red Hat" && parts.size() >= 3)
    t.distro = "rhel";
  else
    return std::nullopt;
  if (t.distro == "rhel") {
    // "Red Hat:enterprise_linux:9::appstream"; EUS/AUS/E4S streams ship other
    // fixed versions than the standard release, so they get their own flavour.
    if (parts[1] != "enterprise_linux") t.flavour = std::string(parts[1]);
    t.release = MajorVersion(parts[2]);
  } else {
    t.release = MajorVersion(parts[1]);
  }
  if (t.release.empty()) return std::nullopt;
  return t;
}

// "pkg:rpm/redhat/nodejs@18?arch=x86_64&rpmmod=nodejs:18:8090020230726133218:a75119d5"
std::string PurlQualifier(std::string_view purl, std::string_view key) {
  size_t q = purl.find('?');
  if (q == std::string_view::npos) return {};
  std::string_view quals = purl.substr(q + 1);
  size_t hash = quals.find('#');
  if (hash != std::string_view::npos) quals = quals.substr(0, hash);
  for (std::string_view kv : SplitString(quals, '&')) {
    size_t eq = kv.find('=');
    if (eq != std::string_view::npos && kv.substr(0, eq) == key)
      return std::string(kv.substr(eq + 1));
  }
  return {};
}

// "nodejs:18:8090020230726133218:a75119d5" -> "nodejs:18".
std::string ModuleStream(std::string_view rpmmod) {
  std::vector<std::string_view> parts = SplitString(rpmmod, ':');
  if (parts.size() < 2 || parts[0].empty() || parts[1].empty()) return {};
  return std::string(parts[0]) + ":" + std::string(parts[1]);
}

bool IsAdvisoryId(std::string_view id) {
  for (std::string_view prefix : {"DSA-", "DLA-", "DTSA-", "USN-", "ALSA-", "ALBA-", "ALEA-",
                                  "RLSA-", "RLBA-", "RHSA-", "RHBA-", "ELSA-"}) {
    if (StartsWith(id, prefix)) return true;
  }
  return false;
}

// The vendor's rating word and CVSS v3 vector from an optional `severity` list.
Status ReadSeverityList(const json& object, const JsonPlace& at, std::string* vendor_word,
                        std::string* cvss_vector) {
  ASSIGN_OR_RETURN(const json* list, ReadJsonMember(object, at, "severity", json::value_t::array,
                                                    JsonNeed::kOptional));
  if (list == nullptr) return Status::Ok();
  const JsonPlace list_at = at.Child("severity");
  for (size_t i = 0; i < list->size(); ++i) {
    const JsonPlace item_at = list_at.Index(i);
    std::string type, score;
    RETURN_IF_ERROR(ReadJsonText((*list)[i], item_at, "type", JsonNeed::kRequired, &type));
    RETURN_IF_ERROR(ReadJsonText((*list)[i], item_at, "score", JsonNeed::kRequired, &score));
    if (type == "CVSS_V3" && cvss_vector->empty())
      *cvss_vector = score;
    else if (type == "Ubuntu" && vendor_word->empty())
      *vendor_word = score;
  }
  return Status::Ok();
}

// An optional list of strings (aliases, upstream, related).
Result<std::vector<std::string>> ReadTextList(const json& object, const JsonPlace& at,
                                              const char* key) {
  std::vector<std::string> out;
  ASSIGN_OR_RETURN(const json* list,
                   ReadJsonMember(object, at, key, json::value_t::array, JsonNeed::kOptional));
  if (list == nullptr) return out;
  for (size_t i = 0; i < list->size(); ++i) {
    const json& item = (*list)[i];
    if (!item.is_string()) return JsonWrongType(at.Child(key).Index(i), "a string", item);
    out.push_back(item.get<std::string>());
  }
  return out;
}

// A text member of a free-form object (database_specific, ecosystem_specific):
// the schema leaves their contents to each database, so anything that is not
// a string reads as "".
std::string FreeFormText(const json* object, const char* key) {
  if (object == nullptr || !object->is_object()) return {};
  auto it = object->find(key);
  if (it == object->end() || !it->is_string()) return {};
  return it->get<std::string>();
}

struct Range {
  std::string introduced;
  std::string fixed;
  std::string last_affected;
  bool closed = false;  // has a fixed or last_affected end
};

// An affected entry's ECOSYSTEM ranges, in order, as [introduced, fixed) pairs.
Result<std::vector<Range>> ReadRanges(const json& affected, const JsonPlace& at) {
  std::vector<Range> out;
  ASSIGN_OR_RETURN(const json* ranges, ReadJsonMember(affected, at, "ranges", json::value_t::array,
                                                      JsonNeed::kOptional));
  if (ranges == nullptr) return out;
  for (size_t i = 0; i < ranges->size(); ++i) {
    const json& range = (*ranges)[i];
    const JsonPlace range_at = at.Child("ranges").Index(i);
    std::string type;
    RETURN_IF_ERROR(ReadJsonText(range, range_at, "type", JsonNeed::kRequired, &type));
    if (type != "ECOSYSTEM") continue;  // GIT/SEMVER ranges say nothing about packages
    ASSIGN_OR_RETURN(const json* events, ReadJsonMember(range, range_at, "events",
                                                        json::value_t::array, JsonNeed::kRequired));
    Range current;
    bool open = false;
    for (size_t e = 0; e < events->size(); ++e) {
      const json& event = (*events)[e];
      const JsonPlace event_at = range_at.Child("events").Index(e);
      std::string introduced, fixed, last_affected, limit;
      RETURN_IF_ERROR(
          ReadJsonText(event, event_at, "introduced", JsonNeed::kOptional, &introduced));
      RETURN_IF_ERROR(ReadJsonText(event, event_at, "fixed", JsonNeed::kOptional, &fixed));
      RETURN_IF_ERROR(
          ReadJsonText(event, event_at, "last_affected", JsonNeed::kOptional, &last_affected));
      RETURN_IF_ERROR(ReadJsonText(event, event_at, "limit", JsonNeed::kOptional, &limit));
      auto introduced_member = event.find("introduced");
      if (introduced_member != event.end() && !introduced_member->is_null()) {
        if (open) out.push_back(current);  // introduced twice: keep the first range open-ended
        current = Range{};
        current.introduced = introduced == "0" ? "" : introduced;
        open = true;
      } else if (!fixed.empty()) {
        current.fixed = fixed;
        current.closed = true;
        out.push_back(current);
        current = Range{};
        open = false;
      } else if (!last_affected.empty()) {
        current.last_affected = last_affected;
        current.closed = true;
        out.push_back(current);
        current = Range{};
        open = false;
      } else if (!event.contains("limit")) {
        // An event the schema does not know (or an empty fixed version) would
        // leave the range open and turn "fixed" into "affected".
        return ParseError(event_at.Describe() +
                          ": an event needs a non-empty \"introduced\", \"fixed\", "
                          "\"last_affected\" or \"limit\"");
      }
    }
    if (open) out.push_back(current);
  }
  return out;
}

std::string SourceName(const EcosystemTarget& t) { return "osv-" + t.distro; }

}  // namespace

Status ImportOsvRecord(std::string_view text, std::string_view origin, FeedSink& sink,
                       size_t* added) {
  if (added) *added = 0;
  if (text.size() > kMaxOsvRecordBytes)
    return InvalidArgument(std::string(origin) + ": OSV record of " + std::to_string(text.size()) +
                           " bytes exceeds the " + std::to_string(kMaxOsvRecordBytes) +
                           "-byte limit");
  json doc;
  try {
    doc = json::parse(text.begin(), text.end());
  } catch (const std::exception& e) {
    return ParseError(std::string(origin) + ": " + CleanJsonError(e.what()));
  }
  // Every member read is checked for its type before anything reaches the
  // sink: a record of the wrong shape fails the import, it does not replace
  // the stored records of its id with fewer or different ones.
  const JsonPlace at{origin, ""};
  if (!doc.is_object()) return JsonWrongType(at, "an OSV record (a JSON object)", doc);
  std::string id;
  RETURN_IF_ERROR(ReadJsonText(doc, at, "id", JsonNeed::kRequired, &id));
  if (id.empty()) return ParseError(std::string(origin) + ": OSV record has an empty \"id\"");
  ASSIGN_OR_RETURN(const json* affected_list,
                   ReadJsonMember(doc, at, "affected", json::value_t::array, JsonNeed::kOptional));
  ASSIGN_OR_RETURN(std::vector<std::string> aliases, ReadTextList(doc, at, "aliases"));
  ASSIGN_OR_RETURN(std::vector<std::string> upstream, ReadTextList(doc, at, "upstream"));
  ASSIGN_OR_RETURN(std::vector<std::string> related, ReadTextList(doc, at, "related"));

  // CVE ids this record is about.
  std::vector<std::string> cves;
  if (StartsWith(id, "CVE-")) cves.push_back(id);
  for (const auto* list : {&aliases, &upstream}) {
    for (const std::string& a : *list) {
      if (StartsWith(a, "CVE-") && std::find(cves.begin(), cves.end(), a) == cves.end())
        cves.push_back(a);
    }
  }
  if (cves.empty()) cves.push_back(id);

  std::string advisory = IsAdvisoryId(id) ? id : "";
  for (const auto* list : {&aliases, &related}) {
    for (const std::string& a : *list)
      if (advisory.empty() && IsAdvisoryId(a)) advisory = a;
  }

  std::string link;
  ASSIGN_OR_RETURN(const json* refs, ReadJsonMember(doc, at, "references", json::value_t::array,
                                                    JsonNeed::kOptional));
  if (refs != nullptr) {
    std::vector<std::pair<std::string, std::string>> typed_urls;
    for (size_t i = 0; i < refs->size(); ++i) {
      const JsonPlace ref_at = at.Child("references").Index(i);
      std::string type, url;
      RETURN_IF_ERROR(ReadJsonText((*refs)[i], ref_at, "type", JsonNeed::kOptional, &type));
      RETURN_IF_ERROR(ReadJsonText((*refs)[i], ref_at, "url", JsonNeed::kOptional, &url));
      typed_urls.emplace_back(std::move(type), std::move(url));
    }
    for (const char* wanted : {"ADVISORY", "WEB"}) {
      for (const auto& [type, url] : typed_urls)
        if (link.empty() && type == wanted) link = url;
    }
  }

  std::string title, details;
  RETURN_IF_ERROR(ReadJsonText(doc, at, "summary", JsonNeed::kOptional, &title));
  RETURN_IF_ERROR(ReadJsonText(doc, at, "details", JsonNeed::kOptional, &details));
  if (title.empty()) {
    details = std::string(TrimWhitespace(details));
    title = details.substr(0, details.find('\n'));
  }

  std::string record_vendor_word, record_cvss;
  RETURN_IF_ERROR(ReadSeverityList(doc, at, &record_vendor_word, &record_cvss));
  if (record_vendor_word.empty())
    record_vendor_word = FreeFormText(Member(doc, "database_specific"), "severity");

  std::string withdrawn_time, modified_time;
  RETURN_IF_ERROR(ReadJsonText(doc, at, "withdrawn", JsonNeed::kOptional, &withdrawn_time));
  RETURN_IF_ERROR(ReadJsonText(doc, at, "modified", JsonNeed::kOptional, &modified_time));
  const bool withdrawn = !withdrawn_time.empty();
  const std::optional<int64_t> modified = ParseRfc3339(modified_time);

  std::vector<std::string> begun;  // sources whose document is reset
  std::vector<AffectedRecord> records;
  const size_t affected_count = affected_list == nullptr ? 0 : affected_list->size();
  for (size_t i = 0; i < affected_count; ++i) {
    const json& affected = (*affected_list)[i];
    const JsonPlace affected_at = at.Child("affected").Index(i);
    if (!affected.is_object()) return JsonWrongType(affected_at, "an object", affected);
    ASSIGN_OR_RETURN(const json* package,
                     ReadJsonMember(affected, affected_at, "package", json::value_t::object,
                                    JsonNeed::kOptional));
    if (package == nullptr) continue;  // a GIT-only entry names no package
    const JsonPlace package_at = affected_at.Child("package");
    std::string ecosystem, name, purl;
    RETURN_IF_ERROR(
        ReadJsonText(*package, package_at, "ecosystem", JsonNeed::kRequired, &ecosystem));
    RETURN_IF_ERROR(ReadJsonText(*package, package_at, "name", JsonNeed::kRequired, &name));
    RETURN_IF_ERROR(ReadJsonText(*package, package_at, "purl", JsonNeed::kOptional, &purl));
    auto target = ParseEcosystem(ecosystem);
    if (!target) continue;
    std::string source = SourceName(*target);
    if (modified) sink.SetFeedTime(source, *modified);
    if (std::find(begun.begin(), begun.end(), source) == begun.end()) begun.push_back(source);
    if (withdrawn) continue;
    if (name.empty())
      return ParseError(package_at.Describe() + ": " + id + ": affected package has no name");

    std::string vendor_word, cvss_vector;
    RETURN_IF_ERROR(ReadSeverityList(affected, affected_at, &vendor_word, &cvss_vector));
    if (vendor_word.empty())
      vendor_word = FreeFormText(Member(affected, "ecosystem_specific"), "urgency");
    if (vendor_word.empty()) vendor_word = record_vendor_word;
    if (cvss_vector.empty()) cvss_vector = record_cvss;
    ASSIGN_OR_RETURN(std::vector<Range> ranges, ReadRanges(affected, affected_at));

    AffectedRecord r;
    r.source = source;
    r.document = id;
    r.distro = target->distro;
    r.release = target->release;
    r.flavour = target->flavour;
    r.scheme = target->scheme;
    r.package = name;
    r.advisory = advisory;
    r.vendor_severity = vendor_word;
    if (auto score = CvssV3BaseScore(cvss_vector)) {
      r.cvss_vector = cvss_vector;
      r.cvss_score = *score;
    }
    r.title = title;
    r.link = link;
    if (target->scheme == PackageScheme::kRpmBinary) {
      r.arch = PurlQualifier(purl, "arch");
      r.module_stream = ModuleStream(PurlQualifier(purl, "rpmmod"));
    }
    for (const Range& range : ranges) {
      r.introduced = range.introduced;
      r.fixed_version = range.fixed;
      r.last_affected = range.last_affected;
      if (!range.fixed.empty()) {
        r.status = VendorStatus::kFixed;
        r.vendor_status = "fixed";
      } else {
        r.status = VendorStatus::kAffected;
        r.vendor_status =
            range.last_affected.empty() ? "affected" : "affected up to " + range.last_affected;
      }
      for (const std::string& cve : cves) {
        r.vuln_id = cve;
        records.push_back(r);
      }
    }
  }
  // Only now, with the whole record read, does the sink hear of it.
  for (const std::string& source : begun) RETURN_IF_ERROR(sink.BeginDocument(source, id));
  for (const AffectedRecord& r : records) RETURN_IF_ERROR(sink.Add(r));
  if (added) *added = records.size();
  return Status::Ok();
}

}  // namespace warden

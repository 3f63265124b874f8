#include "vuln/osv_importer.h"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/strings.h"
#include "core/time_format.h"
#include "vuln/severity.h"

namespace warden {
namespace {

using nlohmann::json;

std::string CleanJsonError(std::string_view what) {
  if (StartsWith(what, "[json.exception.")) {
    size_t close = what.find("] ");
    if (close != std::string_view::npos) what.remove_prefix(close + 2);
  }
  return std::string(what);
}

std::string Text(const json& object, const char* key) {
  if (!object.is_object()) return {};
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

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

// The vendor's rating word and CVSS v3 vector from a `severity` list.
void ReadSeverityList(const json* list, std::string* vendor_word, std::string* cvss_vector) {
  if (list == nullptr || !list->is_array()) return;
  for (const json& s : *list) {
    std::string type = Text(s, "type");
    std::string score = Text(s, "score");
    if (type == "CVSS_V3" && cvss_vector->empty())
      *cvss_vector = score;
    else if (type == "Ubuntu" && vendor_word->empty())
      *vendor_word = score;
  }
}

struct Range {
  std::string introduced;
  std::string fixed;
  std::string last_affected;
  bool closed = false;  // has a fixed or last_affected end
};

// An ECOSYSTEM range's events, in order, as [introduced, fixed) pairs.
std::vector<Range> ReadRanges(const json& affected) {
  std::vector<Range> out;
  const json* ranges = Member(affected, "ranges");
  if (ranges == nullptr || !ranges->is_array()) return out;
  for (const json& range : *ranges) {
    if (Text(range, "type") != "ECOSYSTEM")
      continue;  // GIT/SEMVER ranges say nothing about packages
    const json* events = Member(range, "events");
    if (events == nullptr || !events->is_array()) continue;
    Range current;
    bool open = false;
    for (const json& event : *events) {
      if (!event.is_object()) continue;
      if (auto v = Text(event, "introduced"); !v.empty() || event.contains("introduced")) {
        if (open) out.push_back(current);  // introduced twice: keep the first range open-ended
        current = Range{};
        current.introduced = v == "0" ? "" : v;
        open = true;
      } else if (auto f = Text(event, "fixed"); !f.empty()) {
        current.fixed = f;
        current.closed = true;
        out.push_back(current);
        current = Range{};
        open = false;
      } else if (auto l = Text(event, "last_affected"); !l.empty()) {
        current.last_affected = l;
        current.closed = true;
        out.push_back(current);
        current = Range{};
        open = false;
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
  if (!doc.is_object())
    return ParseError(std::string(origin) + ": an OSV record must be a JSON object");
  const std::string id = Text(doc, "id");
  if (id.empty()) return ParseError(std::string(origin) + ": OSV record has no \"id\"");
  const json* affected_list = Member(doc, "affected");
  if (affected_list != nullptr && !affected_list->is_array())
    return ParseError(std::string(origin) + ": " + id + ": \"affected\" must be a list");

  // CVE ids this record is about.
  std::vector<std::string> cves;
  if (StartsWith(id, "CVE-")) cves.push_back(id);
  for (const char* key : {"aliases", "upstream"}) {
    const json* list = Member(doc, key);
    if (list == nullptr || !list->is_array()) continue;
    for (const json& a : *list) {
      if (a.is_string() && StartsWith(a.get_ref<const std::string&>(), "CVE-")) {
        const auto& cve = a.get_ref<const std::string&>();
        if (std::find(cves.begin(), cves.end(), cve) == cves.end()) cves.push_back(cve);
      }
    }
  }
  if (cves.empty()) cves.push_back(id);

  std::string advisory = IsAdvisoryId(id) ? id : "";
  if (advisory.empty()) {
    for (const char* key : {"aliases", "related"}) {
      const json* list = Member(doc, key);
      if (list == nullptr || !list->is_array()) continue;
      for (const json& a : *list)
        if (advisory.empty() && a.is_string() && IsAdvisoryId(a.get_ref<const std::string&>()))
          advisory = a;
    }
  }

  std::string link;
  if (const json* refs = Member(doc, "references"); refs != nullptr && refs->is_array()) {
    for (const char* wanted : {"ADVISORY", "WEB"}) {
      for (const json& r : *refs)
        if (link.empty() && Text(r, "type") == wanted) link = Text(r, "url");
    }
  }

  std::string title = Text(doc, "summary");
  if (title.empty()) {
    std::string details = std::string(TrimWhitespace(Text(doc, "details")));
    title = details.substr(0, details.find('\n'));
  }

  std::string record_vendor_word, record_cvss;
  ReadSeverityList(Member(doc, "severity"), &record_vendor_word, &record_cvss);
  if (const json* db = Member(doc, "database_specific");
      db != nullptr && record_vendor_word.empty())
    record_vendor_word = Text(*db, "severity");

  const bool withdrawn = doc.contains("withdrawn") && !Text(doc, "withdrawn").empty();
  if (auto modified = ParseRfc3339(Text(doc, "modified")); modified && affected_list != nullptr) {
    for (const json& a : *affected_list) {
      if (auto t = ParseEcosystem(
              Text(Member(a, "package") ? *Member(a, "package") : json(), "ecosystem")))
        sink.SetFeedTime(SourceName(*t), *modified);
    }
  }

  std::vector<std::string> begun;  // sources whose document was reset
  size_t count = 0;
  if (affected_list == nullptr) return Status::Ok();
  for (const json& affected : *affected_list) {
    const json* package = Member(affected, "package");
    if (package == nullptr) continue;
    auto target = ParseEcosystem(Text(*package, "ecosystem"));
    if (!target) continue;
    std::string source = SourceName(*target);
    if (std::find(begun.begin(), begun.end(), source) == begun.end()) {
      RETURN_IF_ERROR(sink.BeginDocument(source, id));
      begun.push_back(source);
    }
    if (withdrawn) continue;
    std::string name = Text(*package, "name");
    if (name.empty())
      return ParseError(std::string(origin) + ": " + id + ": affected package has no name");
    std::string purl = Text(*package, "purl");

    std::string vendor_word, cvss_vector;
    ReadSeverityList(Member(affected, "severity"), &vendor_word, &cvss_vector);
    if (vendor_word.empty()) {
      if (const json* es = Member(affected, "ecosystem_specific"))
        vendor_word = Text(*es, "urgency");
    }
    if (vendor_word.empty()) vendor_word = record_vendor_word;
    if (cvss_vector.empty()) cvss_vector = record_cvss;

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
    for (const Range& range : ReadRanges(affected)) {
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
        RETURN_IF_ERROR(sink.Add(r));
        ++count;
      }
    }
  }
  if (added) *added = count;
  return Status::Ok();
}

}  // namespace warden

#include "core/finding.h"

#include <openssl/evp.h>

#include <memory>

#include "core/encoding.h"
#include "core/json_text.h"
#include "core/time_format.h"
#include "core/version.h"

namespace warden {

std::string MakeFindingId(std::initializer_list<std::string_view> parts) {
  // One digest context per thread, and SHA-256 fetched once: OpenSSL 3
  // looks the algorithm up again on every EVP_sha256() init otherwise.
  static const EVP_MD* const kSha256 = [] {
    const EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    return md != nullptr ? md : EVP_sha256();
  }();
  thread_local std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(),
                                                                           EVP_MD_CTX_free);
  EVP_DigestInit_ex(ctx.get(), kSha256, nullptr);
  for (std::string_view p : parts) {
    EVP_DigestUpdate(ctx.get(), p.data(), p.size());
    EVP_DigestUpdate(ctx.get(), "\x1f", 1);  // unit separator: ("ab","c") != ("a","bc")
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx.get(), md, &len);
  return HexEncode(md, len < 16 ? len : 16);
}

namespace {

void AppendDump(const Json& value, std::string* out) { AppendJsonDocument(value, out); }

// ,"key":
void AppendKey(std::string_view key, std::string* out) {
  out->push_back(',');
  AppendJsonText(key, out);
  out->push_back(':');
}

}  // namespace

void AppendFindingEvidenceJson(const Finding& f, std::string* out) {
  if (f.raw_evidence.empty()) {
    AppendDump(f.evidence, out);
    return;
  }
  out->push_back('{');
  bool first = true;
  for (const auto& [key, text] : f.raw_evidence) {
    if (!first) out->push_back(',');
    first = false;
    AppendJsonText(key, out);
    out->push_back(':');
    out->append(text);
  }
  if (f.evidence.is_object())
    for (const auto& [key, value] : f.evidence.items()) {
      AppendKey(key, out);
      AppendDump(value, out);
    }
  out->push_back('}');
}

void AppendFindingJson(const Finding& f, std::string* out) {
  out->append("{\"id\":");
  AppendJsonText(f.id, out);
  out->append(",\"rule_id\":");
  AppendJsonText(f.rule_id, out);
  out->append(",\"title\":");
  AppendJsonText(f.title, out);
  out->append(",\"description\":");
  AppendJsonText(f.description, out);
  out->append(",\"risk_level\":");
  AppendJsonText(RiskLevelName(f.risk_level), out);
  out->append(",\"source\":");
  AppendJsonText(f.source, out);
  out->append(",\"resource\":");
  AppendJsonText(f.resource, out);
  out->append(",\"first_seen\":");
  AppendJsonText(FormatRfc3339(f.first_seen), out);
  out->append(",\"last_seen\":");
  AppendJsonText(FormatRfc3339(f.last_seen), out);
  // An attribute never replaces a common key (it is left out).
  static constexpr std::string_view kCommon[] = {
      "id",       "rule_id",    "title",     "description", "risk_level", "source",
      "resource", "first_seen", "last_seen", "remediation", "links",      "evidence"};
  if (f.attributes.is_object())
    for (const auto& [key, value] : f.attributes.items()) {
      bool common = false;
      for (std::string_view k : kCommon) common = common || key == k;
      if (common) continue;
      AppendKey(key, out);
      AppendDump(value, out);
    }
  out->append(",\"remediation\":");
  AppendJsonText(f.remediation, out);
  out->append(",\"links\":[");
  for (size_t i = 0; i < f.links.size(); ++i) {
    if (i) out->push_back(',');
    AppendJsonText(f.links[i], out);
  }
  out->append("],\"evidence\":");
  AppendFindingEvidenceJson(f, out);
  out->push_back('}');
}

Json FindingToJson(const Finding& f) {
  std::string text;
  AppendFindingJson(f, &text);
  return Json::parse(text);
}

Finding FindingFromJson(const Json& j) {
  Finding f;
  if (!j.is_object()) return f;
  auto text = [&](const char* key, std::string* out) {
    auto it = j.find(key);
    if (it != j.end() && it->is_string()) *out = it->get<std::string>();
  };
  auto time = [&](const char* key, int64_t* out) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string()) return;
    if (auto t = ParseRfc3339(it->get_ref<const std::string&>())) *out = *t;
  };
  text("id", &f.id);
  text("rule_id", &f.rule_id);
  text("title", &f.title);
  text("description", &f.description);
  std::string risk;
  text("risk_level", &risk);
  f.risk_level = ParseRiskLevel(risk).value_or(RiskLevel::kLow);
  text("source", &f.source);
  text("resource", &f.resource);
  time("first_seen", &f.first_seen);
  time("last_seen", &f.last_seen);
  text("remediation", &f.remediation);
  if (auto it = j.find("links"); it != j.end() && it->is_array())
    for (const auto& l : *it)
      if (l.is_string()) f.links.push_back(l.get<std::string>());
  if (auto it = j.find("evidence"); it != j.end()) f.evidence = *it;
  static constexpr std::string_view kCommon[] = {
      "id",       "rule_id",    "title",     "description", "risk_level", "source",
      "resource", "first_seen", "last_seen", "remediation", "links",      "evidence"};
  for (const auto& [k, v] : j.items()) {
    bool common = false;
    for (std::string_view c : kCommon) common = common || k == c;
    if (!common) f.attributes[k] = v;
  }
  return f;
}

Json FindingToOcsf(const Finding& f, OcsfClass cls) {
  const int class_uid = static_cast<int>(cls);
  const int activity_id = 1;  // Create
  Json j = Json::object();
  j["activity_id"] = activity_id;
  j["activity_name"] = "Create";
  j["category_uid"] = 2;
  j["category_name"] = "Findings";
  j["class_uid"] = class_uid;
  j["class_name"] =
      cls == OcsfClass::kVulnerabilityFinding ? "Vulnerability Finding" : "Detection Finding";
  j["type_uid"] = class_uid * 100 + activity_id;
  j["time"] = f.last_seen * 1000;  // OCSF timestamps are epoch milliseconds
  j["severity_id"] = OcsfSeverityId(f.risk_level);
  j["severity"] = RiskLevelDisplayName(f.risk_level);
  j["status_id"] = 1;  // New
  j["status"] = "New";
  Json info = Json::object();
  info["uid"] = f.id;
  info["title"] = f.title;
  info["desc"] = f.description;
  info["types"] = Json::array({f.rule_id});
  info["first_seen_time"] = f.first_seen * 1000;
  info["last_seen_time"] = f.last_seen * 1000;
  info["src_url"] = f.links.empty() ? Json(nullptr) : Json(f.links.front());
  info["analytic"] = {{"uid", f.rule_id}, {"name", f.title}, {"type_id", 1}, {"type", "Rule"}};
  j["finding_info"] = std::move(info);
  j["metadata"] = {
      {"version", "1.1.0"},
      {"product",
       {{"name", "Warden"}, {"vendor_name", "Warden"}, {"version", std::string(kWardenVersion)}}},
      {"log_name", f.source}};
  if (!f.remediation.empty()) j["remediation"] = {{"desc", f.remediation}, {"references", f.links}};
  j["risk_level"] = RiskLevelDisplayName(f.risk_level);
  j["unmapped"] = f.attributes;
  std::string evidence;
  AppendFindingEvidenceJson(f, &evidence);
  j["raw_data"] = std::move(evidence);
  for (const auto& [k, v] : f.ocsf_extra.items()) j[k] = v;
  return j;
}

}  // namespace warden

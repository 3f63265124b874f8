#include "cloud/cloudtrail_finding.h"

#include "core/json_text.h"
#include "core/time_format.h"
#include "rules/string_match.h"

namespace warden {

CoreFieldIds CoreFieldIds::Intern(FieldRegistry* r) {
  CoreFieldIds ids;
  ids.event_id = r->Intern("eventID");
  ids.event_time = r->Intern("eventTime");
  ids.event_name = r->Intern("eventName");
  ids.event_source = r->Intern("eventSource");
  ids.event_type = r->Intern("eventType");
  ids.region = r->Intern("awsRegion");
  ids.recipient_account = r->Intern("recipientAccountId");
  ids.identity_account = r->Intern("userIdentity.accountId");
  ids.identity_arn = r->Intern("userIdentity.arn");
  ids.identity_type = r->Intern("userIdentity.type");
  ids.identity_user = r->Intern("userIdentity.userName");
  ids.identity_principal = r->Intern("userIdentity.principalId");
  ids.identity_invoked_by = r->Intern("userIdentity.invokedBy");
  ids.identity_access_key = r->Intern("userIdentity.accessKeyId");
  ids.issuer_user = r->Intern("userIdentity.sessionContext.sessionIssuer.userName");
  ids.source_ip = r->Intern("sourceIPAddress");
  ids.user_agent = r->Intern("userAgent");
  ids.error_code = r->Intern("errorCode");
  ids.error_message = r->Intern("errorMessage");
  ids.resource_arns = r->Intern("resources.ARN");
  return ids;
}

namespace {
std::string Text(const EventFields& f, FieldId id) {
  if (f.count(id) == 0) return {};
  return std::string(f.first(id).text);
}
}  // namespace

std::string_view EventAccount(const EventFields& f, const CoreFieldIds& ids) {
  if (f.count(ids.recipient_account) > 0 && !f.first(ids.recipient_account).text.empty())
    return f.first(ids.recipient_account).text;
  return f.first(ids.identity_account).text;
}

CloudTrailEventSummary SummarizeEvent(const EventFields& f, const CoreFieldIds& ids) {
  CloudTrailEventSummary s;
  s.event_id = Text(f, ids.event_id);
  s.event_time = Text(f, ids.event_time);
  s.event_name = Text(f, ids.event_name);
  s.event_source = Text(f, ids.event_source);
  s.event_type = Text(f, ids.event_type);
  s.region = Text(f, ids.region);
  s.account = std::string(EventAccount(f, ids));
  s.actor_type = Text(f, ids.identity_type);
  s.user_name = Text(f, ids.identity_user);
  s.access_key_id = Text(f, ids.identity_access_key);
  s.source_ip = Text(f, ids.source_ip);
  s.user_agent = Text(f, ids.user_agent);
  s.error_code = Text(f, ids.error_code);
  s.error_message = Text(f, ids.error_message);
  // Who acted: the ARN when there is one; AWS service events only name the
  // service that invoked them.
  for (FieldId id :
       {ids.identity_arn, ids.identity_user, ids.identity_principal, ids.identity_invoked_by}) {
    s.actor = Text(f, id);
    if (!s.actor.empty()) break;
  }
  if (s.actor.empty()) s.actor = "unknown";
  s.resource = Text(f, ids.resource_arns);
  if (s.resource.empty()) s.resource = s.actor;
  if (auto t = ParseRfc3339(s.event_time)) s.epoch = *t;
  return s;
}

bool JsonNestingExceeds(std::string_view json, int limit) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > limit) return true;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return false;
}

Finding BuildCloudTrailFinding(const FindingInput& in) {
  const Rule& rule = *in.rule;
  const CloudTrailEventSummary& e = *in.event;
  Finding f;
  // One finding per rule and event: re-scanning the same logs gives the same ids.
  f.id = MakeFindingId({rule.id, e.event_id.empty() ? std::string_view(in.raw_event)
                                                    : std::string_view(e.event_id)});
  f.rule_id = rule.id;
  f.title = rule.title;
  f.risk_level = in.risk_level;
  const bool oci = e.provider == "oci";
  f.source = oci ? "cloud.oci_audit" : "cloud.cloudtrail";
  f.resource = e.resource;
  f.first_seen = f.last_seen = e.epoch;
  f.remediation = rule.remediation;
  f.links = rule.links;

  std::string why;
  why.reserve(256);
  why.append(e.event_name).append(" (").append(e.event_source).append(") by ").append(e.actor);
  if (!e.actor_type.empty()) why += " [" + e.actor_type + "]";
  why +=
      (oci ? " in tenancy " : " in account ") + (e.account.empty() ? std::string("?") : e.account);
  if (oci && !e.compartment.empty()) why += ", compartment " + e.compartment;
  if (!e.region.empty()) why += ", " + e.region;
  if (!e.event_time.empty()) why += " at " + e.event_time;
  if (!e.error_code.empty()) why += "; the call failed with " + e.error_code;
  if (!in.matched_rows.empty()) {
    why += "; matched pattern row";
    why += in.matched_rows.size() > 1 ? "s " : " ";
    for (size_t i = 0; i < in.matched_rows.size(); ++i)
      why += (i ? ", " : "") + std::to_string(in.matched_rows[i]);
  }
  if (in.threshold) {
    why += "; " + std::to_string(in.threshold->event_ids.size()) + " such events within " +
           std::to_string(in.threshold->window_seconds) + "s";
  }
  f.description = rule.description.empty() ? why + "." : rule.description + " " + why + ".";

  Json& a = f.attributes;
  // The attributes are an ordered vector: room for all of them up front,
  // or each growth copies every key and value written so far.
  a.get_ref<Json::object_t&>().reserve(16);
  a["event_id"] = e.event_id;
  a["event_time"] = e.event_time;
  a["event_name"] = e.event_name;
  a["event_source"] = e.event_source;
  a["account"] = e.account;
  a["region"] = e.region;
  a["actor"] = e.actor;
  a["actor_type"] = e.actor_type;
  a["source_ip"] = e.source_ip;
  a["user_agent"] = e.user_agent;
  a["error_code"] = e.error_code.empty() ? Json(nullptr) : Json(e.error_code);
  if (oci) {
    a["compartment"] = e.compartment;
    a["resource_name"] = e.resource_name;
  }
  if (rule.has_patterns) {
    Json rows = Json::array();
    for (uint32_t r : in.matched_rows) rows.push_back(r);
    a["matched_patterns"] = std::move(rows);
  }
  if (rule.canary) {
    a["canary"] = {{"user_name", e.user_name}, {"access_key_id", e.access_key_id}};
  }
  if (in.threshold) {
    a["threshold"] = {{"count", in.threshold->count},
                      {"window_seconds", in.threshold->window_seconds},
                      {"group", in.threshold->group},
                      {"event_ids", in.threshold->event_ids}};
  }

  // The event as it came: spliced into renderings when a document of it
  // would print the same bytes (compact JSON as CloudTrail writes it), else
  // parsed (pretty-printed input, floats, unusual escapes), or kept as text
  // when it is not JSON or nested too deep to render safely.
  const bool canonical =
      !in.raw_event_too_deep &&
      (in.raw_event_canonical ? *in.raw_event_canonical
                              : IsCanonicalJson(in.raw_event, kMaxEvidenceDepth));
  if (canonical) {
    f.raw_evidence.emplace_back("event", std::string(in.raw_event));
  } else {
    Json event = in.raw_event_too_deep
                     ? Json(std::string(in.raw_event))
                     : Json::parse(in.raw_event.begin(), in.raw_event.end(), nullptr, false);
    if (event.is_discarded()) event = std::string(in.raw_event);
    f.evidence["event"] = std::move(event);
  }
  if (!in.origin.empty()) f.evidence["origin"] = in.origin;
  if (!in.ocsf) return f;

  Json& o = f.ocsf_extra;
  o["cloud"] = {
      {"provider", oci ? "OCI" : "AWS"}, {"account", {{"uid", e.account}}}, {"region", e.region}};
  Json user = {{"uid", e.actor}, {"type", e.actor_type}};
  if (!e.user_name.empty()) user["name"] = e.user_name;
  if (!e.access_key_id.empty()) user["credential_uid"] = e.access_key_id;
  o["actor"] = {{"user", std::move(user)}};
  o["api"] = {{"operation", e.event_name}, {"service", {{"name", e.event_source}}}};
  if (!e.error_code.empty())
    o["api"]["response"] = {{"error", e.error_code}, {"error_message", e.error_message}};
  std::array<uint8_t, 16> ip;
  bool v6 = false;
  if (ParseIpAddress(e.source_ip, &ip, &v6))
    o["src_endpoint"] = {{"ip", e.source_ip}};
  else if (!e.source_ip.empty())
    o["src_endpoint"] = {{"domain", e.source_ip}};
  if (!e.user_agent.empty()) o["http_request"] = {{"user_agent", e.user_agent}};
  o["resources"] = Json::array({{{"uid", e.resource}}});
  return f;
}

}  // namespace warden

#include "cloud/oci_audit_event.h"

#include <array>

#include "core/strings.h"
#include "core/time_format.h"
#include "rules/string_match.h"

namespace warden {

namespace {

std::string Text(const EventFields& f, FieldId id) {
  if (f.count(id) == 0) return {};
  const FieldValue& v = f.first(id);
  if (v.kind == ValueKind::kNull || v.kind == ValueKind::kMissing) return {};
  return std::string(v.text);
}

// The first of `ids` with a value.
std::string FirstText(const EventFields& f, std::initializer_list<FieldId> ids) {
  for (FieldId id : ids) {
    std::string t = Text(f, id);
    if (!t.empty()) return t;
  }
  return {};
}

bool IsOciEventType(std::string_view type) {
  constexpr std::string_view kPrefix = "com.oraclecloud.";
  return type.size() > kPrefix.size() && EqualsIgnoreCase(type.substr(0, kPrefix.size()), kPrefix);
}

// Envelope names of CloudEvents 0.1 (Audit API) and 1.0 (Logging).
struct Alias {
  std::string_view field;
  std::array<std::string_view, 3> names;  // every name of the field ("" = none)
};
constexpr std::array<Alias, 7> kAliases = {{
    {"eventType", {"eventType", "type", ""}},
    {"type", {"type", "eventType", ""}},
    {"eventTime", {"eventTime", "time", ""}},
    {"time", {"time", "eventTime", ""}},
    {"eventID", {"eventID", "eventId", "id"}},
    {"eventId", {"eventId", "eventID", "id"}},
    {"id", {"id", "eventID", "eventId"}},
}};

void AliasCondition(Condition* c) {
  for (Condition& child : c->children) AliasCondition(&child);
  if (c->kind != Condition::Kind::kField || c->op == MatchOp::kKeyword) return;
  std::string_view field = c->field;
  if (field == "cloudEventsVersion" || field == "specversion") {
    Condition other = *c;
    other.field = field == "specversion" ? "cloudEventsVersion" : "specversion";
    const bool absent =
        c->op == MatchOp::kIsNull || (c->op == MatchOp::kExists && !c->exists_value);
    Condition self = *c;
    *c = absent ? Condition::And({std::move(self), std::move(other)})
                : Condition::Or({std::move(self), std::move(other)});
    return;
  }
  for (const Alias& a : kAliases) {
    if (a.field != field) continue;
    // "Absent" holds when no name has a value; anything else when one does.
    const bool absent =
        c->op == MatchOp::kIsNull || (c->op == MatchOp::kExists && !c->exists_value);
    std::vector<Condition> each;
    for (std::string_view name : a.names) {
      if (name.empty()) continue;
      Condition x = *c;
      x.field = std::string(name);
      each.push_back(std::move(x));
    }
    *c = absent ? Condition::And(std::move(each)) : Condition::Or(std::move(each));
    return;
  }
}

}  // namespace

bool StartsWithEventVersion(std::string_view text) {
  size_t i = 0;
  auto skip = [&] {
    while (i < text.size() &&
           (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r'))
      ++i;
  };
  skip();
  if (i >= text.size() || text[i] != '{') return false;
  ++i;
  skip();
  constexpr std::string_view kKey = "\"eventVersion\"";
  return text.substr(i, kKey.size()) == kKey;
}

AuditEventClassifier::AuditEventClassifier() {
  event_version_ = registry_.Intern("eventVersion");
  event_type_ = registry_.Intern("eventType");
  type_ = registry_.Intern("type");
  cloud_events_version_ = registry_.Intern("cloudEventsVersion");
  spec_version_ = registry_.Intern("specversion");
  log_content_ = registry_.Intern("logContent");
  search_results_ = registry_.Intern("data.results.data.logContent");
  extractor_ = std::make_unique<JsonFieldExtractor>(registry_);
}

AuditEventClassifier::~AuditEventClassifier() = default;

AuditEventClassifier::Kind AuditEventClassifier::Classify(const SplitRecord& record,
                                                          ProviderMode mode) {
  events_.clear();
  if (mode == ProviderMode::kAws) return Kind::kAws;
  if (mode == ProviderMode::kAuto && StartsWithEventVersion(record.text)) return Kind::kAws;
  // A record that is not JSON is reported by the scanner's own parse.
  if (!extractor_->Extract(record.text.data(), record.text.size(), record.capacity, &fields_).ok())
    return mode == ProviderMode::kOci ? Kind::kOci : Kind::kAws;
  const char* begin = record.text.data();
  const char* end = begin + record.text.size();
  for (FieldId id : {log_content_, search_results_}) {
    fields_.AnyValue(id, [&](const FieldValue& v) {
      // Objects are views into the record: the record's padding follows.
      if (v.kind == ValueKind::kObject && v.text.data() >= begin &&
          v.text.data() + v.text.size() <= end) {
        SplitRecord inner;
        inner.text = v.text;
        inner.capacity = record.capacity - static_cast<size_t>(v.text.data() - begin);
        inner.offset = record.offset;
        inner.line = record.line;
        events_.push_back(inner);
      }
      return false;
    });
  }
  if (!events_.empty()) return Kind::kContainer;
  if (mode == ProviderMode::kOci) return Kind::kOci;
  if (fields_.count(event_version_) > 0) return Kind::kAws;
  for (FieldId id : {event_type_, type_})
    if (fields_.count(id) == 1 && IsOciEventType(fields_.first(id).text)) return Kind::kOci;
  if (fields_.count(cloud_events_version_) > 0) return Kind::kOci;
  return Kind::kAws;
}

OciFieldIds OciFieldIds::Intern(FieldRegistry* r) {
  OciFieldIds ids;
  ids.event_id = r->Intern("eventID");
  ids.event_id_api = r->Intern("eventId");
  ids.id = r->Intern("id");
  ids.event_time = r->Intern("eventTime");
  ids.time = r->Intern("time");
  ids.event_type = r->Intern("eventType");
  ids.type = r->Intern("type");
  ids.source = r->Intern("source");
  ids.tenant = r->Intern("data.identity.tenantId");
  ids.oracle_tenant = r->Intern("oracle.tenantid");
  ids.compartment_id = r->Intern("data.compartmentId");
  ids.compartment_name = r->Intern("data.compartmentName");
  ids.resource_name = r->Intern("data.resourceName");
  ids.resource_id = r->Intern("data.resourceId");
  ids.principal_name = r->Intern("data.identity.principalName");
  ids.principal_id = r->Intern("data.identity.principalId");
  ids.caller_name = r->Intern("data.identity.callerName");
  ids.auth_type = r->Intern("data.identity.authType");
  ids.ip_address = r->Intern("data.identity.ipAddress");
  ids.user_agent = r->Intern("data.identity.userAgent");
  ids.credentials = r->Intern("data.identity.credentials");
  ids.response_status = r->Intern("data.response.status");
  ids.response_message = r->Intern("data.response.message");
  ids.request_action = r->Intern("data.request.action");
  return ids;
}

std::string OcidRegion(std::string_view ocid) {
  std::vector<std::string_view> parts = SplitString(ocid, '.');
  if (parts.size() < 5 || parts[0].substr(0, 4) != "ocid") return {};
  return std::string(parts[3]);
}

CloudTrailEventSummary SummarizeOciEvent(const EventFields& f, const OciFieldIds& ids) {
  CloudTrailEventSummary s;
  s.provider = "oci";
  s.event_id = FirstText(f, {ids.event_id, ids.event_id_api, ids.id});
  s.event_time = FirstText(f, {ids.event_time, ids.time});
  s.event_name = FirstText(f, {ids.event_type, ids.type});
  // com.oraclecloud.<service>.<action>: the service; else the whole type.
  std::vector<std::string_view> parts = SplitString(s.event_name, '.');
  s.event_source = parts.size() >= 4 ? std::string(parts[2]) : s.event_name;
  s.account = FirstText(f, {ids.tenant, ids.oracle_tenant});
  s.compartment = FirstText(f, {ids.compartment_name, ids.compartment_id});
  s.resource_name = Text(f, ids.resource_name);
  s.user_name = Text(f, ids.principal_name);
  s.actor = FirstText(f, {ids.principal_name, ids.principal_id, ids.caller_name});
  if (s.actor.empty()) s.actor = "unknown";
  s.actor_type = Text(f, ids.auth_type);
  s.access_key_id = Text(f, ids.credentials);
  s.source_ip = Text(f, ids.ip_address);
  s.user_agent = Text(f, ids.user_agent);
  const std::string status = Text(f, ids.response_status);
  double code = 0;
  if (ParseDouble(status, &code) && code >= 400) {
    s.error_code = status;
    s.error_message = Text(f, ids.response_message);
  }
  const std::string resource_id = Text(f, ids.resource_id);
  s.region = OcidRegion(resource_id);
  s.resource = !resource_id.empty() ? resource_id : s.resource_name;
  if (s.resource.empty()) s.resource = s.actor;
  if (auto t = ParseRfc3339(s.event_time)) s.epoch = *t;
  return s;
}

void AddOciEnvelopeAliases(Rule* rule) {
  if (rule->match) AliasCondition(&*rule->match);
  for (Condition& e : rule->exceptions) AliasCondition(&e);
}

}  // namespace warden

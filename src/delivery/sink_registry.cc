#include "delivery/sink_registry.h"

#include <cctype>

#include "delivery/file_sink.h"
#include "delivery/server_sink.h"
#include "delivery/slack_sink.h"
#include "delivery/splunk_hec_sink.h"
#include "delivery/stdout_sink.h"
#include "delivery/syslog_sink.h"
#include "delivery/webhook_sink.h"

namespace warden {

namespace {

bool ValidSinkName(const std::string& name) {
  if (name.empty() || name.size() > 128) return false;
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.' &&
        c != ':')
      return false;
  return true;
}

std::string TypeList() {
  std::string out;
  const auto& types = SinkTypes();
  for (size_t i = 0; i < types.size(); ++i) {
    if (i) out += i + 1 == types.size() ? " or " : ", ";
    out += types[i]->name;
  }
  return out;
}

}  // namespace

const std::vector<const SinkType*>& SinkTypes() {
  static const std::vector<const SinkType*> kTypes = {
      &FileSinkType(),    &StdoutSinkType(), &SyslogSinkType(), &SplunkHecSinkType(),
      &WebhookSinkType(), &SlackSinkType(),  &ServerSinkType()};
  return kTypes;
}

const SinkType* FindSinkType(std::string_view name) {
  for (const SinkType* t : SinkTypes())
    if (t->name == name) return t;
  return nullptr;
}

Status ParseQueueConfig(const YamlReader& r, const YAML::Node& n, const std::string& key,
                        QueueConfig* q) {
  using J = YamlReader;
  RETURN_IF_ERROR(r.CheckKeys(n, key,
                              {"max_size", "drop_policy", "batch_records", "batch_size",
                               "max_records_per_second", "backoff_initial", "backoff_max"}));
  if (n["max_size"]) {
    ASSIGN_OR_RETURN(q->max_bytes, r.Size(n["max_size"], J::Join(key, "max_size"), 4096));
  }
  if (n["drop_policy"]) {
    ASSIGN_OR_RETURN(std::string p, r.String(n["drop_policy"], J::Join(key, "drop_policy")));
    if (p == "drop_oldest")
      q->drop_policy = DropPolicy::kDropOldest;
    else if (p == "drop_newest")
      q->drop_policy = DropPolicy::kDropNewest;
    else
      return r.Error(n["drop_policy"], J::Join(key, "drop_policy"),
                     "expected drop_oldest or drop_newest, got '" + p + "'");
  }
  if (n["batch_records"]) {
    ASSIGN_OR_RETURN(int64_t b,
                     r.Int(n["batch_records"], J::Join(key, "batch_records"), 1, 100000));
    q->batch_records = static_cast<int>(b);
  }
  if (n["batch_size"]) {
    ASSIGN_OR_RETURN(q->batch_bytes, r.Size(n["batch_size"], J::Join(key, "batch_size"), 1024));
  }
  if (n["max_records_per_second"]) {
    ASSIGN_OR_RETURN(
        q->max_records_per_second,
        r.Number(n["max_records_per_second"], J::Join(key, "max_records_per_second"), 0.1, 1e7));
  }
  if (n["backoff_initial"]) {
    ASSIGN_OR_RETURN(q->backoff_initial_ms,
                     r.DurationMs(n["backoff_initial"], J::Join(key, "backoff_initial"), 10));
  }
  if (n["backoff_max"]) {
    ASSIGN_OR_RETURN(q->backoff_max_ms,
                     r.DurationMs(n["backoff_max"], J::Join(key, "backoff_max"), 10));
  }
  if (q->backoff_max_ms < q->backoff_initial_ms)
    return r.Error(n, J::Join(key, "backoff_max"), "must not be shorter than backoff_initial");
  return Status::Ok();
}

Result<SinkConfig> ParseSinkConfig(const YamlReader& base_reader, const YAML::Node& n,
                                   const std::string& key, const std::string& state_dir) {
  using J = YamlReader;
  if (!n.IsMap()) return base_reader.Error(n, key, "expected a mapping of keys");
  if (!n["type"]) return base_reader.Error(n, J::Join(key, "type"), "missing: use " + TypeList());
  ASSIGN_OR_RETURN(std::string type_name, base_reader.String(n["type"], J::Join(key, "type")));
  const SinkType* type = FindSinkType(type_name);
  if (!type)
    return base_reader.Error(n["type"], J::Join(key, "type"),
                             "unknown sink type '" + type_name + "' (use " + TypeList() + ")");
  std::vector<std::string> keys = {"name", "type", "enabled", "records", "format"};
  keys.insert(keys.end(), type->keys.begin(), type->keys.end());
  RETURN_IF_ERROR(base_reader.CheckKeys(n, key, keys));
  SinkConfig s;
  s.type = std::string(type->name);
  s.queued = type->queued;
  if (n["enabled"]) {
    ASSIGN_OR_RETURN(s.enabled, base_reader.Bool(n["enabled"], J::Join(key, "enabled")));
  }
  // A disabled sink may name secrets that are not set on this host.
  YamlReader r = base_reader;
  r.set_allow_unset_environment(!s.enabled);

  if (!n["name"]) return r.Error(n, J::Join(key, "name"), "missing: every sink needs a name");
  ASSIGN_OR_RETURN(s.name, r.String(n["name"], J::Join(key, "name")));
  if (!ValidSinkName(s.name))
    return r.Error(n["name"], J::Join(key, "name"),
                   "'" + s.name + "' is not a valid name (letters, digits, _ . : - only)");
  s.records = {RecordKind::kResult, RecordKind::kProblem, RecordKind::kStatus};
  if (n["records"]) {
    auto list = ReadStringList(n["records"], J::Join(key, "records"));
    if (!list.ok())
      return r.Error(n["records"], J::Join(key, "records"),
                     "expected a list like [results, problems]");
    s.records.clear();
    for (const auto& k : *list) {
      auto kind = ParseRecordKind(k);
      if (!kind || *kind == RecordKind::kTest || *kind == RecordKind::kFinding ||
          *kind == RecordKind::kAudit)
        return r.Error(
            n["records"], J::Join(key, "records"),
            "unknown record kind '" + k + "' (use results, problems, status, events or inventory)");
      s.records.insert(*kind);
    }
  }
  if (n["format"]) {
    ASSIGN_OR_RETURN(std::string f, r.String(n["format"], J::Join(key, "format")));
    auto format = ParseRecordFormat(f);
    bool allowed = false;
    for (RecordFormat a : type->formats) allowed = allowed || (format && a == *format);
    if (!allowed) {
      std::string choices;
      for (size_t i = 0; i < type->formats.size(); ++i)
        choices += (i ? " or " : "") + std::string(RecordFormatName(type->formats[i]));
      return r.Error(n["format"], J::Join(key, "format"),
                     "unknown format '" + f + "' (use " + choices + ")");
    }
    s.format = *format;
  }
  SinkParseContext context{r, state_dir, s.enabled};
  ASSIGN_OR_RETURN(s.settings, type->parse(n, key, context));
  if (type->queued && n["queue"])
    RETURN_IF_ERROR(ParseQueueConfig(r, n["queue"], J::Join(key, "queue"), &s.queue));
  return s;
}

Result<std::unique_ptr<Sink>> MakeSink(const SinkConfig& config, const SinkContext& context) {
  const SinkType* type = FindSinkType(config.type);
  if (!type || !config.settings)
    return InvalidArgument("sink " + config.name + ": unknown type '" + config.type + "'");
  return type->make(config, context);
}

}  // namespace warden

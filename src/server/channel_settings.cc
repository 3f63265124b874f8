#include "server/channel_settings.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>

#include "api/json_schema.h"
#include "core/strings.h"
#include "delivery/file_sink.h"
#include "delivery/slack_sink.h"
#include "delivery/splunk_hec_sink.h"
#include "delivery/syslog_sink.h"
#include "delivery/webhook_sink.h"

namespace warden::server {
namespace {

constexpr std::string_view kTypes[] = {"slack", "webhook", "syslog", "splunk_hec", "file"};

std::string_view ConfigSchemaName(std::string_view type) {
  if (type == "slack") return "SlackConfig";
  if (type == "webhook") return "WebhookConfig";
  if (type == "syslog") return "SyslogConfig";
  if (type == "splunk_hec") return "SplunkHecConfig";
  return "FileConfig";
}

// The compiled schema of a type's config, from the spec (compiled once per
// spec and type).
Result<std::shared_ptr<const api::JsonSchema>> ConfigSchema(const api::OpenApiSpec& spec,
                                                            std::string_view type) {
  static std::mutex mu;
  static std::map<std::pair<const api::OpenApiSpec*, std::string>,
                  std::shared_ptr<const api::JsonSchema>>
      compiled;
  std::lock_guard lock(mu);
  auto key = std::make_pair(&spec, std::string(type));
  if (auto it = compiled.find(key); it != compiled.end()) return it->second;
  const std::string pointer = "#/components/schemas/" + std::string(ConfigSchemaName(type));
  const Json* node = api::ResolveJsonPointer(spec.document(), pointer);
  if (node == nullptr) return Internal("the API contract has no " + pointer);
  ASSIGN_OR_RETURN(Json inlined, api::InlineRefs(*node, spec.document()));
  ASSIGN_OR_RETURN(std::shared_ptr<const api::JsonSchema> schema,
                   api::JsonSchema::Compile(inlined));
  compiled[key] = schema;
  return schema;
}

std::vector<std::string> StringList(const Json& j, std::string_view key) {
  std::vector<std::string> out;
  auto it = j.find(std::string(key));
  if (it == j.end() || !it->is_array()) return out;
  for (const Json& v : *it)
    if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

std::optional<std::string> NullableString(const Json& config, const char* key) {
  auto it = config.find(key);
  if (it == config.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

Json NullOr(const std::optional<std::string>& s) { return s ? Json(*s) : Json(nullptr); }

ChannelSettingsError Refused(std::string field, std::string message) {
  return {std::move(field), std::move(message)};
}

// http(s) URL checks; `what` names the member in messages.
std::optional<ChannelSettingsError> CheckUrl(const std::string& url, const std::string& field,
                                             bool allow_insecure) {
  const bool https = url.rfind("https://", 0) == 0;
  const bool http = url.rfind("http://", 0) == 0;
  if (!https && !http) return Refused(field, "must be an http:// or https:// URL");
  const std::string host = UrlHostName(url);
  if (host.empty()) return Refused(field, "names no host");
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
      return Refused(field, "must not contain spaces or control characters");
  }
  if (url.find('#') != std::string::npos) return Refused(field, "must not have a fragment");
  if (http && !allow_insecure && !IsLoopbackHost(host))
    return Refused(field,
                   "must be https:// (plain http is allowed to a loopback address, or with "
                   "allow_insecure: true)");
  return std::nullopt;
}

bool IsHeaderToken(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::optional<ChannelSettingsError> CheckHeaders(const Json& headers) {
  static const char* const kReserved[] = {
      "host",           "content-type",       "content-length",     "transfer-encoding",
      "connection",     "user-agent",         "authorization",      "expect",
      "webhook-id",     "webhook-timestamp",  "webhook-signature",  "x-hub-signature-256",
      "x-warden-event", "x-warden-timestamp", "x-warden-signature", "x-warden-records"};
  for (auto it = headers.begin(); it != headers.end(); ++it) {
    const std::string field = "/config/headers/" + api::EscapeJsonPointerToken(it.key());
    if (!IsHeaderToken(it.key())) return Refused(field, "is not a valid header name");
    const std::string lower = Lower(it.key());
    for (const char* r : kReserved)
      if (lower == r) return Refused(field, "is set by Warden itself");
    const std::string value = it->get<std::string>();
    for (char c : value) {
      if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f)
        return Refused(field, "must not contain control characters");
    }
  }
  return std::nullopt;
}

std::optional<ChannelSettingsError> NoSecret(std::string_view type,
                                             const std::optional<std::string>& secret) {
  if (secret) return Refused("/secret", std::string(type) + " channels take no secret");
  return std::nullopt;
}

std::optional<ChannelSettingsError> NeedSecret(const std::optional<std::string>& secret,
                                               const std::string& what) {
  if (!secret || secret->empty()) return Refused("/secret", "required: " + what);
  return std::nullopt;
}

// Where a file channel's relative path lives.
std::string FilesDir(const std::string& state_dir) { return state_dir + "/files"; }

// The path a file channel writes, relative to <state_dir>/files, normalised;
// nullopt when it leaves that directory.
std::optional<std::string> FileChannelPath(const std::string& path) {
  std::filesystem::path p(path);
  if (p.is_absolute()) return std::nullopt;
  std::filesystem::path normal = p.lexically_normal();
  if (normal.empty() || normal == "." || *normal.begin() == "..") return std::nullopt;
  if (normal.filename().empty()) return std::nullopt;  // "dir/"
  return normal.string();
}

int SyslogFacility(const std::string& name) {
  static const std::map<std::string, int, std::less<>> kCodes = {
      {"user", 1},    {"daemon", 3},  {"auth", 4},    {"authpriv", 10},
      {"local0", 16}, {"local1", 17}, {"local2", 18}, {"local3", 19},
      {"local4", 20}, {"local5", 21}, {"local6", 22}, {"local7", 23}};
  auto it = kCodes.find(name);
  return it == kCodes.end() ? 16 : it->second;
}

std::variant<Json, ChannelSettingsError> CheckSlack(const Json& config,
                                                    const std::optional<std::string>& secret) {
  if (auto e = NeedSecret(secret, "the Slack incoming-webhook URL")) return *e;
  if (auto e = CheckUrl(*secret, "/secret", false)) return *e;
  return Json{{"channel", NullOr(NullableString(config, "channel"))},
              {"mention", NullOr(NullableString(config, "mention"))}};
}

std::variant<Json, ChannelSettingsError> CheckWebhook(const Json& config,
                                                      const std::optional<std::string>& secret) {
  Json out = Json::object();
  const bool allow_insecure = config.value("allow_insecure", false);
  const std::string url = config.value("url", "");
  if (auto e = CheckUrl(url, "/config/url", allow_insecure)) return *e;
  const std::string signature = config.value("signature", "standard_webhooks");
  if (auto e = NeedSecret(secret, "the key that signs every request")) return *e;
  if (signature == "standard_webhooks") {
    if (!StandardWebhooksKey(*secret))
      return Refused("/secret",
                     "a standard_webhooks secret is 24 to 64 random bytes in base64, optionally "
                     "prefixed whsec_ (e.g. the output of: printf whsec_; head -c 32 /dev/urandom "
                     "| base64)");
  } else if (secret->size() < 16) {
    return Refused("/secret", "too short: use at least 16 characters");
  }
  Json headers = config.value("headers", Json::object());
  if (auto e = CheckHeaders(headers)) return *e;
  out["url"] = url;
  out["signature"] = signature;
  out["headers"] = headers;
  out["timeout_ms"] = config.value("timeout_ms", int64_t{10000});
  out["allow_insecure"] = allow_insecure;
  return out;
}

std::variant<Json, ChannelSettingsError> CheckSyslog(const Json& config,
                                                     const std::optional<std::string>& secret) {
  if (auto e = NoSecret("syslog", secret)) return *e;
  const std::string transport = config.value("transport", "udp");
  const std::string format = config.value("format", "rfc5424");
  const std::string address = config.value("address", "");
  if (transport == "tls")
    return Refused("/config/transport",
                   "tls is not supported yet: use tcp (to a local relay that adds TLS) or udp");
  if (format == "cef") return Refused("/config/format", "cef is not supported yet: use rfc5424");
  if (transport == "unix") {
    if (address.empty() || address.front() != '/')
      return Refused("/config/address", "for transport unix, the absolute path of a socket");
    if (address.size() >= 108) return Refused("/config/address", "socket path too long");
  } else {
    const size_t colon = address.rfind(':');
    int64_t port = 0;
    std::string host = colon == std::string::npos ? "" : address.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']')
      host = host.substr(1, host.size() - 2);
    const std::string port_text = colon == std::string::npos ? "" : address.substr(colon + 1);
    const bool digits = port_text.size() <= 5 &&
                        port_text.find_first_not_of("0123456789") == std::string::npos &&
                        ParseInt64(port_text, &port);
    if (host.empty() || !digits || port < 1 || port > 65535)
      return Refused("/config/address", "expected host:port like 10.0.0.5:514");
  }
  return Json{{"address", address},
              {"transport", transport},
              {"format", format},
              {"facility", config.value("facility", "local0")}};
}

std::variant<Json, ChannelSettingsError> CheckSplunkHec(const Json& config,
                                                        const std::optional<std::string>& secret) {
  const bool allow_insecure = config.value("allow_insecure", false);
  const std::string url = config.value("url", "");
  if (auto e = CheckUrl(url, "/config/url", allow_insecure)) return *e;
  if (auto e = NeedSecret(secret, "the HEC token")) return *e;
  for (char c : *secret) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      return Refused("/secret", "must not contain control characters");
  }
  return Json{{"url", url},
              {"index", NullOr(NullableString(config, "index"))},
              {"sourcetype", NullOr(NullableString(config, "sourcetype"))},
              {"verify_tls", config.value("verify_tls", true)},
              {"allow_insecure", allow_insecure}};
}

std::variant<Json, ChannelSettingsError> CheckFile(const Json& config,
                                                   const std::optional<std::string>& secret) {
  if (auto e = NoSecret("file", secret)) return *e;
  std::optional<std::string> path = FileChannelPath(config.value("path", ""));
  if (!path)
    return Refused("/config/path",
                   "must be a file name relative to the server's <state_dir>/files (no absolute "
                   "path, no ..)");
  return Json{{"path", *path},
              {"max_file_size_bytes", config.value("max_file_size_bytes", int64_t{104857600})},
              {"max_files", config.value("max_files", int64_t{5})}};
}

}  // namespace

bool IsChannelType(std::string_view type) {
  return std::find(std::begin(kTypes), std::end(kTypes), type) != std::end(kTypes);
}

ChannelTriggers ParseChannelTriggers(const Json& j) {
  ChannelTriggers t;
  if (!j.is_object()) return t;
  if (auto it = j.find("kinds"); it != j.end() && it->is_array()) {
    std::vector<std::string> kinds = StringList(j, "kinds");
    t.problems = std::find(kinds.begin(), kinds.end(), "problems") != kinds.end();
    t.audit = std::find(kinds.begin(), kinds.end(), "audit") != kinds.end();
  }
  if (auto it = j.find("min_risk_level"); it != j.end() && it->is_string())
    t.min_risk_level = ParseRiskLevel(it->get<std::string>());
  t.rule_ids = StringList(j, "rule_ids");
  t.labels = StringList(j, "labels");
  t.actions = StringList(j, "actions");
  return t;
}

Json ChannelTriggersJson(const ChannelTriggers& t) {
  Json kinds = Json::array();
  if (t.problems) kinds.push_back("problems");
  if (t.audit) kinds.push_back("audit");
  return Json{
      {"kinds", kinds},
      {"min_risk_level", t.min_risk_level ? Json(RiskLevelName(*t.min_risk_level)) : Json(nullptr)},
      {"rule_ids", t.rule_ids},
      {"labels", t.labels},
      {"actions", t.actions}};
}

bool TriggersMatch(const ChannelTriggers& t, const ProblemNotice& n) {
  if (!t.problems) return false;
  if (t.min_risk_level && static_cast<int>(n.risk_level) < static_cast<int>(*t.min_risk_level))
    return false;
  auto has = [](const std::vector<std::string>& list, const std::string& v) {
    return std::find(list.begin(), list.end(), v) != list.end();
  };
  if (!t.rule_ids.empty() && !has(t.rule_ids, n.rule_id)) return false;
  if (!t.actions.empty() && !has(t.actions, n.action)) return false;
  if (!t.labels.empty()) {
    bool any = false;
    for (const std::string& label : n.host_labels) any = any || has(t.labels, label);
    if (!any) return false;
  }
  return true;
}

std::variant<Json, ChannelSettingsError> CheckChannelSettings(
    const api::OpenApiSpec& spec, std::string_view type, const Json& config,
    const std::optional<std::string>& secret) {
  if (!IsChannelType(type))
    return Refused("/type", "unknown channel type '" + std::string(type).substr(0, 64) +
                                "' (use slack, webhook, syslog, splunk_hec or file)");
  auto schema = ConfigSchema(spec, type);
  if (!schema.ok()) return Refused("/config", std::string(schema.status().message()));
  if (std::optional<api::SchemaViolation> v = (*schema)->Validate(config))
    return Refused("/config" + v->pointer, v->message);
  if (type == "slack") return CheckSlack(config, secret);
  if (type == "webhook") return CheckWebhook(config, secret);
  if (type == "syslog") return CheckSyslog(config, secret);
  if (type == "splunk_hec") return CheckSplunkHec(config, secret);
  return CheckFile(config, secret);
}

bool IsLoopbackHost(std::string_view host) {
  std::string h = Lower(host);
  if (h == "localhost" || h == "::1" || h == "0:0:0:0:0:0:0:1") return true;
  if (h.rfind("127.", 0) != 0) return false;
  // 127.a.b.c with numeric parts only (not 127.evil.example).
  return h.find_first_not_of("0123456789.") == std::string::npos;
}

std::string UrlHostName(std::string_view url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return "";
  std::string_view rest = url.substr(scheme + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (size_t at = rest.rfind('@'); at != std::string_view::npos) rest = rest.substr(at + 1);
  if (!rest.empty() && rest.front() == '[') {
    size_t close = rest.find(']');
    if (close == std::string_view::npos) return "";
    return std::string(rest.substr(1, close - 1));
  }
  return std::string(rest.substr(0, rest.find(':')));
}

std::string ChannelSinkName(int64_t channel_id) { return "channel-" + std::to_string(channel_id); }

Result<SinkConfig> ChannelSinkConfig(const store::Channel& channel, const std::string& state_dir,
                                     const QueueConfig& queue, int64_t max_timeout_ms) {
  const Json config = Json::parse(channel.config_json, nullptr, false);
  if (!config.is_object())
    return InvalidArgument("channel " + std::to_string(channel.id) + ": config is not JSON");
  SinkConfig sc;
  sc.name = ChannelSinkName(channel.id);
  sc.type = channel.type;
  sc.enabled = true;
  sc.records = {RecordKind::kProblem, RecordKind::kAudit};
  sc.format = RecordFormat::kWarden;
  sc.queue = queue;
  const std::string secret = channel.secret.value_or("");
  if (channel.type == "slack") {
    auto s = std::make_shared<SlackSinkSettings>();
    s->url = secret;
    s->timeout_ms = std::min<int64_t>(s->timeout_ms, max_timeout_ms);
    s->channel = NullableString(config, "channel").value_or("");
    s->mention = NullableString(config, "mention").value_or("");
    sc.settings = std::move(s);
  } else if (channel.type == "webhook") {
    auto s = std::make_shared<WebhookSinkSettings>();
    s->url = config.value("url", "");
    s->secret = secret;
    if (auto h = config.find("headers"); h != config.end() && h->is_object()) {
      for (auto it = h->begin(); it != h->end(); ++it)
        if (it->is_string()) s->headers[it.key()] = it->get<std::string>();
    }
    s->timeout_ms = std::min(config.value("timeout_ms", int64_t{10000}), max_timeout_ms);
    s->one_request_per_record = true;
    const std::string signature = config.value("signature", "standard_webhooks");
    s->signature = signature == "github_sha256" ? WebhookSignature::kGithubSha256
                   : signature == "warden"      ? WebhookSignature::kWarden
                                                : WebhookSignature::kStandardWebhooks;
    sc.settings = std::move(s);
  } else if (channel.type == "syslog") {
    auto s = std::make_shared<SyslogSinkSettings>();
    const std::string transport = config.value("transport", "udp");
    const std::string address = config.value("address", "");
    if (transport == "unix") {
      s->transport = SyslogTransport::kUnix;
      s->socket_path = address;
    } else {
      s->transport = transport == "tcp" ? SyslogTransport::kTcp : SyslogTransport::kUdp;
      const size_t colon = address.rfind(':');
      if (colon == std::string::npos)
        return InvalidArgument("channel " + std::to_string(channel.id) + ": bad syslog address");
      s->host = address.substr(0, colon);
      if (s->host.size() > 2 && s->host.front() == '[' && s->host.back() == ']')
        s->host = s->host.substr(1, s->host.size() - 2);
      int64_t port = 0;
      if (!ParseInt64(address.substr(colon + 1), &port) || port < 1 || port > 65535)
        return InvalidArgument("channel " + std::to_string(channel.id) + ": bad syslog port");
      s->port = static_cast<int>(port);
    }
    s->facility = SyslogFacility(config.value("facility", "local0"));
    s->timeout_ms = std::min(s->timeout_ms, max_timeout_ms);
    sc.settings = std::move(s);
  } else if (channel.type == "splunk_hec") {
    auto s = std::make_shared<SplunkHecSinkSettings>();
    s->url = config.value("url", "");
    s->token = secret;
    s->index = NullableString(config, "index").value_or("");
    s->sourcetype = NullableString(config, "sourcetype").value_or("warden");
    s->verify_tls = config.value("verify_tls", true);
    s->timeout_ms = std::min(s->timeout_ms, max_timeout_ms);
    sc.settings = std::move(s);
  } else if (channel.type == "file") {
    auto s = std::make_shared<FileSinkSettings>();
    std::optional<std::string> path = FileChannelPath(config.value("path", ""));
    if (!path) return InvalidArgument("channel " + std::to_string(channel.id) + ": bad file path");
    s->path = FilesDir(state_dir) + "/" + *path;
    s->max_file_bytes = config.value("max_file_size_bytes", int64_t{104857600});
    s->max_files = static_cast<int>(config.value("max_files", int64_t{5}));
    sc.settings = std::move(s);
  } else {
    return InvalidArgument("channel " + std::to_string(channel.id) + ": unknown type '" +
                           channel.type + "'");
  }
  const SinkType* type = FindSinkType(channel.type);
  if (type == nullptr)
    return InvalidArgument("channel " + std::to_string(channel.id) + ": no sink type '" +
                           channel.type + "'");
  sc.queued = type->queued;
  return sc;
}

}  // namespace warden::server

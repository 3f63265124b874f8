#include "delivery/server_sink.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>

#include "core/encoding.h"
#include "core/strings.h"
#include "core/time_format.h"
#include "core/version.h"

namespace warden {

namespace {

std::string Dump(const Json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Appends one line to `path` (0600, created when missing).
Status AppendLine(const std::string& path, const std::string& line) {
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return ErrnoStatus(path, errno);
  std::string data = line + "\n";
  ssize_t n = ::write(fd, data.data(), data.size());
  int err = errno;
  ::close(fd);
  if (n != static_cast<ssize_t>(data.size())) return ErrnoStatus(path, err);
  return Status::Ok();
}

std::string RetryAfterText(const HttpResponse& r) {
  return r.retry_after_seconds ? "; retrying after " + std::to_string(*r.retry_after_seconds) + " s"
                               : "";
}

class ServerSink : public Sink {
 public:
  ServerSink(SinkConfig config, const SinkContext& context, std::string node_key)
      : Sink(std::move(config)),
        settings_(*this->config().SettingsAs<ServerSinkSettings>()),
        poster_(context.MakeHttpPoster()),
        log_(context.log),
        node_key_(std::move(node_key)) {
    if (!log_) log_ = [](const std::string&) {};
  }

  std::string Render(const Record& record) const override { return Dump(AgentRecordJson(record)); }

  Status Deliver(const std::vector<QueuedRecord>& batch) override {
    if (revoked_) {
      // Sent again only once the node key changed (enrolled again).
      auto key = ReadNodeKey(settings_.endpoint.node_key_file);
      if (!key.ok() || *key == node_key_)
        return Status(StatusCode::kPermissionDenied, revoked_message_);
      node_key_ = *key;
      revoked_ = false;
      log_("sink " + name() + ": new node key in " + settings_.endpoint.node_key_file +
           ", sending again");
    }
    const int64_t now = NowEpochMillis();
    if (now < not_before_ms_)
      return Unavailable("the server asked to wait; next attempt in " +
                         std::to_string((not_before_ms_ - now + 999) / 1000) + " s");
    std::vector<const QueuedRecord*> pending;
    for (const QueuedRecord& r : batch) pending.push_back(&r);
    while (!pending.empty()) {
      HttpRequest req =
          ServerRequest(settings_.endpoint, "POST", "/api/v1/agent/records", node_key_);
      // The batch id is stable for the same records, like the record ids.
      std::string ids;
      for (const QueuedRecord* r : pending) ids += r->id + '\n';
      std::string body =
          "{\"batch_id\":" + Dump("b-" + Sha256Hex(ids).substr(0, 32)) + ",\"records\":[";
      for (size_t i = 0; i < pending.size(); ++i) {
        if (i) body += ',';
        body += pending[i]->payload;
      }
      body += "]}";
      req.body = std::move(body);
      auto response = poster_->Post(req);
      if (!response.ok()) return response.status().WithContext("server " + UrlHost(req.url));
      const long status = response->status;
      if (status >= 200 && status < 300) return Status::Ok();
      ServerError error = ParseServerError(*response);
      if (status == 401) {
        revoked_ = true;
        revoked_message_ =
            "the server refused this host's node key (" + DescribeServerError(error) +
            (error.code == "E_NODE_REVOKED" ? "): the host was revoked" : ")") +
            "; nothing more is sent until it is enrolled again (warden agent enroll)";
        log_("sink " + name() + ": " + revoked_message_);
        return Status(StatusCode::kPermissionDenied, revoked_message_);
      }
      if (status == 422) {
        const int index = RecordIndexOfPointer(error.field);
        if (index < 0 || index >= static_cast<int>(pending.size()))
          return Unavailable("server refused the batch: " + DescribeServerError(error));
        SetAside(*pending[static_cast<size_t>(index)], error);
        pending.erase(pending.begin() + index);
        continue;
      }
      if (status == 503 || status == 429) {
        if (response->retry_after_seconds)
          not_before_ms_ = NowEpochMillis() + *response->retry_after_seconds * 1000LL;
        return Unavailable("server busy: " + DescribeServerError(error) +
                           RetryAfterText(*response));
      }
      return Unavailable("server: " + DescribeServerError(error));
    }
    return Status::Ok();  // every record was set aside
  }

  std::string Destination() const override { return settings_.endpoint.url; }

 private:
  void SetAside(const QueuedRecord& r, const ServerError& error) {
    std::string why = DescribeServerError(error);
    std::string where;
    if (!settings_.rejected_file.empty()) {
      Json line = {{"time", FormatRfc3339(NowEpochSeconds())},
                   {"error", why},
                   {"record", Json::parse(r.payload, nullptr, false)}};
      Status st = AppendLine(settings_.rejected_file, Dump(line));
      where =
          st.ok() ? ", kept in " + settings_.rejected_file : " (not kept: " + st.message() + ")";
    }
    log_("sink " + name() + ": the server refused record " + r.id + " (" +
         std::string(RecordKindName(r.kind)) + "): " + why + "; set aside" + where +
         ", the rest of the batch is sent");
  }

  const ServerSinkSettings& settings_;
  std::unique_ptr<HttpPoster> poster_;
  std::function<void(const std::string&)> log_;
  std::string node_key_;
  bool revoked_ = false;
  std::string revoked_message_;
  int64_t not_before_ms_ = 0;
};

Result<std::shared_ptr<const SinkSettings>> ParseServerSink(const YAML::Node& n,
                                                            const std::string& key,
                                                            const SinkParseContext& c) {
  using J = YamlReader;
  const YamlReader& r = c.reader;
  auto s = std::make_shared<ServerSinkSettings>();
  if (!n["url"]) return r.Error(n, J::Join(key, "url"), "missing: the server's URL");
  ASSIGN_OR_RETURN(s->endpoint.url, r.String(n["url"], J::Join(key, "url")));
  while (!s->endpoint.url.empty() && s->endpoint.url.back() == '/') s->endpoint.url.pop_back();
  if (Status st = CheckServerUrl(s->endpoint.url); !st.ok())
    return r.Error(n["url"], J::Join(key, "url"), st.message());
  if (n["ca_file"]) {
    ASSIGN_OR_RETURN(std::string ca, r.String(n["ca_file"], J::Join(key, "ca_file")));
    if (!ca.empty()) s->endpoint.ca_file = r.ResolvePath(ca, c.state_dir);
  }
  if (!n["node_key_file"])
    return r.Error(n, J::Join(key, "node_key_file"),
                   "missing: the file with this host's node key (written by warden agent enroll)");
  ASSIGN_OR_RETURN(std::string nk, r.String(n["node_key_file"], J::Join(key, "node_key_file")));
  if (nk.empty()) return r.Error(n["node_key_file"], J::Join(key, "node_key_file"), "is empty");
  s->endpoint.node_key_file = r.ResolvePath(nk, c.state_dir);
  if (n["rejected_file"]) {
    ASSIGN_OR_RETURN(std::string rf, r.String(n["rejected_file"], J::Join(key, "rejected_file")));
    if (!rf.empty()) s->rejected_file = r.ResolvePath(rf, c.state_dir);
  }
  if (n["timeout"]) {
    ASSIGN_OR_RETURN(s->endpoint.timeout_ms,
                     r.DurationMs(n["timeout"], J::Join(key, "timeout"), 100));
  }
  return std::shared_ptr<const SinkSettings>(std::move(s));
}

}  // namespace

std::string_view AgentRecordKind(RecordKind kind) {
  switch (kind) {
    case RecordKind::kResult:
      return "results";
    case RecordKind::kProblem:
      return "problems";
    case RecordKind::kStatus:
      return "status";
    case RecordKind::kInventory:
      return "inventory";
    case RecordKind::kEvent:
    case RecordKind::kTest:
    case RecordKind::kFinding:
    case RecordKind::kAudit:
      return "events";
  }
  return "events";
}

Json AgentRecordJson(const Record& record) {
  Json body = Json::parse(RenderRecordJson(record, RecordFormat::kWarden), nullptr, false);
  if (!body.is_object()) body = Json{{"value", std::move(body)}};
  if (record.kind == RecordKind::kStatus && !body.contains("agent_version")) {
    const Json* agent = body.contains("agent") ? &body["agent"] : nullptr;
    body["agent_version"] =
        agent && agent->is_object() && agent->contains("version") && (*agent)["version"].is_string()
            ? (*agent)["version"].get<std::string>()
            : std::string(kWardenVersion);
  }
  return Json{{"id", record.id},
              {"kind", AgentRecordKind(record.kind)},
              {"time_ms", std::max<int64_t>(0, record.time_ms)},
              {"body", std::move(body)}};
}

Result<std::string> ReadNodeKey(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return ErrnoStatus(path, errno)
        .WithContext("cannot read the node key (enrol with warden agent enroll)");
  char buf[1024];
  ssize_t n = ::read(fd, buf, sizeof buf);
  ::close(fd);
  if (n < 0) return ErrnoStatus(path, errno).WithContext("cannot read the node key");
  std::string key(TrimWhitespace(std::string_view(buf, static_cast<size_t>(n))));
  if (key.empty()) return InvalidArgument(path + ": the node key file is empty");
  if (!StartsWith(key, "wdn_node_") || key.find_first_of(" \t\r\n") != std::string::npos)
    return InvalidArgument(path + ": not a node key (expected one line starting wdn_node_)");
  return key;
}

ServerError ParseServerError(const HttpResponse& response) {
  ServerError e;
  e.status = response.status;
  Json j = Json::parse(response.body, nullptr, false);
  if (j.is_object() && j.contains("error") && j["error"].is_object()) {
    const Json& err = j["error"];
    if (err.contains("code") && err["code"].is_string()) e.code = err["code"].get<std::string>();
    if (err.contains("message") && err["message"].is_string())
      e.message = err["message"].get<std::string>();
    if (err.contains("field") && err["field"].is_string())
      e.field = err["field"].get<std::string>();
  } else {
    e.message = response.body.substr(0, 200);
    for (char& ch : e.message)
      if (ch == '\n' || ch == '\r') ch = ' ';
  }
  return e;
}

std::string DescribeServerError(const ServerError& e) {
  std::string s = "HTTP " + std::to_string(e.status);
  if (!e.code.empty()) s += " " + e.code;
  if (!e.message.empty()) s += ": " + e.message;
  if (!e.field.empty()) s += " (at " + e.field + ")";
  return s;
}

int RecordIndexOfPointer(const std::string& pointer) {
  constexpr std::string_view kPrefix = "/records/";
  if (!StartsWith(pointer, kPrefix)) return -1;
  size_t end = pointer.find('/', kPrefix.size());
  std::string digits = pointer.substr(
      kPrefix.size(), end == std::string::npos ? std::string::npos : end - kPrefix.size());
  int64_t index = 0;
  if (digits.empty() || digits.size() > 6 || !ParseInt64(digits, &index) || index < 0) return -1;
  return static_cast<int>(index);
}

HttpRequest ServerRequest(const ServerEndpoint& endpoint, const std::string& method,
                          const std::string& path, const std::string& node_key) {
  HttpRequest req;
  req.method = method;
  req.url = endpoint.url + path;
  req.ca_file = endpoint.ca_file;
  req.timeout = std::chrono::milliseconds(endpoint.timeout_ms);
  req.headers.emplace_back("User-Agent", std::string("warden-agent/") + kWardenVersion);
  req.headers.emplace_back("Accept", "application/json");
  if (method != "GET") req.headers.emplace_back("Content-Type", "application/json");
  if (!node_key.empty()) req.headers.emplace_back("Authorization", "Bearer " + node_key);
  return req;
}

Status CheckServerUrl(const std::string& url) {
  std::string rest;
  bool tls = false;
  if (StartsWith(url, "https://")) {
    tls = true;
    rest = url.substr(8);
  } else if (StartsWith(url, "http://")) {
    rest = url.substr(7);
  } else {
    return InvalidArgument("expected an https:// URL, got '" + url + "'");
  }
  if (url.find_first_of("?#@ ") != std::string::npos)
    return InvalidArgument("'" + url + "': no query, fragment, credentials or spaces allowed");
  std::string host = UrlHost(url);
  if (host.empty()) return InvalidArgument("'" + url + "' names no host");
  if (!tls) {
    std::string name = host;
    if (!name.empty() && name.front() == '[') {
      name = name.substr(
          1, name.find(']') == std::string::npos ? std::string::npos : name.find(']') - 1);
    } else if (size_t colon = name.rfind(':'); colon != std::string::npos) {
      name = name.substr(0, colon);
    }
    if (name != "127.0.0.1" && name != "::1" && name != "localhost")
      return InvalidArgument("'" + url +
                             "': plain http:// is accepted only to a loopback address "
                             "(the node key would travel in clear); use https://");
  }
  return Status::Ok();
}

const SinkType& ServerSinkType() {
  static const SinkType kType{
      "server",
      /*queued=*/true,
      {"url", "ca_file", "node_key_file", "rejected_file", "timeout", "queue"},
      {RecordFormat::kWarden},
      ParseServerSink,
      [](const SinkConfig& config, const SinkContext& context) -> Result<std::unique_ptr<Sink>> {
        const auto* s = config.SettingsAs<ServerSinkSettings>();
        if (!s) return InvalidArgument("sink " + config.name + ": not a server sink");
        auto key = ReadNodeKey(s->endpoint.node_key_file);
        if (!key.ok()) return key.status().WithContext("sink " + config.name);
        return std::unique_ptr<Sink>(new ServerSink(config, context, std::move(*key)));
      }};
  return kType;
}

}  // namespace warden

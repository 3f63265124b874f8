#include "detectors/open_ports_detector.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "core/strings.h"

namespace warden {
namespace {

constexpr const char* kListeningSql =
    "SELECT l.pid, l.port, l.protocol, l.family, l.address, l.net_namespace, "
    "p.name, p.path, p.cmdline, p.uid, u.username "
    "FROM listening_ports l "
    "LEFT JOIN processes p ON p.pid = l.pid "
    "LEFT JOIN users u ON u.uid = p.uid "
    "WHERE l.family IN (2, 10) AND l.protocol IN (6, 17)";

int64_t IntOr(const Value& v, int64_t fallback) {
  if (const int64_t* n = std::get_if<int64_t>(&v)) return *n;
  return fallback;
}

std::string TextOr(const Value& v) {
  if (const std::string* s = std::get_if<std::string>(&v)) return *s;
  return IsNull(v) ? std::string() : ValueToText(v);
}

std::string Endpoint(const ListeningSocket& s) {
  return (s.family == 10 ? "[" + s.address + "]" : s.address) + ":" + std::to_string(s.port);
}

}  // namespace

Result<std::vector<ListeningSocket>> ReadListeningSockets(SqlEngine& engine,
                                                          std::chrono::milliseconds timeout,
                                                          std::atomic<bool>* interrupt) {
  QueryOptions options;
  options.timeout = timeout;
  options.interrupt = interrupt;
  ASSIGN_OR_RETURN(QueryResult result, engine.Query(kListeningSql, options));
  std::vector<ListeningSocket> out;
  for (const auto& row : result.rows) {
    if (row.size() < 11) continue;
    ListeningSocket s;
    s.pid = IntOr(row[0], -1);
    s.port = static_cast<int>(IntOr(row[1], 0));
    s.protocol = IntOr(row[2], 0) == 6 ? "tcp" : "udp";
    s.family = static_cast<int>(IntOr(row[3], 0));
    s.address = TextOr(row[4]);
    s.net_namespace = TextOr(row[5]);
    s.process_name = TextOr(row[6]);
    s.process_path = TextOr(row[7]);
    s.cmdline = TextOr(row[8]);
    s.uid = IntOr(row[9], -1);
    s.user = TextOr(row[10]);
    if (s.port <= 0) continue;
    out.push_back(std::move(s));
  }
  return out;
}

bool IsLoopbackAddress(std::string_view a) {
  return a.rfind("127.", 0) == 0 || a == "::1" || a.rfind("::ffff:127.", 0) == 0 ||
         a == "0:0:0:0:0:0:0:1";
}

bool IsAllowedPort(const OpenPortsSettings& settings, std::string_view protocol, int port) {
  const auto& ranges = protocol == "tcp" ? settings.allowed_tcp : settings.allowed_udp;
  return std::any_of(ranges.begin(), ranges.end(),
                     [&](const PortRange& r) { return r.Contains(port); });
}

Observation DetectOpenPorts(const std::vector<ListeningSocket>& sockets,
                            const OpenPortsSettings& settings, RiskLevel risk_level,
                            const std::string& host, int64_t now) {
  // Sockets sharing protocol, address and port (SO_REUSEPORT workers, a
  // forked server) are one condition.
  std::map<std::tuple<std::string, std::string, int>, std::vector<const ListeningSocket*>> groups;
  for (const ListeningSocket& s : sockets) {
    if (IsAllowedPort(settings, s.protocol, s.port)) continue;
    if (!settings.report_loopback && IsLoopbackAddress(s.address)) continue;
    groups[{s.protocol, s.address, s.port}].push_back(&s);
  }
  Observation obs;
  for (auto& [key, group] : groups) {
    const auto& [protocol, address, port] = key;
    // The socket with a known owner speaks for the group.
    std::sort(group.begin(), group.end(), [](const ListeningSocket* a, const ListeningSocket* b) {
      return std::make_tuple(a->process_path.empty(), a->pid) <
             std::make_tuple(b->process_path.empty(), b->pid);
    });
    const ListeningSocket& s = *group.front();
    std::set<int64_t> pids;
    for (const ListeningSocket* g : group)
      if (g->pid > 0) pids.insert(g->pid);
    Finding f;
    f.id = MakeFindingId(
        {std::string(kOpenPortsDetectorId), host, protocol, address, std::to_string(port)});
    f.rule_id = std::string(kOpenPortsDetectorId);
    f.title = "Process listening on open port " + std::to_string(port) + "/" + protocol;
    const std::string who =
        s.process_path.empty()
            ? (s.process_name.empty() ? std::string("an unknown process (no owner visible)")
                                      : s.process_name)
            : s.process_path;
    const std::string allowed_key = protocol == "tcp" ? "allowed_tcp" : "allowed_udp";
    f.description =
        who + (s.pid > 0 ? " (pid " + std::to_string(s.pid) + ")" : std::string()) +
        (s.user.empty() ? std::string() : " running as " + s.user) + " listens on " + Endpoint(s) +
        "/" + protocol + "; port " + std::to_string(port) + " is not in " + allowed_key +
        " of rule " + std::string(kOpenPortsDetectorId) +
        (IsLoopbackAddress(address) ? " (loopback is reported because loopback: report)" : "") +
        ".";
    f.risk_level = risk_level;
    f.source = "host.ports";
    f.resource = host;
    f.first_seen = f.last_seen = now;
    f.remediation =
        "If the service is not needed, stop and disable it; if it must not be reachable, bind it "
        "to "
        "127.0.0.1 or block the port in the firewall. If it is expected, add " +
        std::to_string(port) + " to recipe.rules." + std::string(kOpenPortsDetectorId) +
        ".settings." + allowed_key + ", or dismiss the problem: warden agent problems dismiss " +
        f.id.substr(0, 12) + " --comment \"why\"";
    f.attributes["protocol"] = protocol;
    f.attributes["port"] = port;
    f.attributes["address"] = address;
    f.attributes["family"] = s.family == 10 ? "ipv6" : "ipv4";
    f.attributes["process"] = s.process_path.empty() ? Json(nullptr) : Json(s.process_path);
    f.attributes["process_name"] = s.process_name.empty() ? Json(nullptr) : Json(s.process_name);
    f.attributes["user"] = s.user.empty() ? Json(nullptr) : Json(s.user);
    f.attributes["uid"] = s.uid >= 0 ? Json(s.uid) : Json(nullptr);
    f.attributes["host"] = host;
    f.evidence["pid"] = s.pid > 0 ? Json(s.pid) : Json(nullptr);
    f.evidence["pids"] = Json(std::vector<int64_t>(pids.begin(), pids.end()));
    f.evidence["cmdline"] = s.cmdline.empty() ? Json(nullptr) : Json(s.cmdline);
    f.evidence["net_namespace"] = s.net_namespace;
    f.evidence["sockets"] = static_cast<int64_t>(group.size());
    f.ocsf_extra["resources"] = Json::array(
        {{{"type", "Network Endpoint"}, {"uid", Endpoint(s) + "/" + protocol}, {"name", who}}});
    obs.findings.push_back(std::move(f));
  }
  return obs;
}

bool ParsePortRange(std::string_view text, PortRange* out) {
  text = TrimWhitespace(text);
  int64_t a = 0, b = 0;
  size_t dash = text.find('-');
  if (dash == std::string_view::npos) {
    if (!ParseInt64(text, &a)) return false;
    b = a;
  } else if (!ParseInt64(TrimWhitespace(text.substr(0, dash)), &a) ||
             !ParseInt64(TrimWhitespace(text.substr(dash + 1)), &b)) {
    return false;
  }
  if (a < 1 || b > 65535 || a > b) return false;
  out->first = static_cast<int>(a);
  out->last = static_cast<int>(b);
  return true;
}

namespace {

Status ReadPortList(const YamlReader& r, const YAML::Node& n, const std::string& key,
                    std::vector<PortRange>* out) {
  out->clear();
  if (n.IsNull()) return Status::Ok();
  std::vector<YAML::Node> items;
  if (n.IsScalar())
    items.push_back(n);
  else if (n.IsSequence())
    for (const auto& x : n) items.push_back(x);
  else
    return r.Error(n, key, "expected a list of ports and ranges like [22, 443, \"8000-8100\"]");
  for (size_t i = 0; i < items.size(); ++i) {
    const std::string ikey = key + "[" + std::to_string(i) + "]";
    PortRange range;
    if (!items[i].IsScalar() || !ParsePortRange(items[i].Scalar(), &range))
      return r.Error(items[i], ikey,
                     "expected a port (1-65535) or a range like \"8000-8100\", got '" +
                         (items[i].IsScalar() ? items[i].Scalar() : std::string("a list")) + "'");
    out->push_back(range);
  }
  return Status::Ok();
}

}  // namespace

DetectorConfig OpenPortsDetector::DefaultConfig() const {
  DetectorConfig c;
  c.id = std::string(kOpenPortsDetectorId);
  c.risk_level = RiskLevel::kMedium;
  c.schedule.interval_seconds = 300;
  c.settings = std::make_shared<OpenPortsSettings>();
  return c;
}

Result<std::shared_ptr<const DetectorSettings>> OpenPortsDetector::ParseSettings(
    const YamlReader& r, const YAML::Node& s, const std::string& key) const {
  using J = YamlReader;
  auto settings = std::make_shared<OpenPortsSettings>();
  RETURN_IF_ERROR(r.CheckKeys(s, key, {"allowed_tcp", "allowed_udp", "loopback"}));
  if (s["allowed_tcp"])
    RETURN_IF_ERROR(
        ReadPortList(r, s["allowed_tcp"], J::Join(key, "allowed_tcp"), &settings->allowed_tcp));
  if (s["allowed_udp"])
    RETURN_IF_ERROR(
        ReadPortList(r, s["allowed_udp"], J::Join(key, "allowed_udp"), &settings->allowed_udp));
  if (s["loopback"]) {
    ASSIGN_OR_RETURN(std::string lb, r.String(s["loopback"], J::Join(key, "loopback")));
    if (lb == "ignore")
      settings->report_loopback = false;
    else if (lb == "report")
      settings->report_loopback = true;
    else
      return r.Error(s["loopback"], J::Join(key, "loopback"),
                     "expected ignore or report, got '" + lb + "'");
  }
  return std::shared_ptr<const DetectorSettings>(std::move(settings));
}

Result<DetectorRun> OpenPortsDetector::Run(const DetectorConfig& config,
                                           DetectorContext& context) const {
  const auto* settings = config.SettingsAs<OpenPortsSettings>();
  if (settings == nullptr) return Internal(std::string(id()) + ": settings of another detector");
  if (!context.engine) return Internal("no SQL engine for " + std::string(id()));
  ASSIGN_OR_RETURN(std::shared_ptr<SqlEngine> engine, context.engine());
  ASSIGN_OR_RETURN(std::vector<ListeningSocket> sockets,
                   ReadListeningSockets(*engine, context.query_timeout, context.interrupt));
  DetectorRun run;
  run.observation =
      DetectOpenPorts(sockets, *settings, config.risk_level, context.host, context.now);
  run.summary = std::to_string(sockets.size()) + " listening sockets";
  run.listeners = std::move(sockets);
  return run;
}

std::string OpenPortsDetector::Describe(const DetectorRun& run, const std::string& events,
                                        bool) const {
  return run.summary + ", " + events + " unexpected";
}

}  // namespace warden

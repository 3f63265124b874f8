#include "agent/agent_config.h"

#include <openssl/evp.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/encoding.h"
#include "core/strings.h"
#include "core/yaml_reader.h"
#include "delivery/sink_registry.h"
#include "detectors/detector_registry.h"

namespace warden {

const DetectorConfig* AgentConfig::FindDetectorConfig(std::string_view id) const {
  for (const auto& d : detectors)
    if (d.id == id) return &d;
  return nullptr;
}

const SinkConfig* AgentConfig::FindSink(std::string_view name) const {
  for (const auto& s : sinks)
    if (s.name == name) return &s;
  return nullptr;
}

std::string DefaultStateDir() {
  if (const char* env = std::getenv("WARDEN_STATE_DIR"); env && *env) return env;
  if (geteuid() == 0) return "/var/lib/warden";
  if (const char* xdg = std::getenv("XDG_STATE_HOME"); xdg && *xdg)
    return std::string(xdg) + "/warden";
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : "/tmp") + "/.local/state/warden";
}

namespace {

// Names of queries and sinks: letters, digits, _ - . : (they become file names).
bool ValidName(const std::string& name) {
  if (name.empty() || name.size() > 128) return false;
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.' &&
        c != ':')
      return false;
  return true;
}

// Reads one config file. Every error is "file:line:col: key.path: reason".
class ConfigReader : public YamlReader {
 public:
  ConfigReader(std::string source, std::string base_dir)
      : YamlReader(std::move(source), std::move(base_dir)) {
    set_expand_environment(true);
  }

  Status ReadSchedule(const YAML::Node& n, const std::string& key, ScheduleSpec* s) const {
    if (n.IsScalar()) {  // shorthand: "schedule: 5m"
      ASSIGN_OR_RETURN(int64_t ms, DurationMs(n, key, 1000));
      s->kind = ScheduleSpec::Kind::kInterval;
      s->interval_seconds = ms / 1000;
      return Status::Ok();
    }
    RETURN_IF_ERROR(
        CheckKeys(n, key, {"interval", "splay_percent", "daily", "timezone", "run_at_start"}));
    if (n["interval"] && n["daily"])
      return Error(n, key, "give either interval or daily, not both");
    if (n["interval"]) {
      ASSIGN_OR_RETURN(int64_t ms, DurationMs(n["interval"], Join(key, "interval"), 1000));
      s->kind = ScheduleSpec::Kind::kInterval;
      s->interval_seconds = ms / 1000;
    }
    if (n["splay_percent"]) {
      ASSIGN_OR_RETURN(int64_t p, Int(n["splay_percent"], Join(key, "splay_percent"), 0, 100));
      s->splay_percent = static_cast<int>(p);
    }
    if (n["daily"]) {
      const YAML::Node d = n["daily"];
      const std::string dkey = Join(key, "daily");
      std::vector<YAML::Node> items;
      if (d.IsScalar())
        items.push_back(d);
      else if (d.IsSequence())
        for (const auto& x : d) items.push_back(x);
      else
        return Error(d, dkey, "expected a time like \"03:00\" or a list of them");
      if (items.empty()) return Error(d, dkey, "expected at least one time");
      s->kind = ScheduleSpec::Kind::kDaily;
      s->daily_minutes.clear();
      for (size_t i = 0; i < items.size(); ++i) {
        const std::string ikey = dkey + "[" + std::to_string(i) + "]";
        if (!items[i].IsScalar()) return Error(items[i], ikey, "expected a time like \"03:00\"");
        auto parts = SplitString(items[i].Scalar(), ':');
        int64_t h = -1, m = -1;
        if (parts.size() != 2 || !ParseInt64(parts[0], &h) || !ParseInt64(parts[1], &m) || h < 0 ||
            h > 23 || m < 0 || m > 59)
          return Error(
              items[i], ikey,
              "expected a time HH:MM from 00:00 to 23:59, got '" + items[i].Scalar() + "'");
        s->daily_minutes.push_back(static_cast<int>(h * 60 + m));
      }
      std::sort(s->daily_minutes.begin(), s->daily_minutes.end());
      s->daily_minutes.erase(std::unique(s->daily_minutes.begin(), s->daily_minutes.end()),
                             s->daily_minutes.end());
      s->run_at_start = false;  // a daily job runs at its time unless asked otherwise
    }
    if (n["timezone"]) {
      ASSIGN_OR_RETURN(std::string tz, String(n["timezone"], Join(key, "timezone")));
      if (tz == "utc" || tz == "UTC")
        s->utc = true;
      else if (tz == "local")
        s->utc = false;
      else
        return Error(n["timezone"], Join(key, "timezone"),
                     "expected utc or local, got '" + tz + "'");
    }
    if (n["run_at_start"]) {
      ASSIGN_OR_RETURN(s->run_at_start, Bool(n["run_at_start"], Join(key, "run_at_start")));
    }
    return Status::Ok();
  }

  // recipe.rules.ID: the keys every detector has, then its own settings,
  // read by the detector itself.
  Status ReadDetector(const Detector& detector, const YAML::Node& n, const std::string& key,
                      DetectorConfig* d) const {
    if (n.IsNull()) return Status::Ok();
    // A continuous detector has no schedule, and each of its host rules
    // carries its own risk level (change one by redefining that rule in a
    // rule file).
    if (d->continuous)
      RETURN_IF_ERROR(CheckKeys(n, key, {"enabled", "settings"}));
    else
      RETURN_IF_ERROR(CheckKeys(n, key, {"enabled", "risk_level", "schedule", "settings"}));
    if (n["enabled"]) {
      ASSIGN_OR_RETURN(d->enabled, Bool(n["enabled"], Join(key, "enabled")));
    }
    if (n["risk_level"]) {
      ASSIGN_OR_RETURN(std::string level, String(n["risk_level"], Join(key, "risk_level")));
      auto parsed = ParseRiskLevel(level);
      if (!parsed)
        return Error(n["risk_level"], Join(key, "risk_level"), UnknownRiskLevelMessage(level));
      d->risk_level = *parsed;
    }
    if (n["schedule"])
      RETURN_IF_ERROR(ReadSchedule(n["schedule"], Join(key, "schedule"), &d->schedule));
    if (!n["settings"] || n["settings"].IsNull()) return Status::Ok();
    ASSIGN_OR_RETURN(d->settings,
                     detector.ParseSettings(*this, n["settings"], Join(key, "settings")));
    return Status::Ok();
  }

  Status ReadQuery(const YAML::Node& n, const std::string& key, const LimitsConfig&,
                   QueryConfig* q) const {
    RETURN_IF_ERROR(CheckKeys(
        n, key,
        {"name", "query", "enabled", "schedule", "mode", "removed", "timeout", "max_memory"}));
    if (!n["name"]) return Error(n, Join(key, "name"), "missing: every query needs a name");
    ASSIGN_OR_RETURN(q->name, String(n["name"], Join(key, "name")));
    if (!ValidName(q->name))
      return Error(n["name"], Join(key, "name"),
                   "'" + q->name + "' is not a valid name (letters, digits, _ . : - only)");
    if (!n["query"]) return Error(n, Join(key, "query"), "missing: give the SQL to run");
    ASSIGN_OR_RETURN(q->sql, String(n["query"], Join(key, "query")));
    if (TrimWhitespace(q->sql).empty()) return Error(n["query"], Join(key, "query"), "empty SQL");
    // YAML can spell a NUL ("\0" in a double-quoted string); SQL cannot run it.
    if (const size_t nul = q->sql.find('\0'); nul != std::string::npos)
      return Error(n["query"], Join(key, "query"),
                   "the SQL contains a NUL byte at byte " + std::to_string(nul));
    if (n["enabled"]) {
      ASSIGN_OR_RETURN(q->enabled, Bool(n["enabled"], Join(key, "enabled")));
    }
    if (n["schedule"])
      RETURN_IF_ERROR(ReadSchedule(n["schedule"], Join(key, "schedule"), &q->schedule));
    if (n["mode"]) {
      ASSIGN_OR_RETURN(std::string mode, String(n["mode"], Join(key, "mode")));
      if (mode == "differential")
        q->mode = QueryConfig::Mode::kDifferential;
      else if (mode == "snapshot")
        q->mode = QueryConfig::Mode::kSnapshot;
      else
        return Error(n["mode"], Join(key, "mode"),
                     "expected differential or snapshot, got '" + mode + "'");
    }
    if (n["removed"]) {
      ASSIGN_OR_RETURN(q->report_removed, Bool(n["removed"], Join(key, "removed")));
    }
    if (n["timeout"]) {
      ASSIGN_OR_RETURN(q->timeout_ms, DurationMs(n["timeout"], Join(key, "timeout"), 10));
    }
    if (n["max_memory"]) {
      ASSIGN_OR_RETURN(q->max_memory_bytes,
                       Size(n["max_memory"], Join(key, "max_memory"), 1 << 20));
    }
    return Status::Ok();
  }
};

Status Parse(const YAML::Node& file_root, ConfigReader& r, AgentConfig* c) {
  // A config must say what the agent does: an empty document (or one with
  // only host, state, limits and the like) is refused rather than taken as
  // "every default", so that an emptied or truncated file cannot silently
  // drop every query and sink on a reload.
  const YAML::Node root = file_root.IsNull() ? YAML::Node(YAML::NodeType::Map) : file_root;
  RETURN_IF_ERROR(r.CheckKeys(root, "",
                              {"host", "state_dir", "control_socket", "recipe", "queries", "sinks",
                               "limits", "results", "status_interval", "server"}));
  const bool says_what_to_do =
      (root["recipe"] && root["recipe"].IsMap() && YamlHasContent(root["recipe"]["rules"])) ||
      YamlHasContent(root["queries"]) || YamlHasContent(root["sinks"]) ||
      YamlHasContent(root["server"]);
  if (!says_what_to_do)
    return InvalidArgument(
        r.source() + ": " +
        (root.size() == 0 ? "the config is empty: it names" : "the config names") +
        " no recipe rules, no queries and no sinks, so nothing says what the "
        "agent runs or where its records go; give at least one of "
        "recipe.rules, queries or sinks (see examples/agent.yaml)");
  if (root["host"]) {
    const YAML::Node h = root["host"];
    RETURN_IF_ERROR(r.CheckKeys(h, "host", {"identifier", "labels"}));
    if (h["identifier"]) {
      ASSIGN_OR_RETURN(c->host_identifier, r.String(h["identifier"], "host.identifier"));
      if (c->host_identifier.empty())
        return r.Error(h["identifier"], "host.identifier", "must not be empty");
    }
    if (h["labels"]) {
      ASSIGN_OR_RETURN(c->labels, r.StringMap(h["labels"], "host.labels"));
    }
  }
  c->state_dir = DefaultStateDir();
  if (root["state_dir"]) {
    ASSIGN_OR_RETURN(std::string d, r.String(root["state_dir"], "state_dir"));
    if (d.empty()) return r.Error(root["state_dir"], "state_dir", "must not be empty");
    c->state_dir = r.ResolvePath(d, r.base_dir());
  }
  c->control_socket = c->state_dir + "/agent.sock";
  if (root["control_socket"]) {
    ASSIGN_OR_RETURN(std::string p, r.String(root["control_socket"], "control_socket"));
    c->control_socket = r.ResolvePath(p, c->state_dir);
  }
  if (c->control_socket.size() >= 108)
    return r.Error(
        root["control_socket"] ? root["control_socket"] : root, "control_socket",
        "path '" + c->control_socket + "' is longer than a unix socket allows (107 bytes)");

  for (const Detector* d : Detectors()) c->detectors.push_back(d->DefaultConfig());
  if (root["recipe"]) {
    const YAML::Node rec = root["recipe"];
    RETURN_IF_ERROR(r.CheckKeys(rec, "recipe", {"name", "rules"}));
    if (rec["name"]) {
      ASSIGN_OR_RETURN(c->recipe_name, r.String(rec["name"], "recipe.name"));
    }
    if (rec["rules"] && !rec["rules"].IsNull()) {
      const YAML::Node rules = rec["rules"];
      std::vector<std::string> ids;
      for (const DetectorConfig& d : c->detectors) ids.push_back(d.id);
      RETURN_IF_ERROR(r.CheckKeys(rules, "recipe.rules", ids));
      for (auto it = rules.begin(); it != rules.end(); ++it) {
        const std::string id = it->first.Scalar();
        const Detector* detector = FindDetector(id);
        for (auto& d : c->detectors)
          if (d.id == id && detector != nullptr)
            RETURN_IF_ERROR(r.ReadDetector(*detector, it->second, "recipe.rules." + id, &d));
      }
    }
  }

  std::set<std::string> job_names;
  for (const auto& d : c->detectors) job_names.insert(d.id);
  job_names.insert("status");
  if (root["queries"] && !root["queries"].IsNull()) {
    const YAML::Node qs = root["queries"];
    if (!qs.IsSequence()) return r.Error(qs, "queries", "expected a list of queries");
    for (size_t i = 0; i < qs.size(); ++i) {
      QueryConfig q;
      const std::string key = "queries[" + std::to_string(i) + "]";
      RETURN_IF_ERROR(r.ReadQuery(qs[i], key, c->limits, &q));
      if (!job_names.insert(q.name).second)
        return r.Error(qs[i]["name"], key + ".name",
                       "'" + q.name + "' is already the name of another job");
      c->queries.push_back(std::move(q));
    }
  }

  if (root["sinks"] && !root["sinks"].IsNull()) {
    const YAML::Node ss = root["sinks"];
    if (!ss.IsSequence()) return r.Error(ss, "sinks", "expected a list of sinks");
    std::set<std::string> names;
    for (size_t i = 0; i < ss.size(); ++i) {
      const std::string key = "sinks[" + std::to_string(i) + "]";
      ASSIGN_OR_RETURN(SinkConfig s, ParseSinkConfig(r, ss[i], key, c->state_dir));
      if (!names.insert(s.name).second)
        return r.Error(ss[i]["name"], key + ".name",
                       "'" + s.name + "' is already the name of another sink");
      c->sinks.push_back(std::move(s));
    }
  }
  if (root["server"] && !root["server"].IsNull()) {
    ASSIGN_OR_RETURN(ServerLinkConfig server,
                     ReadServerLinkConfig(r, root["server"], c->state_dir));
    if (c->FindSink(server.sink.name))
      return r.Error(root["server"], "server",
                     "a sink is already named '" + server.sink.name +
                         "', the name of the server's own sink: rename that sink");
    c->sinks.push_back(server.sink);
    c->server = std::move(server);
  }

  if (root["limits"]) {
    const YAML::Node l = root["limits"];
    RETURN_IF_ERROR(r.CheckKeys(
        l, "limits", {"max_cpu_percent", "max_rss", "query_timeout", "query_max_memory"}));
    if (l["max_cpu_percent"]) {
      ASSIGN_OR_RETURN(c->limits.max_cpu_percent,
                       r.Number(l["max_cpu_percent"], "limits.max_cpu_percent", 0.1, 100));
    }
    if (l["max_rss"]) {
      ASSIGN_OR_RETURN(c->limits.max_rss_bytes, r.Size(l["max_rss"], "limits.max_rss", 1ll << 20));
    }
    if (l["query_timeout"]) {
      ASSIGN_OR_RETURN(c->limits.query_timeout_ms,
                       r.DurationMs(l["query_timeout"], "limits.query_timeout", 10));
    }
    if (l["query_max_memory"]) {
      ASSIGN_OR_RETURN(c->limits.query_max_memory_bytes,
                       r.Size(l["query_max_memory"], "limits.query_max_memory", 1 << 20));
    }
  }
  for (auto& q : c->queries) {
    if (q.timeout_ms == 0) q.timeout_ms = c->limits.query_timeout_ms;
    if (q.max_memory_bytes == 0) q.max_memory_bytes = c->limits.query_max_memory_bytes;
  }

  if (root["results"]) {
    const YAML::Node res = root["results"];
    RETURN_IF_ERROR(r.CheckKeys(res, "results", {"numerics", "decorations", "denylist_duration"}));
    if (res["numerics"]) {
      ASSIGN_OR_RETURN(c->results.numerics, r.Bool(res["numerics"], "results.numerics"));
    }
    if (res["decorations"]) {
      ASSIGN_OR_RETURN(c->results.decorations,
                       r.StringMap(res["decorations"], "results.decorations"));
    }
    if (res["denylist_duration"]) {
      ASSIGN_OR_RETURN(int64_t ms,
                       r.DurationMs(res["denylist_duration"], "results.denylist_duration", 0));
      c->results.denylist_seconds = ms / 1000;
    }
  }
  if (root["status_interval"]) {
    const YAML::Node si = root["status_interval"];
    if (si.IsScalar() && (si.Scalar() == "0" || si.Scalar() == "off")) {
      c->status_interval_seconds = 0;
    } else {
      ASSIGN_OR_RETURN(int64_t ms, r.DurationMs(si, "status_interval", 1000));
      c->status_interval_seconds = ms / 1000;
    }
  }
  return Status::Ok();
}

}  // namespace

Result<AgentConfig> ParseAgentConfig(const std::string& text, const std::string& source) {
  std::string base = std::filesystem::path(source).parent_path().string();
  if (base.empty()) base = ".";
  std::error_code ec;
  std::filesystem::path abs = std::filesystem::absolute(base, ec);
  if (!ec) base = abs.lexically_normal().string();
  ConfigReader reader(source, base);
  AgentConfig config;
  config.path = source;
  config.hash = Sha256Hex(text);
  ASSIGN_OR_RETURN(YAML::Node root, SafeLoadYaml(text, source));
  if (!root.IsNull() && !root.IsMap())
    return reader.Error(root, "", "expected a mapping of keys at the top level");
  try {
    RETURN_IF_ERROR(Parse(root, reader, &config));
  } catch (const YAML::Exception& e) {
    return InvalidArgument(source + ": " + e.what());
  }
  return config;
}

Result<AgentLocation> LoadAgentLocation(const std::string& path) {
  AgentLocation loc;
  std::string base = std::filesystem::path(path).parent_path().string();
  std::error_code ec;
  std::filesystem::path abs = std::filesystem::absolute(base.empty() ? "." : base, ec);
  if (!ec) base = abs.lexically_normal().string();
  ConfigReader reader(path, base);
  ASSIGN_OR_RETURN(std::string text, ReadYamlFile(path));
  ASSIGN_OR_RETURN(YAML::Node root, SafeLoadYaml(text, path));
  try {
    loc.state_dir = DefaultStateDir();
    if (root.IsMap() && root["state_dir"] && root["state_dir"].IsScalar())
      loc.state_dir = reader.ResolvePath(root["state_dir"].Scalar(), base);
    loc.control_socket = loc.state_dir + "/agent.sock";
    if (root.IsMap() && root["control_socket"] && root["control_socket"].IsScalar())
      loc.control_socket = reader.ResolvePath(root["control_socket"].Scalar(), loc.state_dir);
  } catch (const YAML::Exception& e) {
    return InvalidArgument(path + ": " + e.what());
  }
  return loc;
}

Result<AgentConfig> LoadAgentConfig(const std::string& path) {
  // Bounded like every YAML input: a device or a huge file fails at the limit.
  ASSIGN_OR_RETURN(std::string text, ReadYamlFile(path));
  return ParseAgentConfig(text, path);
}

}  // namespace warden

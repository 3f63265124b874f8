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
#include "detectors/recipe_rules.h"

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
      RETURN_IF_ERROR(ReadScheduleSpec(*this, n["schedule"], Join(key, "schedule"), &q->schedule));
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

// The file's recipe.rules with the server's rules laid over them, key by key
// (settings: per top-level key). See ServerConfigOverlay.
YAML::Node OverlayRules(const YAML::Node& file_rules, const Json& server_rules) {
  YAML::Node out =
      file_rules && file_rules.IsMap() ? YAML::Clone(file_rules) : YAML::Node(YAML::NodeType::Map);
  for (auto it = server_rules.begin(); it != server_rules.end(); ++it) {
    const std::string& id = it.key();
    const Json& rule = it.value();
    const YAML::Node existing = file_rules && file_rules.IsMap() ? file_rules[id] : YAML::Node();
    if (!rule.is_object() || !existing || !existing.IsMap()) {
      out[id] = JsonToYaml(rule);
      continue;
    }
    YAML::Node merged = YAML::Clone(existing);
    for (auto key = rule.begin(); key != rule.end(); ++key) {
      if (key.key() != "settings" || !key.value().is_object() || !existing["settings"] ||
          !existing["settings"].IsMap()) {
        merged[key.key()] = JsonToYaml(key.value());
        continue;
      }
      YAML::Node settings = YAML::Clone(existing["settings"]);
      for (auto s = key.value().begin(); s != key.value().end(); ++s)
        settings[s.key()] = JsonToYaml(s.value());
      merged["settings"] = settings;
    }
    out[id] = merged;
  }
  return out;
}

// One of the server's ScheduledQuery objects as a query of this agent.
Status ReadServerQuery(const YamlReader& r, const Json& q, const std::string& key,
                       QueryConfig* out) {
  auto fail = [&](const std::string& member, const std::string& reason) {
    return InvalidArgument(r.source() + ": " + YamlReader::Join(key, member) + ": " + reason);
  };
  if (!q.is_object()) return InvalidArgument(r.source() + ": " + key + ": expected an object");
  const std::string name = q.value("name", std::string());
  if (!ValidName(name) || name.size() > 128)
    return fail("name", "'" + name + "' is not a valid name (letters, digits, _ . : - only)");
  out->name = name;
  out->sql = q.value("query", std::string());
  if (TrimWhitespace(out->sql).empty()) return fail("query", "empty SQL");
  if (out->sql.find('\0') != std::string::npos) return fail("query", "the SQL contains a NUL byte");
  out->enabled = q.value("enabled", true);
  const std::string mode = q.value("mode", std::string("differential"));
  if (mode == "differential")
    out->mode = QueryConfig::Mode::kDifferential;
  else if (mode == "snapshot")
    out->mode = QueryConfig::Mode::kSnapshot;
  else
    return fail("mode", "expected differential or snapshot, got '" + mode + "'");
  out->report_removed = q.value("removed", true);
  out->timeout_ms = q.value("timeout_ms", int64_t{0});
  out->max_memory_bytes = q.value("max_memory_bytes", int64_t{0});
  if (out->timeout_ms < 0) return fail("timeout_ms", "must not be negative");
  if (out->max_memory_bytes < 0) return fail("max_memory_bytes", "must not be negative");
  // The spec's Schedule in the file's grammar, read by the file's reader.
  const Json sched = q.value("schedule", Json::object());
  if (!sched.is_object()) return fail("schedule", "expected an object");
  YAML::Node node(YAML::NodeType::Map);
  if (sched.contains("interval_seconds") && sched["interval_seconds"].is_number_integer())
    node["interval"] = std::to_string(sched["interval_seconds"].get<int64_t>()) + "s";
  if (sched.contains("daily_at") && sched["daily_at"].is_array() && !sched["daily_at"].empty()) {
    node["daily"] = JsonToYaml(sched["daily_at"]);
    node["timezone"] = "local";
  }
  if (sched.contains("splay_percent")) node["splay_percent"] = JsonToYaml(sched["splay_percent"]);
  if (sched.contains("run_at_start")) node["run_at_start"] = JsonToYaml(sched["run_at_start"]);
  return ReadScheduleSpec(r, node, YamlReader::Join(key, "schedule"), &out->schedule);
}

Status Parse(const YAML::Node& file_root, ConfigReader& r, AgentConfig* c,
             const ServerConfigOverlay* overlay) {
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

  YAML::Node file_rules;
  if (root["recipe"]) {
    const YAML::Node rec = root["recipe"];
    RETURN_IF_ERROR(r.CheckKeys(rec, "recipe", {"name", "rules"}));
    if (rec["name"]) {
      ASSIGN_OR_RETURN(c->recipe_name, r.String(rec["name"], "recipe.name"));
    }
    if (rec["rules"]) file_rules = rec["rules"];
  }
  // The server's recipe counts (its name, the etag in status) once it sets
  // something: a server without recipes leaves the file's as it is.
  if (overlay != nullptr && (!overlay->rules.empty() || !overlay->queries.empty())) {
    if (!overlay->recipe_name.empty()) c->recipe_name = overlay->recipe_name;
    c->server_config_etag = overlay->etag;
  }
  ASSIGN_OR_RETURN(c->detectors, ReadRecipeRules(r,
                                                 overlay != nullptr && !overlay->rules.empty()
                                                     ? OverlayRules(file_rules, overlay->rules)
                                                     : file_rules,
                                                 "recipe.rules"));

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
  if (overlay != nullptr) {
    for (const QueryConfig& q : overlay->queries) {
      if (!job_names.insert(q.name).second)
        return InvalidArgument(r.source() + ": queries: the server's query '" + q.name +
                               "' has the name of another job; names starting with 'srv:' "
                               "are the server's: rename the file's query");
      c->queries.push_back(q);
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

Result<ServerConfigOverlay> ParseServerConfigOverlay(const Json& config) {
  YamlReader reader("server config");
  if (!config.is_object()) return InvalidArgument("server config: expected a JSON object");
  ServerConfigOverlay o;
  o.etag = config.value("etag", std::string());
  try {
    const Json recipe = config.value("recipe", Json::object());
    if (!recipe.is_object()) return InvalidArgument("server config: recipe: expected an object");
    o.recipe_name = recipe.value("name", std::string());
    o.rules = recipe.value("rules", Json::object());
    if (!o.rules.is_object())
      return InvalidArgument("server config: recipe.rules: expected an object");
    RETURN_IF_ERROR(ReadRecipeRules(reader, JsonToYaml(o.rules), "recipe.rules").status());
    const Json queries = config.value("queries", Json::array());
    if (!queries.is_array()) return InvalidArgument("server config: queries: expected a list");
    std::set<std::string> names;
    for (size_t i = 0; i < queries.size(); ++i) {
      const std::string key = "queries[" + std::to_string(i) + "]";
      QueryConfig q;
      RETURN_IF_ERROR(ReadServerQuery(reader, queries[i], key, &q));
      if (!names.insert(q.name).second)
        return InvalidArgument("server config: " + key + ".name: '" + q.name +
                               "' is already the name of another query");
      o.queries.push_back(std::move(q));
    }
  } catch (const YAML::Exception& e) {
    return InvalidArgument(std::string("server config: ") + e.what());
  } catch (const Json::exception& e) {
    return InvalidArgument(std::string("server config: ") + e.what());
  }
  return o;
}

Result<AgentConfig> ParseAgentConfig(const std::string& text, const std::string& source,
                                     const ServerConfigOverlay* overlay) {
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
    RETURN_IF_ERROR(Parse(root, reader, &config, overlay));
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

Result<AgentConfig> LoadAgentConfig(const std::string& path, const ServerConfigOverlay* overlay) {
  // Bounded like every YAML input: a device or a huge file fails at the limit.
  ASSIGN_OR_RETURN(std::string text, ReadYamlFile(path));
  return ParseAgentConfig(text, path, overlay);
}

}  // namespace warden

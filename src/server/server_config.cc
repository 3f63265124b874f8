#include "server/server_config.h"

#include <arpa/inet.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "core/strings.h"
#include "core/yaml_reader.h"
#include "delivery/sink_registry.h"

namespace warden::server {
namespace {

bool IsIpAddress(const std::string& text) {
  unsigned char buf[16];
  return inet_pton(AF_INET, text.c_str(), buf) == 1 || inet_pton(AF_INET6, text.c_str(), buf) == 1;
}

Status Parse(const YAML::Node& root, const YamlReader& r, ServerConfig* c) {
  RETURN_IF_ERROR(
      r.CheckKeys(root, "",
                  {"listen", "state_dir", "console_dir", "packages_dir", "tls", "threads", "limits",
                   "sessions", "housekeeping", "detector_runs", "channels", "vulnerabilities",
                   "live_queries", "scheduled_queries", "cloud_sources", "log"}));
  if (root["listen"]) {
    ASSIGN_OR_RETURN(std::string listen, r.String(root["listen"], "listen"));
    Status parsed = ParseListenAddress(listen, &c->listen_address, &c->listen_port);
    if (!parsed.ok()) return r.Error(root["listen"], "listen", std::string(parsed.message()));
  }
  if (root["state_dir"]) {
    ASSIGN_OR_RETURN(std::string dir, r.String(root["state_dir"], "state_dir"));
    if (dir.empty()) return r.Error(root["state_dir"], "state_dir", "must not be empty");
    c->state_dir = r.ResolvePath(dir);
  }
  if (root["console_dir"]) {
    ASSIGN_OR_RETURN(std::string dir, r.String(root["console_dir"], "console_dir"));
    if (dir.empty()) return r.Error(root["console_dir"], "console_dir", "must not be empty");
    c->console_dir = r.ResolvePath(dir);
  }
  if (root["packages_dir"]) {
    ASSIGN_OR_RETURN(std::string dir, r.String(root["packages_dir"], "packages_dir"));
    if (dir.empty()) return r.Error(root["packages_dir"], "packages_dir", "must not be empty");
    c->packages_dir = r.ResolvePath(dir);
  }
  if (const YAML::Node tls = root["tls"]) {
    RETURN_IF_ERROR(r.CheckKeys(tls, "tls", {"cert_file", "key_file", "names"}));
    if (tls["cert_file"]) {
      ASSIGN_OR_RETURN(std::string f, r.String(tls["cert_file"], "tls.cert_file"));
      c->tls_cert_file = r.ResolvePath(f);
    }
    if (tls["key_file"]) {
      ASSIGN_OR_RETURN(std::string f, r.String(tls["key_file"], "tls.key_file"));
      c->tls_key_file = r.ResolvePath(f);
    }
    if (c->tls_cert_file.empty() != c->tls_key_file.empty()) {
      return r.Error(tls, "tls", "give both cert_file and key_file, or neither (private CA)");
    }
    if (tls["names"]) {
      ASSIGN_OR_RETURN(c->tls_names,
                       r.StringList(tls["names"], "tls.names", "DNS names or IP addresses"));
    }
  }
  if (const YAML::Node t = root["threads"]) {
    RETURN_IF_ERROR(r.CheckKeys(t, "threads", {"io", "workers"}));
    if (t["io"]) {
      ASSIGN_OR_RETURN(int64_t n, r.Int(t["io"], "threads.io", 1, 64));
      c->io_threads = static_cast<int>(n);
    }
    if (t["workers"]) {
      ASSIGN_OR_RETURN(int64_t n, r.Int(t["workers"], "threads.workers", 1, 1024));
      c->worker_threads = static_cast<int>(n);
    }
  }
  if (const YAML::Node l = root["limits"]) {
    RETURN_IF_ERROR(r.CheckKeys(
        l, "limits", {"max_body", "max_connections", "request_timeout", "idle_timeout"}));
    if (l["max_body"]) {
      ASSIGN_OR_RETURN(int64_t n, r.Size(l["max_body"], "limits.max_body", 1024));
      if (n > 1024 * 1024) {
        return r.Error(l["max_body"], "limits.max_body",
                       "at most 1MB (the API contract's limit; larger bodies need an operation's "
                       "own x-warden-max-body-bytes)");
      }
      c->max_body_bytes = static_cast<size_t>(n);
    }
    if (l["max_connections"]) {
      ASSIGN_OR_RETURN(int64_t n,
                       r.Int(l["max_connections"], "limits.max_connections", 1, 1'000'000));
      c->max_connections = static_cast<size_t>(n);
    }
    if (l["request_timeout"]) {
      ASSIGN_OR_RETURN(int64_t ms,
                       r.DurationMs(l["request_timeout"], "limits.request_timeout", 100));
      c->request_timeout = std::chrono::milliseconds(ms);
    }
    if (l["idle_timeout"]) {
      ASSIGN_OR_RETURN(int64_t ms, r.DurationMs(l["idle_timeout"], "limits.idle_timeout", 100));
      c->idle_timeout = std::chrono::milliseconds(ms);
    }
  }
  if (const YAML::Node s = root["sessions"]) {
    RETURN_IF_ERROR(r.CheckKeys(s, "sessions", {"idle", "absolute"}));
    if (s["idle"]) {
      ASSIGN_OR_RETURN(int64_t ms, r.DurationMs(s["idle"], "sessions.idle", 60'000));
      c->session_idle = std::chrono::milliseconds(ms);
    }
    if (s["absolute"]) {
      ASSIGN_OR_RETURN(int64_t ms, r.DurationMs(s["absolute"], "sessions.absolute", 60'000));
      c->session_absolute = std::chrono::milliseconds(ms);
    }
    if (c->session_idle > c->session_absolute) {
      return r.Error(s, "sessions", "idle must not be longer than absolute");
    }
  }
  if (const YAML::Node h = root["housekeeping"]) {
    RETURN_IF_ERROR(r.CheckKeys(h, "housekeeping", {"interval"}));
    if (h["interval"]) {
      ASSIGN_OR_RETURN(int64_t ms, r.DurationMs(h["interval"], "housekeeping.interval", 1000));
      c->housekeeping_interval = std::chrono::milliseconds(ms);
    }
  }
  if (const YAML::Node q = root["live_queries"]; q && !q.IsNull()) {
    RETURN_IF_ERROR(
        r.CheckKeys(q, "live_queries",
                    {"retention", "max_rows", "max_bytes", "answer_timeout", "max_pending_bytes"}));
    if (q["retention"]) {
      ASSIGN_OR_RETURN(int64_t ms, r.DurationMs(q["retention"], "live_queries.retention", 60'000));
      c->live_query_retention = std::chrono::milliseconds(ms);
    }
    if (q["max_rows"]) {
      ASSIGN_OR_RETURN(c->live_query_max_rows,
                       r.Int(q["max_rows"], "live_queries.max_rows", 1, int64_t{1} << 40));
    }
    if (q["max_bytes"]) {
      ASSIGN_OR_RETURN(c->live_query_max_bytes,
                       r.Size(q["max_bytes"], "live_queries.max_bytes", 1024));
    }
    if (q["answer_timeout"]) {
      ASSIGN_OR_RETURN(int64_t ms,
                       r.DurationMs(q["answer_timeout"], "live_queries.answer_timeout", 1000));
      c->live_query_answer_timeout = std::chrono::milliseconds(ms);
    }
    if (q["max_pending_bytes"]) {
      ASSIGN_OR_RETURN(c->live_query_max_pending_bytes,
                       r.Size(q["max_pending_bytes"], "live_queries.max_pending_bytes", 1));
    }
  }
  if (const YAML::Node sq = root["scheduled_queries"]; sq && !sq.IsNull()) {
    RETURN_IF_ERROR(r.CheckKeys(sq, "scheduled_queries", {"retention"}));
    if (sq["retention"]) {
      ASSIGN_OR_RETURN(int64_t ms,
                       r.DurationMs(sq["retention"], "scheduled_queries.retention", 60'000));
      c->scheduled_query_retention = std::chrono::milliseconds(ms);
    }
  }
  if (const YAML::Node dr = root["detector_runs"]; dr && !dr.IsNull()) {
    RETURN_IF_ERROR(r.CheckKeys(dr, "detector_runs", {"retention"}));
    if (dr["retention"]) {
      ASSIGN_OR_RETURN(int64_t ms,
                       r.DurationMs(dr["retention"], "detector_runs.retention", 60'000));
      c->detector_run_retention = std::chrono::milliseconds(ms);
    }
  }
  if (const YAML::Node cs = root["cloud_sources"]; cs && !cs.IsNull()) {
    RETURN_IF_ERROR(r.CheckKeys(cs, "cloud_sources", {"poll_interval"}));
    if (cs["poll_interval"]) {
      ASSIGN_OR_RETURN(int64_t ms,
                       r.DurationMs(cs["poll_interval"], "cloud_sources.poll_interval", 100));
      c->cloud_source_poll_interval = std::chrono::milliseconds(ms);
    }
  }
  if (const YAML::Node ch = root["channels"]) {
    RETURN_IF_ERROR(r.CheckKeys(ch, "channels", {"poll_interval", "queue"}));
    if (ch["poll_interval"]) {
      ASSIGN_OR_RETURN(int64_t ms, r.DurationMs(ch["poll_interval"], "channels.poll_interval", 10));
      c->channel_poll_interval = std::chrono::milliseconds(ms);
    }
    if (ch["queue"]) {
      RETURN_IF_ERROR(ParseQueueConfig(r, ch["queue"], "channels.queue", &c->channel_queue));
    }
  }
  // A section of comments only (examples/server.yaml) is an empty one.
  if (const YAML::Node v = root["vulnerabilities"]; v && !v.IsNull()) {
    RETURN_IF_ERROR(r.CheckKeys(v, "vulnerabilities", {"feed_database"}));
    if (v["feed_database"]) {
      ASSIGN_OR_RETURN(std::string f,
                       r.String(v["feed_database"], "vulnerabilities.feed_database"));
      if (f.empty())
        return r.Error(v["feed_database"], "vulnerabilities.feed_database", "must not be empty");
      c->feed_database = r.ResolvePath(f);
    }
  }
  if (const YAML::Node l = root["log"]) {
    RETURN_IF_ERROR(r.CheckKeys(l, "log", {"access", "file"}));
    if (l["access"]) {
      ASSIGN_OR_RETURN(c->access_log, r.Bool(l["access"], "log.access"));
    }
    if (l["file"]) {
      ASSIGN_OR_RETURN(std::string f, r.String(l["file"], "log.file"));
      c->log_file = f.empty() ? f : r.ResolvePath(f);
    }
  }
  return Status::Ok();
}

}  // namespace

std::string DefaultServerStateDir() {
  if (const char* env = std::getenv("WARDEN_SERVER_STATE_DIR"); env && *env) return env;
  if (geteuid() == 0) return "/var/lib/warden-server";
  if (const char* xdg = std::getenv("XDG_STATE_HOME"); xdg && *xdg)
    return std::string(xdg) + "/warden-server";
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : "/tmp") + "/.local/state/warden-server";
}

std::string EffectivePackagesDir(const ServerConfig& config) {
  return config.packages_dir.empty() ? config.state_dir + "/packages" : config.packages_dir;
}

std::string DefaultConsoleDir() {
  // WARDEN_SOURCE_DIR is set for this file only (CMakeLists.txt), so other
  // objects stay the same across clones.
  const std::string source_dir = WARDEN_SOURCE_DIR;
  std::error_code ec;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec && !source_dir.empty() && exe.string().rfind(source_dir + "/", 0) == 0) {
    return source_dir + "/web/dist";
  }
  // Installed: beside the binary's prefix (/usr/bin/warden ->
  // /usr/share/warden/console), wherever the package or `make install` put it.
  if (!ec && exe.has_parent_path() && exe.parent_path().has_parent_path())
    return (exe.parent_path().parent_path() / "share/warden/console").string();
  return "/usr/local/share/warden/console";
}

Status ParseListenAddress(std::string_view text, std::string* address, uint16_t* port) {
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    return InvalidArgument("expected ADDRESS:PORT such as 127.0.0.1:8443, got '" +
                           std::string(text) + "'");
  }
  std::string host(text.substr(0, colon));
  std::string_view port_text = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host.empty()) host = "0.0.0.0";
  if (!IsIpAddress(host)) {
    return InvalidArgument("'" + host +
                           "' is not an IP address (the server binds an address, "
                           "not a name)");
  }
  int64_t p = 0;
  if (!ParseInt64(port_text, &p) || p < 1 || p > 65535) {
    return InvalidArgument("port must be 1-65535, got '" + std::string(port_text) + "'");
  }
  *address = host;
  *port = static_cast<uint16_t>(p);
  return Status::Ok();
}

ServerConfig DefaultServerConfig() {
  ServerConfig config;
  config.state_dir = DefaultServerStateDir();
  config.console_dir = DefaultConsoleDir();
  return config;
}

Result<ServerConfig> ParseServerConfig(const std::string& text, const std::string& source) {
  std::string base = std::filesystem::path(source).parent_path().string();
  if (base.empty()) base = ".";
  std::error_code ec;
  std::filesystem::path abs = std::filesystem::absolute(base, ec);
  if (!ec) base = abs.lexically_normal().string();
  YamlReader reader(source, base);
  reader.set_expand_environment(true);
  ServerConfig config = DefaultServerConfig();
  config.path = source;
  ASSIGN_OR_RETURN(YAML::Node root, SafeLoadYaml(text, source));
  if (root.IsNull()) return config;
  if (!root.IsMap()) return reader.Error(root, "", "expected a mapping of keys at the top level");
  try {
    RETURN_IF_ERROR(Parse(root, reader, &config));
  } catch (const YAML::Exception& e) {
    return InvalidArgument(source + ": " + e.what());
  }
  return config;
}

Result<ServerConfig> LoadServerConfig(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadYamlFile(path));
  return ParseServerConfig(text, path);
}

}  // namespace warden::server

// ServerConfig is what `warden server --config FILE` reads (examples/server.yaml
// documents every key; change both together): where it listens, where its
// state lives, TLS (certificate files, or a private CA made on first start),
// threads, limits, session lifetimes and logging. Every key has a default, so
// no file at all is a working server on 127.0.0.1:8443. Errors name
// file:line:column and the key path; unknown keys are errors ("did you mean").
// This file only parses and validates; it opens nothing.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "delivery/durable_queue.h"

namespace warden::server {

struct ServerConfig {
  std::string path;  // the file read; "" for the defaults

  // Loopback by default: a first start prints a one-time admin password, and
  // nothing should reach the console from the network before that is
  // changed. Agents on other hosts need `listen: 0.0.0.0:8443`.
  std::string listen_address = "127.0.0.1";
  uint16_t listen_port = 8443;

  std::string state_dir;  // DefaultServerStateDir() unless set

  // The built web console the server serves at every path outside its API
  // (DefaultConsoleDir() unless set). Missing: a page saying how to build it.
  std::string console_dir;

  // The package files install.sh installs on hosts (agent_packages.h);
  // "" = <state_dir>/packages (EffectivePackagesDir). `warden server packages
  // add` fills it.
  std::string packages_dir;

  // Both set: these files. Neither: a private CA and certificate in
  // <state_dir>/tls (tls_bootstrap.h), with `tls_names` added to the
  // certificate's names.
  std::string tls_cert_file;
  std::string tls_key_file;
  std::vector<std::string> tls_names;

  int io_threads = 2;
  int worker_threads = 8;
  size_t max_connections = 10000;
  // Request bodies of operations without a larger limit of their own in the
  // API contract (the records push and feed upload have theirs); at most the
  // contract's default, 1 MiB.
  size_t max_body_bytes = 1024 * 1024;
  std::chrono::milliseconds request_timeout{30000};
  std::chrono::milliseconds idle_timeout{120000};

  std::chrono::milliseconds session_idle{std::chrono::hours(12)};
  std::chrono::milliseconds session_absolute{std::chrono::hours(24 * 7)};

  // How often the housekeeping jobs run (a dismissal whose expiry passed
  // ends within this).
  std::chrono::milliseconds housekeeping_interval{30000};
  // The server's vulnerability feed database (importFeed writes it, every
  // host's packages are matched against it); "" = <state_dir>/feeds.db.
  std::string feed_database;

  // One line per request on stderr (or `log_file`).
  bool access_log = true;
  std::string log_file;  // "" = stderr

  // Live queries: their rows are deleted after `retention` (the campaigns
  // stay in the history); each stores at most max_rows rows and max_bytes of
  // row JSON (beyond: "truncated at N rows"); hosts that have not answered
  // within answer_timeout are given up.
  std::chrono::milliseconds live_query_retention{std::chrono::hours(24 * 30)};
  int64_t live_query_max_rows = 10'000'000;
  int64_t live_query_max_bytes = int64_t{1} << 30;
  std::chrono::milliseconds live_query_answer_timeout{120'000};
  int64_t live_query_max_pending_bytes = int64_t{64} << 20;

  // Scheduled queries: the result rows agents send for them are deleted
  // after `retention` (by the time of the run that produced them).
  std::chrono::milliseconds scheduled_query_retention{std::chrono::hours(24 * 30)};

  // Detector runs (a host's scan table) are deleted after `retention`, by
  // their start time; each host's latest state per detector stays.
  std::chrono::milliseconds detector_run_retention{std::chrono::hours(24 * 90)};

  // Cloud sources (directories of audit logs the server follows): how often
  // each follower looks for new files and appended lines.
  std::chrono::milliseconds cloud_source_poll_interval{2000};

  // Notification channels: how often the problem history and the audit log
  // are read for new events to notify, and every channel's durable queue
  // (bound, drop policy, pacing, retry backoff: the agent's `queue:` keys).
  std::chrono::milliseconds channel_poll_interval{1000};
  QueueConfig channel_queue;
};

// $WARDEN_SERVER_STATE_DIR, else /var/lib/warden-server for root, else
// $XDG_STATE_HOME/warden-server or ~/.local/state/warden-server.
std::string DefaultServerStateDir();

// The web/dist of the source tree when this binary was built in it and runs
// from there (make run), else <install prefix>/share/warden/console.
std::string DefaultConsoleDir();

// "127.0.0.1:8443", "0.0.0.0:8443", "[::]:8443", ":8443" (all addresses).
// InvalidArgument saying what is wrong.
Status ParseListenAddress(std::string_view text, std::string* address, uint16_t* port);

// The defaults (no file).
ServerConfig DefaultServerConfig();
// packages_dir, or its default under the state directory.
std::string EffectivePackagesDir(const ServerConfig& config);

Result<ServerConfig> ParseServerConfig(const std::string& text, const std::string& source);
Result<ServerConfig> LoadServerConfig(const std::string& path);

}  // namespace warden::server

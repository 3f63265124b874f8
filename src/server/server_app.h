// ServerApp wires `warden server` together: the state directory, the SQLite
// store in it, TLS (configured files, or the private CA of tls_bootstrap.h,
// whose fingerprint is printed on first start), the API contract, the
// dispatcher with every handler, and the HTTP server. On a store without
// users it creates `admin` with a one-time password, printed once, that must
// be changed at first login.
//
// The agent channel (enrolment, config, record push, command long-poll) is
// served by the same dispatcher; the app owns the CommandHub that parks the
// agents' long-polls and wakes them when a command is queued (by a dismissal,
// say). Stop answers parked polls at once, then stops the HTTP server, then
// the hub, then closes the store. More handlers (tests) are registered
// through ServerAppOptions::handler_registrations, each called with the
// ApiHandlers and the HandlerContext before the server starts.
//
// Not here: command-line parsing (src/cli/server_command.cc), what handlers do.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "auth/password_hasher.h"
#include "core/status.h"
#include "server/agent_channel_handlers.h"
#include "server/api_call.h"
#include "server/handler_support.h"
#include "server/osquery_handlers.h"
#include "server/server_config.h"
#include "store/store.h"

namespace warden::server {

// Adds handlers for some operations (e.g. RegisterAgentChannelHandlers).
using HandlerRegistration = std::function<Status(ApiHandlers&, const HandlerContext&)>;

struct ServerAppOptions {
  ServerConfig config;
  // The agent channel's settings (enrol answers, config, long-poll wait).
  AgentChannelOptions agent_channel;
  // osquery's TLS remote API: the options its config sets (its schedule
  // is the host's scheduled saved queries, host_scheduled_queries.h).
  OsqueryOptions osquery;
  // Called in order after the REST and agent channel handlers are registered.
  std::vector<HandlerRegistration> handler_registrations;
  // Create `admin` with a one-time password when the store has no users.
  bool create_first_admin = true;
  // Argon2id cost; tests lower it.
  auth::PasswordCost password_cost;
  // Replaces the system clock (tests).
  Clock clock;
};

class ServerApp {
 public:
  static Result<std::unique_ptr<ServerApp>> Start(ServerAppOptions options);
  ~ServerApp();
  ServerApp(const ServerApp&) = delete;
  ServerApp& operator=(const ServerApp&) = delete;

  // Stops accepting, lets requests in flight finish (up to 10 s), closes the
  // store. Idempotent.
  void Stop();

  uint16_t port() const;
  // "https://127.0.0.1:8443" (a wildcard address is shown as 127.0.0.1).
  std::string url() const;
  // Whether the web console is served (console_dir holds a built console).
  bool console_available() const;
  const std::string& console_dir() const;
  const std::string& state_dir() const;
  const std::string& database_path() const;
  // The private CA; empty when configured certificate files are used.
  const std::string& ca_cert_file() const;
  const std::string& ca_fingerprint() const;
  // The server certificate's public-key pin (PublicKeyPin) for the install
  // command; "" when it could not be read.
  const std::string& server_key_pin() const;
  bool created_ca() const;
  // The first admin's one-time password when this start created it.
  const std::optional<std::string>& initial_admin_password() const;
  store::Store& store();
  // Runs the housekeeping jobs (dismissal expiry) once now, as their
  // schedule (server.housekeeping_interval) would.
  void RunHousekeepingNow();
  // Agents' command long-polls parked now.
  size_t parked_command_polls() const;

 private:
  struct Impl;
  explicit ServerApp(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The start banner: URL, CA fingerprint, how to log in, where data is kept.
void PrintServerBanner(const ServerApp& app, std::ostream& out);

// One server per state directory: a running server holds an exclusive
// flock on <state_dir>/server.lock (with its pid in it), and so does
// `warden server restore` while it replaces the database. Released when
// destroyed.
class StateDirLock {
 public:
  // kUnavailable naming the holder's pid when another process holds
  // it.
  static Result<StateDirLock> Acquire(const std::string& state_dir);
  StateDirLock(StateDirLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  StateDirLock& operator=(StateDirLock&& other) noexcept;
  ~StateDirLock();

 private:
  explicit StateDirLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

// Opens the store of a state directory (creating the directory 0700 and the
// database when missing): for `warden server user ...` without a running
// server.
Result<std::unique_ptr<store::Store>> OpenServerStore(const std::string& state_dir);

// Creates a user with the given password (hashing it) and its audit entry,
// acted by the system. AlreadyExists-style InvalidArgument when the name is
// taken.
Result<store::User> CreateUserWithPassword(store::Store& store, auth::PasswordHasher& hasher,
                                           const std::string& name, auth::Role role,
                                           const std::string& password, bool must_change_password,
                                           store::EpochMs now);

// Runs the server until SIGINT or SIGTERM, printing the banner to `out`;
// the process exit code.
int RunServerUntilSignal(ServerAppOptions options, std::ostream& out, std::ostream& err);

}  // namespace warden::server

#include "server/server_app.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <string>

#include "api/openapi_spec.h"
#include "auth/login_rate_limiter.h"
#include "auth/secret_token.h"
#include "core/time_format.h"
#include "server/agent_packages.h"
#include "server/api_dispatch.h"
#include "server/channel_delivery.h"
#include "server/cloud_source_runner.h"
#include "server/command_hub.h"
#include "server/console_site.h"
#include "server/dismissal_expiry.h"
#include "server/fleet_vulnerability_matcher.h"
#include "server/host_scheduled_queries.h"
#include "server/http_router.h"
#include "server/http_server.h"
#include "server/live_query_housekeeping.h"
#include "server/live_query_streams.h"
#include "server/osquery_handlers.h"
#include "server/periodic_jobs.h"
#include "server/rest_handlers.h"
#include "server/tls_bootstrap.h"
#include "store/sqlite/sqlite_store.h"

namespace warden::server {
namespace {

Status MakePrivateDir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return IoError("create state directory " + dir + ": " + ec.message());
  if (::chmod(dir.c_str(), 0700) != 0) {
    return IoError("chmod 0700 " + dir + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

// Requests answered, by status class, from the access log.
struct RequestCounters {
  std::atomic<uint64_t> by_class[6] = {};
  std::atomic<uint64_t> body_bytes{0};
};

}  // namespace

struct ServerApp::Impl {
  ServerAppOptions options;
  std::string database_path;
  std::string ca_cert_file;
  std::string ca_fingerprint;
  std::string server_key_pin;
  bool created_ca = false;
  std::optional<StateDirLock> state_lock;
  std::unique_ptr<AgentPackages> packages;
  std::optional<std::string> initial_admin_password;
  std::string url;

  std::unique_ptr<store::Store> store;
  std::unique_ptr<auth::PasswordHasher> hasher;
  std::unique_ptr<auth::LoginRateLimiter> login_limiter;
  std::unique_ptr<Authenticator> authenticator;
  // After the store (it writes deliveries there), before the HTTP server
  // (handlers park polls in it): destroyed in between.
  std::unique_ptr<AgentConfigBuilder> agent_configs;  // before the hub, which reads it
  std::unique_ptr<CommandHub> hub;
  // Housekeeping on the store (dismissal expiry): started last, stopped
  // before the store closes.
  std::unique_ptr<PeriodicJobs> jobs;
  // After the store (its delivery accounts go there), before the HTTP server
  // (handlers restart channels): stopped in between.
  std::unique_ptr<ChannelDelivery> channels;
  // After the store (it writes findings there), before the HTTP server
  // (handlers import feeds through it).
  std::unique_ptr<FleetVulnerabilityMatcher> matcher;
  // After the store (streams read it), before the HTTP server (handlers
  // start streams): stopped before the store closes.
  std::unique_ptr<LiveQueryStreams> live_query_streams;
  // Follows the cloud sources; after the store, stopped before it closes.
  std::unique_ptr<CloudSourceRunner> cloud_sources;
  // osquery's TLS remote API counters (/metrics).
  std::shared_ptr<OsqueryStats> osquery_stats = std::make_shared<OsqueryStats>();
  ApiHandlers handlers;
  std::unique_ptr<ApiDispatcher> dispatcher;
  HttpRouter router;
  // Every path outside the API: the web console, or how to build it.
  std::shared_ptr<const ConsoleSite> console;
  std::unique_ptr<HttpServer> http;
  RequestCounters requests;
  std::mutex log_mu;
  std::unique_ptr<std::ofstream> log_file;
  bool stopped = false;

  std::ostream& Log() { return log_file ? *log_file : std::cerr; }

  std::string MetricsText() const {
    std::string out;
    auto metric = [&](const std::string& name, const std::string& help, const std::string& type,
                      const std::string& line_value) {
      out += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n" + line_value;
    };
    if (http) {
      HttpServerStats s = http->stats();
      metric("warden_http_connections_accepted_total", "Connections accepted.", "counter",
             "warden_http_connections_accepted_total " + std::to_string(s.connections_accepted) +
                 "\n");
      metric(
          "warden_http_connections_refused_total", "Connections refused (over the limit).",
          "counter",
          "warden_http_connections_refused_total " + std::to_string(s.connections_refused) + "\n");
      metric("warden_http_open_connections", "Open connections.", "gauge",
             "warden_http_open_connections " + std::to_string(s.open_connections) + "\n");
      metric("warden_http_queued_requests", "Requests waiting for a worker thread.", "gauge",
             "warden_http_queued_requests " + std::to_string(s.queued_requests) + "\n");
    }
    std::string by_class;
    for (int c = 1; c <= 5; ++c) {
      by_class += "warden_http_responses_total{class=\"" + std::to_string(c) + "xx\"} " +
                  std::to_string(requests.by_class[c].load()) + "\n";
    }
    metric("warden_http_responses_total", "Responses by status class.", "counter", by_class);
    const ApiDispatchStats& d = dispatcher->stats();
    std::string api =
        "warden_api_calls_total{outcome=\"handled\"} " + std::to_string(d.calls.load()) + "\n" +
        "warden_api_calls_total{outcome=\"unauthenticated\"} " +
        std::to_string(d.unauthenticated.load()) + "\n" +
        "warden_api_calls_total{outcome=\"forbidden\"} " + std::to_string(d.forbidden.load()) +
        "\n" + "warden_api_calls_total{outcome=\"invalid\"} " + std::to_string(d.invalid.load()) +
        "\n" + "warden_api_calls_total{outcome=\"not_implemented\"} " +
        std::to_string(d.not_implemented.load()) + "\n";
    metric("warden_api_calls_total", "API calls by how the dispatcher ended them.", "counter", api);
    if (hub) {
      metric("warden_agent_parked_polls", "Agents' command long-polls waiting for a command.",
             "gauge", "warden_agent_parked_polls " + std::to_string(hub->parked()) + "\n");
    }
    if (channels) out += channels->MetricsText();
    if (osquery_stats) out += OsqueryMetricsText(*osquery_stats);
    store::StoreWriterStats w = store->writer_stats();
    metric("warden_store_transactions_total", "Store transactions committed.", "counter",
           "warden_store_transactions_total " + std::to_string(w.transactions) + "\n");
    metric("warden_store_writes_total", "Store writes by outcome.", "counter",
           "warden_store_writes_total{outcome=\"committed\"} " + std::to_string(w.writes) + "\n" +
               "warden_store_writes_total{outcome=\"failed\"} " + std::to_string(w.failed_writes) +
               "\n" + "warden_store_writes_total{outcome=\"rejected\"} " +
               std::to_string(w.rejected_writes) + "\n");
    metric("warden_store_redone_batches_total",
           "Store transactions rolled back and redone without a write that failed.", "counter",
           "warden_store_redone_batches_total " + std::to_string(w.redone_batches) + "\n");
    if (jobs) {
      std::string runs;
      std::string failures;
      for (const PeriodicJobState& j : jobs->States()) {
        runs += "warden_job_runs_total{job=\"" + j.name + "\"} " + std::to_string(j.runs) + "\n";
        failures += "warden_job_failures_total{job=\"" + j.name + "\"} " +
                    std::to_string(j.failures) + "\n";
      }
      metric("warden_job_runs_total", "Runs of the server's housekeeping jobs.", "counter", runs);
      metric("warden_job_failures_total", "Failed runs of the server's housekeeping jobs.",
             "counter", failures);
    }
    metric("warden_store_queued_writes", "Store writes waiting for the writer.", "gauge",
           "warden_store_queued_writes " + std::to_string(w.queued) + "\n");
    return out;
  }
};

Result<store::User> CreateUserWithPassword(store::Store& store, auth::PasswordHasher& hasher,
                                           const std::string& name, auth::Role role,
                                           const std::string& password, bool must_change_password,
                                           store::EpochMs now) {
  if (!auth::IsUserRole(role)) return InvalidArgument("role must be admin, analyst or viewer");
  ASSIGN_OR_RETURN(std::string hash, hasher.Hash(password));
  store::NewUser user;
  user.name = name;
  user.role = role;
  user.password_hash = hash;
  user.must_change_password = must_change_password;
  user.created_at = now;
  auto done = store
                  .Write([&](store::StoreWriter& w) -> Result<store::User> {
                    ASSIGN_OR_RETURN(std::optional<store::User> created, w.users().Create(user));
                    if (!created) return InvalidArgument("a user named '" + name + "' exists");
                    store::AuditEntry entry;
                    entry.time = now;
                    entry.actor_type = store::ActorType::kSystem;
                    entry.action = "createUser";
                    entry.target_type = "user";
                    entry.target_id = std::to_string(created->id);
                    entry.after_json = AuditJson(UserJson(*created));
                    RETURN_IF_ERROR(w.audit().Append(entry).status());
                    return *created;
                  })
                  .Wait();
  return done;
}

Result<StateDirLock> StateDirLock::Acquire(const std::string& state_dir) {
  const std::string path = state_dir + "/server.lock";
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return IoError("open " + path + ": " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    char pid[32] = {};
    const ssize_t n = ::pread(fd, pid, sizeof pid - 1, 0);
    ::close(fd);
    if (err != EWOULDBLOCK) return IoError("lock " + path + ": " + std::strerror(err));
    std::string holder = n > 0 ? std::string(pid, static_cast<size_t>(n)) : "";
    while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) holder.pop_back();
    return Unavailable("another warden server" +
                       (holder.empty() ? std::string() : " (pid " + holder + ")") +
                       " is using the state directory " + state_dir + ": stop it first");
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) < 0) {
    const int err = errno;
    ::close(fd);
    return IoError("write " + path + ": " + std::strerror(err));
  }
  return StateDirLock(fd);
}

StateDirLock& StateDirLock::operator=(StateDirLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

StateDirLock::~StateDirLock() {
  if (fd_ >= 0) ::close(fd_);
}

Result<std::unique_ptr<store::Store>> OpenServerStore(const std::string& state_dir) {
  RETURN_IF_ERROR(MakePrivateDir(state_dir));
  store::SqliteStoreOptions options;
  options.path = state_dir + "/server.db";
  auto opened = store::OpenSqliteStore(options);
  if (!opened.ok()) return opened.status().WithContext(options.path);
  return opened;
}

ServerApp::ServerApp(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ServerApp::~ServerApp() { Stop(); }

Result<std::unique_ptr<ServerApp>> ServerApp::Start(ServerAppOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  const ServerConfig& config = impl->options.config;
  Clock clock = impl->options.clock ? impl->options.clock : SystemClock();

  if (!config.log_file.empty()) {
    impl->log_file = std::make_unique<std::ofstream>(config.log_file, std::ios::app);
    if (!*impl->log_file) return IoError("open log file " + config.log_file);
  }
  RETURN_IF_ERROR(MakePrivateDir(config.state_dir));
  ASSIGN_OR_RETURN(StateDirLock state_lock, StateDirLock::Acquire(config.state_dir));
  impl->state_lock.emplace(std::move(state_lock));
  ASSIGN_OR_RETURN(impl->store, OpenServerStore(config.state_dir));
  impl->database_path = config.state_dir + "/server.db";

  HttpServerOptions http;
  if (config.tls_cert_file.empty()) {
    TlsBootstrapOptions tls;
    tls.state_dir = config.state_dir;
    tls.extra_names = config.tls_names;
    ASSIGN_OR_RETURN(TlsBootstrapResult made, BootstrapTls(tls));
    http.tls_cert_chain_file = made.cert_chain_file;
    http.tls_key_file = made.key_file;
    impl->ca_cert_file = made.ca_cert_file;
    impl->ca_fingerprint = made.ca_fingerprint;
    impl->created_ca = made.created_ca;
  } else {
    http.tls_cert_chain_file = config.tls_cert_file;
    http.tls_key_file = config.tls_key_file;
  }
  if (Result<std::string> pin = PublicKeyPinOfFile(http.tls_cert_chain_file); pin.ok())
    impl->server_key_pin = *pin;
  impl->packages = std::make_unique<AgentPackages>(EffectivePackagesDir(config));

  ASSIGN_OR_RETURN(const api::OpenApiSpec* spec, api::OpenApiSpec::Embedded());
  impl->hasher = std::make_unique<auth::PasswordHasher>(impl->options.password_cost);
  impl->login_limiter = std::make_unique<auth::LoginRateLimiter>();
  SessionLifetimes lifetimes;
  lifetimes.idle = config.session_idle;
  lifetimes.absolute = config.session_absolute;
  impl->authenticator = std::make_unique<Authenticator>(impl->store.get(), lifetimes, clock);

  if (impl->options.create_first_admin) {
    store::ListQuery any;
    any.limit = 1;
    ASSIGN_OR_RETURN(store::ListPage<store::User> users, impl->store->users().List(any));
    if (users.total == 0) {
      std::string password = auth::GenerateOpaqueId();
      RETURN_IF_ERROR(CreateUserWithPassword(*impl->store, *impl->hasher, "admin",
                                             auth::Role::kAdmin, password, true, clock())
                          .status()
                          .WithContext("create the first admin"));
      impl->initial_admin_password = password;
    }
  }

  {
    const Authenticator* auth = impl->authenticator.get();
    AgentConfigSettings agent_configs = impl->options.agent_channel;
    agent_configs.poll_wait_seconds = std::clamp(agent_configs.poll_wait_seconds, 1, 10);
    impl->agent_configs = std::make_unique<AgentConfigBuilder>(*impl->store, agent_configs);
    CommandHubOptions hub_options;
    hub_options.max_wait = std::chrono::seconds(10);
    hub_options.config_etag = [configs = impl->agent_configs.get()](int64_t host_id) {
      return configs->EtagFor(host_id);
    };
    impl->hub = std::make_unique<CommandHub>(
        *impl->store, [auth] { return auth->Now(); }, hub_options);
  }

  Impl* raw = impl.get();
  {
    ChannelDeliveryOptions channels;
    channels.state_dir = config.state_dir;
    channels.poll_interval = config.channel_poll_interval;
    channels.queue = config.channel_queue;
    char host[256] = {};
    if (::gethostname(host, sizeof host - 1) == 0) channels.host_identifier = host;
    channels.log = [raw](const std::string& line) {
      std::lock_guard lock(raw->log_mu);
      raw->Log() << "warden server: " << line << std::endl;
    };
    ASSIGN_OR_RETURN(impl->channels,
                     ChannelDelivery::Start(*impl->store, *spec, std::move(channels)));
  }
  {
    FleetMatcherOptions matcher_options;
    matcher_options.feed_database =
        config.feed_database.empty() ? config.state_dir + "/feeds.db" : config.feed_database;
    const Authenticator* auth = impl->authenticator.get();
    matcher_options.now = [auth] { return auth->Now(); };
    matcher_options.log = [raw = impl.get()](std::string_view message) {
      std::lock_guard lock(raw->log_mu);
      raw->Log() << "warden server: " << message << std::endl;
    };
    impl->matcher =
        std::make_unique<FleetVulnerabilityMatcher>(*impl->store, std::move(matcher_options));
  }

  impl->live_query_streams = std::make_unique<LiveQueryStreams>(*impl->store);
  {
    const Authenticator* auth = impl->authenticator.get();
    CloudSourceRunner::Options runner_options;
    runner_options.poll_interval = config.cloud_source_poll_interval;
    impl->cloud_sources = std::make_unique<CloudSourceRunner>(
        *impl->store, [auth] { return auth->Now(); },
        [raw = impl.get()](std::string_view message) {
          std::lock_guard lock(raw->log_mu);
          raw->Log() << "warden server: " << message << std::endl;
        },
        runner_options);
  }
  HandlerContext context;
  context.store = impl->store.get();
  context.live_query_streams = impl->live_query_streams.get();
  context.cloud_sources = impl->cloud_sources.get();
  context.live_queries.max_rows = config.live_query_max_rows;
  context.live_queries.max_bytes = config.live_query_max_bytes;
  context.live_queries.answer_timeout_ms = config.live_query_answer_timeout.count();
  context.live_queries.max_pending_bytes = config.live_query_max_pending_bytes;
  context.command_hub = impl->hub.get();
  context.agent_configs = impl->agent_configs.get();
  context.channels = impl->channels.get();
  context.vulnerability_matcher = impl->matcher.get();
  context.spec = spec;
  context.hasher = impl->hasher.get();
  context.login_limiter = impl->login_limiter.get();
  context.authenticator = impl->authenticator.get();
  context.metrics_text = [raw] { return raw->MetricsText(); };
  if (!impl->ca_cert_file.empty()) {
    std::ifstream in(impl->ca_cert_file);
    context.ca_cert_pem.assign(std::istreambuf_iterator<char>(in),
                               std::istreambuf_iterator<char>());
    context.ca_fingerprint = impl->ca_fingerprint;
    context.server_key_pin = impl->server_key_pin;
  }
  RegisterRestHandlers(impl->handlers, context);
  AgentChannelContext agent;
  agent.store = impl->store.get();
  agent.hub = impl->hub.get();
  agent.configs = impl->agent_configs.get();
  agent.ca_pem = context.ca_cert_pem;
  agent.server_key_pin = impl->server_key_pin;
  agent.packages = impl->packages.get();
  agent.now = [auth = impl->authenticator.get()] { return auth->Now(); };
  agent.options = impl->options.agent_channel;
  agent.packages_changed = [matcher = impl->matcher.get()](int64_t host_id) {
    matcher->HostPackagesChanged(host_id);
  };
  RegisterAgentChannelHandlers(impl->handlers, std::move(agent));
  OsqueryContext osquery;
  osquery.store = impl->store.get();
  osquery.now = [auth = impl->authenticator.get()] { return auth->Now(); };
  osquery.options = impl->options.osquery;
  // The same scheduled saved queries a Warden agent gets, under the same
  // names, so an osquery host's result lines map back to them too.
  osquery.scheduled_queries =
      [store = impl->store.get()](
          const store::Host& host) -> Result<std::vector<OsqueryScheduledQuery>> {
    ASSIGN_OR_RETURN(std::vector<HostScheduledQuery> scheduled,
                     ScheduledQueriesForHost(*store, host));
    std::vector<OsqueryScheduledQuery> out;
    for (const HostScheduledQuery& q : scheduled) {
      // osquery knows intervals only: a daily schedule runs every 24 h.
      out.push_back({q.name, q.sql, q.schedule.interval_seconds.value_or(86400),
                     q.schedule.mode == "snapshot", ""});
    }
    return out;
  };
  osquery.stats = impl->osquery_stats;
  RegisterOsqueryHandlers(impl->handlers, std::move(osquery));
  for (const HandlerRegistration& registration : impl->options.handler_registrations) {
    RETURN_IF_ERROR(registration(impl->handlers, context));
  }

  impl->dispatcher =
      std::make_unique<ApiDispatcher>(spec, &impl->handlers, impl->authenticator.get());
  RETURN_IF_ERROR(impl->dispatcher->Register(impl->router, config.max_body_bytes));
  impl->router.SetErrorLog([raw](std::string_view message) {
    std::lock_guard lock(raw->log_mu);
    raw->Log() << "warden server: " << message << std::endl;
  });

  impl->console = std::make_shared<const ConsoleSite>(ConsoleSite::Open(config.console_dir));
  if (!impl->console->available()) {
    std::lock_guard lock(raw->log_mu);
    raw->Log() << "warden server: web console not served: " << impl->console->problem()
               << "; build it with `make web` or set console_dir" << std::endl;
  }
  impl->router.SetFallback(
      [console = impl->console](HttpRequest& request) { return console->Serve(request); });

  http.address = config.listen_address;
  http.port = config.listen_port;
  http.io_threads = config.io_threads;
  http.worker_threads = config.worker_threads;
  http.max_connections = config.max_connections;
  http.request_timeout = config.request_timeout;
  http.idle_timeout = config.idle_timeout;
  const bool access_log = config.access_log;
  http.access_log = [raw, access_log](const HttpAccessLogEntry& e) {
    int cls = e.status / 100;
    if (cls >= 1 && cls <= 5) raw->requests.by_class[cls]++;
    raw->requests.body_bytes += e.body_bytes;
    if (!access_log) return;
    // The line is built first and written in one piece: standard error is
    // unbuffered, and each `<<` on it was a write(2) of its own (15 per
    // request), made on an I/O thread under the log lock.
    std::string line = FormatRfc3339(NowEpochSeconds());
    line.append(" ").append(e.request_id).append(" ").append(e.peer_address);
    line.append(" ").append(e.method).append(" ").append(e.target.substr(0, 512));
    line.append(" ").append(std::to_string(e.status)).append(" ");
    line.append(std::to_string(e.body_bytes)).append("B ");
    line.append(std::to_string(e.duration.count() / 1000)).append("ms\n");
    std::lock_guard lock(raw->log_mu);
    raw->Log() << line;
  };
  http.error_log = [raw](std::string_view message) {
    std::lock_guard lock(raw->log_mu);
    raw->Log() << "warden server: " << message << std::endl;
  };
  auto started = HttpServer::Start(std::move(http), &impl->router);
  if (!started.ok()) return started.status();
  impl->http = std::move(started).value();
  impl->matcher->Start();

  impl->jobs = std::make_unique<PeriodicJobs>([raw](std::string_view message) {
    std::lock_guard lock(raw->log_mu);
    raw->Log() << "warden server: " << message << std::endl;
  });
  impl->jobs->Add("dismissal_expiry", config.housekeeping_interval, [raw]() -> Status {
    return ExpireDismissals(*raw->store, raw->authenticator->Now()).status();
  });
  // Hosts that did not answer a live query in time are given up within a
  // second of its deadline; old results go with the other housekeeping.
  impl->jobs->Add("live_query_deadlines", std::chrono::seconds(1), [raw]() -> Status {
    return ExpireLiveQueryTargets(*raw->store, raw->authenticator->Now()).status();
  });
  // Retention: each kept history is deleted once older than its setting,
  // one transaction per kind and run (live queries keep their campaigns,
  // only the rows go).
  struct Retention {
    const char* job;
    int64_t keep_ms;
    Result<int64_t> (*prune)(store::StoreWriter& w, store::EpochMs cutoff, store::EpochMs now);
  };
  const Retention retentions[] = {
      {"live_query_retention", config.live_query_retention.count(),
       [](store::StoreWriter& w, store::EpochMs cutoff, store::EpochMs now) {
         return w.live_queries().PruneResults(cutoff, now);
       }},
      {"scheduled_query_retention", config.scheduled_query_retention.count(),
       [](store::StoreWriter& w, store::EpochMs cutoff, store::EpochMs) {
         return w.scheduled_results().PruneBefore(cutoff);
       }},
      {"detector_run_retention", config.detector_run_retention.count(),
       [](store::StoreWriter& w, store::EpochMs cutoff, store::EpochMs) {
         return w.detector_runs().PruneBefore(cutoff);
       }},
  };
  for (const Retention& r : retentions) {
    impl->jobs->Add(r.job, config.housekeeping_interval, [raw, r]() -> Status {
      const store::EpochMs now = raw->authenticator->Now();
      return raw->store
          ->Write([&](store::StoreWriter& w) { return r.prune(w, now - r.keep_ms, now); })
          .Wait()
          .status();
    });
  }
  // Sources added, changed or removed by another server on the same store
  // (and followers to restart after an error) are picked up by this round;
  // this server's own changes reconcile at once (cloud_handlers.cc).
  impl->jobs->Add("cloud_sources", std::chrono::seconds(2),
                  [runner = impl->cloud_sources.get()] { return runner->Reconcile(); });
  impl->jobs->Start();

  std::string shown = config.listen_address;
  if (shown == "0.0.0.0" || shown == "::") shown = "127.0.0.1";
  if (shown.find(':') != std::string::npos) shown = "[" + shown + "]";
  impl->url = "https://" + shown + ":" + std::to_string(impl->http->port());
  return std::unique_ptr<ServerApp>(new ServerApp(std::move(impl)));
}

void ServerApp::Stop() {
  if (!impl_ || impl_->stopped) return;
  impl_->stopped = true;
  // Parked long-polls answered now, so they do not hold the grace period.
  if (impl_->hub) impl_->hub->Shutdown();
  // Live query streams end now (their clients see the body cut), so they
  // do not hold the grace period either.
  if (impl_->live_query_streams) impl_->live_query_streams->Stop();
  if (impl_->http) impl_->http->Stop(std::chrono::seconds(10));
  if (impl_->jobs) impl_->jobs->Stop();
  if (impl_->cloud_sources) impl_->cloud_sources->Stop();
  if (impl_->channels) impl_->channels->Stop();
  if (impl_->matcher) impl_->matcher->Stop();
  impl_->hub.reset();
  if (impl_->store) (void)impl_->store->Flush();
  impl_->http.reset();
  impl_->channels.reset();
  impl_->matcher.reset();
  impl_->live_query_streams.reset();
  impl_->cloud_sources.reset();
  impl_->store.reset();
}

uint16_t ServerApp::port() const { return impl_->http ? impl_->http->port() : 0; }
std::string ServerApp::url() const { return impl_->url; }
bool ServerApp::console_available() const { return impl_->console && impl_->console->available(); }
const std::string& ServerApp::console_dir() const { return impl_->options.config.console_dir; }
const std::string& ServerApp::state_dir() const { return impl_->options.config.state_dir; }
const std::string& ServerApp::database_path() const { return impl_->database_path; }
const std::string& ServerApp::ca_cert_file() const { return impl_->ca_cert_file; }
const std::string& ServerApp::ca_fingerprint() const { return impl_->ca_fingerprint; }
const std::string& ServerApp::server_key_pin() const { return impl_->server_key_pin; }
bool ServerApp::created_ca() const { return impl_->created_ca; }
const std::optional<std::string>& ServerApp::initial_admin_password() const {
  return impl_->initial_admin_password;
}
store::Store& ServerApp::store() { return *impl_->store; }
void ServerApp::RunHousekeepingNow() {
  if (impl_->jobs) impl_->jobs->RunAllNow();
}
size_t ServerApp::parked_command_polls() const { return impl_->hub ? impl_->hub->parked() : 0; }

void PrintServerBanner(const ServerApp& app, std::ostream& out) {
  out << "Warden server at " << app.url() << "  (Ctrl-C stops it)\n";
  if (!app.ca_fingerprint().empty()) {
    out << "  TLS       private CA " << app.ca_cert_file()
        << (app.created_ca() ? " (created now)" : "") << "\n"
        << "            fingerprint " << app.ca_fingerprint() << "\n"
        << "            agents pin it: warden agent enroll --server " << app.url()
        << " --ca-fingerprint " << app.ca_fingerprint() << " --secret ...\n";
  }
  if (app.initial_admin_password()) {
    out << "  login     user admin, one-time password " << *app.initial_admin_password() << "\n"
        << "            (shown only now; it must be changed at the first login)\n";
  } else {
    out << "  login     with an existing user; add one: warden server user add NAME --role admin\n";
  }
  if (app.console_available()) {
    out << "  console   " << app.url() << "/  (web console, from " << app.console_dir() << ")\n";
  } else {
    out << "  console   not built (" << app.console_dir()
        << "): make web, then restart the server\n";
  }
  out << "  API       " << app.url() << "/api/v1/openapi.json (the contract), " << app.url()
      << "/healthz\n"
      << "            curl --cacert "
      << (app.ca_cert_file().empty() ? "CA.pem" : app.ca_cert_file())
      << " -H 'Authorization: Bearer wdn_pat_...' " << app.url() << "/api/v1/hosts\n"
      << "  data      " << app.state_dir() << " (database server.db, TLS files in tls/)\n";
  out.flush();
}

namespace {

// Every connection is a file descriptor. Services start with a soft limit of
// 1,024 open files (systemd's default), which stops accepts near 1,000
// connections however high limits.max_connections is; agents hold two each
// (command long-poll, record pushes). The soft limit is raised to what
// max_connections needs, plus room for the store, TLS files and logs, as far
// as the hard limit allows (no privilege needed). A note when it falls short.
std::string RaiseOpenFileLimit(size_t max_connections) {
  const rlim_t needed = static_cast<rlim_t>(max_connections) + 1024;
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= needed) return "";
  rlimit raised = limit;
  raised.rlim_cur = limit.rlim_max == RLIM_INFINITY ? needed : std::min(needed, limit.rlim_max);
  if (setrlimit(RLIMIT_NOFILE, &raised) != 0) raised.rlim_cur = limit.rlim_cur;
  if (raised.rlim_cur >= needed) return "";
  return "open files are limited to " + std::to_string(raised.rlim_cur) + " (hard limit " +
         std::to_string(limit.rlim_max) + "), fewer than the " + std::to_string(needed) +
         " that limits.max_connections " + std::to_string(max_connections) +
         " needs; raise the hard limit (systemd: LimitNOFILE=)";
}

}  // namespace

int RunServerUntilSignal(ServerAppOptions options, std::ostream& out, std::ostream& err) {
  // A shell starts background jobs with SIGINT ignored; an ignored signal is
  // discarded before sigwait could see it.
  ::signal(SIGINT, SIG_DFL);
  ::signal(SIGTERM, SIG_DFL);
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  // Blocked before any thread starts, so every thread inherits the mask and
  // only sigwait below receives them.
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  const std::string file_limit = RaiseOpenFileLimit(options.config.max_connections);
  auto app = ServerApp::Start(std::move(options));
  if (!app.ok()) {
    err << "warden: " << app.status().message() << std::endl;
    return 1;
  }
  PrintServerBanner(**app, out);
  if (!file_limit.empty()) err << "warden server: " << file_limit << std::endl;
  int received = 0;
  sigwait(&signals, &received);
  out << "warden server: " << (received == SIGINT ? "SIGINT" : "SIGTERM")
      << ", stopping (requests in flight get up to 10 s)" << std::endl;
  (*app)->Stop();
  return 0;
}

}  // namespace warden::server

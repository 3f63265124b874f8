// `warden server`: runs the control-plane server (src/server/server_app.h),
// or with --check only checks its configuration; `warden server user
// add|list` manages its users and `warden server enroll-secret create` makes
// an enrol secret (and prints the command that installs and enrols a host),
// both in the state directory's store without a running server (the store
// serialises writers, so they also work while it runs). Every change they
// make is in the audit log as done by the system (the local command line).
// `warden server backup|restore` copy the database out and back
// (store/sqlite/sqlite_backup.h); `warden server packages add|list` manage
// the package files install.sh hands out (server/agent_packages.h).
//
// Run as root on a state directory another user owns (the package's
// warden-server), every file a command creates there is given to that user
// when it ends, so the service can still open all of it.
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include "auth/password_hasher.h"
#include "auth/role.h"
#include "auth/secret_token.h"
#include "cli/terminal_table.h"
#include "cli/warden_cli.h"
#include "core/time_format.h"
#include "server/agent_packages.h"
#include "server/install_script.h"
#include "server/server_app.h"
#include "server/server_config.h"
#include "server/tls_bootstrap.h"
#include "store/sqlite/sqlite_backup.h"

namespace warden {
namespace {

struct ServerOpts {
  std::string config;
  std::string state_dir;
  std::string listen;
  // user add
  std::string name;
  std::string role;
  bool password_stdin = false;
  std::string format;
  // enroll-secret create
  std::vector<std::string> labels;
  bool secret_only = false;
  std::string url;
  // --check, backup, restore, packages add
  bool check = false;
  std::string file;
  std::vector<std::string> files;
};

// Files root created in a state directory owned by another user go to that
// user (see the header comment). Runs at exit of every server command.
void GiveStateDirToItsOwner(const std::string& dir) {
  if (geteuid() != 0) return;
  struct stat top {};
  if (::stat(dir.c_str(), &top) != 0 || top.st_uid == 0) return;
  std::error_code ec;
  auto give = [&](const std::filesystem::path& p) {
    struct stat st {};
    if (::lstat(p.c_str(), &st) == 0 && st.st_uid == 0)
      if (::lchown(p.c_str(), top.st_uid, top.st_gid) != 0) {
        std::cerr << "warden: warning: cannot give " << p.string()
                  << " to the state directory's owner: " << std::strerror(errno) << "\n";
      }
  };
  for (std::filesystem::recursive_directory_iterator it(dir, ec), end; !ec && it != end;
       it.increment(ec))
    give(it->path());
}

struct StateDirOwnership {
  std::string dir;
  ~StateDirOwnership() { GiveStateDirToItsOwner(dir); }
};

Result<server::ServerConfig> LoadConfig(const ServerOpts& opts) {
  server::ServerConfig config = server::DefaultServerConfig();
  if (!opts.config.empty()) {
    ASSIGN_OR_RETURN(config, server::LoadServerConfig(opts.config));
  }
  if (!opts.state_dir.empty()) config.state_dir = opts.state_dir;
  if (!opts.listen.empty()) {
    Status parsed =
        server::ParseListenAddress(opts.listen, &config.listen_address, &config.listen_port);
    if (!parsed.ok()) return parsed.WithContext("--listen");
  }
  return config;
}

// --check: the configuration loads, and what the server would use.
int RunServerCheck(const server::ServerConfig& config) {
  std::cout << (config.path.empty() ? std::string("the defaults") : config.path) << ": OK\n"
            << "  listen    " << config.listen_address << ":" << config.listen_port << "\n"
            << "  data      " << config.state_dir << "\n"
            << "  console   " << config.console_dir << "\n"
            << "  packages  " << server::EffectivePackagesDir(config) << "\n"
            << "  TLS       "
            << (config.tls_cert_file.empty() ? "private CA in " + config.state_dir + "/tls"
                                             : config.tls_cert_file)
            << std::endl;
  return 0;
}

int RunServer(const ServerOpts& opts) {
  auto config = LoadConfig(opts);
  if (!config.ok()) return ReportError(config.status());
  if (opts.check) return RunServerCheck(*config);
  StateDirOwnership owner{config->state_dir};
  server::ServerAppOptions options;
  options.config = std::move(*config);
  return server::RunServerUntilSignal(std::move(options), std::cout, std::cerr);
}

// One line from stdin, or a prompt without echo on a terminal (twice).
Result<std::string> ReadPassword(bool from_stdin) {
  auto read_line = [](std::string* line) {
    return static_cast<bool>(std::getline(std::cin, *line));
  };
  std::string password;
  if (from_stdin || !isatty(STDIN_FILENO)) {
    if (!read_line(&password)) return InvalidArgument("no password on standard input");
  } else {
    termios old{};
    tcgetattr(STDIN_FILENO, &old);
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    std::string again;
    std::cerr << "Password: " << std::flush;
    bool ok = read_line(&password);
    std::cerr << "\nAgain: " << std::flush;
    ok = ok && read_line(&again);
    std::cerr << std::endl;
    tcsetattr(STDIN_FILENO, TCSANOW, &old);
    if (!ok) return InvalidArgument("no password entered");
    if (password != again) return InvalidArgument("the two passwords differ");
  }
  while (!password.empty() && (password.back() == '\n' || password.back() == '\r'))
    password.pop_back();
  if (password.size() < 12) return InvalidArgument("the password must have at least 12 characters");
  return password;
}

int RunUserAdd(const ServerOpts& opts) {
  auto config = LoadConfig(opts);
  if (!config.ok()) return ReportError(config.status());
  auto role = auth::ParseRole(opts.role);
  if (!role.ok() || !auth::IsUserRole(*role)) {
    return ReportError(InvalidArgument("--role must be admin, analyst or viewer"));
  }
  auto password = ReadPassword(opts.password_stdin);
  if (!password.ok()) return ReportError(password.status());
  StateDirOwnership owner{config->state_dir};
  auto store = server::OpenServerStore(config->state_dir);
  if (!store.ok()) return ReportError(store.status());
  auth::PasswordHasher hasher;
  auto user = server::CreateUserWithPassword(**store, hasher, opts.name, *role, *password,
                                             /*must_change_password=*/false, NowEpochMillis());
  if (!user.ok()) return ReportError(user.status());
  std::cout << "created user " << user->name << " (" << auth::RoleName(user->role) << ", id "
            << user->id << ") in " << config->state_dir << "/server.db" << std::endl;
  return 0;
}

int RunUserList(const ServerOpts& opts) {
  auto config = LoadConfig(opts);
  if (!config.ok()) return ReportError(config.status());
  auto format = ParseOutputFormat(opts.format.empty() ? DefaultFormat() : opts.format);
  if (!format) return ReportError(InvalidArgument("unknown --format " + opts.format));
  StateDirOwnership owner{config->state_dir};
  auto store = server::OpenServerStore(config->state_dir);
  if (!store.ok()) return ReportError(store.status());
  auto printer = MakeRowPrinter(*format, std::cout, StdoutTableFit());
  printer->Begin(
      {"id", "name", "role", "disabled", "must_change_password", "created_at", "last_login_at"});
  store::ListQuery query;
  query.limit = store::ListQuery::kMaxLimit;
  Status exported = (*store)->users().Export(query, [&](const store::User& u) {
    printer->Row({Value(u.id), Value(u.name), Value(std::string(auth::RoleName(u.role))),
                  Value(std::string(u.disabled ? "true" : "false")),
                  Value(std::string(u.must_change_password ? "true" : "false")),
                  Value(FormatRfc3339(u.created_at / 1000)),
                  u.last_login_at ? Value(FormatRfc3339(*u.last_login_at / 1000)) : Value()});
    return Status::Ok();
  });
  if (!exported.ok()) {
    printer->Abort();
    return ReportError(exported);
  }
  printer->End();
  return 0;
}

// The URL hosts reach the server at: --url, else the listen address when it
// is a specific one, else the first of tls.names, else this host's name.
std::string PublicUrl(const server::ServerConfig& config, const std::string& url) {
  if (!url.empty()) return url;
  std::string host = config.listen_address;
  if (host == "0.0.0.0" || host == "::") {
    char name[256] = {};
    host = !config.tls_names.empty()                            ? config.tls_names.front()
           : ::gethostname(name, sizeof name - 1) == 0 && *name ? std::string(name)
                                                                : std::string("127.0.0.1");
  }
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return "https://" + host + ":" + std::to_string(config.listen_port);
}

// After a new secret: the command that installs and enrols a fresh host
// (install_script.h), and the one for a host that has warden already. The
// private CA's fingerprint and the server key's pin come from the state
// directory's TLS files (made now if the server never ran).
void PrintEnrolCommands(const server::ServerConfig& config, const std::string& url,
                        const std::string& secret) {
  server::InstallCommandParts parts{PublicUrl(config, url), "", "", secret};
  if (config.tls_cert_file.empty()) {
    server::TlsBootstrapOptions tls_options;
    tls_options.state_dir = config.state_dir;
    tls_options.extra_names = config.tls_names;
    Result<server::TlsBootstrapResult> tls = server::BootstrapTls(tls_options);
    if (!tls.ok()) {
      std::cerr << "warden: warning: no enrol commands: " << tls.status().message() << "\n";
      return;
    }
    parts.ca_fingerprint = tls->ca_fingerprint;
    Result<std::string> pin = server::PublicKeyPinOfFile(tls->cert_chain_file);
    if (pin.ok()) parts.key_pin = *pin;
  }
  const server::EnrolCommands commands = server::CommandsFor(parts);
  if (!commands.install.empty())
    std::cout << "install and enrol a host (on it; the server hands out the packages in "
              << server::EffectivePackagesDir(config) << "):\n  " << commands.install << "\nor, ";
  std::cout << "on a host that has warden installed:\n  " << commands.enroll << std::endl;
}

int RunBackup(const ServerOpts& opts) {
  auto config = LoadConfig(opts);
  if (!config.ok()) return ReportError(config.status());
  const std::string db_path = config->state_dir + "/server.db";
  if (!std::filesystem::exists(db_path))
    return ReportError(NotFound(db_path + ": no server database to back up"));
  StateDirOwnership owner{config->state_dir};
  auto db = SqliteDatabase::Open(db_path, SqliteDatabase::Mode::kReadWrite);
  if (!db.ok()) return ReportError(db.status());
  Status done = store::BackupDatabase(**db, opts.file);
  if (!done.ok()) return ReportError(done);
  auto check = store::CheckBackup(opts.file, store::SqliteMigrations());
  if (!check.ok()) return ReportError(check.status());
  std::cout << "backed up " << db_path << " to " << opts.file << " (schema "
            << check->schema_version << ", " << check->hosts << " hosts, " << check->users
            << " users)" << std::endl;
  return 0;
}

int RunRestore(const ServerOpts& opts) {
  auto config = LoadConfig(opts);
  if (!config.ok()) return ReportError(config.status());
  auto check = store::CheckBackup(opts.file, store::SqliteMigrations());
  if (!check.ok()) return ReportError(check.status());
  StateDirOwnership owner{config->state_dir};
  std::error_code ec;
  std::filesystem::create_directories(config->state_dir, ec);
  auto lock = server::StateDirLock::Acquire(config->state_dir);
  if (!lock.ok()) return ReportError(lock.status());
  const std::string db_path = config->state_dir + "/server.db";
  auto kept =
      store::RestoreDatabase(opts.file, db_path, store::SqliteMigrations(), NowEpochMillis());
  if (!kept.ok()) return ReportError(kept.status());
  std::cout << "restored " << db_path << " from " << opts.file << " (schema "
            << check->schema_version << ", " << check->hosts << " hosts, " << check->users
            << " users)\n";
  if (!kept->empty()) std::cout << "  the database it replaced is kept as " << *kept << "\n";
  std::cout << "  start the server; it migrates an older schema forward (copy first)" << std::endl;
  return 0;
}

int RunPackagesAdd(const ServerOpts& opts) {
  auto config = LoadConfig(opts);
  if (!config.ok()) return ReportError(config.status());
  StateDirOwnership owner{config->state_dir};
  server::AgentPackages packages(server::EffectivePackagesDir(*config));
  for (const std::string& file : opts.files) {
    auto added = packages.Add(file);
    if (!added.ok()) return ReportError(added.status());
    std::cout << "added " << added->file << " (" << added->package << " " << added->version << ", "
              << added->arch << ", sha256 " << added->sha256 << ")\n";
  }
  auto newest = packages.Newest();
  if (!newest.ok()) return ReportError(newest.status());
  std::cout << "install.sh now installs:";
  for (const auto& p : *newest) std::cout << " " << p.file;
  std::cout << (newest->empty() ? " nothing (add warden_*.deb and warden-agent_*.deb)" : "")
            << std::endl;
  return 0;
}

int RunPackagesList(const ServerOpts& opts) {
  auto config = LoadConfig(opts);
  if (!config.ok()) return ReportError(config.status());
  auto format = ParseOutputFormat(opts.format.empty() ? DefaultFormat() : opts.format);
  if (!format) return ReportError(InvalidArgument("unknown --format " + opts.format));
  server::AgentPackages packages(server::EffectivePackagesDir(*config));
  auto newest = packages.Newest();
  if (!newest.ok()) return ReportError(newest.status());
  auto printer = MakeRowPrinter(*format, std::cout, StdoutTableFit());
  printer->Begin({"file", "package", "version", "arch", "size", "sha256"});
  for (const auto& p : *newest)
    printer->Row({Value(p.file), Value(p.package), Value(p.version), Value(p.arch),
                  Value(static_cast<int64_t>(p.size)), Value(p.sha256)});
  printer->End();
  return 0;
}

// Prints the new secret once (it is stored only as a hash). With
// --secret-only the secret alone goes to stdout, for scripts.
int RunEnrollSecretCreate(const ServerOpts& opts) {
  auto config = LoadConfig(opts);
  if (!config.ok()) return ReportError(config.status());
  StateDirOwnership owner{config->state_dir};
  auto store = server::OpenServerStore(config->state_dir);
  if (!store.ok()) return ReportError(store.status());
  const store::EpochMs now = NowEpochMillis();
  store::NewEnrolSecret secret;
  secret.name = opts.name;
  secret.labels = opts.labels;
  secret.created_by = "warden server enroll-secret create";
  secret.created_at = now;
  const std::string text = auth::GenerateToken(auth::TokenKind::kEnrolSecret);
  secret.sha256 = auth::TokenHash(text);
  store::AuditEntry entry;
  entry.time = now;
  entry.actor_type = store::ActorType::kSystem;
  entry.actor_name = secret.created_by;
  entry.action = "createEnrollSecret";
  entry.target_type = "enroll_secret";
  auto created = (*store)
                     ->Write([&](store::StoreWriter& w) -> Result<store::EnrolSecret> {
                       ASSIGN_OR_RETURN(store::EnrolSecret made, w.enrol_secrets().Create(secret));
                       entry.target_id = std::to_string(made.id);
                       entry.after_json = Json{{"id", made.id}, {"name", made.name}}.dump();
                       RETURN_IF_ERROR(w.audit().Append(entry).status());
                       return made;
                     })
                     .Wait();
  if (!created.ok()) return ReportError(created.status());
  if (opts.secret_only) {
    std::cout << text << std::endl;
    return 0;
  }
  std::cout << "created enrol secret " << created->name << " (id " << created->id << ") in "
            << config->state_dir << "/server.db; shown only now:\n"
            << "  " << text << std::endl;
  PrintEnrolCommands(*config, opts.url, text);
  return 0;
}

void AddCommonOptions(CLI::App& cmd, ServerOpts* opts) {
  cmd.add_option("--config", opts->config,
                 "Server configuration (examples/server.yaml documents every key)");
  cmd.add_option("--state-dir", opts->state_dir,
                 "State directory: database, TLS files (default: state_dir of the config, else " +
                     server::DefaultServerStateDir() + ")");
}

}  // namespace

void AddServerCommand(CLI::App& app, CommandAction* action) {
  auto opts = std::make_shared<ServerOpts>();
  CLI::App* srv = app.add_subcommand(
      "server", "Run the control-plane server (REST API, agent channel) or manage its users");
  srv->footer(
      "Without a subcommand the server runs in the foreground until Ctrl-C or SIGTERM. It prints\n"
      "its URL, the fingerprint of its private CA (agents pin it), how to log in and where its\n"
      "data is kept. The first start creates user admin with a one-time password.\n"
      "Examples:\n"
      "  warden server\n"
      "  warden server --listen 0.0.0.0:8443 --state-dir /var/lib/warden-server\n"
      "  warden server --config /etc/warden/server.yaml\n"
      "  warden server user add alice --role analyst\n"
      "  warden server user list\n"
      "  warden server enroll-secret create web-fleet --label env=prod\n"
      "  warden server --config /etc/warden/server.yaml --check\n"
      "  warden server backup /var/backups/warden-server.db");
  AddCommonOptions(*srv, opts.get());
  srv->add_option("--listen", opts->listen, "ADDRESS:PORT to listen on (default 127.0.0.1:8443)");
  srv->add_flag("--check", opts->check,
                "Check the configuration, print what the server would use, and exit");
  srv->callback([srv, opts, action]() {
    if (srv->get_subcommands().empty()) *action = [opts]() { return RunServer(*opts); };
  });

  CLI::App* user = srv->add_subcommand("user", "Manage the server's users")->require_subcommand(1);
  CLI::App* add =
      user->add_subcommand("add", "Add a user (asks for the password, or reads it from stdin)");
  add->footer(
      "Examples:\n"
      "  warden server user add alice --role analyst\n"
      "  printf '%s\\n' \"$PASSWORD\" | warden server user add ci --role viewer --password-stdin");
  AddCommonOptions(*add, opts.get());
  add->add_option("name", opts->name, "User name (letters, digits, . _ @ -)")->required();
  add->add_option("--role", opts->role, "admin, analyst or viewer")->required();
  add->add_flag("--password-stdin", opts->password_stdin,
                "Read the password (at least 12 characters) from the first line of stdin");
  add->callback([opts, action]() { *action = [opts]() { return RunUserAdd(*opts); }; });

  CLI::App* secrets =
      srv->add_subcommand("enroll-secret", "Make enrol secrets for agents")->require_subcommand(1);
  CLI::App* create = secrets->add_subcommand("create", "Create an enrol secret and print it once");
  create->footer(
      "Examples:\n"
      "  warden server enroll-secret create web-fleet --label env=prod --label role=web\n"
      "  S=$(warden server enroll-secret create ci --secret-only)");
  AddCommonOptions(*create, opts.get());
  create->add_option("name", opts->name, "A name saying who the secret is for")->required();
  create->add_option("--label", opts->labels, "A label given to hosts enrolling with it (repeat)");
  create->add_flag("--secret-only", opts->secret_only, "Print only the secret (for scripts)");
  create->add_option("--url", opts->url,
                     "The server's URL as hosts reach it, for the printed commands (default: the "
                     "listen address, else the first tls.names, else this host's name)");
  create->callback(
      [opts, action]() { *action = [opts]() { return RunEnrollSecretCreate(*opts); }; });

  CLI::App* backup = srv->add_subcommand(
      "backup", "Write a consistent copy of the server's database (while it runs, too)");
  backup->footer(
      "Examples:\n"
      "  warden server backup /var/backups/warden-server-$(date +%F).db --config "
      "/etc/warden/server.yaml");
  AddCommonOptions(*backup, opts.get());
  backup->add_option("file", opts->file, "The copy to write (replaced if it exists)")->required();
  backup->callback([opts, action]() { *action = [opts]() { return RunBackup(*opts); }; });

  CLI::App* restore = srv->add_subcommand(
      "restore", "Replace the server's database with a backup (the server stopped)");
  restore->footer(
      "The backup is checked first (SQLite's quick_check, a schema this warden knows); the\n"
      "database it replaces is kept beside it as server.db.before-restore-TIME.\n"
      "Examples:\n"
      "  systemctl stop warden-server\n"
      "  warden server restore /var/backups/warden-server-2026-12-01.db --config "
      "/etc/warden/server.yaml\n"
      "  systemctl start warden-server");
  AddCommonOptions(*restore, opts.get());
  restore->add_option("file", opts->file, "A file `warden server backup` wrote")->required();
  restore->callback([opts, action]() { *action = [opts]() { return RunRestore(*opts); }; });

  CLI::App* packages =
      srv->add_subcommand("packages", "The package files the install command hands to hosts")
          ->require_subcommand(1);
  CLI::App* packages_add =
      packages->add_subcommand("add", "Copy package files in (warden_*.deb, warden-agent_*.deb)");
  packages_add->footer(
      "Examples:\n"
      "  warden server packages add warden_0.1.0_amd64.deb warden-agent_0.1.0_amd64.deb");
  AddCommonOptions(*packages_add, opts.get());
  packages_add->add_option("files", opts->files, "Debian package files NAME_VERSION_ARCH.deb")
      ->required();
  packages_add->callback(
      [opts, action]() { *action = [opts]() { return RunPackagesAdd(*opts); }; });
  CLI::App* packages_list =
      packages->add_subcommand("list", "The packages install.sh installs, per architecture");
  AddCommonOptions(*packages_list, opts.get());
  AddFormatOption(*packages_list, &opts->format);
  packages_list->callback(
      [opts, action]() { *action = [opts]() { return RunPackagesList(*opts); }; });

  CLI::App* list = user->add_subcommand("list", "List the server's users");
  list->footer("Examples:\n  warden server user list\n  warden server user list --format json");
  AddCommonOptions(*list, opts.get());
  AddFormatOption(*list, &opts->format);
  list->callback([opts, action]() { *action = [opts]() { return RunUserList(*opts); }; });
}

}  // namespace warden

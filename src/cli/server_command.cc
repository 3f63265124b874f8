// `warden server`: runs the control-plane server (src/server/server_app.h);
// `warden server user add|list` manages its users and `warden server
// enroll-secret create` makes an enrol secret, both in the state directory's
// store without a running server (the store serialises writers, so they also
// work while it runs). Every change they make is in the audit log as done by
// the system (the local command line).
#include <termios.h>
#include <unistd.h>

#include <iostream>
#include <memory>
#include <string>

#include "auth/password_hasher.h"
#include "auth/role.h"
#include "auth/secret_token.h"
#include "cli/terminal_table.h"
#include "cli/warden_cli.h"
#include "core/time_format.h"
#include "server/server_app.h"
#include "server/server_config.h"

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

int RunServer(const ServerOpts& opts) {
  auto config = LoadConfig(opts);
  if (!config.ok()) return ReportError(config.status());
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

// Prints the new secret once (it is stored only as a hash). With
// --secret-only the secret alone goes to stdout, for scripts.
int RunEnrollSecretCreate(const ServerOpts& opts) {
  auto config = LoadConfig(opts);
  if (!config.ok()) return ReportError(config.status());
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
      "  warden server enroll-secret create web-fleet --label env=prod");
  AddCommonOptions(*srv, opts.get());
  srv->add_option("--listen", opts->listen, "ADDRESS:PORT to listen on (default 127.0.0.1:8443)");
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
  create->callback(
      [opts, action]() { *action = [opts]() { return RunEnrollSecretCreate(*opts); }; });

  CLI::App* list = user->add_subcommand("list", "List the server's users");
  list->footer("Examples:\n  warden server user list\n  warden server user list --format json");
  AddCommonOptions(*list, opts.get());
  AddFormatOption(*list, &opts->format);
  list->callback([opts, action]() { *action = [opts]() { return RunUserList(*opts); }; });
}

}  // namespace warden

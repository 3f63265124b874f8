// Test support for the end-to-end tests that run real `warden` processes
// (header-only, test code only): a free loopback port, a `warden` process in
// the background with its output in files, a `warden server` started in a
// temporary state directory with a user and enrol secrets made by its own
// commands, and a REST session (cookie, CSRF token, Origin) as the console
// would hold one.
// Not here: in-process servers (src/server/server_test_support.h), agents'
// configs (each test writes the one it needs).
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include "core/finding.h"
#include "core/strings.h"
#include "server/http_test_client.h"
#include "testing/test_util.h"

extern char** environ;

namespace warden::testing {

// A free TCP port on 127.0.0.1 (bound, read, released).
inline int FreeLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) ADD_FAILURE() << "bind";
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

// `warden ARGS...` (or any command) in the background, stdout and stderr
// into DIR/NAME.out and DIR/NAME.err; stopped with SIGTERM (SIGKILL after
// 15 s) when destroyed.
class WardenProcess {
 public:
  WardenProcess(const TempDir& dir, const std::string& name, std::vector<std::string> args)
      : WardenProcess(dir, name, WithWarden(std::move(args)), kFullCommand) {}
  // `args` is the whole argv, its program (an absolute path) first.
  enum FullCommand { kFullCommand };
  WardenProcess(const TempDir& dir, const std::string& name, std::vector<std::string> args,
                FullCommand)
      : out_(dir.path() + "/" + name + ".out"), err_(dir.path() + "/" + name + ".err") {
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    EXPECT_EQ(posix_spawn(&pid_, argv[0], &fa, nullptr, argv.data(), environ), 0) << argv[0];
    posix_spawn_file_actions_destroy(&fa);
  }
  WardenProcess(const WardenProcess&) = delete;
  WardenProcess& operator=(const WardenProcess&) = delete;
  ~WardenProcess() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    if (!WaitFor([&] { return waitpid(pid_, nullptr, WNOHANG) != 0; }, std::chrono::seconds(15),
                 std::chrono::milliseconds(20))) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  // SIGKILL: no chance to flush or finish anything.
  void KillHard() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  bool alive() const { return pid_ > 0 && waitpid(pid_, nullptr, WNOHANG) == 0; }
  std::string out() const { return ReadFileText(out_); }
  std::string err() const { return ReadFileText(err_); }

 private:
  static std::vector<std::string> WithWarden(std::vector<std::string> args) {
    args.insert(args.begin(), WardenBinary());
    return args;
  }
  std::string out_, err_;
  pid_t pid_ = -1;
};

// Waits for a started `warden server`'s banner; the CA fingerprint it
// printed ("" and a test failure when it did not come up within 30 s).
inline std::string StartedServerFingerprint(const WardenProcess& server) {
  std::string fingerprint;
  EXPECT_TRUE(WaitFor(
      [&] {
        std::smatch m;
        const std::string banner = server.out();
        if (banner.find("\n  data ") == std::string::npos) return false;
        if (std::regex_search(banner, m, std::regex("sha256:[0-9a-f]{64}"))) fingerprint = m.str();
        return true;
      },
      std::chrono::seconds(30), std::chrono::milliseconds(50)))
      << server.out() << server.err();
  return fingerprint;
}

// `warden server` on a free loopback port with its state in DIR/NAME,
// started and waited for by the constructor (ok() says whether it came up).
class ServerUnderTest {
 public:
  explicit ServerUnderTest(const TempDir& dir, const std::string& name = "server")
      : state_(dir.path() + "/" + name),
        base_("https://127.0.0.1:" + std::to_string(FreeLoopbackPort())),
        process_(dir, name, {"server", "--state-dir", state_, "--listen", base_.substr(8)}),
        fingerprint_(StartedServerFingerprint(process_)) {}

  bool ok() const { return !fingerprint_.empty(); }
  const std::string& base() const { return base_; }
  const std::string& state() const { return state_; }
  std::string ca() const { return state_ + "/tls/ca.pem"; }
  // "sha256:<hex>", as `warden agent enroll --ca-fingerprint` wants it.
  const std::string& fingerprint() const { return fingerprint_; }
  WardenProcess& process() { return process_; }
  std::string out() const { return process_.out(); }
  std::string err() const { return process_.err(); }

  // `warden server user add NAME --role ROLE --password-stdin`.
  ::testing::AssertionResult AddUser(const std::string& name, const std::string& role,
                                     const std::string& password) const {
    auto added = RunCommand({WardenBinary(), "server", "user", "add", name, "--role", role,
                             "--password-stdin", "--state-dir", state_},
                            password + "\n");
    if (added.exit_code == 0) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "user add " << name << ": " << added.err;
  }
  // `warden server enroll-secret create NAME [--label LABEL] --secret-only`:
  // the secret ("" and a test failure when the command failed).
  std::string CreateEnrolSecret(const std::string& name, const std::string& label = "") const {
    std::vector<std::string> argv = {WardenBinary(), "server", "enroll-secret", "create", name};
    if (!label.empty()) argv.insert(argv.end(), {"--label", label});
    argv.insert(argv.end(), {"--secret-only", "--state-dir", state_});
    auto made = RunCommand(argv);
    EXPECT_EQ(made.exit_code, 0) << made.err;
    return made.exit_code == 0 ? std::string(TrimWhitespace(made.out)) : std::string();
  }
  // Writes DIR/NAME.yaml ("state_dir: DIR/NAME" followed by
  // `config_rest`, which starts with a newline) and enrols it with
  // `warden agent enroll`, pinning this server's CA; the config's path ("" and
  // a test failure when enrolment failed).
  std::string EnrolAgent(const TempDir& dir, const std::string& secret,
                         const std::string& config_rest, const std::string& name = "agent") const {
    const std::string config =
        dir.WriteFile(name + ".yaml", "state_dir: " + dir.path() + "/" + name + config_rest);
    auto enrolled = RunCommand({WardenBinary(), "agent", "enroll", "--server", base_, "--secret",
                                secret, "--ca-fingerprint", fingerprint_, "--config", config});
    EXPECT_EQ(enrolled.exit_code, 0) << enrolled.err;
    return enrolled.exit_code == 0 ? config : std::string();
  }

 private:
  std::string state_, base_;
  WardenProcess process_;
  std::string fingerprint_;
};

// The REST API as a logged-in user: session cookie, CSRF token, Origin.
class RestSession {
 public:
  RestSession(std::string base, std::string ca_file)
      : base_(std::move(base)), ca_(std::move(ca_file)) {}

  ::testing::AssertionResult Login(const std::string& name, const std::string& password) {
    ClientRequest r;
    r.method = "POST";
    r.url = base_ + "/api/v1/session";
    r.ca_file = ca_;
    r.headers = {"Content-Type: application/json", "Origin: " + base_};
    r.body = Json{{"name", name}, {"password", password}}.dump();
    auto response = client_.Send(r);
    if (response.status != 200 && response.status != 201)
      return ::testing::AssertionFailure() << "login: " << response.status << " " << response.body;
    for (std::string_view cookie : response.headers.GetAll("Set-Cookie"))
      if (cookie.starts_with("__Host-warden_session="))
        cookie_ = std::string(cookie.substr(0, cookie.find(';')));
    Json body = Json::parse(response.body, nullptr, false);
    if (body.is_object() && body.contains("csrf_token") && body["csrf_token"].is_string())
      csrf_ = body["csrf_token"];
    if (cookie_.empty()) return ::testing::AssertionFailure() << "no session cookie";
    return ::testing::AssertionSuccess();
  }

  // The JSON answer, or null when the status is not 2xx (last() has it).
  Json Call(const std::string& method, const std::string& path, const Json& body = nullptr,
            long* status = nullptr) {
    std::vector<std::string> headers;
    if (!body.is_null()) headers.push_back("Content-Type: application/json");
    auto response = Send(method, path, body.is_null() ? "" : body.dump(), std::move(headers));
    if (status) *status = response.status;
    if (response.status < 200 || response.status > 299) return Json();
    return Json::parse(response.body, nullptr, false);
  }
  // POSTs `body` as a file (application/octet-stream); the parsed answer
  // whatever its status.
  Json Upload(const std::string& path, const std::string& body, long* status) {
    auto response = Send("POST", path, body, {"Content-Type: application/octet-stream"});
    *status = response.status;
    return Json::parse(response.body, nullptr, false);
  }
  // The status and body of the last answer, for failure messages.
  const std::string& last() const { return last_; }

 private:
  ClientResponse Send(const std::string& method, const std::string& path, std::string body,
                      std::vector<std::string> headers) {
    ClientRequest r;
    r.method = method;
    r.url = base_ + path;
    r.ca_file = ca_;
    r.headers = {"Cookie: " + cookie_, "Origin: " + base_, "X-CSRF-Token: " + csrf_};
    r.headers.insert(r.headers.end(), headers.begin(), headers.end());
    r.body = std::move(body);
    auto response = client_.Send(r);
    last_ = std::to_string(response.status) + " " + response.body;
    return response;
  }

  std::string base_, ca_, cookie_, csrf_, last_;
  CurlClient client_;
};

}  // namespace warden::testing

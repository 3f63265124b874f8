#include "agent/control_socket.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace warden {
namespace {

constexpr size_t kMaxRequestBytes = 64 * 1024;

Result<sockaddr_un> Address(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) return InvalidArgument(path + ": socket path too long");
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  return addr;
}

// Reads until a newline, EOF, the size cap or the deadline.
Result<std::string> ReadLine(int fd, std::chrono::milliseconds timeout, size_t max_bytes) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string out;
  char buf[4096];
  while (out.find('\n') == std::string::npos) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      return Timeout("no answer within " + std::to_string(timeout.count()) + " ms");
    pollfd p{fd, POLLIN, 0};
    int rc = poll(&p, 1, static_cast<int>(left.count()));
    if (rc < 0 && errno == EINTR) continue;
    if (rc <= 0) continue;
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("control socket", errno);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > max_bytes) return InvalidArgument("control message too large");
  }
  return out;
}

void WriteAll(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    off += static_cast<size_t>(n);
  }
}

}  // namespace

Result<std::unique_ptr<ControlServer>> ControlServer::Listen(const std::string& path) {
  ASSIGN_OR_RETURN(sockaddr_un addr, Address(path));
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  // A socket file left by an agent that died is removed; one that answers
  // belongs to a running agent.
  if (SendControlRequest(path, Json{{"command", "ping"}}, std::chrono::milliseconds(500)).ok())
    return InvalidArgument("another agent is already running (it answers on " + path + ")");
  unlink(path.c_str());
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return ErrnoStatus("socket", errno);
  mode_t old = umask(0077);
  int rc = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  int err = errno;
  umask(old);
  if (rc == 0) chmod(path.c_str(), 0600);
  if (rc != 0 || listen(fd, 16) != 0) {
    if (rc == 0) err = errno;
    close(fd);
    return ErrnoStatus(path, err);
  }
  return std::unique_ptr<ControlServer>(new ControlServer(fd, path));
}

ControlServer::~ControlServer() {
  close(fd_);
  unlink(path_.c_str());
}

Result<std::pair<int, Json>> ControlServer::Accept() {
  int c = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
  if (c < 0) return ErrnoStatus(path_, errno);
  ucred cred{};
  socklen_t len = sizeof cred;
  if (getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 ||
      (cred.uid != 0 && cred.uid != geteuid())) {
    Answer(c, Json{{"ok", false},
                   {"error", "permission denied: only root or the agent's user may connect"}});
    return Status(StatusCode::kPermissionDenied,
                  "control socket: rejected a peer of uid " + std::to_string(cred.uid));
  }
  auto line = ReadLine(c, std::chrono::milliseconds(2000), kMaxRequestBytes);
  if (!line.ok()) {
    Answer(c, Json{{"ok", false}, {"error", line.status().message()}});
    return line.status();
  }
  Json request = Json::parse(*line, nullptr, false);
  if (request.is_discarded() || !request.is_object()) {
    Answer(c, Json{{"ok", false}, {"error", "the request is not a JSON object"}});
    return InvalidArgument("control socket: malformed request");
  }
  return std::make_pair(c, std::move(request));
}

void ControlServer::Answer(int connection, const Json& answer) {
  WriteAll(connection,
           answer.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
  close(connection);
}

Result<Json> SendControlRequest(const std::string& socket_path, const Json& request,
                                std::chrono::milliseconds timeout) {
  ASSIGN_OR_RETURN(sockaddr_un addr, Address(socket_path));
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return ErrnoStatus("socket", errno);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    int err = errno;
    close(fd);
    if (err == ENOENT || err == ECONNREFUSED)
      return Unavailable("the agent is not running (nothing answers on " + socket_path +
                         "); start it with: warden agent --config FILE");
    return ErrnoStatus(socket_path, err);
  }
  WriteAll(fd, request.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
  auto line = ReadLine(fd, timeout, 64u << 20);
  close(fd);
  if (!line.ok()) return line.status();
  Json answer = Json::parse(*line, nullptr, false);
  if (answer.is_discarded()) return ParseError("control socket: the agent's answer is not JSON");
  return answer;
}

}  // namespace warden

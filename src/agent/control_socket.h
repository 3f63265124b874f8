// The agent's local control socket: a unix stream socket (mode 0600, in the
// state directory by default) over which `warden agent status`, `run-now`,
// `test-sink` and `problems dismiss` talk to the running agent. One request
// per connection: the client writes one JSON object and a newline, the agent
// answers with one JSON object and a newline, then closes. Only root and the
// agent's own user may connect (SO_PEERCRED). Requests:
//   {"command":"status"}
//   {"command":"run-now","job":NAME}
//   {"command":"test-sink","sink":NAME}
//   {"command":"dismiss","id":ID,"comment":TEXT,"until":EPOCH}
//   {"command":"reload"}
// Answers carry "ok": true/false and, when false, "error": one line.
#pragma once

#include <chrono>
#include <string>

#include "core/finding.h"
#include "core/status.h"

namespace warden {

class ControlServer {
 public:
  // Binds the socket; fails when another agent already answers on it.
  static Result<std::unique_ptr<ControlServer>> Listen(const std::string& path);
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  int fd() const { return fd_; }
  const std::string& path() const { return path_; }
  // Accepts one connection and reads its request (bounded in size and time).
  // Returns the connection fd (to Answer) and the request; rejects peers of
  // another user.
  Result<std::pair<int, Json>> Accept();
  // Writes the answer and closes the connection.
  static void Answer(int connection, const Json& answer);

 private:
  ControlServer(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  int fd_;
  std::string path_;
};

// Client side: sends a request and waits for the answer. Unavailable (saying
// the agent is not running) when nothing listens on the socket.
Result<Json> SendControlRequest(const std::string& socket_path, const Json& request,
                                std::chrono::milliseconds timeout);

}  // namespace warden

#include "ebpf/host_event.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/socket.h>

#include <vector>

namespace warden {

namespace {

constexpr std::string_view kKindNames[kHostEventKindCount] = {
    "exec", "exit", "fork", "connect", "accept", "bind", "listen", "setid", "open", "module_load"};

}  // namespace

std::string_view HostEventKindName(HostEventKind kind) {
  return kKindNames[static_cast<size_t>(kind)];
}

std::optional<HostEventKind> ParseHostEventKind(std::string_view name) {
  for (size_t i = 0; i < kHostEventKindCount; ++i)
    if (kKindNames[i] == name) return static_cast<HostEventKind>(i);
  return std::nullopt;
}

bool IsSocketEvent(HostEventKind kind) {
  return kind == HostEventKind::kConnect || kind == HostEventKind::kAccept ||
         kind == HostEventKind::kBind || kind == HostEventKind::kListen;
}

std::string_view StdioKindName(StdioKind kind) {
  switch (kind) {
    case StdioKind::kUnknown:
      return "";
    case StdioKind::kFile:
      return "file";
    case StdioKind::kPipe:
      return "pipe";
    case StdioKind::kCharDevice:
      return "tty";
    case StdioKind::kInetSocket:
      return "inet_socket";
    case StdioKind::kUnixSocket:
      return "unix_socket";
    case StdioKind::kOtherSocket:
      return "socket";
    case StdioKind::kOther:
      return "other";
  }
  return "";
}

std::string_view EventOriginName(EventOrigin origin) {
  switch (origin) {
    case EventOrigin::kEbpf:
      return "ebpf";
    case EventOrigin::kProcConnector:
      return "proc_connector";
    case EventOrigin::kFanotify:
      return "fanotify";
    case EventOrigin::kProcPoll:
      return "proc_poll";
  }
  return "";
}

std::string HostEvent::CommandLine() const {
  std::string out;
  for (const std::string& a : argv) {
    if (!out.empty()) out += ' ';
    out += a;
  }
  return out;
}

std::string_view PathBaseName(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string AbsolutePath(std::string_view path, std::string_view cwd) {
  std::string joined;
  if (!path.empty() && path.front() == '/') {
    joined = path;
  } else {
    joined = cwd.empty() ? "/" : std::string(cwd);
    joined += '/';
    joined += path;
  }
  std::vector<std::string_view> parts;
  std::string_view rest = joined;
  while (!rest.empty()) {
    size_t slash = rest.find('/');
    std::string_view part = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
      continue;
    }
    parts.push_back(part);
  }
  std::string out;
  for (std::string_view p : parts) {
    out += '/';
    out += p;
  }
  return out.empty() ? "/" : out;
}

std::string FormatIpAddress(int family, const uint8_t* bytes) {
  char text[INET6_ADDRSTRLEN] = {};
  if (family == AF_INET) {
    if (inet_ntop(AF_INET, bytes, text, sizeof(text)) == nullptr) return "";
  } else if (family == AF_INET6) {
    if (inet_ntop(AF_INET6, bytes, text, sizeof(text)) == nullptr) return "";
  } else {
    return "";
  }
  return text;
}

std::string_view OpenAccessName(int64_t flags) {
  if (flags < 0) return "";
  switch (flags & O_ACCMODE) {
    case O_RDONLY:
      return "read";
    case O_WRONLY:
      return "write";
    default:
      return "read_write";
  }
}

int64_t ExitCodeOf(int64_t wait_status) { return (wait_status >> 8) & 0xff; }
int64_t ExitSignalOf(int64_t wait_status) { return wait_status & 0x7f; }

}  // namespace warden

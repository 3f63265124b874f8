#include "agent/syslog_record_sink.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

namespace warden {
namespace {

// RFC 5424 PRINTUSASCII fields: no spaces, at most `max` characters, "-" when empty.
std::string HeaderField(std::string_view s, size_t max) {
  std::string out;
  for (char c : s) {
    if (out.size() == max) break;
    unsigned char u = static_cast<unsigned char>(c);
    out += (u >= 33 && u <= 126) ? c : '_';
  }
  return out.empty() ? "-" : out;
}

// SD-PARAM values escape '"', '\' and ']' (RFC 5424 6.3.3).
std::string SdValue(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\' || c == ']') out += '\\';
    out += c;
  }
  return out;
}

std::string Timestamp(int64_t time_ms) {
  time_t t = static_cast<time_t>(time_ms / 1000);
  struct tm tm {};
  gmtime_r(&t, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(time_ms % 1000));
  return buf;
}

}  // namespace

std::string FormatRfc5424(int facility, int severity, int64_t time_ms, std::string_view hostname,
                          std::string_view app_name, int64_t procid, std::string_view msgid,
                          std::string_view record_id, std::string_view message) {
  std::string m = "<" + std::to_string(facility * 8 + severity) + ">1 " + Timestamp(time_ms) + " " +
                  HeaderField(hostname, 255) + " " + HeaderField(app_name, 48) + " " +
                  std::to_string(procid) + " " + HeaderField(msgid, 32) + " ";
  m += "[" + std::string(kSyslogSdId) + " id=\"" + SdValue(record_id) + "\"]";
  m += " ";
  m.append(message);
  return m;
}

SyslogRecordSink::SyslogRecordSink(SinkConfig config, std::string hostname)
    : RecordSink(std::move(config)), hostname_(std::move(hostname)) {}

SyslogRecordSink::~SyslogRecordSink() { Disconnect(); }

std::string SyslogRecordSink::Destination() const {
  switch (config().transport) {
    case SyslogTransport::kUdp:
      return "udp " + config().host + ":" + std::to_string(config().port);
    case SyslogTransport::kTcp:
      return "tcp " + config().host + ":" + std::to_string(config().port);
    case SyslogTransport::kUnix:
      return "unix " + config().socket_path;
  }
  return "";
}

void SyslogRecordSink::Disconnect() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

Status SyslogRecordSink::Connect() {
  if (fd_ >= 0 && config().transport == SyslogTransport::kTcp) {
    // A peer that closed the connection shows as readable with 0 bytes; find
    // out now rather than after writing a batch into a dead socket.
    char c;
    ssize_t n = recv(fd_, &c, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) Disconnect();
  }
  if (fd_ >= 0) return Status::Ok();
  const SinkConfig& c = config();
  if (c.transport == SyslogTransport::kUnix) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (c.socket_path.size() >= sizeof addr.sun_path)
      return InvalidArgument(c.socket_path + ": path too long");
    std::memcpy(addr.sun_path, c.socket_path.c_str(), c.socket_path.size() + 1);
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return ErrnoStatus("socket", errno);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      int err = errno;
      Disconnect();
      return ErrnoStatus(c.socket_path, err);
    }
    return Status::Ok();
  }
  addrinfo hints{};
  hints.ai_socktype = c.transport == SyslogTransport::kTcp ? SOCK_STREAM : SOCK_DGRAM;
  addrinfo* res = nullptr;
  int rc = getaddrinfo(c.host.c_str(), std::to_string(c.port).c_str(), &hints, &res);
  if (rc != 0) return Unavailable(c.host + ": " + gai_strerror(rc));
  Status last = Unavailable(Destination() + ": no address");
  for (addrinfo* ai = res; ai; ai = ai->ai_next) {
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) continue;
    if (c.transport == SyslogTransport::kTcp) {
      timeval tv{static_cast<time_t>(c.timeout_ms / 1000),
                 static_cast<suseconds_t>((c.timeout_ms % 1000) * 1000)};
      setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    }
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
      fd_ = fd;
      break;
    }
    last = ErrnoStatus(Destination(), errno);
    close(fd);
  }
  freeaddrinfo(res);
  return fd_ >= 0 ? Status::Ok() : last;
}

Status SyslogRecordSink::SendAll(const std::string& bytes) {
  size_t off = 0;
  while (off < bytes.size()) {
    ssize_t n = send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      Disconnect();
      return ErrnoStatus(Destination(), err);
    }
    off += static_cast<size_t>(n);
  }
  return Status::Ok();
}

Status SyslogRecordSink::Deliver(const std::vector<QueuedRecord>& batch) {
  RETURN_IF_ERROR(Connect());
  const SinkConfig& c = config();
  std::string stream;  // tcp: the whole batch in one write
  for (const QueuedRecord& r : batch) {
    std::string msg = FormatRfc5424(c.facility, r.severity, r.time_ms, hostname_, c.app_name,
                                    getpid(), RecordKindName(r.kind), r.id, r.payload);
    if (c.transport == SyslogTransport::kTcp) {
      stream += std::to_string(msg.size()) + " " + msg;
      continue;
    }
    if (static_cast<int64_t>(msg.size()) > c.max_message_bytes)
      msg.resize(static_cast<size_t>(c.max_message_bytes));
    // A datagram refused for lack of buffer space (a busy local syslog) is an
    // error like any other: the batch stays queued and is retried later.
    if (send(fd_, msg.data(), msg.size(), MSG_NOSIGNAL) < 0) {
      int err = errno;
      Disconnect();
      return ErrnoStatus(Destination(), err);
    }
  }
  if (!stream.empty()) return SendAll(stream);
  return Status::Ok();
}

}  // namespace warden

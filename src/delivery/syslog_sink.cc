#include "delivery/syslog_sink.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "core/strings.h"

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

SyslogSink::SyslogSink(SinkConfig config, std::string hostname)
    : Sink(std::move(config)),
      settings_(*this->config().SettingsAs<SyslogSinkSettings>()),
      hostname_(std::move(hostname)) {}

SyslogSink::~SyslogSink() { Disconnect(); }

std::string SyslogSink::Destination() const {
  switch (settings_.transport) {
    case SyslogTransport::kUdp:
      return "udp " + settings_.host + ":" + std::to_string(settings_.port);
    case SyslogTransport::kTcp:
      return "tcp " + settings_.host + ":" + std::to_string(settings_.port);
    case SyslogTransport::kUnix:
      return "unix " + settings_.socket_path;
  }
  return "";
}

void SyslogSink::Disconnect() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

Status SyslogSink::Connect() {
  if (fd_ >= 0 && settings_.transport == SyslogTransport::kTcp) {
    // A peer that closed the connection shows as readable with 0 bytes; find
    // out now rather than after writing a batch into a dead socket.
    char c;
    ssize_t n = recv(fd_, &c, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) Disconnect();
  }
  if (fd_ >= 0) return Status::Ok();
  const SyslogSinkSettings& c = settings_;
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

Status SyslogSink::SendAll(const std::string& bytes) {
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

Status SyslogSink::Deliver(const std::vector<QueuedRecord>& batch) {
  RETURN_IF_ERROR(Connect());
  const SyslogSinkSettings& c = settings_;
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

namespace {

int FacilityCode(const std::string& f) {
  static const std::vector<std::pair<std::string, int>> kNames = {
      {"kern", 0},      {"user", 1},    {"mail", 2},    {"daemon", 3},  {"auth", 4},
      {"syslog", 5},    {"lpr", 6},     {"news", 7},    {"uucp", 8},    {"cron", 9},
      {"authpriv", 10}, {"ftp", 11},    {"local0", 16}, {"local1", 17}, {"local2", 18},
      {"local3", 19},   {"local4", 20}, {"local5", 21}, {"local6", 22}, {"local7", 23}};
  for (const auto& [name, code] : kNames)
    if (name == f) return code;
  int64_t n = -1;
  if (ParseInt64(f, &n) && n >= 0 && n <= 23) return static_cast<int>(n);
  return -1;
}

Result<std::shared_ptr<const SinkSettings>> ParseSyslogSink(const YAML::Node& n,
                                                            const std::string& key,
                                                            const SinkParseContext& context) {
  using J = YamlReader;
  const YamlReader& r = context.reader;
  auto s = std::make_shared<SyslogSinkSettings>();
  if (n["transport"]) {
    ASSIGN_OR_RETURN(std::string t, r.String(n["transport"], J::Join(key, "transport")));
    if (t == "udp")
      s->transport = SyslogTransport::kUdp;
    else if (t == "tcp")
      s->transport = SyslogTransport::kTcp;
    else if (t == "unix")
      s->transport = SyslogTransport::kUnix;
    else
      return r.Error(n["transport"], J::Join(key, "transport"),
                     "unknown transport '" + t + "' (use udp, tcp or unix)");
  }
  if (n["address"]) {
    ASSIGN_OR_RETURN(std::string a, r.String(n["address"], J::Join(key, "address")));
    if (s->transport == SyslogTransport::kUnix) {
      s->socket_path = a;
    } else {
      size_t colon = a.rfind(':');
      int64_t port = 0;
      if (colon == std::string::npos || !ParseInt64(a.substr(colon + 1), &port) || port < 1 ||
          port > 65535 || colon == 0)
        return r.Error(n["address"], J::Join(key, "address"),
                       "expected host:port like 127.0.0.1:514, got '" + a + "'");
      s->host = a.substr(0, colon);
      if (s->host.size() > 2 && s->host.front() == '[' && s->host.back() == ']')
        s->host = s->host.substr(1, s->host.size() - 2);
      s->port = static_cast<int>(port);
    }
  }
  if (n["facility"]) {
    ASSIGN_OR_RETURN(std::string f, r.String(n["facility"], J::Join(key, "facility")));
    int code = FacilityCode(f);
    if (code < 0)
      return r.Error(
          n["facility"], J::Join(key, "facility"),
          "unknown facility '" + f + "' (use user, daemon, auth, local0..local7 or a number 0-23)");
    s->facility = code;
  }
  if (n["app_name"]) {
    ASSIGN_OR_RETURN(s->app_name, r.String(n["app_name"], J::Join(key, "app_name")));
    if (s->app_name.empty() || s->app_name.size() > 48)
      return r.Error(n["app_name"], J::Join(key, "app_name"),
                     "must be 1 to 48 characters (RFC 5424 APP-NAME)");
  }
  if (n["max_message_size"]) {
    ASSIGN_OR_RETURN(s->max_message_bytes,
                     r.Size(n["max_message_size"], J::Join(key, "max_message_size"), 480));
  }
  return std::shared_ptr<const SinkSettings>(std::move(s));
}

}  // namespace

const SinkType& SyslogSinkType() {
  static const SinkType kType{
      "syslog",
      /*queued=*/true,
      {"transport", "address", "facility", "app_name", "max_message_size", "queue"},
      {RecordFormat::kWarden, RecordFormat::kOcsf},
      ParseSyslogSink,
      [](const SinkConfig& config, const SinkContext& context) -> Result<std::unique_ptr<Sink>> {
        return std::unique_ptr<Sink>(new SyslogSink(config, context.host_identifier));
      }};
  return kType;
}

}  // namespace warden

// The `syslog` sink sends records as RFC 5424 messages:
//   <PRI>1 2024-01-10T12:00:00.123Z HOST warden PID MSGID [warden@32473 id="..." kind="..."] {json}
// PRI = facility * 8 + severity (problems carry their risk level's syslog
// severity, other records 6 = informational); MSGID is the record kind; the
// structured data carries the record id for de-duplication. Transports:
//   udp  - one datagram per message (RFC 5426); longer messages are cut at
//          max_message_size, as receivers would do anyway: use tcp for large
//          snapshot results.
//   tcp  - octet-counted framing (RFC 6587 3.4.1: "LEN SP MSG"), one
//          persistent connection, re-opened after an error. "Delivered"
//          means handed to the kernel: syslog has no application-level ack.
//   unix - datagrams to a local socket (/dev/log), as rsyslog's imuxsock and
//          journald expect.
// 32473 is IANA's example enterprise number (RFC 5612), used because Warden
// has none of its own.
// Queued (durable). Settings:
//   - {name: siem, type: syslog, transport: tcp, address: '10.0.0.1:6514',
//      facility: local0, app_name: warden, max_message_size: 8KB}
#pragma once

#include <string>

#include "delivery/sink_registry.h"

namespace warden {

enum class SyslogTransport { kUdp, kTcp, kUnix };

struct SyslogSinkSettings : SinkSettings {
  SyslogTransport transport = SyslogTransport::kUdp;
  std::string host = "127.0.0.1";
  int port = 514;
  std::string socket_path = "/dev/log";
  int facility = 16;  // local0
  std::string app_name = "warden";
  int64_t max_message_bytes = 8192;
  int64_t timeout_ms = 10000;  // tcp send timeout
};

inline constexpr std::string_view kSyslogSdId = "warden@32473";

// The RFC 5424 message (without transport framing).
std::string FormatRfc5424(int facility, int severity, int64_t time_ms, std::string_view hostname,
                          std::string_view app_name, int64_t procid, std::string_view msgid,
                          std::string_view record_id, std::string_view message);

class SyslogSink : public Sink {
 public:
  SyslogSink(SinkConfig config, std::string hostname);
  ~SyslogSink() override;
  Status Deliver(const std::vector<QueuedRecord>& batch) override;
  std::string Destination() const override;

 private:
  Status Connect();
  void Disconnect();
  Status SendAll(const std::string& bytes);
  const SyslogSinkSettings& settings_;
  std::string hostname_;
  int fd_ = -1;
};

const SinkType& SyslogSinkType();

}  // namespace warden

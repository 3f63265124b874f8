// One listening TCP/UDP socket as the open-ports detector reads it (from the
// listening_ports and processes tables). Its own header because a detector
// run carries the listeners it looked at (detector.h), which the agent sends
// to the server as the host's port inventory. No logic here.
#pragma once

#include <cstdint>
#include <string>

namespace warden {

struct ListeningSocket {
  int64_t pid = -1;
  int port = 0;
  std::string protocol;  // "tcp" / "udp"
  int family = 0;        // 2 = IPv4, 10 = IPv6
  std::string address;
  std::string net_namespace;
  std::string process_name;
  std::string process_path;
  std::string cmdline;
  int64_t uid = -1;
  std::string user;
};

}  // namespace warden

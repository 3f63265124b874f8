// Asking the live kernel for a table of the routing netlink family (RTM_GETADDR
// addresses, RTM_GETROUTE routes) and walking the attributes of the replies.
// Used only where no file carries the data (IPv4 addresses, the IPv4 local
// routing table and preferred sources) and only when the query reads the live
// host: netlink always answers for the machine Warden runs on, never for a
// --root image or a fixture tree.
// Contract: one blocking dump per call with a time limit; no threads, no state
// kept between calls. Replies are copied out as whole messages (header
// included) so callers parse them with the usual NLMSG_/RTA_ macros.
#pragma once

#include <linux/rtnetlink.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace warden {

// Sends one NLM_F_DUMP request of `message_type` (RTM_GETADDR, RTM_GETROUTE)
// for address `family` (AF_INET, AF_INET6, AF_UNSPEC) and returns every reply
// message up to NLMSG_DONE. Fails with Unavailable when netlink cannot be
// opened, Timeout when the kernel does not finish within `timeout`, and
// IoError when the kernel answers with an error.
Result<std::vector<std::string>> DumpRtnetlink(uint16_t message_type, uint8_t family,
                                               std::chrono::milliseconds timeout);

// Calls fn(type, payload) for each well-formed attribute of a message whose
// fixed header (ifaddrmsg, rtmsg, ...) is `header_size` bytes long. Attributes
// that run past the end of the message stop the walk.
void ForEachRtAttribute(std::string_view message, size_t header_size,
                        const std::function<void(uint16_t type, std::string_view payload)>& fn);
// The same over a bare run of attributes (the payload of a nested attribute
// such as RTA_METRICS).
void ForEachNestedRtAttribute(
    std::string_view attributes,
    const std::function<void(uint16_t type, std::string_view payload)>& fn);

}  // namespace warden

#include "tables/rtnetlink_dump.h"

#include <linux/netlink.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace warden {
namespace {

// Closes the socket on every return path.
class SocketCloser {
 public:
  explicit SocketCloser(int fd) : fd_(fd) {}
  ~SocketCloser() {
    if (fd_ >= 0) ::close(fd_);
  }
  SocketCloser(const SocketCloser&) = delete;
  SocketCloser& operator=(const SocketCloser&) = delete;

 private:
  int fd_;
};

}  // namespace

Result<std::vector<std::string>> DumpRtnetlink(uint16_t message_type, uint8_t family,
                                               std::chrono::milliseconds timeout) {
  int fd = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) return Unavailable(std::string("netlink socket: ") + std::strerror(errno));
  SocketCloser closer(fd);

  // rtmsg is the largest fixed header of the requests we send; the kernel
  // reads only the family byte of a dump request, which every header has
  // first.
  struct {
    nlmsghdr header;
    rtmsg body;
  } request{};
  constexpr uint32_t kSequence = 1;
  request.header.nlmsg_len = NLMSG_LENGTH(sizeof(rtmsg));
  request.header.nlmsg_type = message_type;
  request.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  request.header.nlmsg_seq = kSequence;
  request.body.rtm_family = family;
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (::sendto(fd, &request, request.header.nlmsg_len, 0, reinterpret_cast<sockaddr*>(&kernel),
               sizeof kernel) < 0) {
    return IoError(std::string("netlink send: ") + std::strerror(errno));
  }

  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::vector<std::string> messages;
  std::string buffer(64 * 1024, '\0');
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return Timeout("netlink dump did not finish in time");
    pollfd pfd{fd, POLLIN, 0};
    int ready = ::poll(&pfd, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) return IoError(std::string("netlink poll: ") + std::strerror(errno));
    if (ready == 0) continue;  // the deadline check above ends the loop

    ssize_t n = ::recv(fd, buffer.data(), buffer.size(), MSG_DONTWAIT);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n < 0) return IoError(std::string("netlink receive: ") + std::strerror(errno));

    auto* header = reinterpret_cast<const nlmsghdr*>(buffer.data());
    auto remaining = static_cast<unsigned int>(n);
    for (; NLMSG_OK(header, remaining); header = NLMSG_NEXT(header, remaining)) {
      if (header->nlmsg_seq != kSequence) continue;  // not an answer to our request
      if (header->nlmsg_type == NLMSG_DONE) return messages;
      if (header->nlmsg_type == NLMSG_ERROR) {
        const auto* error = static_cast<const nlmsgerr*>(NLMSG_DATA(header));
        if (header->nlmsg_len >= NLMSG_LENGTH(sizeof(nlmsgerr)) && error->error != 0) {
          return IoError(std::string("netlink dump: ") + std::strerror(-error->error));
        }
        continue;
      }
      messages.emplace_back(reinterpret_cast<const char*>(header), header->nlmsg_len);
    }
  }
}

void ForEachNestedRtAttribute(
    std::string_view attributes,
    const std::function<void(uint16_t type, std::string_view payload)>& fn) {
  size_t offset = 0;
  while (offset + sizeof(rtattr) <= attributes.size()) {
    rtattr attribute;
    std::memcpy(&attribute, attributes.data() + offset, sizeof attribute);
    if (attribute.rta_len < sizeof(rtattr) || offset + attribute.rta_len > attributes.size())
      return;
    fn(attribute.rta_type,
       attributes.substr(offset + RTA_LENGTH(0), attribute.rta_len - RTA_LENGTH(0)));
    offset += RTA_ALIGN(attribute.rta_len);
  }
}

void ForEachRtAttribute(std::string_view message, size_t header_size,
                        const std::function<void(uint16_t type, std::string_view payload)>& fn) {
  size_t start = NLMSG_LENGTH(0) + NLMSG_ALIGN(header_size);
  if (start > message.size()) return;
  ForEachNestedRtAttribute(message.substr(start), fn);
}

}  // namespace warden

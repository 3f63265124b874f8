#include "detectors/open_ports_detector.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sql/table.h"

namespace warden {
namespace {

// A socket this test owns: TCP listening or UDP bound, on an ephemeral port.
class OwnSocket {
 public:
  OwnSocket(int type, const char* address) {
    fd_ = socket(AF_INET, type, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    inet_pton(AF_INET, address, &a.sin_addr);
    if (bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        (type == SOCK_STREAM && listen(fd_, 1) != 0))
      ADD_FAILURE() << "cannot bind a socket on " << address;
    socklen_t len = sizeof a;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  ~OwnSocket() { close(fd_); }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

constexpr RiskLevel kRisk = RiskLevel::kHigh;

OpenPortsSettings Settings() { return OpenPortsSettings(); }

std::vector<ListeningSocket> ReadLive() {
  TableRegistry registry;
  RegisterBuiltinTables(registry);
  HostFs fs("/");
  auto engine = SqlEngine::Open(&registry, &fs);
  EXPECT_TRUE(engine.ok());
  if (!engine.ok()) return {};
  auto s = ReadListeningSockets(**engine, std::chrono::milliseconds(30000), nullptr);
  EXPECT_TRUE(s.ok()) << s.status().message();
  return s.ok() ? *s : std::vector<ListeningSocket>{};
}

const Finding* FindPort(const Observation& obs, const std::string& proto, int port) {
  for (const auto& f : obs.findings)
    if (f.attributes["port"] == port && f.attributes["protocol"] == proto) return &f;
  return nullptr;
}

TEST(OpenPortsDetectorTest, ReportsThisProcessListeningWithItsDetails) {
  OwnSocket tcp(SOCK_STREAM, "0.0.0.0");
  OwnSocket udp(SOCK_DGRAM, "0.0.0.0");
  Observation obs = DetectOpenPorts(ReadLive(), Settings(), kRisk, "h1", 1000);
  const Finding* f = FindPort(obs, "tcp", tcp.port());
  ASSERT_NE(f, nullptr) << "tcp port " << tcp.port() << " not reported";
  EXPECT_EQ(f->evidence["pid"], getpid());
  char exe[4096] = {0};
  ASSERT_GT(readlink("/proc/self/exe", exe, sizeof exe - 1), 0);
  EXPECT_EQ(f->attributes["process"], std::string(exe));
  EXPECT_EQ(f->attributes["address"], "0.0.0.0");
  EXPECT_EQ(f->attributes["user"], getuid() == 0 ? "root" : f->attributes["user"]);
  EXPECT_EQ(f->risk_level, RiskLevel::kHigh);
  EXPECT_NE(f->description.find(std::to_string(tcp.port())), std::string::npos);
  EXPECT_NE(FindPort(obs, "udp", udp.port()), nullptr);
}

TEST(OpenPortsDetectorTest, AllowedPortsAndRangesAreNotReported) {
  OwnSocket tcp(SOCK_STREAM, "0.0.0.0");
  OwnSocket udp(SOCK_DGRAM, "0.0.0.0");
  OpenPortsSettings settings;
  settings.allowed_tcp = {PortRange{tcp.port() - 1, tcp.port() + 1}};
  settings.allowed_udp = {PortRange{udp.port(), udp.port()}};
  Observation obs = DetectOpenPorts(ReadLive(), settings, kRisk, "h1", 1000);
  EXPECT_EQ(FindPort(obs, "tcp", tcp.port()), nullptr);
  EXPECT_EQ(FindPort(obs, "udp", udp.port()), nullptr);
}

TEST(OpenPortsDetectorTest, LoopbackIsIgnoredUnlessAsked) {
  OwnSocket tcp(SOCK_STREAM, "127.0.0.1");
  std::vector<ListeningSocket> live = ReadLive();
  EXPECT_EQ(FindPort(DetectOpenPorts(live, Settings(), kRisk, "h1", 1000), "tcp", tcp.port()),
            nullptr);
  OpenPortsSettings settings;
  settings.report_loopback = true;
  EXPECT_NE(FindPort(DetectOpenPorts(live, settings, kRisk, "h1", 1000), "tcp", tcp.port()),
            nullptr);
}

TEST(OpenPortsDetectorTest, SameSocketKeyIsOneStableProblem) {
  ListeningSocket a;
  a.pid = 10;
  a.port = 8080;
  a.protocol = "tcp";
  a.family = 2;
  a.address = "0.0.0.0";
  a.process_path = "/usr/sbin/nginx";
  ListeningSocket b = a;
  b.pid = 11;
  auto obs1 = DetectOpenPorts({a, b}, Settings(), kRisk, "h1", 1000);
  ASSERT_EQ(obs1.findings.size(), 1u);
  EXPECT_EQ(obs1.findings[0].evidence["pids"], Json({10, 11}));
  a.pid = 99;  // restarted
  auto obs2 = DetectOpenPorts({a}, Settings(), kRisk, "h1", 2000);
  EXPECT_EQ(obs2.findings[0].id, obs1.findings[0].id);
  EXPECT_EQ(obs2.findings[0].attributes, obs1.findings[0].attributes)
      << "a new pid is not a change";
}

TEST(OpenPortsDetectorTest, LoopbackAddresses) {
  EXPECT_TRUE(IsLoopbackAddress("127.0.0.53"));
  EXPECT_TRUE(IsLoopbackAddress("::1"));
  EXPECT_TRUE(IsLoopbackAddress("::ffff:127.0.0.1"));
  EXPECT_FALSE(IsLoopbackAddress("0.0.0.0"));
  EXPECT_FALSE(IsLoopbackAddress("::"));
  EXPECT_FALSE(IsLoopbackAddress("10.0.0.127"));
}

}  // namespace
}  // namespace warden

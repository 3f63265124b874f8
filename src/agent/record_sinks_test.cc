#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/hmac.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "agent/http_record_sinks.h"
#include "agent/record_sink.h"
#include "agent/syslog_record_sink.h"
#include "agent/test_http_receiver.h"
#include "testing/test_util.h"

namespace warden {
namespace {

using testing::TempDir;
using testing::TestHttpReceiver;

AgentRecord MakeRecord(const std::string& id, RecordKind kind = RecordKind::kProblem,
                       int severity = 4) {
  AgentRecord r;
  r.kind = kind;
  r.id = id;
  r.time_ms = 1704888000123;
  r.syslog_severity = severity;
  r.body = {{"record_id", id}, {"title", "port 8080 \"open\" ]"}, {"n", 1}};
  r.ocsf = Json{{"class_uid", 2004}, {"record", id}};
  return r;
}

std::vector<QueuedRecord> Prepared(const RecordSink& sink, const std::vector<std::string>& ids) {
  std::vector<QueuedRecord> out;
  for (const auto& id : ids) out.push_back(sink.Prepare(MakeRecord(id)));
  return out;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(FileRecordSinkTest, RotatesBySizeKeepingMaxFiles) {
  TempDir dir;
  SinkConfig c;
  c.name = "f";
  c.type = SinkType::kFile;
  c.path = dir.path() + "/out/results.jsonl";
  c.max_file_bytes = 300;
  c.max_files = 3;
  FileRecordSink sink(c);
  for (int i = 0; i < 20; ++i)
    ASSERT_TRUE(sink.Deliver(Prepared(sink, {"r" + std::to_string(i)})).ok());
  EXPECT_TRUE(std::filesystem::exists(c.path));
  EXPECT_TRUE(std::filesystem::exists(c.path + ".1"));
  EXPECT_TRUE(std::filesystem::exists(c.path + ".2"));
  EXPECT_FALSE(std::filesystem::exists(c.path + ".3"));
  for (const auto& p : {c.path, c.path + ".1", c.path + ".2"})
    EXPECT_LE(std::filesystem::file_size(p), 300u);
  // The newest record is in the current file, each line is one JSON object.
  std::string current = ReadAll(c.path);
  EXPECT_NE(current.find("\"r19\""), std::string::npos);
  std::istringstream lines(current);
  for (std::string line; std::getline(lines, line);)
    EXPECT_FALSE(Json::parse(line, nullptr, false).is_discarded());
}

TEST(FileRecordSinkTest, OcsfFormatRendersProblemsAsOcsf) {
  TempDir dir;
  SinkConfig c;
  c.type = SinkType::kFile;
  c.path = dir.path() + "/p.jsonl";
  c.format = "ocsf";
  FileRecordSink sink(c);
  ASSERT_TRUE(sink.Deliver(Prepared(sink, {"x1"})).ok());
  Json line = Json::parse(ReadAll(c.path));
  EXPECT_EQ(line["class_uid"], 2004);
}

TEST(SyslogFormatTest, Rfc5424HeaderStructuredDataAndMessage) {
  std::string m = FormatRfc5424(16, 3, 1704888000123, "web 1", "warden", 42, "problems", "id\"]\\x",
                                "{\"a\":1}");
  EXPECT_EQ(m,
            "<131>1 2024-01-10T12:00:00.123Z web_1 warden 42 problems [warden@32473 "
            "id=\"id\\\"\\]\\\\x\"] {\"a\":1}");
}

// A real rsyslogd in the foreground, listening on unprivileged ports and a
// socket in a temp dir, writing what it parsed (RFC 5424 fields) to a file.
class RsyslogServer {
 public:
  explicit RsyslogServer(const TempDir& dir) : dir_(dir.path()) {
    udp_port_ = FreePort(SOCK_DGRAM);
    tcp_port_ = FreePort(SOCK_STREAM);
    out_ = dir_ + "/received.log";
    unix_socket_ = dir_ + "/log.sock";
    std::string conf =
        "global(workDirectory=\"" + dir_ +
        "\")\n"
        "module(load=\"imudp\")\nmodule(load=\"imtcp\")\n"
        "module(load=\"imuxsock\" SysSock.Use=\"off\")\n"
        "input(type=\"imudp\" address=\"127.0.0.1\" port=\"" +
        std::to_string(udp_port_) +
        "\")\n"
        "input(type=\"imtcp\" address=\"127.0.0.1\" port=\"" +
        std::to_string(tcp_port_) +
        "\")\n"
        "input(type=\"imuxsock\" Socket=\"" +
        unix_socket_ +
        "\" UseSpecialParser=\"off\" ParseHostname=\"on\")\n"
        "template(name=\"t\" type=\"string\" "
        "string=\"%inputname%|%protocol-version%|%syslogfacility%|"
        "%syslogseverity%|%hostname%|%app-name%|%msgid%|%structured-data%|%msg%\\n\")\n"
        "*.* action(type=\"omfile\" file=\"" +
        out_ + "\" template=\"t\")\n";
    dir.WriteFile("rsyslog.conf", conf);
    pid_ = fork();
    if (pid_ == 0) {
      execlp("rsyslogd", "rsyslogd", "-n", "-f", (dir_ + "/rsyslog.conf").c_str(), "-i",
             (dir_ + "/rsyslog.pid").c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    // Ready when the TCP input accepts connections and the socket exists.
    ready_ = testing::WaitFor(
        [&] { return CanConnect(tcp_port_) && std::filesystem::exists(unix_socket_); },
        std::chrono::seconds(10), std::chrono::milliseconds(20));
  }
  ~RsyslogServer() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
  }
  bool ready() const { return ready_; }
  int udp_port() const { return udp_port_; }
  int tcp_port() const { return tcp_port_; }
  const std::string& unix_socket() const { return unix_socket_; }
  // Lines received through one input, waiting up to 10 s for `count` of them.
  std::vector<std::string> Lines(const std::string& input, size_t count) const {
    std::vector<std::string> out;
    testing::WaitFor(
        [&] {
          out.clear();
          std::istringstream in(ReadAll(out_));
          for (std::string line; std::getline(in, line);)
            if (line.rfind(input + "|", 0) == 0) out.push_back(line);
          return out.size() >= count;
        },
        std::chrono::seconds(10), std::chrono::milliseconds(20));
    return out;
  }

 private:
  static int FreePort(int type) {
    int fd = socket(AF_INET, type, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
      ADD_FAILURE() << "bind to a free loopback port: " << std::strerror(errno);
    socklen_t len = sizeof a;
    getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    close(fd);
    return ntohs(a.sin_port);
  }
  static bool CanConnect(int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<uint16_t>(port));
    bool ok = connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    close(fd);
    return ok;
  }
  std::string dir_, out_, unix_socket_;
  int udp_port_ = 0, tcp_port_ = 0;
  pid_t pid_ = -1;
  bool ready_ = false;
};

void ExpectRfc5424Lines(const std::vector<std::string>& lines,
                        const std::vector<std::string>& ids) {
  ASSERT_EQ(lines.size(), ids.size());
  for (size_t i = 0; i < lines.size(); ++i) {
    std::vector<std::string> f;
    std::string rest = lines[i];
    for (int k = 0; k < 8; ++k) {
      size_t bar = rest.find('|');
      f.push_back(rest.substr(0, bar));
      rest = rest.substr(bar + 1);
    }
    EXPECT_EQ(f[1], "1") << "RFC 5424 version: " << lines[i];
    EXPECT_EQ(f[2], "16") << "facility local0";
    EXPECT_EQ(f[3], "4") << "severity of the record";
    EXPECT_EQ(f[4], "warden-test-host");
    EXPECT_EQ(f[5], "warden");
    EXPECT_EQ(f[6], "problems");
    EXPECT_NE(f[7].find("id=\"" + ids[i] + "\""), std::string::npos) << f[7];
    Json msg = Json::parse(TrimWhitespace(rest), nullptr, false);
    ASSERT_FALSE(msg.is_discarded()) << rest;
    EXPECT_EQ(msg["record_id"], ids[i]);
  }
}

TEST(SyslogRecordSinkTest, RsyslogReceivesRfc5424OverUdpTcpAndUnixSocket) {
  TempDir dir;
  RsyslogServer rsyslog(dir);
  ASSERT_TRUE(rsyslog.ready()) << "rsyslogd did not start";
  SinkConfig c;
  c.name = "s";
  c.type = SinkType::kSyslog;
  c.facility = 16;

  c.transport = SyslogTransport::kUdp;
  c.host = "127.0.0.1";
  c.port = rsyslog.udp_port();
  SyslogRecordSink udp(c, "warden-test-host");
  ASSERT_TRUE(udp.Deliver(Prepared(udp, {"u1", "u2"})).ok());
  ExpectRfc5424Lines(rsyslog.Lines("imudp", 2), {"u1", "u2"});

  c.transport = SyslogTransport::kTcp;
  c.port = rsyslog.tcp_port();
  SyslogRecordSink tcp(c, "warden-test-host");
  ASSERT_TRUE(tcp.Deliver(Prepared(tcp, {"t1", "t2", "t3"})).ok());
  ASSERT_TRUE(tcp.Deliver(Prepared(tcp, {"t4"})).ok()) << "the connection is reused";
  ExpectRfc5424Lines(rsyslog.Lines("imtcp", 4), {"t1", "t2", "t3", "t4"});

  c.transport = SyslogTransport::kUnix;
  c.socket_path = rsyslog.unix_socket();
  SyslogRecordSink local(c, "warden-test-host");
  ASSERT_TRUE(local.Deliver(Prepared(local, {"x1"})).ok());
  ExpectRfc5424Lines(rsyslog.Lines("imuxsock", 1), {"x1"});
}

TEST(SyslogRecordSinkTest, TcpReceiverDownIsAnError) {
  SinkConfig c;
  c.type = SinkType::kSyslog;
  c.transport = SyslogTransport::kTcp;
  c.host = "127.0.0.1";
  c.port = 1;  // nothing listens on tcpmux
  SyslogRecordSink sink(c, "h");
  EXPECT_FALSE(sink.Deliver(Prepared(sink, {"a"})).ok());
}

std::string OpenSslHmacHex(const std::string& key, const std::string& data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), md, &len);
  std::string hex;
  char b[3];
  for (unsigned int i = 0; i < len; ++i) {
    std::snprintf(b, sizeof b, "%02x", md[i]);
    hex += b;
  }
  return hex;
}

TEST(HttpRecordSinksTest, WebhookBatchIsSignedWithHmacSha256AndCarriesIds) {
  TestHttpReceiver receiver;
  SinkConfig c;
  c.name = "w";
  c.type = SinkType::kWebhook;
  c.url = receiver.url("/hook");
  c.secret = "0123456789abcdef-secret";
  c.headers = {{"X-Team", "blue"}};
  auto sink = MakeWebhookRecordSink(c, "h1");
  ASSERT_TRUE(sink.ok());
  ASSERT_TRUE((*sink)->Deliver(Prepared(**sink, {"a", "b"})).ok());
  auto reqs = receiver.accepted();
  ASSERT_EQ(reqs.size(), 1u);
  const auto& r = reqs[0];
  EXPECT_EQ(r.path, "/hook");
  EXPECT_EQ(r.headers.at("x-team"), "blue");
  const std::string ts = r.headers.at("x-warden-timestamp");
  EXPECT_EQ(r.headers.at("x-warden-signature"),
            "sha256=" + OpenSslHmacHex(c.secret, ts + "." + r.body));
  Json body = Json::parse(r.body);
  ASSERT_EQ(body["records"].size(), 2u);
  EXPECT_EQ(body["records"][0]["id"], "a");
  EXPECT_EQ(body["records"][1]["record"]["record_id"], "b");
  EXPECT_EQ(body["host"], "h1");
}

TEST(HttpRecordSinksTest, SplunkHecSendsEventsWithTokenAndRecordIds) {
  TestHttpReceiver receiver;
  receiver.SetStatus(200, "{\"text\":\"Success\",\"code\":0}");
  SinkConfig c;
  c.name = "hec";
  c.type = SinkType::kSplunkHec;
  c.url = receiver.url("");
  c.token = "tok-1";
  c.index = "sec";
  auto sink = MakeSplunkHecRecordSink(c, "h1");
  ASSERT_TRUE(sink.ok());
  ASSERT_TRUE((*sink)->Deliver(Prepared(**sink, {"a", "b"})).ok());
  auto reqs = receiver.accepted();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].path, "/services/collector/event");
  EXPECT_EQ(reqs[0].headers.at("authorization"), "Splunk tok-1");
  std::istringstream events(reqs[0].body);
  std::vector<Json> parsed;
  for (std::string line; std::getline(events, line);)
    if (!line.empty()) parsed.push_back(Json::parse(line));
  ASSERT_EQ(parsed.size(), 2u);
  EXPECT_EQ(parsed[0]["fields"]["record_id"], "a");
  EXPECT_EQ(parsed[0]["fields"]["kind"], "problems");
  EXPECT_EQ(parsed[0]["index"], "sec");
  EXPECT_EQ(parsed[0]["host"], "h1");
  EXPECT_DOUBLE_EQ(parsed[0]["time"].get<double>(), 1704888000.123);
  EXPECT_EQ(parsed[1]["event"]["record_id"], "b");
}

TEST(HttpRecordSinksTest, ErrorAnswersAreNotAcknowledged) {
  TestHttpReceiver receiver;
  SinkConfig c;
  c.type = SinkType::kSplunkHec;
  c.url = receiver.url("");
  c.token = "t";
  auto hec = MakeSplunkHecRecordSink(c, "h");
  receiver.SetStatus(503, "busy");
  EXPECT_FALSE((*hec)->Deliver(Prepared(**hec, {"a"})).ok());
  receiver.SetStatus(200, "{\"text\":\"Invalid token\",\"code\":4}");
  EXPECT_FALSE((*hec)->Deliver(Prepared(**hec, {"a"})).ok()) << "HEC code != 0 is a failure";
  receiver.Stop();
  EXPECT_FALSE((*hec)->Deliver(Prepared(**hec, {"a"})).ok()) << "connection refused";
}

}  // namespace
}  // namespace warden

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

#include "delivery/file_sink.h"
#include "delivery/splunk_hec_sink.h"
#include "delivery/syslog_sink.h"
#include "delivery/test_http_receiver.h"
#include "delivery/webhook_sink.h"
#include "problems/problem_rendering.h"
#include "testing/test_util.h"

namespace warden {
namespace {

using testing::TempDir;
using testing::TestHttpReceiver;

Record MakeRecord(const std::string& id, RecordKind kind = RecordKind::kProblem, int severity = 4) {
  Record r;
  r.kind = kind;
  r.id = id;
  r.time_ms = 1704888000123;
  r.syslog_severity = severity;
  r.body = {{"record_id", id}, {"title", "port 8080 \"open\" ]"}, {"n", 1}};
  return r;
}

// A sink config of `type` with its settings.
template <typename Settings>
SinkConfig Config(const std::string& type, std::shared_ptr<Settings> settings) {
  SinkConfig c;
  c.name = type;
  c.type = type;
  c.queued = FindSinkType(type)->queued;
  c.settings = std::move(settings);
  return c;
}

std::unique_ptr<Sink> Make(const SinkConfig& c, const std::string& host = "h") {
  SinkContext context;
  context.host_identifier = host;
  auto sink = MakeSink(c, context);
  EXPECT_TRUE(sink.ok()) << sink.status().message();
  return sink.ok() ? std::move(*sink) : nullptr;
}

std::vector<QueuedRecord> Prepared(const Sink& sink, const std::vector<std::string>& ids) {
  std::vector<QueuedRecord> out;
  for (const auto& id : ids) out.push_back(sink.Prepare(MakeRecord(id)));
  return out;
}

TEST(FileSinkTest, RotatesBySizeKeepingMaxFiles) {
  TempDir dir;
  auto f = std::make_shared<FileSinkSettings>();
  f->path = dir.path() + "/out/results.jsonl";
  f->max_file_bytes = 300;
  f->max_files = 3;
  auto sink = Make(Config("file", f));
  for (int i = 0; i < 20; ++i)
    ASSERT_TRUE(sink->Deliver(Prepared(*sink, {"r" + std::to_string(i)})).ok());
  EXPECT_TRUE(std::filesystem::exists(f->path));
  EXPECT_TRUE(std::filesystem::exists(f->path + ".1"));
  EXPECT_TRUE(std::filesystem::exists(f->path + ".2"));
  EXPECT_FALSE(std::filesystem::exists(f->path + ".3"));
  for (const auto& p : {f->path, f->path + ".1", f->path + ".2"})
    EXPECT_LE(std::filesystem::file_size(p), 300u);
  // The newest record is in the current file, each line is one JSON object.
  std::string current = testing::ReadFileText(f->path);
  EXPECT_NE(current.find("\"r19\""), std::string::npos);
  std::istringstream lines(current);
  for (std::string line; std::getline(lines, line);)
    EXPECT_FALSE(Json::parse(line, nullptr, false).is_discarded());
}

TEST(FileSinkTest, TheSinksFormatChoosesTheRendering) {
  TempDir dir;
  ProblemEvent e;
  e.action = ProblemAction::kOpened;
  e.at = 1704888000;
  e.problem.id = "p1";
  e.problem.rule_id = "HOST-OPEN-PORTS";
  e.problem.revision = 1;
  const Record problem = ProblemEventRecord(e);
  for (RecordFormat format : {RecordFormat::kOcsf, RecordFormat::kWarden}) {
    auto f = std::make_shared<FileSinkSettings>();
    f->path = dir.path() + "/" + std::string(RecordFormatName(format)) + ".jsonl";
    SinkConfig c = Config("file", f);
    c.format = format;
    auto sink = Make(c);
    ASSERT_TRUE(sink->Deliver({sink->Prepare(problem), sink->Prepare(MakeRecord("r1"))}).ok());
    std::istringstream lines(testing::ReadFileText(f->path));
    std::string first, second;
    std::getline(lines, first);
    std::getline(lines, second);
    EXPECT_EQ(Json::parse(first),
              format == RecordFormat::kOcsf ? ProblemEventToOcsf(e) : ProblemEventToJson(e));
    EXPECT_EQ(Json::parse(second)["record_id"], "r1") << "generic records keep their JSON";
  }
  EXPECT_EQ(Json::parse(RenderRecordJson(problem, RecordFormat::kOcsf))["class_uid"], 2004);
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
          std::istringstream in(testing::ReadFileText(out_));
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

TEST(SyslogSinkTest, RsyslogReceivesRfc5424OverUdpTcpAndUnixSocket) {
  TempDir dir;
  RsyslogServer rsyslog(dir);
  ASSERT_TRUE(rsyslog.ready()) << "rsyslogd did not start";
  auto settings = [](SyslogTransport transport) {
    auto s = std::make_shared<SyslogSinkSettings>();
    s->facility = 16;
    s->transport = transport;
    s->host = "127.0.0.1";
    return s;
  };

  auto u = settings(SyslogTransport::kUdp);
  u->port = rsyslog.udp_port();
  auto udp = Make(Config("syslog", u), "warden-test-host");
  ASSERT_TRUE(udp->Deliver(Prepared(*udp, {"u1", "u2"})).ok());
  ExpectRfc5424Lines(rsyslog.Lines("imudp", 2), {"u1", "u2"});

  auto t = settings(SyslogTransport::kTcp);
  t->port = rsyslog.tcp_port();
  auto tcp = Make(Config("syslog", t), "warden-test-host");
  ASSERT_TRUE(tcp->Deliver(Prepared(*tcp, {"t1", "t2", "t3"})).ok());
  ASSERT_TRUE(tcp->Deliver(Prepared(*tcp, {"t4"})).ok()) << "the connection is reused";
  ExpectRfc5424Lines(rsyslog.Lines("imtcp", 4), {"t1", "t2", "t3", "t4"});

  auto x = settings(SyslogTransport::kUnix);
  x->socket_path = rsyslog.unix_socket();
  auto local = Make(Config("syslog", x), "warden-test-host");
  ASSERT_TRUE(local->Deliver(Prepared(*local, {"x1"})).ok());
  ExpectRfc5424Lines(rsyslog.Lines("imuxsock", 1), {"x1"});
}

TEST(SyslogSinkTest, TcpReceiverDownIsAnError) {
  auto s = std::make_shared<SyslogSinkSettings>();
  s->transport = SyslogTransport::kTcp;
  s->host = "127.0.0.1";
  s->port = 1;  // nothing listens on tcpmux
  auto sink = Make(Config("syslog", s));
  EXPECT_FALSE(sink->Deliver(Prepared(*sink, {"a"})).ok());
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

TEST(HttpSinksTest, WebhookBatchIsSignedWithHmacSha256AndCarriesIds) {
  TestHttpReceiver receiver;
  auto w = std::make_shared<WebhookSinkSettings>();
  w->url = receiver.url("/hook");
  w->secret = "0123456789abcdef-secret";
  w->headers = {{"X-Team", "blue"}};
  auto sink = Make(Config("webhook", w), "h1");
  ASSERT_TRUE(sink->Deliver(Prepared(*sink, {"a", "b"})).ok());
  auto reqs = receiver.accepted();
  ASSERT_EQ(reqs.size(), 1u);
  const auto& r = reqs[0];
  EXPECT_EQ(r.path, "/hook");
  EXPECT_EQ(r.headers.at("x-team"), "blue");
  const std::string ts = r.headers.at("x-warden-timestamp");
  EXPECT_EQ(r.headers.at("x-warden-signature"),
            "sha256=" + OpenSslHmacHex(w->secret, ts + "." + r.body));
  Json body = Json::parse(r.body);
  ASSERT_EQ(body["records"].size(), 2u);
  EXPECT_EQ(body["records"][0]["id"], "a");
  EXPECT_EQ(body["records"][1]["record"]["record_id"], "b");
  EXPECT_EQ(body["host"], "h1");
}

TEST(HttpSinksTest, SplunkHecSendsEventsWithTokenAndRecordIds) {
  TestHttpReceiver receiver;
  receiver.SetStatus(200, "{\"text\":\"Success\",\"code\":0}");
  auto h = std::make_shared<SplunkHecSinkSettings>();
  h->url = receiver.url("");
  h->token = "tok-1";
  h->index = "sec";
  auto sink = Make(Config("splunk_hec", h), "h1");
  ASSERT_TRUE(sink->Deliver(Prepared(*sink, {"a", "b"})).ok());
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

TEST(HttpSinksTest, ErrorAnswersAreNotAcknowledged) {
  TestHttpReceiver receiver;
  auto h = std::make_shared<SplunkHecSinkSettings>();
  h->url = receiver.url("");
  h->token = "t";
  auto hec = Make(Config("splunk_hec", h));
  receiver.SetStatus(503, "busy");
  EXPECT_FALSE(hec->Deliver(Prepared(*hec, {"a"})).ok());
  receiver.SetStatus(200, "{\"text\":\"Invalid token\",\"code\":4}");
  EXPECT_FALSE(hec->Deliver(Prepared(*hec, {"a"})).ok()) << "HEC code != 0 is a failure";
  receiver.Stop();
  EXPECT_FALSE(hec->Deliver(Prepared(*hec, {"a"})).ok()) << "connection refused";
}

TEST(SinkRegistryTest, EveryTypeParsesItsOwnKeysAndNamesUnknownOnesExactly) {
  YamlReader reader("agent.yaml", "/etc/warden");
  auto parse = [&](const std::string& yaml) {
    return ParseSinkConfig(reader, YAML::Load(yaml), "sinks[0]", "/var/lib/warden");
  };
  auto file = parse("{name: f, type: file, path: out.jsonl, max_files: 2}");
  ASSERT_TRUE(file.ok()) << file.status().message();
  ASSERT_NE(file->SettingsAs<FileSinkSettings>(), nullptr);
  EXPECT_EQ(file->SettingsAs<FileSinkSettings>()->path, "/var/lib/warden/out.jsonl");
  EXPECT_FALSE(file->queued);
  auto slack = parse("{name: s, type: slack, url: 'https://hooks.slack.test/x'}");
  ASSERT_TRUE(slack.ok()) << slack.status().message();
  EXPECT_TRUE(slack->queued);
  auto typo = parse("{name: f, type: file, path: x, max_filez: 2}");
  ASSERT_FALSE(typo.ok());
  EXPECT_NE(typo.status().message().find("sinks[0].max_filez: unknown key 'max_filez'; did you "
                                         "mean 'max_files'?"),
            std::string::npos)
      << typo.status().message();
  auto wrong_type = parse("{name: f, type: kafka}");
  ASSERT_FALSE(wrong_type.ok());
  EXPECT_NE(wrong_type.status().message().find(
                "unknown sink type 'kafka' (use file, stdout, syslog, splunk_hec, webhook, "
                "slack or server)"),
            std::string::npos)
      << wrong_type.status().message();
}

}  // namespace
}  // namespace warden

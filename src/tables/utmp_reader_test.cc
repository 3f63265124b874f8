// Tests of the utmp/wtmp record decoder against records laid out by glibc's
// own struct utmp, including truncated files.
#include "tables/utmp_reader.h"

#include <gtest/gtest.h>
#include <utmp.h>

#include <algorithm>
#include <cstring>
#include <string>

namespace warden {
namespace {

// Records are built with glibc's own struct utmp, so these tests check our
// byte offsets against the system's layout rather than against themselves.
static_assert(sizeof(struct utmp) == kUtmpRecordSize, "glibc utmp record size");

// Copies text into a fixed char array, NUL-padded, truncating like utmp does.
template <size_t N>
void CopyField(char (&field)[N], const char* text) {
  std::memset(field, 0, N);
  std::memcpy(field, text, std::min(std::strlen(text), N));
}

std::string GlibcRecord(short type, pid_t pid, const char* line, const char* user, const char* host,
                        int32_t sec, int32_t usec) {
  struct utmp u;
  std::memset(&u, 0, sizeof u);
  u.ut_type = type;
  u.ut_pid = pid;
  CopyField(u.ut_line, line);
  CopyField(u.ut_id, "ts/1");
  CopyField(u.ut_user, user);
  CopyField(u.ut_host, host);
  u.ut_exit.e_termination = 3;
  u.ut_exit.e_exit = 4;
  u.ut_session = 77;
  u.ut_tv.tv_sec = sec;
  u.ut_tv.tv_usec = usec;
  return std::string(reinterpret_cast<const char*>(&u), sizeof u);
}

TEST(UtmpReaderTest, DecodesEveryFieldOfAGlibcRecord) {
  auto recs = ParseUtmp(
      GlibcRecord(USER_PROCESS, 4242, "pts/3", "alice", "203.0.113.9", 1700000000, 123456));
  ASSERT_EQ(recs.size(), 1u);
  const UtmpRecord& r = recs[0];
  EXPECT_EQ(r.type, kUtUserProcess);
  EXPECT_EQ(r.pid, 4242);
  EXPECT_EQ(r.line, "pts/3");
  EXPECT_EQ(r.id, "ts/1");
  EXPECT_EQ(r.user, "alice");
  EXPECT_EQ(r.host, "203.0.113.9");
  EXPECT_EQ(r.exit_termination, 3);
  EXPECT_EQ(r.exit_status, 4);
  EXPECT_EQ(r.session, 77);
  EXPECT_EQ(r.time_sec, 1700000000);
  EXPECT_EQ(r.time_usec, 123456);
}

TEST(UtmpReaderTest, FieldsFillingTheirWholeArrayAreNotOverread) {
  std::string user(32, 'u');  // no terminating NUL in ut_user
  auto recs = ParseUtmp(GlibcRecord(USER_PROCESS, 1, "tty1", user.c_str(), "h", 1, 0));
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].user, user);
  EXPECT_EQ(recs[0].host, "h");
}

TEST(UtmpReaderTest, TrailingPartialRecordIsIgnored) {
  std::string bytes = GlibcRecord(BOOT_TIME, 0, "~", "reboot", "6.1.0", 1, 0) +
                      GlibcRecord(USER_PROCESS, 9, "pts/0", "bob", "", 2, 0);
  bytes += bytes.substr(0, 100);
  auto recs = ParseUtmp(bytes);
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[0].type, kUtBootTime);
  EXPECT_EQ(recs[1].user, "bob");
}

TEST(UtmpReaderTest, EmptyAndShortInputGiveNoRecords) {
  EXPECT_TRUE(ParseUtmp("").empty());
  EXPECT_TRUE(ParseUtmp(std::string(kUtmpRecordSize - 1, '\xff')).empty());
}

}  // namespace
}  // namespace warden

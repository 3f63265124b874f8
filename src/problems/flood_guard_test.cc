#include "problems/flood_guard.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace warden {
namespace {

Finding Fired(const std::string& rule, const std::string& subject) {
  Finding f;
  f.rule_id = rule;
  f.id = MakeFindingId({"host.ebpf", rule, subject});
  f.title = "Program executed from /tmp";
  f.source = "host.ebpf";
  f.resource = subject;
  f.description = "ran " + subject;
  return f;
}

TEST(FloodGuardTest, FoldsARulesNewSubjectsBeyondTheLimitIntoOneSummary) {
  FloodGuard guard(3);
  const int64_t t = 1'700'000'040;  // 40 s into a minute
  std::set<std::string> ids;
  for (int i = 0; i < 10; ++i)
    ids.insert(guard.Admit(Fired("HOST-EXEC-FROM-TMP", "/tmp/p" + std::to_string(i)), t).id);
  EXPECT_EQ(ids.size(), 4u);  // three subjects and the summary
  EXPECT_EQ(guard.folded(), 7u);
  Finding summary = guard.Admit(Fired("HOST-EXEC-FROM-TMP", "/tmp/p42"), t + 1);
  EXPECT_EQ(summary.rule_id, "HOST-EXEC-FROM-TMP");
  EXPECT_EQ(summary.resource, "more than 3 subjects a minute");
  EXPECT_NE(summary.title.find("more than 3 different subjects in a minute"), std::string::npos);
  EXPECT_NE(summary.description.find("/tmp/p42"), std::string::npos);
  EXPECT_EQ(summary.attributes["latest_subject"], "/tmp/p42");
}

TEST(FloodGuardTest, KnownSubjectsAndOtherRulesStillPass) {
  FloodGuard guard(2);
  const int64_t t = 1'700'000'000;
  Finding a = Fired("R1", "/tmp/a");
  EXPECT_EQ(guard.Admit(a, t).id, a.id);
  EXPECT_EQ(guard.Admit(Fired("R1", "/tmp/b"), t).resource, "/tmp/b");
  EXPECT_EQ(guard.Admit(Fired("R1", "/tmp/c"), t).resource, "more than 2 subjects a minute");
  EXPECT_EQ(guard.Admit(a, t + 5).id, a.id);  // seen this minute: its own problem counts it
  EXPECT_EQ(guard.Admit(Fired("R2", "/tmp/c"), t + 5).resource, "/tmp/c");
}

TEST(FloodGuardTest, EachMinuteStartsAfresh) {
  FloodGuard guard(1);
  const int64_t t = 1'700'000'000 - 1'700'000'000 % 60;
  EXPECT_EQ(guard.Admit(Fired("R1", "/tmp/a"), t).resource, "/tmp/a");
  EXPECT_NE(guard.Admit(Fired("R1", "/tmp/b"), t + 59).resource, "/tmp/b");
  EXPECT_EQ(guard.Admit(Fired("R1", "/tmp/b"), t + 60).resource, "/tmp/b");
}

}  // namespace
}  // namespace warden

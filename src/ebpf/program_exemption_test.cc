#include "ebpf/program_exemption.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "testing/test_util.h"

namespace warden {
namespace {

TEST(ProgramExemptionTest, MatchesTheSameFileByDeviceAndInodeNotByName) {
  testing::TempDir dir;
  const std::string program = dir.WriteFile("warden", "#!/bin/sh\n");
  const std::string link = dir.path() + "/hard-link";
  ASSERT_EQ(::link(program.c_str(), link.c_str()), 0);
  const std::string copy = dir.WriteFile("copy-of-warden", "#!/bin/sh\n");

  ProgramExemption exempt(program);
  EXPECT_TRUE(exempt.Matches(program));
  EXPECT_TRUE(exempt.Matches(link));
  EXPECT_FALSE(exempt.Matches(copy));
  EXPECT_FALSE(exempt.Matches(dir.path() + "/missing"));
  EXPECT_FALSE(exempt.Matches(""));
  EXPECT_NE(exempt.Describe().find("/warden (device "), std::string::npos) << exempt.Describe();
}

TEST(ProgramExemptionTest, TheDefaultIsTheRunningBinary) {
  ProgramExemption self;
  EXPECT_TRUE(self.Matches(std::filesystem::read_symlink("/proc/self/exe").string()));
  EXPECT_FALSE(self.Matches("/bin/sh"));
}

TEST(ProgramExemptionTest, AnUnreadableProgramExemptsNothing) {
  ProgramExemption none("/nonexistent/warden");
  EXPECT_FALSE(none.Matches("/nonexistent/warden"));
  EXPECT_EQ(none.Describe(), "");
}

}  // namespace
}  // namespace warden

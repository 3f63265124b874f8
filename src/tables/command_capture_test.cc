// Tests of CaptureCommandOutput: output, exit codes, the time limit, the
// output cap, cancellation, and refusing anything but an absolute path.
#include "tables/command_capture.h"

#include <gtest/gtest.h>

namespace warden {
namespace {

using std::chrono::milliseconds;

TEST(CommandCaptureTest, CapturesStandardOutputAndExitCode) {
  auto result = CaptureCommandOutput({"/bin/echo", "hello"}, milliseconds(5000), 1024);
  ASSERT_TRUE(result.ok()) << result.status().message();
  EXPECT_EQ(result->out, "hello\n");
  EXPECT_EQ(result->exit_code, 0);
  EXPECT_FALSE(result->truncated);
  auto failing = CaptureCommandOutput({"/bin/sh", "-c", "exit 3"}, milliseconds(5000), 1024);
  ASSERT_TRUE(failing.ok());
  EXPECT_EQ(failing->exit_code, 3);
}

TEST(CommandCaptureTest, StandardErrorIsDiscarded) {
  auto result =
      CaptureCommandOutput({"/bin/sh", "-c", "echo out; echo err >&2"}, milliseconds(5000), 1024);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->out, "out\n");
}

TEST(CommandCaptureTest, ProgramPastTheTimeLimitIsKilled) {
  auto start = std::chrono::steady_clock::now();
  auto result = CaptureCommandOutput({"/bin/sleep", "30"}, milliseconds(300), 1024);
  EXPECT_EQ(result.status().code(), StatusCode::kTimeout);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

TEST(CommandCaptureTest, OutputBeyondTheCapIsDroppedAndFlagged) {
  auto result = CaptureCommandOutput({"/usr/bin/head", "-c", "100000", "/dev/zero"},
                                     milliseconds(5000), 1000);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->out.size(), 1000u);
  EXPECT_TRUE(result->truncated);
}

TEST(CommandCaptureTest, CancellationStopsTheProgram) {
  auto result =
      CaptureCommandOutput({"/bin/sleep", "30"}, milliseconds(20000), 1024, [] { return true; });
  EXPECT_EQ(result.status().code(), StatusCode::kTimeout);
}

TEST(CommandCaptureTest, OnlyAbsolutePathsOfExistingProgramsRun) {
  EXPECT_EQ(CaptureCommandOutput({"echo", "x"}, milliseconds(1000), 64).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(CaptureCommandOutput({"/nonexistent/program"}, milliseconds(1000), 64).status().code(),
            StatusCode::kNotFound);
}

}  // namespace
}  // namespace warden

#include "agent/control_socket.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/stat.h>

#include <thread>

#include "testing/test_util.h"

namespace warden {
namespace {

using testing::TempDir;

TEST(ControlSocketTest, RequestAndAnswerRoundTripWithOwnerOnlySocket) {
  TempDir dir;
  const std::string path = dir.path() + "/agent.sock";
  auto server = ControlServer::Listen(path);
  ASSERT_TRUE(server.ok()) << server.status().message();
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::thread t([&] {
    // The listening socket is non-blocking (the agent polls it): wait for
    // the client as the agent's loop does, or Accept races the connect.
    pollfd p{(*server)->fd(), POLLIN, 0};
    ASSERT_EQ(poll(&p, 1, 5000), 1);
    auto c = (*server)->Accept();
    ASSERT_TRUE(c.ok());
    ControlServer::Answer(c->first, Json{{"ok", true}, {"echo", c->second["command"]}});
  });
  auto answer =
      SendControlRequest(path, Json{{"command", "status"}}, std::chrono::milliseconds(5000));
  t.join();
  ASSERT_TRUE(answer.ok()) << answer.status().message();
  EXPECT_EQ((*answer)["echo"], "status");
}

TEST(ControlSocketTest, NoAgentIsUnavailableWithAHint) {
  TempDir dir;
  auto answer = SendControlRequest(dir.path() + "/agent.sock", Json{{"command", "status"}},
                                   std::chrono::milliseconds(1000));
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(answer.status().message().find("not running"), std::string::npos);
}

TEST(ControlSocketTest, StaleSocketFileIsReplaced) {
  TempDir dir;
  const std::string path = dir.path() + "/agent.sock";
  { auto first = ControlServer::Listen(path); }  // removed on destruction
  dir.WriteFile("agent.sock", "");               // a leftover file from a crash
  auto again = ControlServer::Listen(path);
  EXPECT_TRUE(again.ok()) << again.status().message();
}

}  // namespace
}  // namespace warden

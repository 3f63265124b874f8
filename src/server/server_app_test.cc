// The server's process-level guarantees: one server per state directory.
#include "server/server_app.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "server/server_test_support.h"

namespace warden::server {
namespace {

TEST(ServerAppTest, OneServerPerStateDirectory) {
  std::string state_dir;
  {
    testing::TestServer first({}, [&](ServerConfig& c) { state_dir = c.state_dir; });
    ASSERT_TRUE(first.ok());
    ServerAppOptions options;
    options.config = DefaultServerConfig();
    options.config.state_dir = state_dir;
    options.config.listen_address = "127.0.0.1";
    options.config.listen_port = 0;
    options.password_cost = testing::CheapPasswordCost();
    auto second = ServerApp::Start(std::move(options));
    ASSERT_FALSE(second.ok());
    const std::string message(second.status().message());
    EXPECT_NE(message.find("another warden server (pid " + std::to_string(::getpid()) + ")"),
              std::string::npos)
        << message;
    EXPECT_NE(message.find(state_dir), std::string::npos) << message;
    // restore takes the same lock.
    EXPECT_FALSE(StateDirLock::Acquire(state_dir).ok());
  }
  // The test server's folder went with it: a new one, free to lock.
  std::filesystem::create_directories(state_dir);
  auto lock = StateDirLock::Acquire(state_dir);
  EXPECT_TRUE(lock.ok()) << lock.status().message();
  std::filesystem::remove_all(state_dir);
}

}  // namespace
}  // namespace warden::server

#include "server/server_config.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "testing/test_util.h"

namespace warden::server {
namespace {

TEST(ServerConfigTest, TheDocumentedExampleParsesToTheDefaults) {
  std::string path = warden::testing::SourcePath("examples/server.yaml");
  auto config = LoadServerConfig(path);
  ASSERT_TRUE(config.ok()) << config.status().message();
  ServerConfig defaults = DefaultServerConfig();
  EXPECT_EQ(config->listen_address, defaults.listen_address);
  EXPECT_EQ(config->listen_port, defaults.listen_port);
  EXPECT_EQ(config->state_dir, defaults.state_dir);
  EXPECT_EQ(config->console_dir, defaults.console_dir);
  EXPECT_EQ(config->packages_dir, defaults.packages_dir);  // <state_dir>/packages
  EXPECT_EQ(config->io_threads, defaults.io_threads);
  EXPECT_EQ(config->worker_threads, defaults.worker_threads);
  EXPECT_EQ(config->max_body_bytes, defaults.max_body_bytes);
  EXPECT_EQ(config->idle_timeout, defaults.idle_timeout);
  EXPECT_EQ(config->session_idle, defaults.session_idle);
  EXPECT_EQ(config->session_absolute, defaults.session_absolute);
  EXPECT_EQ(config->housekeeping_interval, defaults.housekeeping_interval);
  EXPECT_TRUE(config->access_log);
  EXPECT_EQ(config->channel_poll_interval, defaults.channel_poll_interval);
  EXPECT_EQ(config->channel_queue.max_bytes, defaults.channel_queue.max_bytes);
  EXPECT_EQ(config->channel_queue.backoff_initial_ms, defaults.channel_queue.backoff_initial_ms);
  EXPECT_EQ(config->channel_queue.backoff_max_ms, defaults.channel_queue.backoff_max_ms);
  EXPECT_EQ(config->feed_database, defaults.feed_database);  // <state_dir>/feeds.db
  EXPECT_EQ(config->live_query_retention, defaults.live_query_retention);
  EXPECT_EQ(config->scheduled_query_retention, defaults.scheduled_query_retention);
  EXPECT_EQ(config->detector_run_retention, defaults.detector_run_retention);
  EXPECT_EQ(config->cloud_source_poll_interval, defaults.cloud_source_poll_interval);
}

TEST(ServerConfigTest, ReadsEveryKey) {
  auto config = ParseServerConfig(R"(
listen: "[::]:9443"
state_dir: state
console_dir: console
packages_dir: /srv/warden-packages
tls: {cert_file: a.pem, key_file: a.key, names: [warden.example.com, 10.0.0.5]}
threads: {io: 4, workers: 16}
limits: {max_body: 512KB, max_connections: 50, request_timeout: 5s, idle_timeout: 1m}
sessions: {idle: 1h, absolute: 1d}
housekeeping: {interval: 5s}
detector_runs: {retention: 14d}
cloud_sources: {poll_interval: 500ms}
channels: {poll_interval: 250ms, queue: {max_size: 8MB, backoff_initial: 2s, backoff_max: 1m}}
log: {access: false, file: server.log}
vulnerabilities: {feed_database: feeds/server-feeds.db}
)",
                                  "/etc/warden/server.yaml");
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->listen_address, "::");
  EXPECT_EQ(config->listen_port, 9443);
  EXPECT_EQ(config->state_dir, "/etc/warden/state");
  EXPECT_EQ(config->console_dir, "/etc/warden/console");
  EXPECT_EQ(config->packages_dir, "/srv/warden-packages");
  EXPECT_EQ(config->tls_cert_file, "/etc/warden/a.pem");
  EXPECT_EQ(config->tls_names.size(), 2u);
  EXPECT_EQ(config->worker_threads, 16);
  EXPECT_EQ(config->max_body_bytes, 512u * 1024);
  EXPECT_EQ(config->request_timeout, std::chrono::seconds(5));
  EXPECT_EQ(config->session_idle, std::chrono::hours(1));
  EXPECT_EQ(config->housekeeping_interval, std::chrono::seconds(5));
  EXPECT_EQ(config->detector_run_retention, std::chrono::hours(24 * 14));
  EXPECT_EQ(config->cloud_source_poll_interval, std::chrono::milliseconds(500));
  EXPECT_FALSE(config->access_log);
  EXPECT_EQ(config->log_file, "/etc/warden/server.log");
  EXPECT_EQ(config->channel_poll_interval, std::chrono::milliseconds(250));
  EXPECT_EQ(config->channel_queue.max_bytes, 8 * 1024 * 1024);
  EXPECT_EQ(config->channel_queue.backoff_initial_ms, 2000);
  EXPECT_EQ(config->channel_queue.backoff_max_ms, 60000);
  EXPECT_EQ(config->feed_database, "/etc/warden/feeds/server-feeds.db");
}

TEST(ServerConfigTest, ConsoleDirDefaultsToTheSourceTreesBuildWhenRunFromIt) {
  // The test binary runs from the build directory inside the source tree.
  EXPECT_EQ(DefaultServerConfig().console_dir, warden::testing::SourcePath("web/dist"));
}

TEST(ServerConfigTest, UnknownKeysAreErrorsNamingFileAndLine) {
  auto config = ParseServerConfig("listen: 127.0.0.1:8443\nsesions:\n  idle: 1h\n", "s.yaml");
  ASSERT_FALSE(config.ok());
  std::string message(config.status().message());
  EXPECT_NE(message.find("s.yaml:2:"), std::string::npos) << message;
  EXPECT_NE(message.find("sessions"), std::string::npos) << message;  // did you mean
}

TEST(ServerConfigTest, BadValuesSayWhatIsWrong) {
  EXPECT_FALSE(ParseServerConfig("listen: warden.example.com:8443\n", "s.yaml").ok());
  EXPECT_FALSE(ParseServerConfig("listen: 127.0.0.1:70000\n", "s.yaml").ok());
  EXPECT_FALSE(ParseServerConfig("tls: {cert_file: a.pem}\n", "s.yaml").ok());
  EXPECT_FALSE(ParseServerConfig("sessions: {idle: 2d, absolute: 1d}\n", "s.yaml").ok());
  EXPECT_FALSE(ParseServerConfig("threads: {workers: 0}\n", "s.yaml").ok());
  EXPECT_FALSE(ParseServerConfig("limits: {max_body: 2MB}\n", "s.yaml").ok());
  EXPECT_FALSE(
      ParseServerConfig("channels: {queue: {backoff_initial: 1m, backoff_max: 1s}}\n", "s.yaml")
          .ok());
  EXPECT_FALSE(ParseServerConfig("channels: {poll: 1s}\n", "s.yaml").ok());
  EXPECT_FALSE(ParseServerConfig("detector_runs: {retention: 1s}\n", "s.yaml").ok());
  auto listed = ParseServerConfig("- a\n", "s.yaml");
  ASSERT_FALSE(listed.ok());
}

TEST(ServerConfigTest, ListenAddressForms) {
  std::string address;
  uint16_t port = 0;
  ASSERT_TRUE(ParseListenAddress(":8443", &address, &port).ok());
  EXPECT_EQ(address, "0.0.0.0");
  ASSERT_TRUE(ParseListenAddress("[::1]:1", &address, &port).ok());
  EXPECT_EQ(address, "::1");
  EXPECT_EQ(port, 1);
  EXPECT_FALSE(ParseListenAddress("8443", &address, &port).ok());
}

}  // namespace
}  // namespace warden::server

#include "agent/host_event_source.h"

#include <gtest/gtest.h>

#include "agent/agent.h"

namespace warden {
namespace {

TEST(HostEventSourceTest, DisabledUnlessTheConfigEnablesHostRuntime) {
  auto off = ParseAgentConfig("state_dir: /tmp/unused\nsinks: [{name: out, type: stdout}]\n",
                              "agent.yaml");
  ASSERT_TRUE(off.ok()) << off.status().message();
  EXPECT_FALSE(HostEventSourceOptionsFor(*off).has_value());
  auto src = HostEventSourceFactory()(*off);
  ASSERT_TRUE(src.ok());
  EXPECT_EQ(*src, nullptr);
}

TEST(HostEventSourceTest, ProblemsGoToTheAgentStateFileUnderItsHostIdentifier) {
  auto config = ParseAgentConfig(R"(
state_dir: /tmp/unused-state
host: {identifier: test-host}
recipe:
  rules:
    HOST-RUNTIME: {enabled: true, settings: {forward_events: true}}
    HOST-OPEN-PORTS: {settings: {allowed_tcp: [22, 8443]}}
)",
                                 "agent.yaml");
  ASSERT_TRUE(config.ok()) << config.status().message();
  HostRuntimeOptions base;
  base.pipeline.journal_path = "/tmp/unused-journal";
  auto o = HostEventSourceOptionsFor(*config, base);
  ASSERT_TRUE(o.has_value());
  EXPECT_EQ(o->problem_store_path, StateFilePath("/tmp/unused-state"));
  EXPECT_EQ(o->host, "test-host");
  EXPECT_TRUE(o->forward_events);
  EXPECT_TRUE(static_cast<bool>(o->log)) << "messages go to the agent's log";
  EXPECT_EQ(o->pipeline.journal_path, "/tmp/unused-journal") << "the base is kept";
  EXPECT_NE(o->pipeline.site_rules.find("8443"), std::string::npos)
      << "the listener rule allows HOST-OPEN-PORTS' ports";
}

}  // namespace
}  // namespace warden

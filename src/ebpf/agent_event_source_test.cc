#include "ebpf/agent_event_source.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <mutex>
#include <thread>

#include "testing/test_util.h"

namespace warden {
namespace {

class CollectingRouter : public RecordRouter {
 public:
  Status Route(const std::vector<AgentRecord>& records) override {
    std::lock_guard<std::mutex> lock(mutex_);
    records_.insert(records_.end(), records.begin(), records.end());
    return Status::Ok();
  }
  std::vector<AgentRecord> records() {
    std::lock_guard<std::mutex> lock(mutex_);
    return records_;
  }

 private:
  std::mutex mutex_;
  std::vector<AgentRecord> records_;
};

TEST(HostEventAgentSourceTest, FindingsReachTheAgentRouterAsEventRecords) {
  if (geteuid() != 0) GTEST_SKIP() << "the collector needs root";
  testing::TempDir dir;
  HostEventSourceOptions o;
  o.pipeline.journal_path = dir.path() + "/events.journal";
  auto source = MakeHostEventAgentSource(o);
  CollectingRouter router;
  ASSERT_TRUE(source->Start(router).ok());
  EXPECT_TRUE(source->Info().active);
  EXPECT_EQ(source->Info().publisher, "ebpf");
  std::string tool = "/tmp/warden-agent-source-test-" + std::to_string(getpid());
  std::filesystem::copy_file("/bin/true", tool, std::filesystem::copy_options::overwrite_existing);
  ASSERT_EQ(testing::RunShell(tool + "; true").exit_code, 0);
  std::filesystem::remove(tool);
  const AgentRecord* found = nullptr;
  std::vector<AgentRecord> records;
  for (int i = 0; i < 50 && found == nullptr; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    records = router.records();
    for (const AgentRecord& r : records)
      if (r.body.value("rule_id", "") == "HOST-EXEC-FROM-TMP" && r.body.value("process", "") == tool) found = &r;
  }
  ASSERT_NE(found, nullptr) << "no finding record for " << tool;
  EXPECT_EQ(found->kind, RecordKind::kEvent);
  EXPECT_EQ(found->body["record"], "finding");
  EXPECT_EQ(found->body["source"], "host.ebpf");
  EXPECT_EQ(found->syslog_severity, SyslogSeverity(RiskLevel::kHigh));
  EXPECT_FALSE(found->id.empty());
  EXPECT_GT(source->Info().events, 0);
  source->Stop();
  EXPECT_FALSE(source->Info().active);
  // The journal it kept is there for the event tables.
  EXPECT_TRUE(std::filesystem::exists(o.pipeline.journal_path));
}

}  // namespace
}  // namespace warden

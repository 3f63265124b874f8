#include "ebpf/host_runtime_source.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <mutex>
#include <thread>

#include "detectors/host_runtime_detector.h"
#include "problems/sqlite_problem_repository.h"
#include "testing/test_util.h"

namespace warden {
namespace {

class CollectingRouter : public RecordRouter {
 public:
  Status Route(const std::vector<Record>& records) override {
    std::lock_guard<std::mutex> lock(mutex_);
    records_.insert(records_.end(), records.begin(), records.end());
    return Status::Ok();
  }
  std::vector<Record> records() {
    std::lock_guard<std::mutex> lock(mutex_);
    return records_;
  }

 private:
  std::mutex mutex_;
  std::vector<Record> records_;
};

// HOST-RUNTIME's config with its defaults, enabled.
DetectorConfig EnabledRuntime() {
  DetectorConfig c = HostRuntimeDetector().DefaultConfig();
  c.enabled = true;
  return c;
}

TEST(HostRuntimeSourceTest, FindingsReachTheRouterAsEventRecords) {
  if (geteuid() != 0) GTEST_SKIP() << "the collector needs root";
  testing::TempDir dir;
  HostRuntimeOptions o;
  o.pipeline.journal_path = dir.path() + "/events.journal";
  auto source = std::make_unique<HostRuntimeSource>(o);
  CollectingRouter router;
  ASSERT_TRUE(source->Start(router).ok());
  EXPECT_TRUE(source->Info().active);
  EXPECT_EQ(source->Info().publisher, "ebpf");
  std::string tool = "/tmp/warden-agent-source-test-" + std::to_string(getpid());
  std::filesystem::copy_file("/bin/true", tool, std::filesystem::copy_options::overwrite_existing);
  ASSERT_EQ(testing::RunShell(tool + "; true").exit_code, 0);
  std::filesystem::remove(tool);
  const Record* found = nullptr;
  std::vector<Record> records;
  ASSERT_TRUE(testing::WaitFor(
      "a finding record for " + tool,
      [&] {
        records = router.records();
        for (const Record& r : records)
          if (r.body.value("rule_id", "") == "HOST-EXEC-FROM-TMP" &&
              r.body.value("process", "") == tool)
            found = &r;
        return found != nullptr;
      },
      std::chrono::seconds(10), std::chrono::milliseconds(50)));
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

TEST(HostRuntimeSourceTest, NoOptionsUnlessHostRuntimeIsEnabled) {
  EXPECT_FALSE(HostRuntimeOptionsFor(HostRuntimeDetector().DefaultConfig(), nullptr).has_value());
  EXPECT_TRUE(HostRuntimeOptionsFor(EnabledRuntime(), nullptr).has_value());
}

TEST(HostRuntimeSourceTest, ListenerRuleTakesTheEnabledOpenPortsSettings) {
  DetectorConfig ports = OpenPortsDetector().DefaultConfig();
  auto settings = std::make_shared<OpenPortsSettings>();
  settings->allowed_tcp = {PortRange{22, 22}, PortRange{8000, 8100}};
  ports.settings = settings;
  ports.risk_level = RiskLevel::kLow;
  auto o = HostRuntimeOptionsFor(EnabledRuntime(), &ports);
  ASSERT_TRUE(o.has_value());
  EXPECT_NE(o->pipeline.site_rules.find("HOST-LISTEN-UNEXPECTED-PORT"), std::string::npos);
  EXPECT_NE(o->pipeline.site_rules.find("{ge: 8000}"), std::string::npos);
  EXPECT_NE(o->pipeline.site_rules.find("risk_level: low"), std::string::npos);
  ports.enabled = false;
  o = HostRuntimeOptionsFor(EnabledRuntime(), &ports);
  ASSERT_TRUE(o.has_value());
  EXPECT_EQ(o->pipeline.site_rules, "") << "no listener rule when HOST-OPEN-PORTS is off";
}

TEST(HostRuntimeSourceTest, RuntimeFindingsBecomeProblemsWithRecords) {
  if (geteuid() != 0) GTEST_SKIP() << "the collector needs root";
  testing::TempDir dir;
  HostRuntimeOptions base;
  base.pipeline.journal_path = dir.path() + "/events.journal";
  base.problem_store_path = dir.path() + "/state.db";
  base.host = "test-host";
  auto options = HostRuntimeOptionsFor(EnabledRuntime(), nullptr, base);
  ASSERT_TRUE(options.has_value());
  auto source = std::make_unique<HostRuntimeSource>(*options);
  CollectingRouter router;
  ASSERT_TRUE(source->Start(router).ok());
  std::string tool = "/tmp/warden-agent-problem-test-" + std::to_string(getpid());
  std::filesystem::copy_file("/bin/true", tool, std::filesystem::copy_options::overwrite_existing);
  // Run twice: one problem, two firings.
  ASSERT_EQ(testing::RunShell(tool + "; " + tool + "; true").exit_code, 0);
  std::filesystem::remove(tool);
  // Other programs may run from /tmp meanwhile (a build tree under /tmp, say):
  // only the tool's problem counts.
  auto is_tool_problem = [&](const Record& r) {
    if (r.kind != RecordKind::kProblem || !r.problem) return false;
    const Problem& p = r.problem->problem;
    return p.rule_id == "HOST-EXEC-FROM-TMP" && p.finding.attributes.value("process", "") == tool;
  };
  auto opened = [&](const std::vector<Record>& records) -> const Record* {
    for (const Record& r : records)
      if (is_tool_problem(r) && r.problem->action == ProblemAction::kOpened) return &r;
    return nullptr;
  };
  std::vector<Record> records;
  testing::WaitFor(
      [&] {
        records = router.records();
        int firings = 0;
        for (const Record& r : records)
          firings += r.kind == RecordKind::kEvent &&
                     r.body.value("rule_id", "") == "HOST-EXEC-FROM-TMP" &&
                     r.body.value("process", "") == tool;
        return opened(records) != nullptr && firings >= 2;
      },
      std::chrono::seconds(10), std::chrono::milliseconds(50));
  source->Stop();
  const Record* problem = opened(records);
  ASSERT_NE(problem, nullptr) << "no problem record";
  EXPECT_EQ(Json::parse(RenderRecordJson(*problem, RecordFormat::kOcsf))["class_uid"], 2004)
      << "sinks set to OCSF render it";
  int problem_records = 0;
  for (const Record& r : records) problem_records += is_tool_problem(r);
  EXPECT_EQ(problem_records, 1)
      << "the second run of the same command is an occurrence, not a new problem";

  auto store = SqliteProblemRepository::Open(base.problem_store_path, true);
  ASSERT_TRUE(store.ok()) << store.status().message();
  ProblemFilter filter;
  filter.rule_id = "HOST-EXEC-FROM-TMP";
  auto listed = (*store)->List(filter);
  ASSERT_TRUE(listed.ok());
  std::vector<Problem> problems;
  for (const Problem& p : *listed)
    if (p.finding.attributes.value("process", "") == tool) problems.push_back(p);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].host, "test-host");
  EXPECT_EQ(problems[0].status, ProblemStatus::kOpen);
  EXPECT_EQ(problems[0].occurrences, 2);
}

}  // namespace
}  // namespace warden

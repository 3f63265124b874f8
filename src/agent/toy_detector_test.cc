// Adding a detector takes one file and one registration: the toy detector
// below is declared and registered here, nowhere else, and the agent reads
// its settings (with exact key errors), schedules it and keeps its problems
// through its normal path without knowing it.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <thread>

#include "agent/agent.h"
#include "agent/agent_config.h"
#include "detectors/detector_registry.h"
#include "testing/test_util.h"

namespace warden {
namespace {

using ::warden::testing::TempDir;
using ::warden::testing::WaitFor;

constexpr std::string_view kToyId = "TOY-COUNTER";

struct ToySettings : DetectorSettings {
  int count = 3;
};

// One problem per number below `count`.
class ToyDetector : public Detector {
 public:
  std::string_view id() const override { return kToyId; }
  DetectorConfig DefaultConfig() const override {
    DetectorConfig c;
    c.id = std::string(id());
    c.enabled = false;
    c.schedule.interval_seconds = 60;
    c.settings = std::make_shared<ToySettings>();
    return c;
  }
  Result<std::shared_ptr<const DetectorSettings>> ParseSettings(
      const YamlReader& r, const YAML::Node& node, const std::string& key) const override {
    RETURN_IF_ERROR(r.CheckKeys(node, key, {"count"}));
    auto s = std::make_shared<ToySettings>();
    if (node["count"]) {
      ASSIGN_OR_RETURN(int64_t n, r.Int(node["count"], YamlReader::Join(key, "count"), 1, 100));
      s->count = static_cast<int>(n);
    }
    return std::shared_ptr<const DetectorSettings>(std::move(s));
  }
  Result<DetectorRun> Run(const DetectorConfig& config, DetectorContext& context) const override {
    const auto* settings = config.SettingsAs<ToySettings>();
    if (settings == nullptr) return Internal("toy: settings of another detector");
    DetectorRun run;
    for (int i = 0; i < settings->count; ++i) {
      Finding f;
      f.id = MakeFindingId({std::string(kToyId), context.host, std::to_string(i)});
      f.rule_id = std::string(kToyId);
      f.title = "Toy number " + std::to_string(i);
      f.risk_level = config.risk_level;
      f.resource = context.host;
      f.first_seen = f.last_seen = context.now;
      run.observation.findings.push_back(std::move(f));
    }
    run.summary = std::to_string(settings->count) + " toys";
    return run;
  }
};

const DetectorRegistration kToy(std::make_unique<ToyDetector>());

TEST(ToyDetectorTest, RegistrationMakesItKnownOnceByItsId) {
  ASSERT_TRUE(kToy.registered);
  EXPECT_FALSE(RegisterDetector(std::make_unique<ToyDetector>())) << "ids are unique";
  ASSERT_NE(FindDetector(kToyId), nullptr);
  EXPECT_EQ(FindDetector(kToyId)->id(), kToyId);
  std::vector<std::string_view> ids;
  for (const Detector* d : Detectors()) ids.push_back(d->id());
  EXPECT_EQ(ids.back(), kToyId) << "built-ins first, then in registration order";
}

TEST(ToyDetectorTest, ConfigReadsItsDefaultsAndItsOwnSettings) {
  auto defaults = ParseAgentConfig("sinks: [{name: out, type: stdout}]\n", "agent.yaml");
  ASSERT_TRUE(defaults.ok()) << defaults.status().message();
  const DetectorConfig* off = defaults->FindDetectorConfig(kToyId);
  ASSERT_NE(off, nullptr);
  EXPECT_FALSE(off->enabled);
  EXPECT_EQ(off->schedule.interval_seconds, 60);
  ASSERT_NE(off->SettingsAs<ToySettings>(), nullptr);
  EXPECT_EQ(off->SettingsAs<ToySettings>()->count, 3);

  auto c = ParseAgentConfig(R"(
recipe:
  rules:
    TOY-COUNTER:
      enabled: true
      risk_level: low
      settings: {count: 2}
sinks: [{name: out, type: stdout}]
)",
                            "agent.yaml");
  ASSERT_TRUE(c.ok()) << c.status().message();
  const DetectorConfig* on = c->FindDetectorConfig(kToyId);
  ASSERT_NE(on, nullptr);
  EXPECT_TRUE(on->enabled);
  EXPECT_EQ(on->risk_level, RiskLevel::kLow);
  EXPECT_EQ(on->SettingsAs<ToySettings>()->count, 2);
}

TEST(ToyDetectorTest, UnknownSettingNamesTheExactKeyFileAndLine) {
  auto typo = ParseAgentConfig(
      "sinks: [{name: out, type: stdout}]\n"
      "recipe:\n"
      "  rules:\n"
      "    TOY-COUNTER:\n"
      "      settings:\n"
      "        cuont: 2\n",
      "agent.yaml");
  ASSERT_FALSE(typo.ok());
  const std::string& m = typo.status().message();
  EXPECT_NE(m.find("agent.yaml:6:"), std::string::npos) << m;
  EXPECT_NE(m.find("recipe.rules.TOY-COUNTER.settings.cuont: unknown key 'cuont'"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("did you mean 'count'?"), std::string::npos) << m;

  auto out_of_range = ParseAgentConfig(
      "sinks: [{name: out, type: stdout}]\n"
      "recipe: {rules: {TOY-COUNTER: {settings: {count: 0}}}}\n",
      "agent.yaml");
  ASSERT_FALSE(out_of_range.ok());
  EXPECT_NE(out_of_range.status().message().find("recipe.rules.TOY-COUNTER.settings.count"),
            std::string::npos)
      << out_of_range.status().message();
}

std::vector<Json> JsonLines(const std::string& path) {
  std::vector<Json> out;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    Json j = Json::parse(line, nullptr, false);
    if (!j.is_discarded()) out.push_back(std::move(j));
  }
  return out;
}

TEST(ToyDetectorTest, AgentRunsItOnItsScheduleAndSendsItsProblems) {
  TempDir dir;
  const std::string config = dir.WriteFile("agent.yaml", "state_dir: " + dir.path() + R"(
host: {identifier: toy-host}
recipe:
  rules:
    HOST-VULN: {enabled: false}
    HOST-OPEN-PORTS: {enabled: false}
    TOY-COUNTER:
      risk_level: low
      enabled: true
      schedule: {interval: 1h}
      settings: {count: 2}
status_interval: 0
sinks:
  - {name: problems, type: file, path: problems.jsonl, records: [problems]}
)");
  AgentOptions options;
  options.config_path = config;
  Agent agent(std::move(options));
  int exit_code = -1;
  std::thread agent_thread([&] { exit_code = agent.Run(); });

  const std::string problems = dir.path() + "/problems.jsonl";
  EXPECT_TRUE(WaitFor(
      "two toy problems in " + problems, [&] { return JsonLines(problems).size() >= 2; },
      std::chrono::seconds(20)));
  // The agent stops on SIGINT, read from a signalfd on the thread that runs
  // it; sent to that thread, the signal cannot reach (and end) any other.
  pthread_kill(agent_thread.native_handle(), SIGINT);
  agent_thread.join();
  EXPECT_EQ(exit_code, 0);

  std::vector<Json> events = JsonLines(problems);
  ASSERT_EQ(events.size(), 2u);
  std::set<std::string> titles;
  for (const Json& e : events) {
    EXPECT_EQ(e["event"], "opened");
    EXPECT_EQ(e["rule_id"], kToyId);
    EXPECT_EQ(e["risk_level"], "low");
    EXPECT_EQ(e["host"], "toy-host");
    titles.insert(e["title"].get<std::string>());
  }
  EXPECT_EQ(titles, (std::set<std::string>{"Toy number 0", "Toy number 1"}));
}

}  // namespace
}  // namespace warden

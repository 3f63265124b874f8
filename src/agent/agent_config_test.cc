#include "agent/agent_config.h"

#include <gtest/gtest.h>

#include "delivery/file_sink.h"
#include "delivery/splunk_hec_sink.h"
#include "delivery/syslog_sink.h"
#include "detectors/host_runtime_detector.h"
#include "detectors/open_ports_detector.h"
#include "detectors/vulnerability_detector.h"
#include "testing/test_util.h"

namespace warden {
namespace {

using testing::SourcePath;

Result<AgentConfig> Parse(const std::string& yaml) {
  return ParseAgentConfig(yaml, "/etc/warden/agent.yaml");
}

std::string ErrorOf(const std::string& yaml) {
  auto r = Parse(yaml);
  EXPECT_FALSE(r.ok()) << "expected an error for:\n" << yaml;
  return r.ok() ? "" : r.status().message();
}

TEST(AgentConfigTest, DocumentedExampleLoads) {
  ::setenv("WARDEN_SPLUNK_TOKEN", "00000000-0000-0000-0000-000000000000", 0);
  ::setenv("WARDEN_WEBHOOK_SECRET", "a-long-enough-shared-secret", 0);
  auto c = LoadAgentConfig(SourcePath("examples/agent.yaml"));
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_NE(c->FindDetectorConfig(kOpenPortsDetectorId), nullptr);
  EXPECT_NE(c->FindDetectorConfig(kVulnDetectorId), nullptr);
  EXPECT_FALSE(c->sinks.empty());
  EXPECT_FALSE(c->queries.empty());
}

// The smallest useful config: the default recipe, records to stdout.
const char* kSinkOnly = "sinks:\n  - {name: out, type: stdout}\n";

TEST(AgentConfigTest, EmptyConfigIsRefusedSayingWhatIsMissing) {
  const std::string empty = ErrorOf("");
  EXPECT_EQ(empty,
            "/etc/warden/agent.yaml: the config is empty: it names no recipe rules, no queries and "
            "no sinks, so nothing says what the agent runs or where its records go; give at least "
            "one of recipe.rules, queries or sinks (see examples/agent.yaml)");
  for (const char* yaml : {"# only a comment\n", "---\n", "{}\n"})
    EXPECT_NE(ErrorOf(yaml).find("the config is empty"), std::string::npos) << yaml;
  // Only defaults or empty sections: as good as empty.
  for (const char* yaml :
       {"state_dir: /var/lib/x\nhost: {identifier: h}\nlimits: {max_cpu_percent: 5}\n",
        "queries: []\nsinks: []\nrecipe: {rules: {}}\n", "recipe: {name: default}\n",
        "queries:\nsinks:\n"})
    EXPECT_NE(ErrorOf(yaml).find("the config names no recipe rules, no queries and no sinks"),
              std::string::npos)
        << yaml;
}

TEST(AgentConfigTest, RecipeRulesOrQueriesOrSinksAloneAreEnough) {
  EXPECT_TRUE(Parse("recipe:\n  rules:\n    HOST-VULN: {enabled: false}\n").ok());
  EXPECT_TRUE(Parse("queries:\n  - {name: q, query: SELECT 1}\n").ok());
  EXPECT_TRUE(Parse(kSinkOnly).ok());
}

TEST(AgentConfigTest, QueryWithANulByteIsRefused) {
  EXPECT_NE(ErrorOf("queries:\n  - {name: q, query: \"SELECT 1;\\0\"}\n")
                .find("agent.yaml:2:22: queries[0].query: the SQL contains a NUL byte at byte 9"),
            std::string::npos);
}

TEST(AgentConfigTest, SinkOnlyConfigGetsBothRulesWithDefaults) {
  auto c = Parse(kSinkOnly);
  ASSERT_TRUE(c.ok()) << c.status().message();
  const DetectorConfig* ports = c->FindDetectorConfig(kOpenPortsDetectorId);
  ASSERT_NE(ports, nullptr);
  EXPECT_TRUE(ports->enabled);
  EXPECT_EQ(ports->schedule.kind, ScheduleSpec::Kind::kInterval);
  EXPECT_EQ(c->control_socket, c->state_dir + "/agent.sock");
}

TEST(AgentConfigTest, RuleSettingsAreRead) {
  auto c = Parse(R"(
recipe:
  rules:
    HOST-OPEN-PORTS:
      risk_level: high
      schedule: {interval: 30s, splay_percent: 0}
      settings:
        allowed_tcp: [22, "8000-8100"]
        allowed_udp: 53
        loopback: report
    HOST-VULN:
      enabled: false
      schedule: {daily: ["03:30", "01:00"], timezone: local}
      settings: {min_severity: critical, include_unfixed: true, feed_database: feeds/x.db}
)");
  ASSERT_TRUE(c.ok()) << c.status().message();
  const DetectorConfig* ports = c->FindDetectorConfig(kOpenPortsDetectorId);
  EXPECT_EQ(ports->risk_level, RiskLevel::kHigh);
  EXPECT_EQ(ports->schedule.interval_seconds, 30);
  const auto* port_settings = ports->SettingsAs<OpenPortsSettings>();
  ASSERT_NE(port_settings, nullptr);
  ASSERT_EQ(port_settings->allowed_tcp.size(), 2u);
  EXPECT_TRUE(port_settings->allowed_tcp[1].Contains(8050));
  EXPECT_FALSE(port_settings->allowed_tcp[1].Contains(8101));
  EXPECT_TRUE(port_settings->report_loopback);
  const DetectorConfig* vuln = c->FindDetectorConfig(kVulnDetectorId);
  EXPECT_FALSE(vuln->enabled);
  EXPECT_EQ(vuln->schedule.kind, ScheduleSpec::Kind::kDaily);
  EXPECT_EQ(vuln->schedule.daily_minutes, (std::vector<int>{60, 210}));
  EXPECT_FALSE(vuln->schedule.utc);
  const auto* vuln_settings = vuln->SettingsAs<VulnSettings>();
  ASSERT_NE(vuln_settings, nullptr);
  EXPECT_EQ(vuln_settings->min_severity, Severity::kCritical);
  EXPECT_EQ(vuln_settings->feed_database, "/etc/warden/feeds/x.db");
}

TEST(AgentConfigTest, UnknownKeyNamesKeyLineAndSuggestion) {
  std::string e = ErrorOf("recipe:\n  rules:\n    HOST-OPEN-PORTS:\n      risk_levl: high\n");
  EXPECT_NE(
      e.find("/etc/warden/agent.yaml:4:7: recipe.rules.HOST-OPEN-PORTS.risk_levl: unknown key"),
      std::string::npos)
      << e;
  EXPECT_NE(e.find("did you mean 'risk_level'"), std::string::npos) << e;
}

TEST(AgentConfigTest, BadValuesNameKeyAndReason) {
  EXPECT_NE(
      ErrorOf(
          "recipe:\n  rules:\n    HOST-OPEN-PORTS:\n      settings: {allowed_tcp: [22, 70000]}\n")
          .find("recipe.rules.HOST-OPEN-PORTS.settings.allowed_tcp[1]: expected a port"),
      std::string::npos);
  EXPECT_NE(ErrorOf("sinks:\n  - {name: s, type: syslog, transport: udpp}\n")
                .find("sinks[0].transport: unknown transport 'udpp' (use udp, tcp or unix)"),
            std::string::npos);
  EXPECT_NE(ErrorOf("sinks:\n  - {name: s, type: file}\n").find("sinks[0].path: missing"),
            std::string::npos);
  EXPECT_NE(ErrorOf("queries:\n  - {name: q, query: 'select 1', schedule: {interval: soon}}\n")
                .find("queries[0].schedule.interval: expected a duration"),
            std::string::npos);
  EXPECT_NE(ErrorOf("recipe:\n  rules:\n    HOST-VULN: {risk_level: severe}\n")
                .find("unknown risk level 'severe'"),
            std::string::npos);
  EXPECT_NE(ErrorOf("recipe:\n  rules:\n    HOST-VULN:\n      schedule: {daily: ['25:00']}\n")
                .find("recipe.rules.HOST-VULN.schedule.daily[0]: expected a time HH:MM"),
            std::string::npos);
}

TEST(AgentConfigTest, DuplicateNamesAreRejected) {
  EXPECT_NE(ErrorOf("sinks:\n  - {name: a, type: stdout}\n  - {name: a, type: stdout}\n")
                .find("sinks[1].name: 'a' is already the name of another sink"),
            std::string::npos);
  EXPECT_NE(ErrorOf("queries:\n  - {name: HOST-VULN, query: 'select 1'}\n")
                .find("already the name of another job"),
            std::string::npos);
}

TEST(AgentConfigTest, YamlSyntaxErrorHasLine) {
  std::string e = ErrorOf("sinks:\n  - {name: a, type: stdout\n");
  EXPECT_NE(e.find("/etc/warden/agent.yaml:"), std::string::npos) << e;
  EXPECT_NE(e.find("YAML syntax error"), std::string::npos) << e;
}

TEST(AgentConfigTest, SecretsComeFromEnvironment) {
  ::setenv("WARDEN_TEST_HEC_TOKEN", "tok-123", 1);
  auto c = Parse(
      "sinks:\n  - {name: s, type: splunk_hec, url: 'https://h:8088', token: "
      "'${WARDEN_TEST_HEC_TOKEN}'}\n");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->sinks[0].SettingsAs<SplunkHecSinkSettings>()->token, "tok-123");
  ::unsetenv("WARDEN_TEST_HEC_TOKEN_MISSING");
  EXPECT_NE(
      ErrorOf("sinks:\n  - {name: s, type: splunk_hec, url: 'https://h', token: "
              "'${WARDEN_TEST_HEC_TOKEN_MISSING}'}\n")
          .find("sinks[0].token: environment variable WARDEN_TEST_HEC_TOKEN_MISSING is not set"),
      std::string::npos);
}

TEST(AgentConfigTest, SinkDefaultsAndRelativePaths) {
  auto c = Parse(
      "state_dir: /srv/w\nsinks:\n  - {name: f, type: file, path: out/results.jsonl, "
      "max_file_size: 2MB}\n"
      "  - {name: t, type: syslog, transport: tcp, address: '10.0.0.1:6514', records: [problems],\n"
      "     queue: {max_size: 1MB, drop_policy: drop_newest, backoff_initial: 250ms}}\n");
  ASSERT_TRUE(c.ok()) << c.status().message();
  const FileSinkSettings* file = c->sinks[0].SettingsAs<FileSinkSettings>();
  ASSERT_NE(file, nullptr);
  EXPECT_EQ(file->path, "/srv/w/out/results.jsonl");
  EXPECT_EQ(file->max_file_bytes, 2 << 20);
  const SyslogSinkSettings* syslog = c->sinks[1].SettingsAs<SyslogSinkSettings>();
  ASSERT_NE(syslog, nullptr);
  EXPECT_EQ(syslog->port, 6514);
  EXPECT_EQ(syslog->host, "10.0.0.1");
  EXPECT_EQ(c->sinks[1].records, (std::set<RecordKind>{RecordKind::kProblem}));
  EXPECT_EQ(c->sinks[1].queue.drop_policy, DropPolicy::kDropNewest);
  EXPECT_EQ(c->sinks[1].queue.backoff_initial_ms, 250);
  EXPECT_TRUE(c->sinks[1].queued);
  EXPECT_FALSE(c->sinks[0].queued);
}

TEST(AgentConfigTest, PortRanges) {
  PortRange r;
  EXPECT_TRUE(ParsePortRange("443", &r));
  EXPECT_EQ(r.first, 443);
  EXPECT_TRUE(ParsePortRange(" 1000 - 2000 ", &r));
  EXPECT_EQ(r.last, 2000);
  EXPECT_FALSE(ParsePortRange("0", &r));
  EXPECT_FALSE(ParsePortRange("2000-1000", &r));
  EXPECT_FALSE(ParsePortRange("http", &r));
}

TEST(AgentConfigTest, RuntimeRuleIsOptInAndUnscheduled) {
  auto defaults = Parse(kSinkOnly);
  ASSERT_TRUE(defaults.ok());
  const DetectorConfig* off = defaults->FindDetectorConfig(kHostRuntimeDetectorId);
  ASSERT_NE(off, nullptr);
  EXPECT_FALSE(off->enabled);
  EXPECT_TRUE(off->continuous);

  auto c = Parse(R"(
recipe:
  rules:
    HOST-RUNTIME:
      enabled: true
      settings:
        rules: [site-rules, /opt/rules/extra.yml]
        forward_events: true
        syscall_events: dispatcher
        tier: fallback
        sensitive_paths: [/etc/shadow, /root/.ssh/]
)");
  ASSERT_TRUE(c.ok()) << c.status().message();
  const DetectorConfig* rt = c->FindDetectorConfig(kHostRuntimeDetectorId);
  ASSERT_NE(rt, nullptr);
  EXPECT_TRUE(rt->enabled);
  const auto* runtime = rt->SettingsAs<HostRuntimeSettings>();
  ASSERT_NE(runtime, nullptr);
  EXPECT_EQ(runtime->rule_paths,
            (std::vector<std::string>{"/etc/warden/site-rules", "/opt/rules/extra.yml"}));
  EXPECT_TRUE(runtime->forward_events);
  EXPECT_EQ(runtime->syscall_events, "dispatcher");
  EXPECT_EQ(runtime->tier, "fallback");
  EXPECT_EQ(runtime->sensitive_paths, (std::vector<std::string>{"/etc/shadow", "/root/.ssh/"}));
}

TEST(AgentConfigTest, RuntimeRuleRejectsScheduleAndBadSettings) {
  EXPECT_NE(ErrorOf("recipe:\n  rules:\n    HOST-RUNTIME: {schedule: 5m}\n")
                .find("recipe.rules.HOST-RUNTIME.schedule: unknown key"),
            std::string::npos);
  EXPECT_NE(ErrorOf("recipe:\n  rules:\n    HOST-RUNTIME: {settings: {tier: kprobe}}\n")
                .find("expected auto, ebpf or fallback, got 'kprobe'"),
            std::string::npos);
  EXPECT_NE(ErrorOf("recipe:\n  rules:\n    HOST-RUNTIME: {settings: {syscall_events: true}}\n")
                .find("syscall_events: expected hooks, dispatcher or off, got 'true'"),
            std::string::npos);
  EXPECT_NE(ErrorOf("recipe:\n  rules:\n    HOST-RUNTIME: {settings: {sensitive_paths: [etc/x]}}\n")
                .find("'etc/x' is not an absolute path prefix"),
            std::string::npos);
}

}  // namespace
}  // namespace warden

namespace warden {
namespace {

// The server's recipe laid over the file's, key by key, and its queries
// added under their own names.
TEST(ServerConfigOverlayTest, ServerRulesOverrideTheFilesKeyByKeyAndQueriesAreAdded) {
  Json server = Json::parse(R"({
    "etag": "\"e1\"",
    "recipe": {"name": "prod", "rules": {
      "HOST-OPEN-PORTS": {"risk_level": "high", "settings": {"allowed_tcp": [22, 8080]}},
      "HOST-VULN": {"enabled": false}}},
    "queries": [{"name": "srv:uptime", "query": "SELECT * FROM uptime",
                 "schedule": {"interval_seconds": 60, "splay_percent": 0},
                 "mode": "snapshot", "removed": false, "enabled": true,
                 "timeout_ms": 5000, "max_memory_bytes": 1048576}],
    "settings": {}})");
  auto overlay = ParseServerConfigOverlay(server);
  ASSERT_TRUE(overlay.ok()) << overlay.status().message();
  auto c = ParseAgentConfig(R"(
recipe:
  name: local
  rules:
    HOST-OPEN-PORTS:
      settings: {allowed_tcp: [22], loopback: report}
queries:
  - name: uptime
    query: SELECT 1
)",
                            "/etc/warden/agent.yaml", &*overlay);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->recipe_name, "prod");
  EXPECT_EQ(c->server_config_etag, "\"e1\"");
  const DetectorConfig* ports = c->FindDetectorConfig(kOpenPortsDetectorId);
  EXPECT_EQ(ports->risk_level, RiskLevel::kHigh);
  const auto* s = ports->SettingsAs<OpenPortsSettings>();
  ASSERT_NE(s, nullptr);
  ASSERT_EQ(s->allowed_tcp.size(), 2u) << "the server's allowed_tcp replaces the file's";
  EXPECT_TRUE(s->allowed_tcp[1].Contains(8080));
  EXPECT_TRUE(s->report_loopback) << "the file's loopback stays: the server does not set it";
  EXPECT_FALSE(c->FindDetectorConfig(kVulnDetectorId)->enabled);
  ASSERT_EQ(c->queries.size(), 2u);
  EXPECT_EQ(c->queries[0].name, "uptime");
  EXPECT_EQ(c->queries[1].name, "srv:uptime");
  EXPECT_EQ(c->queries[1].sql, "SELECT * FROM uptime");
  EXPECT_EQ(c->queries[1].mode, QueryConfig::Mode::kSnapshot);
  EXPECT_EQ(c->queries[1].schedule.interval_seconds, 60);
  EXPECT_EQ(c->queries[1].timeout_ms, 5000);
  // The file alone keeps its own.
  auto file = ParseAgentConfig("recipe:\n  rules:\n    HOST-OPEN-PORTS: {}\n", "/x/agent.yaml");
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->server_config_etag, "");
}

TEST(ServerConfigOverlayTest, AnInvalidServerConfigIsRefusedNamingTheMember) {
  auto bad_rule = ParseServerConfigOverlay(Json::parse(
      R"({"recipe": {"name": "x", "rules": {"HOST-VULN": {"settings": {"min_severity": "dreadful"}}}}})"));
  ASSERT_FALSE(bad_rule.ok());
  EXPECT_NE(bad_rule.status().message().find("recipe.rules.HOST-VULN.settings.min_severity"),
            std::string::npos)
      << bad_rule.status().message();
  auto bad_query = ParseServerConfigOverlay(Json::parse(
      R"({"recipe": {"rules": {}}, "queries": [{"name": "a b", "query": "SELECT 1"}]})"));
  ASSERT_FALSE(bad_query.ok());
  EXPECT_NE(bad_query.status().message().find("queries[0].name"), std::string::npos);
  auto empty_sql =
      ParseServerConfigOverlay(Json::parse(R"({"queries": [{"name": "a", "query": "  "}]})"));
  ASSERT_FALSE(empty_sql.ok());
  EXPECT_NE(empty_sql.status().message().find("queries[0].query"), std::string::npos);
}

}  // namespace
}  // namespace warden

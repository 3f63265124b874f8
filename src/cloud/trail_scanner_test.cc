#include "cloud/trail_scanner.h"

#include <gtest/gtest.h>

#include "cloud/cloud_test_util.h"
#include "cloud/finding_writer.h"
#include "testing/test_util.h"

namespace warden {
namespace {

using testing::RulesFromYaml;
using testing::ScanPaths;
using testing::TempDir;

std::string Event(const std::string& id, const std::string& name, const std::string& user,
                  const std::string& account = "111111111111", const std::string& extra = "") {
  return R"({"eventVersion":"1.08","eventID":")" + id +
         R"(","eventTime":"2023-07-10T12:00:00Z","eventName":")" + name +
         R"(","eventSource":"iam.amazonaws.com","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.9",)" +
         R"("recipientAccountId":")" + account +
         R"(","userIdentity":{"type":"IAMUser","userName":")" + user + R"(","arn":"arn:aws:iam::)" +
         account + ":user/" + user + R"(","accessKeyId":"AKIA)" + user + R"("})" + extra + "}";
}

std::string File(const TempDir& dir, const std::string& name,
                 const std::vector<std::string>& events) {
  std::string body;
  for (const auto& e : events) body += e + "\n";
  return dir.WriteFile(name, body);
}

const char* kRules = R"(
- id: RTM-011
  title: Unintended AWS API calls
  risk_level: very_high
  patterns:
    - {eventName: '^Create', eventSource: 'iam'}
    - {eventName: 'User$'}
- id: CANARY
  title: Canary access token used
  risk_level: very_high
  canary: {users: [canary-user], access_keys: [AKIAIOSFODNN7EXAMPLE]}
)";

TEST(TrailScannerTest, FindingCarriesTheJsonLinesContract) {
  TempDir dir;
  std::string path = File(dir, "a.jsonl", {Event("e1", "CreateUser", "bob")});
  auto out = ScanPaths(RulesFromYaml(kRules), {path});
  ASSERT_EQ(out.findings.size(), 1u);
  Json j = FindingToJson(out.findings[0]);
  EXPECT_EQ(j["rule_id"], "RTM-011");
  EXPECT_EQ(j["risk_level"], "very_high");
  EXPECT_EQ(j["event_id"], "e1");
  EXPECT_EQ(j["event_time"], "2023-07-10T12:00:00Z");
  EXPECT_EQ(j["account"], "111111111111");
  EXPECT_EQ(j["region"], "us-east-1");
  EXPECT_EQ(j["actor"], "arn:aws:iam::111111111111:user/bob");
  EXPECT_EQ(j["matched_patterns"], Json::array({0, 1}));
  EXPECT_EQ(j["evidence"]["event"]["eventName"], "CreateUser");
  EXPECT_EQ(j["source"], "cloud.cloudtrail");
  EXPECT_EQ(j["first_seen"], "2023-07-10T12:00:00Z");
}

TEST(TrailScannerTest, OcsfOutputIsADetectionFinding) {
  TempDir dir;
  std::string path = File(dir, "a.jsonl", {Event("e1", "CreateUser", "bob")});
  auto out = ScanPaths(RulesFromYaml(kRules), {path});
  ASSERT_EQ(out.findings.size(), 1u);
  Json o = FindingToOcsf(out.findings[0], OcsfClass::kDetectionFinding);
  EXPECT_EQ(o["class_uid"], 2004);
  EXPECT_EQ(o["type_uid"], 200401);
  EXPECT_EQ(o["severity_id"], 5);
  EXPECT_EQ(o["cloud"]["provider"], "AWS");
  EXPECT_EQ(o["cloud"]["account"]["uid"], "111111111111");
  EXPECT_EQ(o["api"]["operation"], "CreateUser");
  EXPECT_EQ(o["src_endpoint"]["ip"], "203.0.113.9");
  EXPECT_EQ(o["finding_info"]["analytic"]["uid"], "RTM-011");
}

TEST(TrailScannerTest, CanaryUseIsAVeryHighFindingInRealTime) {
  TempDir dir;
  std::string path =
      File(dir, "a.jsonl",
           {Event("e1", "ListBuckets", "canary-user"), Event("e2", "ListBuckets", "alice"),
            Event("e3", "GetCallerIdentity", "IOSFODNN7EXAMPLE")});
  auto out = ScanPaths(RulesFromYaml(kRules), {path});
  std::vector<std::string> ids;
  for (const Finding& f : out.findings) {
    EXPECT_EQ(f.rule_id, "CANARY");
    EXPECT_EQ(f.risk_level, RiskLevel::kVeryHigh);
    ids.push_back(f.attributes["event_id"]);
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"e1", "e3"}));  // by name, then by access key id
}

TEST(TrailScannerTest, ProfileOverridesResolveAccountThenOrganisation) {
  TempDir dir;
  std::string path = File(dir, "a.jsonl",
                          {Event("a", "CreateUser", "bob", "111111111111"),
                           Event("b", "CreateUser", "bob", "222222222222"),
                           Event("c", "CreateUser", "bob", "333333333333")});
  auto profile = TrailProfile::Parse(R"(
organisation:
  rules:
    RTM-011: {risk_level: medium}
accounts:
  "222222222222":
    rules:
      RTM-011: {enabled: false}
  "333333333333":
    rules:
      RTM-011: {risk_level: low, patterns: [{eventName: '^Delete'}]}
)",
                                     "p.yaml");
  ASSERT_TRUE(profile.ok()) << profile.status().message();
  auto out = ScanPaths(RulesFromYaml(kRules), {path}, &*profile);
  ASSERT_EQ(out.findings.size(), 1u);
  EXPECT_EQ(out.findings[0].attributes["event_id"], "a");
  EXPECT_EQ(out.findings[0].risk_level, RiskLevel::kMedium);  // organisation override
}

TEST(TrailScannerTest, SuppressedFindingsAreCountedNotLost) {
  TempDir dir;
  std::string path =
      File(dir, "a.jsonl", {Event("a", "CreateUser", "bob"), Event("b", "CreateUser", "ci")});
  auto profile = TrailProfile::Parse(R"(
suppressions:
  - rule: RTM-*
    resource: "arn:aws:iam::*:user/ci"
    comment: CI creates users nightly (SEC-42)
  - rule: RTM-011
    comment: expired one
    expires: 2020-01-01
)",
                                     "p.yaml");
  ASSERT_TRUE(profile.ok()) << profile.status().message();
  auto out = ScanPaths(RulesFromYaml(kRules), {path}, &*profile);
  ASSERT_EQ(out.findings.size(), 1u);
  EXPECT_EQ(out.findings[0].attributes["event_id"], "a");
  ASSERT_EQ(out.suppressed.size(), 1u);
  EXPECT_EQ(out.suppressed[0].attributes["suppressed"], true);
  EXPECT_EQ(out.suppressed[0].attributes["suppression"]["comment"],
            "CI creates users nightly (SEC-42)");
  EXPECT_EQ(out.stats.suppressed, 1u);
  EXPECT_EQ(out.stats.suppressed_by_rule.at("RTM-011"), 1u);
}

TEST(TrailScannerTest, ProfileExceptionsStopTheRule) {
  TempDir dir;
  std::string path = File(dir, "a.jsonl",
                          {Event("a", "CreateUser", "bob"), Event("b", "CreateUser", "terraform")});
  auto profile = TrailProfile::Parse(R"(
organisation:
  rules:
    RTM-011:
      exceptions:
        - {userIdentity.userName: terraform}
)",
                                     "p.yaml");
  ASSERT_TRUE(profile.ok());
  auto out = ScanPaths(RulesFromYaml(kRules), {path}, &*profile);
  ASSERT_EQ(out.findings.size(), 1u);
  EXPECT_EQ(out.findings[0].attributes["event_id"], "a");
  EXPECT_EQ(out.stats.suppressed, 0u);
}

TEST(TrailScannerTest, ThresholdFiresOncePerWindowAndGroup) {
  TempDir dir;
  auto at = [](std::string event, const std::string& time) {
    const std::string from = "2023-07-10T12:00:00Z";
    return event.replace(event.find(from), from.size(), time);
  };
  std::vector<std::string> events;
  // bob: a burst of 7 within the window (one finding, not one per 3), then
  // 2 more within 5 minutes of it (still that burst), then a new burst of 3
  // after the window (a second finding); alice stays below the count.
  for (int i = 0; i < 7; ++i)
    events.push_back(Event("s" + std::to_string(i), "GetSecretValue", "bob"));
  events.push_back(Event("o1", "GetSecretValue", "alice"));
  for (int i = 0; i < 2; ++i)
    events.push_back(
        at(Event("t" + std::to_string(i), "GetSecretValue", "bob"), "2023-07-10T12:04:00Z"));
  for (int i = 0; i < 3; ++i)
    events.push_back(
        at(Event("u" + std::to_string(i), "GetSecretValue", "bob"), "2023-07-10T12:06:00Z"));
  std::string path = File(dir, "a.jsonl", events);
  auto out = ScanPaths(RulesFromYaml(R"(
- id: BULK
  risk_level: high
  match: {eventName: GetSecretValue}
  threshold: {count: 3, window: 5m, group_by: [userIdentity.arn]}
)"),
                       {path});
  ASSERT_EQ(out.findings.size(), 2u);
  EXPECT_EQ(out.findings[0].attributes["threshold"]["event_ids"], Json::array({"s0", "s1", "s2"}));
  EXPECT_EQ(out.findings[0].attributes["threshold"]["group"], "arn:aws:iam::111111111111:user/bob");
  EXPECT_EQ(out.findings[1].attributes["threshold"]["event_ids"], Json::array({"u0", "u1", "u2"}));
  EXPECT_EQ(out.stats.within_fired_window, 6u);  // s3-s6, t0, t1
  EXPECT_EQ(out.stats.below_threshold, 5u);      // s0, s1, alice, u0, u1
}

TEST(TrailScannerTest, InvalidJsonInTheMiddleIsSkippedCountedAndNamed) {
  TempDir dir;
  std::string path =
      dir.WriteFile("a.jsonl", Event("a", "CreateUser", "bob") + "\n{\"eventName\": broken}\n" +
                                   Event("b", "CreateUser", "bob") + "\n");
  auto out = ScanPaths(RulesFromYaml(kRules), {path});
  EXPECT_EQ(out.findings.size(), 2u);
  EXPECT_EQ(out.stats.bad_records, 1u);
  ASSERT_FALSE(out.problems.empty());
  EXPECT_NE(out.problems[0].find("a.jsonl: line 2: record skipped: invalid JSON"),
            std::string::npos)
      << out.problems[0];
}

TEST(TrailScannerTest, InsightEventsAreSkippedAndCounted) {
  TempDir dir;
  std::string path = File(dir, "a.jsonl",
                          {R"({"eventType":"AwsCloudTrailInsight","eventName":"CreateUser"})",
                           Event("a", "CreateUser", "bob")});
  auto out = ScanPaths(RulesFromYaml(kRules), {path});
  EXPECT_EQ(out.findings.size(), 1u);
  EXPECT_EQ(out.stats.insight_events, 1u);
}

TEST(TrailScannerTest, FindingIdsAreStableAcrossScans) {
  TempDir dir;
  std::string path = File(dir, "a.jsonl", {Event("e1", "CreateUser", "bob")});
  auto a = ScanPaths(RulesFromYaml(kRules), {path});
  auto b = ScanPaths(RulesFromYaml(kRules), {path});
  ASSERT_EQ(a.findings.size(), 1u);
  EXPECT_EQ(a.findings[0].id, b.findings[0].id);
}

TEST(TrailScannerTest, DeeplyNestedMatchingRecordKeepsItsEvidenceAsText) {
  // 50,000 levels crashed finding building (a recursive JSON copy).
  TempDir dir;
  std::string deep = std::string(50000, '[') + std::string(50000, ']');
  std::string path = File(dir, "deep.jsonl",
                          {Event("deep", "CreateUser", "bob", "111111111111",
                                 R"(,"requestParameters":{"x":)" + deep + "}"),
                           Event("flat", "CreateUser", "bob")});
  auto out = ScanPaths(RulesFromYaml(kRules), {path});
  ASSERT_EQ(out.findings.size(), 2u);
  EXPECT_EQ(out.findings[0].attributes["event_id"], "deep");
  EXPECT_TRUE(out.findings[0].evidence["event"].is_string());
  EXPECT_TRUE(FindingToJson(out.findings[1])["evidence"]["event"].is_object());
  EXPECT_EQ(out.stats.deep_records, 1u);
  ASSERT_EQ(out.problems.size(), 1u);
  EXPECT_NE(out.problems[0].find("deep.jsonl: line 1: record nested deeper than 256 levels: its "
                                 "findings keep the event as text, not JSON"),
            std::string::npos)
      << out.problems[0];
  // Renderings recurse over the evidence too: they must cope.
  EXPECT_NE(FindingToJson(out.findings[0]).dump().find("deep"), std::string::npos);
}

TEST(TrailScannerTest, CompactEventsAreSplicedAsTheyAreOthersParsed) {
  TempDir dir;
  const std::string compact = Event("c1", "CreateUser", "bob");
  Json parsed = Json::parse(compact);
  const std::string pretty = parsed.dump(2);
  std::string path = File(dir, "a.jsonl", {compact});
  std::string pretty_path = dir.path() + "/b.json";
  dir.WriteFile("b.json", "{\"Records\":[" + pretty + "]}");
  auto out = ScanPaths(RulesFromYaml(kRules), {path, pretty_path});
  ASSERT_EQ(out.findings.size(), 2u);
  ASSERT_EQ(out.findings[0].raw_evidence.size(), 1u) << "compact: no document built";
  EXPECT_EQ(out.findings[0].raw_evidence[0].second, compact);
  EXPECT_TRUE(out.findings[1].raw_evidence.empty()) << "pretty-printed: parsed";
  // Either way the rendering holds the event as JSON, in one line.
  for (const Finding& f : out.findings) {
    std::string line;
    AppendFindingJson(f, &line);
    EXPECT_EQ(line.find('\n'), std::string::npos);
    EXPECT_EQ(Json::parse(line)["evidence"]["event"], parsed);
  }
}

TEST(TrailScannerTest, NestingCheckCountsBracketsOutsideStringsOnly) {
  // Three levels: the brackets inside strings (escaped quote included) do not count.
  EXPECT_FALSE(JsonNestingExceeds(R"({"a":"[[[[[[","b":[{"c":"\"[["}]})", 3));
  EXPECT_TRUE(JsonNestingExceeds(R"({"a":"[[[[[[","b":[{"c":"\"[["}]})", 2));
  EXPECT_TRUE(JsonNestingExceeds(R"({"a":[[1]]})", 2));
  EXPECT_FALSE(JsonNestingExceeds(R"({"a":[[1]]})", 3));
}

TEST(TrailScannerTest, LoneSurrogateKeepsTheAccountSoSuppressionsStillApply) {
  // simdjson refuses "\ud800": the summary lost eventID and every field after
  // it (account included), so account-scoped suppressions stopped applying.
  TempDir dir;
  std::string event = Event("id\\ud800x", "CreateUser", "bob", "123456789012");
  std::string path = File(dir, "s.jsonl", {event});
  auto profile = TrailProfile::Parse(R"(
suppressions:
  - rule: RTM-011
    account: "123456789012"
    comment: sandbox account (SEC-7)
)",
                                     "p.yaml");
  ASSERT_TRUE(profile.ok()) << profile.status().message();
  auto out = ScanPaths(RulesFromYaml(kRules), {path}, &*profile);
  EXPECT_TRUE(out.findings.empty());
  ASSERT_EQ(out.suppressed.size(), 1u);
  EXPECT_EQ(out.suppressed[0].attributes["account"], "123456789012");
  EXPECT_EQ(out.suppressed[0].attributes["event_id"], "id\xEF\xBF\xBDx");
  EXPECT_EQ(out.stats.bad_records, 0u);
}

TEST(FindingWriterTest, FormatsAndTable) {
  TempDir dir;
  std::string path = File(dir, "a.jsonl", {Event("e1", "CreateUser", "bob")});
  auto out = ScanPaths(RulesFromYaml(kRules), {path});
  ASSERT_EQ(out.findings.size(), 1u);
  std::ostringstream jsonl, json, table;
  {
    FindingWriter w(FindingFormat::kJsonl, jsonl);
    w.Write(out.findings[0]);
  }
  {
    FindingWriter w(FindingFormat::kJson, json);
    w.Write(out.findings[0]);
    w.Write(out.findings[0]);
  }
  {
    FindingWriter w(FindingFormat::kTable, table);
    w.Write(out.findings[0]);
  }
  EXPECT_EQ(Json::parse(jsonl.str())["event_id"], "e1");
  EXPECT_EQ(Json::parse(json.str()).size(), 2u);
  EXPECT_NE(table.str().find("RTM-011 rows 0,1"), std::string::npos) << table.str();
  EXPECT_NE(table.str().find("Very High"), std::string::npos);
}

}  // namespace
}  // namespace warden

// End-to-end tests of `warden trail` and `warden rules` through the built
// binary, over the real CloudTrail of tests/fixtures/cloudtrail (an
// attack simulation, 2,900 events). The reference for the regex rows is
// Python's re.search run over the same files: Warden must select exactly the
// events it selects, one finding per event.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "core/finding.h"
#include "core/strings.h"
#include "delivery/webhook_sink.h"
#include "testing/test_util.h"

namespace warden {
namespace {

using testing::RunCommand;
using testing::RunShell;
using testing::TempDir;
using testing::WardenBinary;

std::string Samples() { return testing::FixturePath("cloudtrail/invictus-ir_aws_dataset"); }

// Event ids of the sample events whose (eventName, eventSource,
// userIdentity.type) match every given regex with Python's re.search; a
// missing or null field is the empty string, a missing column matches all.
const char* kPythonReference = R"PY(
import glob, json, re, sys
rows = json.loads(sys.argv[1])
for f in sorted(glob.glob(sys.argv[2] + '/*.json')):
    for e in json.load(open(f))['Records']:
        vals = [e.get('eventName') or '', e.get('eventSource') or '',
                (e.get('userIdentity') or {}).get('type') or '']
        if any(all(p is None or re.search(p, v) for p, v in zip(row, vals)) for row in rows):
            print(e['eventID'])
)PY";

std::multiset<std::string> PythonSelects(const std::string& rows_json) {
  auto r = RunCommand({"python3", "-c", kPythonReference, rows_json, Samples()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::multiset<std::string> ids;
  for (std::string_view line : SplitString(r.out, '\n'))
    if (!line.empty()) ids.insert(std::string(line));
  return ids;
}

std::vector<Json> JsonLines(const std::string& text) {
  std::vector<Json> out;
  for (std::string_view line : SplitString(text, '\n'))
    if (!line.empty()) out.push_back(Json::parse(line));
  return out;
}

std::string YamlQuote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("''") : std::string(1, c);
  return q + "'";
}

struct Row {
  const char* name;
  const char* source;
  const char* type;
};

// The seed rows of issue 4's "Done when".
const Row kSeedRows[] = {
    {".*", "iam.amazonaws.com", "IAMUser"},
    {"DeleteTrail", "cloudtrail.amazonaws.com", ".*"},
    {"StartInstances", "ec2.amazonaws.com", "IAMUser"},
    {"^Create*|^Delete*|^Update*|^Put*|^Stop*", ".*", ".*"},
    {"^Create*|^Delete*|^Update*|^Stop*", "^(?!ec2).*$", ".*"},
};

TEST(CloudTrailCliTest, SeedRowsSelectExactlyWhatPythonReSearchSelects) {
  TempDir dir;
  size_t nonempty = 0;
  for (const Row& row : kSeedRows) {
    std::string rules =
        dir.WriteFile("row.yaml",
                      "- id: RTM-011\n  title: Unintended AWS API calls\n"
                      "  risk_level: very_high\n  patterns:\n    - {eventName: " +
                          YamlQuote(row.name) + ", eventSource: " + YamlQuote(row.source) +
                          ", userIdentityType: " + YamlQuote(row.type) + "}\n");
    auto r = RunCommand(
        {WardenBinary(), "trail", "scan", "--rules", rules, "--format", "jsonl", Samples()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::multiset<std::string> warden;
    for (const Json& f : JsonLines(r.out)) {
      EXPECT_EQ(f["rule_id"], "RTM-011");
      EXPECT_EQ(f["matched_patterns"], Json::array({0}));
      warden.insert(f["event_id"].get<std::string>());
    }
    Json rows = Json::array({Json::array({row.name, row.source, row.type})});
    std::multiset<std::string> expected = PythonSelects(rows.dump());
    EXPECT_EQ(warden, expected) << "row " << row.name << " / " << row.source << " / " << row.type;
    // One finding per event: no event id twice.
    EXPECT_EQ(std::set<std::string>(warden.begin(), warden.end()).size(), warden.size());
    if (!expected.empty()) ++nonempty;
  }
  EXPECT_GE(nonempty, 4u);  // StartInstances does not occur in the simulation
}

TEST(CloudTrailCliTest, IssueExampleFiresOncePerEventListingEveryMatchingRow) {
  TempDir dir;
  std::string rules = dir.WriteFile("rtm.yaml", R"(- id: RTM-011
  title: Unintended AWS API calls
  risk_level: very_high
  patterns:
    - {eventName: '.*', eventSource: 'iam.amazonaws.com', userIdentityType: 'IAMUser'}
    - {eventName: 'DeleteTrail', eventSource: 'cloudtrail.amazonaws.com', userIdentityType: '.*'}
    - {eventName: '^Create*|^Delete*|^Update*|^Stop*', eventSource: '^(?!ec2).*$', userIdentityType: '.*'}
- id: CANARY
  title: Canary access token used
  risk_level: very_high
  canary:
    users: [canary-user]
    access_keys: [AKIAIOSFODNN7EXAMPLE]
)");
  auto r = RunCommand(
      {WardenBinary(), "trail", "scan", "--rules", rules, "--format", "jsonl", Samples()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::multiset<std::string> ids;
  bool saw_two_rows = false;
  for (const Json& f : JsonLines(r.out)) {
    for (const char* key : {"rule_id", "risk_level", "event_id", "event_time", "account", "actor",
                            "matched_patterns"})
      EXPECT_TRUE(f.contains(key)) << key;
    EXPECT_EQ(f["account"], "123837392027");  // from the records, not the file names
    EXPECT_EQ(f["evidence"]["event"]["eventID"], f["event_id"]);
    saw_two_rows |= f["matched_patterns"].size() > 1;
    ids.insert(f["event_id"].get<std::string>());
  }
  EXPECT_TRUE(saw_two_rows);
  std::multiset<std::string> expected = PythonSelects(
      R"J([[".*","iam.amazonaws.com","IAMUser"],["DeleteTrail","cloudtrail.amazonaws.com",".*"],)J"
      R"J(["^Create*|^Delete*|^Update*|^Stop*","^(?!ec2).*$",".*"]])J");
  EXPECT_EQ(ids, expected);
  // The summary is on stderr, not mixed into the findings.
  EXPECT_NE(r.err.find("55 files, 2900 events"), std::string::npos) << r.err;
}

TEST(CloudTrailCliTest, OcsfFormatEmitsDetectionFindings) {
  auto r = RunCommand({WardenBinary(), "trail", "scan", "--format", "ocsf", Samples()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto lines = JsonLines(r.out);
  ASSERT_FALSE(lines.empty());
  for (const Json& o : lines) {
    EXPECT_EQ(o["class_uid"], 2004);
    EXPECT_EQ(o["cloud"]["provider"], "AWS");
    EXPECT_TRUE(o["finding_info"]["uid"].is_string());
  }
}

TEST(CloudTrailCliTest, CanaryUseFromStdinIsReportedImmediately) {
  TempDir dir;
  std::string rules = dir.WriteFile("c.yaml",
                                    "- id: CANARY\n  title: Canary access token used\n"
                                    "  risk_level: very_high\n  canary: {users: [canary-user]}\n");
  std::string events =
      R"({"eventID":"x1","eventTime":"2024-01-01T00:00:00Z","eventName":"ListBuckets","eventSource":"s3.amazonaws.com","recipientAccountId":"1","userIdentity":{"type":"IAMUser","userName":"canary-user","arn":"arn:aws:iam::1:user/canary-user"}})"
      "\n"
      R"({"eventID":"x2","eventName":"ListBuckets","userIdentity":{"type":"IAMUser","userName":"alice"}})"
      "\n";
  auto r =
      RunCommand({WardenBinary(), "trail", "scan", "--rules", rules, "-f", "jsonl", "-"}, events);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto f = JsonLines(r.out);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]["event_id"], "x1");
  EXPECT_EQ(f[0]["risk_level"], "very_high");
  EXPECT_EQ(f[0]["canary"]["user_name"], "canary-user");
}

TEST(CloudTrailCliTest, SigmaRuleLoadsAndFiresOnMatchingEvents) {
  TempDir dir;
  std::string sigma =
      dir.WriteFile("sigma/cloudtrail_tampering.yml", R"(title: AWS CloudTrail Important Change
id: 4db60cc0-36fb-42b7-9b58-a5b53019fb74
status: test
description: Detects disabling, deleting and updating of a Trail
logsource:
    product: aws
    service: cloudtrail
detection:
    selection_source:
        eventSource: cloudtrail.amazonaws.com
        eventName:
            - StopLogging
            - UpdateTrail
            - DeleteTrail
    condition: selection_source
level: medium
)");
  // An aggregation rule beside it is skipped with a warning naming it; the
  // directory's other rules still run.
  dir.WriteFile("sigma/many_trail_changes.yml", R"(title: Many trail changes
id: 11111111-2222-4333-8444-555555555555
logsource:
    product: aws
    service: cloudtrail
detection:
    selection:
        eventSource: cloudtrail.amazonaws.com
    condition: selection | count() > 5
level: high
)");
  auto r = RunCommand({WardenBinary(), "trail", "scan", "--rules", dir.path() + "/sigma", "-f",
                       "jsonl", Samples()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(
      r.err.find("many_trail_changes.yml:9:16: warning: rule 11111111-2222-4333-8444-555555555555: "
                 "skipped: condition: aggregation conditions"),
      std::string::npos)
      << r.err;
  std::multiset<std::string> ids;
  for (const Json& f : JsonLines(r.out)) {
    EXPECT_EQ(f["rule_id"], "4db60cc0-36fb-42b7-9b58-a5b53019fb74");
    EXPECT_EQ(f["risk_level"], "medium");
    ids.insert(f["event_id"].get<std::string>());
  }
  EXPECT_EQ(
      ids,
      PythonSelects(
          R"J([["^(StopLogging|UpdateTrail|DeleteTrail)$","^cloudtrail\\.amazonaws\\.com$",null]])J"));
  EXPECT_EQ(ids.size(), 6u);
}

TEST(CloudTrailCliTest, RulesListShowsBothCatalogsAndWhatRulesNeed) {
  auto r = RunCommand({WardenBinary(), "rules", "list", "-f", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json rules = Json::parse(r.out);
  std::map<std::string, Json> by_id;
  std::map<std::string, int> per_source;
  for (const Json& rule : rules) {
    by_id[rule["id"]] = rule;
    ++per_source[rule["source"]];
  }
  EXPECT_GE(per_source["cloudtrail"], 30);
  EXPECT_GE(per_source["host"], 10);
  EXPECT_EQ(by_id["RTM-011"]["enabled"], "no");
  EXPECT_EQ(by_id["RTM-011"]["needs"], "pattern rows");
  EXPECT_EQ(by_id["IAM-055"]["needs"], "canary users or access keys");
  EXPECT_EQ(by_id["HOST-REVERSE-SHELL"]["source"], "host");
  EXPECT_EQ(by_id["HOST-REVERSE-SHELL"]["risk_level"], "extreme");

  // A file's rules, host or CloudTrail by the fields they read.
  TempDir dir;
  std::string file = dir.WriteFile("mixed.yaml", R"(- id: MY-HOST
  risk_level: low
  match: {event: exec, process.name: nc}
- id: MY-CLOUD
  risk_level: high
  match: {eventName: DeleteTrail}
)");
  auto mine = RunCommand({WardenBinary(), "rules", "list", file, "--source", "host", "-f", "csv"});
  ASSERT_EQ(mine.exit_code, 0) << mine.err;
  EXPECT_EQ(mine.out,
            "source,id,risk_level,enabled,title,needs,tags\r\nhost,MY-HOST,low,yes,MY-HOST,,\r\n");
}

TEST(CloudTrailCliTest, RulesListCountsRulesThatNeedConfiguration) {
  auto r = RunCommand({WardenBinary(), "rules", "list", "--source", "all", "-f", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::map<std::string, Json> by_id;
  for (const Json& rule : Json::parse(r.out)) by_id[rule["id"]] = rule;
  EXPECT_EQ(by_id["OCI-IAM-CANARY-PRINCIPAL"]["source"], "oci");
  EXPECT_EQ(by_id["OCI-IAM-CANARY-PRINCIPAL"]["needs"], "canary principals");
  EXPECT_EQ(by_id["OCI-IAM-POLICY-CHANGED"]["needs"], "");
  EXPECT_NE(r.err.find(" rules need configuration: RTM-011 (pattern rows), IAM-055 (canary users "
                       "or access keys), OCI-IAM-CANARY-PRINCIPAL (canary principals)"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.rfind("warden: 3 of " + std::to_string(by_id.size()) + " rules", 0), 0u) << r.err;

  // After a profile: what it gives no longer needs configuration, per account too.
  TempDir dir;
  std::string profile = dir.WriteFile("acme.yaml", R"(organisation:
  rules:
    RTM-011: {enabled: true, patterns: [{eventName: '^Delete'}]}
    OCI-IAM-CANARY-PRINCIPAL: {enabled: true, canary: {users: [canary-svc]}}
accounts:
  "123456789012":
    rules:
      IAM-055: {enabled: true, canary: {users: [canary-user]}}
)");
  auto org = RunCommand({WardenBinary(), "rules", "list", "--profile", profile, "--source",
                         "cloudtrail", "-f", "csv"});
  ASSERT_EQ(org.exit_code, 0) << org.err;
  EXPECT_NE(org.err.find("needs configuration: IAM-055 (canary users or access keys)"),
            std::string::npos)
      << org.err;
  EXPECT_NE(org.out.find("cloudtrail,RTM-011,very_high,yes,"), std::string::npos) << org.out;
  auto account = RunCommand({WardenBinary(), "rules", "list", "--profile", profile, "--account",
                             "123456789012", "-f", "csv"});
  ASSERT_EQ(account.exit_code, 0) << account.err;
  EXPECT_NE(account.err.find("no rule needs configuration"), std::string::npos) << account.err;
  // A file's rules are resolved through the profile as well.
  std::string rows =
      dir.WriteFile("rtm.yaml", "- id: RTM-011\n  risk_level: high\n  patterns: []\n");
  auto file =
      RunCommand({WardenBinary(), "rules", "list", rows, "--profile", profile, "-f", "csv"});
  ASSERT_EQ(file.exit_code, 0) << file.err;
  EXPECT_NE(file.err.find("no rule needs configuration (1 rule)"), std::string::npos) << file.err;
  auto bare = RunCommand({WardenBinary(), "rules", "list", rows, "-f", "csv"});
  EXPECT_NE(bare.err.find("1 of 1 rule needs configuration: RTM-011 (pattern rows)"),
            std::string::npos)
      << bare.err;
  EXPECT_EQ(RunCommand({WardenBinary(), "rules", "list", "--source", "gcp"}).exit_code, 2);
}

TEST(CloudTrailCliTest, OciAuditSamplesRaiseTheOciCatalogWithTheSameOutputsAndExitCodes) {
  const std::string oci = testing::FixturePath("oci");
  auto r = RunCommand({WardenBinary(), "trail", "scan", "-f", "jsonl", oci});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<Json> findings = JsonLines(r.out);
  EXPECT_EQ(findings.size(), 9u);
  std::map<std::string, int> by_rule;
  for (const Json& f : findings) {
    ++by_rule[f["rule_id"]];
    EXPECT_EQ(f["source"], "cloud.oci_audit");
    EXPECT_EQ(f["account"], "ocid1.tenancy.oc1..aaaaaaaatenancyexample0001");
    EXPECT_TRUE(f["evidence"]["event"].is_object());
  }
  EXPECT_EQ(by_rule["OCI-IAM-POLICY-CHANGED"], 3);
  EXPECT_EQ(by_rule["OCI-OBJECTSTORAGE-BUCKET-PUBLIC"], 1);
  EXPECT_NE(r.err.find("16 events (16 OCI Audit), 9 findings"), std::string::npos) << r.err;

  EXPECT_EQ(RunCommand({WardenBinary(), "trail", "scan", "-q", "-f", "jsonl", "--fail-on",
                        "very_high", oci})
                .exit_code,
            1);
  // Told the inputs are CloudTrail, OCI rules see nothing.
  auto as_aws =
      RunCommand({WardenBinary(), "trail", "scan", "-f", "jsonl", "--provider", "aws", oci});
  EXPECT_EQ(as_aws.exit_code, 0) << as_aws.err;
  EXPECT_TRUE(as_aws.out.empty()) << as_aws.out;
  EXPECT_EQ(RunCommand({WardenBinary(), "trail", "scan", "--provider", "gcp", oci}).exit_code, 2);

  // OCI Logging entries on stdin; both clouds in one scan, each to its own rules.
  auto piped = RunShell("cat " + oci + "/logging-entries.jsonl | " + WardenBinary() +
                        " trail scan -q -f jsonl -");
  ASSERT_EQ(piped.exit_code, 0) << piped.err;
  ASSERT_EQ(JsonLines(piped.out).size(), 1u);
  EXPECT_EQ(JsonLines(piped.out)[0]["rule_id"], "OCI-NETWORK-NSG-OPEN-TO-WORLD");
  auto both = RunCommand({WardenBinary(), "trail", "scan", "-f", "jsonl", Samples(), oci});
  ASSERT_EQ(both.exit_code, 0) << both.err;
  size_t oci_findings = 0, aws_findings = 0;
  for (const Json& f : JsonLines(both.out)) {
    const bool from_oci = f["source"] == "cloud.oci_audit";
    EXPECT_EQ(from_oci, std::string(f["rule_id"]).rfind("OCI-", 0) == 0) << f["rule_id"];
    ++(from_oci ? oci_findings : aws_findings);
  }
  EXPECT_EQ(oci_findings, 9u);
  EXPECT_GT(aws_findings, 20u);
}

TEST(CloudTrailCliTest, HostRulesLintAgainstHostEventFields) {
  TempDir dir;
  auto catalog = RunCommand({WardenBinary(), "events", "rules"});
  ASSERT_EQ(catalog.exit_code, 0) << catalog.err;
  std::string path = dir.WriteFile("host-rules.yaml", catalog.out);
  auto clean = RunCommand({WardenBinary(), "rules", "lint", "--strict", "-f", "table", path});
  EXPECT_EQ(clean.exit_code, 0) << "the built-in host catalog lints clean: " << clean.out;
  std::string typo = dir.WriteFile("typo.yaml", R"(rules:
  - id: MINE
    risk_level: low
    match: {event: exec, process.nmae: nc}
)");
  auto warned = RunCommand({WardenBinary(), "rules", "lint", "-f", "table", typo});
  EXPECT_NE(warned.out.find("field 'process.nmae' is not a host event field; did you mean "
                            "'process.name'?"),
            std::string::npos)
      << warned.out;
}

TEST(CloudTrailCliTest, RulesTestCountsEachRowLikePython) {
  TempDir dir;
  std::string rules = dir.WriteFile("r.yaml", R"(- id: RTM-011
  risk_level: very_high
  enabled: false
  patterns:
    - {eventName: 'DeleteTrail', eventSource: 'cloudtrail.amazonaws.com'}
    - {eventName: '^Put', eventSource: '^(?!s3)'}
)");
  auto r =
      RunCommand({WardenBinary(), "rules", "test", rules, "--events", Samples(), "-f", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json j = Json::parse(r.out);
  EXPECT_EQ(j["events"], 2900);
  const Json& rule = j["rules"][0];
  EXPECT_EQ(rule["enabled"], false);  // a dry run tests disabled rules
  EXPECT_EQ(rule["rows"][0]["matches"].get<size_t>(),
            PythonSelects(R"J([["DeleteTrail","cloudtrail.amazonaws.com",null]])J").size());
  EXPECT_EQ(rule["rows"][1]["matches"].get<size_t>(),
            PythonSelects(R"J([["^Put","^(?!s3)",null]])J").size());
  EXPECT_EQ(rule["matches"].get<size_t>(),
            PythonSelects(
                R"J([["DeleteTrail","cloudtrail.amazonaws.com",null],["^Put","^(?!s3)",null]])J")
                .size());
  EXPECT_LE(rule["rows"][1]["examples"].size(), 3u);
}

TEST(CloudTrailCliTest, LintReportsLineAndColumnAndExitCodes) {
  TempDir dir;
  std::string good =
      dir.WriteFile("good.yaml", "- id: A\n  risk_level: low\n  match: {eventName: X}\n");
  auto ok = RunCommand({WardenBinary(), "rules", "lint", "-f", "table", good});
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  std::string bad = dir.WriteFile("bad.yaml",
                                  "- id: B\n  risk_level: low\n  patterns:\n"
                                  "    - {eventName: '^(Create', eventSource: x}\n");
  auto lint = RunCommand({WardenBinary(), "rules", "lint", "-f", "table", bad});
  EXPECT_EQ(lint.exit_code, 1);
  EXPECT_NE(lint.out.find("bad.yaml:4:28: rule B: patterns[0].eventName: regex error at offset 8"),
            std::string::npos)
      << lint.out;
  // The scan refuses the file with the same one-line error and exit code 2.
  auto scan = RunCommand({WardenBinary(), "trail", "scan", "--rules", bad, Samples()});
  EXPECT_EQ(scan.exit_code, 2);
  EXPECT_NE(scan.err.find("bad.yaml:4:28: rule B:"), std::string::npos) << scan.err;
  auto missing = RunCommand({WardenBinary(), "rules", "lint", dir.path() + "/nope.yaml"});
  EXPECT_EQ(missing.exit_code, 2);
}

TEST(CloudTrailCliTest, ExitCodesForMissingInputAndFailOn) {
  auto missing = RunCommand({WardenBinary(), "trail", "scan", "/nonexistent/logs"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("/nonexistent/logs: no such file or directory"), std::string::npos);
  auto gate = RunCommand(
      {WardenBinary(), "trail", "scan", "-q", "-f", "jsonl", "--fail-on", "extreme", Samples()});
  EXPECT_EQ(gate.exit_code, 1);  // LeaveOrganization is Extreme
  auto pass = RunCommand(
      {WardenBinary(), "trail", "scan", "-q", "-f", "jsonl", "--fail-on", "extreme",
       Samples() + "/218007301253_CloudTrail_us-east-1_20230710T1145Z_7xgocspSowgK0Gto.json"});
  EXPECT_EQ(pass.exit_code, 0) << pass.err;
}

TEST(CloudTrailCliTest, DamagedInputIsSkippedCountedAndTheRestScanned) {
  TempDir dir;
  std::string sample =
      Samples() + "/218007301253_CloudTrail_us-east-1_20230710T1205Z_lKy08gyrqqRJyzsn.json";
  std::ifstream in(sample);
  std::stringstream ss;
  ss << in.rdbuf();
  dir.WriteFile("good.json", ss.str());
  dir.WriteFile(
      "broken.json",
      R"({"Records":[{"eventName":"StopLogging",}, {"eventID":"ok","eventName":"DeleteTrail","eventSource":"cloudtrail.amazonaws.com"}]})");
  dir.WriteFile("truncated.json.gz", std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00", 8));
  auto r = RunCommand({WardenBinary(), "trail", "scan", "-f", "jsonl", dir.path()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("broken.json: byte 12: record skipped: invalid JSON"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("truncated.json.gz: truncated gzip stream"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("1 bad records skipped"), std::string::npos) << r.err;
  bool saw_ok = false;
  for (const Json& f : JsonLines(r.out)) saw_ok |= f["event_id"] == "ok";
  EXPECT_TRUE(saw_ok);
}

TEST(CloudTrailCliTest, ProfileSuppressionsAreCountedInTheSummary) {
  TempDir dir;
  std::string profile = dir.WriteFile("p.yaml", R"(
organisation:
  rules:
    AWS-IAM-USER-CREATED: {risk_level: low}
suppressions:
  - rule: AWS-CLOUDTRAIL-*
    account: "123837392027"
    comment: Stratus Red Team exercise, approved by SEC (ticket 1)
)");
  auto r =
      RunCommand({WardenBinary(), "trail", "scan", "--profile", profile, "-f", "jsonl", Samples()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const Json& f : JsonLines(r.out)) {
    EXPECT_EQ(f["rule_id"].get<std::string>().rfind("AWS-CLOUDTRAIL-", 0), std::string::npos);
    if (f["rule_id"] == "AWS-IAM-USER-CREATED") {
      EXPECT_EQ(f["risk_level"], "low");
    }
  }
  EXPECT_NE(r.err.find("(+8 suppressed)"), std::string::npos)
      << r.err;  // 3 stopped, 3 deleted, 2 selectors
  auto shown = RunCommand({WardenBinary(), "trail", "scan", "--profile", profile,
                           "--show-suppressed", "-f", "jsonl", Samples()});
  int suppressed = 0;
  for (const Json& f : JsonLines(shown.out)) suppressed += f.value("suppressed", false) ? 1 : 0;
  EXPECT_EQ(suppressed, 8);
}

TEST(CloudTrailCliTest, IamCheckReportsUnhealthyCanary) {
  TempDir dir;
  std::string details = dir.WriteFile("auth.json", R"({"UserDetailList":[
    {"UserName":"canary-user","Arn":"arn:aws:iam::123456789012:user/canary-user",
     "AttachedManagedPolicies":[{"PolicyName":"AdministratorAccess"}],"UserPolicyList":[],"GroupList":[]}],
    "GroupDetailList":[]})");
  std::string report = dir.WriteFile(
      "report.csv",
      "user,arn,password_enabled,mfa_active,access_key_1_active,access_key_1_last_rotated,"
      "access_key_1_last_used_date\n"
      "canary-user,arn:aws:iam::123456789012:user/canary-user,false,false,false,N/A,N/A\n");
  auto r = RunCommand({WardenBinary(), "trail", "iam-check", "--authorization-details", details,
                       "--credential-report", report, "--canary-user", "canary-user", "-f", "jsonl",
                       "--fail-on", "very_high"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  auto findings = JsonLines(r.out);
  std::set<std::string> problems;
  for (const Json& f : findings) {
    EXPECT_EQ(f["rule_id"], "IAM-055");
    problems.insert(f["problem"].get<std::string>());
  }
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_NE(problems.begin()->find("canary user canary-user"), std::string::npos);
  // The summary counts what was checked and agrees with the notes above it.
  EXPECT_NE(r.err.find("1 user; canaries checked: 1 of 1 user, 0 of 0 key ids; 2 findings"),
            std::string::npos)
      << r.err;
  // OCI canary principals are not IAM users: a profile naming one adds no canary here.
  std::string profile = dir.WriteFile("oci.yaml", R"(organisation:
  rules:
    OCI-IAM-CANARY-PRINCIPAL: {enabled: true, canary: {users: [canary-svc]}}
)");
  auto with_oci = RunCommand({WardenBinary(), "trail", "iam-check", "--authorization-details",
                              details, "--credential-report", report, "--canary-user",
                              "canary-user", "--profile", profile, "-f", "jsonl"});
  EXPECT_EQ(with_oci.exit_code, 0) << with_oci.err;
  EXPECT_NE(with_oci.err.find("canaries checked: 1 of 1 user, 0 of 0 key ids"), std::string::npos)
      << with_oci.err;
  auto none = RunCommand({WardenBinary(), "trail", "iam-check"});
  EXPECT_EQ(none.exit_code, 2);
}

TEST(CloudTrailCliTest, WatchPicksUpFilesAsTheyLand) {
  TempDir dir;
  dir.WriteFile(
      "old/a.json",
      R"({"Records":[{"eventID":"old","eventName":"StopLogging","eventSource":"cloudtrail.amazonaws.com"}]})");
  const std::string err_path = dir.path() + "/watch.err";
  auto file_text = [](const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  };
  std::thread writer([&] {
    // The new file must land after the watch's first listing, which comes
    // right after its "watching" line; the pause covers the watch being
    // descheduled in between (it polls every 200 ms, so nothing is lost).
    testing::WaitFor([&] { return file_text(err_path).find("watching") != std::string::npos; },
                     std::chrono::seconds(10), std::chrono::milliseconds(20));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    dir.WriteFile(
        "AWSLogs/1/CloudTrail/us-east-1/2024/01/01/new.json",
        R"({"Records":[{"eventID":"new","eventName":"StopLogging","eventSource":"cloudtrail.amazonaws.com"}]})");
  });
  auto r = RunShell(WardenBinary() + " trail watch --interval 0.2 --duration 4 -f jsonl " +
                    dir.path() + " 2>" + err_path);
  writer.join();
  EXPECT_EQ(r.exit_code, 0) << file_text(err_path);
  auto findings = JsonLines(r.out);
  ASSERT_EQ(findings.size(), 1u) << r.out;
  EXPECT_EQ(findings[0]["event_id"], "new");
}

TEST(CloudTrailCliTest, WatchFinishesCleanlyOnSighupWithItsSummary) {
  TempDir dir;
  dir.WriteFile(
      "logs/a.json",
      R"({"Records":[{"eventID":"e1","eventName":"StopLogging","eventSource":"cloudtrail.amazonaws.com"}]})");
  const std::string err_path = dir.path() + "/watch.err", out_path = dir.path() + "/watch.out";
  auto file_text = [](const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  };
  auto started = RunShell(WardenBinary() + " trail watch --from-start --interval 0.2 -f jsonl " +
                          dir.path() + "/logs >" + out_path + " 2>" + err_path + " & echo $!");
  int64_t pid = 0;
  ASSERT_TRUE(ParseInt64(TrimWhitespace(started.out), &pid));
  ASSERT_TRUE(testing::WaitFor([&] { return file_text(out_path).find("e1") != std::string::npos; },
                               std::chrono::seconds(10), std::chrono::milliseconds(20)))
      << file_text(err_path);
  kill(static_cast<pid_t>(pid), SIGHUP);
  ASSERT_TRUE(testing::WaitFor([&] { return kill(static_cast<pid_t>(pid), 0) != 0; },
                               std::chrono::seconds(10), std::chrono::milliseconds(20)))
      << "still running after SIGHUP";
  const std::string err = file_text(err_path);
  EXPECT_NE(err.find("1 events, 1 findings"), std::string::npos)
      << "the summary is printed, not cut off by the signal: " << err;
  EXPECT_EQ(JsonLines(file_text(out_path)).size(), 1u);
}

// A receiver written for this test: Python's http.server on 127.0.0.1 that
// records each request (headers and exact body) as a JSON line.
const char* kReceiver = R"PY(
import http.server, json, sys
out_path, port_path, expected = sys.argv[1], sys.argv[2], int(sys.argv[3])
class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get('Content-Length', 0)))
        with open(out_path, 'a') as out:
            out.write(json.dumps({'path': self.path, 'headers': {k.lower(): v for k, v in self.headers.items()},
                                  'body': body.decode('utf-8')}) + '\n')
        self.send_response(200); self.send_header('Content-Length', '2'); self.end_headers(); self.wfile.write(b'ok')
    def log_message(self, *args): pass
server = http.server.HTTPServer(('127.0.0.1', 0), Handler)
server.timeout = 20
with open(port_path + '.tmp', 'w') as f: f.write(str(server.server_address[1]))
import os; os.rename(port_path + '.tmp', port_path)
for _ in range(expected): server.handle_request()
)PY";

TEST(CloudTrailCliTest, UndeliveredNotificationsAreCountedAsFailedAndCanFailTheRun) {
  // Nothing listens on port 1: the one Extreme finding cannot be delivered.
  const std::string scan = WardenBinary() +
                           " trail scan -f jsonl --notify-min-risk extreme --webhook "
                           "http://127.0.0.1:1/hook " +
                           Samples() + " > /dev/null";
  auto r = RunShell(scan + " --fail-on-notify-error");
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("notifications: 1 finding; webhook 0 delivered, 1 failed (last error: "),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find(" sent"), std::string::npos) << "nothing claims to be sent: " << r.err;
  auto without_flag = RunShell(scan);
  EXPECT_EQ(without_flag.exit_code, 0) << without_flag.err;
}

TEST(CloudTrailCliTest, WebhookAndSlackNotificationsReachALocalReceiverWithValidSignatures) {
  TempDir dir;
  std::string script = dir.WriteFile("receiver.py", kReceiver);
  std::string log = dir.path() + "/requests.jsonl", port_file = dir.path() + "/port";
  // LeaveOrganization (Extreme) is the only finding at or above extreme: one
  // webhook POST and one Slack POST.
  auto started =
      RunShell("python3 " + script + " " + log + " " + port_file + " 2 >/dev/null 2>&1 & echo $!");
  int64_t pid = 0;
  ASSERT_TRUE(ParseInt64(TrimWhitespace(started.out), &pid));
  std::string port;
  ASSERT_TRUE(testing::WaitFor(
      "the receiver to write its port",
      [&] {
        std::ifstream in(port_file);
        std::getline(in, port);
        return !port.empty();
      },
      std::chrono::seconds(10), std::chrono::milliseconds(20)));
  std::string base = "http://127.0.0.1:" + port;
  auto r =
      RunShell("WARDEN_WEBHOOK_SECRET=topsecret " + WardenBinary() +
               " trail scan -q -f jsonl --notify-min-risk extreme --webhook " + base +
               "/hook --slack-webhook " + base + "/services/T/B/X " + Samples() + " > /dev/null");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<Json> requests;
  testing::WaitFor(
      [&] {
        std::ifstream in(log);
        std::stringstream ss;
        ss << in.rdbuf();
        requests = JsonLines(ss.str());
        return requests.size() >= 2;
      },
      std::chrono::seconds(10), std::chrono::milliseconds(20));
  kill(static_cast<pid_t>(pid), SIGTERM);
  ASSERT_EQ(requests.size(), 2u);
  for (const Json& req : requests) {
    const std::string body = req["body"];
    if (req["path"] == "/hook") {
      const std::string ts = req["headers"]["x-warden-timestamp"];
      EXPECT_EQ(req["headers"]["x-warden-signature"],
                "sha256=" + HmacSha256Hex("topsecret", ts + "." + body));
      EXPECT_EQ(Json::parse(body)["rule_id"], "AWS-ORGANIZATION-LEFT");
    } else {
      EXPECT_EQ(req["path"], "/services/T/B/X");
      Json slack = Json::parse(body);
      EXPECT_TRUE(slack["text"].is_string());
      EXPECT_TRUE(slack["blocks"].is_array());
      EXPECT_NE(slack["text"].get<std::string>().find("Extreme"), std::string::npos);
    }
  }
}

}  // namespace
}  // namespace warden

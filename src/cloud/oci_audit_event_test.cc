#include "cloud/oci_audit_event.h"

#include <gtest/gtest.h>

#include <map>

#include "cloud/builtin_catalog.h"
#include "cloud/cloud_test_util.h"
#include "cloud/oci_catalog.h"

namespace warden {
namespace {

// A record as the splitter hands it over: with padding after it.
struct PaddedRecord {
  explicit PaddedRecord(const std::string& json) : text(json + std::string(kRecordPadding, ' ')) {
    record.text = std::string_view(text.data(), json.size());
    record.capacity = text.size();
  }
  std::string text;
  SplitRecord record;
};

// Runs `rules` over events given as text (one record each).
testing::ScanOutput ScanEvents(std::vector<Rule> rules, const std::vector<std::string>& events,
                               const TrailProfile* profile = nullptr,
                               TrailScanner::Options options = {}) {
  testing::ScanOutput out;
  auto scanner = TrailScanner::Create(std::move(rules), profile, options);
  EXPECT_TRUE(scanner.ok()) << scanner.status().message();
  if (!scanner.ok()) return out;
  (*scanner)->set_on_finding([&](Finding&& f, bool) { out.findings.push_back(std::move(f)); });
  (*scanner)->set_on_problem([&](const std::string& m) { out.problems.push_back(m); });
  const std::string source = "events";
  RecordOrigin origin{&source, 0, 0};
  for (const std::string& e : events) {
    PaddedRecord r(e);
    (*scanner)->ProcessRecord(r.record, origin);
  }
  out.stats = (*scanner)->stats();
  return out;
}

std::map<std::string, int> CountByRule(const std::vector<Finding>& findings) {
  std::map<std::string, int> n;
  for (const Finding& f : findings) ++n[f.rule_id];
  return n;
}

std::vector<Rule> Catalog() {
  auto rules = LoadBuiltinCatalog();
  EXPECT_TRUE(rules.ok()) << rules.status().message();
  return rules.ok() ? *rules : std::vector<Rule>{};
}

constexpr const char* kTenancy = "ocid1.tenancy.oc1..aaaaaaaatenancyexample0001";

// An UpdateSecurityList event opening SSH to the world, CloudEvents 0.1.
std::string OpenSecurityList(const std::string& state = R"({"previous":null,"current":)"
                                                        R"({"ingressSecurityRules":[{"source":)"
                                                        R"("0.0.0.0/0","protocol":"6"}]}})") {
  return R"({"eventType":"com.oraclecloud.virtualNetwork.UpdateSecurityList","cloudEventsVersion":"0.1","eventID":"e-1","eventTime":"2024-05-02T09:02:00.000Z","source":"web-sl","data":{"compartmentName":"prod","resourceId":"ocid1.securitylist.oc1.iad.aaaa","identity":{"principalName":"bob@example.com","tenantId":")" +
         std::string(kTenancy) + R"(","ipAddress":"198.51.100.7"},"stateChange":)" + state + "}}";
}

constexpr const char* kCloudTrailRecord =
    R"({"eventVersion":"1.08","userIdentity":{"type":"IAMUser","userName":"alice"},"eventTime":"2024-05-01T12:00:00Z","eventSource":"iam.amazonaws.com","eventName":"CreateUser","awsRegion":"us-east-1","recipientAccountId":"123456789012"})";

TEST(AuditEventClassifierTest, TellsCloudTrailFromOciByTheEnvelope) {
  AuditEventClassifier c;
  using Kind = AuditEventClassifier::Kind;
  EXPECT_EQ(c.Classify(PaddedRecord(kCloudTrailRecord).record, ProviderMode::kAuto), Kind::kAws);
  // CloudTrail keys in another order are still CloudTrail.
  EXPECT_EQ(c.Classify(PaddedRecord(R"({"eventName":"X","eventVersion":"1.08"})").record,
                       ProviderMode::kAuto),
            Kind::kAws);
  EXPECT_EQ(c.Classify(PaddedRecord(OpenSecurityList()).record, ProviderMode::kAuto), Kind::kOci);
  EXPECT_EQ(c.Classify(PaddedRecord(R"({"type":"com.oraclecloud.ComputeApi.GetInstance",)"
                                    R"("specversion":"1.0","data":{}})")
                           .record,
                       ProviderMode::kAuto),
            Kind::kOci);
  EXPECT_EQ(c.Classify(PaddedRecord(R"({"type":"com.example.other","specversion":"1.0"})").record,
                       ProviderMode::kAuto),
            Kind::kAws);
  // Explicit modes.
  EXPECT_EQ(c.Classify(PaddedRecord(OpenSecurityList()).record, ProviderMode::kAws), Kind::kAws);
  EXPECT_EQ(c.Classify(PaddedRecord(kCloudTrailRecord).record, ProviderMode::kOci), Kind::kOci);
  // Not JSON: left to the scanner, which reports it.
  EXPECT_EQ(c.Classify(PaddedRecord("{oops").record, ProviderMode::kAuto), Kind::kAws);
}

TEST(AuditEventClassifierTest, TakesEventsOutOfLoggingEntriesAndSearchResults) {
  AuditEventClassifier c;
  const std::string event = R"({"type":"com.oraclecloud.ComputeApi.GetInstance","id":"a"})";
  PaddedRecord entry(R"({"datetime":1714640400000,"logContent":)" + event + "}");
  ASSERT_EQ(c.Classify(entry.record, ProviderMode::kAuto), AuditEventClassifier::Kind::kContainer);
  ASSERT_EQ(c.events().size(), 1u);
  EXPECT_EQ(c.events()[0].text, event);
  EXPECT_GE(c.events()[0].capacity, event.size() + kRecordPadding);

  PaddedRecord search(R"({"data":{"results":[{"data":{"logContent":)" + event +
                      R"(}},{"data":{"logContent":{"id":"b"}}},{"data":null}]}})");
  ASSERT_EQ(c.Classify(search.record, ProviderMode::kAuto), AuditEventClassifier::Kind::kContainer);
  ASSERT_EQ(c.events().size(), 2u);
  EXPECT_EQ(c.events()[1].text, R"({"id":"b"})");
}

TEST(OciAuditEventTest, RegionComesFromTheResourceOcid) {
  EXPECT_EQ(OcidRegion("ocid1.instance.oc1.phx.abuw4ljexample"), "phx");
  EXPECT_EQ(OcidRegion("ocid1.bucket.oc1.us-ashburn-1.aaaa"), "us-ashburn-1");
  EXPECT_EQ(OcidRegion("ocid1.tenancy.oc1..aaaaaaaaexample"), "");
  EXPECT_EQ(OcidRegion("not-an-ocid"), "");
  EXPECT_EQ(OcidRegion(""), "");
}

TEST(OciAuditEventTest, SampleDirectoryRaisesTheCatalogsFindings) {
  testing::ScanOutput out = testing::ScanPaths(Catalog(), {testing::OciSamplesDir()});
  EXPECT_TRUE(out.problems.empty()) << out.problems.front();
  EXPECT_EQ(out.stats.events, 16u);
  EXPECT_EQ(out.stats.oci_events, 16u);
  std::map<std::string, int> want = {
      {"OCI-IAM-POLICY-CHANGED", 3},          {"OCI-NETWORK-SECURITY-LIST-OPEN-TO-WORLD", 1},
      {"OCI-OBJECTSTORAGE-BUCKET-PUBLIC", 1}, {"OCI-IAM-USER-CREDENTIAL-CREATED", 2},
      {"OCI-CLOUD-GUARD-DISABLED", 1},        {"OCI-NETWORK-NSG-OPEN-TO-WORLD", 1}};
  EXPECT_EQ(CountByRule(out.findings), want);
}

TEST(OciAuditEventTest, FindingsCarryTenancyRegionPrincipalAndTheEvent) {
  testing::ScanOutput out = ScanEvents(Catalog(), {OpenSecurityList()});
  ASSERT_EQ(out.findings.size(), 1u);
  const Finding& f = out.findings[0];
  EXPECT_EQ(f.rule_id, "OCI-NETWORK-SECURITY-LIST-OPEN-TO-WORLD");
  EXPECT_EQ(f.source, "cloud.oci_audit");
  EXPECT_EQ(f.attributes["account"], kTenancy);
  EXPECT_EQ(f.attributes["region"], "iad");
  EXPECT_EQ(f.attributes["actor"], "bob@example.com");
  EXPECT_EQ(f.attributes["event_name"], "com.oraclecloud.virtualNetwork.UpdateSecurityList");
  EXPECT_EQ(f.attributes["event_source"], "virtualNetwork");
  EXPECT_EQ(f.attributes["event_id"], "e-1");
  EXPECT_EQ(f.attributes["source_ip"], "198.51.100.7");
  EXPECT_EQ(f.attributes["compartment"], "prod");
  EXPECT_EQ(f.resource, "ocid1.securitylist.oc1.iad.aaaa");
  ASSERT_EQ(f.raw_evidence.size(), 1u);
  EXPECT_EQ(f.raw_evidence[0].second, OpenSecurityList());
  EXPECT_EQ(f.ocsf_extra["cloud"]["provider"], "OCI");
}

TEST(OciAuditEventTest, MissingAndNullFieldsNeitherFireNorCrash) {
  std::vector<std::string> events;
  for (const char* state : {"null", "{}", R"({"current":null})", R"({"current":{}})",
                            R"({"current":{"ingressSecurityRules":null}})",
                            R"({"current":{"ingressSecurityRules":[]}})",
                            R"({"current":{"ingressSecurityRules":[null]}})",
                            R"({"current":{"ingressSecurityRules":[{"source":null}]}})",
                            R"({"current":{"ingressSecurityRules":[{"protocol":"6"}]}})",
                            R"({"current":{"ingressSecurityRules":{"source":"0.0.0.0/1"}}})"})
    events.push_back(OpenSecurityList(state));
  // Each catalog rule's trigger with its decisive fields gone or null.
  for (
      const char* e : {
          R"({"eventType":"com.oraclecloud.objectstorage.UpdateBucket","data":null})",
          R"({"eventType":"com.oraclecloud.objectstorage.UpdateBucket","data":{"additionalDetails":null}})",
          R"({"eventType":"com.oraclecloud.objectstorage.UpdateBucket","data":{"additionalDetails":{"publicAccessType":null}}})",
          R"({"eventType":"com.oraclecloud.objectstorage.CreateBucket","data":{"stateChange":{"current":{}}}})",
          R"({"eventType":"com.oraclecloud.cloudGuard.UpdateConfiguration","data":{"stateChange":null}})",
          R"({"eventType":"com.oraclecloud.cloudGuard.UpdateConfiguration","data":{"stateChange":{"current":{"status":null}}}})",
          R"({"eventType":"com.oraclecloud.virtualNetwork.AddNetworkSecurityGroupSecurityRules","data":{"stateChange":{"current":{"securityRules":[{"direction":"INGRESS","source":null}]}}}})",
          R"({"eventType":null,"cloudEventsVersion":"0.1","data":{"identity":null}})",
          R"({"cloudEventsVersion":"0.1"})",
          R"({"eventType":"com.oraclecloud.identityControlPlane.ListPolicies","data":{"identity":{"principalName":null}}})",
      })
    events.push_back(e);
  testing::ScanOutput out = ScanEvents(Catalog(), events);
  for (const Finding& f : out.findings) ADD_FAILURE() << f.rule_id << ": " << f.description;
  EXPECT_EQ(out.stats.events, events.size());
  EXPECT_EQ(out.stats.oci_events, events.size());
}

TEST(OciAuditEventTest, CloudTrailRulesStayOffOciEventsAndTheOtherWayRound) {
  std::vector<Rule> rules = testing::RulesFromYaml(R"(
- id: AWS-ANY
  risk_level: low
  match: {eventTime: {exists: true}}
- id: OCI-ANY
  provider: oci
  risk_level: low
  match: {eventTime: {exists: true}}
)");
  testing::ScanOutput out = ScanEvents(rules, {kCloudTrailRecord, OpenSecurityList()});
  ASSERT_EQ(out.findings.size(), 2u);
  EXPECT_EQ(out.findings[0].rule_id, "AWS-ANY");
  EXPECT_EQ(out.findings[0].source, "cloud.cloudtrail");
  EXPECT_EQ(out.findings[1].rule_id, "OCI-ANY");
  EXPECT_EQ(out.findings[1].source, "cloud.oci_audit");

  // Told explicitly, every record is of that provider.
  TrailScanner::Options as_oci;
  as_oci.provider = ProviderMode::kOci;
  out = ScanEvents(rules, {kCloudTrailRecord, OpenSecurityList()}, nullptr, as_oci);
  EXPECT_EQ(CountByRule(out.findings), (std::map<std::string, int>{{"OCI-ANY", 2}}));
  TrailScanner::Options as_aws;
  as_aws.provider = ProviderMode::kAws;
  out = ScanEvents(rules, {kCloudTrailRecord, OpenSecurityList()}, nullptr, as_aws);
  EXPECT_EQ(CountByRule(out.findings), (std::map<std::string, int>{{"AWS-ANY", 2}}));
}

TEST(OciAuditEventTest, TheCloudTrailCatalogIgnoresOciSamplesAndTheOciCatalogCloudTrail) {
  testing::ScanOutput oci = testing::ScanPaths(Catalog(), {testing::OciSamplesDir()});
  for (const Finding& f : oci.findings) EXPECT_EQ(f.rule_id.rfind("OCI-", 0), 0u) << f.rule_id;
  testing::ScanOutput aws = testing::ScanPaths(Catalog(), {testing::SamplesDir()});
  EXPECT_EQ(aws.stats.oci_events, 0u);
  for (const Finding& f : aws.findings) EXPECT_NE(f.rule_id.rfind("OCI-", 0), 0u) << f.rule_id;
}

TEST(OciAuditEventTest, RulesReadBothCloudEventsVersionsOfTheEnvelope) {
  std::vector<Rule> rules = testing::RulesFromYaml(R"(
- id: BY-OLD-NAMES
  provider: oci
  risk_level: low
  match:
    eventType: com.oraclecloud.ComputeApi.GetInstance
    eventID: {exists: true}
- id: BY-NEW-NAMES
  provider: oci
  risk_level: low
  match:
    type: com.oraclecloud.ComputeApi.GetInstance
    time: {startswith: '2024-'}
- id: NO-ID
  provider: oci
  risk_level: low
  match:
    id: {exists: false}
)");
  const std::string v01 =
      R"({"eventType":"com.oraclecloud.ComputeApi.GetInstance","cloudEventsVersion":"0.1","eventID":"x","eventTime":"2024-05-02T09:00:00Z"})";
  const std::string v10 =
      R"({"type":"com.oraclecloud.ComputeApi.GetInstance","specversion":"1.0","id":"y","time":"2024-05-02T09:00:00Z"})";
  const std::string api =
      R"({"eventType":"com.oraclecloud.ComputeApi.GetInstance","cloudEventsVersion":"0.1","eventId":"z","eventTime":"2024-05-02T09:00:00Z"})";
  testing::ScanOutput out = ScanEvents(rules, {v01, v10, api});
  EXPECT_EQ(CountByRule(out.findings),
            (std::map<std::string, int>{{"BY-OLD-NAMES", 3}, {"BY-NEW-NAMES", 3}}));
  ASSERT_EQ(out.findings.size(), 6u);
  EXPECT_EQ(out.findings[2].attributes["event_id"], "y");
  EXPECT_EQ(out.findings[4].attributes["event_id"], "z");
}

TEST(OciAuditEventTest, CanaryPrincipalsFireOnceGivenByNameOrOcid) {
  const std::string by_canary =
      R"({"eventType":"com.oraclecloud.ComputeApi.GetInstance","cloudEventsVersion":"0.1","eventID":"c1","data":{"identity":{"principalName":"Canary-Svc","principalId":"ocid1.user.oc1..canary"}}})";
  const std::string by_other =
      R"({"eventType":"com.oraclecloud.ComputeApi.GetInstance","cloudEventsVersion":"0.1","eventID":"c2","data":{"identity":{"principalName":"alice"}}})";
  const std::string no_identity =
      R"({"eventType":"com.oraclecloud.ComputeApi.GetInstance","cloudEventsVersion":"0.1","eventID":"c3","data":{"identity":null}})";
  // Off without principals.
  EXPECT_TRUE(ScanEvents(Catalog(), {by_canary}).findings.empty());
  for (const char* principals : {"[canary-svc]", "['ocid1.user.oc1..canary']"}) {
    auto profile = TrailProfile::Parse(
        std::string("organisation:\n  rules:\n    OCI-IAM-CANARY-PRINCIPAL:\n      enabled: true\n"
                    "      canary: {users: ") +
            principals + "}\n",
        "p.yaml");
    ASSERT_TRUE(profile.ok()) << profile.status().message();
    testing::ScanOutput out = ScanEvents(Catalog(), {by_canary, by_other, no_identity}, &*profile);
    ASSERT_EQ(out.findings.size(), 1u) << principals;
    EXPECT_EQ(out.findings[0].rule_id, "OCI-IAM-CANARY-PRINCIPAL");
    EXPECT_EQ(out.findings[0].attributes["event_id"], "c1");
  }
}

TEST(OciAuditEventTest, TenancyOverridesInAProfileApplyToItsEvents) {
  auto profile = TrailProfile::Parse(std::string("accounts:\n  \"") + kTenancy +
                                         "\":\n    rules:\n"
                                         "      OCI-NETWORK-SECURITY-LIST-OPEN-TO-WORLD: "
                                         "{enabled: false}\n",
                                     "p.yaml");
  ASSERT_TRUE(profile.ok()) << profile.status().message();
  std::string other = OpenSecurityList();
  other.replace(other.find(kTenancy), std::string(kTenancy).size(), "ocid1.tenancy.oc1..other");
  testing::ScanOutput out = ScanEvents(Catalog(), {OpenSecurityList(), other}, &*profile);
  ASSERT_EQ(out.findings.size(), 1u);
  EXPECT_EQ(out.findings[0].attributes["account"], "ocid1.tenancy.oc1..other");
}

TEST(OciAuditEventTest, SigmaRulesForOciRunOnOciEvents) {
  std::vector<Rule> rules = testing::RulesFromYaml(R"(
title: OCI policy change
id: 7a0c0000-0000-4000-8000-00000000oci1
logsource:
  product: oci
  service: audit
level: high
detection:
  selection:
    eventType|endswith: '.UpdateSecurityList'
    data.stateChange.current.ingressSecurityRules.source: '0.0.0.0/0'
  condition: selection
)");
  ASSERT_EQ(rules.size(), 1u);
  EXPECT_EQ(rules[0].provider, EventProvider::kOci);
  testing::ScanOutput out =
      ScanEvents(rules, {OpenSecurityList(), OpenSecurityList("null"), kCloudTrailRecord});
  ASSERT_EQ(out.findings.size(), 1u);
  EXPECT_EQ(out.findings[0].risk_level, RiskLevel::kHigh);
}

TEST(OciAuditEventTest, DamagedOciRecordsAreReportedAndSkipped) {
  testing::ScanOutput out = ScanEvents(
      Catalog(), {R"({"datetime":1,"logContent":{"type":"com.oraclecloud.x.Y", "data": [}})",
                  OpenSecurityList()});
  EXPECT_EQ(out.findings.size(), 1u);
  EXPECT_EQ(out.stats.bad_records, 1u);
  ASSERT_EQ(out.problems.size(), 1u);
  EXPECT_NE(out.problems[0].find("record skipped"), std::string::npos) << out.problems[0];
}

}  // namespace
}  // namespace warden

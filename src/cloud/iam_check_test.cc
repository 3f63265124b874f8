#include "cloud/iam_check.h"

#include <gtest/gtest.h>

namespace warden {
namespace {

const char* kDetails = R"({
  "UserDetailList": [
    {"UserName": "canary-user", "Arn": "arn:aws:iam::123456789012:user/canary-user",
     "UserPolicyList": [], "AttachedManagedPolicies": [], "GroupList": []},
    {"UserName": "leaky-canary", "Arn": "arn:aws:iam::123456789012:user/leaky-canary",
     "UserPolicyList": [{"PolicyName": "inline-s3"}],
     "AttachedManagedPolicies": [{"PolicyName": "ReadOnlyAccess", "PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}],
     "GroupList": ["devs"]},
    {"UserName": "alice", "Arn": "arn:aws:iam::123456789012:user/alice", "GroupList": []}
  ],
  "GroupDetailList": [{"GroupName": "devs", "AttachedManagedPolicies": [{"PolicyName": "PowerUserAccess"}]}]
})";

const char* kReport =
    "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
    "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"
    "access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"
    "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
    "access_key_2_last_used_region,access_key_2_last_used_service\n"
    "<root_account>,arn:aws:iam::123456789012:root,2020-01-01T00:00:00+00:00,not_supported,N/"
    "A,not_supported,"
    "not_supported,true,true,2020-01-01T00:00:00+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A\n"
    "canary-user,arn:aws:iam::123456789012:user/canary-user,2020-01-01T00:00:00+00:00,false,N/A,N/"
    "A,N/A,false,"
    "true,2020-01-01T00:00:00+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A\n"
    "leaky-canary,arn:aws:iam::123456789012:user/leaky-canary,2020-01-01T00:00:00+00:00,true,N/A,N/"
    "A,N/A,false,"
    "false,N/A,N/A,N/A,N/"
    "A,true,2020-01-01T00:00:00+00:00,2023-07-10T12:00:00+00:00,us-east-1,sts,N/A\n"
    "alice,arn:aws:iam::123456789012:user/alice,2020-01-01T00:00:00+00:00,true,N/A,N/A,N/A,false,"
    "true,2020-01-01T00:00:00+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A\n";

std::vector<std::string> Problems(const IamCheckResult& r, const std::string& rule) {
  std::vector<std::string> out;
  for (const Finding& f : r.findings)
    if (f.rule_id == rule) out.push_back(f.attributes["problem"].get<std::string>());
  return out;
}

bool Any(const std::vector<std::string>& v, const std::string& needle) {
  for (const auto& s : v)
    if (s.find(needle) != std::string::npos) return true;
  return false;
}

TEST(IamCheckTest, HealthyCanaryHasNoFindings) {
  IamSnapshot s;
  ASSERT_TRUE(s.AddAuthorizationDetails(kDetails, "auth.json").ok());
  ASSERT_TRUE(s.AddCredentialReport(kReport, "report.csv").ok());
  IamCheckOptions o;
  o.canaries.users = {"canary-user"};
  o.now = 1700000000;
  IamCheckResult r = CheckIam(s, o);
  EXPECT_TRUE(Problems(r, "IAM-055").empty());
  EXPECT_EQ(s.account, "123456789012");
}

TEST(IamCheckTest, CountsOnlyWhatItCouldCheckAndSaysWhatItSkipped) {
  IamSnapshot s;
  ASSERT_TRUE(s.AddCredentialReport(kReport, "report.csv").ok());
  IamCheckOptions o;
  o.canaries.users = {"canary-user", "nobody"};
  o.canaries.access_keys = {"AKIAIOSFODNN7EXAMPLE"};
  o.now = 1700000000;
  IamCheckResult r = CheckIam(s, o);
  // The report has canary-user's keys; "nobody" is absent; key ids need the
  // access key list, which was not given.
  EXPECT_EQ(r.canary_users_checked, 1u);
  EXPECT_EQ(r.canary_keys_checked, 0u);
  EXPECT_TRUE(Any(r.notes, "no access key list given: canary key ids not checked"));
  EXPECT_FALSE(Any(r.notes, "canary users' keys not checked"));
}

TEST(IamCheckTest, UnhealthyCanariesSayWhatIsWrong) {
  IamSnapshot s;
  ASSERT_TRUE(s.AddAuthorizationDetails(kDetails, "auth.json").ok());
  ASSERT_TRUE(s.AddCredentialReport(kReport, "report.csv").ok());
  IamCheckOptions o;
  o.canaries.users = {"leaky-canary", "ghost"};
  o.now = 1700000000;
  auto problems = Problems(CheckIam(s, o), "IAM-055");
  EXPECT_TRUE(Any(problems, "canary user ghost does not exist")) << problems.size();
  EXPECT_TRUE(
      Any(problems,
          "has permissions: attached policy ReadOnlyAccess, inline policy inline-s3, group devs"));
  EXPECT_TRUE(Any(problems, "was last used 2023-07-10T12:00:00Z with sts in us-east-1"));
  EXPECT_TRUE(Any(problems, "has a console password"));
}

TEST(IamCheckTest, CanaryWithoutActiveKeyIsFlagged) {
  IamSnapshot s;
  ASSERT_TRUE(
      s.AddAccessKeyList(R"({"AccessKeyMetadata":[{"UserName":"canary-user","AccessKeyId":"AKIAX",
      "Status":"Inactive","CreateDate":"2023-01-01T00:00:00Z"}]})",
                         "keys.json")
          .ok());
  IamCheckOptions o;
  o.canaries.users = {"canary-user"};
  o.canaries.access_keys = {"AKIAX", "AKIAMISSING"};
  auto problems = Problems(CheckIam(s, o), "IAM-055");
  EXPECT_TRUE(Any(problems, "has no active access key"));
  EXPECT_TRUE(Any(problems, "canary access key AKIAX is inactive"));
  EXPECT_TRUE(Any(problems, "canary access key AKIAMISSING does not exist"));
}

TEST(IamCheckTest, KeyRotationExemptsCanariesAndFlagsOthers) {
  IamSnapshot s;
  ASSERT_TRUE(s.AddCredentialReport(kReport, "report.csv").ok());
  IamCheckOptions o;
  o.canaries.users = {"canary-user"};
  o.now = 1700000000;  // 2023-11: keys rotated 2020 are old
  IamCheckResult r = CheckIam(s, o);
  auto rotation = Problems(r, "IAM-KEY-ROTATION");
  EXPECT_TRUE(Any(rotation, "user alice has an active access key"));
  EXPECT_FALSE(Any(rotation, "canary-user"));
  EXPECT_EQ(Problems(r, "IAM-ROOT-ACCESS-KEY").size(), 1u);
  EXPECT_TRUE(Any(Problems(r, "IAM-CONSOLE-NO-MFA"), "user alice"));
}

TEST(IamCheckTest, CredentialReportJsonWithBase64Content) {
  // {"Content": base64("user,arn\nbob,arn:aws:iam::1:user/bob\n")}
  IamSnapshot s;
  ASSERT_TRUE(
      s.AddCredentialReport(
           R"({"Content":"dXNlcixhcm4KYm9iLGFybjphd3M6aWFtOjoxOnVzZXIvYm9iCg==","ReportFormat":"text/csv"})",
           "r.json")
          .ok());
  EXPECT_EQ(s.users.count("bob"), 1u);
  EXPECT_EQ(s.account, "1");
}

TEST(IamCheckTest, WrongFilesAreClearErrors) {
  IamSnapshot s;
  EXPECT_FALSE(s.AddAuthorizationDetails("[]", "x.json").ok());
  EXPECT_FALSE(s.AddCredentialReport("a,b\n1,2\n", "x.csv").ok());
  EXPECT_FALSE(s.AddAccessKeyList("{}", "x.json").ok());
}

}  // namespace
}  // namespace warden

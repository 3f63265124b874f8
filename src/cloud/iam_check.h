// IAM snapshot checks behind `warden trail iam-check`: canary health and a
// few key hygiene rules, from files the user exports with the AWS CLI:
//   - `aws iam get-account-authorization-details` (users, groups, policies);
//   - the credential report (`aws iam get-credential-report`: the JSON with
//     base64 Content, or the decoded CSV);
//   - optionally `aws iam list-access-keys --user-name CANARY` (key ids).
// Any subset works; checks that need a missing file are reported as skipped.
//
// Canary health (IAM-055): each canary user exists, has an active access key,
// has no attached, inline or group policies, has no console password, and its
// keys were never used. Hygiene: IAM-KEY-ROTATION (active keys older than
// N days; canary users are exempt, their keys must stay untouched),
// IAM-ROOT-ACCESS-KEY, IAM-CONSOLE-NO-MFA.
// This file does not call AWS; it reads snapshots.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/finding.h"
#include "core/status.h"
#include "rules/rule.h"

namespace warden {

struct IamAccessKey {
  std::string id;  // empty when the source does not give ids (credential report)
  bool active = false;
  std::optional<int64_t> created_or_rotated;
  std::optional<int64_t> last_used;
  std::string last_used_region, last_used_service;
};

struct IamUser {
  std::string name, arn;
  bool from_authorization_details = false, from_credential_report = false;
  std::vector<std::string> attached_policies, inline_policies, groups;
  std::optional<bool> password_enabled, mfa_active;
  std::vector<IamAccessKey> report_keys;  // from the credential report (no ids)
  std::vector<IamAccessKey> listed_keys;  // from list-access-keys (with ids)
};

struct IamSnapshot {
  std::string account;                                             // from the ARNs
  std::map<std::string, IamUser> users;                            // by user name
  std::map<std::string, std::vector<std::string>> group_policies;  // group -> policy names
  std::vector<IamAccessKey> root_keys;
  bool has_authorization_details = false, has_credential_report = false,
       has_access_key_list = false;

  Status AddAuthorizationDetails(const std::string& json_text, const std::string& source);
  Status AddCredentialReport(const std::string& text, const std::string& source);
  Status AddAccessKeyList(const std::string& json_text, const std::string& source);
};

struct IamCheckOptions {
  CanarySpec canaries;
  int64_t now = 0;
  int key_max_age_days = 90;
};

struct IamCheckResult {
  std::vector<Finding> findings;
  std::vector<std::string> notes;  // checks skipped and why
  // What the canary checks examined, for a summary that matches the notes:
  // users found in the snapshots, and key ids looked up in the key list.
  size_t canary_users_checked = 0;
  size_t canary_keys_checked = 0;
};

IamCheckResult CheckIam(const IamSnapshot& snapshot, const IamCheckOptions& options);

}  // namespace warden

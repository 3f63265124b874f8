#include "cloud/iam_check.h"

#include <algorithm>
#include <set>

#include "core/encoding.h"
#include "core/strings.h"
#include "core/time_format.h"
#include "rules/string_match.h"

namespace warden {

namespace {

std::string AccountFromArn(std::string_view arn) {
  // arn:aws:iam::123456789012:user/name
  std::vector<std::string_view> parts = SplitString(arn, ':');
  return parts.size() >= 5 ? std::string(parts[4]) : std::string();
}

std::string JsonText(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::vector<std::string> PolicyNames(const Json& j, const char* list_key, const char* name_key) {
  std::vector<std::string> out;
  auto it = j.find(list_key);
  if (it == j.end() || !it->is_array()) return out;
  for (const Json& p : *it) {
    std::string n = p.is_object() ? JsonText(p, name_key) : std::string();
    if (!n.empty()) out.push_back(n);
  }
  return out;
}

std::optional<int64_t> ReportTime(const std::string& v) {
  if (v.empty() || v == "N/A" || v == "no_information" || v == "not_supported") return std::nullopt;
  return ParseRfc3339(v);
}

// RFC 4180 enough for the credential report (no embedded newlines there).
std::vector<std::string> CsvSplit(std::string_view line) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cur += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cur += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(std::move(cur));
  return out;
}

}  // namespace

Status IamSnapshot::AddAuthorizationDetails(const std::string& text, const std::string& source) {
  Json j = Json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return ParseError(source + ": not the JSON of `aws iam get-account-authorization-details`");
  auto users_it = j.find("UserDetailList");
  if (users_it == j.end() || !users_it->is_array())
    return ParseError(
        source +
        ": no UserDetailList (is this `aws iam get-account-authorization-details` output?)");
  if (auto g = j.find("GroupDetailList"); g != j.end() && g->is_array()) {
    for (const Json& group : *g) {
      if (!group.is_object()) continue;
      std::string name = JsonText(group, "GroupName");
      auto& policies = group_policies[name];
      for (auto& p : PolicyNames(group, "AttachedManagedPolicies", "PolicyName"))
        policies.push_back(p);
      for (auto& p : PolicyNames(group, "GroupPolicyList", "PolicyName")) policies.push_back(p);
    }
  }
  for (const Json& u : *users_it) {
    if (!u.is_object()) continue;
    std::string name = JsonText(u, "UserName");
    if (name.empty()) continue;
    IamUser& user = users[name];
    user.name = name;
    user.arn = JsonText(u, "Arn");
    user.from_authorization_details = true;
    user.attached_policies = PolicyNames(u, "AttachedManagedPolicies", "PolicyName");
    user.inline_policies = PolicyNames(u, "UserPolicyList", "PolicyName");
    if (auto gl = u.find("GroupList"); gl != u.end() && gl->is_array())
      for (const Json& g : *gl)
        if (g.is_string()) user.groups.push_back(g.get<std::string>());
    if (account.empty()) account = AccountFromArn(user.arn);
  }
  has_authorization_details = true;
  return Status::Ok();
}

Status IamSnapshot::AddCredentialReport(const std::string& raw, const std::string& source) {
  std::string text = raw;
  std::string_view trimmed = TrimWhitespace(raw);
  if (!trimmed.empty() && trimmed.front() == '{') {
    Json j = Json::parse(raw, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("Content"))
      return ParseError(source + ": not the JSON of `aws iam get-credential-report`");
    auto decoded = Base64Decode(JsonText(j, "Content"));
    if (!decoded) return ParseError(source + ": Content is not base64");
    text = *decoded;
  }
  std::vector<std::string_view> lines = SplitString(text, '\n');
  if (lines.empty()) return ParseError(source + ": empty credential report");
  std::vector<std::string> header = CsvSplit(TrimWhitespace(lines[0]));
  std::map<std::string, size_t> col;
  for (size_t i = 0; i < header.size(); ++i) col[header[i]] = i;
  if (!col.count("user") || !col.count("arn"))
    return ParseError(source + ": not a credential report (no user,arn header)");
  for (size_t li = 1; li < lines.size(); ++li) {
    std::string_view line = TrimWhitespace(lines[li]);
    if (line.empty()) continue;
    std::vector<std::string> cells = CsvSplit(line);
    auto get = [&](const char* name) -> std::string {
      auto it = col.find(name);
      return it != col.end() && it->second < cells.size() ? cells[it->second] : std::string();
    };
    std::vector<IamAccessKey> keys;
    for (int k = 1; k <= 2; ++k) {
      std::string prefix = "access_key_" + std::to_string(k) + "_";
      IamAccessKey key;
      key.active = get((prefix + "active").c_str()) == "true";
      key.created_or_rotated = ReportTime(get((prefix + "last_rotated").c_str()));
      key.last_used = ReportTime(get((prefix + "last_used_date").c_str()));
      key.last_used_region = get((prefix + "last_used_region").c_str());
      key.last_used_service = get((prefix + "last_used_service").c_str());
      if (key.active || key.created_or_rotated || key.last_used) keys.push_back(key);
    }
    std::string name = get("user");
    if (name == "<root_account>") {
      root_keys = keys;
      if (account.empty()) account = AccountFromArn(get("arn"));
      continue;
    }
    IamUser& user = users[name];
    user.name = name;
    if (user.arn.empty()) user.arn = get("arn");
    user.from_credential_report = true;
    user.password_enabled = get("password_enabled") == "true";
    user.mfa_active = get("mfa_active") == "true";
    user.report_keys = keys;
    if (account.empty()) account = AccountFromArn(user.arn);
  }
  has_credential_report = true;
  return Status::Ok();
}

Status IamSnapshot::AddAccessKeyList(const std::string& text, const std::string& source) {
  Json j = Json::parse(text, nullptr, false);
  auto it = j.is_object() ? j.find("AccessKeyMetadata") : j.end();
  if (j.is_discarded() || !j.is_object() || it == j.end() || !it->is_array())
    return ParseError(source +
                      ": not the JSON of `aws iam list-access-keys` (no AccessKeyMetadata)");
  for (const Json& k : *it) {
    if (!k.is_object()) continue;
    std::string name = JsonText(k, "UserName");
    IamAccessKey key;
    key.id = JsonText(k, "AccessKeyId");
    key.active = JsonText(k, "Status") == "Active";
    key.created_or_rotated = ParseRfc3339(JsonText(k, "CreateDate"));
    IamUser& user = users[name];
    user.name = name;
    user.listed_keys.push_back(key);
  }
  has_access_key_list = true;
  return Status::Ok();
}

namespace {

Finding MakeIamFinding(const IamSnapshot& s, const char* rule_id, const std::string& title,
                       RiskLevel risk, const std::string& user, const std::string& arn,
                       const std::string& problem, const std::string& remediation, int64_t now) {
  Finding f;
  f.rule_id = rule_id;
  f.title = title;
  f.risk_level = risk;
  f.source = "cloud.iam";
  f.resource = arn.empty() ? "user/" + user : arn;
  f.id = MakeFindingId({rule_id, s.account, user, problem});
  f.first_seen = f.last_seen = now;
  f.description = problem;
  f.remediation = remediation;
  f.attributes["account"] = s.account;
  f.attributes["user"] = user;
  f.attributes["problem"] = problem;
  f.ocsf_extra["cloud"] = {{"provider", "AWS"}, {"account", {{"uid", s.account}}}};
  f.ocsf_extra["resources"] = Json::array({{{"uid", f.resource}, {"type", "AWS::IAM::User"}}});
  return f;
}

bool IsCanary(const CanarySpec& c, const std::string& user) {
  return std::any_of(c.users.begin(), c.users.end(),
                     [&](const std::string& u) { return EqualsIgnoreCase(u, user); });
}

}  // namespace

IamCheckResult CheckIam(const IamSnapshot& s, const IamCheckOptions& o) {
  IamCheckResult r;
  const int64_t now = o.now ? o.now : NowEpochSeconds();
  auto add = [&](const char* rule, const std::string& title, RiskLevel risk,
                 const std::string& user, const std::string& arn, const std::string& problem,
                 const std::string& fix) {
    r.findings.push_back(MakeIamFinding(s, rule, title, risk, user, arn, problem, fix, now));
  };
  const std::string canary_title = "Canary access token is not healthy";

  if (o.canaries.empty())
    r.notes.push_back("no canary users or keys configured: canary checks skipped");
  if (!s.has_authorization_details && !o.canaries.empty())
    r.notes.push_back("no authorization details given: canary policies not checked");
  if (!s.has_credential_report && !s.has_access_key_list && !o.canaries.users.empty())
    r.notes.push_back(
        "no credential report or access key list given: canary users' keys not checked");
  if (!s.has_access_key_list && !o.canaries.access_keys.empty())
    r.notes.push_back("no access key list given: canary key ids not checked");

  for (const std::string& name : o.canaries.users) {
    auto it = std::find_if(s.users.begin(), s.users.end(),
                           [&](const auto& kv) { return EqualsIgnoreCase(kv.first, name); });
    if (it == s.users.end() ||
        (!it->second.from_authorization_details && !it->second.from_credential_report &&
         it->second.listed_keys.empty())) {
      if (s.has_authorization_details || s.has_credential_report)
        add("IAM-055", canary_title, RiskLevel::kHigh, name, "",
            "canary user " + name + " does not exist in account " + s.account,
            "Create the canary user (no policies, one active access key) or remove it from the "
            "canary list.");
      continue;
    }
    const IamUser& u = it->second;
    ++r.canary_users_checked;
    if (s.has_authorization_details) {
      std::vector<std::string> grants;
      for (const auto& p : u.attached_policies) grants.push_back("attached policy " + p);
      for (const auto& p : u.inline_policies) grants.push_back("inline policy " + p);
      for (const auto& g : u.groups) {
        auto gp = s.group_policies.find(g);
        if (gp != s.group_policies.end() && !gp->second.empty())
          grants.push_back("group " + g + " (" + std::to_string(gp->second.size()) + " policies)");
      }
      if (!grants.empty()) {
        std::string list;
        for (const auto& g : grants) list += (list.empty() ? "" : ", ") + g;
        add("IAM-055", canary_title, RiskLevel::kVeryHigh, u.name, u.arn,
            "canary user " + u.name + " has permissions: " + list +
                "; whoever steals the bait key can use them",
            "Detach every policy and remove the user from groups: a canary must be able to do "
            "nothing.");
      }
    }
    bool any_active = false, known = false;
    for (const auto& k : u.report_keys) {
      known = true;
      any_active |= k.active;
      if (k.last_used) {
        add("IAM-055", "Canary access key was used", RiskLevel::kVeryHigh, u.name, u.arn,
            "a key of canary user " + u.name + " was last used " + FormatRfc3339(*k.last_used) +
                (k.last_used_service.empty() || k.last_used_service == "N/A"
                     ? ""
                     : " with " + k.last_used_service) +
                (k.last_used_region.empty() || k.last_used_region == "N/A"
                     ? ""
                     : " in " + k.last_used_region),
            "Treat the key as stolen: find where it was planted and who could read it; search "
            "CloudTrail for it.");
      }
    }
    for (const auto& k : u.listed_keys) {
      known = true;
      any_active |= k.active;
    }
    if (u.from_credential_report || s.has_access_key_list) known = true;
    if (known && !any_active) {
      add("IAM-055", canary_title, RiskLevel::kHigh, u.name, u.arn,
          "canary user " + u.name + " has no active access key, so the bait cannot catch anyone",
          "Create an access key for the canary (aws iam create-access-key) and plant it.");
    }
    if (u.password_enabled.value_or(false)) {
      add("IAM-055", canary_title, RiskLevel::kMedium, u.name, u.arn,
          "canary user " + u.name + " has a console password",
          "Delete the login profile: canaries are keys, not people.");
    }
  }
  if (s.has_access_key_list) {
    for (const std::string& key : o.canaries.access_keys) {
      ++r.canary_keys_checked;
      bool found = false, active = false;
      for (const auto& [name, u] : s.users)
        for (const auto& k : u.listed_keys)
          if (k.id == key) {
            found = true;
            active = k.active;
          }
      if (!found)
        add("IAM-055", canary_title, RiskLevel::kHigh, key, "",
            "canary access key " + key + " does not exist in the access key list",
            "Plant a key that exists, or update the canary list.");
      else if (!active)
        add("IAM-055", canary_title, RiskLevel::kHigh, key, "",
            "canary access key " + key +
                " is inactive, so using it fails before it reaches CloudTrail",
            "Activate the key (aws iam update-access-key --status Active).");
    }
  }

  // Hygiene.
  const int64_t max_age = static_cast<int64_t>(o.key_max_age_days) * 86400;
  for (const auto& [name, u] : s.users) {
    if (IsCanary(o.canaries, name)) continue;  // canary keys must never be rotated
    std::vector<IamAccessKey> keys = u.report_keys;
    keys.insert(keys.end(), u.listed_keys.begin(), u.listed_keys.end());
    for (const auto& k : keys) {
      if (!k.active || !k.created_or_rotated || now - *k.created_or_rotated <= max_age) continue;
      add("IAM-KEY-ROTATION", "Access key not rotated", RiskLevel::kMedium, name, u.arn,
          "user " + name + " has an active access key " + (k.id.empty() ? "" : k.id + " ") +
              "last rotated " + FormatRfc3339(*k.created_or_rotated) + ", more than " +
              std::to_string(o.key_max_age_days) + " days ago",
          "Create a new key, switch the application to it, then deactivate and delete the old "
          "key.");
      break;
    }
    if (u.password_enabled.value_or(false) && u.mfa_active.has_value() && !*u.mfa_active) {
      add("IAM-CONSOLE-NO-MFA", "Console user without MFA", RiskLevel::kHigh, name, u.arn,
          "user " + name + " can sign in to the console with a password and has no MFA device",
          "Enrol an MFA device for the user, or remove the console password.");
    }
  }
  for (const auto& k : s.root_keys) {
    if (!k.active) continue;
    add("IAM-ROOT-ACCESS-KEY", "Root user has an access key", RiskLevel::kVeryHigh,
        "<root_account>", "arn:aws:iam::" + s.account + ":root",
        "the root user has an active access key",
        "Delete root access keys; use IAM roles instead.");
    break;
  }
  return r;
}

}  // namespace warden

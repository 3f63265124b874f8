#include "cloud/oci_catalog.h"

#include "rules/rule_yaml_loader.h"

namespace warden {

namespace {

// Event types are com.oraclecloud.<service>.<action>, the action being the
// API operation's name (Identity, Networking, Object Storage and Cloud Guard
// APIs). State after a change is read from data.stateChange.current (the
// resource as the operation left it) and, where services put it there, from
// data.additionalDetails.
constexpr std::string_view kOciCatalog = R"YAML(
- id: OCI-IAM-POLICY-CHANGED
  provider: oci
  title: IAM policy created, updated or deleted
  description: An IAM policy changed; policy statements decide who may do what in the tenancy.
  risk_level: high
  tags: [identity, privilege-escalation]
  remediation: Review the policy's statements (who, which verbs, which compartments) and revert the change unless it was approved.
  links: [https://docs.oracle.com/iaas/Content/Identity/policieshow/how-policies-work.htm]
  match:
    eventType: {regex: '^com\.oraclecloud\.identitycontrolplane\.(create|update|delete)policy$', ignore_case: true}

- id: OCI-NETWORK-SECURITY-LIST-OPEN-TO-WORLD
  provider: oci
  title: Security list opened to the Internet
  description: A security list now has an ingress rule from 0.0.0.0/0 or ::/0.
  risk_level: high
  tags: [network, exposure]
  remediation: Restrict the rule's source to known address ranges, or reach the service through a bastion or a VPN.
  links: [https://docs.oracle.com/iaas/Content/Network/Concepts/securitylists.htm]
  match:
    eventType: {regex: '^com\.oraclecloud\.virtualnetwork\.(create|update)securitylist$', ignore_case: true}
    data.stateChange.current.ingressSecurityRules.source: [0.0.0.0/0, ::/0]

- id: OCI-NETWORK-NSG-OPEN-TO-WORLD
  provider: oci
  title: Network security group opened to the Internet
  description: Rules were added to or changed in a network security group, and its rules now include an ingress rule and a rule from 0.0.0.0/0 or ::/0.
  risk_level: high
  tags: [network, exposure]
  remediation: Restrict the rule's source to known address ranges or another network security group.
  links: [https://docs.oracle.com/iaas/Content/Network/Concepts/networksecuritygroups.htm]
  match:
    eventType: {regex: '^com\.oraclecloud\.virtualnetwork\.(add|update)networksecuritygroupsecurityrules$', ignore_case: true}
    or:
      - data.stateChange.current.securityRules.source: [0.0.0.0/0, ::/0]
        data.stateChange.current.securityRules.direction: {equals: INGRESS, ignore_case: true}
      - data.additionalDetails.securityRules.source: [0.0.0.0/0, ::/0]
        data.additionalDetails.securityRules.direction: {equals: INGRESS, ignore_case: true}

- id: OCI-OBJECTSTORAGE-BUCKET-PUBLIC
  provider: oci
  title: Object Storage bucket made public
  description: A bucket was created or updated with public access (publicAccessType other than NoPublicAccess); anyone can read its objects.
  risk_level: very_high
  tags: [exposure, exfiltration]
  remediation: Set the bucket's visibility back to private (publicAccessType NoPublicAccess) and share objects with pre-authenticated requests instead.
  links: [https://docs.oracle.com/iaas/Content/Object/Tasks/managingbuckets.htm]
  match:
    eventType: {regex: '^com\.oraclecloud\.objectstorage\.(create|update)bucket$', ignore_case: true}
    or:
      - data.additionalDetails.publicAccessType: {exists: true, not_equals: NoPublicAccess}
      - data.stateChange.current.publicAccessType: {exists: true, not_equals: NoPublicAccess}

- id: OCI-IAM-USER-CREDENTIAL-CREATED
  provider: oci
  title: User API key, auth token or customer secret key created
  description: Long-lived credentials were added to a user (an API signing key, an auth token or a customer secret key); whoever holds them acts as the user.
  risk_level: medium
  tags: [identity, persistence]
  remediation: Confirm the user asked for the credential; delete it if not, and prefer instance or resource principals for workloads.
  links: [https://docs.oracle.com/iaas/Content/Identity/Concepts/usercredentials.htm]
  match:
    eventType: {regex: '^com\.oraclecloud\.identitycontrolplane\.(uploadapikey|createauthtoken|createcustomersecretkey)$', ignore_case: true}

- id: OCI-CLOUD-GUARD-DISABLED
  provider: oci
  title: Cloud Guard disabled
  description: The tenancy's Cloud Guard configuration was updated with status DISABLED; detectors and responders stop.
  risk_level: very_high
  tags: [defense-evasion]
  remediation: Re-enable Cloud Guard for the tenancy and find out who disabled it.
  links: [https://docs.oracle.com/iaas/cloud-guard/using/index.htm]
  match:
    eventType: {regex: '^com\.oraclecloud\.cloudguard\.updateconfiguration$', ignore_case: true}
    or:
      - data.stateChange.current.status: {equals: DISABLED, ignore_case: true}
      - data.additionalDetails.status: {equals: DISABLED, ignore_case: true}
      - data.request.parameters.status: {equals: DISABLED, ignore_case: true}

- id: OCI-IAM-CANARY-PRINCIPAL
  provider: oci
  title: Canary principal used
  description: An event was made by a canary (bait) principal; nobody legitimate uses its credentials. Off until you name the canary principals.
  risk_level: very_high
  enabled: false
  tags: [canary, credential-access]
  remediation: Treat the principal's credentials as stolen; find where they were stored and who could read them.
  canary: {users: [], access_keys: []}
)YAML";

void MarkStrict(Condition* c) {
  c->missing_never_matches = true;
  for (Condition& child : c->children) MarkStrict(&child);
}

}  // namespace

std::string_view OciCatalogYaml() { return kOciCatalog; }

void UseSigmaMissingFieldSemantics(Rule* rule) {
  if (rule->match) MarkStrict(&*rule->match);
  for (Condition& e : rule->exceptions) MarkStrict(&e);
}

Result<std::vector<Rule>> LoadOciCatalog() {
  RuleLoadResult loaded = LoadRulesFromText(kOciCatalog, "<builtin-oci>");
  RETURN_IF_ERROR(loaded.FirstError());
  for (Rule& r : loaded.rules) {
    r.format = RuleFormat::kBuiltin;
    UseSigmaMissingFieldSemantics(&r);
  }
  return std::move(loaded.rules);
}

}  // namespace warden

#include "cloud/builtin_catalog.h"

#include "cloud/oci_catalog.h"
#include "rules/rule_yaml_loader.h"

namespace warden {

namespace {

// Risk levels follow the product brief: tampering with the audit trail and
// leaving the organisation are the worst (the account goes dark), then
// changes that open data or identities to outsiders, then precursors.
constexpr std::string_view kCatalog = R"YAML(
- id: AWS-ROOT-CONSOLE-LOGIN
  title: Root user signed in to the console
  description: The account's root user signed in. Root has every permission and cannot be limited by IAM policies.
  risk_level: very_high
  tags: [identity, initial-access]
  remediation: Confirm the sign-in with the account owner; use IAM roles for daily work, protect root with hardware MFA and no access keys.
  links: [https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user.html]
  match:
    eventName: ConsoleLogin
    userIdentity.type: Root

- id: AWS-ROOT-API-ACTIVITY
  title: Root user made an API call
  description: An API call was made with the root user's credentials (not a console sign-in and not an AWS service acting for root).
  risk_level: high
  tags: [identity]
  remediation: Find who holds root credentials; delete root access keys and move the work to an IAM role.
  match:
    userIdentity.type: Root
    eventType: AwsApiCall
    userIdentity.invokedBy: {exists: false}

- id: AWS-CONSOLE-LOGIN-NO-MFA
  title: Console sign-in without MFA
  description: An IAM user signed in to the AWS console with a password only.
  risk_level: high
  tags: [identity, initial-access]
  remediation: Require MFA for console users (an IAM policy denying actions when aws:MultiFactorAuthPresent is false) and enrol the user's device.
  links: [https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa.html]
  match:
    eventName: ConsoleLogin
    additionalEventData.MFAUsed: 'No'
    responseElements.ConsoleLogin: Success
    userIdentity.type: IAMUser

- id: AWS-CONSOLE-LOGIN-BRUTE-FORCE
  title: Repeated failed console sign-ins
  description: Five or more failed console sign-ins from one source address within ten minutes.
  risk_level: medium
  tags: [identity, credential-access]
  remediation: Check whether the source address is known; lock or reset the targeted users and require MFA.
  match:
    eventName: ConsoleLogin
    responseElements.ConsoleLogin: Failure
  threshold: {count: 5, window: 10m, group_by: [sourceIPAddress]}

- id: AWS-CLOUDTRAIL-STOPPED
  title: CloudTrail logging stopped
  description: Someone stopped a trail from recording API activity (also reported when the attempt failed).
  risk_level: very_high
  tags: [defense-evasion, T1562.008]
  remediation: Restart logging (aws cloudtrail start-logging --name TRAIL) and find out who stopped it and why.
  match:
    eventSource: cloudtrail.amazonaws.com
    eventName: StopLogging

- id: AWS-CLOUDTRAIL-DELETED
  title: CloudTrail trail deleted
  description: A trail was deleted; API activity in the account may no longer be recorded.
  risk_level: very_high
  tags: [defense-evasion, T1562.008]
  remediation: Recreate the trail (organisation trails cannot be deleted from member accounts) and review who deleted it.
  match:
    eventSource: cloudtrail.amazonaws.com
    eventName: DeleteTrail

- id: AWS-CLOUDTRAIL-SELECTORS-CHANGED
  title: CloudTrail trail or event selectors changed
  description: A trail's configuration or its event selectors changed; a selector change can silently exclude management or data events.
  risk_level: high
  tags: [defense-evasion, T1562.008]
  remediation: Compare the new selectors with your baseline (includeManagementEvents must stay true) and revert unexpected changes.
  match:
    eventSource: cloudtrail.amazonaws.com
    eventName: [PutEventSelectors, PutInsightSelectors, UpdateTrail]

- id: AWS-ORGANIZATION-LEFT
  title: Account tried to leave the AWS Organization
  description: The account called LeaveOrganization; on success it escapes every service control policy and organisation trail.
  risk_level: extreme
  tags: [defense-evasion]
  remediation: Deny organizations:LeaveOrganization with an SCP and investigate the caller.
  match:
    eventSource: organizations.amazonaws.com
    eventName: LeaveOrganization

- id: AWS-SECURITY-GROUP-OPEN-TO-WORLD
  title: Security group opened to the Internet
  description: An inbound rule allowing 0.0.0.0/0 or ::/0 was added to a security group.
  risk_level: high
  tags: [network, exposure]
  remediation: Restrict the rule to known address ranges, or put the service behind a load balancer or a VPN.
  match:
    eventName: AuthorizeSecurityGroupIngress
    or:
      - requestParameters.ipPermissions.items.ipRanges.items.cidrIp: 0.0.0.0/0
      - requestParameters.ipPermissions.items.ipv6Ranges.items.cidrIpv6: ::/0

- id: AWS-EBS-SNAPSHOT-SHARED
  title: EBS snapshot shared with another account or made public
  description: Create-volume permission was added to an EBS snapshot; whoever receives it can read the disk's data.
  risk_level: high
  tags: [exfiltration, T1537]
  remediation: Remove the permission (aws ec2 modify-snapshot-attribute --operation-type remove) unless the share is intended.
  match:
    eventName: ModifySnapshotAttribute
    requestParameters.createVolumePermission.add: {exists: true}

- id: AWS-AMI-SHARED
  title: AMI shared with another account or made public
  description: Launch permission was added to a machine image.
  risk_level: high
  tags: [exfiltration, T1537]
  remediation: Remove the launch permission unless the share is intended; images often contain credentials and data.
  match:
    eventName: ModifyImageAttribute
    requestParameters.launchPermission.add: {exists: true}

- id: AWS-RDS-SNAPSHOT-SHARED
  title: RDS snapshot shared with another account or made public
  description: Restore permission on a database snapshot was granted to other accounts.
  risk_level: high
  tags: [exfiltration, T1537]
  remediation: Remove the account ids from the snapshot's restore attribute unless the share is intended.
  match:
    eventName: [ModifyDBSnapshotAttribute, ModifyDBClusterSnapshotAttribute]
    requestParameters.attributeName: restore
    requestParameters.valuesToAdd: {exists: true}

- id: AWS-IAM-ACCESS-KEY-FOR-OTHER-USER
  title: Access key created for another IAM user
  description: An identity created an access key for a different IAM user, a common way to backdoor an account.
  risk_level: high
  tags: [persistence, T1098.001]
  remediation: Confirm with the user's owner; delete the key if unexpected (aws iam delete-access-key).
  match:
    eventName: CreateAccessKey
    requestParameters.userName: {exists: true}
    not: {requestParameters.userName: {fieldref: userIdentity.userName}}

- id: AWS-IAM-LOGIN-PROFILE-CHANGED
  title: Console password created or changed for an IAM user
  description: A console password (login profile) was created or updated; for a user that had none this grants console access.
  risk_level: high
  tags: [persistence, T1098]
  remediation: Check that the user should have console access; delete the login profile if not.
  match:
    eventSource: iam.amazonaws.com
    eventName: [CreateLoginProfile, UpdateLoginProfile]

- id: AWS-IAM-ADMIN-POLICY-ATTACHED
  title: AdministratorAccess attached to a user, group or role
  description: The AWS-managed AdministratorAccess policy was attached, granting full control of the account.
  risk_level: very_high
  tags: [privilege-escalation, persistence]
  remediation: Detach the policy unless this identity is an approved administrator; prefer scoped policies.
  match:
    eventName: [AttachUserPolicy, AttachGroupPolicy, AttachRolePolicy]
    requestParameters.policyArn: {endswith: ':policy/AdministratorAccess'}

- id: AWS-IAM-ROLE-TRUST-CHANGED
  title: IAM role trust policy changed
  description: Who may assume a role changed; adding an outside principal backdoors the role.
  risk_level: high
  tags: [persistence, T1098]
  remediation: Review the new trust policy's principals and revert unknown accounts or services.
  match:
    eventName: UpdateAssumeRolePolicy

- id: AWS-IAM-USER-CREATED
  title: IAM user created
  description: A new IAM user exists. Long-lived users are often created as backdoors.
  risk_level: medium
  tags: [persistence, T1136.003]
  remediation: Confirm the user is expected; prefer federated access and roles over IAM users.
  match:
    eventSource: iam.amazonaws.com
    eventName: CreateUser

- id: AWS-IAM-INLINE-POLICY-CHANGED
  title: Inline IAM policy written
  description: An inline policy was put on a user, group or role; inline policies are easy to miss in reviews.
  risk_level: medium
  tags: [privilege-escalation]
  remediation: Review the policy document; prefer managed policies that are versioned and reviewed.
  match:
    eventName: [PutUserPolicy, PutGroupPolicy, PutRolePolicy]

- id: AWS-IAM-POLICY-VERSION-DEFAULT
  title: IAM policy default version changed
  description: A different version of a managed policy was made the default, which can silently widen permissions.
  risk_level: high
  tags: [privilege-escalation]
  remediation: Compare the versions and restore the reviewed one.
  match:
    or:
      - {eventName: SetDefaultPolicyVersion}
      - {eventName: CreatePolicyVersion, requestParameters.setAsDefault: 'true'}

- id: AWS-IAM-MFA-REMOVED
  title: MFA device removed from an IAM user
  description: An MFA device was deactivated or deleted.
  risk_level: medium
  tags: [defense-evasion]
  remediation: Confirm with the user and re-enrol a device.
  match:
    eventName: [DeactivateMFADevice, DeleteVirtualMFADevice]

- id: AWS-ROLESANYWHERE-TRUST-ANCHOR
  title: IAM Roles Anywhere trust anchor created
  description: A certificate authority was trusted to issue credentials for roles in this account from outside AWS.
  risk_level: high
  tags: [persistence]
  remediation: Delete the trust anchor unless it is an approved integration.
  match:
    eventSource: rolesanywhere.amazonaws.com
    eventName: CreateTrustAnchor

- id: AWS-SECRETS-BULK-READ
  title: Secrets read in bulk
  description: One identity read ten or more Secrets Manager secrets within five minutes.
  risk_level: high
  tags: [credential-access, T1555]
  remediation: Check whether the identity needs these secrets; rotate them if the access was not expected.
  match:
    eventSource: secretsmanager.amazonaws.com
    eventName: GetSecretValue
  threshold: {count: 10, window: 5m, group_by: [userIdentity.arn]}

- id: AWS-SSM-PARAMETERS-BULK-READ
  title: Encrypted SSM parameters read in bulk
  description: One identity decrypted ten or more SSM parameters within five minutes.
  risk_level: high
  tags: [credential-access]
  remediation: Check the identity's need for these parameters and rotate them if not.
  match:
    eventSource: ssm.amazonaws.com
    eventName: [GetParameter, GetParameters, GetParametersByPath]
    requestParameters.withDecryption: 'true'
  threshold: {count: 10, window: 5m, group_by: [userIdentity.arn]}

- id: AWS-EC2-PASSWORD-DATA-BULK-READ
  title: EC2 Windows passwords retrieved in bulk
  description: One identity called GetPasswordData five or more times within ten minutes.
  risk_level: high
  tags: [credential-access]
  remediation: Restrict ec2:GetPasswordData; rotate the instances' administrator passwords.
  match:
    eventName: GetPasswordData
  threshold: {count: 5, window: 10m, group_by: [userIdentity.arn]}

- id: AWS-EC2-USER-DATA-READ
  title: EC2 instance user data read
  description: Instance user data was read; it often holds bootstrap secrets.
  risk_level: low
  tags: [credential-access, discovery]
  remediation: Keep secrets out of user data (use Secrets Manager or SSM parameters).
  match:
    eventName: DescribeInstanceAttribute
    requestParameters.attribute: userData

- id: AWS-VPC-FLOW-LOGS-DELETED
  title: VPC flow logs deleted
  description: Network flow logging was removed from a VPC, subnet or interface.
  risk_level: high
  tags: [defense-evasion, T1562.008]
  remediation: Recreate the flow logs and find out who removed them.
  match:
    eventName: DeleteFlowLogs

- id: AWS-GUARDDUTY-DISABLED
  title: GuardDuty disabled or detached
  description: A GuardDuty detector was deleted or disabled, or the account left its administrator.
  risk_level: very_high
  tags: [defense-evasion, T1562.001]
  remediation: Re-enable GuardDuty and re-associate the account with the administrator account.
  match:
    eventSource: guardduty.amazonaws.com
    or:
      - eventName: [DeleteDetector, DisassociateFromMasterAccount, DisassociateFromAdministratorAccount, StopMonitoringMembers, DeleteMembers]
      - {eventName: UpdateDetector, requestParameters.enable: 'false'}

- id: AWS-CONFIG-STOPPED
  title: AWS Config recording stopped
  description: The configuration recorder or its delivery channel was stopped or deleted.
  risk_level: high
  tags: [defense-evasion]
  remediation: Restart the recorder (aws configservice start-configuration-recorder).
  match:
    eventSource: config.amazonaws.com
    eventName: [StopConfigurationRecorder, DeleteConfigurationRecorder, DeleteDeliveryChannel]

- id: AWS-S3-BUCKET-POLICY-PUBLIC
  title: S3 bucket policy grants access to everyone
  description: A bucket policy with a wildcard principal was written.
  risk_level: high
  tags: [exposure, exfiltration]
  remediation: Remove the wildcard principal or add conditions; keep S3 Block Public Access on.
  match:
    eventName: PutBucketPolicy
    requestParameters.bucketPolicy: {regex: '"(Principal|AWS)":\s*"\*"'}

- id: AWS-S3-BUCKET-POLICY-CROSS-ACCOUNT
  title: S3 bucket policy grants access to an AWS account
  description: A bucket policy names an AWS account as principal; check that the account is one of yours.
  risk_level: medium
  tags: [exfiltration, T1537]
  remediation: Remove accounts you do not own from the bucket policy.
  match:
    eventName: PutBucketPolicy
    requestParameters.bucketPolicy: {regex: '"AWS":\s*\[?\s*"(arn:aws[a-z-]*:iam::)?\d{12}(:root)?"'}

- id: AWS-S3-PUBLIC-ACCESS-BLOCK-REMOVED
  title: S3 Block Public Access removed
  description: A bucket's or the account's public access block was deleted.
  risk_level: high
  tags: [exposure]
  remediation: Restore Block Public Access unless the bucket must be public.
  match:
    eventName: [DeleteBucketPublicAccessBlock, DeleteAccountPublicAccessBlock]

- id: AWS-S3-SHORT-LIFECYCLE-EXPIRATION
  title: S3 lifecycle rule deletes objects within a week
  description: A lifecycle rule expiring objects after seven days or less was set; on a log bucket this destroys evidence.
  risk_level: medium
  tags: [defense-evasion, impact]
  remediation: Check the bucket; log buckets should keep objects for your retention period.
  match:
    eventName: PutBucketLifecycle
    requestParameters.LifecycleConfiguration.Rule.Expiration.Days: {le: 7}

- id: AWS-LAMBDA-PUBLIC-PERMISSION
  title: Lambda function made invocable by anyone
  description: A resource policy statement with principal '*' was added to a Lambda function.
  risk_level: high
  tags: [persistence, exposure]
  remediation: Remove the statement (aws lambda remove-permission) or restrict it with a source ARN and account.
  match:
    eventSource: lambda.amazonaws.com
    eventName: {startswith: AddPermission}
    requestParameters.principal: '*'

- id: AWS-SSM-SEND-COMMAND
  title: Command run on instances through SSM
  description: SendCommand ran a document (often a shell script) on EC2 instances.
  risk_level: medium
  tags: [execution, T1651]
  remediation: Check that the caller and the document are expected.
  match:
    eventSource: ssm.amazonaws.com
    eventName: [SendCommand, StartSession]

- id: AWS-KMS-KEY-DISABLED
  title: KMS key disabled or scheduled for deletion
  description: A customer managed key was disabled or scheduled for deletion; data encrypted with it becomes unreadable.
  risk_level: high
  tags: [impact, T1485]
  remediation: Cancel the deletion (aws kms cancel-key-deletion) or re-enable the key if unexpected.
  match:
    eventSource: kms.amazonaws.com
    eventName: [ScheduleKeyDeletion, DisableKey]

- id: AWS-EBS-DEFAULT-ENCRYPTION-DISABLED
  title: EBS encryption by default disabled
  description: New EBS volumes in this region will no longer be encrypted automatically.
  risk_level: high
  tags: [defense-evasion]
  remediation: Re-enable it (aws ec2 enable-ebs-encryption-by-default).
  match:
    eventName: DisableEbsEncryptionByDefault

- id: AWS-LOG-GROUP-DELETED
  title: CloudWatch log group deleted
  description: A CloudWatch Logs group and all its events were deleted.
  risk_level: medium
  tags: [defense-evasion]
  remediation: Check whether the logs were needed for retention or investigations.
  match:
    eventSource: logs.amazonaws.com
    eventName: [DeleteLogGroup, DeleteLogStream]

- id: RTM-011
  title: Unintended AWS API calls
  description: Events matching the API-call rows you configured (eventName, eventSource, userIdentity type regexes). Off until you give it rows.
  risk_level: very_high
  enabled: false
  tags: [real-time-monitoring]
  remediation: Confirm the call was intended; if a row fires too often, narrow it and test it with `warden rules test`.
  patterns: []

- id: IAM-055
  title: Canary access token used
  description: An event was made with a canary (bait) identity; nobody legitimate uses these credentials. Off until you name the canary users or keys.
  risk_level: very_high
  enabled: false
  tags: [canary, credential-access]
  remediation: Treat the canary's credentials as stolen; find where they were stored and who could read them.
  canary: {users: [], access_keys: []}
)YAML";

}  // namespace

std::string_view BuiltinCatalogYaml() { return kCatalog; }

Result<std::vector<Rule>> LoadBuiltinCatalog() {
  RuleLoadResult loaded = LoadRulesFromText(kCatalog, "<builtin>");
  RETURN_IF_ERROR(loaded.FirstError());
  for (Rule& r : loaded.rules) r.format = RuleFormat::kBuiltin;
  // The OCI Audit rules run on OCI events only (their provider).
  ASSIGN_OR_RETURN(std::vector<Rule> oci, LoadOciCatalog());
  for (Rule& r : oci) loaded.rules.push_back(std::move(r));
  return std::move(loaded.rules);
}

}  // namespace warden

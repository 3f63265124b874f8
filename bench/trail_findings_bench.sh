#!/usr/bin/env bash
# `warden trail scan --format jsonl` end to end against `jq -c 'select(...)'`
# printing the same events: the cost of findings, not only of evaluation.
# Generates N CloudTrail events (default 200,000) as JSON lines from five
# templates of 1-2 KB, two of which match the RTM-011 seed rows (40 % of the
# events), then times, as subprocesses with output to /dev/null:
#   warden trail scan -q --rules rtm.yaml --format jsonl events.jsonl
#   jq -c -f select.jq events.jsonl   (the same rows as a jq filter)
# The file is cached as a log read from disk (see cloudtrail_bench). It
# first checks that both print the same number of lines, then prints the
# median wall time of ROUNDS runs of each (jq: JQ_ROUNDS, default 1: it is
# slow) and the speed-up. Nothing generated is kept.
# Usage: bench/trail_findings_bench.sh [WARDEN] [EVENTS]
#        ROUNDS=5 JQ_ROUNDS=3 bench/trail_findings_bench.sh build/warden
set -euo pipefail
warden=${1:-build/warden}
events=${2:-200000}
rounds=${ROUNDS:-3}
jq_rounds=${JQ_ROUNDS:-1}
command -v jq >/dev/null || { echo "jq is not installed"; exit 2; }
[ -x "$warden" ] || { echo "no warden binary at $warden"; exit 2; }
dir=$(mktemp -d /tmp/warden-trail-findings-bench-XXXXXX)
trap 'rm -rf "$dir"' EXIT

cat >"$dir/rtm.yaml" <<'YAML'
- id: RTM-011
  title: Unintended AWS API calls
  risk_level: very_high
  patterns:
    - {eventName: '.*', eventSource: 'iam.amazonaws.com', userIdentityType: 'IAMUser'}
    - {eventName: 'DeleteTrail', eventSource: 'cloudtrail.amazonaws.com', userIdentityType: '.*'}
    - {eventName: 'StartInstances', eventSource: 'ec2.amazonaws.com', userIdentityType: 'IAMUser'}
    - {eventName: '^Create*|^Delete*|^Update*|^Put*|^Stop*', eventSource: '.*', userIdentityType: '.*'}
    - {eventName: '^Create*|^Delete*|^Update*|^Stop*', eventSource: '^(?!ec2).*$', userIdentityType: '.*'}
YAML
cat >"$dir/select.jq" <<'JQ'
def m($f; $r): ($f // "") | test($r);
select(
  (m(.eventName; ".*") and m(.eventSource; "iam.amazonaws.com") and m(.userIdentity.type; "IAMUser")) or
  (m(.eventName; "DeleteTrail") and m(.eventSource; "cloudtrail.amazonaws.com") and m(.userIdentity.type; ".*")) or
  (m(.eventName; "StartInstances") and m(.eventSource; "ec2.amazonaws.com") and m(.userIdentity.type; "IAMUser")) or
  (m(.eventName; "^Create*|^Delete*|^Update*|^Put*|^Stop*") and m(.eventSource; ".*") and m(.userIdentity.type; ".*")) or
  (m(.eventName; "^Create*|^Delete*|^Update*|^Stop*") and m(.eventSource; "^(?!ec2).*$") and m(.userIdentity.type; ".*"))
)
JQ
# Templates: @ID@, @REQ@, @TIME@ and @IP@ are filled per event. The first and
# the third match RTM-011 (IAM call by an IAM user; a Delete* call).
cat >"$dir/templates" <<'TEMPLATES'
{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLEAAAAAAAAAA","arn":"arn:aws:iam::123456789012:user/alice","accountId":"123456789012","accessKeyId":"AKIAEXAMPLEAAAAAAAAA","userName":"alice","sessionContext":{"sessionIssuer":{},"webIdFederationData":{},"attributes":{"creationDate":"2023-07-10T08:00:00Z","mfaAuthenticated":"true"}}},"eventTime":"@TIME@","eventSource":"iam.amazonaws.com","eventName":"ListAttachedUserPolicies","awsRegion":"us-east-1","sourceIPAddress":"@IP@","userAgent":"aws-cli/2.11.0 Python/3.11.2 Linux/5.15.0-1034-aws exe/x86_64.ubuntu.22 prompt/off command/iam.list-attached-user-policies","requestParameters":{"userName":"alice","maxItems":100,"pathPrefix":"/"},"responseElements":null,"requestID":"@REQ@","eventID":"@ID@","readOnly":true,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"123456789012","eventCategory":"Management","tlsDetails":{"tlsVersion":"TLSv1.2","cipherSuite":"ECDHE-RSA-AES128-GCM-SHA256","clientProvidedHostHeader":"iam.amazonaws.com"},"additionalEventData":{"SignatureVersion":"SigV4","CipherSuite":"ECDHE-RSA-AES128-GCM-SHA256","bytesTransferredIn":0,"AuthenticationMethod":"AuthHeader","x-amz-id-2":"Xq9Q1b6m0c0sZb1y2q3r4s5t6u7v8w9x0y1z2a3b4c5d6e7f8g9h0i1j2k3l4m5n6o7p8q9r0s1t2u3v4w5x6y7z","bytesTransferredOut":512}}
{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLEBBBBBBBBBB:i-0abc123def4567890","arn":"arn:aws:sts::123456789012:assumed-role/app-server/i-0abc123def4567890","accountId":"123456789012","accessKeyId":"ASIAEXAMPLEBBBBBBBBB","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAEXAMPLEBBBBBBBBBB","arn":"arn:aws:iam::123456789012:role/app-server","accountId":"123456789012","userName":"app-server"},"webIdFederationData":{},"attributes":{"creationDate":"2023-07-10T11:00:00Z","mfaAuthenticated":"false"},"ec2RoleDelivery":"2.0"}},"eventTime":"@TIME@","eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances","awsRegion":"us-east-1","sourceIPAddress":"@IP@","userAgent":"aws-sdk-go/1.44.298 (go1.20.5; linux; amd64)","requestParameters":{"instancesSet":{"items":[{"instanceId":"i-0abc123def4567890"},{"instanceId":"i-0fedcba9876543210"}]},"filterSet":{"items":[{"name":"tag:Environment","valueSet":{"items":[{"value":"production"}]}}]}},"responseElements":null,"requestID":"@REQ@","eventID":"@ID@","readOnly":true,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"123456789012","eventCategory":"Management","tlsDetails":{"tlsVersion":"TLSv1.2","cipherSuite":"ECDHE-RSA-AES128-GCM-SHA256","clientProvidedHostHeader":"ec2.us-east-1.amazonaws.com"}}
{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLECCCCCCCCCC","arn":"arn:aws:iam::123456789012:user/bob","accountId":"123456789012","accessKeyId":"AKIAEXAMPLECCCCCCCCC","userName":"bob"},"eventTime":"@TIME@","eventSource":"s3.amazonaws.com","eventName":"DeleteBucketPolicy","awsRegion":"eu-west-1","sourceIPAddress":"@IP@","userAgent":"[aws-cli/2.11.0 Python/3.11.2 Darwin/22.5.0 exe/x86_64 prompt/off command/s3api.delete-bucket-policy]","requestParameters":{"bucketName":"finance-reports-2023","Host":"finance-reports-2023.s3.eu-west-1.amazonaws.com","policy":""},"responseElements":null,"additionalEventData":{"SignatureVersion":"SigV4","CipherSuite":"ECDHE-RSA-AES128-GCM-SHA256","bytesTransferredIn":0,"AuthenticationMethod":"AuthHeader","x-amz-id-2":"Zq9Q1b6m0c0sZb1y2q3r4s5t6u7v8w9x0y1z2a3b4c5d6e7f8g9h0i1j2k3l4m5n6o7p8q9r0s1t2u3v4w5x6y7z","bytesTransferredOut":0},"requestID":"@REQ@","eventID":"@ID@","readOnly":false,"resources":[{"accountId":"123456789012","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::finance-reports-2023"}],"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"123456789012","vpcEndpointId":"vpce-0a1b2c3d4e5f67890","eventCategory":"Management","tlsDetails":{"tlsVersion":"TLSv1.2","cipherSuite":"ECDHE-RSA-AES128-GCM-SHA256","clientProvidedHostHeader":"finance-reports-2023.s3.eu-west-1.amazonaws.com"}}
{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLEDDDDDDDDDD:deploy","arn":"arn:aws:sts::123456789012:assumed-role/ci-deploy/deploy","accountId":"123456789012","accessKeyId":"ASIAEXAMPLEDDDDDDDDD","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAEXAMPLEDDDDDDDDDD","arn":"arn:aws:iam::123456789012:role/ci-deploy","accountId":"123456789012","userName":"ci-deploy"},"webIdFederationData":{"federatedProvider":"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com","attributes":{}},"attributes":{"creationDate":"2023-07-10T11:30:00Z","mfaAuthenticated":"false"}}},"eventTime":"@TIME@","eventSource":"sts.amazonaws.com","eventName":"AssumeRole","awsRegion":"us-east-1","sourceIPAddress":"@IP@","userAgent":"aws-sdk-js/3.363.0 ua/2.0 os/linux#5.15.0 lang/js md/nodejs#18.16.1 api/sts#3.363.0","requestParameters":{"roleArn":"arn:aws:iam::123456789012:role/ci-deploy-target","roleSessionName":"deploy","durationSeconds":3600},"responseElements":{"credentials":{"accessKeyId":"ASIAEXAMPLEEEEEEEEEE","sessionToken":"IQoJb3JpZ2luX2VjEXAMPLE","expiration":"Jul 10, 2023, 12:42:18 PM"},"assumedRoleUser":{"assumedRoleId":"AROAEXAMPLEFFFFFFFFFF:deploy","arn":"arn:aws:sts::123456789012:assumed-role/ci-deploy-target/deploy"}},"requestID":"@REQ@","eventID":"@ID@","readOnly":true,"resources":[{"accountId":"123456789012","type":"AWS::IAM::Role","ARN":"arn:aws:iam::123456789012:role/ci-deploy-target"}],"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"123456789012","sharedEventID":"a1b2c3d4-e5f6-4789-8abc-def012345678","eventCategory":"Management","tlsDetails":{"tlsVersion":"TLSv1.2","cipherSuite":"ECDHE-RSA-AES128-GCM-SHA256","clientProvidedHostHeader":"sts.amazonaws.com"}}
{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLEGGGGGGGGGG:lambda","arn":"arn:aws:sts::123456789012:assumed-role/reporter/lambda","accountId":"123456789012","accessKeyId":"ASIAEXAMPLEGGGGGGGGG","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAEXAMPLEGGGGGGGGGG","arn":"arn:aws:iam::123456789012:role/reporter","accountId":"123456789012","userName":"reporter"},"webIdFederationData":{},"attributes":{"creationDate":"2023-07-10T11:40:00Z","mfaAuthenticated":"false"}}},"eventTime":"@TIME@","eventSource":"kms.amazonaws.com","eventName":"Decrypt","awsRegion":"us-east-1","sourceIPAddress":"@IP@","userAgent":"Boto3/1.26.155 md/Botocore#1.29.155 ua/2.0 os/linux#5.10.184 md/arch#x86_64 lang/python#3.10.12 exec-env/AWS_Lambda_python3.10","requestParameters":{"encryptionContext":{"aws:lambda:FunctionArn":"arn:aws:lambda:us-east-1:123456789012:function:reporter"},"encryptionAlgorithm":"SYMMETRIC_DEFAULT"},"responseElements":null,"requestID":"@REQ@","eventID":"@ID@","readOnly":true,"resources":[{"accountId":"123456789012","type":"AWS::KMS::Key","ARN":"arn:aws:kms:us-east-1:123456789012:key/0a1b2c3d-4e5f-6789-abcd-ef0123456789"}],"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"123456789012","eventCategory":"Management"}
TEMPLATES
# Each template is split once at its placeholders (in the order they appear:
# time, address, request id, event id); events are printed from the pieces.
awk -v n="$events" '
  BEGIN { srand(42); hex = "0123456789abcdef" }
  { parts[NR - 1] = split($0, piece, /@[A-Z]+@/); for (k = 1; k <= parts[NR - 1]; k++) p[NR - 1, k] = piece[k] }
  function id(len,   s, i) { s = ""; for (i = 0; i < len; i++) s = s substr(hex, int(rand() * 16) + 1, 1); return s }
  END {
    for (i = 0; i < n; i++) {
      t = i % 5
      secs = 1688989338 + int(i / 50)
      if (secs != last) { when = strftime("%Y-%m-%dT%H:%M:%SZ", secs, 1); last = secs }
      ip = int(rand() * 223 + 1) "." int(rand() * 256) "." int(rand() * 256) "." int(rand() * 256)
      event_id = id(8) "-" id(4) "-4" id(3) "-8" id(3) "-" id(12)
      printf "%s%s%s%s%s%s%s%s%s\n", p[t, 1], when, p[t, 2], ip, p[t, 3], toupper(id(16)), p[t, 4], event_id, p[t, 5]
    }
  }' "$dir/templates" >"$dir/events.jsonl"
bytes=$(stat -c %s "$dir/events.jsonl")
# The file cached as a log read from disk is (as cloudtrail_bench does):
# written back, dropped from the page cache, read once front to back.
sync "$dir/events.jsonl"
dd if="$dir/events.jsonl" iflag=nocache count=0 status=none
cat "$dir/events.jsonl" >/dev/null

scan=("$warden" trail scan -q --rules "$dir/rtm.yaml" --format jsonl "$dir/events.jsonl")
select=(jq -c -f "$dir/select.jq" "$dir/events.jsonl")
warden_lines=$("${scan[@]}" | wc -l)
jq_lines=$("${select[@]}" | wc -l)
echo "$events events ($((bytes >> 20)) MB), warden prints $warden_lines findings, jq $jq_lines events"
if [ "$warden_lines" != "$jq_lines" ]; then
  echo "the two select different events"
  exit 1
fi

# Median wall time, in seconds, of $1 runs of the rest of the arguments.
median_seconds() {
  local runs=$1
  shift
  local times=()
  for ((i = 0; i < runs; i++)); do
    local start end
    start=$(date +%s.%N)
    "$@" >/dev/null
    end=$(date +%s.%N)
    times+=("$(echo "$end - $start" | bc -l)")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'
}
warden_s=$(median_seconds "$rounds" "${scan[@]}")
jq_s=$(median_seconds "$jq_rounds" "${select[@]}")
printf 'warden trail scan --format jsonl  %8.3f s  (median of %d)\n' "$warden_s" "$rounds"
printf 'jq -c select(...)                 %8.3f s  (median of %d)\n' "$jq_s" "$jq_rounds"
printf 'speed-up                          %8.1fx  (target >= 30x)\n' "$(echo "$jq_s / $warden_s" | bc -l)"

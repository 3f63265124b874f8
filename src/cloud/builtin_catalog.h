// The built-in CloudTrail rule catalog: the detections a cloud team wants on
// day one (root use, MFA-less console logins, CloudTrail and GuardDuty
// tampering, organisation exit, world-open security groups, shared snapshots
// and AMIs, IAM backdoors, secrets read in bulk, ...), compiled into the
// binary as YAML in Warden's own rule format, so the catalog is also the
// format's largest example. RTM-011 (unintended API calls) and IAM-055
// (canary access tokens) are included disabled with no values: a profile or
// a rule file supplies the rows and canary identities and enables them.
// The OCI Audit catalog (oci_catalog.h) follows the CloudTrail rules in the
// list LoadBuiltinCatalog returns. Nothing here is read from disk at run time.
#pragma once

#include <string_view>
#include <vector>

#include "core/status.h"
#include "rules/rule.h"

namespace warden {

// The catalog's YAML text.
std::string_view BuiltinCatalogYaml();
// The catalog as rules (format kBuiltin). Fails only if the embedded text is
// broken, which a unit test rules out.
Result<std::vector<Rule>> LoadBuiltinCatalog();

}  // namespace warden

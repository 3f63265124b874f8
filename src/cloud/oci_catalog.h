// The built-in OCI Audit rule catalog: IAM policy changes, security lists and
// network security groups opened to the Internet, buckets made public, user
// credentials created (API signing keys, auth tokens, customer secret keys),
// Cloud Guard disabled, and canary principals (OCI-IAM-CANARY-PRINCIPAL, off
// until a profile or rule file names the principals). Written in Warden's
// rule format with `provider: oci`, compiled into the binary.
//
// Unlike rule files, the catalog's conditions follow Sigma's missing-field
// semantics (rule.h): a field an event lacks, or holds as null, matches no
// value, so a catalog rule never fires on what an event does not say. Event
// types are compared case-insensitively (OCI's Events service writes them in
// lower case, Audit in camel case). Nothing is read from disk at run time.
#pragma once

#include <string_view>
#include <vector>

#include "core/status.h"
#include "rules/rule.h"

namespace warden {

std::string_view OciCatalogYaml();
// The catalog as rules (format kBuiltin, provider kOci). Fails only if the
// embedded text is broken, which a unit test rules out.
Result<std::vector<Rule>> LoadOciCatalog();

// Marks every condition of `rule` with Condition::missing_never_matches.
void UseSigmaMissingFieldSemantics(Rule* rule);

}  // namespace warden

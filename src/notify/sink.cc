#include "notify/sink.h"

#include "core/time_format.h"

namespace warden {

Finding MakeTestFinding() {
  Finding f;
  f.rule_id = "WARDEN-TEST";
  f.title = "Warden test notification";
  f.description = "This is a test record sent by `warden trail notify-test`; no action is needed.";
  f.risk_level = RiskLevel::kLow;
  f.source = "warden";
  f.resource = "warden";
  f.first_seen = f.last_seen = NowEpochSeconds();
  f.id = MakeFindingId({"WARDEN-TEST", std::to_string(f.first_seen)});
  f.attributes["test"] = true;
  return f;
}

}  // namespace warden

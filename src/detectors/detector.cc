#include "detectors/detector.h"

namespace warden {

Result<DetectorRun> Detector::Run(const DetectorConfig&, DetectorContext&) const {
  return Unavailable(std::string(id()) + " runs continuously, not as a job");
}

std::string Detector::Describe(const DetectorRun& run, const std::string& events,
                               bool any_events) const {
  return run.summary + (any_events ? "; " + events : "");
}

}  // namespace warden

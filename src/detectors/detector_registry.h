// The detectors Warden knows, by id: the built-in ones (vulnerabilities, open
// ports, host runtime, in that order) and any registered at start-up, such
// as a test's toy detector:
//   const DetectorRegistration kToy(std::make_unique<ToyDetector>());
// Registration happens before main() or at start-up, before any lookup from
// another thread; lookups are then safe from any thread.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "detectors/detector.h"

namespace warden {

// Every detector, built-ins first, then in registration order.
std::vector<const Detector*> Detectors();
const Detector* FindDetector(std::string_view id);
// Adds a detector; an id already known is refused (returns false).
bool RegisterDetector(std::unique_ptr<Detector> detector);

struct DetectorRegistration {
  explicit DetectorRegistration(std::unique_ptr<Detector> detector) {
    registered = RegisterDetector(std::move(detector));
  }
  bool registered = false;
};

}  // namespace warden

#include "detectors/detector_registry.h"

#include <mutex>

#include "detectors/host_runtime_detector.h"
#include "detectors/open_ports_detector.h"
#include "detectors/vulnerability_detector.h"

namespace warden {

namespace {

struct Registry {
  std::mutex mu;
  std::vector<std::unique_ptr<Detector>> detectors;
};

Registry& TheRegistry() {
  static Registry* registry = [] {
    auto* r = new Registry;
    r->detectors.push_back(std::make_unique<VulnerabilityDetector>());
    r->detectors.push_back(std::make_unique<OpenPortsDetector>());
    r->detectors.push_back(std::make_unique<HostRuntimeDetector>());
    return r;
  }();
  return *registry;
}

}  // namespace

std::vector<const Detector*> Detectors() {
  Registry& r = TheRegistry();
  std::lock_guard<std::mutex> lock(r.mu);
  std::vector<const Detector*> out;
  for (const auto& d : r.detectors) out.push_back(d.get());
  return out;
}

const Detector* FindDetector(std::string_view id) {
  for (const Detector* d : Detectors())
    if (d->id() == id) return d;
  return nullptr;
}

bool RegisterDetector(std::unique_ptr<Detector> detector) {
  if (!detector || FindDetector(detector->id()) != nullptr) return false;
  Registry& r = TheRegistry();
  std::lock_guard<std::mutex> lock(r.mu);
  r.detectors.push_back(std::move(detector));
  return true;
}

}  // namespace warden

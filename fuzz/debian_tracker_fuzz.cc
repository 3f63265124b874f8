// libFuzzer target: the Debian Security Tracker JSON importer on arbitrary
// bytes. It must return a Status (never crash, hang or leak) whatever it is fed.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "vuln/debian_tracker_importer.h"

namespace {

class DiscardingSink : public warden::FeedSink {
 public:
  warden::Status BeginDocument(std::string_view, std::string_view) override {
    return warden::Status::Ok();
  }
  warden::Status Add(const warden::AffectedRecord& r) override {
    // Touch the fields so the sanitizers see every string the importer built.
    volatile size_t n =
        r.package.size() + r.vuln_id.size() + r.fixed_version.size() + r.release.size();
    (void)n;
    return warden::Status::Ok();
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  DiscardingSink sink;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)warden::ImportDebianTrackerJson(text, "fuzz.json", sink);
  return 0;
}

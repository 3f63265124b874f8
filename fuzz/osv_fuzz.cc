// libFuzzer target: one OSV record on arbitrary bytes, plus format detection
// (which reads the same untrusted heads first).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "vuln/feed_format.h"
#include "vuln/osv_importer.h"

namespace {

class DiscardingSink : public warden::FeedSink {
 public:
  warden::Status BeginDocument(std::string_view, std::string_view) override {
    return warden::Status::Ok();
  }
  warden::Status Add(const warden::AffectedRecord& r) override {
    volatile size_t n =
        r.package.size() + r.vuln_id.size() + r.fixed_version.size() + r.module_stream.size();
    (void)n;
    return warden::Status::Ok();
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)warden::DetectFeedFormat(text);
  DiscardingSink sink;
  (void)warden::ImportOsvRecord(text, "fuzz.json", sink);
  return 0;
}

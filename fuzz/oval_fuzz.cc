// libFuzzer target: the Oracle ELSA OVAL importer (libxml2 xmlReader) on
// arbitrary bytes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "vuln/oval_importer.h"

namespace {

class DiscardingSink : public warden::FeedSink {
 public:
  warden::Status BeginDocument(std::string_view, std::string_view) override {
    return warden::Status::Ok();
  }
  warden::Status Add(const warden::AffectedRecord& r) override {
    volatile size_t n =
        r.package.size() + r.vuln_id.size() + r.fixed_version.size() + r.arch.size();
    (void)n;
    return warden::Status::Ok();
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  DiscardingSink sink;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)warden::ImportOvalXml(text, "fuzz.xml", sink);
  return 0;
}

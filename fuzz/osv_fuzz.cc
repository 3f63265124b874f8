// libFuzzer target: one OSV record on arbitrary bytes, plus format detection
// (which reads the same untrusted heads first).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "checking_feed_sink.h"
#include "vuln/feed_format.h"
#include "vuln/osv_importer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)warden::DetectFeedFormat(text);
  warden::fuzzing::CheckingFeedSink sink;
  (void)warden::ImportOsvRecord(text, "fuzz.json", sink);
  return 0;
}

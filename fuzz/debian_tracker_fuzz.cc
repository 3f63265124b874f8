// libFuzzer target: the Debian Security Tracker JSON importer on arbitrary
// bytes. It must return a Status (never crash, hang or leak) whatever it is fed.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "checking_feed_sink.h"
#include "vuln/debian_tracker_importer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  warden::fuzzing::CheckingFeedSink sink;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)warden::ImportDebianTrackerJson(text, "fuzz.json", sink);
  return 0;
}

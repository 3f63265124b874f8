// libFuzzer target: the Oracle ELSA OVAL importer (libxml2 xmlReader) on
// arbitrary bytes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "checking_feed_sink.h"
#include "vuln/oval_importer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  warden::fuzzing::CheckingFeedSink sink;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)warden::ImportOvalXml(text, "fuzz.xml", sink);
  return 0;
}

// Fuzzes the parsers of the bodies an osquery agent posts to the server
// (server/osquery_wire.h): the first byte picks enroll, log or distributed
// write, the rest is the body. Bodies that parse as JSON go through the
// parser the handler calls; log batches that parse go on to become Warden
// result records. Any bytes must be read or refused without crashing.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "server/osquery_wire.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace warden::server;
  if (size == 0) return 0;
  const uint8_t which = data[0] % 3;
  std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  if (which == 2) {
    (void)ParseOsqueryDistributedWrite(body);
    return 0;
  }
  warden::Json json = warden::Json::parse(body, nullptr, false);
  if (json.is_discarded()) return 0;
  if (which == 0) {
    (void)ParseOsqueryEnrollment(json);
    return 0;
  }
  auto batch = ParseOsqueryLogBatch(json);
  if (batch.ok()) {
    int64_t skipped = 0;
    (void)OsqueryResultRecordBatch(batch->lines, &skipped);
  }
  return 0;
}

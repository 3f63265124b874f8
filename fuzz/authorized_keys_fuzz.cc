// Fuzzes the authorized_keys parser (options with quoted values, key types,
// comments): any bytes must parse without crashing, and every key found must
// have a known algorithm and a non-empty key.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "tables/ssh_authorized_key_line.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const warden::AuthorizedKey& key : warden::ParseAuthorizedKeys(text))
    if (!warden::IsSshKeyAlgorithm(key.algorithm) || key.key.empty()) std::abort();
  return 0;
}

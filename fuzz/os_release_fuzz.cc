// Fuzzes the os-release parser: any bytes must parse without crashing.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "inventory/os_release.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto os = warden::ParseOsRelease(std::string_view(reinterpret_cast<const char*>(data), size));
  (void)os;
  return 0;
}

// libFuzzer target: the dpkg and rpm version comparators. Input: two
// versions separated by the first newline. Besides not crashing, each
// comparator must behave as an order: reflexive (a == a) and antisymmetric
// (sign(a, b) == -sign(b, a)). A violation aborts, so the fuzzer reports it.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "version/version_compare.h"

namespace {

int Sign(int v) { return v < 0 ? -1 : v > 0 ? 1 : 0; }

void Check(const char* what, int ab, int ba, int aa, std::string_view a, std::string_view b) {
  if (Sign(ab) != -Sign(ba) || aa != 0) {
    std::fprintf(stderr, "%s not an order: a=\"%.*s\" b=\"%.*s\" ab=%d ba=%d aa=%d\n", what,
                 static_cast<int>(a.size()), a.data(), static_cast<int>(b.size()), b.data(), ab, ba,
                 aa);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t nl = input.find('\n');
  std::string_view a = input.substr(0, nl);
  std::string_view b = nl == std::string_view::npos ? std::string_view() : input.substr(nl + 1);
  Check("dpkg", warden::CompareDebianVersions(a, b), warden::CompareDebianVersions(b, a),
        warden::CompareDebianVersions(a, a), a, b);
  Check("rpm", warden::CompareRpmVersions(a, b), warden::CompareRpmVersions(b, a),
        warden::CompareRpmVersions(a, a), a, b);
  Check("rpmvercmp", warden::RpmVerCmp(a, b), warden::RpmVerCmp(b, a), warden::RpmVerCmp(a, a), a,
        b);
  Check("generic", warden::CompareGenericVersions(a, b), warden::CompareGenericVersions(b, a),
        warden::CompareGenericVersions(a, a), a, b);
  return 0;
}

#include "auth/sodium_init.h"

#include <sodium.h>

#include <cstdio>
#include <cstdlib>

namespace warden::auth {

void EnsureSodiumInitialised() {
  static const bool initialised = [] {
    if (sodium_init() < 0) {
      std::fprintf(stderr, "warden: libsodium could not initialise (no random source)\n");
      std::abort();
    }
    return true;
  }();
  (void)initialised;
}

}  // namespace warden::auth

// libsodium must be initialised once before its random generator and hash
// functions are used; every src/auth entry point calls this first.
#pragma once

namespace warden::auth {

// Idempotent and thread-safe. Aborts with a message when libsodium cannot
// initialise (no usable random source): issuing guessable secrets is worse
// than not starting.
void EnsureSodiumInitialised();

}  // namespace warden::auth

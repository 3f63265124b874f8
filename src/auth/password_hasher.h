// PasswordHasher hashes and verifies user passwords with Argon2id through
// libsodium's crypto_pwhash_str_alg, which produces a self-describing PHC
// string ("$argon2id$v=19$m=19456,t=2,p=1$salt$hash") that the store keeps
// as text. The default cost is OWASP's minimum for Argon2id (19 MiB, two
// passes, about 30 ms here); NeedsRehash tells the login path that a stored
// hash was made with other parameters and should be replaced while the
// plaintext is at hand. Hashing is memory- and CPU-heavy on purpose, so at
// most `max_concurrent` hashes run at once and the rest wait: callers run it
// off the I/O threads, and the login rate limiter keeps the queue short.
// Thread-safe. Not here: password policy (length, reuse) or rate limiting.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <semaphore>
#include <string>
#include <string_view>

#include "core/status.h"

namespace warden::auth {

struct PasswordCost {
  uint64_t opslimit = 2;                      // passes over memory (t)
  size_t memlimit_bytes = 19u * 1024 * 1024;  // memory per hash (m)
};

class PasswordHasher {
 public:
  // Longer passwords are refused before any hashing is done.
  static constexpr size_t kMaxPasswordBytes = 4096;
  static constexpr int kMaxConcurrentLimit = 64;

  explicit PasswordHasher(PasswordCost cost = {}, int max_concurrent = 2);

  // The PHC string for `password`. InvalidArgument when it is empty or longer
  // than kMaxPasswordBytes; Unavailable when the memory cannot be had.
  Result<std::string> Hash(std::string_view password);
  // True when `password` matches `stored`, false when it does not (including
  // an empty or over-long password). InvalidArgument when `stored` is not an
  // Argon2 string libsodium can read: a corrupt record, not a wrong password.
  Result<bool> Verify(std::string_view stored, std::string_view password);
  // Whether `stored` was made with other parameters than this hasher's (or is
  // not Argon2id); a malformed string needs rehashing too.
  bool NeedsRehash(std::string_view stored) const;

  const PasswordCost& cost() const { return cost_; }

 private:
  PasswordCost cost_;
  std::unique_ptr<std::counting_semaphore<kMaxConcurrentLimit>> slots_;
};

}  // namespace warden::auth

#include "auth/password_hasher.h"

#include <sodium.h>

#include <algorithm>

#include "auth/sodium_init.h"

namespace warden::auth {
namespace {

// Releases a hashing slot on every return path.
class SlotGuard {
 public:
  explicit SlotGuard(std::counting_semaphore<PasswordHasher::kMaxConcurrentLimit>& slots)
      : slots_(slots) {
    slots_.acquire();
  }
  ~SlotGuard() { slots_.release(); }
  SlotGuard(const SlotGuard&) = delete;
  SlotGuard& operator=(const SlotGuard&) = delete;

 private:
  std::counting_semaphore<PasswordHasher::kMaxConcurrentLimit>& slots_;
};

// crypto_pwhash_str_* take NUL-terminated strings.
std::string Terminated(std::string_view text) { return std::string(text); }

}  // namespace

PasswordHasher::PasswordHasher(PasswordCost cost, int max_concurrent)
    : cost_(cost),
      slots_(std::make_unique<std::counting_semaphore<kMaxConcurrentLimit>>(
          std::clamp(max_concurrent, 1, kMaxConcurrentLimit))) {
  EnsureSodiumInitialised();
}

Result<std::string> PasswordHasher::Hash(std::string_view password) {
  if (password.empty()) return InvalidArgument("password: must not be empty");
  if (password.size() > kMaxPasswordBytes)
    return InvalidArgument("password: longer than " + std::to_string(kMaxPasswordBytes) + " bytes");
  char out[crypto_pwhash_STRBYTES];
  SlotGuard slot(*slots_);
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), cost_.opslimit,
                            cost_.memlimit_bytes, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Unavailable("password hashing: Argon2id could not allocate " +
                       std::to_string(cost_.memlimit_bytes) + " bytes");
  }
  return std::string(out);
}

Result<bool> PasswordHasher::Verify(std::string_view stored, std::string_view password) {
  std::string hash = Terminated(stored);
  // needs_rehash reads the parameters without hashing: -1 means the string
  // is not one libsodium understands.
  if (stored.size() >= crypto_pwhash_STRBYTES ||
      crypto_pwhash_str_needs_rehash(hash.c_str(), cost_.opslimit, cost_.memlimit_bytes) == -1)
    return InvalidArgument("stored password hash: not an Argon2id string");
  if (password.empty() || password.size() > kMaxPasswordBytes) return false;
  SlotGuard slot(*slots_);
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

bool PasswordHasher::NeedsRehash(std::string_view stored) const {
  if (stored.size() >= crypto_pwhash_STRBYTES) return true;
  std::string hash = Terminated(stored);
  // The Argon2id-specific check: an Argon2i string reads as malformed here,
  // so it is rehashed to Argon2id.
  return crypto_pwhash_argon2id_str_needs_rehash(hash.c_str(), cost_.opslimit,
                                                 cost_.memlimit_bytes) != 0;
}

}  // namespace warden::auth

// FileDigest computes the md5, sha1 and sha256 of one file for the hash table,
// streaming it in 64 KiB chunks through OpenSSL's EVP interface so memory use
// does not grow with the file, and computing only the digests asked for.
//
// Limits (deliberate): only regular files are hashed (a FIFO or device would
// block or never end); files larger than kMaxHashedFileBytes are not read at
// all, as osquery's read_max (50 MiB by default) does; the file is read
// through HostFs::RealPath, so --root and fixture trees work. Cancellation is
// polled between chunks. Thread-safe: no shared state.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/host_fs.h"
#include "core/status.h"

namespace warden {

inline constexpr int64_t kMaxHashedFileBytes = 50ll << 20;

struct DigestSelection {
  bool md5 = false;
  bool sha1 = false;
  bool sha256 = false;
  bool any() const { return md5 || sha1 || sha256; }
};

// Lowercase hex digests; a digest that was not selected stays nullopt.
struct FileDigests {
  std::optional<std::string> md5;
  std::optional<std::string> sha1;
  std::optional<std::string> sha256;
};

// Hashes path (a host path, read at fs.RealPath(path)). Errors: the file could
// not be opened or read (IoError), it is not a regular file or is larger than
// max_bytes (InvalidArgument), cancelled() became true (Timeout).
Result<FileDigests> DigestFile(const HostFs& fs, std::string_view path, DigestSelection which,
                               int64_t max_bytes = kMaxHashedFileBytes,
                               const std::function<bool()>& cancelled = nullptr);

}  // namespace warden

#include "tables/file_digest.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <vector>

#include "core/encoding.h"

namespace warden {
namespace {

struct EvpCtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using EvpCtx = std::unique_ptr<EVP_MD_CTX, EvpCtxDeleter>;

class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  ~FdCloser() { ::close(fd_); }
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;

 private:
  int fd_;
};

struct RunningDigest {
  EvpCtx ctx;
  std::optional<std::string>* result;
};

}  // namespace

Result<FileDigests> DigestFile(const HostFs& fs, std::string_view path, DigestSelection which,
                               int64_t max_bytes, const std::function<bool()>& cancelled) {
  std::string real = fs.RealPath(path);
  // O_NONBLOCK: opening a FIFO must not wait for a writer; the fstat check
  // below rejects it before any read.
  int fd = ::open(real.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) return ErrnoStatus(path, errno);
  FdCloser closer(fd);
  struct stat st {};
  if (::fstat(fd, &st) != 0) return ErrnoStatus(path, errno);
  if (!S_ISREG(st.st_mode)) return InvalidArgument(std::string(path) + ": not a regular file");
  if (st.st_size > max_bytes)
    return InvalidArgument(std::string(path) + ": larger than the " + std::to_string(max_bytes) +
                           "-byte hashing limit");

  FileDigests digests;
  std::vector<RunningDigest> running;
  auto start = [&](bool wanted, const EVP_MD* md, std::optional<std::string>* result) -> Status {
    if (!wanted) return Status::Ok();
    EvpCtx ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestInit_ex(ctx.get(), md, nullptr) != 1)
      return Internal("OpenSSL could not start a digest");
    running.push_back(RunningDigest{std::move(ctx), result});
    return Status::Ok();
  };
  RETURN_IF_ERROR(start(which.md5, EVP_md5(), &digests.md5));
  RETURN_IF_ERROR(start(which.sha1, EVP_sha1(), &digests.sha1));
  RETURN_IF_ERROR(start(which.sha256, EVP_sha256(), &digests.sha256));

  std::vector<unsigned char> buf(64u << 10);
  int64_t total = 0;
  for (;;) {
    if (cancelled && cancelled()) return Timeout(std::string(path) + ": hashing cancelled");
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(path, errno);
    }
    if (n == 0) break;
    total += n;
    // The file grew past the limit while we read it: stop, as if too large.
    if (total > max_bytes)
      return InvalidArgument(std::string(path) + ": grew past the hashing limit");
    for (auto& d : running)
      if (EVP_DigestUpdate(d.ctx.get(), buf.data(), static_cast<size_t>(n)) != 1)
        return Internal("OpenSSL digest update failed");
  }
  for (auto& d : running) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    if (EVP_DigestFinal_ex(d.ctx.get(), out, &size) != 1)
      return Internal("OpenSSL digest final failed");
    *d.result = HexEncode(out, size);
  }
  return digests;
}

}  // namespace warden

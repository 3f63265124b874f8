#include "tables/utmp_reader.h"

#include <cstring>

namespace warden {

namespace {

// Field offsets in glibc's struct utmp (x86_64): the 32-bit ut_session and
// ut_tv are glibc's __WORDSIZE_TIME64_COMPAT32 layout, shared with i386 so
// that 32- and 64-bit programs can read the same file.
constexpr size_t kTypeOffset = 0;  // short, then 2 bytes padding
constexpr size_t kPidOffset = 4;   // pid_t
constexpr size_t kLineOffset = 8;  // char[32]
constexpr size_t kLineSize = 32;
constexpr size_t kIdOffset = 40;  // char[4]
constexpr size_t kIdSize = 4;
constexpr size_t kUserOffset = 44;  // char[32]
constexpr size_t kUserSize = 32;
constexpr size_t kHostOffset = 76;  // char[256]
constexpr size_t kHostSize = 256;
constexpr size_t kExitOffset = 332;     // short e_termination, short e_exit
constexpr size_t kSessionOffset = 336;  // int32
constexpr size_t kTvSecOffset = 340;    // int32
constexpr size_t kTvUsecOffset = 344;   // int32
constexpr size_t kAddrOffset = 348;     // int32[4]
// 364..383: reserved.

// Little-endian loads; memcpy keeps unaligned access well defined. The
// explicit byte order keeps the result right on a big-endian build too.
uint32_t LoadU32(const unsigned char* p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) |
         (static_cast<uint32_t>(p[2]) << 16) | (static_cast<uint32_t>(p[3]) << 24);
}
int32_t LoadI32(const unsigned char* p) {
  uint32_t u = LoadU32(p);
  int32_t v;
  std::memcpy(&v, &u, sizeof v);
  return v;
}
int16_t LoadI16(const unsigned char* p) {
  uint16_t u = static_cast<uint16_t>(p[0] | (p[1] << 8));
  int16_t v;
  std::memcpy(&v, &u, sizeof v);
  return v;
}

// A fixed-size char array: up to the first NUL, or all of it when full.
std::string FixedString(const unsigned char* p, size_t size) {
  const void* nul = std::memchr(p, '\0', size);
  size_t len =
      nul != nullptr ? static_cast<size_t>(static_cast<const unsigned char*>(nul) - p) : size;
  return std::string(reinterpret_cast<const char*>(p), len);
}

}  // namespace

std::vector<UtmpRecord> ParseUtmp(std::string_view bytes) {
  std::vector<UtmpRecord> out;
  size_t count = bytes.size() / kUtmpRecordSize;
  out.reserve(count);
  const auto* base = reinterpret_cast<const unsigned char*>(bytes.data());
  for (size_t i = 0; i < count; ++i) {
    const unsigned char* r = base + i * kUtmpRecordSize;
    UtmpRecord rec;
    rec.type = LoadI16(r + kTypeOffset);
    rec.pid = LoadI32(r + kPidOffset);
    rec.line = FixedString(r + kLineOffset, kLineSize);
    rec.id = FixedString(r + kIdOffset, kIdSize);
    rec.user = FixedString(r + kUserOffset, kUserSize);
    rec.host = FixedString(r + kHostOffset, kHostSize);
    rec.exit_termination = LoadI16(r + kExitOffset);
    rec.exit_status = LoadI16(r + kExitOffset + 2);
    rec.session = LoadI32(r + kSessionOffset);
    rec.time_sec = LoadI32(r + kTvSecOffset);
    rec.time_usec = LoadI32(r + kTvUsecOffset);
    for (size_t k = 0; k < 4; ++k) rec.addr_v6[k] = LoadU32(r + kAddrOffset + 4 * k);
    out.push_back(std::move(rec));
  }
  return out;
}

}  // namespace warden

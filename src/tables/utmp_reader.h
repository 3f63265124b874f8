// UtmpReader decodes the login accounting files /var/run/utmp (who is logged
// in now) and /var/log/wtmp (the history of logins, logouts and boots) from
// their bytes, without glibc's getutxent: the file is read through HostFs so
// an image or a fixture is read like the live host, and nothing here touches
// global utmp state.
//
// The record layout is glibc's struct utmp on x86_64 and the other 64-bit
// Linux ABIs, 384 bytes, little-endian (offsets in utmp_reader.cc). Files
// written by 32-bit or big-endian systems are not understood. A trailing
// partial record (a file being appended to, or truncated) is ignored.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace warden {

// ut_type values (utmp.h).
enum UtmpType : int16_t {
  kUtEmpty = 0,
  kUtRunLevel = 1,
  kUtBootTime = 2,
  kUtNewTime = 3,
  kUtOldTime = 4,
  kUtInitProcess = 5,
  kUtLoginProcess = 6,
  kUtUserProcess = 7,
  kUtDeadProcess = 8,
  kUtAccounting = 9,
};

inline constexpr size_t kUtmpRecordSize = 384;

struct UtmpRecord {
  int16_t type = kUtEmpty;
  int32_t pid = 0;
  std::string line;  // tty, without "/dev/"
  std::string id;    // inittab id
  std::string user;
  std::string host;
  int16_t exit_termination = 0;
  int16_t exit_status = 0;
  int32_t session = 0;
  int64_t time_sec = 0;
  int32_t time_usec = 0;
  uint32_t addr_v6[4] = {0, 0, 0, 0};  // network byte order, as stored
};

// Decodes every whole record of a utmp/wtmp file's contents, in file order.
std::vector<UtmpRecord> ParseUtmp(std::string_view bytes);

}  // namespace warden

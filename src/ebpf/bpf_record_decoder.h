// Turns one raw record of the eBPF ring buffer (layouts in
// bpf/event_abi.h) into a HostEvent: path components reassembled root
// first, argv split, addresses formatted, syscall numbers named. Pure and
// defensive: the bytes come from the kernel side, but a size or length that
// does not add up yields false (counted as a decode error), never a read past
// the record. Needs no libbpf, so it is built and tested everywhere.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "ebpf/event_source.h"
#include "ebpf/host_event.h"

namespace warden {

// Decodes `data[0, size)` into *out (all fields reset first). `clock`
// converts the kernel's boot-time stamps to wall time.
bool DecodeBpfRecord(const void* data, size_t size, const BootClock& clock, HostEvent* out);

// The name of a syscall number of this architecture among those the
// collector watches ("connect", "setresuid", "openat", ...), or "".
std::string_view WatchedSyscallName(long nr);

// Reassembles a path written leaf first as NUL-terminated components
// ("bash\0bin\0usr\0" -> "/usr/bin/bash"). A truncated path starts with
// "..." instead of "/".
std::string AssembleLeafFirstPath(std::string_view components, bool truncated);

}  // namespace warden

#include "ebpf/event_journal.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <vector>

namespace warden {

namespace {

constexpr char kMagic[8] = {'W', 'D', 'N', 'E', 'V', 'J', '0', '1'};
constexpr uint32_t kVersion = 1;
constexpr uint64_t kHeaderBytes = 4096;
constexpr uint32_t kRecordMagic = 0x4a524457;  // "WDRJ"
constexpr uint16_t kPaddingKind = 0xffff;
constexpr uint64_t kRecordHeaderBytes = 32;

// Header field offsets.
constexpr size_t kOffVersion = 8;
constexpr size_t kOffHeaderBytes = 12;
constexpr size_t kOffCapacity = 16;
constexpr size_t kOffHead = 24;
constexpr size_t kOffTail = 32;
constexpr size_t kOffNextSeq = 40;
constexpr size_t kOffWriterPid = 48;

struct RecordHeader {
  uint32_t magic;
  uint32_t length;  // whole record, a multiple of 8
  uint16_t kind;
  uint16_t reserved;
  uint32_t payload_bytes;  // length is rounded up to 8; this is the exact payload size
  uint64_t sequence;
  int64_t time_ns;
};
static_assert(sizeof(RecordHeader) == kRecordHeaderBytes);

std::atomic_ref<uint64_t> Field(uint8_t* map, size_t offset) {
  return std::atomic_ref<uint64_t>(*reinterpret_cast<uint64_t*>(map + offset));
}
uint64_t LoadField(const uint8_t* map, size_t offset) {
  // atomic_ref needs a non-const object; the reader's mapping is read-only
  // but the load itself never writes.
  return std::atomic_ref<uint64_t>(*reinterpret_cast<uint64_t*>(const_cast<uint8_t*>(map) + offset))
      .load(std::memory_order_acquire);
}

uint64_t Align8(uint64_t n) { return (n + 7) & ~uint64_t{7}; }

bool HeaderValid(const uint8_t* map, size_t file_size, uint64_t* capacity) {
  if (file_size < kHeaderBytes || memcmp(map, kMagic, sizeof(kMagic)) != 0) return false;
  uint32_t version = 0, header_bytes = 0;
  memcpy(&version, map + kOffVersion, 4);
  memcpy(&header_bytes, map + kOffHeaderBytes, 4);
  uint64_t cap = 0;
  memcpy(&cap, map + kOffCapacity, 8);
  if (version != kVersion || header_bytes != kHeaderBytes || cap % 8 != 0 ||
      cap + kHeaderBytes != file_size)
    return false;
  *capacity = cap;
  return true;
}

Status MakeParentDirectory(const std::string& path) {
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (parent.empty()) return Status::Ok();
  std::error_code ec;
  std::filesystem::create_directories(parent, ec);
  if (ec) return IoError(parent.string() + ": " + ec.message());
  return Status::Ok();
}

// Creates a fresh journal file at `path` (through a temporary file and a
// rename, so readers that still map the old file never see it shrink).
Result<int> CreateJournalFile(const std::string& path, uint64_t capacity) {
  std::string temp = path + ".new." + std::to_string(getpid());
  int fd = open(temp.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) return ErrnoStatus(temp, errno);
  // Write the whole file once: blocks are reserved now (writing into a
  // sparse mapping on a full disk would kill the collector with SIGBUS
  // later) and are already written, so the first store into each page later
  // does not convert an unwritten extent (posix_fallocate's), which on ext4
  // costs a journal transaction per page.
  std::vector<char> zeros(1 << 20, 0);
  for (uint64_t done = 0; done < kHeaderBytes + capacity;) {
    size_t n =
        static_cast<size_t>(std::min<uint64_t>(zeros.size(), kHeaderBytes + capacity - done));
    ssize_t w = pwrite(fd, zeros.data(), n, static_cast<off_t>(done));
    if (w <= 0) {
      int e = errno;
      close(fd);
      unlink(temp.c_str());
      return ErrnoStatus(temp, w < 0 ? e : ENOSPC);
    }
    done += static_cast<uint64_t>(w);
  }
  uint8_t header[kHeaderBytes] = {};
  memcpy(header, kMagic, sizeof(kMagic));
  memcpy(header + kOffVersion, &kVersion, 4);
  uint32_t hb = kHeaderBytes;
  memcpy(header + kOffHeaderBytes, &hb, 4);
  memcpy(header + kOffCapacity, &capacity, 8);
  uint64_t one = 1;
  memcpy(header + kOffNextSeq, &one, 8);
  if (pwrite(fd, header, sizeof(header), 0) != static_cast<ssize_t>(sizeof(header))) {
    int e = errno;
    close(fd);
    unlink(temp.c_str());
    return ErrnoStatus(temp, e);
  }
  if (flock(fd, LOCK_EX | LOCK_NB) != 0 || rename(temp.c_str(), path.c_str()) != 0) {
    int e = errno;
    close(fd);
    unlink(temp.c_str());
    return ErrnoStatus(path, e);
  }
  return fd;
}

}  // namespace

std::string DefaultEventJournalPath() {
  if (const char* env = getenv("WARDEN_EVENTS_JOURNAL"); env != nullptr && *env != '\0') return env;
  if (geteuid() == 0) return "/var/lib/warden/events.journal";
  if (const char* state = getenv("XDG_STATE_HOME"); state != nullptr && *state != '\0')
    return std::string(state) + "/warden/events.journal";
  if (const char* home = getenv("HOME"); home != nullptr && *home != '\0')
    return std::string(home) + "/.local/state/warden/events.journal";
  return "/tmp/warden-" + std::to_string(geteuid()) + "/events.journal";
}

Result<std::unique_ptr<EventJournalWriter>> EventJournalWriter::Open(const std::string& path,
                                                                     uint64_t capacity) {
  capacity = std::max<uint64_t>(Align8(capacity), kMinCapacity);
  RETURN_IF_ERROR(MakeParentDirectory(path));
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640);
  if (fd < 0) return ErrnoStatus(path, errno);
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int e = errno;
    close(fd);
    if (e == EWOULDBLOCK)
      return Unavailable(path + ": another collector is writing this event journal");
    return ErrnoStatus(path, e);
  }
  struct stat st {};
  if (fstat(fd, &st) != 0) {
    int e = errno;
    close(fd);
    return ErrnoStatus(path, e);
  }
  bool reuse = false;
  if (static_cast<uint64_t>(st.st_size) == kHeaderBytes + capacity) {
    uint8_t header[kHeaderBytes];
    uint64_t existing = 0;
    reuse = pread(fd, header, sizeof(header), 0) == static_cast<ssize_t>(sizeof(header)) &&
            HeaderValid(header, static_cast<size_t>(st.st_size), &existing) && existing == capacity;
  }
  if (!reuse) {
    auto created = CreateJournalFile(path, capacity);
    close(fd);  // releases the lock on the old file, which is no longer at `path`
    if (!created.ok()) return created.status();
    fd = *created;
  }
  size_t size = static_cast<size_t>(kHeaderBytes + capacity);
  void* map = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (map == MAP_FAILED) {
    int e = errno;
    close(fd);
    return ErrnoStatus(path, e);
  }
  std::unique_ptr<EventJournalWriter> w(new EventJournalWriter());
  w->path_ = path;
  w->fd_ = fd;
  w->map_ = static_cast<uint8_t*>(map);
  w->map_size_ = size;
  w->capacity_ = capacity;
  Field(w->map_, kOffWriterPid).store(static_cast<uint64_t>(getpid()), std::memory_order_relaxed);
  return w;
}

EventJournalWriter::~EventJournalWriter() {
  if (map_ != nullptr) {
    msync(map_, map_size_, MS_ASYNC);
    munmap(map_, map_size_);
  }
  if (fd_ >= 0) close(fd_);  // releases the flock
}

void EventJournalWriter::Sync() { msync(map_, map_size_, MS_ASYNC); }

Result<uint64_t> EventJournalWriter::Append(uint16_t kind, int64_t time_ns,
                                            std::string_view payload) {
  const uint64_t length = Align8(kRecordHeaderBytes + payload.size());
  if (length > capacity_ / 4 || kind == kPaddingKind)
    return InvalidArgument("event journal: record of " + std::to_string(payload.size()) +
                           " bytes refused");
  uint8_t* ring = map_ + kHeaderBytes;
  auto head_ref = Field(map_, kOffHead);
  auto tail_ref = Field(map_, kOffTail);
  const uint64_t head = head_ref.load(std::memory_order_relaxed);
  uint64_t tail = tail_ref.load(std::memory_order_relaxed);
  const uint64_t phys = head % capacity_;
  const uint64_t skip = capacity_ - phys < length ? capacity_ - phys : 0;
  const uint64_t end = head + skip + length;

  // Make room: move the tail past the oldest records first.
  const uint64_t old_tail = tail;
  while (end - tail > capacity_) {
    uint64_t tp = tail % capacity_;
    uint64_t rem = capacity_ - tp;
    if (rem < kRecordHeaderBytes) {
      tail += rem;
      continue;
    }
    RecordHeader h;
    memcpy(&h, ring + tp, sizeof(h));
    if (h.magic != kRecordMagic || h.length < kRecordHeaderBytes || h.length > rem ||
        h.length % 8 != 0) {
      tail = head + skip;  // damaged (a writer died mid-record): drop everything before us
      break;
    }
    if (h.kind != kPaddingKind) ++overwritten_;
    tail += h.length;
  }
  if (tail != old_tail) {
    tail_ref.store(tail, std::memory_order_release);
    std::atomic_thread_fence(
        std::memory_order_seq_cst);  // readers see the new tail before new bytes
  }
  if (skip >= kRecordHeaderBytes) {
    RecordHeader pad{kRecordMagic, static_cast<uint32_t>(skip), kPaddingKind, 0, 0, 0, 0};
    memcpy(ring + phys, &pad, sizeof(pad));
  }
  auto seq_ref = Field(map_, kOffNextSeq);
  const uint64_t sequence = seq_ref.load(std::memory_order_relaxed);
  RecordHeader h{kRecordMagic,
                 static_cast<uint32_t>(length),
                 kind,
                 0,
                 static_cast<uint32_t>(payload.size()),
                 sequence,
                 time_ns};
  uint8_t* dst = ring + (head + skip) % capacity_;
  memcpy(dst, &h, sizeof(h));
  memcpy(dst + sizeof(h), payload.data(), payload.size());
  memset(dst + sizeof(h) + payload.size(), 0, length - sizeof(h) - payload.size());
  seq_ref.store(sequence + 1, std::memory_order_relaxed);
  head_ref.store(end, std::memory_order_release);
  return sequence;
}

Result<std::unique_ptr<EventJournalReader>> EventJournalReader::Open(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int e = errno;
    if (e == ENOENT)
      return NotFound(path + ": no event journal (is `warden events watch` or the agent running?)");
    return ErrnoStatus(path, e);
  }
  struct stat st {};
  if (fstat(fd, &st) != 0 || static_cast<uint64_t>(st.st_size) < kHeaderBytes) {
    close(fd);
    return ParseError(path + ": not a Warden event journal");
  }
  size_t size = static_cast<size_t>(st.st_size);
  void* map = mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
  if (map == MAP_FAILED) {
    int e = errno;
    close(fd);
    return ErrnoStatus(path, e);
  }
  std::unique_ptr<EventJournalReader> r(new EventJournalReader());
  r->fd_ = fd;
  r->map_ = static_cast<const uint8_t*>(map);
  r->map_size_ = size;
  if (!HeaderValid(r->map_, size, &r->capacity_))
    return ParseError(path + ": not a Warden event journal");
  return r;
}

EventJournalReader::~EventJournalReader() {
  if (map_ != nullptr) munmap(const_cast<uint8_t*>(map_), map_size_);
  if (fd_ >= 0) close(fd_);
}

Status EventJournalReader::Scan(int64_t min_time_ns, int64_t max_time_ns,
                                const std::function<bool(const JournalRecord&)>& fn) const {
  const uint8_t* ring = map_ + kHeaderBytes;
  const uint64_t head = LoadField(map_, kOffHead);
  uint64_t pos = LoadField(map_, kOffTail);
  std::string payload;
  while (pos < head) {
    uint64_t phys = pos % capacity_;
    uint64_t rem = capacity_ - phys;
    if (rem < kRecordHeaderBytes) {
      pos += rem;
      continue;
    }
    RecordHeader h;
    memcpy(&h, ring + phys, sizeof(h));
    if (h.magic != kRecordMagic || h.length < kRecordHeaderBytes || h.length > rem ||
        h.length % 8 != 0) {
      uint64_t tail = LoadField(map_, kOffTail);
      if (tail > pos) {  // overwritten while we read: continue from the new oldest record
        pos = tail;
        continue;
      }
      return Status::Ok();  // damaged: stop rather than guess
    }
    if (h.kind == kPaddingKind || h.time_ns < min_time_ns || h.time_ns > max_time_ns ||
        h.payload_bytes > h.length - sizeof(h)) {
      pos += h.length;
      continue;
    }
    payload.assign(reinterpret_cast<const char*>(ring + phys + sizeof(h)), h.payload_bytes);
    std::atomic_thread_fence(std::memory_order_seq_cst);
    uint64_t tail = LoadField(map_, kOffTail);
    if (tail > pos) {
      pos = tail;
      continue;
    }
    JournalRecord record{h.kind, h.time_ns, h.sequence, payload};
    if (!fn(record)) break;
    pos += h.length;
  }
  return Status::Ok();
}

}  // namespace warden

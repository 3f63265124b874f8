// EventJournal is the bounded on-disk buffer between the collector (a
// long-running `warden events watch`, later the agent) and the event tables
// that short-lived `warden query` processes read. It is one file of fixed
// size: a 4 KiB header and a ring of records. When the ring is full the oldest
// records are overwritten, so the file never grows, whatever the event rate.
//
// Concurrency: one writer (it holds an exclusive flock on the file; a second
// writer is refused), any number of lock-free readers. The header holds
// monotonically increasing byte positions `head` (next write) and `tail`
// (oldest valid record). The writer advances `tail` before it overwrites, and
// `head` after a record is complete; a reader copies a record and then
// re-checks `tail`: a record the writer may have overwritten meanwhile is
// discarded, never returned half-written.
//
// Records are opaque here (a kind, a time and a payload); host_event_codec.h
// defines what the event tables store. Not for durability across power loss:
// the page cache is flushed by the kernel and on Sync().
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"

namespace warden {

// Where the journal lives unless WARDEN_EVENTS_JOURNAL names a file:
// /var/lib/warden/events.journal for root, $XDG_STATE_HOME/warden/ (or
// ~/.local/state/warden/) otherwise.
std::string DefaultEventJournalPath();

struct JournalRecord {
  uint16_t kind = 0;
  int64_t time_ns = 0;
  uint64_t sequence = 0;  // 1, 2, 3, ... over the life of the file (the events' eid)
  std::string_view payload;
};

class EventJournalWriter {
 public:
  static constexpr uint64_t kDefaultCapacity = 32ull << 20;
  static constexpr uint64_t kMinCapacity = 64ull << 10;

  // Opens (creating or resizing) the journal at path with `capacity` bytes of
  // ring. Records already there are kept when the capacity is unchanged.
  // Fails with kUnavailable when another writer holds the file.
  static Result<std::unique_ptr<EventJournalWriter>> Open(const std::string& path,
                                                          uint64_t capacity = kDefaultCapacity);
  ~EventJournalWriter();
  EventJournalWriter(const EventJournalWriter&) = delete;
  EventJournalWriter& operator=(const EventJournalWriter&) = delete;

  // Appends a record and returns its sequence number. Payloads larger than a
  // quarter of the ring are refused (kInvalidArgument).
  Result<uint64_t> Append(uint16_t kind, int64_t time_ns, std::string_view payload);
  // Asks the kernel to write dirty pages back (asynchronously).
  void Sync();

  const std::string& path() const { return path_; }
  uint64_t capacity() const { return capacity_; }
  uint64_t overwritten() const { return overwritten_; }  // records dropped to make room

 private:
  EventJournalWriter() = default;
  std::string path_;
  int fd_ = -1;
  uint8_t* map_ = nullptr;
  size_t map_size_ = 0;
  uint64_t capacity_ = 0;
  uint64_t overwritten_ = 0;
};

class EventJournalReader {
 public:
  // kNotFound when there is no journal yet.
  static Result<std::unique_ptr<EventJournalReader>> Open(const std::string& path);
  ~EventJournalReader();
  EventJournalReader(const EventJournalReader&) = delete;
  EventJournalReader& operator=(const EventJournalReader&) = delete;

  // Calls fn for each complete record, oldest first, whose time is within
  // [min_time_ns, max_time_ns]; fn returns false to stop. The payload view is
  // valid during the call only.
  Status Scan(int64_t min_time_ns, int64_t max_time_ns,
              const std::function<bool(const JournalRecord&)>& fn) const;

 private:
  EventJournalReader() = default;
  int fd_ = -1;
  const uint8_t* map_ = nullptr;
  size_t map_size_ = 0;
  uint64_t capacity_ = 0;
};

}  // namespace warden

#include "ebpf/event_journal.h"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "testing/test_util.h"

namespace warden {
namespace {

struct Seen {
  std::vector<uint64_t> sequences;
  std::vector<std::string> payloads;
};

Seen ScanAll(const std::string& path, int64_t min_ns = INT64_MIN, int64_t max_ns = INT64_MAX) {
  Seen seen;
  auto reader = EventJournalReader::Open(path);
  EXPECT_TRUE(reader.ok()) << reader.status().message();
  if (!reader.ok()) return seen;
  Status st = (*reader)->Scan(min_ns, max_ns, [&](const JournalRecord& r) {
    seen.sequences.push_back(r.sequence);
    seen.payloads.emplace_back(r.payload.substr(0, r.payload.find('\0')));
    return true;
  });
  EXPECT_TRUE(st.ok());
  return seen;
}

TEST(EventJournalTest, RecordsComeBackInOrderWithTheirSequence) {
  testing::TempDir dir;
  std::string path = dir.path() + "/j";
  auto w = EventJournalWriter::Open(path, EventJournalWriter::kMinCapacity);
  ASSERT_TRUE(w.ok()) << w.status().message();
  for (int i = 0; i < 10; ++i)
    ASSERT_TRUE((*w)->Append(1, i * 1000, "event-" + std::to_string(i)).ok());
  Seen seen = ScanAll(path);
  ASSERT_EQ(seen.payloads.size(), 10u);
  EXPECT_EQ(seen.payloads.front(), "event-0");
  EXPECT_EQ(seen.payloads.back(), "event-9");
  EXPECT_EQ(seen.sequences.front(), 1u);
  EXPECT_EQ(seen.sequences.back(), 10u);
}

TEST(EventJournalTest, TheFileNeverGrowsAndTheOldestRecordsGoFirst) {
  testing::TempDir dir;
  std::string path = dir.path() + "/j";
  auto w = EventJournalWriter::Open(path, EventJournalWriter::kMinCapacity);
  ASSERT_TRUE(w.ok());
  const std::string filler(300, 'x');
  for (int i = 0; i < 5000; ++i)
    ASSERT_TRUE((*w)->Append(1, i, std::to_string(i) + '\0' + filler).ok());
  std::ifstream f(path, std::ios::ate | std::ios::binary);
  EXPECT_EQ(static_cast<uint64_t>(f.tellg()), 4096 + EventJournalWriter::kMinCapacity);
  Seen seen = ScanAll(path);
  ASSERT_FALSE(seen.payloads.empty());
  EXPECT_LT(seen.payloads.size(), 5000u);
  EXPECT_EQ(seen.payloads.back(), "4999");
  for (size_t i = 1; i < seen.sequences.size(); ++i)
    EXPECT_EQ(seen.sequences[i], seen.sequences[i - 1] + 1);
  EXPECT_EQ((*w)->overwritten(), 5000u - seen.payloads.size());
}

TEST(EventJournalTest, TimeWindowSelectsRecords) {
  testing::TempDir dir;
  std::string path = dir.path() + "/j";
  auto w = EventJournalWriter::Open(path, EventJournalWriter::kMinCapacity);
  ASSERT_TRUE(w.ok());
  for (int i = 0; i < 10; ++i) ASSERT_TRUE((*w)->Append(1, i * 100, std::to_string(i)).ok());
  Seen seen = ScanAll(path, 300, 500);
  EXPECT_EQ(seen.payloads, (std::vector<std::string>{"3", "4", "5"}));
}

TEST(EventJournalTest, ASecondWriterIsRefused) {
  testing::TempDir dir;
  std::string path = dir.path() + "/j";
  auto first = EventJournalWriter::Open(path, EventJournalWriter::kMinCapacity);
  ASSERT_TRUE(first.ok());
  auto second = EventJournalWriter::Open(path, EventJournalWriter::kMinCapacity);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
}

TEST(EventJournalTest, ReopeningKeepsRecordsAndChangingTheSizeStartsOver) {
  testing::TempDir dir;
  std::string path = dir.path() + "/j";
  {
    auto w = EventJournalWriter::Open(path, EventJournalWriter::kMinCapacity);
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->Append(1, 1, "kept").ok());
  }
  {
    auto w = EventJournalWriter::Open(path, EventJournalWriter::kMinCapacity);
    ASSERT_TRUE(w.ok());
    auto seq = (*w)->Append(1, 2, "next");
    ASSERT_TRUE(seq.ok());
    EXPECT_EQ(*seq, 2u);
  }
  EXPECT_EQ(ScanAll(path).payloads, (std::vector<std::string>{"kept", "next"}));
  auto w = EventJournalWriter::Open(path, 2 * EventJournalWriter::kMinCapacity);
  ASSERT_TRUE(w.ok());
  EXPECT_TRUE(ScanAll(path).payloads.empty());
}

TEST(EventJournalTest, GarbageIsNotAJournal) {
  testing::TempDir dir;
  std::string path = dir.WriteFile("junk", std::string(8192, '\x7f'));
  auto r = EventJournalReader::Open(path);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(EventJournalReader::Open(dir.path() + "/missing").status().code(),
            StatusCode::kNotFound);
  // A writer replaces it with a valid, empty journal.
  auto w = EventJournalWriter::Open(path, EventJournalWriter::kMinCapacity);
  ASSERT_TRUE(w.ok()) << w.status().message();
  EXPECT_TRUE(ScanAll(path).payloads.empty());
}

TEST(EventJournalTest, ReadersNeverSeeTornRecordsWhileTheWriterWraps) {
  testing::TempDir dir;
  std::string path = dir.path() + "/j";
  auto w = EventJournalWriter::Open(path, EventJournalWriter::kMinCapacity);
  ASSERT_TRUE(w.ok());
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int i = 0; i < 200000; ++i) {
      // The payload repeats its own number, so a torn record is detectable.
      std::string n = std::to_string(i);
      std::string payload;
      for (int k = 0; k < 20; ++k) payload += n + ",";
      (void)(*w)->Append(1, i, payload);
    }
    done = true;
  });
  size_t scans = 0, records = 0;
  while (!done) {
    auto reader = EventJournalReader::Open(path);
    ASSERT_TRUE(reader.ok());
    uint64_t last = 0;
    Status st = (*reader)->Scan(INT64_MIN, INT64_MAX, [&](const JournalRecord& r) {
      std::string payload(r.payload.substr(0, r.payload.find('\0')));
      std::string first = payload.substr(0, payload.find(','));
      std::string expected;
      for (int k = 0; k < 20; ++k) expected += first + ",";
      EXPECT_EQ(payload, expected);
      EXPECT_EQ(std::to_string(r.time_ns), first);
      EXPECT_GT(r.sequence, last);
      last = r.sequence;
      ++records;
      return true;
    });
    EXPECT_TRUE(st.ok());
    ++scans;
  }
  writer.join();
  EXPECT_GT(scans, 0u);
  EXPECT_GT(records, 0u);
}

}  // namespace
}  // namespace warden

#include "cloud/cloudtrail_reader.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <thread>

#include "cloud/cloud_test_util.h"
#include "testing/test_util.h"

namespace warden {
namespace {

using testing::TempDir;

std::string Gzip(const std::string& data) {
  z_stream zs{};
  deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&zs, data.size()) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

std::string Event(const std::string& id, const std::string& name = "ListBuckets") {
  return R"({"eventVersion":"1.08","eventID":")" + id + R"(","eventName":")" + name +
         R"(","eventSource":"s3.amazonaws.com","userIdentity":{"type":"IAMUser","userName":"u"}})";
}

struct Collected {
  std::vector<std::string> records;
  std::vector<std::string> problems;
  InputStats stats;
};

Collected Read(const std::vector<std::string>& paths) {
  Collected c;
  CloudTrailReader reader(
      [&](const SplitRecord& r, const RecordOrigin&) { c.records.emplace_back(r.text); },
      [&](const std::string& m) { c.problems.push_back(m); });
  for (const auto& p : paths) EXPECT_TRUE(reader.ReadPath(p).ok()) << p;
  c.stats = reader.stats();
  return c;
}

TEST(CloudTrailReaderTest, ReadsRealSampleDirectory) {
  Collected c = Read({testing::SamplesDir()});
  EXPECT_EQ(c.stats.files, 55u);
  EXPECT_EQ(c.records.size(), 2900u);  // SOURCES.txt: 2,900 events
  EXPECT_EQ(c.stats.bad_records, 0u);
  EXPECT_TRUE(c.problems.empty());
}

TEST(CloudTrailReaderTest, GzipAndS3LayoutWithDigestAndInsightFilesSkipped) {
  TempDir dir;
  std::string base = "AWSLogs/123456789012/CloudTrail/us-east-1/2023/07/10/";
  dir.WriteFile(base + "123456789012_CloudTrail_us-east-1_20230710T1145Z_a.json.gz",
                Gzip(R"({"Records":[)" + Event("1") + "," + Event("2") + "]}"));
  dir.WriteFile("AWSLogs/123456789012/CloudTrail/eu-west-1/2023/07/10/b.json",
                R"({"Records":[)" + Event("3") + "]}");
  dir.WriteFile(
      "AWSLogs/123456789012/CloudTrail-Digest/us-east-1/2023/07/10/"
      "123456789012_CloudTrail-Digest_us-east-1_x_20230710T1200Z.json.gz",
      Gzip(R"({"awsAccountId":"123456789012","digestStartTime":"2023-07-10T11:00:00Z"})"));
  dir.WriteFile(
      "AWSLogs/123456789012/CloudTrail-Insight/us-east-1/2023/07/10/"
      "123456789012_CloudTrail-Insight_us-east-1_20230710T1200Z_x.json.gz",
      Gzip(R"({"Records":[{"eventType":"AwsCloudTrailInsight"}]})"));
  dir.WriteFile("README.txt", "not a log");
  Collected c = Read({dir.path()});
  EXPECT_EQ(c.records.size(), 3u);
  EXPECT_EQ(c.stats.files, 2u);
  EXPECT_EQ(c.stats.digest_files_skipped, 1u);
  EXPECT_EQ(c.stats.insight_files_skipped, 1u);
  EXPECT_EQ(c.stats.other_files_skipped, 1u);
}

TEST(CloudTrailReaderTest, TruncatedGzipKeepsEarlierRecordsAndReportsTheFile) {
  TempDir dir;
  std::string body = R"({"Records":[)";
  for (int i = 0; i < 2000; ++i) body += (i ? "," : "") + Event(std::to_string(i));
  body += "]}";
  std::string gz = Gzip(body);
  std::string path = dir.WriteFile("cut.json.gz", gz.substr(0, gz.size() / 2));
  Collected c = Read({path});
  EXPECT_GT(c.records.size(), 100u);
  EXPECT_LT(c.records.size(), 2000u);
  EXPECT_EQ(c.stats.failed_files, 1u);
  bool named = false;
  for (const auto& p : c.problems)
    named |= p.find("cut.json.gz: truncated gzip stream") != std::string::npos;
  EXPECT_TRUE(named);
}

TEST(CloudTrailReaderTest, CorruptGzipIsReportedNotFatal) {
  TempDir dir;
  std::string gz = Gzip(R"({"Records":[)" + Event("1") + "]}");
  for (size_t i = 12; i < gz.size() - 8; ++i) gz[i] = static_cast<char>(gz[i] ^ 0x5a);
  std::string bad = dir.WriteFile("a/bad.json.gz", gz);
  dir.WriteFile("b/good.json", R"({"Records":[)" + Event("2") + "]}");
  Collected c = Read({dir.path()});
  EXPECT_EQ(c.records, std::vector<std::string>{Event("2")});
  EXPECT_EQ(c.stats.failed_files, 1u);
}

TEST(CloudTrailReaderTest, ConcatenatedGzipMembers) {
  TempDir dir;
  std::string path = dir.WriteFile("two.json.gz", Gzip(R"({"Records":[)" + Event("1") + "]}") +
                                                      Gzip(R"({"Records":[)" + Event("2") + "]}"));
  EXPECT_EQ(Read({path}).records.size(), 2u);
}

TEST(CloudTrailReaderTest, StdinAndJsonLines) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  std::string text = Event("1") + "\n" + Event("2") + "\n";
  ASSERT_EQ(write(fds[1], text.data(), text.size()), static_cast<ssize_t>(text.size()));
  close(fds[1]);
  std::vector<std::string> records;
  CloudTrailReader reader(
      [&](const SplitRecord& r, const RecordOrigin& o) {
        records.emplace_back(r.text);
        EXPECT_EQ(*o.source, "<stdin>");
        EXPECT_GT(o.line, 0u);
      },
      nullptr);
  ASSERT_TRUE(reader.ReadDescriptor(fds[0], "<stdin>").ok());
  close(fds[0]);
  EXPECT_EQ(records.size(), 2u);
}

TEST(CloudTrailReaderTest, MissingPathIsAnError) {
  CloudTrailReader reader([](const SplitRecord&, const RecordOrigin&) {}, nullptr);
  Status st = reader.ReadPath("/nonexistent/trail");
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kNotFound);
}

TEST(CloudTrailReaderTest, ClassifiesS3Names) {
  EXPECT_EQ(ClassifyInputPath("x/123_CloudTrail_us-east-1_20230710T1145Z_a.json.gz"),
            InputKind::kData);
  EXPECT_EQ(
      ClassifyInputPath("AWSLogs/1/CloudTrail-Digest/us-east-1/2023/1_CloudTrail-Digest_x.json.gz"),
      InputKind::kDigest);
  EXPECT_EQ(ClassifyInputPath("a/1_CloudTrail-Insight_us-east-1_x.json.gz"), InputKind::kInsight);
  EXPECT_EQ(ClassifyInputPath("events.jsonl"), InputKind::kData);
  EXPECT_EQ(ClassifyInputPath("notes.txt"), InputKind::kOther);
}

TEST(CloudTrailReaderTest, FollowPicksUpNewFilesAndAppendedLines) {
  TempDir dir;
  dir.WriteFile("old.json", R"({"Records":[)" + Event("old") + "]}");
  std::string lines = dir.WriteFile("live.jsonl", Event("l1") + "\n");
  std::vector<std::string> records;
  CloudTrailReader reader(
      [&](const SplitRecord& r, const RecordOrigin&) { records.emplace_back(r.text); }, nullptr);
  std::atomic<bool> listed{false};  // Follow asks `stop` only after its first listing
  std::atomic<bool> written{false};
  std::thread writer([&] {
    testing::WaitFor([&] { return listed.load(); }, std::chrono::seconds(5));
    dir.WriteFile("new/x.json", R"({"Records":[)" + Event("new") + "]}");
    FILE* f = fopen(lines.c_str(), "a");
    fputs((Event("l2") + "\n").c_str(), f);
    fclose(f);
    written = true;
  });
  CloudTrailReader::FollowOptions o;
  o.interval = std::chrono::milliseconds(200);
  // Stops once both new records came (a new file is read once it is a second
  // old), or after 10 s; `stop` runs on this thread, as the callback does.
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  ASSERT_TRUE(reader
                  .Follow(
                      {dir.path()}, o,
                      [&] {
                        listed = true;
                        return (written && records.size() >= 2) ||
                               std::chrono::steady_clock::now() > give_up;
                      },
                      nullptr)
                  .ok());
  writer.join();
  // Existing content was not re-read; the new file and the appended line were.
  std::sort(records.begin(), records.end());
  std::vector<std::string> expected{Event("new"), Event("l2")};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(records, expected);
}

TEST(CloudTrailReaderTest, FollowResumesFromPersistedPositionsWithoutRepeatOrSkip) {
  TempDir dir;
  dir.WriteFile("a.json", R"({"Records":[)" + Event("a1") + "," + Event("a2") + "]}");
  std::string lines = dir.WriteFile("live.jsonl", Event("l1") + "\n");
  // One run: reads what is there (nothing persisted yet), records positions.
  auto run = [&](const std::map<std::string, uint64_t>& resume,
                 std::map<std::string, uint64_t>* positions) {
    std::vector<std::string> records;
    CloudTrailReader reader(
        [&](const SplitRecord& r, const RecordOrigin&) { records.emplace_back(r.text); }, nullptr);
    CloudTrailReader::FollowOptions o;
    o.interval = std::chrono::milliseconds(50);
    o.resume_from = &resume;
    o.on_file_read = [&](const std::string& path, uint64_t consumed) {
      (*positions)[path] = consumed;
    };
    bool batch = false;
    EXPECT_TRUE(reader
                    .Follow(
                        {dir.path()}, o, [&] { return batch; }, [&] { batch = true; })
                    .ok());
    std::sort(records.begin(), records.end());
    return records;
  };
  std::map<std::string, uint64_t> positions;
  std::vector<std::string> first = run({}, &positions);
  std::vector<std::string> expected{Event("a1"), Event("a2"), Event("l1")};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(first, expected);
  ASSERT_EQ(positions.size(), 2u);
  EXPECT_EQ(positions[lines], Event("l1").size() + 1);

  // Lines appended and a file added while nothing ran: the next run reads
  // exactly those.
  FILE* f = fopen(lines.c_str(), "a");
  fputs((Event("l2") + "\n").c_str(), f);
  fclose(f);
  dir.WriteFile("b.json", R"({"Records":[)" + Event("b1") + "]}");
  const std::map<std::string, uint64_t> persisted = positions;
  std::vector<std::string> second = run(persisted, &positions);
  expected = {Event("b1"), Event("l2")};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(second, expected);
  EXPECT_EQ(positions[lines], Event("l1").size() + Event("l2").size() + 2);
}

TEST(CloudTrailReaderTest, FifoWithoutAWriterStopsWhenAsked) {
  // Opening a FIFO for reading used to wait for a writer, deaf to SIGTERM.
  TempDir dir;
  std::string fifo = dir.path() + "/trail.fifo";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  std::atomic<int> asked{0};
  CloudTrailReader reader([](const SplitRecord&, const RecordOrigin&) {}, nullptr);
  reader.set_stop([&] { return ++asked > 3; });  // after ~3 waits of kStopPollMillis
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(reader.ReadPath(fifo).ok());
  EXPECT_TRUE(reader.stopped());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_EQ(reader.stats().records, 0u);
}

TEST(CloudTrailReaderTest, EndlessDeviceIsReadInBoundedMemoryUntilStopped) {
  std::vector<std::string> problems;
  CloudTrailReader reader([](const SplitRecord&, const RecordOrigin&) {},
                          [&](const std::string& m) { problems.push_back(m); });
  int checks = 0;
  reader.set_stop([&] { return ++checks > 20; });  // some 20 MiB of zeros
  EXPECT_TRUE(reader.ReadPath("/dev/zero").ok());
  EXPECT_TRUE(reader.stopped());
  EXPECT_GT(reader.stats().bytes, 0u);
  ASSERT_EQ(problems.size(), 1u);  // the junk is reported once, not per byte
  EXPECT_EQ(problems[0], "/dev/zero: byte 0: unexpected data between records");
}

TEST(CloudTrailReaderTest, FifoWithAWriterIsReadToItsEnd) {
  TempDir dir;
  std::string fifo = dir.path() + "/trail.fifo";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  std::thread writer([&] {
    int fd = open(fifo.c_str(), O_WRONLY);  // waits for the reader
    std::string text = Event("1") + "\n" + Event("2") + "\n";
    EXPECT_EQ(write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
    close(fd);
  });
  Collected c = Read({fifo});
  writer.join();
  EXPECT_EQ(c.records.size(), 2u);
  EXPECT_TRUE(c.problems.empty());
}

TEST(CloudTrailReaderTest, SocketsAreRefusedWithoutAProblemLine) {
  TempDir dir;
  std::string path = dir.path() + "/s.sock";
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  std::vector<std::string> problems;
  CloudTrailReader reader([](const SplitRecord&, const RecordOrigin&) {},
                          [&](const std::string& m) { problems.push_back(m); });
  Status st = reader.ReadPath(path);
  close(fd);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("s.sock: "), std::string::npos) << st.message();
  EXPECT_TRUE(problems.empty());  // the caller reports a named input, once
  EXPECT_EQ(reader.stats().failed_files, 1u);
}

}  // namespace
}  // namespace warden

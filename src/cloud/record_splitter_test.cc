#include "cloud/record_splitter.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace warden {
namespace {

struct Split {
  std::vector<std::string> records;
  std::vector<uint64_t> lines;
  std::vector<std::string> problems;
  uint64_t digests = 0;
  bool json_lines = false;
};

// Feeds `text` in chunks of `chunk` bytes (every boundary position is tried
// by the callers that loop over chunk sizes).
Split SplitText(const std::string& text, size_t chunk = 1 << 20,
                size_t max_record = kDefaultMaxRecordBytes) {
  Split out;
  RecordSplitter s(
      [&](const SplitRecord& r) {
        EXPECT_GE(r.capacity, r.text.size() + kRecordPadding);
        out.records.emplace_back(r.text);
        out.lines.push_back(r.line);
      },
      [&](uint64_t, uint64_t, const std::string& m) { out.problems.push_back(m); }, max_record);
  for (size_t i = 0; i < text.size(); i += chunk) s.Feed(std::string_view(text).substr(i, chunk));
  s.Finish();
  out.digests = s.digests();
  out.json_lines = s.json_lines();
  return out;
}

using Records = std::vector<std::string>;

TEST(RecordSplitterTest, CloudTrailWrapperYieldsEachRecord) {
  std::string file = R"({"Records":[{"eventName":"A","x":{"y":[1,2]}},{"eventName":"B \"}]\\"}]})";
  for (size_t chunk : {1, 2, 3, 7, 64, 1 << 20}) {
    Split s = SplitText(file, chunk);
    EXPECT_EQ(s.records,
              (Records{R"({"eventName":"A","x":{"y":[1,2]}})", R"({"eventName":"B \"}]\\"})"}))
        << "chunk " << chunk;
    EXPECT_TRUE(s.problems.empty());
  }
}

TEST(RecordSplitterTest, PrettyPrintedWrapperAndConcatenatedFiles) {
  std::string file =
      "{\n  \"Records\": [\n    {\"eventName\": \"A\"},\n    {\"eventName\": \"B\"}\n  ]\n}\n"
      "{\"Records\":[{\"eventName\":\"C\"}]}";
  Split s = SplitText(file, 5);
  EXPECT_EQ(s.records,
            (Records{R"({"eventName": "A"})", R"({"eventName": "B"})", R"({"eventName":"C"})"}));
  EXPECT_FALSE(s.json_lines);
}

TEST(RecordSplitterTest, BareArray) {
  Split s = SplitText(R"([{"eventName":"A"}, {"eventName":"B"}])", 3);
  EXPECT_EQ(s.records, (Records{R"({"eventName":"A"})", R"({"eventName":"B"})"}));
}

TEST(RecordSplitterTest, JsonLinesUseTheLineFastPathWithLineNumbers) {
  std::string text = "{\"eventName\":\"A\"}\n\n{\"eventName\":\"B\"}\r\n{\"eventName\":\"C\"}";
  for (size_t chunk : {1, 4, 1 << 20}) {
    Split s = SplitText(text, chunk);
    EXPECT_EQ(s.records,
              (Records{R"({"eventName":"A"})", R"({"eventName":"B"})", R"({"eventName":"C"})"}))
        << "chunk " << chunk;
    EXPECT_TRUE(s.json_lines);
    EXPECT_EQ(s.lines, (std::vector<uint64_t>{1, 3, 4})) << "chunk " << chunk;
  }
}

TEST(RecordSplitterTest, JsonLinesWithAWrapperLine) {
  Split s = SplitText(
      "{\"eventName\":\"A\"}\n{\"Records\":[{\"eventName\":\"B\"},{\"eventName\":\"C\"}]}\n{"
      "\"eventName\":\"D\"}\n");
  EXPECT_EQ(s.records, (Records{R"({"eventName":"A"})", R"({"eventName":"B"})",
                                R"({"eventName":"C"})", R"({"eventName":"D"})"}));
}

TEST(RecordSplitterTest, BrokenLineDoesNotStopTheRest) {
  // The middle line is cut: it is handed over as a record (the parser rejects
  // it) or reported; the following lines still come out.
  Split s = SplitText("{\"eventName\":\"A\"}\n{\"eventName\":\"B\",\n{\"eventName\":\"C\"}\n");
  ASSERT_GE(s.records.size(), 2u);
  EXPECT_EQ(s.records.front(), R"({"eventName":"A"})");
}

TEST(RecordSplitterTest, DigestObjectsAreCountedNotEmitted) {
  Split s = SplitText(
      R"({"awsAccountId":"1","digestStartTime":"2023-01-01T00:00:00Z","logFiles":[{"s3Object":"x"}]})");
  EXPECT_TRUE(s.records.empty());
  EXPECT_EQ(s.digests, 1u);
}

TEST(RecordSplitterTest, TruncatedInputIsReported) {
  Split s = SplitText(R"({"Records":[{"eventName":"A"},{"eventName":"B","x":)");
  EXPECT_EQ(s.records, (Records{R"({"eventName":"A"})"}));
  ASSERT_EQ(s.problems.size(), 1u);
  EXPECT_NE(s.problems[0].find("truncated"), std::string::npos);
}

TEST(RecordSplitterTest, JunkBetweenRecordsIsReportedOnce) {
  Split s = SplitText("garbage here [{\"a\":1}] more junk {\"b\":2}");
  EXPECT_EQ(s.records, (Records{R"({"a":1})", R"({"b":2})"}));
  EXPECT_EQ(s.problems.size(), 2u);
}

TEST(RecordSplitterTest, OversizedRecordIsSkippedAndTheNextOneKept) {
  std::string big = R"({"eventName":")" + std::string(5000, 'x') + R"("})";
  std::string text = R"({"Records":[)" + big + R"(,{"eventName":"small"}]})";
  for (size_t chunk : {100, 1 << 20}) {
    Split s = SplitText(text, chunk, 1000);
    EXPECT_EQ(s.records, (Records{R"({"eventName":"small"})"})) << chunk;
    ASSERT_EQ(s.problems.size(), 1u) << chunk;
    EXPECT_NE(s.problems[0].find("larger than 1000 bytes"), std::string::npos);
  }
  Split lines = SplitText("{\"a\":1}\n" + big + "\n{\"b\":2}\n", 100, 1000);
  EXPECT_EQ(lines.records, (Records{R"({"a":1})", R"({"b":2})"}));
  EXPECT_EQ(lines.problems.size(), 1u);
}

TEST(RecordSplitterTest, EscapedBackslashesAcrossChunkBoundaries) {
  std::string text = R"({"Records":[{"k":"a\\\\"},{"k":"\\\"}"}]})";
  for (size_t chunk = 1; chunk < text.size(); ++chunk) {
    Split s = SplitText(text, chunk);
    EXPECT_EQ(s.records, (Records{R"({"k":"a\\\\"})", R"({"k":"\\\"}"})"})) << chunk;
  }
}

TEST(RecordSplitterTest, DeepNestingNeedsNoStack) {
  std::string deep = "[" + std::string(200000, '[') + std::string(200000, ']') + "]";
  Split s = SplitText(deep, 4096);
  EXPECT_EQ(s.records.size(), 1u);
}

TEST(RecordSplitterTest, MemoryStaysBoundedWhateverTheStreamLength) {
  const std::string record =
      R"({"eventName":"A","userIdentity":{"type":"IAMUser"},"eventCategory":"Management"})";
  std::string lines, wrapper = R"({"Records":[)";
  for (int i = 0; i < 2000; ++i) {
    lines += record + "\n";
    wrapper += (i ? "," : "") + record;
  }
  wrapper += "]}";
  for (const std::string* text : {&lines, &wrapper}) {
    uint64_t count = 0;
    RecordSplitter s([&](const SplitRecord&) { ++count; }, nullptr);
    // 64 MB of input in 4 KiB chunks.
    for (int round = 0; round < 400; ++round)
      for (size_t i = 0; i < text->size(); i += 4096)
        s.Feed(std::string_view(*text).substr(i, 4096));
    s.Finish();
    EXPECT_EQ(count, 2000u * 400u);
    EXPECT_LT(s.buffer_capacity(), 64u * 1024u) << (text == &lines ? "lines" : "wrapper");
  }
}

TEST(RecordSplitterTest, EmptyAndWhitespaceInput) {
  EXPECT_TRUE(SplitText("").records.empty());
  EXPECT_TRUE(SplitText(" \n\t ").records.empty());
  EXPECT_TRUE(SplitText(" \n\t ").problems.empty());
}

TEST(RecordSplitterTest, RecordsOfTheWrongTypeAreReportedWithTheirOffset) {
  struct Case {
    std::string text;
    Records records;
    std::vector<std::string> problems;
  };
  const std::string rec = R"({"eventID":"r"})";
  const Case cases[] = {
      {R"({"Records":{"eventID":"a"}})",
       {},
       {"11: \"Records\" holds an object, not a list of records; the object is skipped"}},
      {R"({"Records":"text"})",
       {},
       {"11: \"Records\" holds a string, not a list of records; the object is skipped"}},
      {R"({"Records": null})",
       {},
       {"12: \"Records\" holds a number, true, false or null, not a list of records; the object "
        "is skipped"}},
      {R"({"Records":[1,")" + std::string("x\",") + rec + R"(,true]})",
       {rec},
       {"12: a number, true, false or null where a record object belongs; skipped",
        "14: a string where a record object belongs; skipped",
        "34: a number, true, false or null where a record object belongs; skipped"}},
      {"[12345, " + rec + "]",
       {rec},
       {"1: a number, true, false or null where a record object belongs; skipped"}},
  };
  for (const Case& c : cases) {
    for (size_t chunk : {1, 3, 1 << 20}) {
      Records records;
      std::vector<std::string> problems;
      RecordSplitter s([&](const SplitRecord& r) { records.emplace_back(r.text); },
                       [&](uint64_t offset, uint64_t, const std::string& m) {
                         problems.push_back(std::to_string(offset) + ": " + m);
                       });
      for (size_t i = 0; i < c.text.size(); i += chunk)
        s.Feed(std::string_view(c.text).substr(i, chunk));
      s.Finish();
      EXPECT_EQ(records, c.records) << c.text << " in chunks of " << chunk;
      EXPECT_EQ(problems, c.problems) << c.text << " in chunks of " << chunk;
      EXPECT_EQ(s.problems(), c.problems.size()) << c.text;
    }
  }
}

}  // namespace
}  // namespace warden

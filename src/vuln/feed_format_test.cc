#include "vuln/feed_format.h"

#include <gtest/gtest.h>

#include "testing/test_util.h"

namespace warden {
namespace {

std::string SamplePath(const std::string& name) {
  return testing::FixturePath("vuln/samples/" + name);
}

TEST(FeedFormatTest, EachSampleIsRecognisedFromItsContent) {
  EXPECT_EQ(*DetectFeedFormatOfFile(SamplePath("debian-tracker-subset.json")),
            FeedFormat::kDebianTrackerJson);
  EXPECT_EQ(*DetectFeedFormatOfFile(SamplePath("osv-debian-DSA-3029-1.json")),
            FeedFormat::kOsvJson);
  EXPECT_EQ(*DetectFeedFormatOfFile(SamplePath("oracle-elsa-oval-subset.xml")),
            FeedFormat::kOvalXml);
}

TEST(FeedFormatTest, FileNameDoesNotMatter) {
  testing::TempDir dir;
  auto text = HostFs("/").ReadFile(SamplePath("osv-debian-DSA-3029-1.json"));
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*DetectFeedFormatOfFile(dir.WriteFile("data.xml", *text)), FeedFormat::kOsvJson);
}

TEST(FeedFormatTest, ZipAndBzip2AreRecognisedByMagic) {
  EXPECT_EQ(DetectFeedFormat(std::string("PK\x03\x04rest", 8)), FeedFormat::kOsvZip);
  EXPECT_EQ(DetectFeedFormat("BZh9 not really bzip2"), FeedFormat::kUnknown);
}

TEST(FeedFormatTest, UnrelatedContentIsUnknown) {
  EXPECT_EQ(DetectFeedFormat(""), FeedFormat::kUnknown);
  EXPECT_EQ(DetectFeedFormat("hello world"), FeedFormat::kUnknown);
  EXPECT_EQ(DetectFeedFormat("[1,2,3]"), FeedFormat::kUnknown);
  EXPECT_EQ(DetectFeedFormat(R"({"name": "x", "version": "1"})"), FeedFormat::kUnknown);
  EXPECT_EQ(DetectFeedFormat("<html><body></body></html>"), FeedFormat::kUnknown);
}

TEST(FeedFormatTest, TrackerIsToldFromOsvByItsSecondLevelKeys) {
  EXPECT_EQ(DetectFeedFormat(R"(  {"openssl": {"CVE-2024-1": {}}})"),
            FeedFormat::kDebianTrackerJson);
  EXPECT_EQ(DetectFeedFormat(R"({"openssl": {"TEMP-0000000-ABCDEF": {}}})"),
            FeedFormat::kDebianTrackerJson);
  EXPECT_EQ(DetectFeedFormat(R"({"schema_version": "1.6.0", "id": "X"})"), FeedFormat::kOsvJson);
}

TEST(FeedFormatTest, MissingFileIsAnIoErrorNamingIt) {
  auto r = DetectFeedFormatOfFile("/nonexistent/feed.json");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("/nonexistent/feed.json"), std::string::npos);
}

}  // namespace
}  // namespace warden

#include "cloud/cloud_source_follower.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cloud/cloud_rule_settings.h"
#include "cloud/cloud_test_util.h"

namespace warden {
namespace {

constexpr const char* kFiles[] = {
    "218007301253_CloudTrail_us-east-1_20230710T1200Z_iLj9fb7yyUG9X4Bf.json",
    "218007301253_CloudTrail_us-east-1_20230710T1210Z_2ru8PrDKZmsO3yWC.json",
    "218007301253_CloudTrail_us-east-1_20230710T1200Z_x9kHmzMa7cx6l9wM.json",
};

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Copies a sample into the S3 layout under `dir`.
std::string Land(const testing::TempDir& dir, const char* name) {
  return dir.WriteFile(std::string("AWSLogs/218007301253/CloudTrail/us-east-1/2023/07/10/") + name,
                       ReadText(testing::SamplesDir() + "/" + name));
}

// How many findings a whole scan of `paths` gives with `profile`.
size_t Expected(const TrailProfile& profile, const std::vector<std::string>& paths) {
  return testing::ScanPaths(CloudRuleCatalog(), paths, &profile).findings.size();
}

TrailProfile Profile() {
  Json org = Json::parse(R"({"RTM-011": {"enabled": true, "patterns": [
      {"eventName": "^(DeleteParameter|CreateSecret)$"}]}})");
  auto profile =
      BuildCloudAccountProfile("acme", org, Json::object(), CloudOverrideMode::kFillGaps);
  EXPECT_TRUE(profile.ok()) << profile.status().message();
  return std::move(*profile);
}

struct FollowRun {
  std::vector<CloudSourceBatch> batches;
  std::map<std::string, uint64_t> positions;
  size_t findings = 0;
  Status status;
};

// Follows until `files` batches came (or 10 s), storing each batch.
FollowRun Follow(const testing::TempDir& dir, const std::map<std::string, uint64_t>& stored,
                 size_t files, Status (*store)(const CloudSourceBatch&) = nullptr) {
  FollowRun run;
  CloudSourceFollower::Options options;
  options.directory = dir.path();
  options.interval = std::chrono::milliseconds(50);
  options.positions = stored;
  auto follower = CloudSourceFollower::Create(CloudRuleCatalog(), Profile(), options);
  EXPECT_TRUE(follower.ok()) << follower.status().message();
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  Status st = (*follower)->Run(
      [&] { return run.batches.size() >= files || std::chrono::steady_clock::now() > give_up; },
      [&](CloudSourceBatch&& b) {
        if (store) RETURN_IF_ERROR(store(b));
        run.findings += b.findings.size();
        run.batches.push_back(std::move(b));
        return Status::Ok();
      });
  run.status = st;
  run.positions = (*follower)->positions();
  return run;
}

TEST(CloudSourceFollowerTest, ARestartFromStoredPositionsNeitherRepeatsNorSkips) {
  testing::TempDir dir;
  const std::string a = Land(dir, kFiles[0]);
  const std::string b = Land(dir, kFiles[1]);
  const TrailProfile profile = Profile();
  FollowRun first = Follow(dir, {}, 2);
  ASSERT_TRUE(first.status.ok()) << first.status.message();
  ASSERT_EQ(first.batches.size(), 2u);
  EXPECT_EQ(first.findings, Expected(profile, {a, b}));
  EXPECT_GT(first.findings, 0u);
  size_t rows = 0;
  for (const CloudSourceBatch& batch : first.batches) {
    EXPECT_GT(batch.events, 0u);
    EXPECT_EQ(batch.position, std::filesystem::file_size(batch.path));
    for (const Finding& f : batch.findings) {
      if (f.rule_id != "RTM-011") continue;  // the catalog's other rules fire too
      ++rows;
      EXPECT_EQ(f.attributes.value("matched_patterns", Json::array()), Json::array({0}));
    }
  }

  EXPECT_EQ(rows, 16u);  // DeleteParameter and CreateSecret events in the two files

  // The "server" restarts with what it stored; a file landed meanwhile.
  const std::string c = Land(dir, kFiles[2]);
  FollowRun second = Follow(dir, first.positions, 1);
  ASSERT_EQ(second.batches.size(), 1u);
  EXPECT_EQ(second.batches[0].path, c);
  EXPECT_EQ(second.findings, Expected(profile, {c}));
}

TEST(CloudSourceFollowerTest, ABatchThatCannotBeStoredIsReadAgainNextTime) {
  testing::TempDir dir;
  const std::string a = Land(dir, kFiles[0]);
  FollowRun refused = Follow(dir, {}, 1, [](const CloudSourceBatch&) {
    return Status(StatusCode::kUnavailable, "store: closed");
  });
  EXPECT_EQ(refused.status.code(), StatusCode::kUnavailable);
  EXPECT_TRUE(refused.positions.empty());
  FollowRun again = Follow(dir, refused.positions, 1);
  ASSERT_EQ(again.batches.size(), 1u);
  EXPECT_EQ(again.findings, Expected(Profile(), {a}));
}

TEST(CloudSourceFollowerTest, MalformedInputIsReportedWithItsFileAndSkipped) {
  testing::TempDir dir;
  const std::string bad = dir.WriteFile("AWSLogs/1/CloudTrail/us-east-1/2023/07/10/bad.json",
                                        R"({"Records":[{"eventName":"DeleteParameter"}, oops)");
  FollowRun run = Follow(dir, {}, 1);
  ASSERT_EQ(run.batches.size(), 1u);
  ASSERT_FALSE(run.batches[0].problems.empty());
  EXPECT_NE(run.batches[0].problems[0].find(bad), std::string::npos) << run.batches[0].problems[0];
  EXPECT_EQ(run.findings, 1u);  // the record before the damage still counts
}

}  // namespace
}  // namespace warden

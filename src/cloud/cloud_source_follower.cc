#include "cloud/cloud_source_follower.h"

#include <utility>

#include "cloud/cloudtrail_reader.h"

namespace warden {

Result<std::unique_ptr<CloudSourceFollower>> CloudSourceFollower::Create(
    const std::vector<Rule>& rules, TrailProfile profile, Options options) {
  std::unique_ptr<CloudSourceFollower> follower(new CloudSourceFollower());
  follower->profile_ = std::make_unique<TrailProfile>(std::move(profile));
  follower->options_ = std::move(options);
  ASSIGN_OR_RETURN(follower->scanner_,
                   TrailScanner::Create(rules, follower->profile_.get(), TrailScanner::Options{}));
  return follower;
}

Status CloudSourceFollower::Run(const std::function<bool()>& stop, const BatchFn& on_batch) {
  CloudSourceBatch batch;
  Status failed = Status::Ok();
  uint64_t events_before = scanner_->stats().events;
  scanner_->set_on_finding([&](Finding&& finding, bool suppressed) {
    if (!suppressed) batch.findings.push_back(std::move(finding));
  });
  scanner_->set_on_problem([&](const std::string& m) { batch.problems.push_back(m); });
  CloudTrailReader reader(
      [&](const SplitRecord& record, const RecordOrigin& origin) {
        scanner_->ProcessRecord(record, origin);
      },
      [&](const std::string& m) { batch.problems.push_back(m); });
  auto stopping = [&] { return !failed.ok() || stop(); };
  reader.set_stop(stopping);

  // A snapshot: the reader reads the map once, at start.
  const std::map<std::string, uint64_t> resume = options_.positions;
  CloudTrailReader::FollowOptions follow;
  follow.interval = options_.interval;
  follow.resume_from = &resume;
  follow.on_file_read = [&](const std::string& path, uint64_t consumed) {
    if (!failed.ok()) return;
    if (stop()) {
      // Asked to stop while reading: the file may be cut short (a gzip
      // file's position could not resume it). Neither its findings nor its
      // position are handed over; the next start reads it again.
      batch = CloudSourceBatch();
      return;
    }
    batch.path = path;
    batch.position = consumed;
    batch.events = scanner_->stats().events - events_before;
    events_before = scanner_->stats().events;
    Status stored = on_batch(std::move(batch));
    batch = CloudSourceBatch();
    if (stored.ok())
      options_.positions[path] = consumed;
    else
      failed = stored;
  };
  Status followed = reader.Follow({options_.directory}, follow, stopping, nullptr);
  if (!failed.ok()) return failed;
  return followed;
}

}  // namespace warden

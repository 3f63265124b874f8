// The `file` sink: records as lines in a file, rotated by size: path,
// path.1 ... path.<max_files-1>. Each Deliver appends and fdatasyncs, so a
// delivered line survives a crash. Local: written at once, no queue.
//   - {name: results, type: file, path: results.jsonl, max_file_size: 100MB, max_files: 5}
// A relative path is under the agent's state directory.
#pragma once

#include <cstdint>
#include <string>

#include "delivery/sink_registry.h"

namespace warden {

struct FileSinkSettings : SinkSettings {
  std::string path;  // absolute after parsing
  int64_t max_file_bytes = 100ll << 20;
  int max_files = 5;
};

class FileSink : public Sink {
 public:
  explicit FileSink(SinkConfig config);
  ~FileSink() override;
  Status Deliver(const std::vector<QueuedRecord>& batch) override;
  std::string Destination() const override { return settings_.path; }

 private:
  Status OpenFile();
  Status Rotate();
  const FileSinkSettings& settings_;
  int fd_ = -1;
  int64_t size_ = 0;
};

const SinkType& FileSinkType();

}  // namespace warden

#include "delivery/stdout_sink.h"

#include <cerrno>
#include <cstdio>

namespace warden {

Status StdoutSink::Deliver(const std::vector<QueuedRecord>& batch) {
  for (const QueuedRecord& r : batch) {
    std::fwrite(r.payload.data(), 1, r.payload.size(), stdout);
    std::fputc('\n', stdout);
  }
  if (std::fflush(stdout) != 0) return ErrnoStatus("stdout", errno);
  return Status::Ok();
}

const SinkType& StdoutSinkType() {
  static const SinkType kType{
      "stdout",
      /*queued=*/false,
      {},
      {RecordFormat::kWarden, RecordFormat::kOcsf, RecordFormat::kText},
      [](const YAML::Node&, const std::string&,
         const SinkParseContext&) -> Result<std::shared_ptr<const SinkSettings>> {
        return std::shared_ptr<const SinkSettings>(std::make_shared<StdoutSinkSettings>());
      },
      [](const SinkConfig& config, const SinkContext&) -> Result<std::unique_ptr<Sink>> {
        return std::unique_ptr<Sink>(new StdoutSink(config));
      }};
  return kType;
}

}  // namespace warden

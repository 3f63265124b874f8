#include "agent/record_sink.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>

#include "agent/http_record_sinks.h"
#include "agent/syslog_record_sink.h"

namespace warden {

std::string RecordSink::RenderJson(const AgentRecord& record) const {
  if (config_.format == "ocsf" && record.ocsf)
    return record.ocsf->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return record.body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string RecordSink::Render(const AgentRecord& record) const { return RenderJson(record); }

QueuedRecord RecordSink::Prepare(const AgentRecord& record) const {
  QueuedRecord q;
  q.kind = record.kind;
  q.id = record.id;
  q.time_ms = record.time_ms;
  q.severity = record.syslog_severity;
  q.payload = Render(record);
  return q;
}

FileRecordSink::FileRecordSink(SinkConfig config) : RecordSink(std::move(config)) {}

FileRecordSink::~FileRecordSink() {
  if (fd_ >= 0) close(fd_);
}

Status FileRecordSink::OpenFile() {
  if (fd_ >= 0) return Status::Ok();
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(config().path).parent_path(), ec);
  fd_ = open(config().path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd_ < 0) return ErrnoStatus(config().path, errno);
  struct stat st {};
  size_ = fstat(fd_, &st) == 0 ? st.st_size : 0;
  return Status::Ok();
}

Status FileRecordSink::Rotate() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
  const std::string& p = config().path;
  // path.(n-1) is dropped, then each file moves one step: path.k -> path.k+1.
  if (config().max_files <= 1) {
    unlink(p.c_str());
  } else {
    unlink((p + "." + std::to_string(config().max_files - 1)).c_str());
    for (int k = config().max_files - 2; k >= 1; --k)
      rename((p + "." + std::to_string(k)).c_str(), (p + "." + std::to_string(k + 1)).c_str());
    if (rename(p.c_str(), (p + ".1").c_str()) != 0 && errno != ENOENT) return ErrnoStatus(p, errno);
  }
  return OpenFile();
}

Status FileRecordSink::Deliver(const std::vector<QueuedRecord>& batch) {
  RETURN_IF_ERROR(OpenFile());
  for (const QueuedRecord& r : batch) {
    const int64_t line = static_cast<int64_t>(r.payload.size()) + 1;
    if (size_ > 0 && size_ + line > config().max_file_bytes) RETURN_IF_ERROR(Rotate());
    std::string text = r.payload + "\n";
    size_t off = 0;
    while (off < text.size()) {
      ssize_t n = write(fd_, text.data() + off, text.size() - off);
      if (n < 0) {
        if (errno == EINTR) continue;
        return ErrnoStatus(config().path, errno);
      }
      off += static_cast<size_t>(n);
    }
    size_ += line;
  }
  if (fdatasync(fd_) != 0) return ErrnoStatus(config().path, errno);
  return Status::Ok();
}

std::string StdoutRecordSink::Render(const AgentRecord& record) const {
  if (config().format == "text")
    return record.summary.empty()
               ? record.body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
               : record.summary;
  return RenderJson(record);
}

Status StdoutRecordSink::Deliver(const std::vector<QueuedRecord>& batch) {
  for (const QueuedRecord& r : batch) {
    std::fwrite(r.payload.data(), 1, r.payload.size(), stdout);
    std::fputc('\n', stdout);
  }
  if (std::fflush(stdout) != 0) return ErrnoStatus("stdout", errno);
  return Status::Ok();
}

Result<std::unique_ptr<RecordSink>> MakeRecordSink(const SinkConfig& config,
                                                   const std::string& host_identifier) {
  switch (config.type) {
    case SinkType::kFile:
      return std::unique_ptr<RecordSink>(new FileRecordSink(config));
    case SinkType::kStdout:
      return std::unique_ptr<RecordSink>(new StdoutRecordSink(config));
    case SinkType::kSyslog:
      return std::unique_ptr<RecordSink>(new SyslogRecordSink(config, host_identifier));
    case SinkType::kSplunkHec:
      return MakeSplunkHecRecordSink(config, host_identifier);
    case SinkType::kWebhook:
      return MakeWebhookRecordSink(config, host_identifier);
  }
  return InvalidArgument("sink " + config.name + ": unknown type");
}

}  // namespace warden

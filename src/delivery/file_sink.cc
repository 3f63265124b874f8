#include "delivery/file_sink.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

namespace warden {

FileSink::FileSink(SinkConfig config)
    : Sink(std::move(config)), settings_(*this->config().SettingsAs<FileSinkSettings>()) {}

FileSink::~FileSink() {
  if (fd_ >= 0) close(fd_);
}

Status FileSink::OpenFile() {
  if (fd_ >= 0) return Status::Ok();
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(settings_.path).parent_path(), ec);
  fd_ = open(settings_.path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd_ < 0) return ErrnoStatus(settings_.path, errno);
  struct stat st {};
  size_ = fstat(fd_, &st) == 0 ? st.st_size : 0;
  return Status::Ok();
}

Status FileSink::Rotate() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
  const std::string& p = settings_.path;
  // path.(n-1) is dropped, then each file moves one step: path.k -> path.k+1.
  if (settings_.max_files <= 1) {
    unlink(p.c_str());
  } else {
    unlink((p + "." + std::to_string(settings_.max_files - 1)).c_str());
    for (int k = settings_.max_files - 2; k >= 1; --k)
      rename((p + "." + std::to_string(k)).c_str(), (p + "." + std::to_string(k + 1)).c_str());
    if (rename(p.c_str(), (p + ".1").c_str()) != 0 && errno != ENOENT) return ErrnoStatus(p, errno);
  }
  return OpenFile();
}

Status FileSink::Deliver(const std::vector<QueuedRecord>& batch) {
  RETURN_IF_ERROR(OpenFile());
  for (const QueuedRecord& r : batch) {
    const int64_t line = static_cast<int64_t>(r.payload.size()) + 1;
    if (size_ > 0 && size_ + line > settings_.max_file_bytes) RETURN_IF_ERROR(Rotate());
    std::string text = r.payload + "\n";
    size_t off = 0;
    while (off < text.size()) {
      ssize_t n = write(fd_, text.data() + off, text.size() - off);
      if (n < 0) {
        if (errno == EINTR) continue;
        return ErrnoStatus(settings_.path, errno);
      }
      off += static_cast<size_t>(n);
    }
    size_ += line;
  }
  if (fdatasync(fd_) != 0) return ErrnoStatus(settings_.path, errno);
  return Status::Ok();
}

namespace {

Result<std::shared_ptr<const SinkSettings>> ParseFileSink(const YAML::Node& n,
                                                          const std::string& key,
                                                          const SinkParseContext& c) {
  using J = YamlReader;
  const YamlReader& r = c.reader;
  auto s = std::make_shared<FileSinkSettings>();
  if (!n["path"]) return r.Error(n, J::Join(key, "path"), "missing: where to write the JSON lines");
  ASSIGN_OR_RETURN(std::string p, r.String(n["path"], J::Join(key, "path")));
  s->path = r.ResolvePath(p, c.state_dir);
  if (n["max_file_size"]) {
    ASSIGN_OR_RETURN(s->max_file_bytes,
                     r.Size(n["max_file_size"], J::Join(key, "max_file_size"), 1024));
  }
  if (n["max_files"]) {
    ASSIGN_OR_RETURN(int64_t m, r.Int(n["max_files"], J::Join(key, "max_files"), 1, 1000));
    s->max_files = static_cast<int>(m);
  }
  return std::shared_ptr<const SinkSettings>(std::move(s));
}

}  // namespace

const SinkType& FileSinkType() {
  static const SinkType kType{
      "file",
      /*queued=*/false,
      {"path", "max_file_size", "max_files"},
      {RecordFormat::kWarden, RecordFormat::kOcsf},
      ParseFileSink,
      [](const SinkConfig& config, const SinkContext&) -> Result<std::unique_ptr<Sink>> {
        return std::unique_ptr<Sink>(new FileSink(config));
      }};
  return kType;
}

}  // namespace warden

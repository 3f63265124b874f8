#include "vuln/feed_importer.h"

#include <sys/stat.h>
#include <zip.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "core/strings.h"
#include "vuln/debian_tracker_importer.h"
#include "vuln/feed_database.h"
#include "vuln/osv_importer.h"
#include "vuln/oval_importer.h"

namespace warden {
namespace {

// Counts what passes through to the real sink.
class CountingSink : public FeedSink {
 public:
  explicit CountingSink(FeedSink& inner) : inner_(inner) {}
  Status BeginDocument(std::string_view source, std::string_view document) override {
    return inner_.BeginDocument(source, document);
  }
  Status Add(const AffectedRecord& record) override {
    ++count_;
    return inner_.Add(record);
  }
  void SetFeedTime(std::string_view source, int64_t t) override { inner_.SetFeedTime(source, t); }
  uint64_t count() const { return count_; }

 private:
  FeedSink& inner_;
  uint64_t count_ = 0;
};

struct FileCloser {
  void operator()(std::FILE* f) const {
    if (f) std::fclose(f);
  }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

Result<FilePtr> OpenFile(const std::string& path) {
  FilePtr f(std::fopen(path.c_str(), "rbe"));
  if (!f) return ErrnoStatus(path, errno);
  return f;
}

Result<std::string> ReadSmallFile(const std::string& path, size_t limit) {
  ASSIGN_OR_RETURN(FilePtr f, OpenFile(path));
  std::string out;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f.get())) > 0) {
    out.append(buf, n);
    if (out.size() > limit)
      return InvalidArgument(path + ": larger than " + std::to_string(limit >> 20) +
                             " MiB; an OSV record is a few KB (is this the right file?)");
  }
  if (std::ferror(f.get())) return IoError(path + ": read error");
  return out;
}

struct ZipCloser {
  void operator()(zip_t* z) const {
    if (z) zip_discard(z);
  }
};

Status ImportOsvZip(const std::string& path, FeedSink& sink, const ProgressFn& progress) {
  int err = 0;
  std::unique_ptr<zip_t, ZipCloser> archive(zip_open(path.c_str(), ZIP_RDONLY, &err));
  if (!archive) {
    zip_error_t ze;
    zip_error_init_with_code(&ze, err);
    Status st = ParseError(path + ": not a readable zip archive: " + zip_error_strerror(&ze));
    zip_error_fini(&ze);
    return st;
  }
  zip_int64_t count = zip_get_num_entries(archive.get(), 0);
  struct stat st;
  const uint64_t file_size = ::stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
  std::string buffer;
  for (zip_int64_t i = 0; i < count; ++i) {
    zip_stat_t zs;
    zip_stat_init(&zs);
    if (zip_stat_index(archive.get(), static_cast<zip_uint64_t>(i), 0, &zs) != 0 ||
        zs.name == nullptr)
      return ParseError(path + ": member #" + std::to_string(i) + ": " +
                        zip_strerror(archive.get()));
    std::string name = zs.name;
    if (name.empty() || name.back() == '/' || !EndsWith(name, ".json")) continue;
    std::string origin = path + ":" + name;
    if ((zs.valid & ZIP_STAT_SIZE) && zs.size > kMaxOsvRecordBytes)
      return InvalidArgument(origin + ": member of " + std::to_string(zs.size) +
                             " bytes exceeds the " + std::to_string(kMaxOsvRecordBytes >> 20) +
                             " MiB limit for one OSV record");
    zip_file_t* member = zip_fopen_index(archive.get(), static_cast<zip_uint64_t>(i), 0);
    if (member == nullptr) return ParseError(origin + ": " + zip_strerror(archive.get()));
    // Read one byte past the limit: a member that inflates beyond its
    // declared size is refused rather than trusted.
    buffer.resize(kMaxOsvRecordBytes + 1);
    zip_int64_t got = 0;
    while (static_cast<size_t>(got) < buffer.size()) {
      zip_int64_t n =
          zip_fread(member, buffer.data() + got, buffer.size() - static_cast<size_t>(got));
      if (n < 0) {
        std::string why = zip_file_strerror(member);
        zip_fclose(member);
        return ParseError(origin + ": corrupt zip member: " + why);
      }
      if (n == 0) break;
      got += n;
    }
    zip_fclose(member);
    if (static_cast<size_t>(got) > kMaxOsvRecordBytes)
      return InvalidArgument(origin + ": inflates past the " +
                             std::to_string(kMaxOsvRecordBytes >> 20) +
                             " MiB limit for one OSV record");
    RETURN_IF_ERROR(
        ImportOsvRecord(std::string_view(buffer.data(), static_cast<size_t>(got)), origin, sink));
    if (progress && count > 0 && i % 512 == 0)
      progress(file_size * static_cast<uint64_t>(i) / static_cast<uint64_t>(count));
  }
  return Status::Ok();
}

// A directory member that is clearly not meant as a feed.
bool LooksLikeFeedName(const std::string& name) {
  return EndsWith(name, ".json") || EndsWith(name, ".xml") || EndsWith(name, ".bz2") ||
         EndsWith(name, ".zip");
}

int64_t FileMtime(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? static_cast<int64_t>(st.st_mtime) : 0;
}

uint64_t FileSize(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

}  // namespace

Result<uint64_t> ImportFeedFile(const std::string& path, FeedFormat format, FeedSink& sink,
                                const ProgressFn& progress) {
  CountingSink counting(sink);
  switch (format) {
    case FeedFormat::kDebianTrackerJson: {
      ASSIGN_OR_RETURN(FilePtr f, OpenFile(path));
      RETURN_IF_ERROR(ImportDebianTrackerFile(f.get(), path, counting, progress));
      break;
    }
    case FeedFormat::kOsvJson: {
      ASSIGN_OR_RETURN(std::string text, ReadSmallFile(path, kMaxOsvRecordBytes));
      RETURN_IF_ERROR(ImportOsvRecord(text, path, counting));
      break;
    }
    case FeedFormat::kOsvZip:
      RETURN_IF_ERROR(ImportOsvZip(path, counting, progress));
      break;
    case FeedFormat::kOvalXml:
    case FeedFormat::kOvalXmlBz2: {
      ASSIGN_OR_RETURN(FilePtr f, OpenFile(path));
      RETURN_IF_ERROR(
          ImportOvalFile(f.get(), format == FeedFormat::kOvalXmlBz2, path, counting, progress));
      break;
    }
    case FeedFormat::kUnknown:
      return InvalidArgument(
          path +
          ": unknown feed format (expected Debian tracker JSON, an OSV record or "
          "all.zip, or Oracle OVAL XML)");
  }
  return counting.count();
}

Result<FeedImportSummary> ImportFeeds(const std::string& db_path,
                                      const std::vector<std::string>& paths,
                                      const FeedImportOptions& options) {
  if (paths.empty()) return InvalidArgument("no feed files given");
  // Expand directories first, so a missing path fails before anything is written.
  struct Input {
    std::string path;
    bool from_directory;
  };
  std::vector<Input> inputs;
  FeedImportSummary summary;
  for (const std::string& p : paths) {
    std::error_code ec;
    auto status = std::filesystem::status(p, ec);
    if (ec || !std::filesystem::exists(status)) return NotFound(p + ": no such file or directory");
    if (std::filesystem::is_directory(status)) {
      std::vector<std::string> members;
      std::filesystem::recursive_directory_iterator it(
          p, std::filesystem::directory_options::skip_permission_denied, ec);
      if (ec) return IoError(p + ": " + ec.message());
      for (; it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
        if (ec) return IoError(p + ": " + ec.message());
        if (it->is_regular_file(ec)) members.push_back(it->path().string());
      }
      std::sort(members.begin(), members.end());
      for (auto& m : members) inputs.push_back({std::move(m), true});
    } else {
      inputs.push_back({p, false});
    }
  }

  ASSIGN_OR_RETURN(std::unique_ptr<FeedWriter> writer, FeedWriter::Begin(db_path));
  for (const Input& input : inputs) {
    ASSIGN_OR_RETURN(FeedFormat format, DetectFeedFormatOfFile(input.path));
    if (format == FeedFormat::kUnknown && input.from_directory &&
        !LooksLikeFeedName(std::filesystem::path(input.path).filename().string())) {
      summary.skipped.push_back(input.path);
      continue;
    }
    const uint64_t total = FileSize(input.path);
    ProgressFn progress;
    if (options.progress) {
      progress = [&, total](uint64_t done) {
        options.progress(FeedImportProgress{input.path, done, total, writer->records_added()});
      };
      progress(0);
    }
    auto added = ImportFeedFile(input.path, format, *writer, progress);
    if (!added.ok()) return added.status().WithContext("feed import failed, database unchanged");
    for (const std::string& source : writer->TakeTouchedSources())
      RETURN_IF_ERROR(
          writer->NoteImport(source, FeedFormatName(format), input.path, FileMtime(input.path)));
    if (progress) progress(total);
    summary.inputs.push_back({input.path, format, *added});
    summary.records += *added;
  }
  RETURN_IF_ERROR(writer->Commit());
  return summary;
}

}  // namespace warden

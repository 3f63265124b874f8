#include "cloud/cloudtrail_reader.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <thread>

#include "core/strings.h"

namespace warden {

namespace {

constexpr size_t kChunk = 1 << 20;

bool Contains(std::string_view s, std::string_view what) {
  return s.find(what) != std::string_view::npos;
}

// read() that retries on EINTR; -1 on error.
ssize_t ReadSome(int fd, char* buf, size_t n) {
  while (true) {
    ssize_t r = ::read(fd, buf, n);
    if (r >= 0 || errno != EINTR) return r;
  }
}

struct FileInfo {
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  bool ok = false;
};

FileInfo Stat(const std::string& path) {
  struct stat st;
  FileInfo info;
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return info;
  info.size = static_cast<uint64_t>(st.st_size);
  info.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  info.ok = true;
  return info;
}

}  // namespace

InputKind ClassifyInputPath(std::string_view path) {
  std::string_view name = path;
  if (size_t slash = path.rfind('/'); slash != std::string_view::npos)
    name = path.substr(slash + 1);
  if (Contains(path, "/CloudTrail-Digest/") || Contains(name, "_CloudTrail-Digest_"))
    return InputKind::kDigest;
  if (Contains(path, "/CloudTrail-Insight/") || Contains(name, "_CloudTrail-Insight_"))
    return InputKind::kInsight;
  for (std::string_view ext :
       {".json", ".json.gz", ".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz", ".gz"})
    if (EndsWith(name, ext)) return InputKind::kData;
  return InputKind::kOther;
}

CloudTrailReader::CloudTrailReader(RecordFn on_record, ProblemFn on_problem,
                                   size_t max_record_bytes)
    : on_record_(std::move(on_record)),
      on_problem_(std::move(on_problem)),
      max_record_bytes_(max_record_bytes) {}

bool CloudTrailReader::ShouldStop() {
  if (!stopped_ && stop_ && stop_()) stopped_ = true;
  return stopped_;
}

bool CloudTrailReader::WaitReadable(int fd) {
  while (!ShouldStop()) {
    pollfd p{fd, POLLIN, 0};
    int r = ::poll(&p, 1, kStopPollMillis);
    if (r > 0) return true;                    // data, end of stream or an error read() reports
    if (r < 0 && errno != EINTR) return true;  // let read() say what is wrong
  }
  return false;
}

// Large plain files are mapped and fed in slices instead of read(): in
// JSON-lines mode the splitter then hands records to the parser straight from
// the page cache, with no copy at all. Memory stays bounded (one window is
// mapped at a time and its pages are file-backed). Only for one-shot scans:
// a file truncated while mapped raises SIGBUS, so Follow() (files that are
// still being written or rotated) reads instead. Returns the bytes fed and
// leaves the file offset after them; 0 when mapping does not apply.
uint64_t CloudTrailReader::FeedMapped(int fd, RecordSplitter& splitter) {
  constexpr uint64_t kMinSize = 4u << 20, kWindow = 64u << 20;
  constexpr size_t kSlice = 4u << 20;
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return 0;
  off_t start = ::lseek(fd, 0, SEEK_CUR);
  if (start < 0 || static_cast<uint64_t>(st.st_size) < kMinSize + static_cast<uint64_t>(start))
    return 0;
  const auto size = static_cast<uint64_t>(st.st_size);
  const auto page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  uint64_t off = static_cast<uint64_t>(start), fed = 0;
  while (off < size) {
    uint64_t aligned = off - off % page;
    size_t len = static_cast<size_t>(std::min(kWindow, size - aligned));
    void* m = ::mmap(nullptr, len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd,
                     static_cast<off_t>(aligned));
    if (m == MAP_FAILED) break;  // the read() loop takes over from `off`
    ::madvise(m, len, MADV_SEQUENTIAL);
    const char* base = static_cast<const char*>(m) + (off - aligned);
    size_t avail = len - static_cast<size_t>(off - aligned);
    size_t done = 0;
    while (done < avail && !ShouldStop()) {
      size_t n = std::min(kSlice, avail - done);
      splitter.Feed(std::string_view(base + done, n));
      done += n;
    }
    ::munmap(m, len);
    fed += done;
    off += done;
    if (done < avail) break;  // stopped
  }
  ::lseek(fd, static_cast<off_t>(off), SEEK_SET);
  return fed;
}

void CloudTrailReader::ReadStream(int fd, const std::string& name, uint64_t limit,
                                  uint64_t* consumed) {
  ++stats_.files;
  RecordSplitter splitter(
      [&](const SplitRecord& r) {
        RecordOrigin origin{&name, r.offset, r.line};
        on_record_(r, origin);
      },
      [&](uint64_t offset, uint64_t line, const std::string& message) {
        if (!on_problem_) return;
        on_problem_(name + ": " +
                    (line > 0 ? "line " + std::to_string(line) : "byte " + std::to_string(offset)) +
                    ": " + message);
      },
      max_record_bytes_);
  std::vector<char> in(kChunk);
  uint64_t total_in = 0;
  size_t first_read = 64 * 1024;  // small: the shape is decided on it, then large files are mapped
  struct stat st;
  // Pipes and devices may have nothing to read for ever: wait in steps that
  // look at the stop predicate instead of blocking in read().
  const bool stream = ::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode);
  auto read_chunk = [&]() -> ssize_t {
    size_t want = first_read ? first_read : kChunk;
    first_read = 0;
    if (limit != UINT64_MAX) want = static_cast<size_t>(std::min<uint64_t>(want, limit - total_in));
    if (want == 0) return 0;
    if (stream ? !WaitReadable(fd) : ShouldStop()) return 0;
    ssize_t n = ReadSome(fd, in.data(), want);
    if (n > 0) total_in += static_cast<uint64_t>(n);
    return n;
  };
  auto fail = [&](const std::string& message) {
    ++stats_.failed_files;
    if (on_problem_) on_problem_(name + ": " + message);
  };

  ssize_t n = read_chunk();
  if (n < 0) {
    fail(std::string("read error: ") + std::strerror(errno));
    return;
  }
  bool gzip = n >= 2 && static_cast<unsigned char>(in[0]) == 0x1f &&
              static_cast<unsigned char>(in[1]) == 0x8b;
  if (!gzip) {
    if (n > 0) {
      stats_.bytes += static_cast<uint64_t>(n);
      splitter.Feed(std::string_view(in.data(), static_cast<size_t>(n)));
    }
    uint64_t mapped =
        n > 0 && limit == UINT64_MAX && map_large_files_ ? FeedMapped(fd, splitter) : 0;
    stats_.bytes += mapped;
    total_in += mapped;
    n = n > 0 ? read_chunk() : n;
    while (n > 0) {
      stats_.bytes += static_cast<uint64_t>(n);
      splitter.Feed(std::string_view(in.data(), static_cast<size_t>(n)));
      n = read_chunk();
    }
    if (n < 0) fail(std::string("read error: ") + std::strerror(errno));
  } else {
    z_stream zs;
    std::memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
      fail("cannot initialise gzip decoder");
      return;
    }
    std::vector<char> out(kChunk);
    bool stream_ended = false, failed = false;
    zs.next_in = reinterpret_cast<Bytef*>(in.data());
    zs.avail_in = static_cast<uInt>(n);
    while (!failed && !ShouldStop()) {
      if (zs.avail_in == 0) {
        n = read_chunk();
        if (n < 0) {
          fail(std::string("read error: ") + std::strerror(errno));
          failed = true;
          break;
        }
        if (n == 0) break;
        zs.next_in = reinterpret_cast<Bytef*>(in.data());
        zs.avail_in = static_cast<uInt>(n);
      }
      if (stream_ended) {
        // Another gzip member follows (concatenated .gz files), or junk.
        if (zs.avail_in >= 2 && zs.next_in[0] == 0x1f && zs.next_in[1] == 0x8b) {
          inflateReset(&zs);
          stream_ended = false;
        } else {
          bool zeros =
              std::all_of(zs.next_in, zs.next_in + zs.avail_in, [](Bytef b) { return b == 0; });
          if (!zeros && on_problem_)
            on_problem_(name + ": data after the end of the gzip stream ignored");
          zs.avail_in = 0;
          continue;
        }
      }
      zs.next_out = reinterpret_cast<Bytef*>(out.data());
      zs.avail_out = static_cast<uInt>(out.size());
      int rc = inflate(&zs, Z_NO_FLUSH);
      size_t produced = out.size() - zs.avail_out;
      if (produced > 0) {
        stats_.bytes += produced;
        splitter.Feed(std::string_view(out.data(), produced));
      }
      if (rc == Z_STREAM_END) {
        stream_ended = true;
      } else if (rc == Z_DATA_ERROR || rc == Z_NEED_DICT || rc == Z_MEM_ERROR) {
        fail(std::string("corrupt gzip data (") + (zs.msg ? zs.msg : "inflate error") +
             "); records before the damage were kept");
        failed = true;
      } else if (rc == Z_BUF_ERROR && zs.avail_in != 0 && produced == 0) {
        fail("gzip decoder made no progress");
        failed = true;
      }
    }
    if (!failed && !stream_ended && !stopped_)
      fail("truncated gzip stream; records before the cut were kept");
    inflateEnd(&zs);
  }
  if (!stopped_) splitter.Finish();  // stopped: the cut is ours, not the input's
  stats_.records += splitter.records();
  stats_.bad_records += splitter.problems();
  stats_.digest_records += splitter.digests();
  if (consumed) *consumed = total_in;
}

Status CloudTrailReader::ReadDescriptor(int fd, const std::string& name) {
  ReadStream(fd, name, UINT64_MAX, nullptr);
  return Status::Ok();
}

Status CloudTrailReader::ReadFile(const std::string& path, uint64_t from_offset,
                                  uint64_t* consumed_to) {
  // O_NONBLOCK: opening a FIFO would otherwise wait for a writer, deaf to stop.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    ++stats_.failed_files;
    return ErrnoStatus(path, errno);
  }
  struct stat st;
  if (::fstat(fd, &st) != 0 ||
      !(S_ISREG(st.st_mode) || S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode))) {
    ::close(fd);
    ++stats_.failed_files;
    return InvalidArgument(path + ": not a file, directory, pipe or character device");
  }
  // Reads block again (WaitReadable polls first on pipes and devices).
  int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0) ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
  if (from_offset > 0 && ::lseek(fd, static_cast<off_t>(from_offset), SEEK_SET) < 0) {
    int err = errno;
    ::close(fd);
    ++stats_.failed_files;
    return ErrnoStatus(path, err);
  }
  uint64_t consumed = 0;
  ReadStream(fd, path, UINT64_MAX, &consumed);
  ::close(fd);
  if (consumed_to) *consumed_to = from_offset + consumed;
  return Status::Ok();
}

void CloudTrailReader::ReadFoundFile(const std::string& path, uint64_t from_offset,
                                     uint64_t* consumed_to) {
  Status st = ReadFile(path, from_offset, consumed_to);
  if (!st.ok() && on_problem_) on_problem_(st.message());
}

Status CloudTrailReader::Walk(const std::string& dir, std::vector<std::string>* files,
                              bool count_skips) {
  std::vector<std::string> pending{dir}, found;
  bool top = true;
  while (!pending.empty()) {
    std::string d = std::move(pending.back());
    pending.pop_back();
    std::error_code ec;
    std::filesystem::directory_iterator it(d, ec);
    for (; !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
      std::error_code fec;
      // Symbolic links to directories are not followed (no loops); links to
      // files are read.
      if (it->is_directory(fec) && !it->is_symlink(fec))
        pending.push_back(it->path().string());
      else if (it->is_regular_file(fec))
        found.push_back(it->path().string());
    }
    if (ec) {
      if (top) return ErrnoStatus(d, ec.value());
      if (count_skips) {
        ++stats_.unreadable_directories;
        if (on_problem_) on_problem_(d + ": " + ec.message() + "; directory skipped");
      }
    }
    top = false;
  }
  std::sort(found.begin(), found.end());
  for (std::string& f : found) {
    switch (ClassifyInputPath(f)) {
      case InputKind::kData:
        files->push_back(std::move(f));
        break;
      case InputKind::kDigest:
        if (count_skips) ++stats_.digest_files_skipped;
        break;
      case InputKind::kInsight:
        if (count_skips) ++stats_.insight_files_skipped;
        break;
      case InputKind::kOther:
        if (count_skips) ++stats_.other_files_skipped;
        break;
    }
  }
  return Status::Ok();
}

Status CloudTrailReader::ReadPath(const std::string& path) {
  if (path == "-") return ReadDescriptor(STDIN_FILENO, "<stdin>");
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return NotFound(path + ": no such file or directory");
    return ErrnoStatus(path, errno);
  }
  if (S_ISDIR(st.st_mode)) {
    std::vector<std::string> files;
    RETURN_IF_ERROR(Walk(path, &files, true));
    for (const std::string& f : files) {
      if (ShouldStop()) break;
      ReadFoundFile(f, 0, nullptr);
    }
    return Status::Ok();
  }
  switch (ClassifyInputPath(path)) {
    case InputKind::kDigest:
      ++stats_.digest_files_skipped;
      return Status::Ok();
    case InputKind::kInsight:
      ++stats_.insight_files_skipped;
      return Status::Ok();
    default:
      break;
  }
  // Named explicitly: read whatever its extension.
  return ReadFile(path, 0, nullptr);
}

Status CloudTrailReader::Follow(const std::vector<std::string>& paths, const FollowOptions& options,
                                const std::function<bool()>& stop,
                                const std::function<void()>& after_batch) {
  map_large_files_ = false;
  if (!stop_) stop_ = stop;  // a file being read also stops when asked
  struct Tracked {
    uint64_t size = 0;  // size when last looked at
    int64_t mtime_ns = 0;
    uint64_t read_to = 0;  // bytes already read
    bool read = false;     // read at least once
    bool gzip = false;
  };
  std::map<std::string, Tracked> tracked;
  auto list = [&](bool count_skips) {
    std::vector<std::string> files;
    for (const std::string& p : paths) {
      std::error_code ec;
      if (std::filesystem::is_directory(p, ec)) {
        Status st = Walk(p, &files, count_skips);
        if (!st.ok() && count_skips && on_problem_) on_problem_(st.message());
      } else if (std::filesystem::is_regular_file(p, ec)) {
        files.push_back(p);
      }
    }
    return files;
  };
  auto is_gzip = [](const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    unsigned char magic[2] = {0, 0};
    bool gz = ::pread(fd, magic, 2, 0) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    ::close(fd);
    return gz;
  };
  auto ends_with_newline = [](const std::string& path, uint64_t size) {
    if (size == 0) return false;
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    char last = 0;
    bool nl = ::pread(fd, &last, 1, static_cast<off_t>(size - 1)) == 1 && last == '\n';
    ::close(fd);
    return nl;
  };

  auto read_file = [&](const std::string& f, uint64_t from) {
    uint64_t to = from;
    ReadFoundFile(f, from, &to);
    if (options.on_file_read) options.on_file_read(f, to);
    return to;
  };

  bool read_at_start = false;
  for (const std::string& f : list(true)) {
    FileInfo info = Stat(f);
    if (!info.ok) continue;
    Tracked t;
    t.size = info.size;
    t.mtime_ns = info.mtime_ns;
    t.gzip = is_gzip(f);
    if (options.resume_from) {
      auto done = options.resume_from->find(f);
      t.read = true;
      if (done == options.resume_from->end()) {
        t.read_to = read_file(f, 0);
        read_at_start = true;
      } else if (!t.gzip && info.size > done->second && ends_with_newline(f, info.size)) {
        t.read_to = read_file(f, done->second);
        read_at_start = true;
      } else {
        t.read_to = done->second;
      }
    } else if (options.read_existing) {
      t.read_to = read_file(f, 0);
      t.read = true;
      read_at_start = true;
    } else {
      t.read_to = info.size;
      t.read = true;
    }
    tracked[f] = t;
  }
  if ((options.read_existing || read_at_start) && after_batch) after_batch();

  const auto start = std::chrono::steady_clock::now();
  while (!stop()) {
    // Sleep in small steps so a stop request is seen quickly.
    auto wake = std::chrono::steady_clock::now() + options.interval;
    while (std::chrono::steady_clock::now() < wake && !stop())
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (stop()) break;
    if (options.duration.count() > 0 &&
        std::chrono::steady_clock::now() - start >= options.duration)
      break;

    bool read_any = false;
    const int64_t now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
    for (const std::string& f : list(false)) {
      FileInfo info = Stat(f);
      if (!info.ok) continue;
      auto it = tracked.find(f);
      if (it == tracked.end()) {
        Tracked t;
        t.size = info.size;
        t.mtime_ns = info.mtime_ns;
        auto [ins, _] = tracked.emplace(f, t);
        it = ins;
        switch (ClassifyInputPath(f)) {
          case InputKind::kDigest:
            ++stats_.digest_files_skipped;
            it->second.read = true;
            continue;
          case InputKind::kInsight:
            ++stats_.insight_files_skipped;
            it->second.read = true;
            continue;
          default:
            break;
        }
        // A file last written over a second ago is complete; a fresher one
        // is read at the next poll if its size has not changed.
        if (now_ns - info.mtime_ns < 1000000000) continue;
      }
      Tracked& t = it->second;
      bool stable = info.size == t.size && info.mtime_ns == t.mtime_ns;
      if (!t.read) {
        if (!stable && now_ns - info.mtime_ns < 1000000000) {
          t.size = info.size;
          t.mtime_ns = info.mtime_ns;
          continue;
        }
        t.gzip = is_gzip(f);
        t.read = true;
        t.read_to = read_file(f, 0);
        read_any = true;
      } else if (info.size > t.read_to && !t.gzip && ends_with_newline(f, info.size)) {
        // Complete lines appended to a JSON-lines file.
        t.read_to = read_file(f, t.read_to);
        read_any = true;
      }
      t.size = info.size;
      t.mtime_ns = info.mtime_ns;
    }
    if (read_any && after_batch) after_batch();
  }
  return Status::Ok();
}

}  // namespace warden

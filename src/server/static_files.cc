#include "server/static_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <optional>

#include "core/encoding.h"
#include "server/http_json.h"

namespace warden::server {
namespace {

constexpr std::string_view kImmutable = "public, max-age=31536000, immutable";
constexpr std::string_view kRevalidate = "no-cache";

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd(Fd&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  Fd& operator=(Fd&& other) noexcept {
    std::swap(fd_, other.fd_);
    return *this;
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

std::string_view Extension(std::string_view name) {
  size_t dot = name.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return {};
  return name.substr(dot + 1);
}

struct File {
  std::string content;
  std::string etag;
};

// The decoded path segments of a request, or nullopt when any of them could
// lead outside the root or to a hidden file.
std::optional<std::vector<std::string>> SafeSegments(const HttpRequest& request,
                                                     const std::string& index_file) {
  std::vector<std::string> out;
  const std::vector<std::string>& raw = request.raw_segments;
  for (size_t i = 0; i < raw.size(); ++i) {
    std::optional<std::string> segment = PercentDecode(raw[i], /*plus_as_space=*/false);
    if (!segment) return std::nullopt;
    if (segment->empty()) {
      if (i + 1 == raw.size()) {  // "/" or "/docs/": the directory's index
        out.push_back(index_file);
        continue;
      }
      return std::nullopt;  // "//"
    }
    if (segment->front() == '.' || segment->find_first_of("/\\") != std::string::npos) {
      return std::nullopt;  // ".", "..", hidden names, encoded separators
    }
    out.push_back(std::move(*segment));
  }
  if (out.empty()) out.push_back(index_file);
  return out;
}

}  // namespace

struct StaticFiles::Impl {
  StaticFilesOptions options;
  std::string root;  // directory mode
  bool from_map = false;
  std::map<std::string, File> files;  // map mode

  std::optional<File> Lookup(const std::vector<std::string>& segments) const {
    if (from_map) {
      std::string key;
      for (const std::string& s : segments) {
        if (!key.empty()) key += '/';
        key += s;
      }
      auto it = files.find(key);
      if (it == files.end()) return std::nullopt;
      return it->second;
    }
    Fd dir(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir.get() < 0) return std::nullopt;
    for (size_t i = 0; i + 1 < segments.size(); ++i) {
      Fd next(::openat(dir.get(), segments[i].c_str(),
                       O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (next.get() < 0) return std::nullopt;
      dir = std::move(next);
    }
    Fd file(::openat(dir.get(), segments.back().c_str(),
                     O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
    if (file.get() < 0) return std::nullopt;
    struct stat st;
    if (::fstat(file.get(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
    if (static_cast<uint64_t>(st.st_size) > options.max_file_bytes) return std::nullopt;
    File out;
    out.content.resize(static_cast<size_t>(st.st_size));
    size_t done = 0;
    while (done < out.content.size()) {
      ssize_t n = ::read(file.get(), out.content.data() + done, out.content.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    out.content.resize(done);  // the file shrank while it was read
    char etag[64];
    std::snprintf(etag, sizeof(etag), "\"%llx-%llx\"", static_cast<unsigned long long>(st.st_size),
                  static_cast<unsigned long long>(st.st_mtim.tv_sec) * 1000000000ULL +
                      static_cast<unsigned long long>(st.st_mtim.tv_nsec));
    out.etag = etag;
    return out;
  }

  HttpResponse Respond(const HttpRequest& request, const std::string& name, File file,
                       bool client_route) const {
    HttpResponse response;
    response.headers.Set("Content-Security-Policy", options.content_security_policy);
    response.headers.Set("Content-Type", ContentTypeForFile(name));
    bool immutable = !client_route && IsHashedAssetName(name);
    response.headers.Set("Cache-Control", immutable ? kImmutable : kRevalidate);
    response.headers.Set("ETag", file.etag);
    std::optional<std::string_view> if_none_match = request.headers.Get("If-None-Match");
    if (if_none_match && (*if_none_match == file.etag || *if_none_match == "*" ||
                          if_none_match->find(file.etag) != std::string_view::npos)) {
      response.status = 304;
      response.headers.Remove("Content-Type");
      return response;
    }
    response.body = std::move(file.content);
    return response;
  }
};

bool IsHashedAssetName(std::string_view file_name) {
  size_t dot = file_name.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return false;
  std::string_view stem = file_name.substr(0, dot);
  size_t separator = stem.find_last_of(".-");
  if (separator == std::string_view::npos || separator == 0) return false;
  std::string_view hash = stem.substr(separator + 1);
  if (hash.size() < 8 || hash.size() > 64) return false;
  bool digit = false;
  bool letter = false;
  for (char c : hash) {
    if (c >= '0' && c <= '9') {
      digit = true;
    } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      letter = true;
    } else if (c != '_') {
      return false;
    }
  }
  return digit && letter;
}

std::string_view ContentTypeForFile(std::string_view file_name) {
  static constexpr std::pair<std::string_view, std::string_view> kTypes[] = {
      {"html", "text/html; charset=utf-8"},
      {"js", "text/javascript; charset=utf-8"},
      {"mjs", "text/javascript; charset=utf-8"},
      {"css", "text/css; charset=utf-8"},
      {"json", "application/json"},
      {"map", "application/json"},
      {"webmanifest", "application/manifest+json"},
      {"txt", "text/plain; charset=utf-8"},
      {"svg", "image/svg+xml"},
      {"png", "image/png"},
      {"jpg", "image/jpeg"},
      {"jpeg", "image/jpeg"},
      {"gif", "image/gif"},
      {"webp", "image/webp"},
      {"avif", "image/avif"},
      {"ico", "image/x-icon"},
      {"woff", "font/woff"},
      {"woff2", "font/woff2"},
      {"ttf", "font/ttf"},
      {"otf", "font/otf"},
      {"wasm", "application/wasm"},
  };
  std::string_view ext = Extension(file_name);
  for (const auto& [known, type] : kTypes) {
    if (EqualsIgnoreCase(ext, known)) return type;
  }
  return "application/octet-stream";
}

Result<StaticFiles> StaticFiles::FromDirectory(const std::string& root,
                                               StaticFilesOptions options) {
  struct stat st;
  if (::stat(root.c_str(), &st) != 0) return ErrnoStatus(root, errno);
  if (!S_ISDIR(st.st_mode)) return InvalidArgument(root + ": not a directory");
  auto impl = std::make_shared<Impl>();
  impl->options = std::move(options);
  impl->root = root;
  return StaticFiles(std::move(impl));
}

StaticFiles StaticFiles::FromMap(std::map<std::string, std::string> files,
                                 StaticFilesOptions options) {
  auto impl = std::make_shared<Impl>();
  impl->options = std::move(options);
  impl->from_map = true;
  for (auto& [path, content] : files) {
    File file;
    file.etag = "\"" + Sha256Hex(content).substr(0, 32) + "\"";
    file.content = std::move(content);
    impl->files.emplace(path, std::move(file));
  }
  return StaticFiles(std::move(impl));
}

HttpResponse StaticFiles::Serve(const HttpRequest& request) const {
  const Impl& impl = *impl_;
  if (request.method != "GET" && request.method != "HEAD") {
    HttpResponse response =
        ErrorResponse(api::kErrorMethodNotAllowed, "only GET and HEAD are allowed here");
    response.headers.Set("Allow", "GET, HEAD");
    return response;
  }
  for (const std::string& prefix : impl.options.api_prefixes) {
    if (request.path.compare(0, prefix.size(), prefix) == 0) {
      return ErrorResponse(api::kErrorNotFound, "no resource at " + request.path.substr(0, 256));
    }
  }
  HttpResponse not_found = ErrorResponse(api::kErrorNotFound, "not found");
  not_found.headers.Set("Content-Security-Policy", impl.options.content_security_policy);
  std::optional<std::vector<std::string>> segments = SafeSegments(request, impl.options.index_file);
  if (!segments) return not_found;
  if (std::optional<File> file = impl.Lookup(*segments)) {
    return impl.Respond(request, segments->back(), std::move(*file), /*client_route=*/false);
  }
  if (!Extension(segments->back()).empty()) return not_found;
  // A client-side route: the console's router handles it in the browser.
  if (std::optional<File> index = impl.Lookup({impl.options.index_file})) {
    return impl.Respond(request, impl.options.index_file, std::move(*index),
                        /*client_route=*/true);
  }
  return not_found;
}

}  // namespace warden::server

// The server's vulnerability feeds: getFeedStatus (what the feed database
// holds per feed, when each was imported, when hosts were last matched and
// how many are matched against the current feeds) and importFeed (the body
// is the feed file; its format is detected from its first bytes as `warden
// feed import` does, then FleetVulnerabilityMatcher imports it in one
// transaction and every host is matched again). A file Warden cannot read,
// or one that fails part way, answers 422 E_FEED_FORMAT naming what is
// wrong, and the previous feeds stay as they were; one import runs at a
// time (503 with Retry-After while another does).
//
// Not here: the import and matching (fleet_vulnerability_matcher.h), the
// importers (src/vuln).
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>

#include "core/encoding.h"
#include "server/fleet_vulnerability_matcher.h"
#include "server/rest_handlers.h"
#include "vuln/feed_format.h"

namespace warden::server {
namespace {

constexpr std::string_view kFeedFormatError = "E_FEED_FORMAT";
// bzip2 emits nothing until a whole block is decoded: detection reads this much.
constexpr size_t kDetectBytes = 2 * 1024 * 1024;

// The upload on disk (the importers read files: an OSV all.zip needs one),
// removed when done.
class UploadFile {
 public:
  static Result<std::unique_ptr<UploadFile>> Write(const std::string& dir, std::string_view body) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return IoError(dir + ": cannot create directory: " + ec.message());
    std::string path = dir + "/.feed-upload-XXXXXX";
    int fd = ::mkstemp(path.data());
    if (fd < 0) return ErrnoStatus(path, errno);
    auto file = std::unique_ptr<UploadFile>(new UploadFile(path));
    size_t done = 0;
    while (done < body.size()) {
      ssize_t n = ::write(fd, body.data() + done, body.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        const int err = errno;
        ::close(fd);
        return ErrnoStatus(path, err);
      }
      done += static_cast<size_t>(n);
    }
    if (::close(fd) != 0) return ErrnoStatus(path, errno);
    return file;
  }
  ~UploadFile() { ::unlink(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  explicit UploadFile(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

// An importer's message names the file it read: name the upload instead.
std::string NameTheUpload(std::string message, const std::string& temp_path,
                          const std::string& name) {
  for (size_t at = message.find(temp_path); at != std::string::npos;
       at = message.find(temp_path, at + name.size()))
    message.replace(at, temp_path.size(), name);
  return message;
}

Json FeedStatusJson(const std::vector<store::VulnerabilityFeed>& feeds,
                    const store::MatchProgress& progress) {
  Json items = Json::array();
  for (const store::VulnerabilityFeed& f : feeds) {
    items.push_back({{"source", f.source},
                     {"format", f.format},
                     {"file_name", f.file_name ? Json(*f.file_name) : Json(nullptr)},
                     {"imported_at", TimeJson(f.imported_at)},
                     {"records", f.records},
                     {"cves", f.cves},
                     {"sha256", f.sha256}});
  }
  return {{"feeds", std::move(items)},
          {"matched_at", TimeJson(progress.matched_at)},
          {"hosts_matched", progress.hosts_matched}};
}

}  // namespace

void RegisterFeedHandlers(ApiHandlers& handlers, const HandlerContext& ctx) {
  handlers.Add("getFeedStatus", [ctx](ApiCall& call) {
    auto feeds = ctx.store->vulnerabilities().Feeds();
    if (!feeds.ok()) return StoreErrorResponse(feeds.status(), call);
    const std::string token =
        ctx.vulnerability_matcher ? ctx.vulnerability_matcher->feed_token() : "";
    store::MatchProgress progress;
    if (!token.empty()) {
      auto read = ctx.store->vulnerabilities().Progress(token);
      if (!read.ok()) return StoreErrorResponse(read.status(), call);
      progress = *read;
    }
    return JsonResponse(200, FeedStatusJson(*feeds, progress));
  });

  handlers.Add("importFeed", [ctx](ApiCall& call) {
    FleetVulnerabilityMatcher* matcher = ctx.vulnerability_matcher;
    if (matcher == nullptr)
      return ApiErrorResponse(api::kErrorUnavailable, "this server does not match vulnerabilities");
    const std::string& body = call.http->body;
    const std::string name = call.params.value("name", std::string("upload"));
    if (body.empty())
      return ApiErrorResponse(kFeedFormatError, name + ": the file is empty", "body");
    const FeedFormat format = DetectFeedFormat(std::string_view(body).substr(0, kDetectBytes));
    if (format == FeedFormat::kUnknown) {
      return ApiErrorResponse(kFeedFormatError,
                              name +
                                  ": not a feed format Warden reads (expected Debian tracker "
                                  "JSON, an OSV record or all.zip, or Oracle OVAL XML or .xml.bz2)",
                              "body");
    }
    const std::string wanted = call.params.value("format", std::string());
    if (!wanted.empty() && wanted != FeedFormatName(format)) {
      return ApiErrorResponse(
          kFeedFormatError,
          name + ": the file is " + std::string(FeedFormatName(format)) + ", not " + wanted,
          "format");
    }
    const std::string dir = std::filesystem::path(matcher->feed_database()).parent_path().string();
    auto upload_file = UploadFile::Write(dir.empty() ? "." : dir, body);
    if (!upload_file.ok()) return StoreErrorResponse(upload_file.status(), call);
    FeedUpload upload;
    upload.path = (*upload_file)->path();
    upload.format = format;
    upload.file_name = name;
    upload.sha256 = Sha256Hex(body);
    auto outcome = matcher->Import(upload, call.audit);
    if (!outcome.ok()) {
      const Status& st = outcome.status();
      if (st.code() == StatusCode::kInvalidArgument || st.code() == StatusCode::kParseError) {
        return ApiErrorResponse(
            kFeedFormatError,
            NameTheUpload(st.message(), upload.path, name) + " (the feeds are as they were)",
            "body");
      }
      if (st.code() == StatusCode::kUnavailable) {
        HttpResponse busy = ApiErrorResponse(api::kErrorUnavailable, st.message());
        busy.headers.Set("Retry-After", "30");
        return busy;
      }
      return StoreErrorResponse(st, call);
    }
    return JsonResponse(200, Json{{"format", std::string(FeedFormatName(outcome->format))},
                                  {"records", outcome->records},
                                  {"cves", outcome->cves},
                                  {"duration_ms", outcome->duration_ms},
                                  {"hosts_to_rematch", outcome->hosts_to_rematch}});
  });
}

}  // namespace warden::server

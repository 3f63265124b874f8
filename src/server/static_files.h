// StaticFiles serves the web console: the files of a directory (read at
// request time, so a rebuilt console is picked up without a restart) or an
// in-memory map (a console embedded in the binary, tests).
//
// - Content-Type from the file extension; unknown ones are
//   application/octet-stream (and nosniff keeps browsers from guessing).
// - Names with a content hash ("app-3f2a9c1b.js", "index.8e0b7a2c4d.css": a
//   last '-' or '.' token of 8-64 letters/digits/'_' with at least one digit
//   and one letter) are cached for a year as immutable; everything else,
//   index.html included, is "no-cache" with an ETag, answered 304 when it
//   matches If-None-Match.
// - A path that names no file and whose last segment has no extension is a
//   client-side route: index.html is served for it. Paths under the API
//   prefixes never fall back (they get a JSON 404), nor do missing files
//   with an extension (a missing script must not come back as HTML).
// - Every response has a strict Content-Security-Policy: scripts, styles and
//   connections from this origin only, no inline script, no framing.
// - No way out of the root: segments "." and "..", hidden names (".env",
//   ".git"), empty segments, backslashes and NUL bytes (also %-encoded) are
//   404, and no symbolic link below the root is followed (each component is
//   opened with O_NOFOLLOW). The root path itself may be a symbolic link.
//
// Only GET and HEAD (405 otherwise). No directory listings, no range
// requests, no compression. Thread-safe; cheap to copy.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "server/http_message.h"

namespace warden::server {

struct StaticFilesOptions {
  std::string index_file = "index.html";
  // Requests under these path prefixes are API calls, never console routes.
  std::vector<std::string> api_prefixes = {"/api/"};
  std::string content_security_policy =
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
      "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
      "form-action 'self'; frame-ancestors 'none'";
  // Larger files are refused (500) rather than read into memory.
  size_t max_file_bytes = 32 * 1024 * 1024;
};

class StaticFiles {
 public:
  // `root` must be a readable directory.
  static Result<StaticFiles> FromDirectory(const std::string& root,
                                           StaticFilesOptions options = {});
  // Keys are paths relative to the root without a leading '/'
  // ("index.html", "assets/app-3f2a9c1b.js").
  static StaticFiles FromMap(std::map<std::string, std::string> files,
                             StaticFilesOptions options = {});

  HttpResponse Serve(const HttpRequest& request) const;

 private:
  struct Impl;
  explicit StaticFiles(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

// True for file names that carry a content hash (see above).
bool IsHashedAssetName(std::string_view file_name);
// The Content-Type for a file name, by extension.
std::string_view ContentTypeForFile(std::string_view file_name);

}  // namespace warden::server

#include "server/console_site.h"

#include <sys/stat.h>

#include "api/api_error.h"
#include "server/http_json.h"

namespace warden::server {
namespace {

std::string HtmlEscape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace

ConsoleSite ConsoleSite::Open(const std::string& console_dir) {
  ConsoleSite site;
  site.dir_ = console_dir;
  struct stat st {};
  if (console_dir.empty()) {
    site.problem_ = "no console directory is configured (console_dir)";
  } else if (::stat((console_dir + "/index.html").c_str(), &st) != 0) {
    site.problem_ = "no console at " + console_dir + " (no index.html)";
  } else {
    Result<StaticFiles> files = StaticFiles::FromDirectory(console_dir);
    if (files.ok()) {
      site.files_.emplace(std::move(files).value());
    } else {
      site.problem_ = "cannot serve the console from " + console_dir + ": " +
                      std::string(files.status().message());
    }
  }
  return site;
}

HttpResponse ConsoleSite::Serve(const HttpRequest& request) const {
  if (files_) return files_->Serve(request);
  if (request.path.rfind("/api/", 0) == 0) {
    return ErrorResponse(api::kErrorNotFound, "no resource at " + request.path.substr(0, 256));
  }
  HttpResponse response;
  response.status = 404;
  response.headers.Set("Content-Type", "text/html; charset=utf-8");
  response.headers.Set("Cache-Control", "no-cache");
  response.headers.Set("X-Content-Type-Options", "nosniff");
  response.headers.Set("Content-Security-Policy",
                       "default-src 'none'; base-uri 'none'; frame-ancestors 'none'");
  response.body =
      "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<title>Warden console not built</title></head><body>\n"
      "<h1>The Warden web console is not built</h1>\n<p>" +
      HtmlEscape(problem_) +
      ".</p>\n<p>Build it in the source tree with <code>make web</code> (Node.js 18 or later and "
      "npm: <code>scripts/install-deps.sh</code> installs them), or set "
      "<code>console_dir</code> in the server's configuration to a built console, then restart "
      "<code>warden server</code>.</p>\n<p>The REST API is served as usual: "
      "<a href=\"/api/v1/openapi.json\">/api/v1/openapi.json</a>.</p>\n</body></html>\n";
  return response;
}

}  // namespace warden::server

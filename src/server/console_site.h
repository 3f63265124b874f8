// ConsoleSite is what the server answers for paths outside its API: the web
// console's files (static_files.h) from `console_dir`, or, when that
// directory is missing, a page saying how to build the console. API paths
// are never answered with HTML: they get the API's JSON 404.
//
// It does not build the console, watch the directory or embed files; a
// directory that appears after the server started is picked up at the next
// start (a rebuilt console in an existing directory is served at once).
#pragma once

#include <optional>
#include <string>

#include "server/http_message.h"
#include "server/static_files.h"

namespace warden::server {

class ConsoleSite {
 public:
  // Never fails: a missing or unreadable directory makes a site that answers
  // the "console not built" page; `problem()` then says why.
  static ConsoleSite Open(const std::string& console_dir);

  HttpResponse Serve(const HttpRequest& request) const;

  bool available() const { return files_.has_value(); }
  const std::string& dir() const { return dir_; }
  // Why the console is not served ("" when it is).
  const std::string& problem() const { return problem_; }

 private:
  std::string dir_;
  std::string problem_;
  std::optional<StaticFiles> files_;
};

}  // namespace warden::server

// HttpRouter maps method + path template to handlers; it is the HttpService
// the server asks about each request.
//
// Templates: "/api/v1/hosts/{id}/problems". A template is "/" followed by
// segments separated by "/"; a segment is literal text or "{name}" (name:
// letters, digits, '_'), which matches one whole non-empty path segment and
// is handed to the handler decoded (request.PathParam("id")). Segments are
// split on the raw path before %-decoding, so "a%2Fb" is one segment "a/b".
// When several templates match, the most specific wins: comparing segment by
// segment from the left, a literal beats a parameter ("/hosts/search" beats
// "/hosts/{id}"). Registering the same method for two templates that differ
// only in parameter names is an error.
//
// Answers it gives itself: 404 E_NOT_FOUND when no template matches the path
// (or the fallback handler, when set), 405 E_METHOD_NOT_ALLOWED with an
// Allow header when templates match but not for this method. HEAD is served
// by the GET handler when there is no HEAD route (the server drops the body).
//
// The before-handler hook runs before every handler (fallback included), on
// the thread the handler runs on, and may answer in its place: that is where
// authentication goes. It can leave what it learned in request.context. For
// inline routes it runs on an I/O thread and must not block there.
//
// Handlers may throw: the exception is logged and answered with 500.
// Configure the router fully before the server starts; afterwards it is only
// read (from any thread) and must not be changed.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "server/http_message.h"
#include "server/http_responder.h"
#include "server/http_server.h"

namespace warden::server {

struct RouteOptions {
  // Larger request bodies get 413 without being read.
  size_t max_body_bytes = kDefaultMaxBodyBytes;
  // Run on the I/O thread (see RequestPlan::run_inline): only for handlers
  // that never block, such as registering a long-poll.
  bool run_inline = false;
  // See RequestPlan::slow_timeout (0: the server's timeouts).
  std::chrono::milliseconds slow_timeout{0};
  // A label for the before-handler hook (e.g. which credentials the route
  // needs); the router does not interpret it.
  std::string access;
};

// What the before-handler hook learns about the route it guards.
struct RouteInfo {
  std::string_view method;
  std::string_view pattern;  // "" for the fallback handler
  std::string_view access;
};

class HttpRouter : public HttpService {
 public:
  // Answers on the thread it runs on; most handlers are this kind.
  using Handler = std::function<HttpResponse(HttpRequest& request)>;
  // Answers through the responder, now or later (long-poll, streaming).
  using AsyncHandler = std::function<void(HttpRequest& request, HttpResponder responder)>;
  // Returns a response to answer in the handler's place, or nullopt to go on.
  using BeforeHandler =
      std::function<std::optional<HttpResponse>(HttpRequest& request, const RouteInfo& route)>;

  // InvalidArgument for a malformed template or a duplicate route.
  Status Add(std::string_view method, std::string_view pattern, Handler handler,
             RouteOptions options = {});
  Status AddAsync(std::string_view method, std::string_view pattern, AsyncHandler handler,
                  RouteOptions options = {});
  void SetBeforeHandler(BeforeHandler hook);
  // Serves requests whose path matches no template (instead of the 404):
  // the web console's static files and client-side routes.
  void SetFallback(Handler handler, RouteOptions options = {});
  // Where handler exceptions are reported; silent when unset.
  void SetErrorLog(std::function<void(std::string_view message)> log);

  RequestPlan Plan(HttpRequest& head) override;

 private:
  struct Route {
    std::string method;
    std::string pattern;
    // One entry per segment: the literal text, or the parameter name for a
    // parameter segment.
    std::vector<std::string> segments;
    std::vector<bool> is_param;
    Handler handler;
    AsyncHandler async_handler;
    RouteOptions options;
  };

  Status AddRoute(std::string_view method, std::string_view pattern, Handler handler,
                  AsyncHandler async_handler, RouteOptions options);
  void Invoke(const Route& route, HttpRequest& request, const HttpResponder& responder) const;
  RequestPlan PlanFor(const Route& route);

  std::vector<std::unique_ptr<Route>> routes_;
  std::unique_ptr<Route> fallback_;
  BeforeHandler before_;
  std::function<void(std::string_view)> error_log_;
};

}  // namespace warden::server

#include "server/http_router.h"

#include <algorithm>
#include <exception>
#include <set>
#include <utility>

#include "server/http_json.h"

namespace warden::server {
namespace {

bool IsParamName(std::string_view name) {
  if (name.empty()) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// Segment-by-segment specificity: true (literal) beats false (parameter).
bool MoreSpecific(const std::vector<bool>& a_is_param, const std::vector<bool>& b_is_param) {
  for (size_t i = 0; i < a_is_param.size() && i < b_is_param.size(); ++i) {
    if (a_is_param[i] != b_is_param[i]) return !a_is_param[i];
  }
  return false;
}

}  // namespace

Status HttpRouter::Add(std::string_view method, std::string_view pattern, Handler handler,
                       RouteOptions options) {
  if (!handler) return InvalidArgument("route " + std::string(pattern) + ": empty handler");
  return AddRoute(method, pattern, std::move(handler), nullptr, std::move(options));
}

Status HttpRouter::AddAsync(std::string_view method, std::string_view pattern, AsyncHandler handler,
                            RouteOptions options) {
  if (!handler) return InvalidArgument("route " + std::string(pattern) + ": empty handler");
  return AddRoute(method, pattern, nullptr, std::move(handler), std::move(options));
}

Status HttpRouter::AddRoute(std::string_view method, std::string_view pattern, Handler handler,
                            AsyncHandler async_handler, RouteOptions options) {
  std::string where = "route " + std::string(method) + " " + std::string(pattern);
  if (!IsValidHeaderName(method)) return InvalidArgument(where + ": invalid method");
  if (pattern.empty() || pattern.front() != '/') {
    return InvalidArgument(where + ": a template must start with '/'");
  }
  auto route = std::make_unique<Route>();
  route->method = std::string(method);
  route->pattern = std::string(pattern);
  std::set<std::string_view> names;
  std::string_view rest = pattern.substr(1);
  while (true) {
    size_t slash = rest.find('/');
    std::string_view segment = rest.substr(0, slash);
    if (segment.size() >= 2 && segment.front() == '{' && segment.back() == '}') {
      std::string_view name = segment.substr(1, segment.size() - 2);
      if (!IsParamName(name)) {
        return InvalidArgument(where + ": parameter '" + std::string(segment) +
                               "' needs a name of letters, digits and '_'");
      }
      if (!names.insert(name).second) {
        return InvalidArgument(where + ": parameter {" + std::string(name) + "} appears twice");
      }
      route->segments.emplace_back(name);
      route->is_param.push_back(true);
    } else {
      if (segment.find_first_of("{}?#%") != std::string_view::npos) {
        return InvalidArgument(where + ": segment '" + std::string(segment) +
                               "' has one of {}?#% outside a whole {name} segment");
      }
      route->segments.emplace_back(segment);
      route->is_param.push_back(false);
    }
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  for (const auto& existing : routes_) {
    if (existing->method != route->method || existing->is_param != route->is_param) continue;
    bool same = true;
    for (size_t i = 0; i < route->segments.size() && same; ++i) {
      same = route->is_param[i] || route->segments[i] == existing->segments[i];
    }
    if (same) {
      return InvalidArgument(where + ": the same requests are already routed by " +
                             existing->method + " " + existing->pattern);
    }
  }
  route->handler = std::move(handler);
  route->async_handler = std::move(async_handler);
  route->options = std::move(options);
  routes_.push_back(std::move(route));
  return Status::Ok();
}

void HttpRouter::SetBeforeHandler(BeforeHandler hook) { before_ = std::move(hook); }

void HttpRouter::SetFallback(Handler handler, RouteOptions options) {
  fallback_ = std::make_unique<Route>();
  fallback_->handler = std::move(handler);
  fallback_->options = std::move(options);
}

void HttpRouter::SetErrorLog(std::function<void(std::string_view)> log) {
  error_log_ = std::move(log);
}

RequestPlan HttpRouter::PlanFor(const Route& route) {
  RequestPlan plan;
  plan.max_body_bytes = route.options.max_body_bytes;
  plan.run_inline = route.options.run_inline;
  plan.slow_timeout = route.options.slow_timeout;
  const Route* r = &route;
  plan.run = [this, r](HttpRequest& request, const HttpResponder& responder) {
    Invoke(*r, request, responder);
  };
  return plan;
}

RequestPlan HttpRouter::Plan(HttpRequest& head) {
  std::vector<std::string> decoded;
  decoded.reserve(head.raw_segments.size());
  for (const std::string& raw : head.raw_segments) {
    std::optional<std::string> segment = PercentDecode(raw, /*plus_as_space=*/false);
    decoded.push_back(segment ? std::move(*segment) : std::string());
  }
  auto matches = [&](const Route& route) {
    if (route.segments.size() != decoded.size()) return false;
    for (size_t i = 0; i < decoded.size(); ++i) {
      if (route.is_param[i] ? decoded[i].empty() : route.segments[i] != decoded[i]) return false;
    }
    return true;
  };

  const Route* best = nullptr;
  const Route* best_get = nullptr;  // for HEAD without a HEAD route
  std::set<std::string> allowed;
  for (const auto& route : routes_) {
    if (!matches(*route)) continue;
    allowed.insert(route->method);
    if (route->method == head.method) {
      if (best == nullptr || MoreSpecific(route->is_param, best->is_param)) best = route.get();
    } else if (head.method == "HEAD" && route->method == "GET") {
      if (best_get == nullptr || MoreSpecific(route->is_param, best_get->is_param)) {
        best_get = route.get();
      }
    }
  }
  if (best == nullptr) best = best_get;
  if (best != nullptr) {
    head.path_params.clear();
    for (size_t i = 0; i < best->segments.size(); ++i) {
      if (best->is_param[i]) head.path_params.emplace_back(best->segments[i], decoded[i]);
    }
    return PlanFor(*best);
  }

  RequestPlan plan;
  plan.run_inline = true;
  if (allowed.empty()) {
    if (fallback_) return PlanFor(*fallback_);
    std::string message = "no resource at " + head.path.substr(0, 256);
    plan.run = [message](HttpRequest&, const HttpResponder& responder) {
      responder.Send(ErrorResponse(api::kErrorNotFound, message));
    };
    return plan;
  }
  if (allowed.count("GET")) allowed.insert("HEAD");
  std::string allow;
  for (const std::string& method : allowed) {
    if (!allow.empty()) allow += ", ";
    allow += method;
  }
  std::string message =
      "method " + head.method.substr(0, 32) + " is not allowed here (allowed: " + allow + ")";
  plan.run = [message, allow](HttpRequest&, const HttpResponder& responder) {
    HttpResponse response = ErrorResponse(api::kErrorMethodNotAllowed, message);
    response.headers.Set("Allow", allow);
    responder.Send(std::move(response));
  };
  return plan;
}

void HttpRouter::Invoke(const Route& route, HttpRequest& request,
                        const HttpResponder& responder) const {
  try {
    if (before_) {
      RouteInfo info{request.method, route.pattern, route.options.access};
      if (std::optional<HttpResponse> early = before_(request, info)) {
        responder.Send(std::move(*early));
        return;
      }
    }
    if (route.async_handler) {
      route.async_handler(request, responder);
    } else {
      responder.Send(route.handler(request));
    }
  } catch (const std::exception& e) {
    if (error_log_) {
      error_log_("request " + request.id + " (" + request.method + " " + route.pattern +
                 "): handler threw: " + e.what());
    }
    responder.Send(
        ErrorResponse(api::kErrorInternal, "internal error (request id " + request.id + ")"));
  }
}

}  // namespace warden::server

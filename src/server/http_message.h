// The HTTP messages of the server as plain values: HttpHeaders (an ordered
// list with case-insensitive lookup), HttpRequest (what a handler receives)
// and HttpResponse (what it answers), plus the decoding of a request target
// into path and query. No I/O, no Beast: the wire format lives in
// http_server.cc, routing in http_router.h.
//
// Everything here is in namespace warden::server, because src/notify already
// has its own (outbound) warden::HttpRequest/HttpResponse.
#pragma once

#include <any>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace warden::server {

// The body limit of a route that does not set its own.
inline constexpr size_t kDefaultMaxBodyBytes = 1024 * 1024;

// Header fields in arrival (or insertion) order; names compare
// case-insensitively (ASCII), values are kept as they are. Repeated names are
// kept as separate entries.
class HttpHeaders {
 public:
  using Field = std::pair<std::string, std::string>;

  // The first value of `name`, or nullopt.
  std::optional<std::string_view> Get(std::string_view name) const;
  // Every value of `name`, in order.
  std::vector<std::string_view> GetAll(std::string_view name) const;
  bool Has(std::string_view name) const { return Get(name).has_value(); }
  // Replaces every field named `name` with one field.
  void Set(std::string_view name, std::string_view value);
  // Appends a field, keeping existing ones of the same name.
  void Add(std::string_view name, std::string_view value);
  // Sets the field only when no field of that name exists.
  void SetIfAbsent(std::string_view name, std::string_view value);
  void Remove(std::string_view name);

  const std::vector<Field>& fields() const { return fields_; }
  size_t size() const { return fields_.size(); }
  bool empty() const { return fields_.empty(); }

 private:
  std::vector<Field> fields_;
};

// True when a and b are equal ignoring ASCII case.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
// True when `name` is an RFC 9110 token (the only legal header field names).
bool IsValidHeaderName(std::string_view name);
// True when `value` has no CR, LF or NUL (no header injection) and no other
// control character except horizontal tab.
bool IsValidHeaderValue(std::string_view value);

// One request as a handler sees it. The server fills everything but
// `path_params` (the router) and `context` (the before-handler hook).
struct HttpRequest {
  std::string method;  // as sent, case-sensitive: "GET", "POST", ...
  std::string target;  // raw request target: "/api/v1/hosts/a%2Fb?x=1"
  std::string path;    // decoded path: "/api/v1/hosts/a/b"
  // The path's raw segments between '/', not decoded: routing matches these
  // so that an encoded "%2F" stays inside one segment.
  std::vector<std::string> raw_segments;
  // Decoded query parameters in order; a repeated key appears once per value.
  std::vector<std::pair<std::string, std::string>> query;
  HttpHeaders headers;
  std::string body;
  int version = 11;          // 10 or 11 (HTTP/1.0 or 1.1)
  std::string peer_address;  // "127.0.0.1", "::1" (IPv4-mapped IPv6 is shown as IPv4)
  uint16_t peer_port = 0;
  bool tls = false;
  // Unique per request; sent back as X-Request-Id. A client-supplied
  // X-Request-Id of 1-64 characters [A-Za-z0-9._:-] is kept, so ids can be
  // followed through a load balancer.
  std::string id;
  // Decoded values of the route's {name} segments, in pattern order.
  std::vector<std::pair<std::string, std::string>> path_params;
  // Free for the layer above HTTP: the before-handler hook stores what it
  // learned (the authenticated principal), handlers read it. The HTTP layer
  // never reads or writes it.
  std::any context;

  // The first value of query parameter `name`.
  std::optional<std::string_view> QueryParam(std::string_view name) const;
  // Every value of query parameter `name`, in order.
  std::vector<std::string_view> QueryParams(std::string_view name) const;
  // The value of path parameter `name` ("" when the route has no such name).
  std::string_view PathParam(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  HttpHeaders headers;
  std::string body;
};

// Decodes %XX escapes. With `plus_as_space` (query strings) '+' becomes ' '.
// nullopt when a '%' is not followed by two hex digits, or the result would
// contain a NUL byte.
std::optional<std::string> PercentDecode(std::string_view text, bool plus_as_space);

// Splits a request target into decoded path, raw path segments and decoded
// query parameters. Accepts origin-form ("/a/b?x=1") and absolute-form
// ("http://host/a/b?x=1", whose scheme and authority are dropped); anything
// else, and bad escapes, are an InvalidArgument naming the problem.
Status ParseRequestTarget(std::string_view target, HttpRequest* request);

}  // namespace warden::server

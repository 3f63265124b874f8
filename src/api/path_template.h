// PathTemplate: an OpenAPI path such as "/api/v1/hosts/{host_id}/problems",
// matched against request paths. The rules are the server router's
// (src/server/http_router.h), so the spec and the router always agree on
// which operation a path names:
// - "/" then segments separated by "/"; a segment is literal text or
//   "{name}" (name: letters, digits, '_'), which matches one whole non-empty
//   segment.
// - Paths are split on the raw (still percent-encoded) text, then each
//   segment is decoded, so "a%2Fb" is the one segment "a/b". A segment with a
//   bad escape or a NUL matches nothing.
// - When several templates match, the most specific wins: comparing segment
//   by segment from the left, a literal beats a parameter
//   ("/hosts/export" beats "/hosts/{host_id}").
// No query strings here (the caller cuts them off), no trailing-slash
// leniency ("/hosts/" is not "/hosts").
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace warden::api {

using PathParams = std::vector<std::pair<std::string, std::string>>;

class PathTemplate {
 public:
  // InvalidArgument naming the template and what is wrong.
  static Result<PathTemplate> Parse(std::string_view text);

  // The decoded {name} values in template order when `raw_segments` (the
  // path's segments between '/', not decoded) match; nullopt otherwise.
  std::optional<PathParams> Match(std::span<const std::string> raw_segments) const;

  // True when this template is more specific than `other` (see the header).
  // Both must match the same path for the answer to mean anything.
  bool MoreSpecificThan(const PathTemplate& other) const;

  // Same segments with parameters in the same places, whatever their names:
  // two such templates would be ambiguous.
  bool SameShape(const PathTemplate& other) const;

  const std::string& text() const { return text_; }
  // Parameter names in order.
  std::vector<std::string> ParameterNames() const;

 private:
  struct Segment {
    std::string text;  // literal text, or the parameter name
    bool is_param = false;
  };
  std::string text_;
  std::vector<Segment> segments_;
};

// Splits a raw path ("/api/v1/hosts/a%2Fb", no query) into its raw segments
// ({"api", "v1", "hosts", "a%2Fb"}); nullopt unless it starts with '/'.
std::optional<std::vector<std::string>> SplitRawPath(std::string_view raw_path);

// Decodes %XX escapes of one path segment ('+' stays '+'); nullopt for a bad
// escape or a decoded NUL.
std::optional<std::string> DecodePathSegment(std::string_view segment);

}  // namespace warden::api

#include "api/path_template.h"

#include <set>

namespace warden::api {
namespace {

bool IsParamName(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<std::vector<std::string>> SplitRawPath(std::string_view raw_path) {
  if (raw_path.empty() || raw_path.front() != '/') return std::nullopt;
  std::vector<std::string> segments;
  std::string_view rest = raw_path.substr(1);
  while (true) {
    size_t slash = rest.find('/');
    segments.emplace_back(rest.substr(0, slash));
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  return segments;
}

std::optional<std::string> DecodePathSegment(std::string_view segment) {
  std::string out;
  out.reserve(segment.size());
  for (size_t i = 0; i < segment.size(); ++i) {
    char c = segment[i];
    if (c == '%') {
      int hi = i + 1 < segment.size() ? HexValue(segment[i + 1]) : -1;
      int lo = i + 2 < segment.size() ? HexValue(segment[i + 2]) : -1;
      if (hi < 0 || lo < 0) return std::nullopt;
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
    }
    if (c == '\0') return std::nullopt;
    out += c;
  }
  return out;
}

Result<PathTemplate> PathTemplate::Parse(std::string_view text) {
  std::string where = "path template '" + std::string(text) + "'";
  if (text.empty() || text.front() != '/') return InvalidArgument(where + ": must start with '/'");
  PathTemplate result;
  result.text_ = std::string(text);
  std::set<std::string_view> names;
  std::string_view rest = text.substr(1);
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
      result.segments_.push_back({std::string(name), true});
    } else {
      if (segment.find_first_of("{}?#%") != std::string_view::npos) {
        return InvalidArgument(where + ": segment '" + std::string(segment) +
                               "' has one of {}?#% outside a whole {name} segment");
      }
      result.segments_.push_back({std::string(segment), false});
    }
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  return result;
}

std::optional<PathParams> PathTemplate::Match(std::span<const std::string> raw_segments) const {
  if (raw_segments.size() != segments_.size()) return std::nullopt;
  PathParams params;
  for (size_t i = 0; i < segments_.size(); ++i) {
    // Most segments have no escape: compare literals without decoding.
    if (!segments_[i].is_param && raw_segments[i].find('%') == std::string::npos) {
      if (raw_segments[i] != segments_[i].text) return std::nullopt;
      continue;
    }
    std::optional<std::string> decoded = DecodePathSegment(raw_segments[i]);
    if (!decoded) return std::nullopt;
    if (segments_[i].is_param) {
      if (decoded->empty()) return std::nullopt;
      params.emplace_back(segments_[i].text, std::move(*decoded));
    } else if (*decoded != segments_[i].text) {
      return std::nullopt;
    }
  }
  return params;
}

bool PathTemplate::MoreSpecificThan(const PathTemplate& other) const {
  for (size_t i = 0; i < segments_.size() && i < other.segments_.size(); ++i) {
    if (segments_[i].is_param != other.segments_[i].is_param) return !segments_[i].is_param;
  }
  return false;
}

bool PathTemplate::SameShape(const PathTemplate& other) const {
  if (segments_.size() != other.segments_.size()) return false;
  for (size_t i = 0; i < segments_.size(); ++i) {
    if (segments_[i].is_param != other.segments_[i].is_param) return false;
    if (!segments_[i].is_param && segments_[i].text != other.segments_[i].text) return false;
  }
  return true;
}

std::vector<std::string> PathTemplate::ParameterNames() const {
  std::vector<std::string> names;
  for (const Segment& s : segments_) {
    if (s.is_param) names.push_back(s.text);
  }
  return names;
}

}  // namespace warden::api

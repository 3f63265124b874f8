#include "server/http_message.h"

#include <algorithm>

namespace warden::server {
namespace {

char LowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsTokenChar(unsigned char c) {
  if (c >= '0' && c <= '9') return true;
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

}  // namespace

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (LowerAscii(a[i]) != LowerAscii(b[i])) return false;
  }
  return true;
}

bool IsValidHeaderName(std::string_view name) {
  if (name.empty()) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return IsTokenChar(static_cast<unsigned char>(c)); });
}

bool IsValidHeaderValue(std::string_view value) {
  return std::none_of(value.begin(), value.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && u != '\t') || u == 0x7f;
  });
}

std::optional<std::string_view> HttpHeaders::Get(std::string_view name) const {
  for (const Field& f : fields_) {
    if (EqualsIgnoreCase(f.first, name)) return std::string_view(f.second);
  }
  return std::nullopt;
}

std::vector<std::string_view> HttpHeaders::GetAll(std::string_view name) const {
  std::vector<std::string_view> out;
  for (const Field& f : fields_) {
    if (EqualsIgnoreCase(f.first, name)) out.emplace_back(f.second);
  }
  return out;
}

void HttpHeaders::Set(std::string_view name, std::string_view value) {
  Remove(name);
  Add(name, value);
}

void HttpHeaders::Add(std::string_view name, std::string_view value) {
  fields_.emplace_back(std::string(name), std::string(value));
}

void HttpHeaders::SetIfAbsent(std::string_view name, std::string_view value) {
  if (!Has(name)) Add(name, value);
}

void HttpHeaders::Remove(std::string_view name) {
  fields_.erase(std::remove_if(fields_.begin(), fields_.end(),
                               [&](const Field& f) { return EqualsIgnoreCase(f.first, name); }),
                fields_.end());
}

std::optional<std::string_view> HttpRequest::QueryParam(std::string_view name) const {
  for (const auto& [key, value] : query) {
    if (key == name) return std::string_view(value);
  }
  return std::nullopt;
}

std::vector<std::string_view> HttpRequest::QueryParams(std::string_view name) const {
  std::vector<std::string_view> out;
  for (const auto& [key, value] : query) {
    if (key == name) out.emplace_back(value);
  }
  return out;
}

std::string_view HttpRequest::PathParam(std::string_view name) const {
  for (const auto& [key, value] : path_params) {
    if (key == name) return value;
  }
  return {};
}

std::optional<std::string> PercentDecode(std::string_view text, bool plus_as_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      int hi = HexValue(text[i + 1]);
      int lo = HexValue(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plus_as_space) {
      c = ' ';
    }
    if (c == '\0') return std::nullopt;
    out.push_back(c);
  }
  return out;
}

Status ParseRequestTarget(std::string_view target, HttpRequest* request) {
  std::string_view rest = target;
  // Absolute-form: drop "scheme://authority" and keep the path.
  if (!rest.empty() && rest.front() != '/') {
    size_t scheme_end = rest.find("://");
    if (scheme_end == std::string_view::npos ||
        !(EqualsIgnoreCase(rest.substr(0, scheme_end), "http") ||
          EqualsIgnoreCase(rest.substr(0, scheme_end), "https"))) {
      return InvalidArgument("request target must start with '/': '" +
                             std::string(target.substr(0, 64)) + "'");
    }
    rest.remove_prefix(scheme_end + 3);
    size_t path_start = rest.find_first_of("/?");
    if (path_start == std::string_view::npos) {
      rest = "/";
    } else if (rest[path_start] == '?') {
      return InvalidArgument("request target has a query but no path");
    } else {
      rest.remove_prefix(path_start);
    }
  }
  if (rest.empty()) return InvalidArgument("empty request target");
  // A fragment is never sent by a conforming client; reject rather than guess.
  if (rest.find('#') != std::string_view::npos) {
    return InvalidArgument("request target contains '#'");
  }
  size_t qmark = rest.find('?');
  std::string_view raw_path = rest.substr(0, qmark);
  std::string_view raw_query =
      qmark == std::string_view::npos ? std::string_view() : rest.substr(qmark + 1);

  std::optional<std::string> path = PercentDecode(raw_path, /*plus_as_space=*/false);
  if (!path) return InvalidArgument("request path has a bad %-escape or a NUL byte");
  request->path = std::move(*path);

  request->raw_segments.clear();
  std::string_view segments = raw_path.substr(1);
  while (true) {
    size_t slash = segments.find('/');
    request->raw_segments.emplace_back(segments.substr(0, slash));
    if (slash == std::string_view::npos) break;
    segments.remove_prefix(slash + 1);
  }

  request->query.clear();
  while (!raw_query.empty()) {
    size_t amp = raw_query.find('&');
    std::string_view pair = raw_query.substr(0, amp);
    raw_query = amp == std::string_view::npos ? std::string_view() : raw_query.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::optional<std::string> key = PercentDecode(pair.substr(0, eq), /*plus_as_space=*/true);
    std::optional<std::string> value =
        PercentDecode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1),
                      /*plus_as_space=*/true);
    if (!key || !value) {
      return InvalidArgument("query parameter '" + std::string(pair.substr(0, 64)) +
                             "' has a bad %-escape or a NUL byte");
    }
    request->query.emplace_back(std::move(*key), std::move(*value));
  }
  return Status::Ok();
}

}  // namespace warden::server

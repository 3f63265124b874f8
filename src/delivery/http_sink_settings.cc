#include "delivery/http_sink_settings.h"

#include "core/strings.h"

namespace warden {

Result<std::string> ParseSinkUrl(const YAML::Node& n, const std::string& key,
                                 const SinkParseContext& context, const std::string& missing) {
  const YamlReader& r = context.reader;
  if (!n["url"]) return r.Error(n, YamlReader::Join(key, "url"), "missing: " + missing);
  ASSIGN_OR_RETURN(std::string url, r.String(n["url"], YamlReader::Join(key, "url")));
  // A disabled sink may take its URL from a variable this host does not set.
  if (url.empty() && !context.enabled) return url;
  if (!StartsWith(url, "https://") && !StartsWith(url, "http://"))
    return r.Error(n["url"], YamlReader::Join(key, "url"),
                   "expected an http:// or https:// URL, got '" + url + "'");
  return url;
}

Status ParseHttpOptions(const YAML::Node& n, const std::string& key,
                        const SinkParseContext& context, int64_t* timeout_ms,
                        std::map<std::string, std::string>* headers) {
  const YamlReader& r = context.reader;
  if (n["timeout"]) {
    ASSIGN_OR_RETURN(*timeout_ms,
                     r.DurationMs(n["timeout"], YamlReader::Join(key, "timeout"), 100));
  }
  if (n["headers"]) {
    ASSIGN_OR_RETURN(*headers, r.StringMap(n["headers"], YamlReader::Join(key, "headers")));
  }
  return Status::Ok();
}

}  // namespace warden

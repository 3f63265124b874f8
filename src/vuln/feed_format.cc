#include "vuln/feed_format.h"

#include <bzlib.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/strings.h"

namespace warden {
namespace {

constexpr size_t kHeadBytes = 64 * 1024;
constexpr size_t kBzip2HeadBytes = 2 * 1024 * 1024;

size_t SkipSpace(std::string_view s, size_t i) {
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
  return i;
}

// Reads a JSON string starting at s[i] == '"'; returns its raw text (escapes
// left as they are, which is enough to recognise keys) and moves i past it.
bool ReadJsonString(std::string_view s, size_t* i, std::string* out) {
  if (*i >= s.size() || s[*i] != '"') return false;
  size_t j = *i + 1;
  out->clear();
  while (j < s.size() && s[j] != '"') {
    if (s[j] == '\\') {
      if (++j >= s.size()) return false;
    }
    *out += s[j++];
  }
  if (j >= s.size()) return false;
  *i = j + 1;
  return true;
}

bool IsOsvKey(std::string_view key) {
  for (std::string_view k : {"id", "schema_version", "modified", "published", "withdrawn",
                             "aliases", "related", "summary", "details", "severity", "affected",
                             "references", "credits", "database_specific", "upstream"}) {
    if (k == key) return true;
  }
  return false;
}

FeedFormat DetectJson(std::string_view s) {
  size_t i = SkipSpace(s, 0);
  if (i >= s.size() || s[i] != '{') return FeedFormat::kUnknown;
  i = SkipSpace(s, i + 1);
  std::string key;
  if (!ReadJsonString(s, &i, &key)) return FeedFormat::kUnknown;
  if (IsOsvKey(key)) return FeedFormat::kOsvJson;
  i = SkipSpace(s, i);
  if (i >= s.size() || s[i] != ':') return FeedFormat::kUnknown;
  i = SkipSpace(s, i + 1);
  if (i >= s.size() || s[i] != '{') return FeedFormat::kUnknown;
  i = SkipSpace(s, i + 1);
  if (!ReadJsonString(s, &i, &key)) return FeedFormat::kUnknown;
  if (StartsWith(key, "CVE-") || StartsWith(key, "TEMP-")) return FeedFormat::kDebianTrackerJson;
  return FeedFormat::kUnknown;
}

bool LooksLikeOval(std::string_view s) {
  size_t i = SkipSpace(s, 0);
  if (i >= s.size() || s[i] != '<') return false;
  // The root element, after the XML declaration and comments, is <oval_definitions ...>.
  return s.find("<oval_definitions") != std::string_view::npos ||
         s.find(":oval_definitions") != std::string_view::npos;
}

std::string BunzipHead(std::string_view compressed) {
  bz_stream strm;
  std::memset(&strm, 0, sizeof strm);
  if (BZ2_bzDecompressInit(&strm, 0, 0) != BZ_OK) return {};
  std::string out(kHeadBytes, '\0');
  strm.next_in = const_cast<char*>(compressed.data());
  strm.avail_in = static_cast<unsigned>(compressed.size());
  strm.next_out = out.data();
  strm.avail_out = static_cast<unsigned>(out.size());
  int rc = BZ2_bzDecompress(&strm);
  size_t produced = out.size() - strm.avail_out;
  BZ2_bzDecompressEnd(&strm);
  if (rc != BZ_OK && rc != BZ_STREAM_END) return {};
  out.resize(produced);
  return out;
}

}  // namespace

std::string_view FeedFormatName(FeedFormat format) {
  switch (format) {
    case FeedFormat::kUnknown:
      return "unknown";
    case FeedFormat::kDebianTrackerJson:
      return "debian-tracker-json";
    case FeedFormat::kOsvJson:
      return "osv-json";
    case FeedFormat::kOsvZip:
      return "osv-zip";
    case FeedFormat::kOvalXml:
      return "oval-xml";
    case FeedFormat::kOvalXmlBz2:
      return "oval-xml-bz2";
  }
  return "unknown";
}

FeedFormat DetectFeedFormat(std::string_view head) {
  if (StartsWith(head, "\xEF\xBB\xBF")) head.remove_prefix(3);  // UTF-8 byte order mark
  if (StartsWith(head, "PK\x03\x04") || StartsWith(head, "PK\x05\x06")) return FeedFormat::kOsvZip;
  if (StartsWith(head, "BZh"))
    return LooksLikeOval(BunzipHead(head)) ? FeedFormat::kOvalXmlBz2 : FeedFormat::kUnknown;
  if (LooksLikeOval(head)) return FeedFormat::kOvalXml;
  return DetectJson(head);
}

Result<FeedFormat> DetectFeedFormatOfFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(path, errno);
  std::string head;
  auto read_up_to = [&](size_t limit) -> int {
    size_t got = head.size();
    head.resize(limit);
    while (got < limit) {
      ssize_t n = ::read(fd, head.data() + got, limit - got);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return errno;
      if (n == 0) break;
      got += static_cast<size_t>(n);
    }
    head.resize(got);
    return 0;
  };
  int err = read_up_to(kHeadBytes);
  // bzip2 emits nothing until a whole block (up to 900 KB of text) is
  // decoded, so a compressed file needs a longer head.
  if (err == 0 && StartsWith(head, "BZh")) err = read_up_to(kBzip2HeadBytes);
  ::close(fd);
  if (err != 0) return ErrnoStatus(path, err);
  return DetectFeedFormat(head);
}

}  // namespace warden

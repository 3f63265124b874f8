#include "agent/server_enrolment.h"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "agent/agent_config.h"
#include "core/encoding.h"
#include "core/strings.h"
#include "core/version.h"
#include "delivery/server_sink.h"
#include "inventory/os_release.h"

namespace warden {

namespace {

std::string FirstLine(const HostFs& fs, const std::string& path) {
  auto text = fs.ReadFile(path, 4096);
  if (!text.ok()) return "";
  std::string s = *text;
  if (size_t nl = s.find('\n'); nl != std::string::npos) s.resize(nl);
  return std::string(TrimWhitespace(s));
}

bool LooksLikeEc2InstanceId(const std::string& s) {
  if (s.size() < 10 || s.size() > 19 || !StartsWith(s, "i-")) return false;
  for (size_t i = 2; i < s.size(); ++i)
    if (!std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
  return true;
}

Json NullIfEmpty(const std::string& s) { return s.empty() ? Json(nullptr) : Json(s); }

Result<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return ErrnoStatus(path, errno);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Quoted(const std::string& s) {
  return Json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

bool IsTopLevelServerKey(std::string_view line) {
  if (!StartsWith(line, "server")) return false;
  std::string_view rest = line.substr(6);
  size_t i = 0;
  while (i < rest.size() && (rest[i] == ' ' || rest[i] == '\t')) ++i;
  if (i >= rest.size() || rest[i] != ':') return false;
  return i + 1 == rest.size() || rest[i + 1] == ' ' || rest[i + 1] == '\t' || rest[i + 1] == '\r' ||
         rest[i + 1] == '\n';
}

bool IsBlank(std::string_view line) { return TrimWhitespace(line).empty(); }

}  // namespace

// Writes `data` to `path` through a temporary file in the same directory
// and a rename, with `mode`.
Status WriteFileAtomically(const std::string& path, const std::string& data, mode_t mode) {
  const std::string tmp = path + ".tmp-" + std::to_string(getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0) return ErrnoStatus(tmp, errno);
  (void)::fchmod(fd, mode);
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0) {
      int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return ErrnoStatus(tmp, err);
    }
    off += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return ErrnoStatus(tmp, err);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return ErrnoStatus(path, err);
  }
  return Status::Ok();
}

Json HostIdentity::ToJson() const {
  return Json{{"machine_id", machine_id},
              {"instance_id", NullIfEmpty(instance_id)},
              {"hostname", hostname},
              {"os",
               {{"name", os_name.empty() ? std::string("Linux") : os_name},
                {"version", NullIfEmpty(os_version)},
                {"id", NullIfEmpty(os_id)},
                {"codename", NullIfEmpty(os_codename)}}},
              {"kernel", NullIfEmpty(kernel)},
              {"arch", NullIfEmpty(arch)},
              {"agent_version", agent_version}};
}

Result<HostIdentity> ReadHostIdentity(const HostFs& fs) {
  HostIdentity id;
  id.machine_id = FirstLine(fs, "/etc/machine-id");
  if (id.machine_id.empty()) id.machine_id = FirstLine(fs, "/var/lib/dbus/machine-id");
  if (id.machine_id.empty())
    return NotFound(
        "/etc/machine-id: missing or empty; the server tells hosts apart by it "
        "(systemd-machine-id-setup creates one)");
  if (id.machine_id.size() > 128) id.machine_id.resize(128);
  std::string tag = FirstLine(fs, "/sys/class/dmi/id/board_asset_tag");
  if (LooksLikeEc2InstanceId(tag)) id.instance_id = tag;
  if (auto os = ReadOsRelease(fs); os.ok()) {
    id.os_name = os->name;
    id.os_version = os->version_id.empty() ? os->version : os->version_id;
    id.os_id = os->id;
    id.os_codename = os->version_codename;
  }
  struct utsname u {};
  if (uname(&u) == 0) {
    id.hostname = u.nodename;
    id.kernel = u.release;
    id.arch = u.machine;
  }
  if (id.hostname.empty()) id.hostname = "localhost";
  id.agent_version = kWardenVersion;
  return id;
}

Result<std::string> NormaliseFingerprint(std::string_view text) {
  std::string s(TrimWhitespace(text));
  std::string lower;
  for (char c : s) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (StartsWith(lower, "sha256:")) lower = lower.substr(7);
  std::string hex;
  for (char c : lower)
    if (c != ':') hex += c;
  bool ok = hex.size() == 64;
  for (char c : hex) ok = ok && std::isxdigit(static_cast<unsigned char>(c));
  if (!ok)
    return InvalidArgument(
        "--ca-fingerprint: expected sha256: and 64 hex digits (as printed by "
        "warden server), got '" +
        s + "'");
  return "sha256:" + hex;
}

Result<CaCertificate> ParseCaCertificate(std::string_view pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (!bio) return Internal("cannot allocate a BIO");
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (!cert) return ParseError("the server's CA is not a PEM certificate");
  unsigned char* der = nullptr;
  int len = i2d_X509(cert, &der);
  CaCertificate out;
  if (len > 0) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    EVP_Digest(der, static_cast<size_t>(len), md, &md_len, EVP_sha256(), nullptr);
    out.fingerprint = "sha256:" + HexEncode(md, md_len);
    OPENSSL_free(der);
  }
  BIO* w = BIO_new(BIO_s_mem());
  if (w && PEM_write_bio_X509(w, cert) == 1) {
    char* data = nullptr;
    long n = BIO_get_mem_data(w, &data);
    out.pem.assign(data, static_cast<size_t>(n));
  }
  if (w) BIO_free(w);
  X509_free(cert);
  if (out.fingerprint.empty() || out.pem.empty())
    return ParseError("the server's CA certificate cannot be encoded");
  return out;
}

std::string ServerSectionYaml(const std::string& url, const std::string& ca_file,
                              const std::string& node_key_file) {
  std::string s = "server:\n  url: " + Quoted(url) + "\n";
  if (ca_file.empty())
    s += "  # no ca_file: the system's CAs verify the server's certificate\n";
  else
    s += "  ca_file: " + Quoted(ca_file) + "\n";
  s += "  node_key_file: " + Quoted(node_key_file) + "\n";
  return s;
}

std::string WithServerSection(const std::string& text, const std::string& section) {
  // Lines with their endings, so everything outside the block is kept as is.
  std::vector<std::string_view> lines;
  std::string_view all(text);
  size_t pos = 0;
  while (pos < all.size()) {
    size_t nl = all.find('\n', pos);
    size_t end = nl == std::string_view::npos ? all.size() : nl + 1;
    lines.push_back(all.substr(pos, end - pos));
    pos = end;
  }
  size_t start = lines.size();
  for (size_t i = 0; i < lines.size(); ++i)
    if (IsTopLevelServerKey(lines[i])) {
      start = i;
      break;
    }
  if (start == lines.size()) {
    std::string out = text;
    if (!out.empty() && out.back() != '\n') out += '\n';
    if (!out.empty()) out += '\n';
    return out + section;
  }
  size_t end = start + 1;
  while (end < lines.size() &&
         (IsBlank(lines[end]) || lines[end][0] == ' ' || lines[end][0] == '\t'))
    ++end;
  while (end > start + 1 && IsBlank(lines[end - 1])) --end;  // blank lines after it stay
  std::string out;
  for (size_t i = 0; i < start; ++i) out += lines[i];
  out += section;
  for (size_t i = end; i < lines.size(); ++i) out += lines[i];
  return out;
}

Result<EnrolmentResult> EnrolAgent(const EnrolmentOptions& o) {
  std::string url = o.server_url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  if (Status st = CheckServerUrl(url); !st.ok()) return st.WithContext("--server");
  if (o.secret.empty()) return InvalidArgument("--secret: the enrol secret is empty");
  std::string pin;
  if (!o.ca_fingerprint.empty()) {
    ASSIGN_OR_RETURN(pin, NormaliseFingerprint(o.ca_fingerprint));
  }
  HostIdentity identity;
  if (o.identity) {
    identity = *o.identity;
  } else {
    ASSIGN_OR_RETURN(identity, ReadHostIdentity(HostFs("/")));
  }
  std::unique_ptr<HttpPoster> poster = o.http_poster ? o.http_poster() : MakeCurlHttpPoster();
  ServerEndpoint endpoint;
  endpoint.url = url;
  endpoint.timeout_ms = 30000;

  // 1. The server's CA.
  HttpRequest get_ca = ServerRequest(endpoint, "GET", "/api/v1/agent/ca", "");
  get_ca.skip_tls_verification = !pin.empty();
  auto ca_answer = poster->Post(get_ca);
  if (!ca_answer.ok()) {
    if (ca_answer.status().code() == StatusCode::kPermissionDenied)
      return Status(StatusCode::kPermissionDenied,
                    url + ": the server's certificate is not trusted by this host's CAs (" +
                        ca_answer.status().message() +
                        "); pass --ca-fingerprint sha256:... as printed by `warden server` "
                        "at start to pin the server's own CA");
    return ca_answer.status().WithContext("fetching the server's CA from " + url);
  }
  if (ca_answer->status != 200)
    return Unavailable("fetching the server's CA from " + url +
                       "/api/v1/agent/ca: " + DescribeServerError(ParseServerError(*ca_answer)));
  ASSIGN_OR_RETURN(CaCertificate ca, ParseCaCertificate(ca_answer->body));
  if (!pin.empty() && ca.fingerprint != pin)
    return Status(StatusCode::kPermissionDenied,
                  "the server's CA has fingerprint " + ca.fingerprint + ", not the pinned " + pin +
                      ": refusing to enrol (nothing was written); check the fingerprint "
                      "`warden server` printed, and that " +
                      url + " is that server");

  // 2. Enrol, verified against the pinned CA (kept in a temporary file until
  //    the server said yes).
  std::error_code ec;
  std::filesystem::create_directories(o.state_dir, ec);
  if (ec) return IoError(o.state_dir + ": cannot create the state directory: " + ec.message());
  const std::string ca_file = pin.empty() ? "" : o.state_dir + "/server-ca.pem";
  const std::string ca_tmp = ca_file.empty() ? "" : ca_file + ".new-" + std::to_string(getpid());
  if (!ca_tmp.empty()) {
    std::ofstream out(ca_tmp, std::ios::binary | std::ios::trunc);
    out << ca.pem;
    if (!out.good()) return IoError(ca_tmp + ": cannot write the server's CA");
  }
  struct TmpRemover {
    std::string path;
    ~TmpRemover() {
      if (!path.empty()) ::unlink(path.c_str());
    }
  } remover{ca_tmp};
  endpoint.ca_file = ca_tmp;
  HttpRequest enrol = ServerRequest(endpoint, "POST", "/api/v1/agent/enroll", "");
  enrol.body = Json{{"secret", o.secret}, {"identity", identity.ToJson()}}.dump(
      -1, ' ', false, nlohmann::json::error_handler_t::replace);
  auto answer = poster->Post(enrol);
  if (!answer.ok()) return answer.status().WithContext("enrolling at " + url);
  if (answer->status != 200)
    return Unavailable("the server refused the enrolment: " +
                       DescribeServerError(ParseServerError(*answer)));
  Json reply = Json::parse(answer->body, nullptr, false);
  if (!reply.is_object() || !reply.contains("host_id") || !reply["host_id"].is_string() ||
      !reply.contains("node_key") || !reply["node_key"].is_string())
    return ParseError("the server's enrolment answer has no host_id and node_key: " +
                      answer->body.substr(0, 200));
  const std::string node_key = reply["node_key"].get<std::string>();
  if (!StartsWith(node_key, "wdn_node_") || node_key.find_first_of(" \t\r\n") != std::string::npos)
    return ParseError("the server's enrolment answer has a malformed node key");

  // 3. The files.
  EnrolmentResult result;
  result.host_id = reply["host_id"].get<std::string>();
  result.duplicate_identity = reply.value("duplicate_identity", false);
  result.poll_wait_seconds = reply.value("poll_wait_seconds", 10);
  result.ca_fingerprint = ca.fingerprint;
  result.ca_file = ca_file;
  result.node_key_file = o.state_dir + "/node-key";
  result.config_path = o.config_path;
  RETURN_IF_ERROR(WriteFileAtomically(result.node_key_file, node_key + "\n", 0600));
  if (!ca_tmp.empty()) {
    if (::rename(ca_tmp.c_str(), ca_file.c_str()) != 0) return ErrnoStatus(ca_file, errno);
    remover.path.clear();
    (void)::chmod(ca_file.c_str(), 0644);
  }
  std::string text;
  mode_t mode = 0640;
  struct stat st {};
  if (::stat(o.config_path.c_str(), &st) == 0) {
    ASSIGN_OR_RETURN(text, ReadWholeFile(o.config_path));
    mode = st.st_mode & 07777;
  } else {
    result.config_created = true;
    text =
        "# The Warden agent's config (see examples/agent.yaml); `warden agent enroll`\n"
        "# wrote the server section.\n";
    if (o.state_dir != DefaultStateDir()) text += "state_dir: " + Quoted(o.state_dir) + "\n";
    std::filesystem::create_directories(std::filesystem::path(o.config_path).parent_path().empty()
                                            ? std::filesystem::path(".")
                                            : std::filesystem::path(o.config_path).parent_path(),
                                        ec);
  }
  RETURN_IF_ERROR(WriteFileAtomically(
      o.config_path, WithServerSection(text, ServerSectionYaml(url, ca_file, result.node_key_file)),
      mode));
  return result;
}

}  // namespace warden

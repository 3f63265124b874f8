#include "server/tls_bootstrap.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <ctime>
#include <memory>
#include <optional>

#include "core/encoding.h"
#include "server/tls_server_context.h"  // TakeOpensslError

namespace warden::server {
namespace {

constexpr int kCaValidityDays = 3650;
constexpr int kServerValidityDays = 825;
constexpr int kRenewWithinDays = 30;

template <class T, void (*Free)(T*)>
struct OpensslDeleter {
  void operator()(T* p) const { Free(p); }
};
using X509Ptr = std::unique_ptr<X509, OpensslDeleter<X509, X509_free>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, OpensslDeleter<EVP_PKEY, EVP_PKEY_free>>;
using BioPtr = std::unique_ptr<BIO, OpensslDeleter<BIO, BIO_free_all>>;
using BnPtr = std::unique_ptr<BIGNUM, OpensslDeleter<BIGNUM, BN_free>>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, OpensslDeleter<X509_EXTENSION, X509_EXTENSION_free>>;
void FreeGeneralNames(GENERAL_NAMES* names) { GENERAL_NAMES_free(names); }
using NamesPtr = std::unique_ptr<GENERAL_NAMES, OpensslDeleter<GENERAL_NAMES, FreeGeneralNames>>;

struct Paths {
  std::string dir, lock, ca_cert, ca_key, server_cert, server_key;
};

Status OpensslFailure(std::string_view what) {
  return Internal(std::string(what) + ": " + TakeOpensslError());
}

bool IsDnsName(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  if (name.substr(0, 2) == "*.") name.remove_prefix(2);
  size_t label = 0;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (c == '.') {
      if (label == 0 || name[i - 1] == '-') return false;
      label = 0;
      continue;
    }
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              (c == '-' && label > 0);
    if (!ok || ++label > 63) return false;
  }
  return label > 0 && name.back() != '-';
}

// The bytes of an IP address (4 or 16), or nullopt for anything else.
std::optional<std::string> IpBytes(const std::string& text) {
  unsigned char buf[16];
  if (inet_pton(AF_INET, text.c_str(), buf) == 1)
    return std::string(reinterpret_cast<char*>(buf), 4);
  if (inet_pton(AF_INET6, text.c_str(), buf) == 1) {
    return std::string(reinterpret_cast<char*>(buf), 16);
  }
  return std::nullopt;
}

Result<std::string> ReadSmallFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return ErrnoStatus(path, errno);
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return ErrnoStatus(path, err);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > 1024 * 1024) {
      ::close(fd);
      return InvalidArgument(path + ": larger than 1 MiB, not a PEM certificate or key");
    }
  }
  ::close(fd);
  return out;
}

// Writes `content` to `path` through a temporary file and a rename, so a
// reader sees the old file or the new one, never half of one.
Status WriteFileAtomically(const std::string& path, std::string_view content, mode_t mode) {
  std::string tmp = path + ".tmp";
  ::unlink(tmp.c_str());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0) return ErrnoStatus(tmp, errno);
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return ErrnoStatus(tmp, err);
    }
    done += static_cast<size_t>(n);
  }
  if (::fchmod(fd, mode) != 0 || ::fsync(fd) != 0) {
    int err = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    return ErrnoStatus(tmp, err);
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return ErrnoStatus(path, err);
  }
  return Status::Ok();
}

bool Exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

Status CheckKeyFileMode(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return ErrnoStatus(path, errno);
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof(mode), "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return Status(StatusCode::kPermissionDenied,
                  path + ": private key has mode " + mode +
                      "; it must not be readable by group or others (chmod 600)");
  }
  return Status::Ok();
}

Result<X509Ptr> ParseCertificate(std::string_view pem, const std::string& where) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  X509Ptr cert(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!cert) return ParseError(where + ": not a PEM certificate: " + TakeOpensslError());
  return cert;
}

Result<PkeyPtr> ParseKey(std::string_view pem, const std::string& where) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  PkeyPtr key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!key) return ParseError(where + ": not a PEM private key: " + TakeOpensslError());
  return key;
}

Result<std::string> CertificatePem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) return OpensslFailure("PEM encoding");
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

Result<std::string> KeyPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return OpensslFailure("PEM encoding of a key");
  }
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

std::string Fingerprint(X509* cert) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (X509_digest(cert, EVP_sha256(), md, &len) != 1) return "";
  return "sha256:" + HexEncode(md, len);
}

Result<PkeyPtr> NewP256Key() {
  PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!key) return OpensslFailure("generating an ECDSA P-256 key");
  return key;
}

Status AddExtension(X509* cert, X509V3_CTX* ctx, int nid, const char* value) {
  ExtPtr ext(X509V3_EXT_conf_nid(nullptr, ctx, nid, value));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) {
    return OpensslFailure(std::string("adding certificate extension ") + OBJ_nid2sn(nid));
  }
  return Status::Ok();
}

// A certificate for `key`'s public half, signed by `issuer_key` (itself when
// `issuer` is null).
Result<X509Ptr> NewCertificate(EVP_PKEY* key, const std::string& common_name, int days,
                               X509* issuer) {
  X509Ptr cert(X509_new());
  if (!cert) return OpensslFailure("X509_new");
  X509_set_version(cert.get(), X509_VERSION_3);
  unsigned char serial_bytes[16];
  if (RAND_bytes(serial_bytes, sizeof(serial_bytes)) != 1) return OpensslFailure("RAND_bytes");
  serial_bytes[0] &= 0x7f;  // positive
  serial_bytes[0] |= 0x01;  // and 16 bytes long
  BnPtr serial(BN_bin2bn(serial_bytes, sizeof(serial_bytes), nullptr));
  if (!serial || !BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get()))) {
    return OpensslFailure("certificate serial number");
  }
  // Valid from an hour ago: tolerate clocks that are a little behind.
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_time_adj_ex(X509_getm_notAfter(cert.get()), days, 0, nullptr);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>("Warden"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                             0);
  X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer) : name);
  if (X509_set_pubkey(cert.get(), key) != 1) return OpensslFailure("X509_set_pubkey");
  return cert;
}

Status Sign(X509* cert, EVP_PKEY* key) {
  if (X509_sign(cert, key, EVP_sha256()) <= 0) return OpensslFailure("signing a certificate");
  return Status::Ok();
}

Result<X509Ptr> NewCaCertificate(EVP_PKEY* key, const std::string& hostname) {
  ASSIGN_OR_RETURN(X509Ptr cert,
                   NewCertificate(key, "Warden CA " + hostname, kCaValidityDays, nullptr));
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
  RETURN_IF_ERROR(
      AddExtension(cert.get(), &ctx, NID_basic_constraints, "critical,CA:TRUE,pathlen:0"));
  RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_key_usage, "critical,keyCertSign,cRLSign"));
  RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_subject_key_identifier, "hash"));
  RETURN_IF_ERROR(Sign(cert.get(), key));
  return cert;
}

Result<X509Ptr> NewServerCertificate(EVP_PKEY* key, const std::vector<std::string>& names, X509* ca,
                                     EVP_PKEY* ca_key) {
  ASSIGN_OR_RETURN(X509Ptr cert, NewCertificate(key, names.front(), kServerValidityDays, ca));
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, ca, cert.get(), nullptr, nullptr, 0);
  RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_basic_constraints, "critical,CA:FALSE"));
  RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_key_usage, "critical,digitalSignature"));
  RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_ext_key_usage, "serverAuth"));
  RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_subject_key_identifier, "hash"));
  RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_authority_key_identifier, "keyid:always"));
  // Subject alternative names, built as structures (not config text, where a
  // comma in a name would add another).
  NamesPtr alt_names(sk_GENERAL_NAME_new_null());
  if (!alt_names) return OpensslFailure("GENERAL_NAMES");
  for (const std::string& n : names) {
    GENERAL_NAME* general = GENERAL_NAME_new();
    if (general == nullptr) return OpensslFailure("GENERAL_NAME_new");
    if (std::optional<std::string> ip = IpBytes(n)) {
      ASN1_OCTET_STRING* octets = ASN1_OCTET_STRING_new();
      if (octets == nullptr ||
          ASN1_OCTET_STRING_set(octets, reinterpret_cast<const unsigned char*>(ip->data()),
                                static_cast<int>(ip->size())) != 1) {
        ASN1_OCTET_STRING_free(octets);
        GENERAL_NAME_free(general);
        return OpensslFailure("IP address name");
      }
      GENERAL_NAME_set0_value(general, GEN_IPADD, octets);
    } else {
      ASN1_IA5STRING* dns = ASN1_IA5STRING_new();
      if (dns == nullptr || ASN1_STRING_set(dns, n.data(), static_cast<int>(n.size())) != 1) {
        ASN1_IA5STRING_free(dns);
        GENERAL_NAME_free(general);
        return OpensslFailure("DNS name");
      }
      GENERAL_NAME_set0_value(general, GEN_DNS, dns);
    }
    if (sk_GENERAL_NAME_push(alt_names.get(), general) == 0) {
      GENERAL_NAME_free(general);
      return OpensslFailure("GENERAL_NAMES push");
    }
  }
  if (X509_add1_ext_i2d(cert.get(), NID_subject_alt_name, alt_names.get(), 0, 0) != 1) {
    return OpensslFailure("subjectAltName");
  }
  RETURN_IF_ERROR(Sign(cert.get(), ca_key));
  return cert;
}

// Why an existing server certificate cannot be kept, or "" when it can.
std::string ServerCertificateProblem(X509* cert, EVP_PKEY* key, EVP_PKEY* ca_key,
                                     const std::vector<std::string>& names) {
  if (X509_check_private_key(cert, key) != 1) return "its key does not match";
  if (X509_verify(cert, ca_key) != 1) return "it is not signed by the CA";
  std::time_t renew_at = std::time(nullptr) + static_cast<std::time_t>(kRenewWithinDays) * 86400;
  if (X509_cmp_time(X509_get0_notAfter(cert), &renew_at) <= 0) return "it expires soon";
  for (const std::string& n : names) {
    int ok = IpBytes(n)
                 ? X509_check_ip_asc(cert, n.c_str(), 0)
                 : X509_check_host(cert, n.data(), n.size(), X509_CHECK_FLAG_NO_WILDCARDS, nullptr);
    if (ok != 1) return "it does not name " + n;
  }
  return "";
}

Status MakeDirectory(const std::string& path, mode_t mode) {
  if (::mkdir(path.c_str(), mode) == 0) return Status::Ok();
  if (errno != EEXIST) return ErrnoStatus(path, errno);
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return ErrnoStatus(path, errno);
  if (!S_ISDIR(st.st_mode)) return InvalidArgument(path + ": exists and is not a directory");
  return Status::Ok();
}

class FileLock {
 public:
  ~FileLock() {
    if (fd_ >= 0) ::close(fd_);
  }
  Status Acquire(const std::string& path) {
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd_ < 0) return ErrnoStatus(path, errno);
    while (::flock(fd_, LOCK_EX) != 0) {
      if (errno != EINTR) return ErrnoStatus(path, errno);
    }
    return Status::Ok();
  }

 private:
  int fd_ = -1;
};

Result<TlsBootstrapResult> Bootstrap(const TlsBootstrapOptions& options, const Paths& paths) {
  TlsBootstrapResult result;
  result.cert_chain_file = paths.server_cert;
  result.key_file = paths.server_key;
  result.ca_cert_file = paths.ca_cert;

  std::string hostname = options.hostname;
  if (hostname.empty()) {
    char buf[256] = {};
    if (::gethostname(buf, sizeof(buf) - 1) == 0) hostname = buf;
  }
  std::vector<std::string> names = {"localhost", "127.0.0.1", "::1"};
  if (IsDnsName(hostname) && hostname != "localhost") names.push_back(hostname);
  for (const std::string& n : options.extra_names) {
    if (!IsDnsName(n) && !IpBytes(n)) {
      return InvalidArgument("TLS certificate name '" + n +
                             "' is neither a DNS name nor an IP address");
    }
    if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
  }

  // The CA: load it, or create it when neither of its files exists.
  X509Ptr ca;
  PkeyPtr ca_key;
  bool have_cert = Exists(paths.ca_cert);
  bool have_key = Exists(paths.ca_key);
  if (have_cert != have_key) {
    return InvalidArgument("TLS CA in " + paths.dir + ": " +
                           (have_cert ? paths.ca_key : paths.ca_cert) +
                           " is missing; restore it from a backup, or remove both files to make a "
                           "new CA (every agent must then be given the new fingerprint)");
  }
  if (have_cert) {
    RETURN_IF_ERROR(CheckKeyFileMode(paths.ca_key));
    ASSIGN_OR_RETURN(std::string cert_pem, ReadSmallFile(paths.ca_cert));
    ASSIGN_OR_RETURN(std::string key_pem, ReadSmallFile(paths.ca_key));
    ASSIGN_OR_RETURN(ca, ParseCertificate(cert_pem, paths.ca_cert));
    ASSIGN_OR_RETURN(ca_key, ParseKey(key_pem, paths.ca_key));
    if (X509_check_private_key(ca.get(), ca_key.get()) != 1) {
      return InvalidArgument(paths.ca_key + " is not the key of " + paths.ca_cert);
    }
    result.ca_cert_pem = std::move(cert_pem);
  } else {
    ASSIGN_OR_RETURN(ca_key, NewP256Key());
    ASSIGN_OR_RETURN(ca, NewCaCertificate(ca_key.get(), IsDnsName(hostname) ? hostname : "server"));
    ASSIGN_OR_RETURN(std::string key_pem, KeyPem(ca_key.get()));
    ASSIGN_OR_RETURN(result.ca_cert_pem, CertificatePem(ca.get()));
    // Key first: a certificate without its key would block the next start.
    RETURN_IF_ERROR(WriteFileAtomically(paths.ca_key, key_pem, 0600));
    RETURN_IF_ERROR(WriteFileAtomically(paths.ca_cert, result.ca_cert_pem, 0644));
    result.created_ca = true;
  }
  result.ca_fingerprint = Fingerprint(ca.get());
  if (result.ca_fingerprint.empty()) return OpensslFailure("CA fingerprint");

  // The server certificate: keep it when it is still good.
  std::string problem = "it does not exist";
  if (Exists(paths.server_cert) && Exists(paths.server_key)) {
    RETURN_IF_ERROR(CheckKeyFileMode(paths.server_key));
    Result<std::string> cert_pem = ReadSmallFile(paths.server_cert);
    Result<std::string> key_pem = ReadSmallFile(paths.server_key);
    Result<X509Ptr> cert = cert_pem.ok() ? ParseCertificate(*cert_pem, paths.server_cert)
                                         : Result<X509Ptr>(cert_pem.status());
    Result<PkeyPtr> key =
        key_pem.ok() ? ParseKey(*key_pem, paths.server_key) : Result<PkeyPtr>(key_pem.status());
    problem = cert.ok() && key.ok()
                  ? ServerCertificateProblem(cert->get(), key->get(), ca_key.get(), names)
                  : "it cannot be read";
  }
  if (!problem.empty()) {
    ASSIGN_OR_RETURN(PkeyPtr key, NewP256Key());
    ASSIGN_OR_RETURN(X509Ptr cert, NewServerCertificate(key.get(), names, ca.get(), ca_key.get()));
    ASSIGN_OR_RETURN(std::string key_pem, KeyPem(key.get()));
    ASSIGN_OR_RETURN(std::string cert_pem, CertificatePem(cert.get()));
    RETURN_IF_ERROR(WriteFileAtomically(paths.server_key, key_pem, 0600));
    RETURN_IF_ERROR(WriteFileAtomically(paths.server_cert, cert_pem + result.ca_cert_pem, 0644));
    result.issued_server_certificate = true;
  }
  return result;
}

}  // namespace

Result<TlsBootstrapResult> BootstrapTls(const TlsBootstrapOptions& options) {
  if (options.state_dir.empty()) return InvalidArgument("TLS bootstrap needs a state directory");
  Paths paths;
  paths.dir = options.state_dir + "/tls";
  paths.lock = paths.dir + "/.lock";
  paths.ca_cert = paths.dir + "/ca.pem";
  paths.ca_key = paths.dir + "/ca.key";
  paths.server_cert = paths.dir + "/server.pem";
  paths.server_key = paths.dir + "/server.key";
  RETURN_IF_ERROR(MakeDirectory(options.state_dir, 0700));
  RETURN_IF_ERROR(MakeDirectory(paths.dir, 0700));
  FileLock lock;
  RETURN_IF_ERROR(lock.Acquire(paths.lock));
  ERR_clear_error();
  Result<TlsBootstrapResult> result = Bootstrap(options, paths);
  if (!result.ok()) return result.status().WithContext("TLS bootstrap in " + paths.dir);
  return result;
}

Result<std::string> CertificateFingerprint(std::string_view pem) {
  ASSIGN_OR_RETURN(X509Ptr cert, ParseCertificate(pem, "certificate"));
  std::string fingerprint = Fingerprint(cert.get());
  if (fingerprint.empty()) return OpensslFailure("certificate fingerprint");
  return fingerprint;
}

Result<std::string> PublicKeyPin(std::string_view pem) {
  ASSIGN_OR_RETURN(X509Ptr cert, ParseCertificate(pem, "certificate"));
  EVP_PKEY* key = X509_get0_pubkey(cert.get());
  if (key == nullptr) return OpensslFailure("certificate public key");
  unsigned char* der = nullptr;
  const int der_len = i2d_PUBKEY(key, &der);
  if (der_len <= 0) return OpensslFailure("encoding the public key");
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256(der, static_cast<size_t>(der_len), md);
  OPENSSL_free(der);
  unsigned char b64[4 * ((SHA256_DIGEST_LENGTH + 2) / 3) + 1];
  const int b64_len = EVP_EncodeBlock(b64, md, SHA256_DIGEST_LENGTH);
  return "sha256//" + std::string(reinterpret_cast<const char*>(b64), static_cast<size_t>(b64_len));
}

Result<std::string> PublicKeyPinOfFile(const std::string& path) {
  ASSIGN_OR_RETURN(std::string pem, ReadSmallFile(path));
  return PublicKeyPin(pem);
}

}  // namespace warden::server

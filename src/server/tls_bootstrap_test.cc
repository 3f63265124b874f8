#include "server/tls_bootstrap.h"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <fstream>
#include <memory>
#include <sstream>

#include "testing/test_util.h"

namespace warden::server {
namespace {

using warden::testing::TempDir;

unsigned Mode(const std::string& path) {
  struct stat st {};
  ::stat(path.c_str(), &st);
  return st.st_mode & 07777;
}

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
std::unique_ptr<X509, X509Free> LoadCert(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "r");
  if (f == nullptr) return nullptr;
  X509* x = PEM_read_X509(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  return std::unique_ptr<X509, X509Free>(x);
}

TlsBootstrapOptions Options(const TempDir& dir) {
  TlsBootstrapOptions options;
  options.state_dir = dir.path() + "/state";
  options.hostname = "warden-test-host";
  return options;
}

TEST(TlsBootstrapTest, CreatesAPrivateCaAndAServerCertificateWithPrivateKeys) {
  TempDir dir;
  Result<TlsBootstrapResult> r = BootstrapTls(Options(dir));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->created_ca);
  EXPECT_TRUE(r->issued_server_certificate);
  EXPECT_EQ(Mode(dir.path() + "/state/tls"), 0700u);
  EXPECT_EQ(Mode(dir.path() + "/state/tls/ca.key"), 0600u);
  EXPECT_EQ(Mode(r->key_file), 0600u);
  EXPECT_EQ(r->ca_cert_pem, testing::ReadFileText(r->ca_cert_file));
  ASSERT_EQ(r->ca_fingerprint.size(), 7u + 64u);
  EXPECT_EQ(r->ca_fingerprint.substr(0, 7), "sha256:");
  EXPECT_EQ(r->ca_fingerprint.find_first_not_of("0123456789abcdef", 7), std::string::npos);
  Result<std::string> again = CertificateFingerprint(r->ca_cert_pem);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, r->ca_fingerprint);
}

TEST(TlsBootstrapTest, FingerprintMatchesOpensslsOwn) {
  TempDir dir;
  Result<TlsBootstrapResult> r = BootstrapTls(Options(dir));
  ASSERT_TRUE(r.ok());
  warden::testing::CommandResult out = warden::testing::RunCommand(
      {"openssl", "x509", "-noout", "-fingerprint", "-sha256", "-in", r->ca_cert_file});
  ASSERT_EQ(out.exit_code, 0) << out.err;
  std::string theirs = out.out.substr(out.out.find('=') + 1);
  theirs.erase(std::remove(theirs.begin(), theirs.end(), ':'), theirs.end());
  theirs.erase(std::remove(theirs.begin(), theirs.end(), '\n'), theirs.end());
  for (char& c : theirs) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  EXPECT_EQ("sha256:" + theirs, r->ca_fingerprint);
}

TEST(TlsBootstrapTest, IssuesAServerCertificateForTheLocalNamesSignedByTheCa) {
  TempDir dir;
  TlsBootstrapOptions options = Options(dir);
  options.extra_names = {"warden.example.com", "10.1.2.3"};
  Result<TlsBootstrapResult> r = BootstrapTls(options);
  ASSERT_TRUE(r.ok()) << r.status().message();
  auto ca = LoadCert(r->ca_cert_file);
  auto server = LoadCert(r->cert_chain_file);
  ASSERT_TRUE(ca && server);
  EXPECT_EQ(X509_check_ca(ca.get()), 1);
  EXPECT_EQ(X509_check_ca(server.get()), 0);
  EXPECT_EQ(X509_verify(server.get(), X509_get0_pubkey(ca.get())), 1);
  EXPECT_EQ(EVP_PKEY_get_id(X509_get0_pubkey(server.get())), EVP_PKEY_EC);
  EXPECT_NE(X509_get_extended_key_usage(server.get()) & XKU_SSL_SERVER, 0u);
  for (const char* host : {"localhost", "warden-test-host", "warden.example.com"}) {
    EXPECT_EQ(X509_check_host(server.get(), host, 0, 0, nullptr), 1) << host;
  }
  for (const char* ip : {"127.0.0.1", "::1", "10.1.2.3"}) {
    EXPECT_EQ(X509_check_ip_asc(server.get(), ip, 0), 1) << ip;
  }
  EXPECT_NE(X509_check_host(server.get(), "other.example.com", 0, 0, nullptr), 1);
  // The chain file carries the CA after the server certificate.
  std::string chain = testing::ReadFileText(r->cert_chain_file);
  EXPECT_NE(chain.find(r->ca_cert_pem), std::string::npos);
  // Validity: the CA for years, the server for at most 825 days.
  int days = 0, seconds = 0;
  ASN1_TIME_diff(&days, &seconds, X509_get0_notBefore(server.get()),
                 X509_get0_notAfter(server.get()));
  EXPECT_LE(days, 826);
  ASN1_TIME_diff(&days, &seconds, X509_get0_notBefore(ca.get()), X509_get0_notAfter(ca.get()));
  EXPECT_GE(days, 3650);
}

TEST(TlsBootstrapTest, ReusesEverythingOnTheNextStart) {
  TempDir dir;
  Result<TlsBootstrapResult> first = BootstrapTls(Options(dir));
  ASSERT_TRUE(first.ok());
  std::string server_pem = testing::ReadFileText(first->cert_chain_file);
  Result<TlsBootstrapResult> second = BootstrapTls(Options(dir));
  ASSERT_TRUE(second.ok()) << second.status().message();
  EXPECT_FALSE(second->created_ca);
  EXPECT_FALSE(second->issued_server_certificate);
  EXPECT_EQ(second->ca_fingerprint, first->ca_fingerprint);
  EXPECT_EQ(testing::ReadFileText(second->cert_chain_file), server_pem);
}

TEST(TlsBootstrapTest, ReissuesTheServerCertificateButKeepsTheCa) {
  TempDir dir;
  Result<TlsBootstrapResult> first = BootstrapTls(Options(dir));
  ASSERT_TRUE(first.ok());
  TlsBootstrapOptions more = Options(dir);
  more.extra_names = {"new.example.com"};
  Result<TlsBootstrapResult> second = BootstrapTls(more);
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(second->issued_server_certificate);
  EXPECT_EQ(second->ca_fingerprint, first->ca_fingerprint);
  auto server = LoadCert(second->cert_chain_file);
  EXPECT_EQ(X509_check_host(server.get(), "new.example.com", 0, 0, nullptr), 1);

  // A damaged server certificate is replaced too.
  std::ofstream(second->cert_chain_file) << "garbage";
  Result<TlsBootstrapResult> third = BootstrapTls(more);
  ASSERT_TRUE(third.ok()) << third.status().message();
  EXPECT_TRUE(third->issued_server_certificate);
  EXPECT_EQ(third->ca_fingerprint, first->ca_fingerprint);
}

TEST(TlsBootstrapTest, NeverReplacesACaThatAgentsMayHavePinned) {
  TempDir dir;
  Result<TlsBootstrapResult> first = BootstrapTls(Options(dir));
  ASSERT_TRUE(first.ok());
  std::string key = dir.path() + "/state/tls/ca.key";
  ASSERT_EQ(::unlink(key.c_str()), 0);
  Result<TlsBootstrapResult> r = BootstrapTls(Options(dir));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("ca.key is missing"), std::string::npos)
      << r.status().message();
  EXPECT_EQ(testing::ReadFileText(first->ca_cert_file), first->ca_cert_pem);
}

TEST(TlsBootstrapTest, RefusesAKeyOthersCanRead) {
  TempDir dir;
  Result<TlsBootstrapResult> first = BootstrapTls(Options(dir));
  ASSERT_TRUE(first.ok());
  std::string key = dir.path() + "/state/tls/ca.key";
  ASSERT_EQ(::chmod(key.c_str(), 0644), 0);
  Result<TlsBootstrapResult> r = BootstrapTls(Options(dir));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("mode 0644"), std::string::npos) << r.status().message();
}

TEST(TlsBootstrapTest, RejectsNamesThatAreNeitherHostNamesNorAddresses) {
  TempDir dir;
  TlsBootstrapOptions options = Options(dir);
  options.extra_names = {"ok.example.com,DNS:evil.example.com"};
  Result<TlsBootstrapResult> r = BootstrapTls(options);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("neither a DNS name nor an IP address"), std::string::npos);
  EXPECT_FALSE(CertificateFingerprint("not a certificate").ok());
}

}  // namespace
}  // namespace warden::server

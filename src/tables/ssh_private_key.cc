#include "tables/ssh_private_key.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "core/encoding.h"

namespace warden {

namespace {

using PkeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

std::string KeyTypeName(int base_id) {
  switch (base_id) {
    case EVP_PKEY_RSA:
    case EVP_PKEY_RSA2:
    case EVP_PKEY_RSA_PSS:
      return "rsa";
    case EVP_PKEY_DSA:
    case EVP_PKEY_DSA1:
    case EVP_PKEY_DSA2:
    case EVP_PKEY_DSA3:
    case EVP_PKEY_DSA4:
      return "dsa";
    case EVP_PKEY_DH:
    case EVP_PKEY_DHX:
      return "dh";
    case EVP_PKEY_EC:
      return "ec";
    case EVP_PKEY_ED25519:
      return "ed25519";
    case EVP_PKEY_ED448:
      return "ed448";
    case EVP_PKEY_HMAC:
      return "hmac";
    case EVP_PKEY_CMAC:
      return "cmac";
    default:
      return "";
  }
}

void DescribeKey(EVP_PKEY* pkey, SshPrivateKeyInfo* info) {
  int base_id = EVP_PKEY_get_base_id(pkey);
  info->key_type = KeyTypeName(base_id);
  // OpenSSL counts Ed25519 as 253 bits (the group order); ssh-keygen and
  // everyone else call it a 256-bit key, and so do we.
  info->key_length = base_id == EVP_PKEY_ED25519 ? 256 : EVP_PKEY_get_bits(pkey);
  info->key_security_bits = EVP_PKEY_get_security_bits(pkey);
  if (info->key_length <= 0) info->key_length = -1;
  if (info->key_security_bits <= 0) info->key_security_bits = -1;
  char group[64];
  size_t len = 0;
  if (EVP_PKEY_get_group_name(pkey, group, sizeof group, &len) == 1)
    info->key_group_name.assign(group, len);
}

// ---- PEM, through OpenSSL ----

// PEM_read_bio_PrivateKey asks for a passphrase only when the key is
// encrypted; answering "no passphrase" (-1) makes it fail without decrypting.
int NoPassphrase(char* /*buf*/, int /*size*/, int /*rwflag*/, void* asked) {
  *static_cast<bool*>(asked) = true;
  return -1;
}

std::optional<SshPrivateKeyInfo> InspectPem(std::string_view contents) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(contents.data(), static_cast<int>(contents.size())), BIO_free);
  if (!bio) return std::nullopt;
  bool asked_passphrase = false;
  PkeyPtr pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, &asked_passphrase),
               EVP_PKEY_free);
  SshPrivateKeyInfo info;
  if (pkey) {
    DescribeKey(pkey.get(), &info);
    return info;
  }
  if (!asked_passphrase) return std::nullopt;
  info.encrypted = true;
  // Legacy labels name the algorithm; PKCS#8 "ENCRYPTED PRIVATE KEY" hides it.
  if (contents.find("-----BEGIN RSA PRIVATE KEY-----") != std::string_view::npos)
    info.key_type = "rsa";
  else if (contents.find("-----BEGIN DSA PRIVATE KEY-----") != std::string_view::npos)
    info.key_type = "dsa";
  else if (contents.find("-----BEGIN EC PRIVATE KEY-----") != std::string_view::npos)
    info.key_type = "ec";
  return info;
}

// ---- openssh-key-v1 ----

constexpr std::string_view kOpenSshBegin = "-----BEGIN OPENSSH PRIVATE KEY-----";
constexpr std::string_view kOpenSshEnd = "-----END OPENSSH PRIVATE KEY-----";
constexpr std::string_view kOpenSshMagic{"openssh-key-v1\0", 15};

// Bounds-checked reader of the SSH wire encoding (RFC 4251): uint32 and
// length-prefixed strings. Every read fails once the data runs out.
class SshWireReader {
 public:
  explicit SshWireReader(std::string_view data) : data_(data) {}
  bool ReadU32(uint32_t* out) {
    if (data_.size() < 4) return false;
    const auto* p = reinterpret_cast<const unsigned char*>(data_.data());
    *out = (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
    data_.remove_prefix(4);
    return true;
  }
  bool ReadString(std::string_view* out) {
    uint32_t len;
    if (!ReadU32(&len) || len > data_.size()) return false;
    *out = data_.substr(0, len);
    data_.remove_prefix(len);
    return true;
  }
  bool Skip(std::string_view prefix) {
    if (data_.substr(0, prefix.size()) != prefix) return false;
    data_.remove_prefix(prefix.size());
    return true;
  }

 private:
  std::string_view data_;
};

using BnPtr = std::unique_ptr<BIGNUM, decltype(&BN_free)>;

BnPtr ToBignum(std::string_view mpint) {
  return BnPtr(BN_bin2bn(reinterpret_cast<const unsigned char*>(mpint.data()),
                         static_cast<int>(mpint.size()), nullptr),
               BN_free);
}

// Builds an EVP_PKEY holding only public components, for OpenSSL to measure.
PkeyPtr PublicKeyFromParams(const char* type, OSSL_PARAM_BLD* bld) {
  PkeyPtr none(nullptr, EVP_PKEY_free);
  std::unique_ptr<OSSL_PARAM, decltype(&OSSL_PARAM_free)> params(OSSL_PARAM_BLD_to_param(bld),
                                                                 OSSL_PARAM_free);
  if (!params) return none;
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
      EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr), EVP_PKEY_CTX_free);
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1) return none;
  EVP_PKEY* pkey = nullptr;
  if (EVP_PKEY_fromdata(ctx.get(), &pkey, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) return none;
  return PkeyPtr(pkey, EVP_PKEY_free);
}

PkeyPtr RsaPublicKey(SshWireReader& blob) {
  PkeyPtr none(nullptr, EVP_PKEY_free);
  std::string_view e, n;
  if (!blob.ReadString(&e) || !blob.ReadString(&n)) return none;
  BnPtr be = ToBignum(e), bn = ToBignum(n);
  std::unique_ptr<OSSL_PARAM_BLD, decltype(&OSSL_PARAM_BLD_free)> bld(OSSL_PARAM_BLD_new(),
                                                                      OSSL_PARAM_BLD_free);
  if (!be || !bn || !bld || !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn.get()) ||
      !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, be.get()))
    return none;
  return PublicKeyFromParams("RSA", bld.get());
}

PkeyPtr DsaPublicKey(SshWireReader& blob) {
  PkeyPtr none(nullptr, EVP_PKEY_free);
  std::string_view p, q, g, y;
  if (!blob.ReadString(&p) || !blob.ReadString(&q) || !blob.ReadString(&g) || !blob.ReadString(&y))
    return none;
  BnPtr bp = ToBignum(p), bq = ToBignum(q), bg = ToBignum(g), by = ToBignum(y);
  std::unique_ptr<OSSL_PARAM_BLD, decltype(&OSSL_PARAM_BLD_free)> bld(OSSL_PARAM_BLD_new(),
                                                                      OSSL_PARAM_BLD_free);
  if (!bp || !bq || !bg || !by || !bld ||
      !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_FFC_P, bp.get()) ||
      !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_FFC_Q, bq.get()) ||
      !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_FFC_G, bg.get()) ||
      !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, by.get()))
    return none;
  return PublicKeyFromParams("DSA", bld.get());
}

PkeyPtr EcPublicKey(SshWireReader& blob) {
  PkeyPtr none(nullptr, EVP_PKEY_free);
  std::string_view curve, point;
  if (!blob.ReadString(&curve) || !blob.ReadString(&point)) return none;
  const char* group = curve == "nistp256"   ? "prime256v1"
                      : curve == "nistp384" ? "secp384r1"
                      : curve == "nistp521" ? "secp521r1"
                                            : nullptr;
  if (group == nullptr) return none;
  std::unique_ptr<OSSL_PARAM_BLD, decltype(&OSSL_PARAM_BLD_free)> bld(OSSL_PARAM_BLD_new(),
                                                                      OSSL_PARAM_BLD_free);
  if (!bld || !OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, 0) ||
      !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                        point.size()))
    return none;
  return PublicKeyFromParams("EC", bld.get());
}

PkeyPtr Ed25519PublicKey(SshWireReader& blob) {
  std::string_view pk;
  if (!blob.ReadString(&pk) || pk.size() != 32) return PkeyPtr(nullptr, EVP_PKEY_free);
  return PkeyPtr(
      EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
                                  reinterpret_cast<const unsigned char*>(pk.data()), pk.size()),
      EVP_PKEY_free);
}

std::optional<SshPrivateKeyInfo> InspectOpenSsh(std::string_view contents) {
  size_t begin = contents.find(kOpenSshBegin);
  size_t end = contents.find(kOpenSshEnd);
  if (begin == std::string_view::npos || end == std::string_view::npos || end < begin)
    return std::nullopt;
  begin += kOpenSshBegin.size();
  std::optional<std::string> decoded = Base64Decode(contents.substr(begin, end - begin));
  if (!decoded) return std::nullopt;

  // magic, ciphername, kdfname, kdfoptions, number of keys, public key blobs,
  // then the (maybe encrypted) private section, which is never looked at.
  SshWireReader file(*decoded);
  std::string_view cipher, kdf, kdf_options, public_blob;
  uint32_t nkeys = 0;
  if (!file.Skip(kOpenSshMagic) || !file.ReadString(&cipher) || !file.ReadString(&kdf) ||
      !file.ReadString(&kdf_options) || !file.ReadU32(&nkeys) || nkeys == 0 ||
      !file.ReadString(&public_blob))
    return std::nullopt;

  SshPrivateKeyInfo info;
  info.encrypted = cipher != "none";
  SshWireReader blob(public_blob);
  std::string_view algorithm;
  if (!blob.ReadString(&algorithm)) return info;  // a key, but of unknown shape
  PkeyPtr pkey(nullptr, EVP_PKEY_free);
  std::string suffix;
  if (algorithm == "ssh-rsa") {
    pkey = RsaPublicKey(blob);
  } else if (algorithm == "ssh-dss") {
    pkey = DsaPublicKey(blob);
  } else if (algorithm.substr(0, 11) == "ecdsa-sha2-") {
    pkey = EcPublicKey(blob);
  } else if (algorithm == "ssh-ed25519") {
    pkey = Ed25519PublicKey(blob);
  } else if (algorithm == "sk-ecdsa-sha2-nistp256@openssh.com") {
    pkey = EcPublicKey(blob);  // the FIDO application string that follows is not needed
    suffix = "-sk";
  } else if (algorithm == "sk-ssh-ed25519@openssh.com") {
    pkey = Ed25519PublicKey(blob);
    suffix = "-sk";
  }
  if (pkey) {
    DescribeKey(pkey.get(), &info);
    if (!info.key_type.empty()) info.key_type += suffix;
  }
  return info;
}

}  // namespace

std::optional<SshPrivateKeyInfo> InspectSshPrivateKey(std::string_view contents) {
  // Cheap filter first: ~/.ssh also holds configs, known_hosts and public
  // keys, which are not worth handing to a PEM decoder.
  if (contents.find("PRIVATE KEY-----") == std::string_view::npos) return std::nullopt;
  std::optional<SshPrivateKeyInfo> info;
  if (contents.find(kOpenSshBegin) != std::string_view::npos) {
    info = InspectOpenSsh(contents);
  } else {
    info = InspectPem(contents);
  }
  // Failed decodes leave errors queued on this thread; they are ours.
  ERR_clear_error();
  return info;
}

}  // namespace warden

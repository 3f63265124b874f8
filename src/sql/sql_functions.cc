// The SQL functions and collations osquery users rely on, so their queries run
// unchanged: regex_match, regex_split, split, concat, concat_ws, md5, sha1,
// sha256, to_base64, from_base64, conditional_to_base64, in_cidr_block, and the
// collations version, version_dpkg, version_rhel; plus version_compare(a, b
// [, scheme]) returning -1/0/1. Regexes are PCRE2 (Perl syntax, lookaround
// allowed) with a match limit so a pathological pattern fails with an error
// instead of hanging the query. Compiled patterns are cached per statement.
#define PCRE2_CODE_UNIT_WIDTH 8
#include <arpa/inet.h>
#include <openssl/evp.h>
#include <pcre2.h>
#include <sqlite3.h>

#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/encoding.h"
#include "core/strings.h"
#include "sql/sql_engine.h"
#include "version/version_compare.h"

namespace warden {
namespace {

std::string_view TextArg(sqlite3_value* v) {
  const auto* t = sqlite3_value_text(v);
  if (t == nullptr) return {};
  return {reinterpret_cast<const char*>(t), static_cast<size_t>(sqlite3_value_bytes(v))};
}

void ResultText(sqlite3_context* ctx, std::string_view s) {
  sqlite3_result_text64(ctx, s.data(), s.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
}

struct CompiledRegex {
  pcre2_code* code = nullptr;
  pcre2_match_data* match = nullptr;
  pcre2_match_context* mctx = nullptr;
  ~CompiledRegex() {
    pcre2_match_data_free(match);
    pcre2_match_context_free(mctx);
    pcre2_code_free(code);
  }
};

void FreeRegex(void* p) { delete static_cast<CompiledRegex*>(p); }

// Compiles (or fetches from the statement's aux data) the pattern in argument i.
CompiledRegex* GetRegex(sqlite3_context* ctx, sqlite3_value** argv, int i) {
  auto* cached = static_cast<CompiledRegex*>(sqlite3_get_auxdata(ctx, i));
  if (cached != nullptr) return cached;
  std::string_view pattern = TextArg(argv[i]);
  int err = 0;
  PCRE2_SIZE offset = 0;
  auto re = std::make_unique<CompiledRegex>();
  re->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                           PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &err, &offset, nullptr);
  if (re->code == nullptr) {
    PCRE2_UCHAR buf[256];
    pcre2_get_error_message(err, buf, sizeof buf);
    std::string msg = "invalid regex '" + std::string(pattern) + "' at offset " +
                      std::to_string(offset) + ": " + reinterpret_cast<char*>(buf);
    sqlite3_result_error(ctx, msg.c_str(), -1);
    return nullptr;
  }
  pcre2_jit_compile(re->code,
                    PCRE2_JIT_COMPLETE);  // falls back to the interpreter if JIT is unavailable
  re->match = pcre2_match_data_create_from_pattern(re->code, nullptr);
  re->mctx = pcre2_match_context_create(nullptr);
  pcre2_set_match_limit(re->mctx, 1000000);
  pcre2_set_depth_limit(re->mctx, 10000);
  CompiledRegex* raw = re.release();
  sqlite3_set_auxdata(ctx, i, raw, FreeRegex);
  // set_auxdata may free immediately when it cannot keep it; re-fetch.
  auto* kept = static_cast<CompiledRegex*>(sqlite3_get_auxdata(ctx, i));
  return kept;
}

// Runs one match at offset; returns the match count (>0), 0 for no match, or
// reports an error on ctx and returns -1.
int RunMatch(sqlite3_context* ctx, CompiledRegex* re, std::string_view subject, size_t offset) {
  int rc = pcre2_match(re->code, reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(),
                       offset, 0, re->match, re->mctx);
  if (rc == PCRE2_ERROR_NOMATCH) return 0;
  if (rc < 0) {
    PCRE2_UCHAR buf[256];
    pcre2_get_error_message(rc, buf, sizeof buf);
    std::string msg = std::string("regex match failed: ") + reinterpret_cast<char*>(buf);
    sqlite3_result_error(ctx, msg.c_str(), -1);
    return -1;
  }
  return rc;
}

// regex_match(subject, pattern, group): the text of capture group `group` of
// the first match (0 = whole match), or NULL.
void RegexMatchFn(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL) {
    sqlite3_result_null(ctx);
    return;
  }
  CompiledRegex* re = GetRegex(ctx, argv, 1);
  if (re == nullptr) return;
  int64_t group = argc > 2 ? sqlite3_value_int64(argv[2]) : 0;
  std::string_view subject = TextArg(argv[0]);
  int rc = RunMatch(ctx, re, subject, 0);
  if (rc <= 0) {
    if (rc == 0) sqlite3_result_null(ctx);
    return;
  }
  PCRE2_SIZE* ov = pcre2_get_ovector_pointer(re->match);
  if (group < 0 || group >= rc || ov[2 * group] == PCRE2_UNSET) {
    sqlite3_result_null(ctx);
    return;
  }
  ResultText(ctx, subject.substr(ov[2 * group], ov[2 * group + 1] - ov[2 * group]));
}

// regex_split(subject, pattern, index): the index-th piece between matches.
void RegexSplitFn(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
    sqlite3_result_null(ctx);
    return;
  }
  CompiledRegex* re = GetRegex(ctx, argv, 1);
  if (re == nullptr) return;
  int64_t want = sqlite3_value_int64(argv[2]);
  std::string_view subject = TextArg(argv[0]);
  size_t start = 0, offset = 0;
  int64_t index = 0;
  while (offset <= subject.size()) {
    int rc = RunMatch(ctx, re, subject, offset);
    if (rc < 0) return;
    if (rc == 0) break;
    PCRE2_SIZE* ov = pcre2_get_ovector_pointer(re->match);
    if (ov[1] == ov[0]) {  // empty match: step over one character
      offset = ov[1] + 1;
      continue;
    }
    if (ov[0] > start) {
      if (index == want) {
        ResultText(ctx, subject.substr(start, ov[0] - start));
        return;
      }
      ++index;
    }
    start = offset = ov[1];
  }
  if (start < subject.size() && index == want) {
    ResultText(ctx, subject.substr(start));
    return;
  }
  sqlite3_result_null(ctx);
}

// split(subject, tokens, index): splits on any character of `tokens`,
// dropping empty pieces (osquery semantics).
void SplitFn(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
    sqlite3_result_null(ctx);
    return;
  }
  std::string_view s = TextArg(argv[0]);
  std::string_view tokens = TextArg(argv[1]);
  int64_t want = sqlite3_value_int64(argv[2]);
  int64_t index = 0;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && tokens.find(s[i]) != std::string_view::npos) ++i;
    size_t start = i;
    while (i < s.size() && tokens.find(s[i]) == std::string_view::npos) ++i;
    if (i > start) {
      if (index == want) {
        ResultText(ctx, s.substr(start, i - start));
        return;
      }
      ++index;
    }
  }
  sqlite3_result_null(ctx);
}

void ConcatFn(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  std::string out;
  for (int i = 0; i < argc; ++i) out += TextArg(argv[i]);
  ResultText(ctx, out);
}

void ConcatWsFn(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  if (argc < 1) return sqlite3_result_null(ctx);
  std::string_view sep = TextArg(argv[0]);
  std::string out;
  bool first = true;
  for (int i = 1; i < argc; ++i) {
    if (sqlite3_value_type(argv[i]) == SQLITE_NULL) continue;
    if (!first) out += sep;
    out += TextArg(argv[i]);
    first = false;
  }
  ResultText(ctx, out);
}

void DigestFn(sqlite3_context* ctx, int, sqlite3_value** argv) {
  const auto* md = static_cast<const EVP_MD*>(sqlite3_user_data(ctx));
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL) return sqlite3_result_null(ctx);
  std::string_view s = TextArg(argv[0]);
  ResultText(ctx, DigestHex(md, s));
}

void ToBase64Fn(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL) return sqlite3_result_null(ctx);
  ResultText(ctx, Base64Encode(TextArg(argv[0])));
}

void FromBase64Fn(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL) return sqlite3_result_null(ctx);
  std::string_view in = TrimWhitespace(TextArg(argv[0]));
  if (in.size() % 4 != 0) return sqlite3_result_null(ctx);
  std::string out(in.size() / 4 * 3 + 1, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()),
                          static_cast<int>(in.size()));
  if (n < 0) return sqlite3_result_null(ctx);
  size_t pad = 0;
  if (!in.empty() && in.back() == '=') ++pad;
  if (in.size() > 1 && in[in.size() - 2] == '=') ++pad;
  out.resize(static_cast<size_t>(n) - pad);
  ResultText(ctx, out);
}

// Base64 only when the text is not printable ASCII.
void ConditionalToBase64Fn(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL) return sqlite3_result_null(ctx);
  std::string_view s = TextArg(argv[0]);
  for (unsigned char c : s) {
    if (c < 0x20 || c > 0x7e) return ResultText(ctx, Base64Encode(s));
  }
  ResultText(ctx, s);
}

// in_cidr_block(cidr, ip) -> 1/0; NULL on malformed input.
void InCidrBlockFn(sqlite3_context* ctx, int, sqlite3_value** argv) {
  std::string cidr(TextArg(argv[0]));
  std::string ip(TextArg(argv[1]));
  size_t slash = cidr.find('/');
  std::string net = cidr.substr(0, slash);
  int64_t bits = -1;
  unsigned char a[16], b[16];
  int family = net.find(':') != std::string::npos ? AF_INET6 : AF_INET;
  int len = family == AF_INET ? 4 : 16;
  if (slash == std::string::npos) {
    bits = len * 8;
  } else if (!ParseInt64(cidr.substr(slash + 1), &bits) || bits < 0 || bits > len * 8) {
    return sqlite3_result_null(ctx);
  }
  if (inet_pton(family, net.c_str(), a) != 1 || inet_pton(family, ip.c_str(), b) != 1)
    return sqlite3_result_int(ctx, 0);
  for (int i = 0; i < len && bits > 0; ++i, bits -= 8) {
    unsigned char mask = bits >= 8 ? 0xff : static_cast<unsigned char>(0xff << (8 - bits));
    if ((a[i] & mask) != (b[i] & mask)) return sqlite3_result_int(ctx, 0);
  }
  sqlite3_result_int(ctx, 1);
}

void VersionCompareFn(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL)
    return sqlite3_result_null(ctx);
  VersionScheme scheme = VersionScheme::kGeneric;
  if (argc > 2) {
    auto parsed = ParseVersionScheme(TextArg(argv[2]));
    if (!parsed) {
      sqlite3_result_error(ctx, "version_compare: scheme must be 'dpkg', 'rpm' or 'generic'", -1);
      return;
    }
    scheme = *parsed;
  }
  int r = CompareVersions(scheme, TextArg(argv[0]), TextArg(argv[1]));
  sqlite3_result_int(ctx, r < 0 ? -1 : r > 0 ? 1 : 0);
}

int Collate(void* arg, int la, const void* a, int lb, const void* b) {
  auto scheme = static_cast<VersionScheme>(reinterpret_cast<intptr_t>(arg));
  return CompareVersions(scheme, {static_cast<const char*>(a), static_cast<size_t>(la)},
                         {static_cast<const char*>(b), static_cast<size_t>(lb)});
}

}  // namespace

Status RegisterSqlFunctions(sqlite3* db) {
  struct Fn {
    const char* name;
    int argc;
    void (*fn)(sqlite3_context*, int, sqlite3_value**);
    void* user = nullptr;
  };
  const Fn fns[] = {
      {"regex_match", 3, RegexMatchFn},
      {"regex_match", 2, RegexMatchFn},
      {"regex_split", 3, RegexSplitFn},
      {"split", 3, SplitFn},
      {"concat", -1, ConcatFn},
      {"concat_ws", -1, ConcatWsFn},
      {"md5", 1, DigestFn, const_cast<EVP_MD*>(EVP_md5())},
      {"sha1", 1, DigestFn, const_cast<EVP_MD*>(EVP_sha1())},
      {"sha256", 1, DigestFn, const_cast<EVP_MD*>(EVP_sha256())},
      {"to_base64", 1, ToBase64Fn},
      {"from_base64", 1, FromBase64Fn},
      {"conditional_to_base64", 1, ConditionalToBase64Fn},
      {"in_cidr_block", 2, InCidrBlockFn},
      {"version_compare", 2, VersionCompareFn},
      {"version_compare", 3, VersionCompareFn},
  };
  for (const Fn& f : fns) {
    int rc = sqlite3_create_function_v2(db, f.name, f.argc, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
                                        f.user, f.fn, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return Internal(std::string("registering SQL function ") + f.name);
  }
  const std::pair<const char*, VersionScheme> collations[] = {
      {"version", VersionScheme::kGeneric},
      {"version_dpkg", VersionScheme::kDebian},
      {"version_rhel", VersionScheme::kRpm},
      {"version_arch", VersionScheme::kGeneric},
  };
  for (const auto& [name, scheme] : collations) {
    int rc = sqlite3_create_collation_v2(db, name, SQLITE_UTF8,
                                         reinterpret_cast<void*>(static_cast<intptr_t>(scheme)),
                                         Collate, nullptr);
    if (rc != SQLITE_OK) return Internal(std::string("registering collation ") + name);
  }
  return Status::Ok();
}

}  // namespace warden

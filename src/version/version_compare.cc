#include "version/version_compare.h"

#include <cstdint>

namespace warden {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAlnum(char c) { return IsDigit(c) || IsAlpha(c); }

// dpkg's character weight in the non-digit part.
int DpkgOrder(int c) {
  if (c == '~') return -1;
  if (IsDigit(static_cast<char>(c))) return 0;
  if (c == 0) return 0;
  if (IsAlpha(static_cast<char>(c))) return c;
  return c + 256;
}

int DpkgVerRevCmp(std::string_view a, std::string_view b) {
  size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    int first_diff = 0;
    while ((i < a.size() && !IsDigit(a[i])) || (j < b.size() && !IsDigit(b[j]))) {
      int ac = i < a.size() ? DpkgOrder(static_cast<unsigned char>(a[i])) : 0;
      int bc = j < b.size() ? DpkgOrder(static_cast<unsigned char>(b[j])) : 0;
      if (ac != bc) return ac - bc;
      ++i;
      ++j;
    }
    while (i < a.size() && a[i] == '0') ++i;
    while (j < b.size() && b[j] == '0') ++j;
    while (i < a.size() && IsDigit(a[i]) && j < b.size() && IsDigit(b[j])) {
      if (!first_diff) first_diff = a[i] - b[j];
      ++i;
      ++j;
    }
    if (i < a.size() && IsDigit(a[i])) return 1;
    if (j < b.size() && IsDigit(b[j])) return -1;
    if (first_diff) return first_diff;
  }
  return 0;
}

struct Evr {
  std::string_view epoch;
  std::string_view version;
  std::string_view release;
  bool has_release = false;  // a '-' was present (the release may still be empty)
};

// Splits "[epoch:]version[-release]"; the release starts after the last '-'.
Evr SplitEvr(std::string_view s) {
  Evr e;
  size_t colon = s.find(':');
  if (colon != std::string_view::npos) {
    e.epoch = s.substr(0, colon);
    s.remove_prefix(colon + 1);
  }
  size_t dash = s.rfind('-');
  if (dash != std::string_view::npos) {
    e.version = s.substr(0, dash);
    e.release = s.substr(dash + 1);
    e.has_release = true;
  } else {
    e.version = s;
  }
  return e;
}

// Epochs compare numerically; empty is 0.
int CompareEpoch(std::string_view a, std::string_view b) {
  auto parse = [](std::string_view s) {
    uint64_t v = 0;
    for (char c : s) {
      if (!IsDigit(c)) break;
      v = v * 10 + static_cast<uint64_t>(c - '0');
      if (v > (1ull << 60)) break;
    }
    return v;
  };
  uint64_t x = parse(a), y = parse(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

int Sign(int v) { return v < 0 ? -1 : v > 0 ? 1 : 0; }

}  // namespace

int CompareDebianVersions(std::string_view a, std::string_view b) {
  Evr x = SplitEvr(a), y = SplitEvr(b);
  if (int r = CompareEpoch(x.epoch, y.epoch)) return r;
  if (int r = DpkgVerRevCmp(x.version, y.version)) return Sign(r);
  return Sign(DpkgVerRevCmp(x.release, y.release));
}

int RpmVerCmp(std::string_view a, std::string_view b) {
  if (a == b) return 0;
  size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    while (i < a.size() && !IsAlnum(a[i]) && a[i] != '~' && a[i] != '^') ++i;
    while (j < b.size() && !IsAlnum(b[j]) && b[j] != '~' && b[j] != '^') ++j;
    char ca = i < a.size() ? a[i] : '\0';
    char cb = j < b.size() ? b[j] : '\0';
    if (ca == '~' || cb == '~') {
      if (ca != '~') return 1;
      if (cb != '~') return -1;
      ++i;
      ++j;
      continue;
    }
    if (ca == '^' || cb == '^') {
      if (ca == '\0') return -1;
      if (cb == '\0') return 1;
      if (ca != '^') return 1;
      if (cb != '^') return -1;
      ++i;
      ++j;
      continue;
    }
    if (ca == '\0' || cb == '\0') break;
    size_t si = i, sj = j;
    bool numeric = IsDigit(a[i]);
    if (numeric) {
      while (i < a.size() && IsDigit(a[i])) ++i;
      while (j < b.size() && IsDigit(b[j])) ++j;
    } else {
      while (i < a.size() && IsAlpha(a[i])) ++i;
      while (j < b.size() && IsAlpha(b[j])) ++j;
    }
    std::string_view sa = a.substr(si, i - si), sb = b.substr(sj, j - sj);
    if (sb.empty()) return numeric ? 1 : -1;  // different segment types
    if (numeric) {
      while (!sa.empty() && sa.front() == '0') sa.remove_prefix(1);
      while (!sb.empty() && sb.front() == '0') sb.remove_prefix(1);
      if (sa.size() != sb.size()) return sa.size() > sb.size() ? 1 : -1;
    }
    int rc = sa.compare(sb);
    if (rc) return Sign(rc);
  }
  bool a_done = i >= a.size(), b_done = j >= b.size();
  if (a_done && b_done) return 0;
  return a_done ? -1 : 1;
}

int CompareRpmVersions(std::string_view a, std::string_view b) {
  Evr x = SplitEvr(a), y = SplitEvr(b);
  if (int r = CompareEpoch(x.epoch, y.epoch)) return r;
  if (int r = RpmVerCmp(x.version, y.version)) return r;
  // A release one side lacks sorts first, as rpm's labelCompare does ("1.0"
  // < "1.0-+" although rpmvercmp("", "+") is 0): a strict total order, as a
  // collation needs.
  if (x.has_release != y.has_release) return x.has_release ? 1 : -1;
  return RpmVerCmp(x.release, y.release);
}

int CompareGenericVersions(std::string_view a, std::string_view b) {
  // Leading "v" (v1.2.3) is not part of the number.
  if (!a.empty() && (a.front() == 'v' || a.front() == 'V') && a.size() > 1 && IsDigit(a[1]))
    a.remove_prefix(1);
  if (!b.empty() && (b.front() == 'v' || b.front() == 'V') && b.size() > 1 && IsDigit(b[1]))
    b.remove_prefix(1);
  return RpmVerCmp(a, b);
}

std::optional<VersionScheme> ParseVersionScheme(std::string_view name) {
  if (name == "dpkg" || name == "deb" || name == "debian" || name == "version_dpkg")
    return VersionScheme::kDebian;
  if (name == "rpm" || name == "rhel" || name == "version_rhel") return VersionScheme::kRpm;
  if (name == "generic" || name == "version" || name.empty()) return VersionScheme::kGeneric;
  return std::nullopt;
}

int CompareVersions(VersionScheme scheme, std::string_view a, std::string_view b) {
  switch (scheme) {
    case VersionScheme::kDebian:
      return CompareDebianVersions(a, b);
    case VersionScheme::kRpm:
      return CompareRpmVersions(a, b);
    case VersionScheme::kGeneric:
      return CompareGenericVersions(a, b);
  }
  return 0;
}

}  // namespace warden
